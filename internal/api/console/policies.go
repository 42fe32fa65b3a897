package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// Managed policies: the list, the create form (JSON editor with live
// validation), a policy's page (summary, versions, attached entities) and
// the attach page. A policy ARN holds ':' and '/', so a policy is addressed
// by query: /console/iam/policy?arn=ARN.
//
//	GET  /console/iam/policies                  list (?scope=All|AWS|Local&q=&marker=)
//	GET  /console/iam/create/policy             create form
//	POST /console/iam/policies                  CreatePolicy
//	GET  /console/iam/policy?arn=&version=      a policy (a version's document)
//	GET  /console/iam/policy/edit?arn=          new version form
//	POST /console/iam/policy/versions           CreatePolicyVersion
//	POST /console/iam/policy/versions/default   SetDefaultPolicyVersion
//	POST /console/iam/policy/versions/delete    DeletePolicyVersion
//	GET  /console/iam/policy/attach?arn=        choose users, groups and roles
//	POST /console/iam/policy/attach             AttachPolicy, one per entity
//	POST /console/iam/policy/detach             DetachPolicy
//	POST /console/iam/policy/delete             DeletePolicy
func (h *Handler) policyRoutes() []route {
	return []route{
		{"GET /console/iam/policies", h.policiesList},
		{"GET /console/iam/create/policy", h.policyNew},
		{"POST /console/iam/policies", h.policyCreate},
		{"GET /console/iam/policy", h.policyView},
		{"GET /console/iam/policy/edit", h.policyEdit},
		{"POST /console/iam/policy/versions", h.policyVersionCreate},
		{"POST /console/iam/policy/versions/default", h.policyVersionDefault},
		{"POST /console/iam/policy/versions/delete", h.policyVersionDelete},
		{"GET /console/iam/policy/attach", h.policyAttachPage},
		{"POST /console/iam/policy/attach", h.policyAttach},
		{"POST /console/iam/policy/detach", h.policyDetach},
		{"POST /console/iam/policy/delete", h.policyDelete},
	}
}

// policyListPage is the most policies one list page shows.
const policyListPage = 100

// policyListData is the policies list.
type policyListData struct {
	Scope string // All, AWS or Local
	Query string // substring filter on name and description
	// Policies is nil when the list could not be read (the page's error
	// panel says why).
	Policies   []iam.PolicyWithCount
	NextMarker string // set when there are more
	NextURL    string
}

func (h *Handler) policiesList(q *request) {
	v := q.r.URL.Query()
	d := policyListData{Scope: v.Get("scope"), Query: strings.TrimSpace(v.Get("q"))}
	if d.Scope == "" {
		d.Scope = "All"
	}
	p := page{Title: "Policies", Section: "iam", Data: &d}
	ps, more, err := h.IAM.ListPolicies(q.ctx(), q.call, d.Scope, "", false, iam.Page{Marker: v.Get("marker"), MaxItems: policyListPage})
	if err != nil {
		h.fail(q, "iam/policies", p, err)
		return
	}
	d.Policies = []iam.PolicyWithCount{}
	needle := strings.ToLower(d.Query)
	for _, mp := range ps {
		if needle == "" || strings.Contains(strings.ToLower(mp.Name), needle) || strings.Contains(strings.ToLower(mp.Description), needle) {
			d.Policies = append(d.Policies, mp)
		}
	}
	if more && len(ps) > 0 {
		d.NextMarker = ps[len(ps)-1].ARN
		d.NextURL = "/console/iam/policies?" + url.Values{"scope": {d.Scope}, "q": {d.Query}, "marker": {d.NextMarker}}.Encode()
	}
	h.show(q, "iam/policies", p)
}

// policyFormData is the create-policy form.
type policyFormData struct {
	Name        string
	Description string
	Path        string
	Editor      editor
}

// policyTemplate is the create form's starting document.
const policyTemplate = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Statement1",
            "Effect": "Allow",
            "Action": [],
            "Resource": []
        }
    ]
}`

func (h *Handler) policyNew(q *request) {
	d := policyFormData{Editor: h.newEditor("policy-document", "document", "identity", "Policy editor", "")}
	d.Editor.Document = policyTemplate
	h.show(q, "iam/policy-new", page{Title: "Create policy", Section: "iam", Data: &d})
}

func (h *Handler) policyCreate(q *request) {
	f := q.r.PostForm
	doc := f.Get("document")
	d := policyFormData{Name: strings.TrimSpace(f.Get("name")), Description: strings.TrimSpace(f.Get("description")), Path: strings.TrimSpace(f.Get("path")),
		Editor: editor{ID: "policy-document", Name: "document", Kind: "identity", Label: "Policy editor", Document: doc}}
	p := page{Title: "Create policy", Section: "iam", Data: &d}
	d.Editor.Findings = h.validatePolicy(doc, policy.IdentityPolicy)
	if err := policyDocErr(doc, d.Editor.Findings, "create the policy"); err != nil {
		h.fail(q, "iam/policy-new", p, err)
		return
	}
	if d.Name == "" {
		h.fail(q, "iam/policy-new", p, errs.Coded(errs.Invalid, "ValidationError", "Enter a policy name: 1 to 128 letters, digits and +=,.@_-."))
		return
	}
	mp, err := h.IAM.CreatePolicy(q.ctx(), q.call, iam.CreatePolicyInput{PolicyName: d.Name, Path: d.Path, Description: d.Description, PolicyDocument: doc})
	if err != nil {
		h.fail(q, "iam/policy-new", p, err)
		return
	}
	redirect(q, policyURL(mp.ARN), "Policy "+mp.Name+" created.")
}

// policyDocErr refuses a document that is empty or has ERROR findings, as
// the AWS console does not go on while errors remain. what completes
// "Fix the errors before you …".
func policyDocErr(doc string, fs []finding, what string) error {
	if strings.TrimSpace(doc) == "" {
		return errs.Coded(errs.Invalid, "MalformedPolicyDocument", "The policy document is empty: write a JSON policy before you %s.", what)
	}
	if !hasErrors(fs) {
		return nil
	}
	n := 0
	for _, f := range fs {
		if f.Type == string(policy.FindingError) {
			n++
		}
	}
	return errs.Coded(errs.Invalid, "MalformedPolicyDocument", "Fix the errors before you %s: the policy document has %s (listed under Policy validation).", what, plural(n, "error"))
}

// policyURL is a policy's page.
func policyURL(arn string) string { return "/console/iam/policy?arn=" + url.QueryEscape(arn) }

// policyPageData is a policy's page.
type policyPageData struct {
	Policy     iam.PolicyWithCount
	AWSManaged bool
	URL        string // the page's own address

	Versions    []store.PolicyVersion
	VersionsErr *pageError

	// The version shown: the default unless ?version= names another.
	Version     string
	IsDefault   bool
	Document    string
	DocumentErr *pageError

	Entities    []policyEntity
	EntitiesErr *pageError
}

// policyEntity is a user, group or role a policy is attached to.
type policyEntity struct {
	Kind  string // user, group, role
	Label string // User, Group, Role
	Name  string
	Ref   string // "user:NAME", the form value
	Link  string
}

func newPolicyEntity(kind store.EntityKind, name string) policyEntity {
	e := policyEntity{Kind: string(kind), Name: name, Ref: string(kind) + ":" + name}
	switch kind {
	case store.KindUser:
		e.Label, e.Link = "User", "/console/iam/users/"+url.PathEscape(name)
	case store.KindGroup:
		e.Label, e.Link = "Group", "/console/iam/groups/"+url.PathEscape(name)
	case store.KindRole:
		e.Label, e.Link = "Role", "/console/iam/roles/"+url.PathEscape(name)
	}
	return e
}

// parseEntityRef reads "user:NAME", "group:NAME" or "role:NAME".
func parseEntityRef(ref string) (store.EntityKind, string, error) {
	kind, name, ok := strings.Cut(ref, ":")
	if ok && name != "" {
		switch k := store.EntityKind(kind); k {
		case store.KindUser, store.KindGroup, store.KindRole:
			return k, name, nil
		}
	}
	return "", "", errs.Coded(errs.Invalid, "InvalidInput", "%q does not name a user, group or role (user:NAME, group:NAME or role:NAME).", ref)
}

func (h *Handler) policyView(q *request) {
	v := q.r.URL.Query()
	h.showPolicy(q, v.Get("arn"), v.Get("version"), "", nil)
}

// showPolicy renders a policy's page; actionErr, when set, is a failed
// action on it, shown in the page's error panel.
func (h *Handler) showPolicy(q *request, arn, version, flash string, actionErr error) {
	if arn == "" {
		h.fail(q, "", page{Title: "Policy", Section: "iam"}, errs.Coded(errs.Invalid, "InvalidInput", "Name a policy by its ARN: /console/iam/policy?arn=ARN."))
		return
	}
	mp, err := h.IAM.GetPolicy(q.ctx(), q.call, arn)
	if err != nil {
		h.fail(q, "", page{Title: "Policy", Section: "iam"}, err)
		return
	}
	d := policyPageData{Policy: mp, AWSManaged: mp.AccountID == "aws", URL: policyURL(arn)}
	if vs, _, err := h.IAM.ListPolicyVersions(q.ctx(), q.call, arn); err != nil {
		d.VersionsErr = toPageError(err)
	} else {
		d.Versions = vs
	}
	d.Version = version
	if d.Version == "" {
		d.Version = mp.DefaultVersionID
	}
	if pv, isDefault, err := h.IAM.GetPolicyVersion(q.ctx(), q.call, arn, d.Version); err != nil {
		d.DocumentErr = toPageError(err)
	} else {
		d.Document, d.IsDefault = prettyPolicy(pv.Document), isDefault
	}
	if users, groups, roles, err := h.IAM.ListEntitiesForPolicy(q.ctx(), q.call, arn); err != nil {
		d.EntitiesErr = toPageError(err)
	} else {
		d.Entities = entitiesOf(users, groups, roles)
	}
	p := page{Title: mp.Name, Section: "iam", Flash: flash, Data: &d}
	if actionErr != nil {
		h.fail(q, "iam/policy", p, actionErr)
		return
	}
	h.show(q, "iam/policy", p)
}

func entitiesOf(users []store.User, groups []store.Group, roles []store.Role) []policyEntity {
	out := []policyEntity{}
	for _, u := range users {
		out = append(out, newPolicyEntity(store.KindUser, u.Name))
	}
	for _, g := range groups {
		out = append(out, newPolicyEntity(store.KindGroup, g.Name))
	}
	for _, r := range roles {
		out = append(out, newPolicyEntity(store.KindRole, r.Name))
	}
	return out
}

// prettyPolicy indents a document written on one line, as the AWS console
// shows policies; a document with line breaks is shown as written.
func prettyPolicy(doc string) string {
	t := strings.TrimSpace(doc)
	if strings.Contains(t, "\n") || !json.Valid([]byte(t)) {
		return doc
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(t), "", "    "); err != nil {
		return doc
	}
	return b.String()
}

// policyEditData is the new-version form.
type policyEditData struct {
	Policy     iam.PolicyWithCount
	ARN        string
	URL        string
	SetDefault bool
	Editor     editor
}

func (h *Handler) policyEdit(q *request) {
	arn := q.r.URL.Query().Get("arn")
	mp, err := h.IAM.GetPolicy(q.ctx(), q.call, arn)
	if err != nil {
		h.fail(q, "", page{Title: "Edit policy", Section: "iam"}, err)
		return
	}
	d := policyEditData{Policy: mp, ARN: arn, URL: policyURL(arn), SetDefault: true}
	p := page{Title: "Edit " + mp.Name, Section: "iam", Data: &d}
	pv, _, err := h.IAM.GetPolicyVersion(q.ctx(), q.call, arn, mp.DefaultVersionID)
	if err != nil {
		d.Editor = h.newEditor("policy-document", "document", "identity", "Policy editor", "")
		h.fail(q, "iam/policy-edit", p, err)
		return
	}
	d.Editor = h.newEditor("policy-document", "document", "identity", "Policy editor", prettyPolicy(pv.Document))
	h.show(q, "iam/policy-edit", p)
}

func (h *Handler) policyVersionCreate(q *request) {
	f := q.r.PostForm
	arn, doc := f.Get("arn"), f.Get("document")
	d := policyEditData{ARN: arn, URL: policyURL(arn), SetDefault: f.Get("set_default") != "",
		Editor: editor{ID: "policy-document", Name: "document", Kind: "identity", Label: "Policy editor", Document: doc}}
	d.Policy.ARN = arn
	d.Policy.Name = policyNameOf(arn)
	p := page{Title: "Edit " + d.Policy.Name, Section: "iam", Data: &d}
	d.Editor.Findings = h.validatePolicy(doc, policy.IdentityPolicy)
	if err := policyDocErr(doc, d.Editor.Findings, "save the new version"); err != nil {
		h.fail(q, "iam/policy-edit", p, err)
		return
	}
	v, err := h.IAM.CreatePolicyVersion(q.ctx(), q.call, arn, doc, d.SetDefault)
	if err != nil {
		h.fail(q, "iam/policy-edit", p, err)
		return
	}
	msg := "Version " + v.VersionID + " created."
	if d.SetDefault {
		msg = "Version " + v.VersionID + " created and set as the default."
	}
	redirect(q, policyURL(arn), msg)
}

// policyNameOf is the last segment of a policy ARN.
func policyNameOf(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

func (h *Handler) policyVersionDefault(q *request) {
	arn, version := q.r.PostFormValue("arn"), q.r.PostFormValue("version")
	if err := h.IAM.SetDefaultPolicyVersion(q.ctx(), q.call, arn, version); err != nil {
		h.showPolicy(q, arn, "", "", err)
		return
	}
	redirect(q, policyURL(arn), "Version "+version+" is now the default.")
}

func (h *Handler) policyVersionDelete(q *request) {
	arn, version := q.r.PostFormValue("arn"), q.r.PostFormValue("version")
	if err := h.IAM.DeletePolicyVersion(q.ctx(), q.call, arn, version); err != nil {
		h.showPolicy(q, arn, "", "", err)
		return
	}
	redirect(q, policyURL(arn), "Version "+version+" deleted.")
}

func (h *Handler) policyDelete(q *request) {
	arn := q.r.PostFormValue("arn")
	if err := h.IAM.DeletePolicy(q.ctx(), q.call, arn); err != nil {
		h.showPolicy(q, arn, "", "", err)
		return
	}
	redirect(q, "/console/iam/policies", "Policy "+policyNameOf(arn)+" deleted.")
}

func (h *Handler) policyDetach(q *request) {
	arn, ref := q.r.PostFormValue("arn"), q.r.PostFormValue("entity")
	kind, name, err := parseEntityRef(ref)
	if err == nil {
		err = h.IAM.DetachPolicy(q.ctx(), q.call, kind, name, arn)
	}
	if err != nil {
		h.showPolicy(q, arn, "", "", err)
		return
	}
	redirect(q, policyURL(arn), "Policy detached from "+string(kind)+" "+name+".")
}

// stepResult is the outcome of one step of a multi-step action (create a
// user, group or role, then add it to groups and attach its policies;
// attach a policy to several entities).
type stepResult struct {
	Step string
	Err  *pageError // nil: done
}

// OK reports whether the step succeeded.
func (s stepResult) OK() bool { return s.Err == nil }

// firstStepErr returns the first failed step's error, as an error for fail.
func firstStepErr(steps []stepResult, errsByStep []error) error {
	for i, s := range steps {
		if !s.OK() {
			return errsByStep[i]
		}
	}
	return nil
}

// policyAttachData is the attach page.
type policyAttachData struct {
	Policy iam.PolicyWithCount
	URL    string
	// Candidates, by kind; Attached marks those already attached.
	Users, Groups, Roles []attachCandidate
	UsersErr, GroupsErr  *pageError
	RolesErr             *pageError
	Selected             []string
	Steps                []stepResult
}

// attachCandidate is one checkbox of the attach page.
type attachCandidate struct {
	policyEntity
	Attached bool
	Checked  bool
}

func (h *Handler) policyAttachPage(q *request) {
	h.showPolicyAttach(q, q.r.URL.Query().Get("arn"), nil, nil, nil)
}

func (h *Handler) showPolicyAttach(q *request, arn string, selected []string, steps []stepResult, actionErr error) {
	mp, err := h.IAM.GetPolicy(q.ctx(), q.call, arn)
	if err != nil {
		h.fail(q, "", page{Title: "Attach policy", Section: "iam"}, err)
		return
	}
	d := policyAttachData{Policy: mp, URL: policyURL(arn), Selected: selected, Steps: steps}
	attached := map[string]bool{}
	if users, groups, roles, err := h.IAM.ListEntitiesForPolicy(q.ctx(), q.call, arn); err == nil {
		for _, e := range entitiesOf(users, groups, roles) {
			attached[e.Ref] = true
		}
	}
	cand := func(kind store.EntityKind, name string) attachCandidate {
		e := newPolicyEntity(kind, name)
		return attachCandidate{policyEntity: e, Attached: attached[e.Ref], Checked: slices.Contains(selected, e.Ref)}
	}
	all := iam.Page{MaxItems: 1000}
	if users, _, err := h.IAM.ListUsers(q.ctx(), q.call, "", all); err != nil {
		d.UsersErr = toPageError(err)
	} else {
		for _, u := range users {
			d.Users = append(d.Users, cand(store.KindUser, u.Name))
		}
	}
	if groups, _, err := h.IAM.ListGroups(q.ctx(), q.call, "", all); err != nil {
		d.GroupsErr = toPageError(err)
	} else {
		for _, g := range groups {
			d.Groups = append(d.Groups, cand(store.KindGroup, g.Name))
		}
	}
	if roles, _, err := h.IAM.ListRoles(q.ctx(), q.call, "", all); err != nil {
		d.RolesErr = toPageError(err)
	} else {
		for _, r := range roles {
			d.Roles = append(d.Roles, cand(store.KindRole, r.Name))
		}
	}
	p := page{Title: "Attach " + mp.Name, Section: "iam", Data: &d}
	if actionErr != nil {
		h.fail(q, "iam/policy-attach", p, actionErr)
		return
	}
	h.show(q, "iam/policy-attach", p)
}

func (h *Handler) policyAttach(q *request) {
	arn := q.r.PostFormValue("arn")
	refs := q.r.PostForm["entity"]
	if len(refs) == 0 {
		h.showPolicyAttach(q, arn, nil, nil, errs.Coded(errs.Invalid, "ValidationError", "Choose at least one user, group or role to attach the policy to."))
		return
	}
	steps, stepErrs := h.attachEach(q, refs, func(ref string) (string, error) {
		kind, name, err := parseEntityRef(ref)
		if err != nil {
			return ref, err
		}
		return "Attach to " + string(kind) + " " + name, h.IAM.AttachPolicy(q.ctx(), q.call, kind, name, arn)
	})
	if err := firstStepErr(steps, stepErrs); err != nil {
		h.showPolicyAttach(q, arn, refs, steps, err)
		return
	}
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = strings.Replace(r, ":", " ", 1)
	}
	redirect(q, policyURL(arn), "Policy attached to "+strings.Join(names, ", ")+".")
}

// attachEach runs one step per item and records each outcome.
func (h *Handler) attachEach(q *request, items []string, step func(string) (string, error)) ([]stepResult, []error) {
	var steps []stepResult
	var errList []error
	for _, it := range items {
		label, err := step(it)
		s := stepResult{Step: label}
		if err != nil {
			s.Err = toPageError(err)
		}
		steps = append(steps, s)
		errList = append(errList, err)
	}
	return steps, errList
}

// policyChoice is a managed policy offered in a create or attach form.
type policyChoice struct {
	ARN         string
	Name        string
	AWSManaged  bool
	Description string
	Checked     bool
}

// policyChoices lists the managed policies the caller may attach (AWS and
// customer managed), minus those in skip, with checked marked.
func (h *Handler) policyChoices(q *request, checked []string, skip map[string]bool) ([]policyChoice, *pageError) {
	ps, _, err := h.IAM.ListPolicies(q.ctx(), q.call, "All", "", false, iam.Page{MaxItems: 1000})
	if err != nil {
		return nil, toPageError(err)
	}
	out := []policyChoice{}
	for _, mp := range ps {
		if skip[mp.ARN] {
			continue
		}
		out = append(out, policyChoice{ARN: mp.ARN, Name: mp.Name, AWSManaged: mp.AccountID == "aws", Description: mp.Description, Checked: slices.Contains(checked, mp.ARN)})
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// ---- Permissions of a group or role: attached and inline policies ----

// entityArea is what the group and role pages share.
type entityArea struct {
	kind  store.EntityKind
	base  string // "/console/iam/groups"
	label string // "group"
}

// showEntity renders a group's or role's page with a failed action's error.
func (h *Handler) showEntity(q *request, a entityArea, name string, actionErr error) {
	if a.kind == store.KindRole {
		h.showRole(q, name, actionErr)
		return
	}
	h.showGroup(q, name, actionErr)
}

func (a entityArea) url(name string) string { return a.base + "/" + url.PathEscape(name) }

// permissionRoutes are the attach, detach and inline-policy actions of a
// group or role page.
func (h *Handler) permissionRoutes(a entityArea) []route {
	return []route{
		{"POST " + a.base + "/{name}/policies", func(q *request) { h.entityAttach(q, a) }},
		{"POST " + a.base + "/{name}/policies/detach", func(q *request) { h.entityDetach(q, a) }},
		{"GET " + a.base + "/{name}/inline", func(q *request) { h.inlineView(q, a) }},
		{"GET " + a.base + "/{name}/inline/edit", func(q *request) { h.inlineEdit(q, a) }},
		{"POST " + a.base + "/{name}/inline", func(q *request) { h.inlinePut(q, a) }},
		{"POST " + a.base + "/{name}/inline/delete", func(q *request) { h.inlineDelete(q, a) }},
	}
}

// entityPermissions is the permissions part of a group or role page.
type entityPermissions struct {
	Attached    []store.ManagedPolicy
	AttachedErr *pageError
	// Choices are the policies not yet attached, for the attach form.
	Choices    []policyChoice
	ChoicesErr *pageError
	Inline     []string
	InlineErr  *pageError
}

func (h *Handler) loadPermissions(q *request, kind store.EntityKind, name string) entityPermissions {
	var pm entityPermissions
	attached := map[string]bool{}
	if ps, err := h.IAM.ListAttachedPolicies(q.ctx(), q.call, kind, name, ""); err != nil {
		pm.AttachedErr = toPageError(err)
	} else {
		pm.Attached = ps
		for _, p := range ps {
			attached[p.ARN] = true
		}
	}
	pm.Choices, pm.ChoicesErr = h.policyChoices(q, nil, attached)
	if names, err := h.IAM.ListInlinePolicies(q.ctx(), q.call, kind, name); err != nil {
		pm.InlineErr = toPageError(err)
	} else {
		pm.Inline = names
	}
	return pm
}

func (h *Handler) entityAttach(q *request, a entityArea) {
	name := q.r.PathValue("name")
	arns := q.r.PostForm["policy"]
	if len(arns) == 0 {
		h.showEntity(q, a, name, errs.Coded(errs.Invalid, "ValidationError", "Choose at least one policy to attach."))
		return
	}
	steps, stepErrs := h.attachEach(q, arns, func(arn string) (string, error) {
		return "Attach " + policyNameOf(arn), h.IAM.AttachPolicy(q.ctx(), q.call, a.kind, name, arn)
	})
	if err := firstStepErr(steps, stepErrs); err != nil {
		h.showEntity(q, a, name, stepsError(steps, err))
		return
	}
	names := make([]string, len(arns))
	for i, arn := range arns {
		names[i] = policyNameOf(arn)
	}
	redirect(q, a.url(name), "Attached "+strings.Join(names, ", ")+".")
}

// stepsError prefixes err's message with which steps succeeded and which
// failed, so a page that shows one error panel still tells every outcome.
func stepsError(steps []stepResult, err error) error {
	if len(steps) < 2 {
		return err
	}
	var lines []string
	for _, s := range steps {
		if s.OK() {
			lines = append(lines, s.Step+": done")
		} else {
			lines = append(lines, s.Step+": "+s.Err.Code)
		}
	}
	e := toPageError(err)
	kind := errs.KindOf(err)
	msg := e.Message + " (" + strings.Join(lines, "; ") + ")"
	if e.Details != "" {
		msg += "\n" + e.Details
	}
	return errs.Coded(kind, e.Code, "%s", msg)
}

func (h *Handler) entityDetach(q *request, a entityArea) {
	name, arn := q.r.PathValue("name"), q.r.PostFormValue("arn")
	if err := h.IAM.DetachPolicy(q.ctx(), q.call, a.kind, name, arn); err != nil {
		h.showEntity(q, a, name, err)
		return
	}
	redirect(q, a.url(name), "Detached "+policyNameOf(arn)+".")
}

// inlineData is the inline-policy view and edit pages.
type inlineData struct {
	Kind      string // group, role
	Entity    string
	EntityURL string
	Base      string // the entity's URL; the inline routes hang under it
	Policy    string
	Document  string
	New       bool
	Editor    editor
}

func (a entityArea) inlineData(name, policyName string) *inlineData {
	return &inlineData{Kind: a.label, Entity: name, EntityURL: a.url(name), Base: a.url(name), Policy: policyName}
}

func (h *Handler) inlineView(q *request, a entityArea) {
	name, pname := q.r.PathValue("name"), q.r.URL.Query().Get("policy")
	d := a.inlineData(name, pname)
	p := page{Title: pname, Section: "iam", Data: d}
	ip, err := h.IAM.GetInlinePolicy(q.ctx(), q.call, a.kind, name, pname)
	if err != nil {
		h.fail(q, "iam/policy-inline", p, err)
		return
	}
	d.Document = prettyPolicy(ip.Document)
	h.show(q, "iam/policy-inline", p)
}

func (h *Handler) inlineEdit(q *request, a entityArea) {
	name, pname := q.r.PathValue("name"), q.r.URL.Query().Get("policy")
	d := a.inlineData(name, pname)
	d.New = pname == ""
	title := "Create inline policy"
	if !d.New {
		title = "Edit " + pname
	}
	p := page{Title: title, Section: "iam", Data: d}
	doc := policyTemplate
	if !d.New {
		ip, err := h.IAM.GetInlinePolicy(q.ctx(), q.call, a.kind, name, pname)
		if err != nil {
			d.Editor = h.newEditor("inline-policy-document", "document", "identity", "Policy editor", "")
			h.fail(q, "iam/policy-inline-edit", p, err)
			return
		}
		doc = prettyPolicy(ip.Document)
		d.Editor = h.newEditor("inline-policy-document", "document", "identity", "Policy editor", doc)
	} else {
		d.Editor = h.newEditor("inline-policy-document", "document", "identity", "Policy editor", "")
		d.Editor.Document = doc
	}
	h.show(q, "iam/policy-inline-edit", p)
}

func (h *Handler) inlinePut(q *request, a entityArea) {
	name := q.r.PathValue("name")
	f := q.r.PostForm
	pname, doc := strings.TrimSpace(f.Get("policy_name")), f.Get("document")
	d := a.inlineData(name, pname)
	d.New = f.Get("new") != ""
	d.Editor = editor{ID: "inline-policy-document", Name: "document", Kind: "identity", Label: "Policy editor", Document: doc}
	p := page{Title: "Inline policy", Section: "iam", Data: d}
	d.Editor.Findings = h.validatePolicy(doc, policy.IdentityPolicy)
	if err := policyDocErr(doc, d.Editor.Findings, "save the policy"); err != nil {
		h.fail(q, "iam/policy-inline-edit", p, err)
		return
	}
	if pname == "" {
		h.fail(q, "iam/policy-inline-edit", p, errs.Coded(errs.Invalid, "ValidationError", "Enter a policy name: 1 to 128 letters, digits and +=,.@_-."))
		return
	}
	if err := h.IAM.PutInlinePolicy(q.ctx(), q.call, a.kind, name, pname, doc); err != nil {
		h.fail(q, "iam/policy-inline-edit", p, err)
		return
	}
	redirect(q, a.url(name), fmt.Sprintf("Inline policy %s saved.", pname))
}

func (h *Handler) inlineDelete(q *request, a entityArea) {
	name, pname := q.r.PathValue("name"), q.r.PostFormValue("policy")
	if err := h.IAM.DeleteInlinePolicy(q.ctx(), q.call, a.kind, name, pname); err != nil {
		h.showEntity(q, a, name, err)
		return
	}
	redirect(q, a.url(name), "Inline policy "+pname+" deleted.")
}
