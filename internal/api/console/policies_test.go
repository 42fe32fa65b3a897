package console

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/store"
)

// The seed tutorial's policy: three actions are ecr's, not ecr-public's, and
// the resource is an ecr ARN.
const tutorialBrokenPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowPushPull","Effect":"Allow","Action":["ecr-public:BatchCheckLayerAvailability","ecr-public:PutImage","ecr-public:InitiateLayerUpload","ecr-public:UploadLayerPart","ecr-public:CompleteLayerUpload","ecr-public:ListImages","ecr-public:GetDownloadUrlForLayer","ecr-public:BatchGetImage"],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/my-public-repo"}]}`

// tutorialFixedPolicy is the same policy, fixed.
const tutorialFixedPolicy = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowPush",
            "Effect": "Allow",
            "Action": [
                "ecr-public:BatchCheckLayerAvailability",
                "ecr-public:PutImage",
                "ecr-public:InitiateLayerUpload",
                "ecr-public:UploadLayerPart",
                "ecr-public:CompleteLayerUpload"
            ],
            "Resource": "arn:aws:ecr-public::123456789012:repository/my-public-repo"
        }
    ]
}`

const polUserPassword = "User-Passw0rd!"

// polUser creates an IAM user with a console password (and the
// given managed policies attached) and signs in as them.
func (e *testEnv) polUser(name string, policyARNs ...string) *browser {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: name}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.IAM.CreateLoginProfile(ctx, e.Root, iam.CreateLoginProfileInput{UserName: name, Password: polUserPassword}); err != nil {
		e.t.Fatal(err)
	}
	for _, arn := range policyARNs {
		if err := e.IAM.AttachPolicy(ctx, e.Root, store.KindUser, name, arn); err != nil {
			e.t.Fatal(err)
		}
	}
	b := e.browser()
	b.signIn(name, polUserPassword)
	return b
}

// polCreate makes a customer-managed policy through the service.
func (e *testEnv) polCreate(name, doc string) string {
	e.t.Helper()
	p, err := e.IAM.CreatePolicy(context.Background(), e.Root, iam.CreatePolicyInput{PolicyName: name, PolicyDocument: doc})
	if err != nil {
		e.t.Fatal(err)
	}
	return p.ARN
}

// polPage fails unless status is want and body holds every snippet.
func polPage(t *testing.T, what string, status, want int, body string, snippets ...string) {
	t.Helper()
	if status != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, status, want, body)
	}
	for _, s := range snippets {
		if !strings.Contains(body, s) {
			t.Fatalf("%s: the page lacks %q\n%s", what, s, body)
		}
	}
}

func TestPolicyCreateFromTutorial(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	status, body := b.get("/console/iam/create/policy")
	polPage(t, "create form", status, 200, body, `id="policy-name"`, `id="policy-description"`, `id="policy-document"`, `name="document"`, `data-policy-editor="identity"`, `id="create-policy-submit"`)

	// The broken policy is refused with its findings, where they are.
	status, _, body = b.post("/console/iam/policies", url.Values{"name": {"ecr-push"}, "document": {tutorialBrokenPolicy}})
	polPage(t, "broken policy", status, http.StatusBadRequest, body,
		`data-code="MalformedPolicyDocument"`, "Fix the errors before you create the policy",
		`data-code="INVALID_ACTION"`, "ecr-public:ListImages does not exist", "Ln 1, Col 246", "Ln 1, Col 270", "Ln 1, Col 306",
		"RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE", `value="ecr-push"`)
	if !strings.Contains(body, html.EscapeString(tutorialBrokenPolicy)) {
		t.Fatalf("the refused document is not kept in the editor\n%s", body)
	}
	if ps, _, _ := e.IAM.ListPolicies(context.Background(), e.Root, "Local", "", false, iam.Page{}); len(ps) != 0 {
		t.Fatalf("a refused policy was created: %v", ps)
	}

	// The fixed one is created, and its page shows it.
	status, loc, body := b.post("/console/iam/policies", url.Values{"name": {"ecr-push"}, "description": {"Push to my-public-repo"}, "document": {tutorialFixedPolicy}})
	arn := "arn:aws:iam::" + testAccount + ":policy/ecr-push"
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/iam/policy?arn="+url.QueryEscape(arn)) {
		t.Fatalf("fixed policy: status %d, Location %q\n%s", status, loc, body)
	}
	status, body = b.get(loc)
	polPage(t, "policy page", status, 200, body, "Policy ecr-push created.", `id="policy-document-view"`, "ecr-public:CompleteLayerUpload",
		"Customer managed", "Push to my-public-repo", `id="policy-versions-table"`, `id="policy-entities-table"`, `id="edit-policy"`, `id="delete-policy"`, `id="attach-entities"`)

	// The list shows it, with its type and attachment count.
	status, body = b.get("/console/iam/policies?scope=Local")
	polPage(t, "list (Local)", status, 200, body, `id="policies-table"`, ">ecr-push</a>", "Customer managed", `id="create-policy"`, `id="policy-filter"`, `id="policy-search"`, `data-filter="#policies-table"`)
	if strings.Contains(body, "AdministratorAccess") {
		t.Fatal("scope=Local lists AWS-managed policies")
	}
	status, body = b.get("/console/iam/policies?scope=AWS&q=ecr")
	polPage(t, "list (AWS, q=ecr)", status, 200, body, "AmazonElasticContainerRegistryPublicFullAccess", "AWS managed")
	if strings.Contains(body, ">ecr-push</a>") || strings.Contains(body, "AdministratorAccess") {
		t.Fatalf("scope=AWS&q=ecr shows what it should not\n%s", body)
	}
	status, body = b.get("/console/iam/policies?scope=Nope")
	polPage(t, "bad scope", status, http.StatusBadRequest, body, "ValidationError")
}

func TestPolicyBadInput(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	b.get("/console/iam/create/policy")
	for _, tc := range []struct {
		name, policyName, doc string
		want                  []string
	}{
		{"invalid JSON", "p1", `{"Version": "2012-10-17", "Statement": [`, []string{"MalformedPolicyDocument", "Fix the errors before you create the policy"}},
		{"empty document", "p1", "  ", []string{"MalformedPolicyDocument", "The policy document is empty"}},
		{"empty name", "", tutorialFixedPolicy, []string{"ValidationError", "Enter a policy name"}},
		{"bad name", "no spaces allowed", tutorialFixedPolicy, []string{"ValidationError", "policyName"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := b.post("/console/iam/policies", url.Values{"name": {tc.policyName}, "document": {tc.doc}})
			polPage(t, tc.name, status, http.StatusBadRequest, body, tc.want...)
		})
	}
	// A page for a policy that does not exist, or no ARN at all.
	status, body := b.get("/console/iam/policy?arn=" + url.QueryEscape("arn:aws:iam::"+testAccount+":policy/nope"))
	polPage(t, "missing policy", status, http.StatusNotFound, body, "NoSuchEntity")
	status, body = b.get("/console/iam/policy")
	polPage(t, "no ARN", status, http.StatusBadRequest, body, "InvalidInput")
}

func TestValidatePolicyAPI(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	call := func(token string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/console/api/validate-policy?kind=identity", strings.NewReader(tutorialBrokenPolicy))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", e.URL)
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	status, body := call(b.csrf)
	if status != 200 {
		t.Fatalf("validate: status %d\n%s", status, body)
	}
	var got struct{ Findings []finding }
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range got.Findings {
		if f.Code == "INVALID_ACTION" {
			n++
			if f.Type != "ERROR" || f.Line != 1 || f.Column < 200 {
				t.Errorf("finding %+v: want an ERROR on line 1 past column 200", f)
			}
		}
	}
	if n != 3 {
		t.Fatalf("want 3 INVALID_ACTION findings, got %d: %s", n, body)
	}
	if status, body := call(""); status != http.StatusForbidden {
		t.Fatalf("without the CSRF header: status %d, want 403\n%s", status, body)
	}
}

func TestPolicyVersions(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	arn := e.polCreate("versioned", tutorialFixedPolicy)
	b := e.rootBrowser()
	status, body := b.get("/console/iam/policy/edit?arn=" + url.QueryEscape(arn))
	polPage(t, "edit form", status, 200, body, `id="policy-document"`, `id="set-default"`, "checked", `id="create-version-submit"`, "ecr-public:PutImage")

	v2 := strings.Replace(tutorialFixedPolicy, `"ecr-public:PutImage",`, `"ecr-public:PutImage", "ecr-public:DescribeImages",`, 1)
	status, loc, body := b.post("/console/iam/policy/versions", url.Values{"arn": {arn}, "document": {v2}, "set_default": {"1"}})
	if status != http.StatusSeeOther {
		t.Fatalf("create v2: %d\n%s", status, body)
	}
	status, body = b.get(loc)
	polPage(t, "after v2", status, 200, body, "Version v2 created and set as the default.", `data-version="v2"`, `data-version="v1"`, "ecr-public:DescribeImages", `id="set-default-v1"`)

	// A version that is not the default.
	status, _, body = b.post("/console/iam/policy/versions", url.Values{"arn": {arn}, "document": {tutorialFixedPolicy}})
	if status != http.StatusSeeOther {
		t.Fatalf("create v3: %d\n%s", status, body)
	}
	if mp, _ := e.IAM.GetPolicy(ctx, e.Root, arn); mp.DefaultVersionID != "v2" {
		t.Fatalf("default after an unchecked box: %s, want v2", mp.DefaultVersionID)
	}
	// View v3 by query.
	status, body = b.get("/console/iam/policy?arn=" + url.QueryEscape(arn) + "&version=v3")
	polPage(t, "view v3", status, 200, body, "(v3)")
	if strings.Contains(body, "ecr-public:DescribeImages") {
		t.Fatal("?version=v3 shows the default's document")
	}
	// A broken version is refused with findings.
	status, _, body = b.post("/console/iam/policy/versions", url.Values{"arn": {arn}, "document": {tutorialBrokenPolicy}, "set_default": {"1"}})
	polPage(t, "broken version", status, http.StatusBadRequest, body, "INVALID_ACTION", "Fix the errors before you save the new version")

	// Set default, delete a version, refuse to delete the default.
	status, _, body = b.post("/console/iam/policy/versions/default", url.Values{"arn": {arn}, "version": {"v3"}})
	if status != http.StatusSeeOther {
		t.Fatalf("set default: %d\n%s", status, body)
	}
	if mp, _ := e.IAM.GetPolicy(ctx, e.Root, arn); mp.DefaultVersionID != "v3" {
		t.Fatalf("default: %s, want v3", mp.DefaultVersionID)
	}
	status, _, body = b.post("/console/iam/policy/versions/delete", url.Values{"arn": {arn}, "version": {"v1"}})
	if status != http.StatusSeeOther {
		t.Fatalf("delete v1: %d\n%s", status, body)
	}
	status, _, body = b.post("/console/iam/policy/versions/delete", url.Values{"arn": {arn}, "version": {"v3"}})
	polPage(t, "delete the default", status, http.StatusConflict, body, "DeleteConflict", `id="policy-versions-table"`)

	// At most five versions: the sixth is refused with the service's error.
	for i := 0; i < 3; i++ {
		if status, _, body := b.post("/console/iam/policy/versions", url.Values{"arn": {arn}, "document": {tutorialFixedPolicy}}); status != http.StatusSeeOther {
			t.Fatalf("version %d: %d\n%s", i+4, status, body)
		}
	}
	status, _, body = b.post("/console/iam/policy/versions", url.Values{"arn": {arn}, "document": {tutorialFixedPolicy}})
	polPage(t, "sixth version", status, http.StatusConflict, body, "LimitExceeded", "up to 5 versions", `id="policy-document"`)

	// A policy with versions besides the default cannot be deleted.
	status, _, body = b.post("/console/iam/policy/delete", url.Values{"arn": {arn}})
	polPage(t, "delete with versions", status, http.StatusConflict, body, "DeleteConflict", "versions")
}

func TestPolicyAttachDetach(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	arn := e.polCreate("push", tutorialFixedPolicy)
	if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateGroup(ctx, e.Root, "devs", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateRole(ctx, e.Root, iam.CreateRoleInput{RoleName: "ci", AssumeRolePolicyDocument: defaultTrustPolicy(testAccount)}); err != nil {
		t.Fatal(err)
	}
	b := e.rootBrowser()
	status, body := b.get("/console/iam/policy/attach?arn=" + url.QueryEscape(arn))
	polPage(t, "attach page", status, 200, body, `value="user:alice"`, `value="group:devs"`, `value="role:ci"`, `id="attach-entities-submit"`)

	status, _, body = b.post("/console/iam/policy/attach", url.Values{"arn": {arn}})
	polPage(t, "attach nothing", status, http.StatusBadRequest, body, "Choose at least one")

	status, loc, body := b.post("/console/iam/policy/attach", url.Values{"arn": {arn}, "entity": {"user:alice", "group:devs", "role:ci"}})
	if status != http.StatusSeeOther {
		t.Fatalf("attach: %d\n%s", status, body)
	}
	users, groups, roles, err := e.IAM.ListEntitiesForPolicy(ctx, e.Root, arn)
	if err != nil || len(users) != 1 || len(groups) != 1 || len(roles) != 1 {
		t.Fatalf("attached to %v %v %v, %v", users, groups, roles, err)
	}
	status, body = b.get(loc)
	polPage(t, "policy page", status, 200, body, `data-entity="user:alice"`, `data-entity="group:devs"`, `data-entity="role:ci"`, "3 entities")

	// A partial failure reports each outcome.
	status, _, body = b.post("/console/iam/policy/attach", url.Values{"arn": {arn}, "entity": {"user:alice", "user:nobody"}})
	polPage(t, "partial attach", status, http.StatusNotFound, body, `id="attach-steps"`, "Attach to user alice", "Attach to user nobody", "NoSuchEntity", "Done", "Failed")

	// Attached policies cannot be deleted.
	status, _, body = b.post("/console/iam/policy/delete", url.Values{"arn": {arn}})
	polPage(t, "delete attached", status, http.StatusConflict, body, "DeleteConflict")

	for _, ref := range []string{"user:alice", "group:devs", "role:ci"} {
		if status, _, body := b.post("/console/iam/policy/detach", url.Values{"arn": {arn}, "entity": {ref}}); status != http.StatusSeeOther {
			t.Fatalf("detach %s: %d\n%s", ref, status, body)
		}
	}
	if users, groups, roles, _ := e.IAM.ListEntitiesForPolicy(ctx, e.Root, arn); len(users)+len(groups)+len(roles) != 0 {
		t.Fatalf("still attached to %v %v %v", users, groups, roles)
	}
	status, _, body = b.post("/console/iam/policy/detach", url.Values{"arn": {arn}, "entity": {"bogus"}})
	polPage(t, "detach a bad ref", status, http.StatusBadRequest, body, "InvalidInput")

	status, loc, body = b.post("/console/iam/policy/delete", url.Values{"arn": {arn}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/iam/policies") {
		t.Fatalf("delete: %d %s\n%s", status, loc, body)
	}
	if _, err := e.IAM.GetPolicy(ctx, e.Root, arn); err == nil {
		t.Fatal("the policy still exists")
	}
}

func TestAWSManagedPolicyIsReadOnly(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	arn := "arn:aws:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"
	status, body := b.get("/console/iam/policy?arn=" + url.QueryEscape(arn))
	polPage(t, "AWS managed policy", status, 200, body, "AWS managed", `id="policy-document-view"`, "ecr-public:", `id="attach-entities"`)
	for _, id := range []string{`id="edit-policy"`, `id="delete-policy"`, `id="set-default-`} {
		if strings.Contains(body, id) {
			t.Fatalf("an AWS-managed policy's page offers %s", id)
		}
	}
	status, _, body = b.post("/console/iam/policy/delete", url.Values{"arn": {arn}})
	polPage(t, "delete AWS managed", status, http.StatusBadRequest, body, "InvalidInput")
}

func TestPoliciesDenied(t *testing.T) {
	e := newTestEnv(t)
	b := e.polUser("nobody")
	status, body := b.get("/console/iam/policies")
	polPage(t, "list", status, http.StatusForbidden, body, `data-code="AccessDenied"`, "iam:ListPolicies", `data-testid="why"`, "no policy has an Allow statement")
	if strings.Contains(body, `id="policies-table"`) {
		t.Fatal("a denied list still shows a table")
	}
	b.get("/console/iam/create/policy")
	status, _, body = b.post("/console/iam/policies", url.Values{"name": {"mine"}, "document": {tutorialFixedPolicy}})
	polPage(t, "create", status, http.StatusForbidden, body, `data-code="AccessDenied"`, "iam:CreatePolicy", `data-testid="why"`, `value="mine"`)
	if _, err := e.IAM.GetPolicy(context.Background(), e.Root, "arn:aws:iam::"+testAccount+":policy/mine"); err == nil {
		t.Fatal("a denied create created the policy")
	}
}
