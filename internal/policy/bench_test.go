package policy_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/policy"
)

// benchStatements are the shapes a realistic principal's policies mix: literal
// and wildcard actions across services, repository ARNs with wildcards and
// policy variables, and conditions on source IP, tags and transport.
var benchStatements = []string{
	`{"Effect":"Allow","Action":["ecr-public:BatchCheckLayerAvailability","ecr-public:InitiateLayerUpload","ecr-public:UploadLayerPart","ecr-public:CompleteLayerUpload","ecr-public:PutImage"],"Resource":"arn:aws:ecr-public::123456789012:repository/team-{i}/*"}`,
	`{"Effect":"Allow","Action":"ecr-public:Describe*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.{i}.0.0/16","192.168.{i}.0/24"]}}}`,
	`{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"arn:aws:iam::123456789012:user/${aws:username}"}`,
	`{"Effect":"Allow","Action":"ecr-public:*","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:PrincipalTag/team}-{i}/*","Condition":{"StringEquals":{"aws:PrincipalTag/env":"prod"}}}`,
	`{"Effect":"Deny","Action":"ecr-public:DeleteRepository","Resource":"arn:aws:ecr-public::123456789012:repository/prod-{i}/*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`,
	`{"Effect":"Allow","Action":["sts:GetServiceBearerToken","ecr-public:GetAuthorizationToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"true"}}}`,
}

// benchSet builds a principal with n managed policies of six statements each,
// spread over the user and three groups.
func benchSet(b testing.TB, n int) policy.Set {
	var set policy.Set
	for i := 0; i < n; i++ {
		doc := `{"Version":"2012-10-17","Statement":[`
		for j, st := range benchStatements {
			if j > 0 {
				doc += ","
			}
			doc += strings.ReplaceAll(st, "{i}", strconv.Itoa(i))
		}
		doc += "]}"
		p, err := policy.ParseString(doc, policy.IdentityPolicy)
		if err != nil {
			b.Fatal(err)
		}
		typ := "user-managed"
		id := fmt.Sprintf("arn:aws:iam::123456789012:policy/group-%d/p%d", i%4, i)
		set.Identity = append(set.Identity, policy.Attached{Source: policy.Source{ID: id, Type: typ}, Policy: p})
	}
	return set
}

func benchRequest(b testing.TB, action, resource string) *policy.Request {
	caller, err := policy.CallerFromARN("arn:aws:iam::123456789012:user/alice")
	if err != nil {
		b.Fatal(err)
	}
	ctx := policy.NewContext()
	ctx.Set("aws:SourceIp", "203.0.113.7")
	ctx.Set("aws:PrincipalTag/team", "payments")
	ctx.Set("aws:PrincipalTag/env", "prod")
	ctx.Set("aws:SecureTransport", "true")
	caller.AddContext(ctx, time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	return &policy.Request{Caller: caller, Action: action, Resource: resource, Context: ctx}
}

var benchCases = []struct {
	name, action, resource string
	want                   policy.Decision
}{
	{"allowed-literal", "ecr-public:PutImage", "arn:aws:ecr-public::123456789012:repository/team-7/app", policy.Allowed},
	{"allowed-variable", "ecr-public:BatchDeleteImage", "arn:aws:ecr-public::123456789012:repository/payments-3/app", policy.Allowed},
	{"implicit-deny", "ecr-public:SetRepositoryPolicy", "arn:aws:ecr-public::123456789012:repository/other/app", policy.ImplicitDeny},
	{"explicit-deny", "ecr-public:DeleteRepository", "arn:aws:ecr-public::123456789012:repository/prod-2/app", policy.ExplicitDeny},
}

// BenchmarkDecide measures the hot path for a principal with 10 managed
// policies (60 statements).
func BenchmarkDecide(b *testing.B) {
	ev := policy.NewEvaluator(benchSet(b, 10))
	for _, bc := range benchCases {
		req := benchRequest(b, bc.action, bc.resource)
		if req.Context.Has("aws:MultiFactorAuthPresent") {
			b.Fatal("unexpected key")
		}
		if bc.name == "explicit-deny" {
			req.Context.Set("aws:MultiFactorAuthPresent", "false")
		}
		if got := ev.Decide(req); got != bc.want {
			b.Fatalf("%s: Decide = %s, want %s", bc.name, got, bc.want)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				ev.Decide(req)
			}
		})
	}
}

// BenchmarkDecideScaling shows the cost and allocations as policies grow.
func BenchmarkDecideScaling(b *testing.B) {
	for _, n := range []int{1, 10, 40} {
		ev := policy.NewEvaluator(benchSet(b, n))
		req := benchRequest(b, "ecr-public:SetRepositoryPolicy", "arn:aws:ecr-public::123456789012:repository/other/app")
		b.Run(fmt.Sprintf("policies=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				ev.Decide(req)
			}
		})
	}
}

// BenchmarkExplain is the slow path used for denials and simulations.
func BenchmarkExplain(b *testing.B) {
	ev := policy.NewEvaluator(benchSet(b, 10))
	req := benchRequest(b, "ecr-public:SetRepositoryPolicy", "arn:aws:ecr-public::123456789012:repository/other/app")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ev.Explain(req)
	}
}

// BenchmarkParse compiles one six-statement policy.
func BenchmarkParse(b *testing.B) {
	doc := []byte(strings.ReplaceAll(`{"Version":"2012-10-17","Statement":[`+strings.Join(benchStatements, ",")+"]}", "{i}", "1"))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := policy.Parse(doc, policy.IdentityPolicy); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecideAllocations pins the hot path's allocations: none for a
// lower-case action, and the same number whatever the number of policies.
func TestDecideAllocations(t *testing.T) {
	for _, bc := range benchCases {
		req := benchRequest(t, bc.action, bc.resource)
		lower := benchRequest(t, "ecr-public:putimage", bc.resource)
		var counts []float64
		for _, n := range []int{1, 10, 40} {
			ev := policy.NewEvaluator(benchSet(t, n))
			counts = append(counts, testing.AllocsPerRun(100, func() { ev.Decide(req) }))
			if a := testing.AllocsPerRun(100, func() { ev.Decide(lower) }); a != 0 {
				t.Errorf("%s, %d policies: %v allocations for a lower-case action, want 0", bc.name, n, a)
			}
		}
		if counts[0] != counts[1] || counts[1] != counts[2] || counts[0] > 1 {
			t.Errorf("%s: allocations per Decide for 1, 10, 40 policies = %v; want at most 1, constant", bc.name, counts)
		}
	}
}
