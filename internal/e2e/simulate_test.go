package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// simCase is one line of testdata/iam-cases/cases.jsonl (format in its README).
type simCase struct {
	ID                   string                     `json:"id"`
	IdentityPolicies     []json.RawMessage          `json:"identityPolicies"`
	ResourcePolicy       json.RawMessage            `json:"resourcePolicy"`
	PermissionBoundaries json.RawMessage            `json:"permissionBoundaries"`
	SessionPolicy        json.RawMessage            `json:"sessionPolicy"`
	SCPs                 json.RawMessage            `json:"scps"`
	Action               string                     `json:"action"`
	Resource             string                     `json:"resource"`
	ResourceAccount      string                     `json:"resourceAccount"`
	Principal            string                     `json:"principal"`
	Context              map[string]json.RawMessage `json:"context"`
	Expect               string                     `json:"expect"`
	Why                  string                     `json:"why"`
}

func loadSimCases(t *testing.T) []simCase {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "iam-cases", "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []simCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' || bytes.HasPrefix(line, []byte("//")) {
			continue
		}
		var c simCase
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatalf("cases.jsonl: %v\n%s", err, line)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("cases.jsonl has no cases")
	}
	return cases
}

// policyText turns a case's policy ({policy}, "JSON text" or {"name", "policy"})
// into the document to send.
func policyText(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		t.Fatalf("policy %s: %v", raw, err)
	}
	if inner, ok := probe["policy"]; ok && probe["Statement"] == nil {
		return policyText(t, inner)
	}
	return string(raw)
}

// policyList reads a list of policies that may also be a single object.
func policyList(t *testing.T, raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, policyText(t, it))
		}
		return out
	}
	return []string{policyText(t, raw)}
}

func present(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != "[]"
}

// contextKeyTypes are the types of global condition keys whose values a case
// gives as JSON strings (IAM User Guide, "AWS global condition context keys").
var contextKeyTypes = map[string]types.ContextKeyTypeEnum{
	"aws:sourceip":               types.ContextKeyTypeEnumIp,
	"aws:vpcsourceip":            types.ContextKeyTypeEnumIp,
	"aws:currenttime":            types.ContextKeyTypeEnumDate,
	"aws:tokenissuetime":         types.ContextKeyTypeEnumDate,
	"aws:epochtime":              types.ContextKeyTypeEnumNumeric,
	"aws:multifactorauthage":     types.ContextKeyTypeEnumNumeric,
	"aws:securetransport":        types.ContextKeyTypeEnumBoolean,
	"aws:multifactorauthpresent": types.ContextKeyTypeEnumBoolean,
	"aws:viaawsservice":          types.ContextKeyTypeEnumBoolean,
	"aws:principalisawsservice":  types.ContextKeyTypeEnumBoolean,
}

// contextEntries converts a case's context: the type from the value's JSON
// type (bool → boolean, number → numeric, array → …List) and, for strings,
// from the key.
func contextEntries(t *testing.T, ctx map[string]json.RawMessage) []types.ContextEntry {
	t.Helper()
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []types.ContextEntry
	for _, k := range keys {
		var v any
		dec := json.NewDecoder(bytes.NewReader(ctx[k]))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("context %s: %v", k, err)
		}
		scalarType := func(x any) (types.ContextKeyTypeEnum, string) {
			switch x := x.(type) {
			case bool:
				return types.ContextKeyTypeEnumBoolean, fmt.Sprint(x)
			case json.Number:
				return types.ContextKeyTypeEnumNumeric, x.String()
			case string:
				if ty, ok := contextKeyTypes[strings.ToLower(k)]; ok {
					return ty, x
				}
				return types.ContextKeyTypeEnumString, x
			}
			t.Fatalf("context %s: unsupported value %v", k, x)
			return "", ""
		}
		e := types.ContextEntry{ContextKeyName: aws.String(k)}
		if list, ok := v.([]any); ok {
			e.ContextKeyType = types.ContextKeyTypeEnumStringList
			for i, x := range list {
				ty, s := scalarType(x)
				if i == 0 {
					e.ContextKeyType = ty + "List"
				}
				e.ContextKeyValues = append(e.ContextKeyValues, s)
			}
		} else {
			ty, s := scalarType(v)
			e.ContextKeyType, e.ContextKeyValues = ty, []string{s}
		}
		out = append(out, e)
	}
	return out
}

// arnAccount is the account field of an ARN ("" when it has none).
func arnAccount(a string) string {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// resourceAccount is the case's resourceAccount, else the resource ARN's
// account, else the principal's (the README's default).
func (c simCase) resourceAccount() string {
	if c.ResourceAccount != "" {
		return c.ResourceAccount
	}
	if a := arnAccount(c.Resource); a != "" {
		return a
	}
	return arnAccount(c.Principal)
}

// neutralPolicy stands in for an empty identity-policy list, which the API
// cannot express (PolicyInputList is required): it allows an action no case asks about.
const neutralPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetAccountSummary","Resource":"*"}]}`

// customSkip says why SimulateCustomPolicy cannot express a case ("" when it can).
func (c simCase) customSkip() string {
	switch {
	case present(c.SessionPolicy):
		return "needs a session policy (the Simulate APIs have no session-policy input)"
	case present(c.SCPs):
		return "needs SCPs (the Simulate APIs have no SCP input)"
	case !strings.HasPrefix(c.Principal, "arn:aws:iam::") || !strings.Contains(c.Principal, ":user/"):
		return "principal " + c.Principal + " is not an IAM user (CallerArn, or a stored user, must be one)"
	}
	return ""
}

func (c simCase) identityDocs(t *testing.T) []string {
	var docs []string
	for _, p := range c.IdentityPolicies {
		docs = append(docs, policyText(t, p))
	}
	return docs
}

func (c simCase) customInput(t *testing.T, resourceOwner bool) *iam.SimulateCustomPolicyInput {
	docs := c.identityDocs(t)
	if len(docs) == 0 {
		docs = []string{neutralPolicy}
	}
	in := &iam.SimulateCustomPolicyInput{
		PolicyInputList:                    docs,
		PermissionsBoundaryPolicyInputList: policyList(t, c.PermissionBoundaries),
		ActionNames:                        []string{c.Action},
		ResourceArns:                       []string{c.Resource},
		CallerArn:                          aws.String(c.Principal),
		ContextEntries:                     contextEntries(t, c.Context),
	}
	if present(c.ResourcePolicy) {
		in.ResourcePolicy = aws.String(policyText(t, c.ResourcePolicy))
	}
	// ResourceOwner is needed when the resource's account is not the caller's;
	// it is "an ARN representing the AWS account ID": arn:aws:iam::ACCOUNT:root
	// (IAM API reference, SimulateCustomPolicy).
	if ra := c.resourceAccount(); resourceOwner || ra != arnAccount(c.Principal) {
		in.ResourceOwner = aws.String("arn:aws:iam::" + ra + ":root")
	}
	return in
}

func oneDecision(t *testing.T, rs []types.EvaluationResult, c simCase) string {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("%d evaluation results, want 1: %+v", len(rs), rs)
	}
	r := rs[0]
	if aws.ToString(r.EvalActionName) != c.Action || aws.ToString(r.EvalResourceName) != c.Resource {
		t.Errorf("result is for %s on %s, want %s on %s", aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName), c.Action, c.Resource)
	}
	return string(r.EvalDecision)
}

// TestSimulateCustomPolicyCases runs every case SimulateCustomPolicy can
// express through the real HTTP API and compares EvalDecision with expect.
func TestSimulateCustomPolicyCases(t *testing.T) {
	srv := Start(t)
	root := rootIAM(srv)
	ctx := context.Background()
	cases := loadSimCases(t)
	var ran, failed int
	skipped := map[string][]string{}
	for _, c := range cases {
		if why := c.customSkip(); why != "" {
			skipped[why] = append(skipped[why], c.ID)
			continue
		}
		ran++
		ok := t.Run(c.ID, func(t *testing.T) {
			out, err := root.SimulateCustomPolicy(ctx, c.customInput(t, false))
			if err != nil {
				t.Fatalf("SimulateCustomPolicy: %v", err)
			}
			if got := oneDecision(t, out.EvaluationResults, c); got != c.Expect {
				t.Errorf("EvalDecision %s, want %s (%s)\nresult: %s", got, c.Expect, c.Why, describeResult(out.EvaluationResults[0]))
			}
		})
		if !ok {
			failed++
		}
	}
	report(t, "SimulateCustomPolicy", len(cases), ran, failed, skipped)
}

// TestSimulateCustomPolicyResourceOwnerARN sends ResourceOwner, in the ARN
// form the API reference prescribes (arn:aws:iam::ACCOUNT:root), with every
// resource-policy case, also those where the owner is the caller's account:
// naming the owner explicitly must not change any decision.
func TestSimulateCustomPolicyResourceOwnerARN(t *testing.T) {
	srv := Start(t)
	root := rootIAM(srv)
	ctx := context.Background()
	n := 0
	for _, c := range loadSimCases(t) {
		if c.customSkip() != "" || !present(c.ResourcePolicy) {
			continue
		}
		n++
		t.Run(c.ID, func(t *testing.T) {
			in := c.customInput(t, true)
			out, err := root.SimulateCustomPolicy(ctx, in)
			if err != nil {
				t.Fatalf("SimulateCustomPolicy with ResourceOwner %s: %v", aws.ToString(in.ResourceOwner), err)
			}
			if got := oneDecision(t, out.EvaluationResults, c); got != c.Expect {
				t.Errorf("with ResourceOwner %s: EvalDecision %s, want %s (%s)", aws.ToString(in.ResourceOwner), got, c.Expect, c.Why)
			}
		})
	}
	t.Logf("%d resource-policy cases run with an explicit ResourceOwner", n)
}

// TestSimulatePrincipalPolicyCases stores each user-principal case's user
// (inline identity policies, a managed policy as its permissions boundary)
// and asks SimulatePrincipalPolicy, which must agree with the cases.
func TestSimulatePrincipalPolicyCases(t *testing.T) {
	srv := Start(t)
	root := rootIAM(srv)
	ctx := context.Background()
	cases := loadSimCases(t)
	var ran, failed int
	skipped := map[string][]string{}
	for _, c := range cases {
		why := c.customSkip()
		if why == "" && arnAccount(c.Principal) != srv.AccountID {
			why = "principal is in another account than the server's " + srv.AccountID + " (a stored user cannot be)"
		}
		if why == "" && len(policyList(t, c.PermissionBoundaries)) > 1 {
			why = "more than one permissions boundary (a user has at most one)"
		}
		if why != "" {
			skipped[why] = append(skipped[why], c.ID)
			continue
		}
		ran++
		ok := t.Run(c.ID, func(t *testing.T) {
			name := c.Principal[strings.LastIndex(c.Principal, "/")+1:]
			userARN := storeCaseUser(t, root, c, name)
			in := &iam.SimulatePrincipalPolicyInput{
				PolicySourceArn: aws.String(userARN),
				ActionNames:     []string{c.Action},
				ResourceArns:    []string{c.Resource},
				ContextEntries:  contextEntries(t, c.Context),
			}
			if present(c.ResourcePolicy) {
				in.ResourcePolicy = aws.String(policyText(t, c.ResourcePolicy))
			}
			out, err := root.SimulatePrincipalPolicy(ctx, in)
			if err != nil {
				t.Fatalf("SimulatePrincipalPolicy: %v", err)
			}
			if got := oneDecision(t, out.EvaluationResults, c); got != c.Expect {
				t.Errorf("EvalDecision %s, want %s (%s)\nresult: %s", got, c.Expect, c.Why, describeResult(out.EvaluationResults[0]))
			}
		})
		if !ok {
			failed++
		}
	}
	report(t, "SimulatePrincipalPolicy", len(cases), ran, failed, skipped)
}

// storeCaseUser creates the case's user with its identity policies inline
// (a managed policy attached instead when the inline quota is too small) and
// its boundary, removing it all when the subtest ends. It returns the user's ARN.
func storeCaseUser(t *testing.T, root *iam.Client, c simCase, name string) string {
	t.Helper()
	ctx := context.Background()
	u, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	var inline, managed []string
	t.Cleanup(func() {
		for _, p := range inline {
			_, _ = root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(p)})
		}
		for _, a := range managed {
			_, _ = root.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(a)})
		}
		_, _ = root.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String(name)})
		if _, err := root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)}); err != nil {
			t.Errorf("cleanup: DeleteUser %s: %v", name, err)
		}
		for _, a := range managed {
			if _, err := root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(a)}); err != nil {
				t.Errorf("cleanup: DeletePolicy %s: %v", a, err)
			}
		}
	})
	for i, doc := range c.identityDocs(t) {
		pn := fmt.Sprintf("identity-%d", i+1)
		_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(pn), PolicyDocument: aws.String(doc)})
		if apiCode(err) == "LimitExceeded" {
			p, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(c.ID + "-" + pn), PolicyDocument: aws.String(doc)})
			if err != nil {
				t.Fatalf("CreatePolicy for an identity policy over the inline quota: %v", err)
			}
			managed = append(managed, aws.ToString(p.Policy.Arn))
			if _, err := root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: p.Policy.Arn}); err != nil {
				t.Fatalf("AttachUserPolicy: %v", err)
			}
			t.Logf("identity policy %d is over the inline quota: attached as managed policy", i+1)
			continue
		}
		if err != nil {
			t.Fatalf("PutUserPolicy %s: %v\n%s", pn, err, doc)
		}
		inline = append(inline, pn)
	}
	if bs := policyList(t, c.PermissionBoundaries); len(bs) == 1 {
		p, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(c.ID + "-boundary"), PolicyDocument: aws.String(bs[0])})
		if err != nil {
			t.Fatalf("CreatePolicy boundary: %v", err)
		}
		managed = append(managed, aws.ToString(p.Policy.Arn))
		if _, err := root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String(name), PermissionsBoundary: p.Policy.Arn}); err != nil {
			t.Fatalf("PutUserPermissionsBoundary: %v", err)
		}
	}
	if got := aws.ToString(u.User.Arn); got != c.Principal {
		t.Fatalf("stored user's ARN %s is not the case's principal %s", got, c.Principal)
	}
	return aws.ToString(u.User.Arn)
}

func describeResult(r types.EvaluationResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s → %s", aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName), r.EvalDecision)
	for _, m := range r.MatchedStatements {
		fmt.Fprintf(&b, "; matched %s (%s)", aws.ToString(m.SourcePolicyId), m.SourcePolicyType)
	}
	if len(r.MissingContextValues) > 0 {
		fmt.Fprintf(&b, "; missing context %v", r.MissingContextValues)
	}
	if d := r.PermissionsBoundaryDecisionDetail; d != nil {
		fmt.Fprintf(&b, "; allowed by boundary: %v", d.AllowedByPermissionsBoundary)
	}
	return b.String()
}

func report(t *testing.T, api string, total, ran, failed int, skipped map[string][]string) {
	t.Helper()
	n := 0
	var lines []string
	for why, ids := range skipped {
		n += len(ids)
		lines = append(lines, fmt.Sprintf("  %d skipped: %s: %s", len(ids), why, strings.Join(ids, ", ")))
	}
	sort.Strings(lines)
	t.Logf("%s: %d cases, %d ran (%d failed), %d skipped\n%s", api, total, ran, failed, n, strings.Join(lines, "\n"))
}
