package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/policy/casefile"
	"github.com/wharf-project/wharf/internal/policy/catalog"
)

const policyUsage = `Usage:
  wharf policy validate [--type identity|resource|trust] [--output text|json] FILE...
      Check policy documents as IAM Access Analyzer's ValidatePolicy does.
      Exits 1 when any ERROR finding is reported. FILE "-" reads standard input.

  wharf policy simulate [options]
      The offline twin of "aws iam simulate-custom-policy".
      --policy FILE            an identity-based policy (repeatable; required)
      --boundary FILE          a permissions boundary (repeatable)
      --session-policy FILE    a session policy: the caller is then a role session
      --scp FILE               a service control policy (repeatable)
      --resource-policy FILE   the resource's policy (an ECR Public repository policy)
      --caller ARN             the principal (user, root, assumed-role ARN or "anonymous";
                               default arn:aws:iam::<resource owner>:user/simulated-user)
      --action NAME            an action such as ecr-public:PutImage (repeatable; required)
      --resource ARN           a resource ARN (repeatable; default "*")
      --resource-owner ID      the account that owns the resources
      --context ENTRY          a context entry as the AWS CLI writes it (repeatable):
                               ContextKeyName=aws:SourceIp,ContextKeyValues=10.0.0.1,ContextKeyType=ip
                               (or key=…,values=…,type=…)
      --time RFC3339           the time of the request (default: now)
      --output text|json       json prints {"EvaluationResults": [...]}

  wharf policy test [--output text|json] FILE.jsonl...
      Run policy test cases (one JSON object per line; see testdata/iam-cases/README.md).
      Exits 1 when a case disagrees with its "expect".
`

func runPolicy(args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, policyUsage)
		return 2
	}
	switch args[0] {
	case "validate":
		return policyValidate(args[1:], e)
	case "simulate":
		return policySimulate(args[1:], e)
	case "test":
		return policyTest(args[1:], e)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, policyUsage)
		return 0
	}
	fmt.Fprintf(e.stderr, "wharf policy: unknown command %q\n\n%s", args[0], policyUsage)
	return 2
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseInterspersed parses flags that may come before or after positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, policyUsage) }
	return fs
}

func readInput(name string, e env) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(name)
}

func parseKind(s string) (policy.Kind, error) {
	switch s {
	case "identity", "IDENTITY_POLICY":
		return policy.IdentityPolicy, nil
	case "resource", "RESOURCE_POLICY":
		return policy.ResourcePolicy, nil
	case "trust":
		return policy.TrustPolicy, nil
	}
	return 0, fmt.Errorf("--type %q: use identity, resource or trust", s)
}

func checkOutput(s string) error {
	if s != "text" && s != "json" {
		return fmt.Errorf("--output %q: use text or json", s)
	}
	return nil
}

func policyValidate(args []string, e env) int {
	fs := newFlagSet("validate", e)
	output := fs.String("output", "text", "text or json")
	typ := fs.String("type", "identity", "identity, resource or trust")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	kind, err := parseKind(*typ)
	if err == nil {
		err = checkOutput(*output)
	}
	if err == nil && len(files) == 0 {
		err = errors.New("name at least one policy file")
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "wharf policy validate: %v\n", err)
		return 2
	}
	cat, err := catalog.Load()
	if err != nil {
		fmt.Fprintf(e.stderr, "wharf policy validate: %v\n", err)
		return 2
	}
	status := 0
	for _, file := range files {
		doc, err := readInput(file, e)
		if err != nil {
			fmt.Fprintf(e.stderr, "wharf policy validate: %v\n", err)
			return 2
		}
		findings := policy.Validate(doc, kind, cat)
		for _, f := range findings {
			if f.Type == policy.FindingError {
				status = 1
			}
		}
		if *output == "json" {
			out, _ := json.Marshal(struct {
				File     string           `json:"file"`
				Findings []policy.Finding `json:"findings"`
			}{file, append([]policy.Finding{}, findings...)})
			fmt.Fprintf(e.stdout, "%s\n", out)
			continue
		}
		printFindings(e.stdout, file, findings)
	}
	return status
}

func printFindings(w io.Writer, file string, findings []policy.Finding) {
	if len(findings) == 0 {
		fmt.Fprintf(w, "%s: no findings\n", file)
		return
	}
	counts := map[policy.FindingType]int{}
	for _, f := range findings {
		counts[f.Type]++
	}
	var parts []string
	for _, t := range []policy.FindingType{policy.FindingError, policy.FindingSecurityWarning, policy.FindingWarning, policy.FindingSuggestion} {
		if n := counts[t]; n > 0 {
			word := strings.ToLower(strings.ReplaceAll(string(t), "_", " "))
			if n > 1 {
				word += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, word))
		}
	}
	fmt.Fprintf(w, "%s: %d findings (%s)\n", file, len(findings), strings.Join(parts, ", "))
	for _, f := range findings {
		loc := f.Locations[0]
		where := loc.PathString()
		if where == "" {
			where = "document"
		}
		fmt.Fprintf(w, "  %s %s at %s (line %d, column %d)\n      %s\n", f.Type, f.IssueCode, where, loc.Span.Start.Line, loc.Span.Start.Column+1, f.Details)
	}
}

func policySimulate(args []string, e env) int {
	fs := newFlagSet("simulate", e)
	var policies, boundaries, scps, actions, resources, contexts listFlag
	fs.Var(&policies, "policy", "identity-based policy file (repeatable)")
	fs.Var(&boundaries, "boundary", "permissions boundary file (repeatable)")
	fs.Var(&scps, "scp", "service control policy file (repeatable)")
	fs.Var(&actions, "action", "action name (repeatable)")
	fs.Var(&resources, "resource", "resource ARN (repeatable)")
	fs.Var(&contexts, "context", "context entry (repeatable)")
	sessionPolicy := fs.String("session-policy", "", "session policy file")
	resourcePolicy := fs.String("resource-policy", "", "resource policy file")
	callerARN := fs.String("caller", "", "caller ARN")
	owner := fs.String("resource-owner", "", "account that owns the resources")
	at := fs.String("time", "", "time of the request (RFC 3339)")
	output := fs.String("output", "text", "text or json")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(e.stderr, "wharf policy simulate: %v\n", err)
		return 2
	}
	switch {
	case len(rest) > 0:
		return fail(fmt.Errorf("unexpected argument %q", rest[0]))
	case len(policies) == 0:
		return fail(errors.New("name at least one --policy file"))
	case len(actions) == 0:
		return fail(errors.New("name at least one --action"))
	}
	if err := checkOutput(*output); err != nil {
		return fail(err)
	}
	now := e.now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			return fail(fmt.Errorf("--time: %v", err))
		}
	}
	load := func(files []string, kind policy.Kind, typ string) ([]policy.Attached, error) {
		var out []policy.Attached
		for _, f := range files {
			doc, err := readInput(f, e)
			if err != nil {
				return nil, err
			}
			p, err := policy.Parse(doc, kind)
			if err != nil {
				return nil, fmt.Errorf("%s: MalformedPolicyDocument: %v", f, err)
			}
			out = append(out, policy.Attached{Source: policy.Source{ID: f, Type: typ}, Policy: p})
		}
		return out, nil
	}
	var set policy.Set
	if set.Identity, err = load(policies, policy.IdentityPolicy, "user"); err != nil {
		return fail(err)
	}
	if set.Boundary, err = load(boundaries, policy.IdentityPolicy, "user-managed"); err != nil {
		return fail(err)
	}
	if set.SCPs, err = load(scps, policy.IdentityPolicy, "none"); err != nil {
		return fail(err)
	}
	if *sessionPolicy != "" {
		if set.Session, err = load([]string{*sessionPolicy}, policy.IdentityPolicy, "none"); err != nil {
			return fail(err)
		}
	}
	if *resourcePolicy != "" {
		if set.Resource, err = load([]string{*resourcePolicy}, policy.ResourcePolicy, "resource"); err != nil {
			return fail(err)
		}
	}
	if len(resources) == 0 {
		resources = listFlag{"*"}
	}
	if *callerARN == "" {
		acct := *owner
		if acct == "" {
			acct = "123456789012"
			for _, r := range resources {
				if parts := strings.SplitN(r, ":", 6); len(parts) == 6 && parts[4] != "" {
					acct = parts[4]
					break
				}
			}
		}
		*callerARN = "arn:aws:iam::" + acct + ":user/simulated-user"
	}
	caller, err := policy.CallerFromARN(*callerARN)
	if err != nil {
		return fail(err)
	}
	if caller.Kind != policy.CallerRoleSession && len(set.Session) > 0 {
		return fail(errors.New("--session-policy needs an assumed-role --caller (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)"))
	}
	ctx := policy.NewContext()
	for _, c := range contexts {
		key, values, err := parseContextEntry(c)
		if err != nil {
			return fail(err)
		}
		ctx.Set(key, values...)
	}
	caller.AddContext(ctx, now)

	ev := policy.NewEvaluator(set)
	var results []policy.EvaluationResult
	for _, a := range actions {
		for _, name := range strings.Fields(strings.ReplaceAll(a, ",", " ")) {
			for _, r := range resources {
				req := &policy.Request{Caller: caller, Action: name, Resource: r, ResourceAccount: *owner, Context: ctx}
				res := ev.Explain(req)
				results = append(results, res.EvaluationResult())
				if *output == "text" {
					fmt.Fprint(e.stdout, res.Explanation())
				}
			}
		}
	}
	if *output == "json" {
		out, _ := json.MarshalIndent(map[string]any{"EvaluationResults": results}, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", out)
	}
	return 0
}

// parseContextEntry reads a context entry in the AWS CLI's shorthand:
// ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=stringList
// (also key=, values=, type=). A value that holds commas must be one of
// several values; the type is checked but values are kept as text, which is
// how Wharf's request context carries them.
func parseContextEntry(s string) (string, []string, error) {
	fields := map[string]string{
		"contextkeyname": "key", "key": "key", "name": "key",
		"contextkeyvalues": "values", "values": "values", "value": "values",
		"contextkeytype": "type", "type": "type",
	}
	var key, typ string
	var values []string
	current := ""
	for _, part := range strings.Split(s, ",") {
		if eq := strings.IndexByte(part, '='); eq > 0 {
			if f, ok := fields[strings.ToLower(part[:eq])]; ok {
				current = f
				part = part[eq+1:]
				switch f {
				case "key":
					key = part
				case "type":
					typ = part
				case "values":
					values = append(values, part)
				}
				continue
			}
		}
		if current != "values" {
			return "", nil, fmt.Errorf("--context %q: expected ContextKeyName=…,ContextKeyValues=…,ContextKeyType=…", s)
		}
		values = append(values, part)
	}
	if key == "" {
		return "", nil, fmt.Errorf("--context %q names no ContextKeyName", s)
	}
	if len(values) == 0 {
		return "", nil, fmt.Errorf("--context %q gives no ContextKeyValues", s)
	}
	switch strings.ToLower(strings.TrimSuffix(strings.ToLower(typ), "list")) {
	case "", "string", "numeric", "boolean", "binary", "ip", "date":
	default:
		return "", nil, fmt.Errorf("--context %q: ContextKeyType %q is not string, numeric, boolean, binary, ip or date (or a …List form)", s, typ)
	}
	if !strings.HasSuffix(strings.ToLower(typ), "list") && len(values) > 1 && typ != "" {
		return "", nil, fmt.Errorf("--context %q: %d values for the single-valued type %s (use %sList)", s, len(values), typ, typ)
	}
	return key, values, nil
}

func policyTest(args []string, e env) int {
	fs := newFlagSet("test", e)
	output := fs.String("output", "text", "text or json")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if err := checkOutput(*output); err != nil {
		fmt.Fprintf(e.stderr, "wharf policy test: %v\n", err)
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintln(e.stderr, "wharf policy test: name at least one case file")
		return 2
	}
	passed, failed := 0, 0
	now := e.now()
	for _, file := range files {
		doc, err := readInput(file, e)
		if err != nil {
			fmt.Fprintf(e.stderr, "wharf policy test: %v\n", err)
			return 2
		}
		cases, err := casefile.Read(strings.NewReader(string(doc)))
		if err != nil {
			fmt.Fprintf(e.stderr, "wharf policy test: %s: %v\n", file, err)
			return 2
		}
		for _, c := range cases {
			o := casefile.Run(c, now)
			if o.Agrees() {
				passed++
			} else {
				failed++
			}
			if *output == "json" {
				line := map[string]any{"id": c.ID, "ok": o.Agrees()}
				if o.Err != nil {
					line["error"] = o.Err.Error()
				} else {
					line["decision"] = o.Result.Decision.String()
					line["explanation"] = o.Result.Explanation()
				}
				if c.Expect != "" {
					line["expect"] = c.Expect
				}
				out, _ := json.Marshal(line)
				fmt.Fprintf(e.stdout, "%s\n", out)
				continue
			}
			fmt.Fprintln(e.stdout, o.Line())
		}
	}
	if *output == "text" {
		fmt.Fprintf(e.stdout, "%d passed, %d failed\n", passed, failed)
	}
	if failed > 0 {
		return 1
	}
	return 0
}
