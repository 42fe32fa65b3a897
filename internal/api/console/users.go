package console

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/store"
)

// IAM users: the list, the create-user wizard and its one-time credentials
// page, and each user's page (permissions, groups, security credentials,
// tags). Every read and every action is one iam.Service call made as the
// signed-in principal; a page that shows several things makes several
// calls, and each refusal is shown, never turned into an empty list.
//
// Secrets (a new access key's secret, a generated password) are shown only
// in the response to the POST that made them: never stored, never cached
// (render sends Cache-Control: no-store), never put in a redirect URL.

// changePasswordPolicy is what the AWS console attaches to a user who must
// choose a new password at the next sign-in, so that they can.
const changePasswordPolicy = "arn:aws:iam::aws:policy/IAMUserChangePassword"

func (h *Handler) userRoutes() []route {
	return []route{
		{"GET /console/iam/users", h.usersList},
		{"GET /console/iam/create/user", h.userNewPage},
		{"POST /console/iam/users", h.userCreate},
		{"GET /console/iam/users/{name}", h.userShow},
		{"POST /console/iam/users/{name}/delete", h.userDelete},
		{"GET /console/iam/users/{name}/attach", h.userAttachPage},
		{"POST /console/iam/users/{name}/attach", h.userAttach},
		{"POST /console/iam/users/{name}/detach", h.userDetach},
		{"GET /console/iam/users/{name}/inline", h.userInlineNew},
		{"POST /console/iam/users/{name}/inline", h.userInlinePut},
		{"GET /console/iam/users/{name}/inline/{policy}", h.userInlineShow},
		{"POST /console/iam/users/{name}/inline/{policy}/delete", h.userInlineDelete},
		{"POST /console/iam/users/{name}/boundary", h.userBoundary},
		{"POST /console/iam/users/{name}/groups", h.userAddGroups},
		{"POST /console/iam/users/{name}/groups/remove", h.userRemoveGroup},
		{"POST /console/iam/users/{name}/keys", h.userCreateKey},
		{"POST /console/iam/users/{name}/keys/{id}/status", h.userKeyStatus},
		{"POST /console/iam/users/{name}/keys/{id}/delete", h.userKeyDelete},
		{"POST /console/iam/users/{name}/password", h.userPasswordCreate},
		{"POST /console/iam/users/{name}/password/update", h.userPasswordUpdate},
		{"POST /console/iam/users/{name}/password/delete", h.userPasswordDelete},
		{"POST /console/iam/users/{name}/tags", h.userTag},
		{"POST /console/iam/users/{name}/tags/remove", h.userUntag},
	}
}

// ---------------------------------------------------------------------------
// Listing

// userRow is one line of the users table. The counts are strings: "-" when
// the signed-in principal may not read them.
type userRow struct {
	Name, Path, ARN  string
	Created, LastUse time.Time
	Groups           string
	Console          string
	Keys             string
}

type usersListData struct {
	Query string
	Users []userRow
	Total int
}

func (h *Handler) usersList(q *request) {
	query := strings.TrimSpace(q.r.URL.Query().Get("q"))
	d := usersListData{Query: query}
	p := page{Title: "Users", Section: "iam", Data: &d}
	users, err := h.usersAll(q)
	if err != nil {
		h.fail(q, "iam/users", p, err)
		return
	}
	d.Total = len(users)
	for _, u := range users {
		if query != "" && !strings.Contains(strings.ToLower(u.Name), strings.ToLower(query)) {
			continue
		}
		row := userRow{Name: u.Name, Path: u.Path, ARN: h.IAM.UserARN(u), Created: u.CreatedAt, LastUse: u.PasswordLastUsed,
			Groups: "-", Console: "-", Keys: "-"}
		if gs, err := h.userGroupsAll(q, u.Name); err == nil {
			row.Groups = strconv.Itoa(len(gs))
		}
		if _, err := h.IAM.GetLoginProfile(q.ctx(), q.call, u.Name); err == nil {
			row.Console = "Enabled"
		} else if errs.KindOf(err) == errs.NotFound {
			row.Console = "Disabled"
		}
		if keys, _, err := h.IAM.ListAccessKeys(q.ctx(), q.call, u.Name); err == nil {
			active := 0
			for _, k := range keys {
				if k.Status == store.KeyActive {
					active++
				}
			}
			row.Keys = strconv.Itoa(len(keys))
			if len(keys) > 0 {
				row.Keys += " (" + strconv.Itoa(active) + " active)"
			}
		}
		d.Users = append(d.Users, row)
	}
	h.show(q, "iam/users", p)
}

// usersAll pages through ListUsers.
func (h *Handler) usersAll(q *request) ([]store.User, error) {
	var out []store.User
	pg := iam.Page{MaxItems: 1000}
	for {
		us, more, err := h.IAM.ListUsers(q.ctx(), q.call, "", pg)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
		if !more || len(us) == 0 {
			return out, nil
		}
		pg.Marker = us[len(us)-1].Name
	}
}

func (h *Handler) userGroupsAll(q *request, user string) ([]store.Group, error) {
	var out []store.Group
	pg := iam.Page{MaxItems: 1000}
	for {
		gs, more, err := h.IAM.ListGroupsForUser(q.ctx(), q.call, user, pg)
		if err != nil {
			return nil, err
		}
		out = append(out, gs...)
		if !more || len(gs) == 0 {
			return out, nil
		}
		pg.Marker = gs[len(gs)-1].Name
	}
}

func (h *Handler) userAllGroups(q *request) ([]store.Group, error) {
	var out []store.Group
	pg := iam.Page{MaxItems: 1000}
	for {
		gs, more, err := h.IAM.ListGroups(q.ctx(), q.call, "", pg)
		if err != nil {
			return nil, err
		}
		out = append(out, gs...)
		if !more || len(gs) == 0 {
			return out, nil
		}
		pg.Marker = gs[len(gs)-1].Name
	}
}

// userAllPolicies pages through ListPolicies (scope All: AWS-managed and
// the account's own).
func (h *Handler) userAllPolicies(q *request) ([]iam.PolicyWithCount, error) {
	var out []iam.PolicyWithCount
	pg := iam.Page{MaxItems: 1000}
	for {
		ps, more, err := h.IAM.ListPolicies(q.ctx(), q.call, "All", "", false, pg)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
		if !more || len(ps) == 0 {
			return out, nil
		}
		pg.Marker = ps[len(ps)-1].ARN
	}
}

// ---------------------------------------------------------------------------
// The create-user wizard

// userForm is what the wizard's form holds, kept when it is shown again.
// The password itself is never sent back.
type userForm struct {
	UserName     string
	Path         string
	Programmatic bool
	Console      bool
	PasswordMode string // "autogen" or "custom"
	RequireReset bool
	Groups       []string
	Policies     []string
	Boundary     string
	Tags         []store.Tag // always userTagRows rows
}

// userTagRows is how many tag rows the wizard offers.
const userTagRows = 5

type userNewData struct {
	Form        userForm
	Groups      []store.Group
	GroupsErr   *pageError
	Policies    []iam.PolicyWithCount
	PoliciesErr *pageError
}

func (h *Handler) userNewData(q *request, f userForm) *userNewData {
	d := &userNewData{Form: f}
	var err error
	if d.Groups, err = h.userAllGroups(q); err != nil {
		d.GroupsErr = toPageError(err)
	}
	if d.Policies, err = h.userAllPolicies(q); err != nil {
		d.PoliciesErr = toPageError(err)
	}
	return d
}

func (h *Handler) userNewPage(q *request) {
	f := userForm{Programmatic: true, PasswordMode: "autogen", RequireReset: true, Tags: make([]store.Tag, userTagRows)}
	h.show(q, "iam/user-new", page{Title: "Create user", Section: "iam", Data: h.userNewData(q, f)})
}

func userParseForm(r *http.Request) (f userForm, password string) {
	f = userForm{
		UserName:     strings.TrimSpace(r.PostFormValue("username")),
		Path:         strings.TrimSpace(r.PostFormValue("path")),
		Programmatic: r.PostFormValue("programmatic") == "1",
		Console:      r.PostFormValue("console") == "1",
		PasswordMode: r.PostFormValue("password_mode"),
		RequireReset: r.PostFormValue("require_reset") != "",
		Boundary:     strings.TrimSpace(r.PostFormValue("boundary")),
	}
	if f.PasswordMode != "custom" {
		f.PasswordMode = "autogen"
	}
	f.Groups = nonEmpty(r.PostForm["group"])
	f.Policies = nonEmpty(r.PostForm["policy"])
	keys, values := r.PostForm["tag_key"], r.PostForm["tag_value"]
	for i := range max(len(keys), len(values)) {
		var t store.Tag
		if i < len(keys) {
			t.Key = strings.TrimSpace(keys[i])
		}
		if i < len(values) {
			t.Value = strings.TrimSpace(values[i])
		}
		if t.Key != "" || t.Value != "" {
			f.Tags = append(f.Tags, t)
		}
	}
	return f, r.PostFormValue("password")
}

// userKeyView is a new access key as the one-time page shows it.
type userKeyView struct {
	UserName string
	ID       string
	Secret   string
	Created  time.Time
	// CSVName and CSVHref are the "Download .csv file" link: the file the
	// AWS console downloads, as a data: URL.
	CSVName string
	CSVHref template.URL
}

func newUserKeyView(k iam.NewAccessKey) *userKeyView {
	csv := iam.CredentialsCSV(iam.RootKey{AccessKeyID: k.ID, SecretAccessKey: k.Secret})
	return &userKeyView{UserName: k.UserName, ID: k.ID, Secret: k.Secret, Created: k.CreatedAt,
		CSVName: k.UserName + "_accessKeys.csv", CSVHref: csvDataURL(csv)}
}

// csvDataURL makes a data: URL of a CSV file. Every byte but RFC 3986's
// unreserved characters is percent-encoded (the BOM, CR and LF, and the
// secret's "/" and "+" included), so the URL decodes to exactly csv; the
// result is safe to mark as a template.URL because nothing in it is left to
// interpret.
func csvDataURL(csv string) template.URL {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString("data:text/csv;charset=utf-8,")
	for i := 0; i < len(csv); i++ {
		c := csv[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return template.URL(b.String())
}

// userCreatedData is the "Retrieve password / access keys" page.
type userCreatedData struct {
	UserName          string
	ARN               string
	SignInURL         string
	Console           bool
	Password          string // set only when the login profile was created
	PasswordGenerated bool
	RequireReset      bool
	Key               *userKeyView
	Steps             []stepResult
	Failed            int
}

// signInURL is the console sign-in page for the signed-in account.
func (h *Handler) signInURL(q *request) string {
	base := strings.TrimRight(h.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if q.r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + q.r.Host
	}
	return base + "/console/signin?account=" + url.QueryEscape(q.sess.AccountID)
}

func (h *Handler) userCreate(q *request) {
	f, password := userParseForm(q.r)
	p := page{Title: "Create user", Section: "iam"}
	reshow := func(err error) {
		for len(f.Tags) < userTagRows {
			f.Tags = append(f.Tags, store.Tag{})
		}
		p.Data = h.userNewData(q, f)
		h.fail(q, "iam/user-new", p, err)
	}
	if f.Console && f.PasswordMode == "custom" && password == "" {
		reshow(errs.Coded(errs.Invalid, "ValidationError", "Enter a custom console password, or choose an autogenerated one."))
		return
	}
	if len(f.Tags) > userTagRows {
		reshow(errs.Coded(errs.Invalid, "ValidationError", "The wizard adds at most %d tags; add more on the user's Tags tab.", userTagRows))
		return
	}
	u, err := h.IAM.CreateUser(q.ctx(), q.call, iam.CreateUserInput{UserName: f.UserName, Path: f.Path, PermissionsBoundary: f.Boundary, Tags: f.Tags})
	if err != nil {
		reshow(err)
		return
	}
	d := &userCreatedData{UserName: u.Name, ARN: h.IAM.UserARN(u), SignInURL: h.signInURL(q), Console: f.Console}
	d.Steps = append(d.Steps, stepResult{Step: "Create user " + u.Name})
	step := func(name string, err error) bool {
		s := stepResult{Step: name}
		if err != nil {
			s.Err = toPageError(err)
			if s.Err.Status >= 500 {
				h.Log.Error("console: create-user step failed", "step", name, "err", err)
			}
			d.Failed++
		}
		d.Steps = append(d.Steps, s)
		return err == nil
	}
	for _, g := range f.Groups {
		step("Add to group "+g, h.IAM.AddUserToGroup(q.ctx(), q.call, g, u.Name))
	}
	policies := f.Policies
	if f.Console && f.RequireReset && !slices.Contains(policies, changePasswordPolicy) {
		policies = append(policies, changePasswordPolicy)
	}
	for _, arn := range policies {
		step("Attach policy "+arn, h.IAM.AttachPolicy(q.ctx(), q.call, store.KindUser, u.Name, arn))
	}
	if f.Console {
		var err error
		if f.PasswordMode == "autogen" {
			password, err = iam.NewConsolePassword()
			d.PasswordGenerated = true
		}
		if err == nil {
			_, err = h.IAM.CreateLoginProfile(q.ctx(), q.call, iam.CreateLoginProfileInput{UserName: u.Name, Password: password, PasswordResetRequired: f.RequireReset})
		}
		if step("Create console password", err) {
			d.Password, d.RequireReset = password, f.RequireReset
		}
	}
	if f.Programmatic {
		k, err := h.IAM.CreateAccessKey(q.ctx(), q.call, u.Name)
		if step("Create access key", err) {
			d.Key = newUserKeyView(k)
		}
	}
	p.Title, p.Data = "User "+u.Name+" created", d
	if d.Failed > 0 {
		for _, s := range d.Steps {
			if s.Err != nil {
				e := *s.Err
				e.Message = "User " + u.Name + " was created, but " + strconv.Itoa(d.Failed) + " of its " + strconv.Itoa(len(d.Steps)-1) +
					" setup steps failed (see each step below). First failure, " + s.Step + ": " + s.Err.Message
				p.Err = &e
				break
			}
		}
	}
	h.show(q, "iam/user-created", p)
}

// ---------------------------------------------------------------------------
// The user's page

var userTabs = []struct{ Key, Label string }{
	{"permissions", "Permissions"},
	{"groups", "Groups"},
	{"security", "Security credentials"},
	{"tags", "Tags"},
}

type userTab struct {
	Key, Label, Href string
	Current          bool
}

// userKeyRow is an access key in the security credentials table.
type userKeyRow struct {
	store.AccessKey
	// LastUsedErr is set when GetAccessKeyLastUsed was refused.
	LastUsedErr *pageError
}

// userConflict lists what must go before a user can be deleted.
type userConflict struct {
	Console  bool
	Keys     int
	Attached int
	Inline   int
	Groups   int
	// Unknown lists the parts that could not be read.
	Unknown []string
}

type userPageData struct {
	Name  string
	Found bool
	User  store.User
	ARN   string
	Tab   string
	Tabs  []userTab
	// TabErr is the current tab's failed read; TabErrShown is set when it
	// is the page's main error panel already.
	TabErr      *pageError
	TabErrShown bool

	Login    *iam.LoginProfile // nil: no console password (or not readable)
	LoginErr *pageError

	// Permissions
	Attached    []store.ManagedPolicy
	Inline      []string
	Policies    []iam.PolicyWithCount // for the boundary choice
	PoliciesErr *pageError

	// Groups
	Groups    []store.Group
	AllGroups []store.Group // groups the user is not in
	AllErr    *pageError

	// Security credentials
	Keys    []userKeyRow
	KeysMax bool

	// Tags
	Tags []store.Tag

	// Form values kept after a failed action.
	TagKey, TagValue string
	Conflict         *userConflict
}

func (d *userPageData) loadTab(h *Handler, q *request, tab string) error {
	switch tab {
	case "permissions":
		var err error
		if d.Attached, err = h.IAM.ListAttachedPolicies(q.ctx(), q.call, store.KindUser, d.Name, ""); err != nil {
			return err
		}
		if d.Inline, err = h.IAM.ListInlinePolicies(q.ctx(), q.call, store.KindUser, d.Name); err != nil {
			return err
		}
		if d.Policies, err = h.userAllPolicies(q); err != nil {
			d.PoliciesErr = toPageError(err)
		}
	case "groups":
		var err error
		if d.Groups, err = h.userGroupsAll(q, d.Name); err != nil {
			return err
		}
		all, err := h.userAllGroups(q)
		if err != nil {
			d.AllErr = toPageError(err)
		}
		for _, g := range all {
			in := false
			for _, m := range d.Groups {
				in = in || m.Name == g.Name
			}
			if !in {
				d.AllGroups = append(d.AllGroups, g)
			}
		}
	case "security":
		keys, _, err := h.IAM.ListAccessKeys(q.ctx(), q.call, d.Name)
		if err != nil {
			return err
		}
		d.Keys = nil
		for _, k := range keys {
			row := userKeyRow{AccessKey: k}
			if lu, err := h.IAM.GetAccessKeyLastUsed(q.ctx(), q.call, k.ID); err != nil {
				row.LastUsedErr = toPageError(err)
			} else {
				row.LastUsedAt, row.LastUsedService, row.LastUsedRegion = lu.LastUsedAt, lu.LastUsedService, lu.LastUsedRegion
			}
			d.Keys = append(d.Keys, row)
		}
		d.KeysMax = len(d.Keys) >= 2
	case "tags":
		d.Tags = nil
		pg := iam.Page{MaxItems: 1000}
		for {
			tags, marker, err := h.IAM.ListUserTags(q.ctx(), q.call, d.Name, pg)
			if err != nil {
				return err
			}
			d.Tags = append(d.Tags, tags...)
			if marker == "" {
				break
			}
			pg.Marker = marker
		}
	}
	return nil
}

// userPage reads what the user's page shows on tab: the summary (GetUser,
// GetLoginProfile) and the tab's own reads.
func (h *Handler) userPage(q *request, name, tab string) *userPageData {
	d := &userPageData{Name: name, Tab: "permissions"}
	for _, t := range userTabs {
		if t.Key == tab {
			d.Tab = tab
		}
	}
	for _, t := range userTabs {
		d.Tabs = append(d.Tabs, userTab{Key: t.Key, Label: t.Label, Current: t.Key == d.Tab,
			Href: "/console/iam/users/" + url.PathEscape(name) + "?tab=" + t.Key})
	}
	u, err := h.IAM.GetUser(q.ctx(), q.call, name)
	if err != nil {
		d.TabErr = toPageError(err)
		return d
	}
	d.Found, d.User, d.Name, d.ARN = true, u, u.Name, h.IAM.UserARN(u)
	if lp, err := h.IAM.GetLoginProfile(q.ctx(), q.call, u.Name); err == nil {
		d.Login = &lp
	} else if errs.KindOf(err) != errs.NotFound {
		d.LoginErr = toPageError(err)
	}
	if err := d.loadTab(h, q, d.Tab); err != nil {
		d.TabErr = toPageError(err)
	}
	return d
}

func (h *Handler) userShow(q *request) {
	name := q.r.PathValue("name")
	d := h.userPage(q, name, q.r.URL.Query().Get("tab"))
	p := page{Title: "User " + name, Section: "iam", Data: d}
	if d.TabErr != nil {
		p.Err, d.TabErrShown = d.TabErr, true
	}
	h.show(q, "iam/user", p)
}

// userFail shows an action's error on the user's page, on tab.
func (h *Handler) userFail(q *request, tab string, err error, keep func(*userPageData)) {
	name := q.r.PathValue("name")
	d := h.userPage(q, name, tab)
	if keep != nil {
		keep(d)
	}
	h.fail(q, "iam/user", page{Title: "User " + name, Section: "iam", Data: d}, err)
}

func userURL(name, tab string) string {
	return "/console/iam/users/" + url.PathEscape(name) + "?tab=" + tab
}

// userEach runs fn for each item, stopping at the first failure. On a
// failure the flash names what was done before it, so that a partial
// success is never silent.
func userEach(items []string, fn func(string) error) (string, error) {
	var done []string
	for _, it := range items {
		if err := fn(it); err != nil {
			flash := ""
			if len(done) > 0 {
				flash = "Done before the failure: " + strings.Join(done, ", ") + "."
			}
			return flash, err
		}
		done = append(done, it)
	}
	return "", nil
}

func (h *Handler) userDelete(q *request) {
	name := q.r.PathValue("name")
	err := h.IAM.DeleteUser(q.ctx(), q.call, name)
	if err == nil {
		redirect(q, "/console/iam/users", "User "+name+" deleted.")
		return
	}
	if errs.KindOf(err) != errs.Conflict {
		h.userFail(q, "permissions", err, nil)
		return
	}
	// DeleteConflict: list everything that must go first, as far as the
	// signed-in principal may read it.
	h.userFail(q, "permissions", err, func(d *userPageData) {
		if !d.Found {
			return
		}
		c := &userConflict{Console: d.Login != nil}
		if d.LoginErr != nil {
			c.Unknown = append(c.Unknown, "console password")
		}
		c.Attached, c.Inline = len(d.Attached), len(d.Inline)
		if d.TabErr != nil {
			c.Unknown = append(c.Unknown, "policies")
		}
		for _, part := range []string{"security", "groups"} {
			if e := d.loadTab(h, q, part); e != nil {
				c.Unknown = append(c.Unknown, map[string]string{"security": "access keys", "groups": "groups"}[part])
			}
		}
		c.Keys, c.Groups = len(d.Keys), len(d.Groups)
		d.Conflict = c
	})
}

// Permissions -----------------------------------------------------------------

type userAttachData struct {
	Name        string
	Policies    []iam.PolicyWithCount
	Attached    []string // ARNs already attached
	AttachedErr *pageError
	Chosen      []string
}

func (h *Handler) userAttachData(q *request, name string, chosen []string) (*userAttachData, error) {
	d := &userAttachData{Name: name, Chosen: chosen}
	if attached, err := h.IAM.ListAttachedPolicies(q.ctx(), q.call, store.KindUser, name, ""); err == nil {
		for _, a := range attached {
			d.Attached = append(d.Attached, a.ARN)
		}
	} else {
		d.AttachedErr = toPageError(err)
	}
	var err error
	d.Policies, err = h.userAllPolicies(q)
	return d, err
}

func (h *Handler) userAttachPage(q *request) {
	name := q.r.PathValue("name")
	d, err := h.userAttachData(q, name, nil)
	p := page{Title: "Add permissions to " + name, Section: "iam", Data: d}
	if err != nil {
		h.fail(q, "iam/user-attach", p, err)
		return
	}
	h.show(q, "iam/user-attach", p)
}

func (h *Handler) userAttach(q *request) {
	name := q.r.PathValue("name")
	arns := nonEmpty(q.r.PostForm["policy"])
	fail := func(flash string, err error) {
		d, _ := h.userAttachData(q, name, arns)
		h.fail(q, "iam/user-attach", page{Title: "Add permissions to " + name, Section: "iam", Flash: flash, Data: d}, err)
	}
	if len(arns) == 0 {
		fail("", errs.Coded(errs.Invalid, "ValidationError", "Choose at least one policy to attach."))
		return
	}
	flash, err := userEach(arns, func(arn string) error {
		return h.IAM.AttachPolicy(q.ctx(), q.call, store.KindUser, name, arn)
	})
	if err != nil {
		fail(flash, err)
		return
	}
	redirect(q, userURL(name, "permissions"), "Attached "+strconv.Itoa(len(arns))+" "+userPlural(len(arns), "policy", "policies")+" to "+name+".")
}

func userPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (h *Handler) userDetach(q *request) {
	name, arn := q.r.PathValue("name"), q.r.PostFormValue("policy")
	if err := h.IAM.DetachPolicy(q.ctx(), q.call, store.KindUser, name, arn); err != nil {
		h.userFail(q, "permissions", err, nil)
		return
	}
	redirect(q, userURL(name, "permissions"), "Detached "+arn+" from "+name+".")
}

func (h *Handler) userBoundary(q *request) {
	name := q.r.PathValue("name")
	arn := strings.TrimSpace(q.r.PostFormValue("policy"))
	remove := q.r.PostFormValue("remove") == "1"
	if remove {
		arn = ""
	} else if arn == "" {
		h.userFail(q, "permissions", errs.Coded(errs.Invalid, "ValidationError", "Choose the policy to use as the permissions boundary."), nil)
		return
	}
	if err := h.IAM.SetPermissionsBoundary(q.ctx(), q.call, store.KindUser, name, arn); err != nil {
		h.userFail(q, "permissions", err, nil)
		return
	}
	msg := "Permissions boundary of " + name + " set to " + arn + "."
	if remove {
		msg = "Permissions boundary of " + name + " removed."
	}
	redirect(q, userURL(name, "permissions"), msg)
}

// Inline policies ---------------------------------------------------------------

type userInlineData struct {
	UserName   string
	PolicyName string
	Existing   bool
	Editor     editor
}

const userInlineTemplate = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [],
      "Resource": []
    }
  ]
}`

func (h *Handler) userInlineEditor(doc string) editor {
	return h.newEditor("inline-policy-document", "document", "identity", "Policy document", doc)
}

func (h *Handler) userInlineNew(q *request) {
	name := q.r.PathValue("name")
	d := &userInlineData{UserName: name, Editor: h.userInlineEditor(userInlineTemplate)}
	h.show(q, "iam/user-inline", page{Title: "Create inline policy for " + name, Section: "iam", Data: d})
}

func (h *Handler) userInlineShow(q *request) {
	name, pol := q.r.PathValue("name"), q.r.PathValue("policy")
	ip, err := h.IAM.GetInlinePolicy(q.ctx(), q.call, store.KindUser, name, pol)
	p := page{Title: "Inline policy " + pol + " of " + name, Section: "iam"}
	if err != nil {
		h.fail(q, "", p, err)
		return
	}
	p.Data = &userInlineData{UserName: name, PolicyName: ip.Name, Existing: true, Editor: h.userInlineEditor(ip.Document)}
	h.show(q, "iam/user-inline", p)
}

func (h *Handler) userInlinePut(q *request) {
	name := q.r.PathValue("name")
	pol, doc := strings.TrimSpace(q.r.PostFormValue("policy_name")), q.r.PostFormValue("document")
	existing := q.r.PostFormValue("existing") == "1"
	d := &userInlineData{UserName: name, PolicyName: pol, Existing: existing, Editor: h.userInlineEditor(doc)}
	p := page{Title: "Inline policy for " + name, Section: "iam", Data: d}
	if hasErrors(d.Editor.Findings) {
		h.fail(q, "iam/user-inline", p, errs.Coded(errs.Invalid, "MalformedPolicyDocument", "The policy has errors (see Policy validation). Fix them before saving."))
		return
	}
	if err := h.IAM.PutInlinePolicy(q.ctx(), q.call, store.KindUser, name, pol, doc); err != nil {
		h.fail(q, "iam/user-inline", p, err)
		return
	}
	redirect(q, userURL(name, "permissions"), "Inline policy "+pol+" saved.")
}

func (h *Handler) userInlineDelete(q *request) {
	name, pol := q.r.PathValue("name"), q.r.PathValue("policy")
	if err := h.IAM.DeleteInlinePolicy(q.ctx(), q.call, store.KindUser, name, pol); err != nil {
		h.userFail(q, "permissions", err, nil)
		return
	}
	redirect(q, userURL(name, "permissions"), "Inline policy "+pol+" deleted.")
}

// Groups --------------------------------------------------------------------------

func (h *Handler) userAddGroups(q *request) {
	name := q.r.PathValue("name")
	groups := nonEmpty(q.r.PostForm["group"])
	if len(groups) == 0 {
		h.userFail(q, "groups", errs.Coded(errs.Invalid, "ValidationError", "Choose at least one group."), nil)
		return
	}
	flash, err := userEach(groups, func(g string) error { return h.IAM.AddUserToGroup(q.ctx(), q.call, g, name) })
	if err != nil {
		d := h.userPage(q, name, "groups")
		h.fail(q, "iam/user", page{Title: "User " + name, Section: "iam", Flash: flash, Data: d}, err)
		return
	}
	redirect(q, userURL(name, "groups"), "Added "+name+" to "+strings.Join(groups, ", ")+".")
}

func (h *Handler) userRemoveGroup(q *request) {
	name, g := q.r.PathValue("name"), q.r.PostFormValue("group")
	if err := h.IAM.RemoveUserFromGroup(q.ctx(), q.call, g, name); err != nil {
		h.userFail(q, "groups", err, nil)
		return
	}
	redirect(q, userURL(name, "groups"), "Removed "+name+" from "+g+".")
}

// Access keys -------------------------------------------------------------------

func (h *Handler) userCreateKey(q *request) {
	name := q.r.PathValue("name")
	k, err := h.IAM.CreateAccessKey(q.ctx(), q.call, name)
	if err != nil {
		h.userFail(q, "security", err, nil)
		return
	}
	h.show(q, "iam/key-created", page{Title: "Access key created", Section: "iam", Data: newUserKeyView(k)})
}

// The key actions never echo the key ID they were given: a refusal must not
// confirm another user's key.
func (h *Handler) userKeyStatus(q *request) {
	name, id := q.r.PathValue("name"), q.r.PathValue("id")
	status := q.r.PostFormValue("status")
	if err := h.IAM.UpdateAccessKey(q.ctx(), q.call, name, id, status); err != nil {
		h.userFail(q, "security", err, nil)
		return
	}
	verb := "activated"
	if status == string(store.KeyInactive) {
		verb = "deactivated"
	}
	redirect(q, userURL(name, "security"), "Access key "+id+" "+verb+".")
}

func (h *Handler) userKeyDelete(q *request) {
	name, id := q.r.PathValue("name"), q.r.PathValue("id")
	if err := h.IAM.DeleteAccessKey(q.ctx(), q.call, name, id); err != nil {
		h.userFail(q, "security", err, nil)
		return
	}
	redirect(q, userURL(name, "security"), "Access key "+id+" deleted.")
}

// Console password ----------------------------------------------------------------

// userPasswordData is the one-time page of a generated console password.
type userPasswordData struct {
	UserName     string
	Password     string
	SignInURL    string
	RequireReset bool
}

// userNewPassword reads password_mode and password: a generated password
// (and true) for "autogen", else the typed one.
func userNewPassword(r *http.Request) (string, bool, error) {
	if r.PostFormValue("password_mode") == "custom" {
		pw := r.PostFormValue("password")
		if pw == "" {
			return "", false, errs.Coded(errs.Invalid, "ValidationError", "Enter a custom console password, or choose an autogenerated one.")
		}
		return pw, false, nil
	}
	pw, err := iam.NewConsolePassword()
	return pw, true, err
}

// userPasswordDone finishes enabling or resetting a console password: with
// a reset required, it attaches IAMUserChangePassword as the AWS console
// does; a generated password is shown once.
func (h *Handler) userPasswordDone(q *request, name, pw string, generated, reset bool, msg string) {
	var attachErr error
	if reset {
		attachErr = h.IAM.AttachPolicy(q.ctx(), q.call, store.KindUser, name, changePasswordPolicy)
	}
	if !generated && attachErr == nil {
		redirect(q, userURL(name, "security"), msg)
		return
	}
	d := &userPasswordData{UserName: name, SignInURL: h.signInURL(q), RequireReset: reset}
	if generated {
		d.Password = pw // shown once; a typed password is not echoed
	}
	p := page{Title: "Console password for " + name, Section: "iam", Data: d}
	if attachErr != nil {
		p.Err = toPageError(attachErr)
		p.Err.Message = msg + " But attaching " + changePasswordPolicy + ", which lets the user choose a new password, failed: " + p.Err.Message
	} else {
		p.Flash = msg
	}
	h.show(q, "iam/user-password", p)
}

func (h *Handler) userPasswordCreate(q *request) {
	name := q.r.PathValue("name")
	pw, generated, err := userNewPassword(q.r)
	if err != nil {
		h.userFail(q, "security", err, nil)
		return
	}
	reset := q.r.PostFormValue("require_reset") != ""
	if _, err := h.IAM.CreateLoginProfile(q.ctx(), q.call, iam.CreateLoginProfileInput{UserName: name, Password: pw, PasswordResetRequired: reset}); err != nil {
		h.userFail(q, "security", err, nil)
		return
	}
	h.userPasswordDone(q, name, pw, generated, reset, "Console access enabled for "+name+".")
}

func (h *Handler) userPasswordUpdate(q *request) {
	name := q.r.PathValue("name")
	in := iam.UpdateLoginProfileInput{UserName: name}
	reset := q.r.PostFormValue("require_reset") != ""
	in.PasswordResetRequired = &reset
	var pw string
	var generated bool
	if q.r.PostFormValue("password_mode") != "keep" {
		var err error
		if pw, generated, err = userNewPassword(q.r); err != nil {
			h.userFail(q, "security", err, nil)
			return
		}
		in.Password = &pw
	}
	if err := h.IAM.UpdateLoginProfile(q.ctx(), q.call, in); err != nil {
		h.userFail(q, "security", err, nil)
		return
	}
	h.userPasswordDone(q, name, pw, generated, reset, "Console password of "+name+" updated.")
}

func (h *Handler) userPasswordDelete(q *request) {
	name := q.r.PathValue("name")
	if err := h.IAM.DeleteLoginProfile(q.ctx(), q.call, name); err != nil {
		h.userFail(q, "security", err, nil)
		return
	}
	redirect(q, userURL(name, "security"), "Console access disabled for "+name+".")
}

// Tags ------------------------------------------------------------------------------

func (h *Handler) userTag(q *request) {
	name := q.r.PathValue("name")
	key, value := strings.TrimSpace(q.r.PostFormValue("tag_key")), strings.TrimSpace(q.r.PostFormValue("tag_value"))
	if err := h.IAM.TagUser(q.ctx(), q.call, name, []store.Tag{{Key: key, Value: value}}); err != nil {
		h.userFail(q, "tags", err, func(d *userPageData) { d.TagKey, d.TagValue = key, value })
		return
	}
	redirect(q, userURL(name, "tags"), "Tag "+key+" saved.")
}

func (h *Handler) userUntag(q *request) {
	name, key := q.r.PathValue("name"), q.r.PostFormValue("key")
	if err := h.IAM.UntagUser(q.ctx(), q.call, name, []string{key}); err != nil {
		h.userFail(q, "tags", err, nil)
		return
	}
	redirect(q, userURL(name, "tags"), "Tag "+key+" removed.")
}
