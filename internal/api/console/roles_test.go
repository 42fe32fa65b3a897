package console

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/store"
)

func TestRoleLifecycle(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	arn := e.polCreate("push", tutorialFixedPolicy)
	b := e.rootBrowser()
	status, body := b.get("/console/iam/roles")
	polPage(t, "empty list", status, 200, body, `id="roles-table"`, `id="create-role"`)
	status, body = b.get("/console/iam/create/role")
	polPage(t, "create form", status, 200, body, `id="role-name"`, `id="role-description"`, `id="role-max-session"`, `id="trust-policy"`, `name="trust_policy"`,
		`data-policy-editor="trust"`, "arn:aws:iam::"+testAccount+":root", "sts:AssumeRole", `value="`+arn+`"`, `id="create-role-submit"`)

	trust := defaultTrustPolicy(testAccount)
	status, _, body = b.post("/console/iam/roles", url.Values{"name": {"ci"}, "trust_policy": {`{"Version":"2012-10-17","Statement":[`}})
	polPage(t, "bad trust JSON", status, http.StatusBadRequest, body, "MalformedPolicyDocument", "Fix the errors before you create the role", `value="ci"`)
	status, _, body = b.post("/console/iam/roles", url.Values{"name": {""}, "trust_policy": {trust}})
	polPage(t, "empty name", status, http.StatusBadRequest, body, "Enter a role name")
	status, _, body = b.post("/console/iam/roles", url.Values{"name": {"ci"}, "trust_policy": {trust}, "max_session": {"99"}})
	polPage(t, "bad duration", status, http.StatusBadRequest, body, "maxSessionDuration")

	status, loc, body := b.post("/console/iam/roles", url.Values{"name": {"ci"}, "description": {"CI pushes"}, "max_session": {"7200"}, "trust_policy": {trust}, "policy": {arn}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/iam/roles/ci?") {
		t.Fatalf("create: %d %q\n%s", status, loc, body)
	}
	status, body = b.get(loc)
	polPage(t, "role page", status, 200, body, "Role ci created.", "arn:aws:iam::"+testAccount+":role/ci", "2 hours", "CI pushes", `id="role-trust-policy-view"`,
		html.EscapeString(`"AWS": "arn:aws:iam::`+testAccount+`:root"`), `id="role-policies-table"`, `data-arn="`+arn+`"`, `id="edit-trust-policy"`, `id="delete-role"`)
	status, body = b.get("/console/iam/roles")
	polPage(t, "list", status, 200, body, `data-role="ci"`, "CI pushes")

	// Update the trust policy; a broken one is refused.
	status, body = b.get("/console/iam/roles/ci/trust")
	polPage(t, "trust form", status, 200, body, `id="trust-policy"`, `id="update-trust-submit"`, "sts:AssumeRole")
	status, _, body = b.post("/console/iam/roles/ci/trust", url.Values{"trust_policy": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`}})
	polPage(t, "trust without principal", status, http.StatusBadRequest, body, "MalformedPolicyDocument")
	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/alice"},"Action":"sts:AssumeRole"}]}`
	if status, _, body := b.post("/console/iam/roles/ci/trust", url.Values{"trust_policy": {newTrust}}); status != http.StatusSeeOther {
		t.Fatalf("update trust: %d\n%s", status, body)
	}
	if r, _ := e.IAM.GetRole(ctx, e.Root, "ci"); r.AssumeRolePolicy != newTrust {
		t.Fatalf("trust policy: %s", r.AssumeRolePolicy)
	}

	// Inline policy on a role.
	if status, _, body := b.post("/console/iam/roles/ci/inline", url.Values{"new": {"1"}, "policy_name": {"extra"}, "document": {tutorialFixedPolicy}}); status != http.StatusSeeOther {
		t.Fatalf("inline: %d\n%s", status, body)
	}
	status, body = b.get("/console/iam/roles/ci")
	polPage(t, "role with inline", status, 200, body, `data-policy="extra"`)

	// A role with policies cannot be deleted.
	status, _, body = b.post("/console/iam/roles/ci/delete", nil)
	polPage(t, "delete busy", status, http.StatusConflict, body, "DeleteConflict", `id="role-policies-table"`)
	if status, _, body := b.post("/console/iam/roles/ci/policies/detach", url.Values{"arn": {arn}}); status != http.StatusSeeOther {
		t.Fatalf("detach: %d\n%s", status, body)
	}
	if ps, _ := e.IAM.ListAttachedPolicies(ctx, e.Root, store.KindRole, "ci", ""); len(ps) != 0 {
		t.Fatalf("still attached: %v", ps)
	}
	b.post("/console/iam/roles/ci/inline/delete", url.Values{"policy": {"extra"}})
	if status, _, body := b.post("/console/iam/roles/ci/delete", nil); status != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%s", status, body)
	}
	if _, err := e.IAM.GetRole(ctx, e.Root, "ci"); err == nil {
		t.Fatal("the role still exists")
	}
}

func TestRolesDenied(t *testing.T) {
	e := newTestEnv(t)
	b := e.polUser("nobody")
	status, body := b.get("/console/iam/roles")
	polPage(t, "list", status, http.StatusForbidden, body, `data-code="AccessDenied"`, "iam:ListRoles", `data-testid="why"`)
	b.get("/console/iam/create/role")
	status, _, body = b.post("/console/iam/roles", url.Values{"name": {"mine"}, "trust_policy": {defaultTrustPolicy(testAccount)}})
	polPage(t, "create", status, http.StatusForbidden, body, `data-code="AccessDenied"`, "iam:CreateRole", `value="mine"`)
}
