package iam

import (
	"sort"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/store"
)

const (
	detailsAllowDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*"}]}`
	detailsTrustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
)

// detailsFixture builds: group devs (inline + customer policy "shared");
// user alice in devs (inline, AWS-managed IAMReadOnlyAccess, boundary
// "limits"); user bob (nothing); role builder (inline, "shared", tags, the
// AWS-managed PowerUserAccess as its boundary); "shared" with two versions;
// "unused" attached nowhere.
func detailsFixture(t *testing.T) (*acctEnv, map[string]string) {
	t.Helper()
	e := newAcctEnv(t)
	ctx, root := e.ctx, e.root
	arns := map[string]string{}
	for _, name := range []string{"shared", "limits", "unused"} {
		p, err := e.svc.CreatePolicy(ctx, root, CreatePolicyInput{PolicyName: name, PolicyDocument: detailsAllowDoc, Description: "the " + name + " policy"})
		if err != nil {
			t.Fatal(err)
		}
		arns[name] = p.ARN
	}
	if _, err := e.svc.CreatePolicyVersion(ctx, root, arns["shared"], strings.Replace(detailsAllowDoc, "ecr-public:*", "ecr-public:Describe*", 1), true); err != nil {
		t.Fatal(err)
	}
	arns["IAMReadOnlyAccess"] = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	arns["PowerUserAccess"] = "arn:aws:iam::aws:policy/PowerUserAccess"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.CreateGroup(ctx, root, "devs", "")
	must(err)
	must(e.svc.PutInlinePolicy(ctx, root, store.KindGroup, "devs", "group-inline", detailsAllowDoc))
	must(e.svc.AttachPolicy(ctx, root, store.KindGroup, "devs", arns["shared"]))
	_, err = e.svc.CreateUser(ctx, root, CreateUserInput{UserName: "alice", Path: "/people/", PermissionsBoundary: arns["limits"], Tags: []store.Tag{{Key: "team", Value: "a"}}})
	must(err)
	e.user(t, "bob")
	must(e.svc.AddUserToGroup(ctx, root, "devs", "alice"))
	must(e.svc.PutInlinePolicy(ctx, root, store.KindUser, "alice", "user-inline", detailsAllowDoc))
	must(e.svc.AttachPolicy(ctx, root, store.KindUser, "alice", arns["IAMReadOnlyAccess"]))
	_, err = e.svc.CreateRole(ctx, root, CreateRoleInput{RoleName: "builder", AssumeRolePolicyDocument: detailsTrustDoc, PermissionsBoundary: arns["PowerUserAccess"],
		Tags: []store.Tag{{Key: "env", Value: "ci"}}})
	must(err)
	must(e.svc.PutInlinePolicy(ctx, root, store.KindRole, "builder", "role-inline", detailsAllowDoc))
	must(e.svc.AttachPolicy(ctx, root, store.KindRole, "builder", arns["shared"]))
	return e, arns
}

func policyNames(ps []ManagedPolicyDetail) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

func TestGetAccountAuthorizationDetails(t *testing.T) {
	e, arns := detailsFixture(t)
	d, err := e.svc.GetAccountAuthorizationDetails(e.ctx, e.root, nil, Page{})
	if err != nil {
		t.Fatal(err)
	}

	if len(d.Users) != 2 || d.Users[0].Name != "alice" || d.Users[1].Name != "bob" {
		t.Fatalf("users = %+v", d.Users)
	}
	alice := d.Users[0]
	if strings.Join(alice.Groups, ",") != "devs" || len(alice.InlinePolicies) != 1 || alice.InlinePolicies[0].Name != "user-inline" ||
		alice.InlinePolicies[0].Document != detailsAllowDoc || len(alice.Attached) != 1 || alice.Attached[0].ARN != arns["IAMReadOnlyAccess"] ||
		alice.PermissionsBoundary != arns["limits"] || alice.Path != "/people/" || len(alice.Tags) != 1 {
		t.Errorf("alice = %+v", alice)
	}
	if bob := d.Users[1]; len(bob.Groups)+len(bob.InlinePolicies)+len(bob.Attached) != 0 {
		t.Errorf("bob = %+v", bob)
	}
	if len(d.Groups) != 1 || d.Groups[0].Name != "devs" || len(d.Groups[0].InlinePolicies) != 1 || len(d.Groups[0].Attached) != 1 || d.Groups[0].Attached[0].Name != "shared" {
		t.Errorf("groups = %+v", d.Groups)
	}
	if len(d.Roles) != 1 {
		t.Fatalf("roles = %+v", d.Roles)
	}
	if r := d.Roles[0]; r.Name != "builder" || r.AssumeRolePolicy != detailsTrustDoc || len(r.InlinePolicies) != 1 || len(r.Attached) != 1 ||
		r.PermissionsBoundary != arns["PowerUserAccess"] || len(r.Tags) != 1 {
		t.Errorf("role = %+v", r)
	}

	// Every customer-managed policy; AWS-managed ones only when in use:
	// IAMReadOnlyAccess attached, PowerUserAccess a boundary.
	if got := strings.Join(policyNames(d.Policies), ","); got != "IAMReadOnlyAccess,PowerUserAccess,limits,shared,unused" {
		t.Fatalf("policies = %s", got)
	}
	byName := map[string]ManagedPolicyDetail{}
	for _, p := range d.Policies {
		byName[p.Name] = p
	}
	for name, want := range map[string][2]int{"shared": {2, 0}, "limits": {0, 1}, "unused": {0, 0}, "IAMReadOnlyAccess": {1, 0}, "PowerUserAccess": {0, 1}} {
		if p := byName[name]; p.AttachmentCount != want[0] || p.PermissionsBoundaryUsageCount != want[1] {
			t.Errorf("%s: attachments %d, boundary uses %d; want %v", name, p.AttachmentCount, p.PermissionsBoundaryUsageCount, want)
		}
	}
	shared := byName["shared"]
	if len(shared.Versions) != 2 || shared.Versions[0].VersionID != "v2" || shared.Versions[1].VersionID != "v1" || shared.DefaultVersionID != "v2" ||
		!strings.Contains(shared.Versions[0].Document, "Describe*") {
		t.Errorf("shared versions = %+v", shared.Versions)
	}
	if len(byName["IAMReadOnlyAccess"].Versions) != 1 || byName["IAMReadOnlyAccess"].Versions[0].Document == "" {
		t.Errorf("IAMReadOnlyAccess versions = %+v", byName["IAMReadOnlyAccess"].Versions)
	}
}

func TestGetAccountAuthorizationDetailsFilter(t *testing.T) {
	e, _ := detailsFixture(t)
	for _, c := range []struct {
		filter                        []string
		users, groups, roles, polices string
	}{
		{[]string{"Role"}, "", "", "builder", ""},
		{[]string{"User", "Group"}, "alice,bob", "devs", "", ""},
		{[]string{"LocalManagedPolicy"}, "", "", "", "limits,shared,unused"},
		{[]string{"AWSManagedPolicy"}, "", "", "", "IAMReadOnlyAccess,PowerUserAccess"},
		{[]string{"AWSManagedPolicy", "LocalManagedPolicy", "Role"}, "", "", "builder", "IAMReadOnlyAccess,PowerUserAccess,limits,shared,unused"},
	} {
		d, err := e.svc.GetAccountAuthorizationDetails(e.ctx, e.root, c.filter, Page{})
		if err != nil {
			t.Fatal(err)
		}
		var us, gs, rs []string
		for _, u := range d.Users {
			us = append(us, u.Name)
		}
		for _, g := range d.Groups {
			gs = append(gs, g.Name)
		}
		for _, r := range d.Roles {
			rs = append(rs, r.Name)
		}
		got := [4]string{strings.Join(us, ","), strings.Join(gs, ","), strings.Join(rs, ","), strings.Join(policyNames(d.Policies), ",")}
		if want := [4]string{c.users, c.groups, c.roles, c.polices}; got != want {
			t.Errorf("filter %v: got %q, want %q", c.filter, got, want)
		}
	}

	_, err := e.svc.GetAccountAuthorizationDetails(e.ctx, e.root, []string{"Users"}, Page{})
	wantCode(t, err, "ValidationError")
	_, err = e.svc.GetAccountAuthorizationDetails(e.ctx, e.root, nil, Page{MaxItems: 1001})
	wantCode(t, err, "ValidationError")
	if _, err := e.svc.GetAccountAuthorizationDetails(e.ctx, e.root, nil, Page{MaxItems: 1}); err != nil {
		t.Fatal(err)
	}
}

func TestGetAccountAuthorizationDetailsAuthorization(t *testing.T) {
	e := newAcctEnv(t)
	gina := e.user(t, "gina")
	_, err := e.svc.GetAccountAuthorizationDetails(e.ctx, e.as(gina), nil, Page{})
	wantCode(t, err, "AccessDenied")
	e.allow(t, gina, "iam:GetAccountAuthorizationDetails", "*")
	d, err := e.svc.GetAccountAuthorizationDetails(e.ctx, e.as(gina), nil, Page{})
	if err != nil {
		t.Fatal(err)
	}
	// gina's own inline policy shows; no AWS-managed policy is in use.
	if len(d.Users) != 1 || len(d.Users[0].InlinePolicies) != 1 || len(d.Policies) != 0 {
		t.Fatalf("details = %+v", d)
	}
}
