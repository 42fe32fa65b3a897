// Package casefile reads and runs policy test cases: one JSON object a line,
// each a request, the policies that apply to it and, optionally, the decision
// AWS gives (`expect`). The format is the one of Wharf's policy corpus
// (testdata/iam-cases) and of `wharf policy test`, so security teams can keep
// their own policy tests and run them in CI.
//
//	{"id": "04-explicit-deny-beats-allow",
//	 "identityPolicies": [ {policy} | "policy JSON" | {"name": "x", "policy": {policy}} ],
//	 "resourcePolicy": {policy}, "permissionBoundaries": [{policy}],
//	 "sessionPolicy": {policy}, "scps": [{policy}],
//	 "action": "ecr-public:PutImage", "resource": "arn:…" | "*",
//	 "resourceAccount": "123456789012",
//	 "principal": "arn:aws:iam::123456789012:user/alice" | "anonymous",
//	 "context": {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a"], "aws:SecureTransport": true},
//	 "expect": "allowed" | "explicitDeny" | "implicitDeny", "why": "…"}
//
// The package does no I/O of its own: it reads from an io.Reader.
package casefile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/policy"
)

// Case is one line of a case file.
type Case struct {
	ID                   string          `json:"id"`
	IdentityPolicies     []PolicyRef     `json:"identityPolicies"`
	ResourcePolicy       *PolicyRef      `json:"resourcePolicy"`
	PermissionBoundaries PolicyList      `json:"permissionBoundaries"`
	SessionPolicy        *PolicyRef      `json:"sessionPolicy"`
	SCPs                 PolicyList      `json:"scps"`
	Action               string          `json:"action"`
	Resource             string          `json:"resource"`
	ResourceAccount      string          `json:"resourceAccount"`
	Principal            string          `json:"principal"`
	Context              map[string]any  `json:"context"`
	Expect               string          `json:"expect"`
	Why                  string          `json:"why"`
	Line                 int             `json:"-"`
	Raw                  json.RawMessage `json:"-"`
}

// PolicyRef is a policy given as an object, as JSON text in a string, or as
// {"name": …, "policy": …}.
type PolicyRef struct {
	Name     string
	Document []byte
}

// UnmarshalJSON accepts the three forms.
func (p *PolicyRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		p.Document = []byte(s)
		return nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return fmt.Errorf("a policy must be an object or a JSON string: %w", err)
	}
	if doc, ok := probe["policy"]; ok && probe["Statement"] == nil {
		if name, ok := probe["name"]; ok {
			if err := json.Unmarshal(name, &p.Name); err != nil {
				return fmt.Errorf("policy name: %w", err)
			}
		}
		var inner PolicyRef
		if err := inner.UnmarshalJSON(doc); err != nil {
			return err
		}
		p.Document = inner.Document
		return nil
	}
	p.Document = append([]byte(nil), b...)
	return nil
}

// PolicyList is a list of policies that may also be written as one policy.
type PolicyList []PolicyRef

// UnmarshalJSON accepts a list or a single policy.
func (l *PolicyList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var refs []PolicyRef
		if err := json.Unmarshal(b, &refs); err != nil {
			return err
		}
		*l = refs
		return nil
	}
	var one PolicyRef
	if err := one.UnmarshalJSON(b); err != nil {
		return err
	}
	*l = PolicyList{one}
	return nil
}

// Read parses every non-blank line of r that does not start with '#' or '//'.
func Read(r io.Reader) ([]*Case, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var cases []*Case
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 || text[0] == '#' || bytes.HasPrefix(text, []byte("//")) {
			continue
		}
		c := &Case{Line: line, Raw: append(json.RawMessage(nil), text...)}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(c); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if c.ID == "" {
			c.ID = fmt.Sprintf("line-%d", line)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return cases, nil
}

// Outcome is the result of running one case.
type Outcome struct {
	Case   *Case
	Result *policy.Result
	// Decide is the hot-path decision, which must equal Result.Decision.
	Decide policy.Decision
	Err    error
}

// Agrees reports whether the case ran and matches its expectation (a case
// without one agrees when it ran).
func (o *Outcome) Agrees() bool {
	if o.Err != nil || o.Result == nil || o.Decide != o.Result.Decision {
		return false
	}
	if o.Case.Expect == "" {
		return true
	}
	want, ok := policy.ParseDecision(o.Case.Expect)
	return ok && want == o.Result.Decision
}

// Run evaluates one case at time now (for aws:CurrentTime and aws:EpochTime).
func Run(c *Case, now time.Time) *Outcome {
	o := &Outcome{Case: c}
	set, req, err := c.Build(now)
	if err != nil {
		o.Err = err
		return o
	}
	if c.Expect != "" {
		if _, ok := policy.ParseDecision(c.Expect); !ok {
			o.Err = fmt.Errorf("expect %q is not allowed, explicitDeny or implicitDeny", c.Expect)
			return o
		}
	}
	ev := policy.NewEvaluator(set)
	o.Result = ev.Explain(req)
	o.Decide = ev.Decide(req)
	return o
}

// Build compiles the case's policies and request.
func (c *Case) Build(now time.Time) (policy.Set, *policy.Request, error) {
	var set policy.Set
	var err error
	compile := func(refs []PolicyRef, kind policy.Kind, what, srcType string) ([]policy.Attached, error) {
		var out []policy.Attached
		for i, r := range refs {
			p, err := policy.Parse(r.Document, kind)
			if err != nil {
				return nil, fmt.Errorf("%s %d: MalformedPolicyDocument: %w", what, i, err)
			}
			id := r.Name
			if id == "" {
				id = fmt.Sprintf("%s-%d", what, i+1)
			}
			out = append(out, policy.Attached{Source: policy.Source{ID: id, Type: srcType}, Policy: p})
		}
		return out, nil
	}
	if set.Identity, err = compile(c.IdentityPolicies, policy.IdentityPolicy, "identityPolicy", "user"); err != nil {
		return set, nil, err
	}
	if set.Boundary, err = compile(c.PermissionBoundaries, policy.IdentityPolicy, "permissionBoundary", "user-managed"); err != nil {
		return set, nil, err
	}
	if c.SessionPolicy != nil {
		if set.Session, err = compile([]PolicyRef{*c.SessionPolicy}, policy.IdentityPolicy, "sessionPolicy", "none"); err != nil {
			return set, nil, err
		}
	}
	if set.SCPs, err = compile(c.SCPs, policy.IdentityPolicy, "scp", "none"); err != nil {
		return set, nil, err
	}
	if c.ResourcePolicy != nil {
		if set.Resource, err = compile([]PolicyRef{*c.ResourcePolicy}, policy.ResourcePolicy, "resourcePolicy", "resource"); err != nil {
			return set, nil, err
		}
	}
	caller, err := policy.CallerFromARN(c.Principal)
	if err != nil {
		return set, nil, err
	}
	if c.Action == "" {
		return set, nil, fmt.Errorf("the case names no action")
	}
	ctx := policy.NewContext()
	for k, v := range c.Context {
		vals, err := contextValues(v)
		if err != nil {
			return set, nil, fmt.Errorf("context key %s: %w", k, err)
		}
		ctx.Set(k, vals...)
	}
	caller.AddContext(ctx, now)
	resource := c.Resource
	if resource == "" {
		resource = "*"
	}
	return set, &policy.Request{Caller: caller, Action: c.Action, Resource: resource, ResourceAccount: c.ResourceAccount, Context: ctx}, nil
}

func contextValues(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case bool:
		if t {
			return []string{"true"}, nil
		}
		return []string{"false"}, nil
	case json.Number:
		return []string{t.String()}, nil
	case []any:
		var out []string
		for _, item := range t {
			vals, err := contextValues(item)
			if err != nil {
				return nil, err
			}
			if _, isList := item.([]any); isList {
				return nil, fmt.Errorf("nested lists are not context values")
			}
			out = append(out, vals...)
		}
		return out, nil
	case nil:
		return nil, fmt.Errorf("null is not a context value")
	}
	return nil, fmt.Errorf("%T is not a context value", v)
}

// Line renders an outcome as one line of text: "ok", "FAIL" or "ERROR", the
// id, the decision and, on a disagreement, what was expected and why.
func (o *Outcome) Line() string {
	switch {
	case o.Err != nil:
		return fmt.Sprintf("ERROR %s: %v", o.Case.ID, o.Err)
	case o.Agrees():
		return fmt.Sprintf("ok    %s %s", o.Case.ID, o.Result.Decision)
	}
	msg := fmt.Sprintf("FAIL  %s: got %s, want %s", o.Case.ID, o.Result.Decision, o.Case.Expect)
	if o.Decide != o.Result.Decision {
		msg += fmt.Sprintf(" (hot path decided %s)", o.Decide)
	}
	if o.Case.Why != "" {
		msg += " (" + o.Case.Why + ")"
	}
	return msg + "\n" + indent(o.Result.Explanation(), "      ")
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n")
}
