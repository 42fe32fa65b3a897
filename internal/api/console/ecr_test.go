package console

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/registry"
	"github.com/wharf-project/wharf/internal/store"
)

// testPNG is the start of a PNG file: enough for content sniffing.
var testPNG = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 64)...)

// postMultipart submits a multipart form (with the last CSRF token) with
// optional files (field → file name and content).
func (b *browser) postMultipart(path string, form url.Values, files map[string]upload) (int, string, string) {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if _, ok := form["csrf"]; !ok {
		_ = w.WriteField("csrf", b.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for field, f := range files {
		fw, err := w.CreateFormFile(field, f.name)
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = fw.Write(f.content)
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.env.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", b.env.URL)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(out); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(out)
}

type upload struct {
	name    string
	content []byte
}

// host is the registry host the console shows in commands.
func (e *testEnv) host() string { return strings.TrimPrefix(e.URL, "http://") }

func (e *testEnv) ref(name string) registry.Ref {
	return registry.Ref{Account: testAccount, Name: name}
}

// createRepo creates a repository through the service, as root.
func (e *testEnv) createRepo(name string, in registry.CatalogDataInput) registry.RepositoryInfo {
	e.t.Helper()
	info, _, err := e.Registry.CreateRepositoryWithCatalog(context.Background(), e.Root, name, in, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return info
}

// pushImage pushes a small image (a config and one layer) as root, as a
// docker push does through the registry service, and returns its digest.
func (e *testEnv) pushImage(name, tag string, layer []byte) string {
	e.t.Helper()
	ctx, ref := context.Background(), e.ref(name)
	config := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	var descs []registry.Descriptor
	for _, b := range [][]byte{config, layer} {
		id, err := e.Registry.StartUpload(ctx, e.Root, ref)
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.Registry.AppendUpload(ctx, e.Root, ref, id, 0, bytes.NewReader(b)); err != nil {
			e.t.Fatal(err)
		}
		d := digest.FromBytes(b)
		if _, err := e.Registry.CompleteUpload(ctx, e.Root, ref, id, d, -1, nil); err != nil {
			e.t.Fatal(err)
		}
		descs = append(descs, registry.Descriptor{Digest: d.String(), Size: int64(len(b))})
	}
	descs[0].MediaType = "application/vnd.oci.image.config.v1+json"
	descs[1].MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
	m, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": registry.MediaTypeOCIManifest, "config": descs[0], "layers": descs[1:]})
	res, err := e.Registry.PutManifest(ctx, e.Root, ref, tag, registry.MediaTypeOCIManifest, m)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Digest.String()
}

// consoleUser creates an IAM user with a console password and, when doc is
// not "", an inline policy, and returns a browser signed in as them.
func (e *testEnv) consoleUser(name, doc string) *browser {
	e.t.Helper()
	ctx := context.Background()
	const pw = "User-Passw0rd!"
	if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: name}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.IAM.CreateLoginProfile(ctx, e.Root, iam.CreateLoginProfileInput{UserName: name, Password: pw}); err != nil {
		e.t.Fatal(err)
	}
	if doc != "" {
		if err := e.IAM.PutInlinePolicy(ctx, e.Root, store.KindUser, name, "ecr", doc); err != nil {
			e.t.Fatal(err)
		}
	}
	b := e.browser()
	b.signIn(name, pw)
	return b
}

func wantStatus(t *testing.T, what string, got, want int, body string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, got, want, body)
	}
}

func wantIn(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, body)
		t.FailNow()
	}
}

func wantNotIn(t *testing.T, what, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("%s has %q", what, s)
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, body)
		t.FailNow()
	}
}

func TestECRCreateRepositoryWithCatalog(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	status, body := b.get("/console/ecr/repositories")
	wantStatus(t, "empty list", status, 200, body)
	wantIn(t, "empty list", body, `id="repositories-table"`, `id="create-repository"`, "No repositories yet")

	status, body = b.get("/console/ecr/create/repository")
	wantStatus(t, "new form", status, 200, body)
	wantIn(t, "new form", body, `id="repository-name"`, `id="catalog-description"`, `id="catalog-about"`, `id="catalog-usage"`,
		`id="catalog-logo"`, `id="create-repository-submit"`, `value="ARM 64"`, `value="x86-64"`, `value="Linux"`, `value="Windows"`, `enctype="multipart/form-data"`)

	form := url.Values{"name": {"project-a/nginx-web-app"}, "description": {"NGINX for project A"}, "about": {"# About\r\n\r\nA **web** server."},
		"usage": {"Run `docker run`."}, "arch": {"ARM 64", "x86-64"}, "os": {"Linux"}}
	status, loc, body := b.postMultipart("/console/ecr/repositories", form, map[string]upload{"logo": {"logo.png", testPNG}})
	wantStatus(t, "create", status, http.StatusSeeOther, body)
	if !strings.HasPrefix(loc, "/console/ecr/repositories/project-a/nginx-web-app?flash=") {
		t.Fatalf("create redirects to %q", loc)
	}
	status, body = b.get(loc)
	wantStatus(t, "repository page", status, 200, body)
	wantIn(t, "repository page", body, "Repository project-a/nginx-web-app created.", `id="images-table"`)

	c, err := e.Registry.GetRepositoryCatalogData(context.Background(), e.Root, e.ref("project-a/nginx-web-app"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Description != "NGINX for project A" || c.AboutText != "# About\n\nA **web** server." || strings.Join(c.Architectures, ",") != "ARM 64,x86-64" ||
		strings.Join(c.OperatingSystems, ",") != "Linux" || c.LogoDigest != digest.FromBytes(testPNG).String() {
		t.Fatalf("catalog data = %+v", c)
	}

	info, err := e.Registry.GetRepository(context.Background(), e.Root, e.ref("project-a/nginx-web-app"))
	if err != nil {
		t.Fatal(err)
	}
	status, body = b.get("/console/ecr/repositories")
	wantStatus(t, "list", status, 200, body)
	wantIn(t, "list", body, `href="/console/ecr/repositories/project-a/nginx-web-app"`, e.host()+"/"+info.Alias+"/project-a/nginx-web-app")

	// The catalog tab shows the data, the checked boxes, the logo and the
	// rendered Markdown.
	status, body = b.get("/console/ecr/repositories/project-a/nginx-web-app?tab=catalog")
	wantStatus(t, "catalog tab", status, 200, body)
	wantIn(t, "catalog tab", body, "NGINX for project A", `id="arch-arm-64" name="arch" value="ARM 64" checked`, `id="os-linux" name="os" value="Linux" checked`,
		`id="os-windows" name="os" value="Windows">`, `src="/gallery/logo/`+info.Alias+`/project-a/nginx-web-app"`, "<h3>About</h3>", "<strong>web</strong>", "<code>docker run</code>")
}

func TestECRCreateBadInput(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	b.get("/console/ecr/create/repository")
	for _, c := range []struct {
		name  string
		form  url.Values
		files map[string]upload
		want  []string
	}{
		{"upper-case name", url.Values{"name": {"UPPER"}, "description": {"kept"}}, nil, []string{"InvalidParameterException", `value="UPPER"`, "kept"}},
		{"empty name", url.Values{"name": {""}}, nil, []string{"InvalidParameterException"}},
		{"long description", url.Values{"name": {"app"}, "description": {strings.Repeat("d", 1025)}}, nil, []string{"InvalidParameter", "catalogData.description", `value="app"`}},
		{"long about", url.Values{"name": {"app"}, "about": {strings.Repeat("a", 25601)}}, nil, []string{"catalogData.aboutText"}},
		{"text logo", url.Values{"name": {"app"}}, map[string]upload{"logo": {"logo.png", []byte("this is not an image at all")}}, []string{"InvalidParameter", "PNG or JPEG", "text/plain"}},
		{"gif logo", url.Values{"name": {"app"}}, map[string]upload{"logo": {"logo.gif", []byte("GIF89a\x01\x00\x01\x00")}}, []string{"PNG or JPEG", "image/gif"}},
		{"huge logo", url.Values{"name": {"app"}}, map[string]upload{"logo": {"logo.png", append(append([]byte{}, testPNG...), make([]byte, maxLogoBytes)...)}}, []string{"catalogData.logoImageBlob"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := b.postMultipart("/console/ecr/repositories", c.form, c.files)
			wantStatus(t, c.name, status, http.StatusBadRequest, body)
			wantIn(t, c.name, body, append(c.want, `data-testid="error"`, `id="repository-name"`)...)
		})
	}
	// Nothing was created.
	rs, _, err := e.Registry.ListRepositories(context.Background(), e.Root, testAccount, store.Page{})
	if err != nil || len(rs) != 0 {
		t.Fatalf("repositories after bad input: %v, %v", rs, err)
	}
	// A name taken is a conflict, not a crash.
	e.createRepo("app", registry.CatalogDataInput{})
	status, _, body := b.postMultipart("/console/ecr/repositories", url.Values{"name": {"app"}}, nil)
	wantStatus(t, "existing name", status, http.StatusConflict, body)
	wantIn(t, "existing name", body, "RepositoryAlreadyExists")
	// An unknown repository and an invalid name on the details page.
	status, body = b.get("/console/ecr/repositories/nosuch")
	wantStatus(t, "unknown repository", status, http.StatusNotFound, body)
	wantIn(t, "unknown repository", body, "RepositoryNotFound")
	status, body = b.get("/console/ecr/repositories/UPPER")
	wantStatus(t, "invalid name", status, http.StatusBadRequest, body)
}

func TestECRImagesAndPushCommands(t *testing.T) {
	e := newTestEnv(t)
	info := e.createRepo("team/app", registry.CatalogDataInput{})
	d1 := e.pushImage("team/app", "v1", []byte("layer one"))
	d2 := e.pushImage("team/app", "latest", bytes.Repeat([]byte("x"), 2_500_000))
	b := e.rootBrowser()
	status, body := b.get("/console/ecr/repositories/team/app")
	wantStatus(t, "repository", status, 200, body)
	host, uri := e.host(), e.host()+"/"+info.Alias+"/team/app"
	wantIn(t, "push commands", body,
		`<details id="push-commands"`, `<summary id="view-push-commands">View push commands</summary>`,
		"aws ecr-public get-login-password --region us-east-1 --endpoint-url "+e.URL+" | docker login --username AWS --password-stdin "+host+"</pre>",
		"docker build -t team/app .</pre>",
		"docker tag team/app:latest "+uri+":latest</pre>",
		"docker push "+uri+":latest</pre>",
		"--endpoint-url", `id="repository-uri">`+uri+"</pre>", `data-copy="#repository-uri"`)
	wantIn(t, "images", body, `id="images-table"`, `<code class="image-tag">v1</code>`, `<code class="image-tag">latest</code>`,
		`title="`+d1+`"`, shortDigest(d2)+"</code>", humanBytes(2_500_000+int64(len(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`))),
		"application/vnd.oci.image.manifest.v1&#43;json", "application/vnd.oci.image.config.v1&#43;json",
		"docker pull "+uri+":v1</pre>", "docker pull "+uri+":latest</pre>", `name="image" value="`+d1+`"`, `data-confirm="Delete the selected images`)
	// Newest first.
	if strings.Index(body, d2) > strings.Index(body, d1) {
		t.Error("the newest image is not listed first")
	}

	// Delete one image by digest.
	status, loc, body := b.post("/console/ecr/repositories/team/app", url.Values{"action": {"delete-images"}, "image": {d1}})
	wantStatus(t, "delete images", status, http.StatusSeeOther, body)
	status, body = b.get(loc)
	wantStatus(t, "after delete", status, http.StatusOK, body)
	wantIn(t, "after delete", body, "1 image deleted.", d2)
	if strings.Contains(body, d1) {
		t.Fatal("the deleted image is still listed")
	}
	// Nothing selected.
	status, _, body = b.post("/console/ecr/repositories/team/app", url.Values{"action": {"delete-images"}})
	wantStatus(t, "delete nothing", status, http.StatusBadRequest, body)
	wantIn(t, "delete nothing", body, "Select at least one image", `id="images-table"`)
	// An unknown digest is a failure of the batch, shown, not a crash.
	status, _, body = b.post("/console/ecr/repositories/team/app", url.Values{"action": {"delete-images"}, "image": {"sha256:" + strings.Repeat("0", 64)}})
	wantStatus(t, "delete unknown", status, http.StatusConflict, body)
	wantIn(t, "delete unknown", body, "ImageNotFound")
	// An unknown action.
	status, _, body = b.post("/console/ecr/repositories/team/app", url.Values{"action": {"explode"}})
	wantStatus(t, "unknown action", status, http.StatusBadRequest, body)
}

const okRepoPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "AllowPush",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
    "Action": ["ecr-public:PutImage", "ecr-public:PutImage", "ecr-public:InitiateLayerUpload"]
  }]
}`

func TestECRRepositoryPolicy(t *testing.T) {
	e := newTestEnv(t)
	e.createRepo("app", registry.CatalogDataInput{})
	b := e.rootBrowser()
	status, body := b.get("/console/ecr/repositories/app?tab=policy")
	wantStatus(t, "policy tab", status, 200, body)
	wantIn(t, "policy tab", body, `id="repository-policy"`, `data-policy-editor="resource"`, "This repository has no policy", `id="policy-save"`)

	// Findings that are not errors: saved, and the flash says so.
	findings := h(e).validatePolicy(okRepoPolicy, policy.ResourcePolicy)
	if len(findings) == 0 || hasErrors(findings) {
		t.Fatalf("test policy findings = %+v; want some, none an error", findings)
	}
	status, loc, body := b.post("/console/ecr/repositories/app", url.Values{"action": {"policy"}, "policy": {okRepoPolicy}})
	wantStatus(t, "save policy", status, http.StatusSeeOther, body)
	status, body = b.get(loc)
	wantStatus(t, "saved policy", status, http.StatusOK, body)
	wantIn(t, "saved policy", body, "saved with", "to review", "AllowPush", `data-testid="findings"`, `id="policy-delete"`)
	if doc, err := e.Registry.GetRepositoryPolicy(context.Background(), e.Root, e.ref("app")); err != nil || doc != okRepoPolicy {
		t.Fatalf("stored policy = %q, %v", doc, err)
	}

	// Errors: refused, the document kept in the editor, the stored one unchanged.
	for _, bad := range []string{
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr-public:NoSuchAction"}]}`,
		`{"Version": "2012-10-17", "Statement": [`,
	} {
		status, _, body = b.post("/console/ecr/repositories/app", url.Values{"action": {"policy"}, "policy": {bad}})
		wantStatus(t, "policy with errors", status, http.StatusBadRequest, body)
		wantIn(t, "policy with errors", body, "InvalidParameter", "Fix every ERROR finding before saving", "finding-ERROR", `id="repository-policy"`)
		if !strings.Contains(body, templateEscape(bad)) {
			t.Fatalf("the refused document is not kept in the editor:\n%s", body)
		}
	}
	if doc, _ := e.Registry.GetRepositoryPolicy(context.Background(), e.Root, e.ref("app")); doc != okRepoPolicy {
		t.Fatalf("a refused policy changed the stored one: %q", doc)
	}
	// Empty.
	status, _, body = b.post("/console/ecr/repositories/app", url.Values{"action": {"policy"}, "policy": {"  "}})
	wantStatus(t, "empty policy", status, http.StatusBadRequest, body)

	// A policy that would lock root out is refused by the service unless forced.
	lockout := `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr-public:SetRepositoryPolicy"}]}`
	status, _, body = b.post("/console/ecr/repositories/app", url.Values{"action": {"policy"}, "policy": {lockout}})
	wantStatus(t, "lock-out policy", status, http.StatusBadRequest, body)
	wantIn(t, "lock-out policy", body, "prevent you from setting another policy", `id="policy-force"`)

	// Delete.
	status, loc, body = b.post("/console/ecr/repositories/app", url.Values{"action": {"delete-policy"}})
	wantStatus(t, "delete policy", status, http.StatusSeeOther, body)
	_, body = b.get(loc)
	wantIn(t, "after delete", body, "deleted", "This repository has no policy")
	status, _, body = b.post("/console/ecr/repositories/app", url.Values{"action": {"delete-policy"}})
	wantStatus(t, "delete missing policy", status, http.StatusNotFound, body)
	wantIn(t, "delete missing policy", body, "RepositoryPolicyNotFound")
}

func h(e *testEnv) *Handler { return e.Handler }

// templateEscape is how html/template writes text into an element.
func templateEscape(s string) string {
	r := strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;")
	return r.Replace(s)
}

func TestECRDenied(t *testing.T) {
	e := newTestEnv(t)
	e.createRepo("app", registry.CatalogDataInput{})
	t.Run("no permissions", func(t *testing.T) {
		b := e.consoleUser("nobody", "")
		status, body := b.get("/console/ecr/repositories")
		wantStatus(t, "list", status, http.StatusForbidden, body)
		wantIn(t, "list", body, `data-code="AccessDenied"`, "ecr-public:DescribeRepositories", `data-testid="why"`)
		if strings.Contains(body, `id="repositories-table"`) {
			t.Fatal("a denied list still shows a (silently empty) table")
		}
		status, body = b.get("/console/ecr/create/repository")
		wantStatus(t, "new form", status, 200, body)
		status, _, body = b.postMultipart("/console/ecr/repositories", url.Values{"name": {"sneaky"}, "description": {"kept"}}, nil)
		wantStatus(t, "create", status, http.StatusForbidden, body)
		wantIn(t, "create", body, `data-code="AccessDenied"`, "ecr-public:CreateRepository", `data-testid="why"`, `value="sneaky"`, "kept")
		status, body = b.get("/console/ecr/repositories/app")
		wantStatus(t, "details", status, http.StatusForbidden, body)
		status, _, body = b.post("/console/ecr/repositories/app", url.Values{"action": {"delete"}, "force": {"1"}})
		wantStatus(t, "delete", status, http.StatusForbidden, body)
		status, body = b.get("/console/ecr/registry")
		wantStatus(t, "registry", status, http.StatusForbidden, body)
		wantIn(t, "registry", body, "ecr-public:DescribeRegistries")
	})
	t.Run("read only", func(t *testing.T) {
		b := e.consoleUser("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:Describe*","ecr-public:GetRepositoryCatalogData"],"Resource":"*"}]}`)
		status, body := b.get("/console/ecr/repositories")
		wantStatus(t, "list", status, 200, body)
		wantIn(t, "list", body, `id="repositories-table"`, ">app</a>")
		// The policy tab's read is denied: the page shows why, not an empty editor.
		status, body = b.get("/console/ecr/repositories/app?tab=policy")
		wantStatus(t, "policy tab", status, http.StatusForbidden, body)
		wantIn(t, "policy tab", body, "ecr-public:GetRepositoryPolicy", `id="tab-unavailable"`, `data-testid="why"`)
		status, _, body = b.post("/console/ecr/repositories/app", url.Values{"action": {"policy"}, "policy": {okRepoPolicy}})
		wantStatus(t, "set policy", status, http.StatusForbidden, body)
		wantIn(t, "set policy", body, "ecr-public:SetRepositoryPolicy", "AllowPush")
		status, _, body = b.postMultipart("/console/ecr/repositories/app", url.Values{"action": {"catalog"}, "description": {"defaced"}}, nil)
		wantStatus(t, "put catalog", status, http.StatusForbidden, body)
		wantIn(t, "put catalog", body, "ecr-public:PutRepositoryCatalogData", "defaced")
	})
	// Nothing changed.
	if _, err := e.Registry.GetRepository(context.Background(), e.Root, e.ref("app")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Registry.GetRepository(context.Background(), e.Root, e.ref("sneaky")); err == nil {
		t.Fatal("a denied user created a repository")
	}
	if c, _ := e.Registry.GetRepositoryCatalogData(context.Background(), e.Root, e.ref("app")); c.Description != "" {
		t.Fatal("a denied user changed the catalog data")
	}
}

func TestECRDeleteRepository(t *testing.T) {
	e := newTestEnv(t)
	e.createRepo("app", registry.CatalogDataInput{})
	e.pushImage("app", "v1", []byte("layer"))
	b := e.rootBrowser()
	status, body := b.get("/console/ecr/repositories/app")
	wantIn(t, "page", body, `id="delete-repository"`, `id="delete-force"`, `data-confirm="Delete repository app?`)
	_ = status
	status, _, body = b.post("/console/ecr/repositories/app", url.Values{"action": {"delete"}})
	wantStatus(t, "delete without force", status, http.StatusConflict, body)
	wantIn(t, "delete without force", body, "RepositoryNotEmpty", `id="images-table"`)
	status, loc, body := b.post("/console/ecr/repositories/app", url.Values{"action": {"delete"}, "force": {"1"}})
	wantStatus(t, "delete with force", status, http.StatusSeeOther, body)
	if !strings.HasPrefix(loc, "/console/ecr/repositories?flash=") {
		t.Fatalf("delete redirects to %q", loc)
	}
	_, body = b.get(loc)
	wantIn(t, "list after delete", body, "Repository app deleted.", "No repositories yet")
	if _, err := e.Registry.GetRepository(context.Background(), e.Root, e.ref("app")); err == nil {
		t.Fatal("the repository is still there")
	}
}

func TestECRCatalogEdit(t *testing.T) {
	e := newTestEnv(t)
	info := e.createRepo("app", registry.CatalogDataInput{Description: "old", Logo: testPNG, Architectures: []string{"RISC-V"}})
	b := e.rootBrowser()
	status, body := b.get("/console/ecr/repositories/app?tab=catalog")
	wantStatus(t, "catalog tab", status, 200, body)
	// A value set through the API that the gallery does not badge is kept as a choice.
	wantIn(t, "catalog tab", body, `value="RISC-V" checked`, `id="catalog-logo-remove"`, `id="catalog-save"`, `id="catalog-preview"`)

	// Preview renders without saving.
	status, _, body = b.postMultipart("/console/ecr/repositories/app", url.Values{"action": {"preview"}, "has_logo": {"1"}, "description": {"new"}, "about": {"## Preview me"}}, nil)
	wantStatus(t, "preview", status, 200, body)
	wantIn(t, "preview", body, "<h4>Preview me</h4>", "Preview (not saved)")
	if c, _ := e.Registry.GetRepositoryCatalogData(context.Background(), e.Root, e.ref("app")); c.Description != "old" {
		t.Fatal("a preview saved the catalog data")
	}

	// Saving without a new logo keeps the logo.
	status, loc, body := b.postMultipart("/console/ecr/repositories/app", url.Values{"action": {"catalog"}, "has_logo": {"1"}, "description": {"new"}, "os": {"Linux"}}, nil)
	wantStatus(t, "save", status, http.StatusSeeOther, body)
	if !strings.Contains(loc, "tab=catalog") {
		t.Fatalf("save redirects to %q", loc)
	}
	c, err := e.Registry.GetRepositoryCatalogData(context.Background(), e.Root, e.ref("app"))
	if err != nil || c.Description != "new" || c.LogoDigest != digest.FromBytes(testPNG).String() || len(c.Architectures) != 0 || strings.Join(c.OperatingSystems, ",") != "Linux" {
		t.Fatalf("after save: %+v, %v", c, err)
	}
	// Bad input keeps what was typed.
	status, _, body = b.postMultipart("/console/ecr/repositories/app", url.Values{"action": {"catalog"}, "description": {strings.Repeat("x", 1025)}, "usage": {"typed usage"}}, nil)
	wantStatus(t, "too long", status, http.StatusBadRequest, body)
	wantIn(t, "too long", body, "catalogData.description", "typed usage")
	status, _, body = b.postMultipart("/console/ecr/repositories/app", url.Values{"action": {"catalog"}}, map[string]upload{"logo": {"x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}})
	wantStatus(t, "svg logo", status, http.StatusBadRequest, body)
	wantIn(t, "svg logo", body, "PNG or JPEG")
	// Removing the logo.
	status, _, body = b.postMultipart("/console/ecr/repositories/app", url.Values{"action": {"catalog"}, "has_logo": {"1"}, "logo_remove": {"1"}, "description": {"new"}}, nil)
	wantStatus(t, "remove logo", status, http.StatusSeeOther, body)
	if c, _ := e.Registry.GetRepositoryCatalogData(context.Background(), e.Root, e.ref("app")); c.LogoDigest != "" {
		t.Fatal("the logo was not removed")
	}
	// A new JPEG logo.
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{2}, 32)...)
	status, _, body = b.postMultipart("/console/ecr/repositories/app", url.Values{"action": {"catalog"}}, map[string]upload{"logo": {"x.jpg", jpeg}})
	wantStatus(t, "jpeg logo", status, http.StatusSeeOther, body)
	resp, err := http.Get(e.URL + "/gallery/logo/" + info.Alias + "/app")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("jpeg logo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestECRRegistrySettings(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	status, body := b.get("/console/ecr/registry")
	wantStatus(t, "registry", status, 200, body)
	wantIn(t, "registry", body, testAccount, "None yet", `id="registry-alias"`, `id="registry-display-name"`)

	status, loc, body := b.post("/console/ecr/registry", url.Values{"action": {"alias"}, "alias": {"my-team"}})
	wantStatus(t, "set alias", status, http.StatusSeeOther, body)
	_, body = b.get(loc)
	wantIn(t, "after alias", body, "Registry alias set to my-team", e.host()+"/my-team")

	status, loc, body = b.post("/console/ecr/registry", url.Values{"action": {"display-name"}, "display_name": {"My Team"}})
	wantStatus(t, "display name", status, http.StatusSeeOther, body)
	_, body = b.get(loc)
	wantIn(t, "after display name", body, "Registry display name saved.", `value="My Team"`)

	for _, c := range []struct {
		form url.Values
		code string
	}{
		{url.Values{"action": {"alias"}, "alias": {"Bad Alias"}}, "InvalidParameterException"},
		{url.Values{"action": {"alias"}, "alias": {"x"}}, "InvalidParameterException"},
		{url.Values{"action": {"alias"}, "alias": {"logo"}}, "InvalidParameterException"},
		{url.Values{"action": {"display-name"}, "display_name": {strings.Repeat("n", 101)}}, "InvalidParameterException"},
		{url.Values{"action": {"other"}}, "InvalidAction"},
	} {
		status, _, body = b.post("/console/ecr/registry", c.form)
		wantStatus(t, c.form.Encode(), status, http.StatusBadRequest, body)
		wantIn(t, c.form.Encode(), body, `data-code="`+c.code+`"`)
	}
	_, body = b.get("/console/ecr/registry")
	wantIn(t, "unchanged", body, "<code>my-team</code>")

	// Another account holds an alias: a clear conflict.
	const other = "210987654321"
	if _, _, err := e.IAM.BootstrapAccount(context.Background(), other, iam.RootKey{}); err != nil {
		t.Fatal(err)
	}
	caller, _ := policy.CallerFromARN("arn:aws:iam::" + other + ":root")
	if _, err := e.Registry.SetRegistryAlias(context.Background(), &authz.Call{Subject: &authz.Subject{Caller: caller}, Region: Region}, "taken"); err != nil {
		t.Fatal(err)
	}
	status, _, body = b.post("/console/ecr/registry", url.Values{"action": {"alias"}, "alias": {"taken"}})
	wantStatus(t, "taken alias", status, http.StatusConflict, body)
	wantIn(t, "taken alias", body, "RegistryAliasAlreadyExists", "already used by another registry", `value="taken"`)
}

// A repository named "new" has plain links to its tabs, and its actions
// reach it (TestEntitiesNamedNew creates, opens and deletes one).
func TestECRRepositoryNamedNew(t *testing.T) {
	e := newTestEnv(t)
	e.createRepo("new", registry.CatalogDataInput{})
	b := e.rootBrowser()
	status, body := b.get("/console/ecr/repositories/new")
	wantStatus(t, "repository new", status, 200, body)
	wantIn(t, "repository new", body, `id="repository-title">new</h1>`, `id="images-table"`, `href="/console/ecr/repositories/new?tab=catalog"`)
	status, body = b.get("/console/ecr/repositories/new?tab=catalog")
	wantStatus(t, "repository new, catalog", status, 200, body)
	wantIn(t, "repository new, catalog", body, `id="catalog-form"`)
	_, body = b.get("/console/ecr/repositories")
	wantIn(t, "list", body, `href="/console/ecr/repositories/new"`)
	status, loc, body := b.postMultipart("/console/ecr/repositories/new", url.Values{"action": {"catalog"}, "description": {"not a form"}}, nil)
	wantStatus(t, "save catalog", status, http.StatusSeeOther, body)
	if loc != "/console/ecr/repositories/new?tab=catalog&flash=Catalog+data+of+new+saved." {
		t.Fatalf("save catalog redirects to %q", loc)
	}
	if c, err := e.Registry.GetRepositoryCatalogData(context.Background(), e.Root, e.ref("new")); err != nil || c.Description != "not a form" {
		t.Fatalf("catalog data = %+v, %v", c, err)
	}
}
