package console

import (
	"strconv"
	"strings"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// Roles.
//
//	GET  /console/iam/roles                  list
//	GET  /console/iam/create/role            create form (trust policy, permissions)
//	POST /console/iam/roles                  CreateRole, AttachPolicy…
//	GET  /console/iam/roles/{name}           summary, trust policy, permissions
//	GET  /console/iam/roles/{name}/trust     trust policy editor
//	POST /console/iam/roles/{name}/trust     UpdateAssumeRolePolicy
//	POST /console/iam/roles/{name}/delete    DeleteRole
//	…/policies, …/policies/detach, …/inline… see permissionRoutes
func (h *Handler) roleRoutes() []route {
	rs := []route{
		{"GET /console/iam/roles", h.rolesList},
		{"GET /console/iam/create/role", h.roleNew},
		{"POST /console/iam/roles", h.roleCreate},
		{"GET /console/iam/roles/{name}", h.roleView},
		{"GET /console/iam/roles/{name}/trust", h.roleTrustEdit},
		{"POST /console/iam/roles/{name}/trust", h.roleTrustUpdate},
		{"POST /console/iam/roles/{name}/delete", h.roleDelete},
	}
	return append(rs, h.permissionRoutes(roleArea)...)
}

var roleArea = entityArea{kind: store.KindRole, base: "/console/iam/roles", label: "role"}

// roleListData is the roles list.
type roleListData struct {
	Roles []roleRow // nil when the list could not be read
	More  bool
}

type roleRow struct {
	store.Role
	ARN string
}

func (h *Handler) rolesList(q *request) {
	d := roleListData{}
	p := page{Title: "Roles", Section: "iam", Data: &d}
	rs, more, err := h.IAM.ListRoles(q.ctx(), q.call, "", iam.Page{MaxItems: 1000})
	if err != nil {
		h.fail(q, "iam/roles", p, err)
		return
	}
	d.Roles, d.More = []roleRow{}, more
	for _, r := range rs {
		d.Roles = append(d.Roles, roleRow{r, h.IAM.RoleARN(r)})
	}
	h.show(q, "iam/roles", p)
}

// sessionDurations are the create form's choices of maximum session
// duration, as the AWS console offers them.
var sessionDurations = []struct {
	Seconds int
	Label   string
}{{3600, "1 hour"}, {7200, "2 hours"}, {14400, "4 hours"}, {28800, "8 hours"}, {43200, "12 hours"}}

// roleFormData is the create-role form.
type roleFormData struct {
	Name        string
	Description string
	Path        string
	MaxSession  int
	Durations   any
	Editor      editor
	Policies    []policyChoice
	PoliciesErr *pageError
	Steps       []stepResult
	Created     bool
	RoleURL     string
}

// defaultTrustPolicy lets the account's own principals assume the role (the
// AWS console's "AWS account: this account" choice).
func defaultTrustPolicy(account string) string {
	return `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::` + account + `:root"
            },
            "Action": "sts:AssumeRole"
        }
    ]
}`
}

func (h *Handler) roleNew(q *request) {
	d := roleFormData{MaxSession: 3600, Durations: sessionDurations,
		Editor: h.newEditor("trust-policy", "trust_policy", "trust", "Trust policy", defaultTrustPolicy(q.sess.AccountID))}
	d.Policies, d.PoliciesErr = h.policyChoices(q, nil, nil)
	h.show(q, "iam/role-new", page{Title: "Create role", Section: "iam", Data: &d})
}

func (h *Handler) roleCreate(q *request) {
	f := q.r.PostForm
	doc := f.Get("trust_policy")
	d := roleFormData{Name: strings.TrimSpace(f.Get("name")), Description: strings.TrimSpace(f.Get("description")), Path: strings.TrimSpace(f.Get("path")),
		Durations: sessionDurations, Editor: editor{ID: "trust-policy", Name: "trust_policy", Kind: "trust", Label: "Trust policy", Document: doc}}
	policies := f["policy"]
	p := page{Title: "Create role", Section: "iam", Data: &d}
	failForm := func(err error) {
		d.Policies, d.PoliciesErr = h.policyChoices(q, policies, nil)
		h.fail(q, "iam/role-new", p, err)
	}
	ms := strings.TrimSpace(f.Get("max_session"))
	if ms == "" {
		d.MaxSession = 3600
	} else if n, err := strconv.Atoi(ms); err != nil {
		failForm(errs.Coded(errs.Invalid, "ValidationError", "The maximum session duration must be a number of seconds, 3600 to 43200."))
		return
	} else {
		d.MaxSession = n
	}
	d.Editor.Findings = h.validatePolicy(doc, policy.TrustPolicy)
	if err := policyDocErr(doc, d.Editor.Findings, "create the role"); err != nil {
		failForm(err)
		return
	}
	if d.Name == "" {
		failForm(errs.Coded(errs.Invalid, "ValidationError", "Enter a role name: 1 to 64 letters, digits and +=,.@_-."))
		return
	}
	r, err := h.IAM.CreateRole(q.ctx(), q.call, iam.CreateRoleInput{RoleName: d.Name, Path: d.Path, Description: d.Description,
		MaxSessionDuration: d.MaxSession, AssumeRolePolicyDocument: doc})
	if err != nil {
		failForm(err)
		return
	}
	d.Created, d.RoleURL = true, roleArea.url(r.Name)
	steps := []stepResult{{Step: "Create role " + r.Name}}
	s, errList := h.attachEach(q, policies, func(arn string) (string, error) {
		return "Attach " + policyNameOf(arn), h.IAM.AttachPolicy(q.ctx(), q.call, store.KindRole, r.Name, arn)
	})
	steps, errList = append(steps, s...), append([]error{nil}, errList...)
	if err := firstStepErr(steps, errList); err != nil {
		d.Steps = steps
		h.fail(q, "iam/role-result", p, err)
		return
	}
	redirect(q, roleArea.url(r.Name), "Role "+r.Name+" created.")
}

// rolePageData is a role's page.
type rolePageData struct {
	Role  store.Role
	ARN   string
	URL   string
	Trust string
	// MaxSession is the maximum session duration for people ("1 hour").
	MaxSession string
	Perms      entityPermissions
}

func (h *Handler) roleView(q *request) { h.showRole(q, q.r.PathValue("name"), nil) }

// showRole renders a role's page; actionErr is a failed action's error.
func (h *Handler) showRole(q *request, name string, actionErr error) {
	r, err := h.IAM.GetRole(q.ctx(), q.call, name)
	if err != nil {
		if actionErr == nil {
			actionErr = err
		}
		h.fail(q, "", page{Title: "Role " + name, Section: "iam"}, actionErr)
		return
	}
	d := rolePageData{Role: r, ARN: h.IAM.RoleARN(r), URL: roleArea.url(r.Name), Trust: prettyPolicy(r.AssumeRolePolicy), MaxSession: durationLabel(r.MaxSessionDuration)}
	d.Perms = h.loadPermissions(q, store.KindRole, r.Name)
	p := page{Title: r.Name, Section: "iam", Data: &d}
	if actionErr != nil {
		h.fail(q, "iam/role", p, actionErr)
		return
	}
	h.show(q, "iam/role", p)
}

// durationLabel renders seconds as the AWS console does ("1 hour").
func durationLabel(s int) string {
	if s%3600 == 0 {
		return plural(s/3600, "hour")
	}
	if s%60 == 0 {
		return plural(s/60, "minute")
	}
	return plural(s, "second")
}

// roleTrustData is the trust policy editor page.
type roleTrustData struct {
	Role   string
	URL    string
	Editor editor
}

func (h *Handler) roleTrustEdit(q *request) {
	name := q.r.PathValue("name")
	d := roleTrustData{Role: name, URL: roleArea.url(name)}
	p := page{Title: "Edit trust policy", Section: "iam", Data: &d}
	r, err := h.IAM.GetRole(q.ctx(), q.call, name)
	if err != nil {
		d.Editor = h.newEditor("trust-policy", "trust_policy", "trust", "Trust policy", "")
		h.fail(q, "iam/role-trust", p, err)
		return
	}
	d.Editor = h.newEditor("trust-policy", "trust_policy", "trust", "Trust policy", prettyPolicy(r.AssumeRolePolicy))
	h.show(q, "iam/role-trust", p)
}

func (h *Handler) roleTrustUpdate(q *request) {
	name, doc := q.r.PathValue("name"), q.r.PostFormValue("trust_policy")
	d := roleTrustData{Role: name, URL: roleArea.url(name), Editor: editor{ID: "trust-policy", Name: "trust_policy", Kind: "trust", Label: "Trust policy", Document: doc}}
	p := page{Title: "Edit trust policy", Section: "iam", Data: &d}
	d.Editor.Findings = h.validatePolicy(doc, policy.TrustPolicy)
	if err := policyDocErr(doc, d.Editor.Findings, "update the trust policy"); err != nil {
		h.fail(q, "iam/role-trust", p, err)
		return
	}
	if err := h.IAM.UpdateAssumeRolePolicy(q.ctx(), q.call, name, doc); err != nil {
		h.fail(q, "iam/role-trust", p, err)
		return
	}
	redirect(q, roleArea.url(name), "Trust policy updated.")
}

func (h *Handler) roleDelete(q *request) {
	name := q.r.PathValue("name")
	if err := h.IAM.DeleteRole(q.ctx(), q.call, name); err != nil {
		h.showRole(q, name, err)
		return
	}
	redirect(q, "/console/iam/roles", "Role "+name+" deleted.")
}
