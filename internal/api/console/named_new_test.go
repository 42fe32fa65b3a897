package console

import (
	"net/http"
	"net/url"
	"testing"
)

// Users, groups, roles and repositories may be named "new", so their create
// forms live outside their paths: the list's create button opens the form
// at its own path, an entity named "new" is created from it, its page shows
// it rather than the form, and its delete action reaches it.
func TestEntitiesNamedNew(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	for _, c := range []struct {
		kind   string
		list   string // the list page, with the create button
		form   string // the create form's path
		formID string
		create func() (int, string) // submits the form for "new": status, body
		// created is the create POST's status: users get their one-time
		// credentials page, the rest a redirect to the new entity.
		created    int
		page       string // the entity's page
		title      string
		deletePath string
		deleteForm url.Values
	}{
		{
			kind: "user", list: "/console/iam/users", form: "/console/iam/create/user", formID: `id="create-user-form"`,
			create: func() (int, string) {
				status, _, body := b.post("/console/iam/users", url.Values{"username": {"new"}})
				return status, body
			},
			created: http.StatusOK, page: "/console/iam/users/new", title: "<h1>new</h1>", deletePath: "/console/iam/users/new/delete",
		},
		{
			kind: "group", list: "/console/iam/groups", form: "/console/iam/create/group", formID: `id="create-group-form"`,
			create: func() (int, string) {
				status, _, body := b.post("/console/iam/groups", url.Values{"name": {"new"}})
				return status, body
			},
			created: http.StatusSeeOther, page: "/console/iam/groups/new", title: "<h1>new</h1>", deletePath: "/console/iam/groups/new/delete",
		},
		{
			kind: "role", list: "/console/iam/roles", form: "/console/iam/create/role", formID: `id="create-role-form"`,
			create: func() (int, string) {
				status, _, body := b.post("/console/iam/roles", url.Values{"name": {"new"}, "trust_policy": {defaultTrustPolicy(testAccount)}})
				return status, body
			},
			created: http.StatusSeeOther, page: "/console/iam/roles/new", title: "<h1>new</h1>", deletePath: "/console/iam/roles/new/delete",
		},
		{
			kind: "repository", list: "/console/ecr/repositories", form: "/console/ecr/create/repository", formID: `id="create-repository-form"`,
			create: func() (int, string) {
				status, _, body := b.postMultipart("/console/ecr/repositories", url.Values{"name": {"new"}}, nil)
				return status, body
			},
			created: http.StatusSeeOther, page: "/console/ecr/repositories/new", title: `id="repository-title">new</h1>`,
			deletePath: "/console/ecr/repositories/new", deleteForm: url.Values{"action": {"delete"}},
		},
	} {
		t.Run(c.kind, func(t *testing.T) {
			status, body := b.get(c.list)
			wantStatus(t, "list", status, http.StatusOK, body)
			wantIn(t, "list", body, `href="`+c.form+`"`)
			status, body = b.get(c.form)
			wantStatus(t, "create form", status, http.StatusOK, body)
			wantIn(t, "create form", body, c.formID)
			status, body = c.create()
			wantStatus(t, "create", status, c.created, body)

			status, body = b.get(c.page)
			wantStatus(t, "page", status, http.StatusOK, body)
			wantIn(t, "page", body, c.title)
			wantNotIn(t, "page", body, c.formID)

			status, _, body = b.post(c.deletePath, c.deleteForm)
			wantStatus(t, "delete", status, http.StatusSeeOther, body)
			status, body = b.get(c.page)
			wantStatus(t, "page after delete", status, http.StatusNotFound, body)
			wantNotIn(t, "page after delete", body, c.formID)
		})
	}

	// Policies are addressed by ARN, so their form could stay beside them,
	// but it moved with the others.
	status, body := b.get("/console/iam/policies")
	wantStatus(t, "policy list", status, http.StatusOK, body)
	wantIn(t, "policy list", body, `href="/console/iam/create/policy"`)
	status, body = b.get("/console/iam/create/policy")
	wantStatus(t, "policy create form", status, http.StatusOK, body)
	wantIn(t, "policy create form", body, `id="create-policy-form"`)
}
