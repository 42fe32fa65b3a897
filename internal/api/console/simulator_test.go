package console

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// simPolicy allows pushing to "app" and denies deleting any repository.
const simPolicy = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Push",
            "Effect": "Allow",
            "Action": ["ecr-public:PutImage", "ecr-public:DeleteRepository"],
            "Resource": "arn:aws:ecr-public::123456789012:repository/app"
        },
        {
            "Sid": "NoDelete",
            "Effect": "Deny",
            "Action": "ecr-public:DeleteRepository",
            "Resource": "*"
        }
    ]
}`

const simRepo = "arn:aws:ecr-public::123456789012:repository/app"

// simRow returns the decision of the results row for action, or "".
func simRow(body, action string) string {
	re := regexp.MustCompile(`data-sim-action="` + regexp.QuoteMeta(action) + `" data-sim-resource="[^"]*" data-decision="([a-zA-Z]+)"`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func wantDecisions(t *testing.T, body string, want map[string]string) {
	t.Helper()
	for action, d := range want {
		if got := simRow(body, action); got != d {
			t.Errorf("%s: decision %q, want %q", action, got, d)
		}
		if !strings.Contains(body, `class="badge sim-decision decision-`+d+`">`+d+`</span>`) {
			t.Errorf("no %s badge", d)
		}
	}
	if t.Failed() {
		t.Fatalf("page:\n%s", body)
	}
}

func TestSimulatorPrincipal(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	arn := e.polCreate("sim", simPolicy)
	if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := e.IAM.AttachPolicy(ctx, e.Root, store.KindUser, "alice", arn); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateGroup(ctx, e.Root, "devs", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.IAM.PutInlinePolicy(ctx, e.Root, store.KindGroup, "devs", "describe", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:DescribeImages","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	if err := e.IAM.AddUserToGroup(ctx, e.Root, "devs", "alice"); err != nil {
		t.Fatal(err)
	}
	b := e.rootBrowser()
	status, body := b.get("/console/simulator")
	polPage(t, "form", status, 200, body, `id="sim-principal"`, `<option value="user:alice">`, `<option value="group:devs">`, `id="sim-policies"`, `id="sim-actions"`,
		`id="sim-resources"`, `id="sim-resource-policy"`, `name="ctx_key"`, `name="ctx_type"`, `name="ctx_values"`, `id="sim-run"`, `value="ecr-public:PutImage"`, "/console/static/simulator.css")

	status, _, body = b.post("/console/simulator", url.Values{"principal": {"user:alice"}, "actions": {"ecr-public:PutImage, ecr-public:DeleteRepository\necr-public:BatchDeleteImage"},
		"action_pick": {"ecr-public:DescribeImages"}, "resources": {simRepo}})
	polPage(t, "simulate alice", status, 200, body, `id="sim-results"`, "<details", arn, "denied by", "nearest miss")
	wantDecisions(t, body, map[string]string{
		"ecr-public:PutImage":         "allowed",
		"ecr-public:DeleteRepository": "explicitDeny",
		"ecr-public:BatchDeleteImage": "implicitDeny",
		"ecr-public:DescribeImages":   "allowed",
	})
	// The matched statements' lines are highlighted in the policy, and the
	// group's inline policy is found through the user's groups.
	if !regexp.MustCompile(`<span class="ln hl"><span class="lnum" aria-hidden="true">5</span>`).MatchString(body) {
		t.Fatalf("line 5 (the Push statement) is not highlighted:\n%s", body)
	}
	if strings.Contains(body, `<span class="ln hl"><span class="lnum" aria-hidden="true">2</span>`) {
		t.Fatal("line 2 is highlighted but is in no statement")
	}
	if !strings.Contains(body, "group policy <code>describe</code>") || strings.Contains(body, "is not available to the console") {
		t.Fatalf("the group's inline policy is not shown:\n%s", body)
	}
	// The form keeps what was typed.
	polPage(t, "kept", status, 200, body, `<option value="user:alice" selected>`, `<option value="ecr-public:DescribeImages" selected>`)

	// A group is simulated with its policies.
	status, _, body = b.post("/console/simulator", url.Values{"principal": {"group:devs"}, "actions": {"ecr-public:DescribeImages\necr-public:PutImage"}})
	polPage(t, "simulate group", status, 200, body)
	wantDecisions(t, body, map[string]string{"ecr-public:DescribeImages": "allowed", "ecr-public:PutImage": "implicitDeny"})
}

func TestSimulatorCustomPolicies(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	b.get("/console/simulator")
	second := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr-public:PutImage","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	form := url.Values{"policies": {simPolicy + "\n---\n" + second}, "actions": {"ecr-public:PutImage\necr-public:DeleteRepository\necr-public:BatchDeleteImage"}, "resources": {simRepo},
		"ctx_key": {"aws:SourceIp", "", ""}, "ctx_type": {"ip", "string", "string"}, "ctx_values": {"203.0.113.7", "", ""}}
	status, _, body := b.post("/console/simulator", form)
	polPage(t, "custom", status, 200, body, "PolicyInputList.1", "PolicyInputList.2", `value="aws:SourceIp"`, "Simulated the pasted policies.")
	wantDecisions(t, body, map[string]string{
		"ecr-public:PutImage":         "explicitDeny", // the second policy, from outside 10/8
		"ecr-public:DeleteRepository": "explicitDeny",
		"ecr-public:BatchDeleteImage": "implicitDeny",
	})
	// From inside 10/8 the push is allowed.
	form.Set("ctx_values", "10.1.2.3")
	form["ctx_values"] = []string{"10.1.2.3", "", ""}
	status, _, body = b.post("/console/simulator", form)
	polPage(t, "custom, inside", status, 200, body)
	wantDecisions(t, body, map[string]string{"ecr-public:PutImage": "allowed"})

	// Without the context value, the condition's key is reported missing.
	status, _, body = b.post("/console/simulator", url.Values{"policies": {second}, "actions": {"ecr-public:PutImage"}})
	polPage(t, "missing context", status, 200, body, "Missing context values:</strong> <code>aws:SourceIp</code>")

	// With a resource policy as well.
	rp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr-public:BatchDeleteImage","Resource":"*"}]}`
	status, _, body = b.post("/console/simulator", url.Values{"policies": {second}, "actions": {"ecr-public:BatchDeleteImage"}, "resources": {simRepo}, "resource_policy": {rp}})
	polPage(t, "resource policy", status, 200, body, "ResourcePolicy1")
	wantDecisions(t, body, map[string]string{"ecr-public:BatchDeleteImage": "allowed"})
}

func TestSimulatorBadInput(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	b.get("/console/simulator")
	for _, tc := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"no action", url.Values{"policies": {simPolicy}}, []string{"Enter at least one action"}},
		{"no policy", url.Values{"actions": {"ecr-public:PutImage"}}, []string{"Choose a user, group or role, or paste at least one policy"}},
		{"invalid JSON", url.Values{"policies": {`{"Version": "2012-10-17", "Statement": [`}, "actions": {"ecr-public:PutImage"}}, []string{"MalformedPolicyDocument", "PolicyInputList. 1"}},
		{"bad principal", url.Values{"principal": {"robot:x"}, "actions": {"ecr-public:PutImage"}}, []string{"InvalidInput"}},
		{"bad context type", url.Values{"policies": {simPolicy}, "actions": {"ecr-public:PutImage"}, "ctx_key": {"aws:SourceIp"}, "ctx_type": {"ipv6"}, "ctx_values": {"x"}}, []string{"ValidationError", "contextKeyType"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := b.post("/console/simulator", tc.form)
			polPage(t, tc.name, status, http.StatusBadRequest, body, tc.want...)
			if strings.Contains(body, `id="sim-results"`) {
				t.Fatal("results shown for bad input")
			}
		})
	}
	status, _, body := b.post("/console/simulator", url.Values{"principal": {"user:ghost"}, "actions": {"ecr-public:PutImage"}})
	polPage(t, "missing user", status, http.StatusNotFound, body, "NoSuchEntity")
}

func TestSimulatorDenied(t *testing.T) {
	e := newTestEnv(t)
	b := e.polUser("nobody")
	status, body := b.get("/console/simulator")
	polPage(t, "form", status, 200, body, `id="sim-run"`, "Some principals could not be listed", "iam:ListUsers")
	status, _, body = b.post("/console/simulator", url.Values{"policies": {simPolicy}, "actions": {"ecr-public:PutImage"}})
	polPage(t, "custom", status, http.StatusForbidden, body, `data-code="AccessDenied"`, "iam:SimulateCustomPolicy", `data-testid="why"`)
	status, _, body = b.post("/console/simulator", url.Values{"principal": {"user:nobody"}, "actions": {"ecr-public:PutImage"}})
	polPage(t, "principal", status, http.StatusForbidden, body, `data-code="AccessDenied"`, "iam:SimulatePrincipalPolicy", `data-testid="why"`)
}

func TestHighlightLines(t *testing.T) {
	doc := "{\"Statement\":[{\"Effect\":\"Allow\"},{\"Effect\":\"Deny\"}]}"
	// The second statement on a one-line document: only its text is marked.
	ls := highlightLines(doc, []policy.MatchedStatement{{StartPosition: policy.PositionShape{Line: 1, Column: 34}, EndPosition: policy.PositionShape{Line: 1, Column: 51}}})
	if len(ls) != 1 || !ls[0].HL || ls[0].Mark != `{"Effect":"Deny"}` || ls[0].Pre+ls[0].Mark+ls[0].Post != doc {
		t.Fatalf("one line: %+v", ls)
	}
	ls = highlightLines("{\n  \"a\": {\n    \"b\": 1\n  }\n}\n", []policy.MatchedStatement{{StartPosition: policy.PositionShape{Line: 2, Column: 8}, EndPosition: policy.PositionShape{Line: 4, Column: 4}}})
	var hl []int
	for _, l := range ls {
		if l.HL {
			hl = append(hl, l.N)
		}
	}
	if len(ls) != 5 || len(hl) != 3 || hl[0] != 2 || hl[2] != 4 {
		t.Fatalf("multi-line: %+v", ls)
	}
}
