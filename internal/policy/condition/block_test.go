package condition_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/policy/condition"
)

// IAM User Guide, Condition element: "If you specify multiple condition
// operators, or multiple keys attached to a single condition operator, the
// conditions are evaluated using a logical AND."
func TestBlockAnd(t *testing.T) {
	b := condition.Block{
		mustClause(t, "StringEquals", "aws:PrincipalTag/team", []string{"blue"}, optsNoVars),
		mustClause(t, "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, optsNoVars),
		mustClause(t, "Bool", "aws:SecureTransport", []string{"true"}, optsNoVars),
	}
	full := req{"aws:PrincipalTag/team": {"blue"}, "aws:SourceIp": {"203.0.113.9"}, "aws:SecureTransport": {"true"}}
	if !b.Eval(full.context()) {
		t.Fatal("all clauses hold, Block.Eval = false")
	}
	if f := b.Explain(full.context()); len(f) != 0 {
		t.Errorf("Explain on a passing block = %v, want none", f)
	}
	for _, key := range []string{"aws:PrincipalTag/team", "aws:SourceIp", "aws:SecureTransport"} {
		t.Run("fails on "+key, func(t *testing.T) {
			r := req{}
			for k, v := range full {
				r[k] = v
			}
			r[key] = []string{"wrong"}
			if b.Eval(r.context()) {
				t.Errorf("Block.Eval = true with %s wrong", key)
			}
			f := b.Explain(r.context())
			if len(f) != 1 || f[0].Key != key {
				t.Fatalf("Explain = %+v, want one failure for %s", f, key)
			}
			if !strings.Contains(f[0].Text, key) || f[0].Missing || !slices.Equal(f[0].RequestValues, []string{"wrong"}) {
				t.Errorf("failure %+v", f[0])
			}
			delete(r, key)
			f = b.Explain(r.context())
			if len(f) != 1 || !f[0].Missing || !strings.Contains(f[0].Text, key) {
				t.Errorf("Explain with %s missing = %+v", key, f)
			}
		})
	}
	if !(condition.Block{}).Eval(req{}.context()) {
		t.Error("an empty Block must hold")
	}
	if got := b.Explain(req{}.context()); len(got) != 3 {
		t.Errorf("Explain on an empty request has %d failures, want 3", len(got))
	}
	keys := condition.Block{
		mustClause(t, "StringEquals", "aws:PrincipalTag/team", []string{"blue"}, optsNoVars),
		mustClause(t, "StringNotEquals", "AWS:PrincipalTag/Team", []string{"red"}, optsNoVars),
		mustClause(t, "Null", "aws:SourceIp", []string{"false"}, optsNoVars),
	}.Keys()
	if !slices.Equal(keys, []string{"aws:PrincipalTag/team", "aws:SourceIp"}) {
		t.Errorf("Keys() = %q", keys)
	}
}

// Explain gives a non-empty text naming the key for every failing clause of every
// kind: missing key, wrong value, negated match, ForAllValues, ForAnyValue, Null.
func TestExplainTexts(t *testing.T) {
	cases := []struct {
		op      string
		key     string
		values  []string
		req     req
		missing bool
	}{
		{"StringEquals", "aws:PrincipalTag/team", []string{"blue"}, one("aws:PrincipalTag/team", "red"), false},
		{"StringEquals", "aws:PrincipalTag/team", []string{"blue"}, req{}, true},
		{"StringNotEquals", "aws:PrincipalTag/team", []string{"blue"}, one("aws:PrincipalTag/team", "blue"), false},
		{"StringLike", "s3:prefix", []string{"home/${aws:username}/*"}, req{"s3:prefix": {"tmp/"}, "aws:username": {"alice"}}, false},
		{"NumericLessThan", "s3:max-keys", []string{"10"}, one("s3:max-keys", "20"), false},
		{"DateGreaterThan", "aws:CurrentTime", []string{"2030-01-01T00:00:00Z"}, one("aws:CurrentTime", "2024-01-01T00:00:00Z"), false},
		{"Bool", "aws:SecureTransport", []string{"true"}, one("aws:SecureTransport", "false"), false},
		{"BinaryEquals", "k", []string{"AQID"}, one("k", "BAUG"), false},
		{"IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, one("aws:SourceIp", "192.0.2.1"), false},
		{"NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, one("aws:SourceIp", "10.0.0.1"), false},
		{"ArnLike", "aws:PrincipalArn", []string{"arn:aws:iam::*:role/*"}, one("aws:PrincipalArn", "arn:aws:iam::1:user/x"), false},
		{"ForAnyValue:StringEquals", "aws:TagKeys", []string{"a"}, req{}, true},
		{"ForAnyValue:StringEquals", "aws:TagKeys", []string{"a"}, req{"aws:TagKeys": {"b", "c"}}, false},
		{"ForAllValues:StringEquals", "aws:TagKeys", []string{"a"}, req{"aws:TagKeys": {"a", "b"}}, false},
		{"Null", "aws:TokenIssueTime", []string{"true"}, one("aws:TokenIssueTime", "x"), false},
		{"Null", "aws:TokenIssueTime", []string{"false"}, req{}, true},
		{"StringEqualsIfExists", "aws:PrincipalTag/team", []string{"blue"}, one("aws:PrincipalTag/team", "red"), false},
	}
	for _, tc := range cases {
		t.Run(tc.op+" "+tc.key, func(t *testing.T) {
			c := mustClause(t, tc.op, tc.key, tc.values, optsVars)
			f := condition.Block{c}.Explain(tc.req.context())
			if len(f) != 1 {
				t.Fatalf("Explain = %+v, want one failure", f)
			}
			got := f[0]
			if got.Text == "" || !strings.Contains(got.Text, tc.key) {
				t.Errorf("Text %q does not mention key %q", got.Text, tc.key)
			}
			if !strings.Contains(got.Text, tc.op) {
				t.Errorf("Text %q does not mention operator %q", got.Text, tc.op)
			}
			if got.Operator != tc.op || got.Key != tc.key || got.Missing != tc.missing || len(got.PolicyValues) != len(tc.values) {
				t.Errorf("failure %+v", got)
			}
		})
	}
	// Policy variables are shown resolved.
	c := mustClause(t, "StringLike", "s3:prefix", []string{"home/${aws:username}/*"}, optsVars)
	f := condition.Block{c}.Explain(req{"s3:prefix": {"tmp/"}, "aws:username": {"alice"}}.context())
	if len(f) != 1 || !strings.Contains(f[0].PolicyValues[0], "home/alice/*") {
		t.Errorf("resolved policy values: %+v", f)
	}
}

// Condition key names are case-insensitive; values are not.
func TestKeyNamesCaseInsensitive(t *testing.T) {
	cases := []struct {
		setKey, clauseKey string
	}{
		{"AWS:SourceIp", "aws:sourceip"},
		{"aws:sourceip", "AWS:SOURCEIP"},
		{"Aws:SourceIP", "aws:SourceIp"},
	}
	for _, tc := range cases {
		t.Run(tc.setKey+"/"+tc.clauseKey, func(t *testing.T) {
			ctx := condition.NewContext()
			ctx.Set(tc.setKey, "203.0.113.9")
			if !mustClause(t, "IpAddress", tc.clauseKey, []string{"203.0.113.0/24"}, optsNoVars).Eval(ctx) {
				t.Error("IpAddress did not find the key")
			}
			if mustClause(t, "NotIpAddress", tc.clauseKey, []string{"203.0.113.0/24"}, optsNoVars).Eval(ctx) {
				t.Error("NotIpAddress treated the key as missing")
			}
			if mustClause(t, "Null", tc.clauseKey, []string{"true"}, optsNoVars).Eval(ctx) {
				t.Error("Null:true treated the key as missing")
			}
			if !mustClause(t, "ForAllValues:IpAddress", tc.clauseKey, []string{"203.0.113.0/24"}, optsNoVars).Eval(ctx) {
				t.Error("ForAllValues:IpAddress did not find the key")
			}
			if !mustClause(t, "ForAnyValue:IpAddress", tc.clauseKey, []string{"203.0.113.0/24"}, optsNoVars).Eval(ctx) {
				t.Error("ForAnyValue:IpAddress did not find the key")
			}
		})
	}
	// Values stay case-sensitive.
	ctx := condition.NewContext()
	ctx.Set("AWS:PrincipalTag/Team", "Blue")
	if mustClause(t, "StringEquals", "aws:principaltag/team", []string{"blue"}, optsNoVars).Eval(ctx) {
		t.Error("StringEquals ignored the case of the value")
	}
}

func TestContext(t *testing.T) {
	ctx := condition.NewContext()
	ctx.Set("aws:SourceIp", "203.0.113.9")
	ctx.Set("AWS:TagKeys", "a", "b")
	ctx.Set("aws:Empty")
	if v, ok := ctx.Get("AWS:SOURCEIP"); !ok || !slices.Equal(v, []string{"203.0.113.9"}) {
		t.Errorf("Get = %q, %v", v, ok)
	}
	if !ctx.Has("aws:tagkeys") || ctx.Has("aws:empty") || ctx.Has("aws:nothing") {
		t.Error("Has is wrong")
	}
	if v, ok := ctx.Variable("aws:sourceip"); !ok || v != "203.0.113.9" {
		t.Errorf("Variable(aws:sourceip) = %q, %v", v, ok)
	}
	if _, ok := ctx.Variable("aws:tagkeys"); ok {
		t.Error("a multivalued key resolved as a variable")
	}
	if _, ok := ctx.Variable("aws:empty"); ok {
		t.Error("a key without values resolved as a variable")
	}
	ctx.SetDefault("aws:sourceip", "10.0.0.1")
	ctx.SetDefault("aws:empty", "x")
	ctx.SetDefault("aws:New", "y")
	if v, _ := ctx.Get("aws:SourceIp"); v[0] != "203.0.113.9" {
		t.Error("SetDefault replaced a present key")
	}
	if !ctx.Has("aws:empty") || !ctx.Has("aws:new") {
		t.Error("SetDefault did not set absent keys")
	}
	clone := ctx.Clone()
	ctx.Delete("AWS:SourceIP")
	if ctx.Has("aws:SourceIp") || !clone.Has("aws:SourceIp") {
		t.Error("Delete or Clone is wrong")
	}
	// Names are kept as first given: "aws:Empty", not the later "aws:empty".
	want := []string{"aws:Empty", "aws:New", "aws:SourceIp", "AWS:TagKeys"}
	if got := clone.Keys(); !slices.Equal(got, want) {
		t.Errorf("Keys() = %q, want %q", got, want)
	}
	var nilCtx *condition.Context
	if nilCtx.Has("x") || nilCtx.Keys() != nil || nilCtx.Clone().Has("x") {
		t.Error("nil Context")
	}
}

func TestEvalDoesNotAllocate(t *testing.T) {
	ctx := condition.NewContext()
	ctx.Set("s3:prefix", "home/alice/projects/x")
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:SourceIp", "2001:db8:1234:5678::9")
	ctx.Set("aws:TagKeys", "environment", "cost-center")
	clauses := []*condition.Clause{
		mustClause(t, "StringLike", "s3:prefix", []string{"tmp/*", "home/${aws:username}/*"}, optsVars),
		mustClause(t, "StringNotLike", "s3:prefix", []string{"home/${aws:username}/secret*"}, optsVars),
		mustClause(t, "StringEqualsIgnoreCase", "aws:username", []string{"ALICE"}, optsVars),
		mustClause(t, "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24", "2001:DB8:1234:5678::/64"}, optsNoVars),
		mustClause(t, "NotIpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}, optsNoVars),
		mustClause(t, "ForAllValues:StringLike", "aws:TagKeys", []string{"environment", "cost-*"}, optsNoVars),
		mustClause(t, "ArnLike", "s3:prefix", []string{"arn:aws:s3:::*"}, optsNoVars),
	}
	for _, c := range clauses[:len(clauses)-1] {
		if !c.Eval(ctx) {
			t.Fatalf("%s %s does not hold", c.Operator(), c.Key())
		}
	}
	for _, c := range clauses {
		allocs := testing.AllocsPerRun(1000, func() { c.Eval(ctx) })
		if allocs != 0 {
			t.Errorf("%s.Eval allocates %v times per run, want 0", c.Operator(), allocs)
		}
	}
	b := condition.Block(clauses[:len(clauses)-1])
	if allocs := testing.AllocsPerRun(1000, func() { b.Eval(ctx) }); allocs != 0 {
		t.Errorf("Block.Eval allocates %v times per run, want 0", allocs)
	}
}
