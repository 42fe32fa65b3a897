package policy_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/policy/casefile"
)

// Run with, e.g.:
//
//	go test -run='^$' -fuzz=FuzzParse -fuzztime=90s ./internal/policy/
//	go test -run='^$' -fuzz=FuzzEvaluate -fuzztime=90s ./internal/policy/
//
// Interesting inputs found so far are kept in testdata/fuzz/Fuzz*/ and run
// with the ordinary tests.

// corpusCase is what the seeds take from testdata/iam-cases.
type corpusCase struct {
	docs     [][]byte
	kinds    []policy.Kind
	action   string
	resource string
}

func readCorpus(t testing.TB) []corpusCase {
	f, err := os.Open("../../testdata/iam-cases/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := casefile.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusCase
	for _, c := range cases {
		cc := corpusCase{action: c.Action, resource: c.Resource}
		add := func(refs []casefile.PolicyRef, kind policy.Kind) {
			for _, r := range refs {
				cc.docs = append(cc.docs, r.Document)
				cc.kinds = append(cc.kinds, kind)
			}
		}
		add(c.IdentityPolicies, policy.IdentityPolicy)
		add(c.PermissionBoundaries, policy.IdentityPolicy)
		add(c.SCPs, policy.IdentityPolicy)
		if c.SessionPolicy != nil {
			add([]casefile.PolicyRef{*c.SessionPolicy}, policy.IdentityPolicy)
		}
		if c.ResourcePolicy != nil {
			add([]casefile.PolicyRef{*c.ResourcePolicy}, policy.ResourcePolicy)
		}
		out = append(out, cc)
	}
	return out
}

// handwritten seeds: odd but valid documents and near-misses of the grammar.
var handwrittenDocs = []string{
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
	`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["ecr-public:Describe*","e?r-*:Get*"],"NotResource":"arn:aws:ecr-public::123456789012:repository/${aws:username}/*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:sts::123456789012:assumed-role/r/s"],"Service":"ecs-tasks.amazonaws.com"},"Action":"ecr-public:*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"*:*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["a*","${aws:username}"]},"NumericLessThanEquals":{"aws:MultiFactorAuthAge":[1,2.5,"3e2"]},"IpAddressIfExists":{"aws:SourceIp":["10.0.0.0/8","::1/128"]},"Null":{"aws:PrincipalTag/x":true},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z","aws:EpochTime":1700000000},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"},"BinaryEquals":{"aws:x":"QmluYXJ5"}}}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:PrincipalTag/team, 'shared'}/${*}${?}${$}"}]}`,
	`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:username"}]}`,
	`{"Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public:*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:logs:us-east-1:123456789012:log-group:a:b:*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"ecr-public:PutImage","Resource":"*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"ecr-public:PutImage","Resource":"*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"PutImage","Resource":"foo"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"NullIfExists":{"aws:x":"true"}}}]}`,
	"{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"ecr-public:PutImage\", \"Resource\": \"*\"},\n  ]\n}",
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:Put\u0049mage","Resource":"arn:aws:ecr-public::123456789012:repository/\u00e9t\u00e9"}]}`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	``,
	`{"Version":"2012-10-17","Statement":[]} trailing`,
}

// parserCodes are the issue codes only Parse reports (so a parseable document
// never has them in Validate's findings).
var parserCodes = map[string]bool{
	"JSON_SYNTAX_ERROR": true, "MISSING_EFFECT": true, "INVALID_EFFECT": true, "MISSING_ACTION": true,
	"MISSING_RESOURCE": true, "MISSING_PRINCIPAL": true, "MISSING_STATEMENT": true, "INVALID_POLICY_ELEMENT": true,
	"UNSUPPORTED_ELEMENT_COMBINATION": true, "UNSUPPORTED_PRINCIPAL": true, "UNIQUE_SIDS_REQUIRED": true,
	"INVALID_CONDITION_OPERATOR": true, "INVALID_CONDITION_VALUE": true, "NULL_WITH_IF_EXISTS": true,
	"INVALID_ARN_PREFIX": true, "INVALID_PRINCIPAL": true, "INVALID_VERSION": true, "MISSING_ARN_FIELD": true,
	"INVALID_ARN_RESOURCE": true, "UNSUPPORTED_SID": true,
}

func FuzzParse(f *testing.F) {
	for _, c := range readCorpus(f) {
		for i, d := range c.docs {
			f.Add(d, uint8(c.kinds[i]))
		}
	}
	for i, d := range handwrittenDocs {
		f.Add([]byte(d), uint8(i%3))
	}
	for _, c := range malformedCases() {
		f.Add([]byte(c.doc), uint8(c.kind))
	}
	f.Fuzz(func(t *testing.T, doc []byte, k uint8) {
		kind := policy.Kind(k % 3)
		orig := append([]byte(nil), doc...)
		p, err := policy.Parse(doc, kind)
		fs := policy.Validate(doc, kind, testCatalog)
		if string(doc) != string(orig) {
			t.Fatal("Parse or Validate modified its input")
		}
		if err != nil {
			var se *policy.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError: %v", err, err)
			}
			if se.Code == "" || se.Rule == "" || se.Line < 1 || se.Column < 1 || se.Offset < 0 || se.Offset > len(doc) {
				t.Fatalf("incomplete SyntaxError %+v", se)
			}
			if len(fs) != 1 || fs[0].Type != policy.FindingError || fs[0].IssueCode != se.Code {
				t.Fatalf("Parse failed with %s but Validate reported:%s", se.Code, findingsString(fs))
			}
			if fs[0].Locations[0].PathString() != se.Path {
				t.Fatalf("Validate path %q, Parse path %q", fs[0].Locations[0].PathString(), se.Path)
			}
			return
		}
		if p.Kind != kind {
			t.Fatalf("Kind %v, want %v", p.Kind, kind)
		}
		for _, st := range p.Statements {
			if st.Effect != policy.Allow && st.Effect != policy.Deny {
				t.Fatalf("statement %d: Effect %v", st.Index, st.Effect)
			}
			if len(st.Actions) == 0 {
				t.Fatalf("statement %d: no actions", st.Index)
			}
			if st.Start.Offset < 0 || st.End.Offset > len(doc) || st.Start.Offset >= st.End.Offset || doc[st.Start.Offset] != '{' || doc[st.End.Offset-1] != '}' {
				t.Fatalf("statement %d: span %d..%d", st.Index, st.Start.Offset, st.End.Offset)
			}
			switch kind {
			case policy.IdentityPolicy:
				if st.HasPrincipal || len(st.Resources) == 0 {
					t.Fatalf("identity statement %d: principal %v, %d resources", st.Index, st.HasPrincipal, len(st.Resources))
				}
			default:
				if !st.HasPrincipal || len(st.Principals) == 0 {
					t.Fatalf("%s statement %d without principal", kind, st.Index)
				}
			}
		}
		for _, fd := range fs {
			if parserCodes[fd.IssueCode] && fd.IssueCode != "INVALID_ACTION" {
				t.Fatalf("Parse accepted the document but Validate reported the syntax error %s:%s", fd.IssueCode, findingsString(fs))
			}
			if len(fd.Locations) == 0 || fd.Locations[0].Span.End.Offset > len(doc) {
				t.Fatalf("bad location in %+v", fd)
			}
		}
		// Parsing is deterministic.
		p2, err := policy.Parse(doc, kind)
		if err != nil || len(p2.Statements) != len(p.Statements) {
			t.Fatalf("second parse differs: %v", err)
		}
	})
}

var fuzzCallers = []string{
	"arn:aws:iam::123456789012:user/alice",
	"arn:aws:sts::123456789012:assumed-role/pusher/build-42",
	"arn:aws:iam::123456789012:root",
	"arn:aws:iam::999999999999:user/carol",
	"anonymous",
}

func FuzzEvaluate(f *testing.F) {
	for _, c := range readCorpus(f) {
		for i, d := range c.docs {
			f.Add(string(d), c.action, c.resource, "10.0.0.1", uint8(i)+uint8(c.kinds[i])*16)
		}
	}
	for i, d := range handwrittenDocs {
		f.Add(d, "ecr-public:PutImage", "arn:aws:ecr-public::123456789012:repository/alice/app", "alice", uint8(i))
	}
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:PutImage","ecr-public:Describe*"],"Resource":"*"},{"Effect":"Deny","Action":"ecr-*:Delete*","Resource":"*"}]}`, "ECR-PUBLIC:DeleteRepository", "*", "", uint8(0))
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:username}"}]}`, "x:y", "arn:aws:ecr-public::123456789012:repository/alice", "", uint8(0))
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:ecr-public:*"}]}`, "ecr-public:PutImage", "arn:aws:ecr-public::123456789012:repository/a:b", "", uint8(0))
	f.Fuzz(func(t *testing.T, doc, action, resource, value string, sel uint8) {
		kind := policy.IdentityPolicy
		if sel&16 != 0 {
			kind = policy.ResourcePolicy
		}
		p, err := policy.ParseString(doc, kind)
		if err != nil {
			// Most mutations break the JSON; use the text as patterns in a
			// template instead, so that the fuzzer explores matching.
			p, err = policy.ParseString(templateDoc(doc, kind), kind)
			if err != nil {
				return
			}
		}
		caller, err := policy.CallerFromARN(fuzzCallers[int(sel)%len(fuzzCallers)])
		if err != nil {
			t.Fatal(err)
		}
		ctx := policy.NewContext()
		if value != "" {
			ctx.Set("aws:SourceIp", value)
			ctx.Set("aws:username", value)
			ctx.Set("aws:PrincipalTag/team", value)
			ctx.Set("aws:TagKeys", value, "env")
		}
		caller.AddContext(ctx, evalNow)
		req := &policy.Request{Caller: caller, Action: action, Resource: resource, Context: ctx}
		att := []policy.Attached{{Source: policy.Source{ID: "fuzz", Type: "user"}, Policy: p}}
		var set policy.Set
		if kind == policy.ResourcePolicy {
			set.Resource = att
		} else {
			set.Identity = att
			if sel&32 != 0 {
				set.Boundary = att
			}
			if sel&64 != 0 {
				set.Session = att
			}
			if sel&128 != 0 {
				set.SCPs = att
			}
		}
		ev := policy.NewEvaluator(set)
		d := ev.Decide(req)
		res := ev.Explain(req)
		if d != res.Decision {
			t.Fatalf("Decide %v != Explain %v", d, res.Decision)
		}
		// Everything an explanation renders must work.
		_ = res.Message()
		_ = res.Explanation()
		if _, err := json.Marshal(res.EvaluationResult()); err != nil {
			t.Fatal(err)
		}
		if res.Decision != policy.ImplicitDeny && len(res.Misses) > 0 {
			t.Fatalf("%d misses on %v", len(res.Misses), res.Decision)
		}
		if res.Decision == policy.ExplicitDeny && len(res.Matched) == 0 {
			t.Fatal("explicit deny without a matched statement")
		}
		// An oracle for a lone identity policy: evaluate every statement with
		// the exported matchers only, as the IAM User Guide describes.
		if kind == policy.IdentityPolicy && set.Boundary == nil && set.Session == nil && set.SCPs == nil && caller.Kind == policy.CallerUser {
			if want := oracle(p, req); want != d {
				t.Fatalf("Decide %v, oracle %v\n%s", d, want, res.Explanation())
			}
		}
	})
}

// templateDoc builds a policy from text: its lines are an Action pattern, a
// Resource pattern and a condition value.
func templateDoc(text string, kind policy.Kind) string {
	parts := strings.SplitN(text, "\n", 3)
	for len(parts) < 3 {
		parts = append(parts, "*")
	}
	q := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	}
	principal, resource := "", `,"Resource":`+q(parts[1])
	if kind == policy.ResourcePolicy {
		principal = `"Principal":"*",`
		resource = ""
	}
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"A","Effect":"Allow",` + principal + `"Action":` + q(parts[0]) + resource + `},` +
		`{"Sid":"B","Effect":"Allow",` + principal + `"Action":["ecr-public:PutImage",` + q(parts[0]) + `]` + resource + `,"Condition":{"StringLike":{"aws:PrincipalTag/team":` + q(parts[2]) + `}}},` +
		`{"Sid":"C","Effect":"Deny",` + principal + `"NotAction":` + q(parts[0]) + resource + `,"Condition":{"StringNotEqualsIfExists":{"aws:username":` + q(parts[2]) + `}}}]}`
}

// oracle decides a request against one identity policy for an IAM user,
// statement by statement, without the evaluator's index.
func oracle(p *policy.Policy, req *policy.Request) policy.Decision {
	a := strings.ToLower(req.Action)
	svc, name := a, ""
	if i := strings.IndexByte(a, ':'); i >= 0 {
		svc, name = a[:i], a[i+1:]
	}
	allow, deny := false, false
	for _, st := range p.Statements {
		actionOK := st.NotAction
		for i := range st.Actions {
			if st.Actions[i].Match(svc, name) {
				actionOK = !st.NotAction
				break
			}
		}
		resourceOK := st.NotResource
		for _, r := range st.Resources {
			if r.Match(req.Resource, req.Context) {
				resourceOK = !st.NotResource
				break
			}
		}
		if !actionOK || !resourceOK || !st.Condition.Eval(req.Context) {
			continue
		}
		if st.Effect == policy.Deny {
			deny = true
		} else {
			allow = true
		}
	}
	sameAccount := true
	if segs := strings.SplitN(req.Resource, ":", 6); len(segs) == 6 && segs[4] != "" {
		sameAccount = segs[4] == req.Caller.Account
	}
	switch {
	case deny:
		return policy.ExplicitDeny
	case allow && sameAccount:
		return policy.Allowed
	}
	return policy.ImplicitDeny
}

// TestDecideAgreesWithOracle crosses tricky Resource and Action patterns with
// requests, comparing the evaluator with the statement-by-statement oracle.
func TestDecideAgreesWithOracle(t *testing.T) {
	patterns := []string{
		"*", "arn:*", "arn:aws:ecr-public:*", "arn:aws:ecr-public::*", "arn:aws:ecr-public::123456789012:*",
		"arn:aws:ecr-public::123456789012:repository/*", "arn:aws:ecr-public::123456789012:repository/a:*",
		"arn:aws:ecr-public::123456789012:repository/a", "arn:aws:ecr-public::123456789012:repository/?",
		"arn:aws:*:*:*:*", "arn:aws:ecr-public:*:*:repository/*", "arn:aws:ecr-public::123456789012:repository/${aws:username}",
		"arn:aws:ecr-public::123456789012:repository/${aws:PrincipalTag/team}", "arn:aws:ecr-public::123456789012:${aws:PrincipalTag/team}", "arn:aws:ecr-public:${aws:PrincipalTag/team}:123456789012:*",
		"arn:aws:ecr-public::123456789012:repository/${aws:PrincipalTag/missing, 'dflt'}*", "arn:aws:ecr-public::123456789012:repository/é*",
		"arn:aws:ecr-public:::", "arn:aws:ecr-public::123456789012:repository/a*b*c",
	}
	requests := []string{
		"*", "", "foo", "arn:aws:ecr-public::123456789012:repository/a", "arn:aws:ecr-public::123456789012:repository/a:b",
		"arn:aws:ecr-public::123456789012:repository/ab", "arn:aws:ecr-public::123456789012:repository/alice",
		"arn:aws:ecr-public::123456789012:repository/red:x", "arn:aws:ecr-public::red:x", "arn:aws:ecr-public::123456789012:repository/dflt/x",
		"arn:aws:ecr-public::123456789012:repository/été", "arn:aws:ecr-public::123456789012", "arn:aws:ecr-public::123456789012:",
		"arn:aws:ecr-public:::", "arn:aws:ecr:us-east-1:123456789012:repository/a", "arn:aws:ecr-public::123456789012:repository/aXbYc",
		"arn:aws:ecr-public::123456789012:repository/A", "arn:aws:ecr-public::999999999999:repository/a",
	}
	actions := []string{"ecr-public:PutImage", "ecr-public:*", "*", "ecr-*:Put*", "ECR-PUBLIC:putimage", "ecr-public:P?tImage"}
	reqActions := []string{"ecr-public:PutImage", "ecr-public:putimage", "ecr:PutImage", "ecr-public", "ecr-public:PutImage:x", ":", "ECR-PUBLIC:PUTIMAGE"}
	for _, team := range []string{"red", "red:x", ""} {
		for _, pat := range patterns {
			for _, act := range actions {
				for _, effects := range [][2]string{{"Allow", "NotResource"}, {"Allow", "Resource"}, {"Deny", "Resource"}} {
					d := `{"Version":"2012-10-17","Statement":[{"Effect":"` + effects[0] + `","Action":"` + act + `","` + effects[1] + `":"` + pat + `"}` +
						`,{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:ecr-public::123456789012:repository/zzz"}]}`
					p, err := policy.ParseString(d, policy.IdentityPolicy)
					if err != nil {
						t.Fatalf("%s: %v", d, err)
					}
					ev := policy.NewEvaluator(policy.Set{Identity: []policy.Attached{{Policy: p}}})
					caller := mustCaller("arn:aws:iam::123456789012:user/alice")
					ctx := policy.NewContext()
					if team != "" {
						ctx.Set("aws:PrincipalTag/team", team)
					}
					caller.AddContext(ctx, evalNow)
					for _, r := range requests {
						for _, a := range reqActions {
							req := &policy.Request{Caller: caller, Action: a, Resource: r, Context: ctx}
							got, want := ev.Decide(req), oracle(p, req)
							if got != want {
								t.Errorf("team=%q %s on %q with %s %s %s: Decide %v, oracle %v", team, a, r, effects[0], effects[1], pat, got, want)
							}
							if e := ev.Explain(req).Decision; e != got {
								t.Errorf("Explain %v != Decide %v", e, got)
							}
						}
					}
				}
			}
		}
	}
}
