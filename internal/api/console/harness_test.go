package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/blob/fs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/registry"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/signin"
	"github.com/wharf-project/wharf/internal/store/sqlite"
)

// The console's handler tests run the real services over a real SQLite
// store and file blob store, behind an httptest server, and drive them with
// a cookie-keeping HTTP client as a browser would (without JavaScript).
// Browser tests in real Chromium are in internal/e2e.

const (
	testAccount      = "123456789012"
	testRootPassword = "Root-Passw0rd!"
)

// testEnv is a console over fresh stores.
type testEnv struct {
	t        *testing.T
	URL      string
	IAM      *iam.Service
	Registry *registry.Service
	Handler  *Handler
	// Root is a root user's call, for setting things up through the services.
	Root *authz.Call
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "wharf.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	az := authz.New()
	iamSvc := iam.New(db, az, box, catalog.MustLoad(), time.Now)
	if err := iamSvc.EnsureAWSManaged(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := iamSvc.BootstrapAccount(ctx, testAccount, iam.RootKey{}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamSvc.EnsureRootPassword(ctx, testAccount, testRootPassword); err != nil {
		t.Fatal(err)
	}
	si := signin.New(db, iamSvc, time.Now, 0)
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	reg := registry.New(db, blobs, az, host, time.Now)
	h := &Handler{IAM: iamSvc, Registry: reg, SignIn: si, Catalog: catalog.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now, PublicURL: srv.URL}
	srv.Config.Handler = h
	sess, err := si.SignIn(ctx, signin.Input{Account: testAccount, Password: testRootPassword})
	if err != nil {
		t.Fatal(err)
	}
	root := &authz.Call{Subject: sess.Subject, Region: Region, Now: time.Now()}
	return &testEnv{t: t, URL: srv.URL, IAM: iamSvc, Registry: reg, Handler: h, Root: root}
}

// browser is a cookie-keeping client that does not follow redirects, so
// that tests see each 303.
type browser struct {
	t      *testing.T
	env    *testEnv
	client *http.Client
	// csrf is the token of the last page fetched that had one.
	csrf string
}

func (e *testEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, env: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and returns its status and body, remembering its CSRF token.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.env.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body)
}

// post submits a form with the last CSRF token (unless form sets "csrf")
// and returns the status, the Location header and the body.
func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.env.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.env.URL)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// signIn signs in as the root user (user "") or an IAM user and fails the
// test unless it lands where a signed-in user lands.
func (b *browser) signIn(user, password string) {
	b.t.Helper()
	b.get("/console/signin")
	form := url.Values{"account": {testAccount}, "password": {password}, "principal": {"iam"}, "username": {user}}
	if user == "" {
		form.Set("principal", "root")
	}
	status, loc, body := b.post("/console/signin", form)
	if status != http.StatusSeeOther || (loc != "/console/" && loc != "/console/change-password") {
		b.t.Fatalf("sign-in as %q: status %d, Location %q\n%s", user, status, loc, body)
	}
	b.get(loc)
}

// rootBrowser is a browser signed in as the root user.
func (e *testEnv) rootBrowser() *browser {
	b := e.browser()
	b.signIn("", testRootPassword)
	return b
}
