package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/store"
)

func TestGroupLifecycle(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	arn := e.polCreate("push", tutorialFixedPolicy)
	for _, u := range []string{"alice", "bob"} {
		if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: u}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.rootBrowser()
	status, body := b.get("/console/iam/groups")
	polPage(t, "empty list", status, 200, body, `id="groups-table"`, `id="create-group"`, "No user groups yet.")
	status, body = b.get("/console/iam/create/group")
	polPage(t, "create form", status, 200, body, `id="group-name"`, `name="policy"`, `value="`+arn+`"`, `name="user" value="alice"`, `id="create-group-submit"`)

	status, _, body = b.post("/console/iam/groups", url.Values{"name": {""}})
	polPage(t, "empty name", status, http.StatusBadRequest, body, "ValidationError", "Enter a group name", `id="group-name"`)

	status, loc, body := b.post("/console/iam/groups", url.Values{"name": {"devs"}, "user": {"alice"}, "policy": {arn}})
	if status != http.StatusSeeOther || loc != "/console/iam/groups/devs?flash=User+group+devs+created." {
		t.Fatalf("create: %d %q\n%s", status, loc, body)
	}
	status, body = b.get(loc)
	polPage(t, "group page", status, 200, body, "User group devs created.", `id="group-users-table"`, `data-user="alice"`, `id="group-policies-table"`, `data-arn="`+arn+`"`,
		`id="group-add-user"`, `<option value="bob">`, `id="group-inline-table"`, `id="create-inline-policy"`, `id="delete-group"`)
	status, _, body = b.post("/console/iam/groups", url.Values{"name": {"devs"}})
	polPage(t, "create again", status, http.StatusConflict, body, "EntityAlreadyExists")

	// Add and remove users.
	if status, _, body := b.post("/console/iam/groups/devs/users", url.Values{"user": {"bob"}}); status != http.StatusSeeOther {
		t.Fatalf("add bob: %d\n%s", status, body)
	}
	if status, _, body := b.post("/console/iam/groups/devs/users/remove", url.Values{"user": {"alice"}}); status != http.StatusSeeOther {
		t.Fatalf("remove alice: %d\n%s", status, body)
	}
	_, members, _, err := e.IAM.GetGroup(ctx, e.Root, "devs", iam.Page{})
	if err != nil || len(members) != 1 || members[0].Name != "bob" {
		t.Fatalf("members %v, %v; want bob", members, err)
	}
	status, _, body = b.post("/console/iam/groups/devs/users", url.Values{"user": {"nobody"}})
	polPage(t, "add a missing user", status, http.StatusNotFound, body, "NoSuchEntity", `id="group-users-table"`)

	// Inline policies: create, view, refuse a broken one, delete.
	status, body = b.get("/console/iam/groups/devs/inline/edit")
	polPage(t, "inline form", status, 200, body, `id="inline-policy-name"`, `id="inline-policy-document"`, `id="inline-policy-submit"`)
	status, _, body = b.post("/console/iam/groups/devs/inline", url.Values{"new": {"1"}, "policy_name": {"pull"}, "document": {tutorialBrokenPolicy}})
	polPage(t, "broken inline", status, http.StatusBadRequest, body, "INVALID_ACTION", "Fix the errors before you save the policy")
	if status, _, body := b.post("/console/iam/groups/devs/inline", url.Values{"new": {"1"}, "policy_name": {"pull"}, "document": {tutorialFixedPolicy}}); status != http.StatusSeeOther {
		t.Fatalf("put inline: %d\n%s", status, body)
	}
	status, body = b.get("/console/iam/groups/devs/inline?policy=pull")
	polPage(t, "inline view", status, 200, body, `id="inline-policy-view"`, "ecr-public:PutImage")
	status, body = b.get("/console/iam/groups/devs/inline/edit?policy=pull")
	polPage(t, "inline edit", status, 200, body, `value="pull"`, "ecr-public:PutImage")

	// Attach and detach from the group page.
	other := e.polCreate("other", tutorialFixedPolicy)
	if status, _, body := b.post("/console/iam/groups/devs/policies", url.Values{"policy": {other}}); status != http.StatusSeeOther {
		t.Fatalf("attach: %d\n%s", status, body)
	}
	if ps, _ := e.IAM.ListAttachedPolicies(ctx, e.Root, store.KindGroup, "devs", ""); len(ps) != 2 {
		t.Fatalf("attached: %v", ps)
	}

	// A group with members and policies cannot be deleted.
	status, _, body = b.post("/console/iam/groups/devs/delete", nil)
	polPage(t, "delete a busy group", status, http.StatusConflict, body, "DeleteConflict", `id="group-users-table"`)

	b.post("/console/iam/groups/devs/users/remove", url.Values{"user": {"bob"}})
	for _, a := range []string{arn, other} {
		if status, _, body := b.post("/console/iam/groups/devs/policies/detach", url.Values{"arn": {a}}); status != http.StatusSeeOther {
			t.Fatalf("detach: %d\n%s", status, body)
		}
	}
	if status, _, body := b.post("/console/iam/groups/devs/inline/delete", url.Values{"policy": {"pull"}}); status != http.StatusSeeOther {
		t.Fatalf("delete inline: %d\n%s", status, body)
	}
	status, loc, body = b.post("/console/iam/groups/devs/delete", nil)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/iam/groups?") {
		t.Fatalf("delete: %d %q\n%s", status, loc, body)
	}
	status, body = b.get("/console/iam/groups/devs")
	polPage(t, "deleted group", status, http.StatusNotFound, body, "NoSuchEntity")
}

// A group whose later steps fail still exists; the page says which steps failed.
func TestGroupCreatePartialFailure(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	b.get("/console/iam/create/group")
	missing := "arn:aws:iam::" + testAccount + ":policy/missing"
	status, _, body := b.post("/console/iam/groups", url.Values{"name": {"ops"}, "user": {"ghost"}, "policy": {"arn:aws:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly", missing}})
	polPage(t, "partial", status, http.StatusNotFound, body, `id="create-steps"`, "Create group ops", "Add user ghost", "Attach AmazonElasticContainerRegistryPublicReadOnly", "Attach missing", "NoSuchEntity", "Go to the group")
	if _, _, _, err := e.IAM.GetGroup(context.Background(), e.Root, "ops", iam.Page{}); err != nil {
		t.Fatalf("the group was not created: %v", err)
	}
	if ps, _ := e.IAM.ListAttachedPolicies(context.Background(), e.Root, store.KindGroup, "ops", ""); len(ps) != 1 {
		t.Fatalf("attached: %v, want the one that exists", ps)
	}
}

func TestGroupsDenied(t *testing.T) {
	e := newTestEnv(t)
	b := e.polUser("nobody")
	status, body := b.get("/console/iam/groups")
	polPage(t, "list", status, http.StatusForbidden, body, `data-code="AccessDenied"`, "iam:ListGroups", `data-testid="why"`)
	b.get("/console/iam/create/group")
	status, _, body = b.post("/console/iam/groups", url.Values{"name": {"mine"}})
	polPage(t, "create", status, http.StatusForbidden, body, `data-code="AccessDenied"`, "iam:CreateGroup", `value="mine"`)
	if _, _, _, err := e.IAM.GetGroup(context.Background(), e.Root, "mine", iam.Page{}); err == nil {
		t.Fatal("a denied create created the group")
	}
}
