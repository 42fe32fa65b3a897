package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wharf-project/wharf/internal/policy/condition"
	"github.com/wharf-project/wharf/internal/policy/pattern"
)

// Result is a decision with its reasons. The same Result feeds AccessDenied
// messages, SimulatePrincipalPolicy / SimulateCustomPolicy and the console.
type Result struct {
	Decision Decision
	Request  *Request
	// Matched are the statements that decided: for an explicit deny the Deny
	// statements that apply, otherwise the Allow statements that apply (of
	// every category).
	Matched []StatementRef
	// Misses are, for an implicit deny, the Allow statements that came nearest
	// to applying, nearest first, each with why it did not apply.
	Misses []Miss
	// MissingContextKeys are condition keys read by statements that concern the
	// request but absent from its context.
	MissingContextKeys []string
	// AllowedByBoundary is nil without a permissions boundary.
	AllowedByBoundary *bool
	// AllowedByOrganizations is nil without SCPs.
	AllowedByOrganizations *bool
	// DenyCategory is the category of the first applicable Deny (explicit deny only).
	DenyCategory Category
	// AllowedByResourcePolicy reports whether an applicable Allow of a
	// resource-based policy names the caller (its account, role or itself).
	// Role trust policies must always allow on their own: STS checks this.
	AllowedByResourcePolicy bool
	reason                  reason
}

// StatementRef points at one statement of one policy.
type StatementRef struct {
	Source    Source
	Category  Category
	Statement *Statement
}

// Label is "policy-id, statement Sid" for people.
func (r StatementRef) Label() string {
	return fmt.Sprintf("%s %q statement %s", r.Category.Phrase(), r.Source.ID, r.Statement.Label())
}

// Miss is an Allow statement that did not apply, with the reasons.
type Miss struct {
	StatementRef
	// Reasons are sentences such as `action ecr-public:PutImage is not in
	// Action` or `Resource arn:aws:ecr:…: service "ecr" is not "ecr-public"`.
	Reasons []string
	// Conditions are the failed condition clauses, if the action and resource matched.
	Conditions []condition.Failure
	nearness   int
}

// Explain decides a request and says why. It looks at every statement, not just
// the indexed candidates, so it is slower than Decide; use it for denials,
// simulations and the console.
func (e *Evaluator) Explain(req *Request) *Result {
	res := &Result{Request: req}
	var f flags
	rc := prepare(req, &e.set)
	svc, name := rc.svc, rc.name
	missing := map[string]bool{}
	var denies, allows []StatementRef
	for i := range e.entries {
		en := &e.entries[i]
		st := en.st
		ref := StatementRef{Source: en.source.Source, Category: en.category, Statement: st}
		actionOK := st.matchAction(svc, name)
		resourceOK := actionOK && st.matchResource(req)
		if actionOK && resourceOK {
			for _, c := range st.Condition {
				if !req.Context.Has(c.Key()) {
					missing[c.Key()] = true
				}
			}
		}
		ok, g := st.applies(req, &rc, true, en.category)
		if ok {
			if st.Effect == Deny {
				if !f.deny {
					f.denyCategory = en.category
				}
				f.deny = true
				denies = append(denies, ref)
			} else {
				f.allow(en.category, g)
				allows = append(allows, ref)
			}
			continue
		}
		if st.Effect == Allow && (en.category == CategoryIdentity || en.category == CategoryResource) {
			res.Misses = append(res.Misses, explainMiss(ref, req, svc, name, actionOK, resourceOK))
		}
	}
	res.Decision, res.reason = combine(&e.set, req, &f)
	res.DenyCategory = f.denyCategory
	res.AllowedByResourcePolicy = f.resourceGrant != grantNone
	if res.Decision == ExplicitDeny {
		res.Matched = denies
	} else {
		res.Matched = allows
	}
	if res.Decision != ImplicitDeny {
		res.Misses = nil
	} else {
		sort.SliceStable(res.Misses, func(i, j int) bool { return res.Misses[i].nearness > res.Misses[j].nearness })
		// Keep the nearest: every miss as near as the best, and at most five.
		if len(res.Misses) > 0 {
			best := res.Misses[0].nearness
			n := 0
			for n < len(res.Misses) && n < 5 && (res.Misses[n].nearness == best || n < 3) {
				n++
			}
			res.Misses = res.Misses[:n]
		}
	}
	if len(e.set.Boundary) > 0 {
		b := f.allowBoundary
		res.AllowedByBoundary = &b
	}
	if len(e.set.SCPs) > 0 {
		b := f.allowSCP
		res.AllowedByOrganizations = &b
	}
	for k := range missing {
		res.MissingContextKeys = append(res.MissingContextKeys, k)
	}
	sort.Strings(res.MissingContextKeys)
	return res
}

func explainMiss(ref StatementRef, req *Request, svc, name string, actionOK, resourceOK bool) Miss {
	m := Miss{StatementRef: ref}
	st := ref.Statement
	switch {
	case !actionOK:
		m.nearness = 1
		if st.NotAction {
			m.Reasons = append(m.Reasons, fmt.Sprintf("action %s is excluded by NotAction %s", req.Action, quoteAll(actionSources(st))))
		} else {
			m.Reasons = append(m.Reasons, fmt.Sprintf("action %s is not among %s", req.Action, quoteAll(actionSources(st))))
		}
		if !st.matchResource(req) {
			m.Reasons = append(m.Reasons, resourceReasons(st, req)...)
		}
	case !resourceOK:
		m.nearness = 2
		m.Reasons = append(m.Reasons, resourceReasons(st, req)...)
	default:
		m.nearness = 3
		if ref.Category == CategoryResource && principalGrant(st, &req.Caller, false) == grantNone {
			m.Reasons = append(m.Reasons, fmt.Sprintf("the caller %s is not named by its %s", callerLabel(req.Caller), principalElement(st)))
		}
		m.Conditions = st.Condition.Explain(req.Context)
		for _, c := range m.Conditions {
			m.Reasons = append(m.Reasons, c.Text)
		}
	}
	return m
}

func principalElement(st *Statement) string {
	vals := make([]string, len(st.Principals))
	for i, p := range st.Principals {
		vals[i] = p.Value
	}
	el := "Principal"
	if st.NotPrincipal {
		el = "NotPrincipal"
	}
	return el + " " + quoteAll(vals)
}

func callerLabel(c Caller) string {
	if c.Kind == CallerAnonymous {
		return "anonymous"
	}
	return c.ARN
}

func actionSources(st *Statement) []string {
	out := make([]string, len(st.Actions))
	for i, a := range st.Actions {
		out[i] = a.Source
	}
	return out
}

func quoteAll(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return "[" + strings.Join(vs, ", ") + "]"
}

// resourceReasons says, for each Resource value, which ARN segment differs.
func resourceReasons(st *Statement, req *Request) []string {
	if st.NotResource {
		return []string{fmt.Sprintf("resource %s is excluded by NotResource", req.Resource)}
	}
	var out []string
	for _, r := range st.Resources {
		out = append(out, fmt.Sprintf("Resource %s does not match %s: %s", r.Source(), req.Resource, arnMismatch(st.policy, r, req)))
	}
	return out
}

// arnMismatch names the first ARN segment where a Resource pattern and the
// requested ARN part ways.
func arnMismatch(ps *Policy, p pattern.ARN, req *Request) string {
	if req.Resource == "*" {
		return "the action takes no resource (the request is for \"*\"), which only Resource \"*\" matches"
	}
	want, ok := pattern.Split(req.Resource)
	if !ok {
		return "the requested resource is not an ARN"
	}
	segs := p.Segments()
	var diffs []string
	for i, s := range segs {
		last := i == len(segs)-1
		got := want[i]
		if last {
			got = strings.Join(want[i:], ":")
		}
		if s.Match(got, req.Context) {
			continue
		}
		for _, v := range s.Variables() {
			if _, ok := req.Context.Variable(v); !ok {
				return fmt.Sprintf("the policy variable ${%s} has no value in this request, so the Resource matches nothing", v)
			}
		}
		written := s.Source()
		if resolved, ok := s.Resolve(req.Context); ok && resolved != written {
			written = fmt.Sprintf("%s (= %s)", written, resolved)
		}
		name := [6]string{"prefix", "partition", "service", "region", "account", "resource path"}[i]
		switch {
		case i == 3 && got == "":
			diffs = append(diffs, fmt.Sprintf("region %q is given, but %s ARNs have no region", written, want[2]))
		case last && len(segs) < 6:
			diffs = append(diffs, fmt.Sprintf("%q does not match %q", written, got))
		case written == "":
			diffs = append(diffs, fmt.Sprintf("%s is empty, the request's is %q", name, got))
		default:
			diffs = append(diffs, fmt.Sprintf("%s %q is not %q", name, written, got))
		}
	}
	if len(diffs) == 0 {
		return "the ARN has fewer segments than the request's"
	}
	if !ps.Variables() && strings.Contains(p.Source(), "${") {
		diffs = append(diffs, "policy variables such as ${aws:username} are literal text unless the policy's Version is \"2012-10-17\"")
	}
	return strings.Join(diffs, "; ")
}

// Reason is the clause AWS ends an AccessDenied message with, e.g. "because no
// identity-based policy allows the ecr-public:PutImage action".
func (r *Result) Reason() string {
	switch r.Decision {
	case Allowed:
		return ""
	case ExplicitDeny:
		return "with an explicit deny in " + article(r.DenyCategory.Phrase())
	}
	var cat Category
	switch r.reason {
	case reasonNoSCPAllow:
		cat = CategorySCP
	case reasonNoBoundaryAllow:
		cat = CategoryBoundary
	case reasonNoSessionAllow:
		cat = CategorySession
	case reasonNoResourceAllow:
		cat = CategoryResource
	default:
		cat = CategoryIdentity
	}
	return fmt.Sprintf("because no %s allows the %s action", cat.Phrase(), r.Request.Action)
}

func article(s string) string {
	if strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// Message is the AccessDenied text AWS would return, e.g. "User:
// arn:aws:iam::123456789012:user/alice is not authorized to perform:
// ecr-public:PutImage on resource: arn:… because no identity-based policy
// allows the ecr-public:PutImage action".
func (r *Result) Message() string {
	who := "anonymous"
	if r.Request.Caller.ARN != "" {
		who = r.Request.Caller.ARN
	}
	if r.Decision == Allowed {
		return fmt.Sprintf("User: %s is authorized to perform: %s on resource: %s", who, r.Request.Action, r.Request.Resource)
	}
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", who, r.Request.Action, r.Request.Resource, r.Reason())
}

// Explanation is the decision and every reason behind it, written for a person.
func (r *Result) Explanation() string {
	return fmt.Sprintf("%s: %s.\n%s", r.Decision, r.Message(), r.Details())
}

// Details is the Explanation without its first line: the statements that
// decided, the nearest misses and the missing context keys, one per line.
func (r *Result) Details() string {
	var b strings.Builder
	switch r.Decision {
	case ExplicitDeny:
		for _, m := range r.Matched {
			fmt.Fprintf(&b, "  denied by %s\n", m.Label())
		}
	case Allowed:
		for _, m := range r.Matched {
			fmt.Fprintf(&b, "  allowed by %s\n", m.Label())
		}
	default:
		switch r.reason {
		case reasonNoBoundaryAllow, reasonNoSessionAllow, reasonNoSCPAllow, reasonNoResourceAllow:
			for _, m := range r.Matched {
				fmt.Fprintf(&b, "  allowed by %s\n", m.Label())
			}
			fmt.Fprintf(&b, "  but %s\n", strings.TrimPrefix(r.Reason(), "because "))
		}
		if len(r.Misses) == 0 && len(r.Matched) == 0 {
			b.WriteString("  no policy has an Allow statement that could apply\n")
		}
		for _, m := range r.Misses {
			fmt.Fprintf(&b, "  nearest miss: %s\n", m.Label())
			for _, why := range m.Reasons {
				fmt.Fprintf(&b, "    - %s\n", why)
			}
		}
	}
	if len(r.MissingContextKeys) > 0 {
		fmt.Fprintf(&b, "  context keys the policies read but the request lacks: %s\n", strings.Join(r.MissingContextKeys, ", "))
	}
	return b.String()
}
