package pattern_test

import (
	"testing"

	"github.com/wharf-project/wharf/internal/policy/pattern"
)

const repoARN = "arn:aws:ecr-public::123456789012:repository/team-a/app"

// IAM User Guide, Condition operators, ARN: "Case-sensitive matching of the ARN.
// Each of the six colon-delimited components of the ARN is checked separately
// and each can include multi-character match wildcards (*) or single-character
// match wildcards (?)." The Resource element follows the same rules.
func TestARNMatch(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		value   string
		want    bool
	}{
		// Literal.
		{"literal equal", repoARN, repoARN, true},
		{"literal differs in resource", repoARN, "arn:aws:ecr-public::123456789012:repository/team-a/ap", false},
		{"literal differs in account", repoARN, "arn:aws:ecr-public::123456789013:repository/team-a/app", false},
		{"literal region present in value", repoARN, "arn:aws:ecr-public:us-east-1:123456789012:repository/team-a/app", false},
		{"case-sensitive service", repoARN, "arn:aws:ECR-public::123456789012:repository/team-a/app", false},
		{"case-sensitive resource", repoARN, "arn:aws:ecr-public::123456789012:repository/Team-A/app", false},
		{"case-sensitive partition", repoARN, "ARN:aws:ecr-public::123456789012:repository/team-a/app", false},

		// Wildcards in the resource segment span '/' and ':'.
		{"resource star", "arn:aws:ecr-public::123456789012:repository/*", repoARN, true},
		{"resource star spans colon", "arn:aws:ecr-public::123456789012:repository/*", "arn:aws:ecr-public::123456789012:repository/a:b:c", true},
		{"resource star whole", "arn:aws:ecr-public::123456789012:*", repoARN, true},
		{"resource star needs prefix", "arn:aws:ecr-public::123456789012:repository/team-b/*", repoARN, false},
		{"resource question", "arn:aws:ecr-public::123456789012:repository/team-?/app", repoARN, true},
		{"resource question spans slash", "arn:aws:ecr-public::123456789012:repository?team-a/app", repoARN, true},
		{"resource question spans colon", "arn:aws:ecr-public::123456789012:a?b", "arn:aws:ecr-public::123456789012:a:b", true},
		{"resource literal colon", "arn:aws:ecr-public::123456789012:a:b", "arn:aws:ecr-public::123456789012:a:b", true},
		{"resource literal colon mismatch", "arn:aws:ecr-public::123456789012:a:b", "arn:aws:ecr-public::123456789012:a:c", false},
		{"resource empty", "arn:aws:ecr-public::123456789012:", "arn:aws:ecr-public::123456789012:", true},
		{"resource empty star", "arn:aws:ecr-public::123456789012:*", "arn:aws:ecr-public::123456789012:", true},

		// '*' in the first five segments stays inside its segment.
		{"region star matches empty region", "arn:aws:ecr-public:*:123456789012:repository/*", repoARN, true},
		{"region star matches a region", "arn:aws:ecr-public:*:123456789012:repository/*", "arn:aws:ecr-public:us-east-1:123456789012:repository/x", true},
		{"account star", "arn:aws:ecr-public::*:repository/*", repoARN, true},
		{"all stars", "arn:*:*:*:*:*", repoARN, true},
		{"all stars five colons required", "arn:*:*:*:*:*", "arn:aws:ecr-public:123456789012:repository/x", false},
		{"star does not cross colon in service", "arn:aws:*:123456789012:repository/*", "arn:aws:ecr-public::123456789012:repository/x", false},
		{"star in service cannot eat region and account", "arn:aws:ecr*:repository/app", "arn:aws:ecr-public::123456789012:repository/app", false},
		{"star in region does not cross colon", "arn:aws:ecr-public:*:repository/x", "arn:aws:ecr-public:us-east-1:123456789012:repository/x", false},
		{"partial service star", "arn:aws:ecr*::123456789012:repository/*", repoARN, true},
		{"partial service star other service", "arn:aws:ecr*::123456789012:repository/*", "arn:aws:s3:::123456789012:repository/x", false},
		{"question in account", "arn:aws:ecr-public::12345678901?:repository/*", repoARN, true},
		{"question does not match colon in account", "arn:aws:ecr-public:?123456789012:repository/*", "arn:aws:ecr-public::123456789012:repository/x", false},
		{"question does not match empty region", "arn:aws:ecr-public:?:123456789012:repository/*", repoARN, false},
		{"region question", "arn:aws:ecr-public:us-east-?:123456789012:repository/*", "arn:aws:ecr-public:us-east-1:123456789012:repository/x", true},
		{"empty region literal does not match region", "arn:aws:ecr-public::123456789012:repository/*", "arn:aws:ecr-public:us-east-1:123456789012:repository/x", false},

		// Values that are not six-segment ARNs.
		{"value too short", "arn:aws:ecr-public::123456789012:repository/*", "arn:aws:ecr-public::123456789012", false},
		{"value star", "arn:aws:ecr-public::123456789012:repository/*", "*", false},
		{"value empty", "arn:aws:ecr-public::123456789012:repository/*", "", false},

		// The single pattern '*' matches everything.
		{"star matches ARN", "*", repoARN, true},
		{"star matches star", "*", "*", true},
		{"star matches empty", "*", "", true},
		{"star matches non-ARN", "*", "not an arn", true},

		// Short patterns whose last segment ends with '*' match the rest.
		{"short service star", "arn:aws:ecr-public:*", repoARN, true},
		{"short service star regional", "arn:aws:ecr-public:*", "arn:aws:ecr-public:us-east-1:123456789012:repository/x", true},
		{"short service star other service", "arn:aws:ecr-public:*", "arn:aws:ecr:us-east-1:123456789012:repository/x", false},
		{"short partition star", "arn:aws:*", repoARN, true},
		{"short partition star other partition", "arn:aws:*", "arn:aws-cn:ecr-public::123456789012:repository/x", false},
		{"short arn star", "arn:*", repoARN, true},
		{"short partial star", "arn:aws:ecr-*", repoARN, true},
		{"short partial star needs prefix", "arn:aws:ecr-*", "arn:aws:s3:::bucket", false},
		{"short without star", "arn:aws:ecr-public", repoARN, false},
		{"short without star ends in question", "arn:aws:ecr-public:?", repoARN, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := pattern.CompileARN(tc.pattern, all)
			if err != nil {
				t.Fatalf("CompileARN(%q): %v", tc.pattern, err)
			}
			if got := p.Match(tc.value, nil); got != tc.want {
				t.Errorf("CompileARN(%q).Match(%q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
			}
			// Wildcards alone give the same result for patterns without ${.
			q, err := pattern.CompileARN(tc.pattern, wild)
			if err != nil {
				t.Fatalf("CompileARN(%q, Wildcards): %v", tc.pattern, err)
			}
			if got := q.Match(tc.value, nil); got != tc.want {
				t.Errorf("CompileARN(%q, Wildcards).Match(%q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
			}
		})
	}
}

func TestARNVariables(t *testing.T) {
	alice := vars{"aws:username": "alice"}
	cases := []struct {
		name    string
		pattern string
		syntax  pattern.Syntax
		vars    vars
		value   string
		want    bool
	}{
		{"variable with colon in key", "arn:aws:ecr-public::123456789012:repository/${aws:username}/*", all, alice, "arn:aws:ecr-public::123456789012:repository/alice/app", true},
		{"variable other user", "arn:aws:ecr-public::123456789012:repository/${aws:username}/*", all, alice, "arn:aws:ecr-public::123456789012:repository/bob/app", false},
		{"variable missing", "arn:aws:ecr-public::123456789012:repository/${aws:username}/*", all, vars{}, "arn:aws:ecr-public::123456789012:repository/alice/app", false},
		{"variable missing nil resolver", "arn:aws:ecr-public::123456789012:repository/${aws:username}/*", all, nil, "arn:aws:ecr-public::123456789012:repository/alice/app", false},
		{"variable key case", "arn:aws:ecr-public::123456789012:repository/${AWS:Username}/*", all, alice, "arn:aws:ecr-public::123456789012:repository/alice/app", true},
		{"variable in account", "arn:aws:ecr-public::${aws:PrincipalAccount}:repository/*", all, vars{"aws:principalaccount": "123456789012"}, repoARN, true},
		{"variable in account other account", "arn:aws:ecr-public::${aws:PrincipalAccount}:repository/*", all, vars{"aws:principalaccount": "999999999999"}, repoARN, false},
		{"variable value with colon in resource", "arn:aws:ecr-public::123456789012:repository/${aws:userid}", all, vars{"aws:userid": "AROAEXAMPLE:session"}, "arn:aws:ecr-public::123456789012:repository/AROAEXAMPLE:session", true},
		{"variable default", "arn:aws:ecr-public::123456789012:repository/${aws:PrincipalTag/team, 'shared'}/*", all, nil, "arn:aws:ecr-public::123456789012:repository/shared/app", true},
		{"variable default with colon", "arn:aws:ecr-public::123456789012:repository/${aws:username, 'a:b'}", all, nil, "arn:aws:ecr-public::123456789012:repository/a:b", true},
		{"variable whole resource", "arn:aws:ecr-public::123456789012:${aws:username}", all, alice, "arn:aws:ecr-public::123456789012:alice", true},
		{"literal star in resource", "arn:aws:ecr-public::123456789012:repository/${*}", all, nil, "arn:aws:ecr-public::123456789012:repository/*", true},
		{"literal star in resource not a wildcard", "arn:aws:ecr-public::123456789012:repository/${*}", all, nil, "arn:aws:ecr-public::123456789012:repository/x", false},
		{"literal star in region", "arn:aws:ecr-public:${*}:123456789012:repository/x", all, nil, "arn:aws:ecr-public:*:123456789012:repository/x", true},
		{"literal star in region not a wildcard", "arn:aws:ecr-public:${*}:123456789012:repository/x", all, nil, "arn:aws:ecr-public:us-east-1:123456789012:repository/x", false},
		{"variables disabled", "arn:aws:ecr-public::123456789012:repository/${aws:username}/*", wild, alice, "arn:aws:ecr-public::123456789012:repository/${aws:username}/x", true},
		{"variables disabled not resolved", "arn:aws:ecr-public::123456789012:repository/${aws:username}/*", wild, alice, "arn:aws:ecr-public::123456789012:repository/alice/x", false},
		{"short pattern variable then star", "arn:aws:${aws:username}*", all, vars{"aws:username": "ecr"}, repoARN, true},

		// Variables are replaced by their values before matching, so a variable
		// may supply a whole ARN, colons included (ArnEquals with
		// "${aws:SourceArn}").
		{"whole pattern is a variable", "${aws:sourcearn}", all, vars{"aws:sourcearn": repoARN}, repoARN, true},
		{"whole pattern is a variable other ARN", "${aws:sourcearn}", all, vars{"aws:sourcearn": repoARN}, repoARN + "x", false},
		{"whole pattern is a variable extra colon", "${aws:sourcearn}", all, vars{"aws:sourcearn": repoARN}, repoARN + ":x", false},
		{"whole pattern is a variable missing", "${aws:sourcearn}", all, vars{}, repoARN, false},
		{"whole pattern is a variable with default", "${aws:sourcearn, 'arn:aws:s3:::bucket'}", all, nil, "arn:aws:s3:::bucket", true},
		{"variable supplies the tail", "arn:${aws:rest}", all, vars{"aws:rest": "aws:ecr-public::123456789012:repository/team-a/app"}, repoARN, true},
		{"variable without colons stays in its segment", "arn:aws:${aws:username}", all, vars{"aws:username": "ecr-public"}, repoARN, false},
		{"variable without colons short match", "arn:aws:${aws:username}", all, vars{"aws:username": "ecr-public"}, "arn:aws:ecr-public", true},
		{"question after variable is not a colon", "${aws:sourcearn}?", all, vars{"aws:sourcearn": "arn:aws:s3:::b"}, "arn:aws:s3:::b:", false},
		{"question after variable", "${aws:sourcearn}?", all, vars{"aws:sourcearn": "arn:aws:s3:::b"}, "arn:aws:s3:::bc", true},
		{"star before variable does not take a colon", "*${aws:userid}", all, vars{"aws:userid": "AROA:s"}, "x:yAROA:s", false},
		{"star before variable", "*${aws:userid}", all, vars{"aws:userid": "AROA:s"}, "xyAROA:s", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := pattern.CompileARN(tc.pattern, tc.syntax)
			if err != nil {
				t.Fatalf("CompileARN(%q): %v", tc.pattern, err)
			}
			var r pattern.Resolver
			if tc.vars != nil {
				r = tc.vars
			}
			if got := p.Match(tc.value, r); got != tc.want {
				t.Errorf("CompileARN(%q).Match(%q, %v) = %v, want %v", tc.pattern, tc.value, tc.vars, got, tc.want)
			}
		})
	}
}

func TestARNCompileError(t *testing.T) {
	for _, s := range []string{
		"arn:aws:ecr-public::123456789012:repository/${}",
		"arn:aws:ecr-public::123456789012:repository/${aws:username, guest}",
	} {
		if _, err := pattern.CompileARN(s, all); err == nil {
			t.Errorf("CompileARN(%q) succeeded, want an error", s)
		}
		if _, err := pattern.CompileARN(s, wild); err != nil {
			t.Errorf("CompileARN(%q, Wildcards): %v", s, err)
		}
	}
}

func TestARNAccessors(t *testing.T) {
	p, err := pattern.CompileARN("*", all)
	if err != nil {
		t.Fatal(err)
	}
	if !p.IsAny() || p.Source() != "*" || p.HasVariables() {
		t.Errorf("CompileARN(*): IsAny=%v Source=%q HasVariables=%v", p.IsAny(), p.Source(), p.HasVariables())
	}
	// Without Wildcards, "*" is the literal text "*".
	lit, err := pattern.CompileARN("*", pattern.Variables)
	if err != nil {
		t.Fatal(err)
	}
	if lit.IsAny() || !lit.Match("*", nil) || lit.Match(repoARN, nil) {
		t.Errorf("CompileARN(*, Variables) should be the literal *")
	}

	src := "arn:aws:ecr-public:*:${aws:PrincipalAccount}:repository/${aws:username}/*"
	p, err = pattern.CompileARN(src, all)
	if err != nil {
		t.Fatal(err)
	}
	if p.IsAny() || p.Source() != src || !p.HasVariables() {
		t.Errorf("IsAny=%v Source=%q HasVariables=%v", p.IsAny(), p.Source(), p.HasVariables())
	}
	segs := p.Segments()
	if len(segs) != 6 {
		t.Fatalf("Segments() has %d segments, want 6", len(segs))
	}
	wantLiteral := []bool{true, true, true, false, false, false}
	for i, s := range segs {
		if s.IsLiteral() != wantLiteral[i] {
			t.Errorf("segment %d (%q) IsLiteral = %v, want %v", i, s.Source(), s.IsLiteral(), wantLiteral[i])
		}
	}
	if got := segs[2].Source(); got != "ecr-public" {
		t.Errorf("segment 2 = %q", got)
	}
	r := vars{"aws:principalaccount": "123456789012", "aws:username": "alice"}
	if got, ok := segs[4].Resolve(r); !ok || got != "123456789012" {
		t.Errorf("segment 4 resolves to %q, %v", got, ok)
	}
	if got, ok := segs[5].Resolve(r); !ok || got != "repository/alice/*" {
		t.Errorf("segment 5 resolves to %q, %v", got, ok)
	}

	q, err := pattern.CompileARN(repoARN, all)
	if err != nil {
		t.Fatal(err)
	}
	if q.HasVariables() || q.IsAny() || len(q.Segments()) != 6 {
		t.Errorf("literal ARN: HasVariables=%v IsAny=%v segments=%d", q.HasVariables(), q.IsAny(), len(q.Segments()))
	}
	short, err := pattern.CompileARN("arn:aws:ecr-public:*", all)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(short.Segments()); n != 4 {
		t.Errorf("short pattern has %d segments, want 4", n)
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		in   string
		want [6]string
		ok   bool
	}{
		{repoARN, [6]string{"arn", "aws", "ecr-public", "", "123456789012", "repository/team-a/app"}, true},
		{"arn:aws:ecr-public:us-east-1:123456789012:repository/a:b:c", [6]string{"arn", "aws", "ecr-public", "us-east-1", "123456789012", "repository/a:b:c"}, true},
		{"arn:aws:s3:::bucket/key", [6]string{"arn", "aws", "s3", "", "", "bucket/key"}, true},
		{":::::", [6]string{}, true},
		{"arn:aws:s3:::", [6]string{"arn", "aws", "s3", "", "", ""}, true},
		{"arn:aws:ecr-public::123456789012", [6]string{}, false},
		{"", [6]string{}, false},
		{"*", [6]string{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := pattern.Split(tc.in)
			if ok != tc.ok {
				t.Fatalf("Split(%q) ok = %v, want %v", tc.in, ok, tc.ok)
			}
			if ok && got != tc.want {
				t.Errorf("Split(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, ok := pattern.Split(repoARN); !ok {
			t.Fatal("split failed")
		}
	})
	if allocs != 0 {
		t.Errorf("Split allocates %v times per run, want 0", allocs)
	}
}

func TestARNMatchDoesNotAllocate(t *testing.T) {
	p, err := pattern.CompileARN("arn:aws:ecr-public:*:${aws:PrincipalAccount}:repository/${aws:username}/*", all)
	if err != nil {
		t.Fatal(err)
	}
	var r pattern.Resolver = vars{"aws:username": "alice", "aws:principalaccount": "123456789012"}
	match := "arn:aws:ecr-public::123456789012:repository/alice/app/sub"
	miss := "arn:aws:ecr-public::123456789012:repository/bob/app"
	allocs := testing.AllocsPerRun(1000, func() {
		if !p.Match(match, r) {
			t.Fatal("no match")
		}
		if p.Match(miss, r) {
			t.Fatal("unexpected match")
		}
	})
	if allocs != 0 {
		t.Errorf("ARN.Match allocates %v times per run, want 0", allocs)
	}
}
