package console

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/store"
)

const (
	usrECRFull   = "arn:aws:iam::aws:policy/AmazonElasticContainerRegistryPublicFullAccess"
	usrUserPw    = "User-Passw0rd!"
	usrCSVPrefix = "data:text/csv;charset=utf-8,"
)

// usrText returns the text of the element with the given id (a <code> or
// similar without children), HTML-unescaped, or "" when there is none.
func usrText(body, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// usrDownload returns the download name and the decoded data: URL of the
// "Download .csv file" link.
func usrDownload(t *testing.T, body string) (name, content string) {
	t.Helper()
	m := regexp.MustCompile(`id="download-csv" download="([^"]*)" href="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no download-csv link in\n%s", body)
	}
	href := html.UnescapeString(m[2])
	if !strings.HasPrefix(href, usrCSVPrefix) {
		t.Fatalf("download href %q is not a text/csv data: URL", href)
	}
	raw := strings.TrimPrefix(href, usrCSVPrefix)
	if strings.ContainsAny(raw, "+/\r\n\ufeff") {
		t.Fatalf("the CSV is not fully percent-encoded: %q", raw)
	}
	content, err := url.PathUnescape(raw)
	if err != nil {
		t.Fatal(err)
	}
	return html.UnescapeString(m[1]), content
}

// usrCheckKeyPage checks a one-time access key page: the CSV decodes to
// exactly what the AWS console downloads, and the key works.
func usrCheckKeyPage(t *testing.T, e *testEnv, body, user string) string {
	t.Helper()
	id, secret := usrText(body, "access-key-id"), usrText(body, "secret-access-key")
	if id == "" || secret == "" {
		t.Fatalf("no access key on the page:\n%s", body)
	}
	name, content := usrDownload(t, body)
	if name != user+"_accessKeys.csv" {
		t.Errorf("download name %q, want %s_accessKeys.csv", name, user)
	}
	want := iam.CredentialsCSV(iam.RootKey{AccessKeyID: id, SecretAccessKey: secret})
	if content != want {
		t.Errorf("CSV %q, want %q", content, want)
	}
	if !strings.HasPrefix(content, "\ufeffAccess key ID,Secret access key\r\n") || !strings.HasSuffix(content, "\r\n") {
		t.Errorf("CSV %q lacks the BOM, header or CRLF", content)
	}
	if !strings.Contains(body, `data-copy="#secret-access-key"`) {
		t.Error("no copy button for the secret")
	}
	c, err := e.IAM.LookupAccessKey(context.Background(), id)
	if err != nil {
		t.Fatalf("the new key does not authenticate: %v", err)
	}
	if c.Secret != secret || c.User.Name != user {
		t.Errorf("key belongs to %q with another secret", c.User.Name)
	}
	return id
}

// usrMkUser creates a user with a console password and the given managed policies.
func usrMkUser(t *testing.T, e *testEnv, name string, policies ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateLoginProfile(ctx, e.Root, iam.CreateLoginProfileInput{UserName: name, Password: usrUserPw}); err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		if err := e.IAM.AttachPolicy(ctx, e.Root, store.KindUser, name, p); err != nil {
			t.Fatal(err)
		}
	}
}

func usrUserExists(t *testing.T, e *testEnv, name string) bool {
	t.Helper()
	_, err := e.IAM.GetUser(context.Background(), e.Root, name)
	return err == nil
}

func TestUsersList(t *testing.T) {
	e := newTestEnv(t)
	usrMkUser(t, e, "alice")
	usrMkUser(t, e, "bob")
	b := e.rootBrowser()
	status, body := b.get("/console/iam/users")
	if status != 200 {
		t.Fatalf("status %d\n%s", status, body)
	}
	for _, want := range []string{`id="users-table"`, `id="user-search"`, `data-filter="#users-table"`, `id="create-user"`,
		`href="/console/iam/users/alice"`, "arn:aws:iam::123456789012:user/bob", "Enabled"} {
		if !strings.Contains(body, want) {
			t.Errorf("users page lacks %s", want)
		}
	}
	_, body = b.get("/console/iam/users?q=LIC")
	if !strings.Contains(body, `data-user="alice"`) || strings.Contains(body, `data-user="bob"`) {
		t.Errorf("?q=LIC should list alice only:\n%s", body)
	}
}

func TestUserWizard(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	if _, err := e.IAM.CreateGroup(ctx, e.Root, "devs", ""); err != nil {
		t.Fatal(err)
	}
	b := e.rootBrowser()
	status, body := b.get("/console/iam/create/user")
	if status != 200 {
		t.Fatalf("wizard: %d\n%s", status, body)
	}
	for _, id := range []string{"user-name", "access-programmatic", "access-console", "password-autogen", "password-custom",
		"console-password", "require-reset", "policy-filter-input", "create-user-submit"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("wizard lacks #%s", id)
		}
	}
	if !strings.Contains(body, `class="steps"`) || !strings.Contains(body, `value="devs"`) || !strings.Contains(body, `value="`+usrECRFull+`"`) {
		t.Error("wizard lacks its steps, the group or the policy")
	}

	form := url.Values{"username": {"alice"}, "programmatic": {"1"}, "console": {"1"}, "password_mode": {"autogen"},
		"require_reset": {"1"}, "group": {"devs"}, "policy": {usrECRFull},
		"tag_key": {"team", "", "", "", ""}, "tag_value": {"core", "", "", "", ""}}
	status, _, body = b.post("/console/iam/users", form)
	if status != 200 {
		t.Fatalf("create: %d\n%s", status, body)
	}
	usrCheckKeyPage(t, e, body, "alice")
	if n := strings.Count(body, `data-step-status="done"`); n != 6 || strings.Contains(body, `data-step-status="failed"`) {
		t.Errorf("%d steps done, want 6 (user, group, 2 policies, password, key) and none failed:\n%s", n, body)
	}
	if !strings.Contains(body, e.URL+"/console/signin?account="+testAccount) {
		t.Error("no console sign-in URL")
	}
	if !strings.Contains(body, "only time") {
		t.Error("no warning that the secret is shown once")
	}
	pw := usrText(body, "console-password-value")
	if pw == "" {
		t.Fatal("no generated password shown")
	}

	groups, _, _ := e.IAM.ListGroupsForUser(ctx, e.Root, "alice", iam.Page{})
	attached, _ := e.IAM.ListAttachedPolicies(ctx, e.Root, store.KindUser, "alice", "")
	tags, _, _ := e.IAM.ListUserTags(ctx, e.Root, "alice", iam.Page{})
	if len(groups) != 1 || len(attached) != 2 || len(tags) != 1 || tags[0] != (store.Tag{Key: "team", Value: "core"}) {
		t.Errorf("groups %v, policies %v, tags %v", groups, attached, tags)
	}
	if lp, err := e.IAM.GetLoginProfile(ctx, e.Root, "alice"); err != nil || !lp.PasswordResetRequired {
		t.Errorf("login profile %+v, %v", lp, err)
	}

	// The generated password signs alice in, straight to the reset page,
	// and IAMUserChangePassword lets her choose a new one.
	a := e.browser()
	a.get("/console/signin")
	status, loc, _ := a.post("/console/signin", url.Values{"account": {testAccount}, "principal": {"iam"}, "username": {"alice"}, "password": {pw}})
	if status != http.StatusSeeOther || loc != "/console/change-password" {
		t.Fatalf("sign-in with the generated password: %d %q", status, loc)
	}
	a.get(loc)
	status, loc, body = a.post("/console/change-password", url.Values{"old_password": {pw}, "new_password": {"Alice-Passw0rd!"}, "confirm_password": {"Alice-Passw0rd!"}})
	if status != http.StatusSeeOther || loc == "/console/change-password" {
		t.Fatalf("change password: %d %q\n%s", status, loc, body)
	}
}

// The result page is the response to the POST, never cached.
func TestUserWizardNoStore(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	b.get("/console/iam/create/user")
	form := url.Values{"csrf": {b.csrf}, "username": {"carl"}, "programmatic": {"1"}}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/console/iam/users", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	usrCheckKeyPage(t, e, string(body), "carl")
}

func TestUserWizardBadInput(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	for _, tc := range []struct {
		name, username string
		extra          url.Values
		want           string
	}{
		{"empty name", "", nil, "ValidationError"},
		{"space in name", "a b", nil, "ValidationError"},
		{"name too long", strings.Repeat("x", 65), nil, "ValidationError"},
		{"bad path", "pathy", url.Values{"path": {"nope"}}, "ValidationError"},
		{"custom password missing", "pw", url.Values{"console": {"1"}, "password_mode": {"custom"}}, "Enter a custom console password"},
		{"bad tag", "tagged", url.Values{"tag_key": {"", "bad<key>"}, "tag_value": {"", "v"}}, "InvalidInput"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b.get("/console/iam/create/user")
			form := url.Values{"username": {tc.username}, "programmatic": {"1"}}
			for k, v := range tc.extra {
				form[k] = v
			}
			status, _, body := b.post("/console/iam/users", form)
			if status != http.StatusBadRequest || !strings.Contains(body, tc.want) {
				t.Fatalf("status %d, want 400 with %s\n%s", status, tc.want, body)
			}
			if !strings.Contains(body, `id="create-user-submit"`) || !strings.Contains(body, `value="`+html.EscapeString(tc.username)+`"`) {
				t.Error("the form is not shown again with the name kept")
			}
			if tc.username != "" && usrUserExists(t, e, tc.username) {
				t.Error("the user was created")
			}
		})
	}
}

func TestUserWizardLaterStepFails(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	b.get("/console/iam/create/user")
	status, _, body := b.post("/console/iam/users", url.Values{"username": {"erin"}, "programmatic": {"1"}, "console": {"1"},
		"password_mode": {"custom"}, "password": {"short"}, "group": {"no-such-group"}})
	if status < 400 || status >= 500 {
		t.Fatalf("status %d, want the first failure's 4xx\n%s", status, body)
	}
	if !usrUserExists(t, e, "erin") {
		t.Fatal("the user should exist: only later steps failed")
	}
	if n := strings.Count(body, `data-step-status="failed"`); n != 2 {
		t.Errorf("%d failed steps, want 2 (group, password)\n%s", n, body)
	}
	if n := strings.Count(body, `data-step-status="done"`); n != 2 {
		t.Errorf("%d done steps, want 2 (user, key)", n)
	}
	for _, want := range []string{"NoSuchEntity", "PasswordPolicyViolation", "was created, but 2 of its 3 setup steps failed"} {
		if !strings.Contains(body, want) {
			t.Errorf("result lacks %q", want)
		}
	}
	if usrText(body, "console-password-value") != "" {
		t.Error("a password that was not set is shown")
	}
	// The key that was made is still shown: this is the only chance.
	usrCheckKeyPage(t, e, body, "erin")
}

// A user with no policies is refused everything, sees why, and learns
// nothing about another user's keys.
func TestUsersDenied(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	usrMkUser(t, e, "mallory")
	usrMkUser(t, e, "bob")
	k, err := e.IAM.CreateAccessKey(ctx, e.Root, "bob")
	if err != nil {
		t.Fatal(err)
	}
	m := e.browser()
	m.signIn("mallory", usrUserPw)
	check := func(what string, status int, body string) {
		t.Helper()
		if status != http.StatusForbidden || !strings.Contains(body, "AccessDenied") || !strings.Contains(body, `data-testid="why"`) {
			t.Errorf("%s: status %d, want 403 with AccessDenied and the explanation\n%s", what, status, body)
		}
		if strings.Contains(body, k.ID) {
			t.Errorf("%s: bob's key ID is in the response", what)
		}
	}
	status, body := m.get("/console/iam/users")
	check("list", status, body)
	if strings.Contains(body, `id="users-table"`) {
		t.Error("an empty users table is shown under the refusal")
	}
	for _, tab := range []string{"", "?tab=security", "?tab=permissions", "?tab=groups", "?tab=tags"} {
		status, body = m.get("/console/iam/users/bob" + tab)
		check("bob's page "+tab, status, body)
	}
	status, _, body = m.post("/console/iam/users/bob/keys", nil)
	check("create bob a key", status, body)
	status, _, body = m.post("/console/iam/users/bob/keys/"+k.ID+"/status", url.Values{"status": {"Inactive"}})
	check("deactivate bob's key", status, body)
	status, _, body = m.post("/console/iam/users/bob/keys/"+k.ID+"/delete", nil)
	check("delete bob's key", status, body)
	status, _, body = m.post("/console/iam/users/bob/password/delete", nil)
	check("remove bob's password", status, body)
	status, _, body = m.post("/console/iam/users/bob/delete", nil)
	check("delete bob", status, body)
	status, body = m.get("/console/iam/create/user")
	if status != 200 || !strings.Contains(body, "AccessDenied") {
		t.Errorf("wizard: %d; want the form with the groups and policies refusals shown", status)
	}
	status, _, body = m.post("/console/iam/users", url.Values{"username": {"eve"}, "programmatic": {"1"}})
	check("create user", status, body)
	if usrUserExists(t, e, "eve") {
		t.Error("eve was created")
	}

	keys, _, _ := e.IAM.ListAccessKeys(ctx, e.Root, "bob")
	if len(keys) != 1 || keys[0].Status != store.KeyActive {
		t.Errorf("bob's keys changed: %+v", keys)
	}
	if _, err := e.IAM.GetLoginProfile(ctx, e.Root, "bob"); err != nil {
		t.Errorf("bob's password is gone: %v", err)
	}
}

// A user who may manage only their own keys sees bob's page refused on the
// keys and manages their own.
func TestUsersSelfServiceKeys(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	usrMkUser(t, e, "carol")
	usrMkUser(t, e, "bob")
	k, err := e.IAM.CreateAccessKey(ctx, e.Root, "bob")
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":["iam:GetUser","iam:GetLoginProfile"],"Resource":"*"},
	  {"Effect":"Allow","Action":["iam:*AccessKey*"],"Resource":"arn:aws:iam::123456789012:user/${aws:username}"}]}`
	if err := e.IAM.PutInlinePolicy(ctx, e.Root, store.KindUser, "carol", "self", doc); err != nil {
		t.Fatal(err)
	}
	c := e.browser()
	c.signIn("carol", usrUserPw)
	status, body := c.get("/console/iam/users/bob?tab=security")
	if status != http.StatusForbidden || !strings.Contains(body, "iam:ListAccessKeys") || strings.Contains(body, k.ID) {
		t.Fatalf("bob's keys as carol: %d\n%s", status, body)
	}
	if !strings.Contains(body, "arn:aws:iam::123456789012:user/bob") {
		t.Error("the summary bob's GetUser allows is not shown")
	}
	for _, path := range []string{"/console/iam/users/bob/keys/" + k.ID + "/status", "/console/iam/users/bob/keys/" + k.ID + "/delete", "/console/iam/users/bob/keys"} {
		status, _, body := c.post(path, url.Values{"status": {"Inactive"}})
		if status != http.StatusForbidden || strings.Contains(body, k.ID) {
			t.Errorf("POST %s: %d (or the key ID shows)", path, status)
		}
	}
	status, _, body = c.post("/console/iam/users/carol/keys", nil)
	if status != 200 {
		t.Fatalf("own key: %d\n%s", status, body)
	}
	own := usrCheckKeyPage(t, e, body, "carol")
	status, body = c.get("/console/iam/users/carol?tab=security")
	if status != 200 || !strings.Contains(body, own) || strings.Contains(body, k.ID) {
		t.Errorf("own security tab: %d", status)
	}
}

func TestUserAccessKeys(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	usrMkUser(t, e, "dave")
	b := e.rootBrowser()
	status, body := b.get("/console/iam/users/dave?tab=security")
	if status != 200 || !strings.Contains(body, `id="access-keys-table"`) || !strings.Contains(body, `id="create-access-key"`) {
		t.Fatalf("security tab: %d\n%s", status, body)
	}
	status, _, body = b.post("/console/iam/users/dave/keys", nil)
	if status != 200 {
		t.Fatalf("create key: %d\n%s", status, body)
	}
	id := usrCheckKeyPage(t, e, body, "dave")
	secret := usrText(body, "secret-access-key")
	if err := e.IAM.RecordKeyUse(ctx, id, "ecr-public", "us-east-1", e.Root.Now); err != nil {
		t.Fatal(err)
	}
	_, body = b.get("/console/iam/users/dave?tab=security")
	if !strings.Contains(body, `data-key="`+id+`"`) || !strings.Contains(body, "ecr-public") || strings.Contains(body, secret) {
		t.Errorf("the key, its last use or no secret:\n%s", body)
	}
	status1 := func() store.KeyStatus {
		keys, _, err := e.IAM.ListAccessKeys(ctx, e.Root, "dave")
		if err != nil || len(keys) == 0 {
			return ""
		}
		return keys[0].Status
	}
	for _, st := range []string{"Inactive", "Active"} {
		status, loc, body := b.post("/console/iam/users/dave/keys/"+id+"/status", url.Values{"status": {st}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/iam/users/dave?tab=security") || string(status1()) != st {
			t.Fatalf("set %s: %d %q, key %s\n%s", st, status, loc, status1(), body)
		}
	}
	status, _, body = b.post("/console/iam/users/dave/keys/"+id+"/status", url.Values{"status": {"Bogus"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "ValidationError") {
		t.Errorf("bad status: %d", status)
	}
	status, _, _ = b.post("/console/iam/users/dave/keys/"+id+"/delete", nil)
	if status != http.StatusSeeOther || status1() != "" {
		t.Fatalf("delete: %d, key still %s", status, status1())
	}
	status, _, body = b.post("/console/iam/users/dave/keys/AKIANOSUCHKEY000000/delete", nil)
	if status != http.StatusNotFound || !strings.Contains(body, "NoSuchEntity") {
		t.Errorf("delete a missing key: %d", status)
	}
}

// The other tabs' actions, and deleting a user.
func TestUserPageActions(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	if _, err := e.IAM.CreateGroup(ctx, e.Root, "ops", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: "frank"}); err != nil {
		t.Fatal(err)
	}
	b := e.rootBrowser()
	post := func(path string, form url.Values, wantLoc string) string {
		t.Helper()
		status, loc, body := b.post(path, form)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, wantLoc) {
			t.Fatalf("POST %s: %d %q\n%s", path, status, loc, body)
		}
		_, body = b.get(loc)
		return body
	}
	u := "/console/iam/users/frank"

	// Permissions: attach, detach, inline, boundary.
	status, body := b.get(u + "/attach")
	if status != 200 || !strings.Contains(body, `id="attach-submit"`) || !strings.Contains(body, `id="policy-filter-input"`) {
		t.Fatalf("attach page: %d", status)
	}
	body = post(u+"/attach", url.Values{"policy": {usrECRFull, "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}}, u+"?tab=permissions")
	if !strings.Contains(body, "AmazonElasticContainerRegistryPublicFullAccess") || !strings.Contains(body, "IAMReadOnlyAccess") {
		t.Error("attached policies not listed")
	}
	status, _, _ = b.post(u+"/attach", url.Values{})
	if status != http.StatusBadRequest {
		t.Errorf("attach nothing: %d", status)
	}
	post(u+"/detach", url.Values{"policy": {"arn:aws:iam::aws:policy/IAMReadOnlyAccess"}}, u+"?tab=permissions")
	if ps, _ := e.IAM.ListAttachedPolicies(ctx, e.Root, store.KindUser, "frank", ""); len(ps) != 1 {
		t.Errorf("after detach: %v", ps)
	}
	status, body = b.get(u + "/inline")
	if status != 200 || !strings.Contains(body, `id="inline-policy-document"`) {
		t.Fatalf("inline editor: %d", status)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:DescribeRepositories","Resource":"*"}]}`
	status, _, body = b.post(u+"/inline", url.Values{"policy_name": {"bad"}, "document": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}`}})
	if status != http.StatusBadRequest || !strings.Contains(body, `data-testid="findings"`) {
		t.Errorf("an invalid inline policy: %d\n%s", status, body)
	}
	body = post(u+"/inline", url.Values{"policy_name": {"describe"}, "document": {doc}}, u+"?tab=permissions")
	if !strings.Contains(body, u+"/inline/describe") {
		t.Error("inline policy not listed")
	}
	if status, body = b.get(u + "/inline/describe"); status != 200 || !strings.Contains(body, "ecr-public:DescribeRepositories") {
		t.Errorf("view inline: %d", status)
	}
	post(u+"/inline/describe/delete", nil, u+"?tab=permissions")
	if names, _ := e.IAM.ListInlinePolicies(ctx, e.Root, store.KindUser, "frank"); len(names) != 0 {
		t.Errorf("inline policies left: %v", names)
	}
	post(u+"/boundary", url.Values{"policy": {usrECRFull}}, u+"?tab=permissions")
	if got, _ := e.IAM.GetUser(ctx, e.Root, "frank"); got.PermissionsBoundary != usrECRFull {
		t.Errorf("boundary %q", got.PermissionsBoundary)
	}
	post(u+"/boundary", url.Values{"remove": {"1"}}, u+"?tab=permissions")
	if got, _ := e.IAM.GetUser(ctx, e.Root, "frank"); got.PermissionsBoundary != "" {
		t.Errorf("boundary %q after removing", got.PermissionsBoundary)
	}

	// Groups.
	body = post(u+"/groups", url.Values{"group": {"ops"}}, u+"?tab=groups")
	if !strings.Contains(body, `href="/console/iam/groups/ops"`) {
		t.Error("group not listed")
	}

	// Tags.
	body = post(u+"/tags", url.Values{"tag_key": {"env"}, "tag_value": {"prod"}}, u+"?tab=tags")
	if !strings.Contains(body, "<td>env</td><td>prod</td>") {
		t.Error("tag not listed")
	}
	status, _, body = b.post(u+"/tags", url.Values{"tag_key": {"bad<key>"}, "tag_value": {"x"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `value="bad&lt;key&gt;"`) {
		t.Errorf("a bad tag: %d (or the input is lost)", status)
	}

	// Console password: enable (generated, shown once), update, delete.
	status, _, body = b.post(u+"/password", url.Values{"password_mode": {"autogen"}})
	pw := usrText(body, "console-password-value")
	if status != 200 || pw == "" {
		t.Fatalf("enable console access: %d\n%s", status, body)
	}
	f := e.browser()
	f.signIn("frank", pw) // enabled without a reset: lands on the home page
	post(u+"/password/update", url.Values{"password_mode": {"custom"}, "password": {"Frank-Passw0rd!"}, "require_reset": {"1"}}, u+"?tab=security")
	if lp, err := e.IAM.GetLoginProfile(ctx, e.Root, "frank"); err != nil || !lp.PasswordResetRequired {
		t.Errorf("after update: %+v %v", lp, err)
	}
	status, _, body = b.post(u+"/password/update", url.Values{"password_mode": {"custom"}, "password": {"weak"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "PasswordPolicyViolation") {
		t.Errorf("weak password: %d", status)
	}

	// Deleting a user that still has things attached says what must go first.
	if _, err := e.IAM.CreateAccessKey(ctx, e.Root, "frank"); err != nil {
		t.Fatal(err)
	}
	status, _, body = b.post(u+"/delete", nil)
	if status != http.StatusConflict || !strings.Contains(body, "DeleteConflict") || !strings.Contains(body, `id="delete-conflict"`) {
		t.Fatalf("delete with a password: %d\n%s", status, body)
	}
	for _, want := range []string{"The console password", "1 access key(s)", "2 attached policies", "Membership of 1 group(s)"} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict list lacks %q", want)
		}
	}
	post(u+"/password/delete", nil, u+"?tab=security")
	keys, _, _ := e.IAM.ListAccessKeys(ctx, e.Root, "frank")
	post(u+"/keys/"+keys[0].ID+"/delete", nil, u+"?tab=security")
	// Requiring a reset attached IAMUserChangePassword, as the AWS console does.
	for _, arn := range []string{usrECRFull, changePasswordPolicy} {
		post(u+"/detach", url.Values{"policy": {arn}}, u+"?tab=permissions")
	}
	post(u+"/groups/remove", url.Values{"group": {"ops"}}, u+"?tab=groups")
	post(u+"/tags/remove", url.Values{"key": {"env"}}, u+"?tab=tags")
	post(u+"/delete", nil, "/console/iam/users")
	if usrUserExists(t, e, "frank") {
		t.Error("frank still exists")
	}
	if status, body := b.get(u); status != http.StatusNotFound || !strings.Contains(body, "NoSuchEntity") {
		t.Errorf("a deleted user's page: %d", status)
	}
}
