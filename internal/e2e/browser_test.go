package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// TestBrowserSignIn signs in to the console as the root user in headless
// Chromium, signs out, and tries a wrong password.
func TestBrowserSignIn(t *testing.T) {
	const password = "Browser-Test-Passw0rd!"
	srv := startWithEnv(t, []string{"WHARF_ROOT_PASSWORD=" + password})
	b := NewBrowser(t)

	b.Navigate(t, srv.URL+"/console/signin")
	b.WaitVisible(t, "#signin-submit")
	b.Screenshot(t, "signin")

	b.SignIn(t, srv, "root", password)
	if who := b.Text(t, "[data-testid=whoami]"); !strings.Contains(who, "root") {
		t.Errorf("whoami after signing in as root = %q, want it to name root", who)
	}
	if loc := b.Location(t); !strings.HasPrefix(loc, srv.URL+"/console/") || strings.Contains(loc, "/signin") {
		t.Errorf("after signing in the browser is at %s, want the console's home", loc)
	}
	b.Screenshot(t, "home")
	b.PhoneScreenshot(t, "home-phone")
	// The viewport is the desktop's again.
	var width int
	b.Eval(t, `window.innerWidth`, &width)
	if width != 1280 {
		t.Errorf("window.innerWidth after the phone screenshot = %d, want 1280", width)
	}

	b.SignOut(t)
	b.Navigate(t, srv.URL+"/console/")
	b.WaitVisible(t, "#signin-submit")
	if loc := b.Location(t); !strings.HasPrefix(loc, srv.URL+"/console/signin") {
		t.Errorf("/console/ after signing out is at %s, want the sign-in page", loc)
	}
	if b.Exists("[data-testid=whoami]") {
		t.Error("the page after signing out still shows whoami")
	}

	b.SubmitSignIn(t, srv, srv.AccountID, "root", password+"x")
	b.WaitVisible(t, "[data-testid=error]")
	if msg := b.Text(t, "[data-testid=error]"); !strings.Contains(msg, "SignInFailed") {
		t.Errorf("error after a wrong password = %q, want SignInFailed", msg)
	}
	if code := b.Attr(t, "[data-testid=error]", "data-code"); code != "SignInFailed" {
		t.Errorf("data-code of the error = %q, want SignInFailed", code)
	}
	if b.Exists("[data-testid=whoami]") {
		t.Error("a wrong password signed in")
	}

	// A second browser has its own cookies: it is not signed in.
	anon := NewBrowser(t)
	anon.Navigate(t, srv.URL+"/console/")
	anon.WaitVisible(t, "#signin-submit")

	b.NoJSErrors(t)
	anon.NoJSErrors(t)
}

// TestBrowserDownloadDataURL checks that a download of an <a download>
// link to a data: URL arrives byte for byte, under the console's CSP.
func TestBrowserDownloadDataURL(t *testing.T) {
	want := []byte("\ufeffUser name,Access key ID,Secret access key\r\nalice,AKIAEXAMPLE,s3cr3t/+=é\r\n")
	page := fmt.Sprintf(`<!doctype html><html><head><meta charset="utf-8"><title>dl</title></head>
<body><a id="dl" download="alice_accessKeys.csv" href="data:text/csv;charset=utf-8,%s">Download .csv file</a></body></html>`,
		url.PathEscape(string(want)))
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		fmt.Fprint(w, page)
	}))
	defer ts.Close()

	b := NewBrowser(t)
	b.Navigate(t, ts.URL+"/")
	b.Click(t, "#dl")
	name, got := b.WaitDownload(t, 20*time.Second)
	if name != "alice_accessKeys.csv" {
		t.Errorf("downloaded file name = %q, want alice_accessKeys.csv", name)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("downloaded content differs:\n got %q\nwant %q", got, want)
	}

	// A second download of the same link is another download, with the
	// same name and content.
	b.Click(t, "#dl")
	name2, got2 := b.WaitDownload(t, 20*time.Second)
	if name2 != "alice_accessKeys.csv" || !bytes.Equal(got2, want) {
		t.Errorf("second download = %q (%q), want alice_accessKeys.csv with the same content", name2, got2)
	}
	if entries, err := os.ReadDir(b.DownloadDir); err != nil || len(entries) != 2 {
		t.Errorf("download directory has %d files (%v), want 2", len(entries), err)
	}
	b.NoJSErrors(t)
}

// TestBrowserJSErrors checks that script errors and CSP violations are
// reported.
func TestBrowserJSErrors(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'")
			fmt.Fprint(w, `<!doctype html><html><head><meta charset="utf-8"><title>x</title>
<script src="/boom.js"></script></head><body><p id="p">hi</p><script>document.title = "inline ran"</script></body></html>`)
		case "/boom.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `window.addEventListener("load", () => { throw new Error("kaboom"); });`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer ts.Close()

	b := NewBrowser(t)
	b.Navigate(t, ts.URL+"/")
	b.WaitVisible(t, "#p")
	deadline := time.Now().Add(5 * time.Second)
	var errs []string
	for time.Now().Before(deadline) {
		if errs = b.JSErrors(); len(errs) >= 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	all := strings.Join(errs, "\n")
	if !strings.Contains(all, "kaboom") {
		t.Errorf("JSErrors does not report the uncaught exception:\n%s", all)
	}
	if !strings.Contains(all, "Content Security Policy") {
		t.Errorf("JSErrors does not report the CSP violation:\n%s", all)
	}
	if title := b.Title(t); title == "inline ran" {
		t.Error("the inline script ran despite the CSP")
	}
}

// TestBrowserForm checks that SetValue and Type reach the page's scripts
// (which listen for 'input', as the policy editor does) under a strict CSP.
func TestBrowserForm(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'")
			fmt.Fprint(w, `<!doctype html><html><head><meta charset="utf-8"><title>form</title>
<script src="/form.js" defer></script></head><body>
<textarea id="doc"></textarea><p id="echo"></p>
<input id="name"><p id="name-echo"></p>
<button id="ask">Delete</button><p id="answer"></p>
</body></html>`)
		case "/form.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `
document.getElementById("doc").addEventListener("input", e => {
  try { document.getElementById("echo").textContent = "valid " + Object.keys(JSON.parse(e.target.value)).join(","); }
  catch (err) { document.getElementById("echo").textContent = "invalid"; }
});
document.getElementById("name").addEventListener("keyup", e => {
  document.getElementById("name-echo").textContent = e.target.value;
});
document.getElementById("ask").addEventListener("click", () => {
  document.getElementById("answer").textContent = confirm("Delete it?") ? "yes" : "no";
});`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer ts.Close()

	b := NewBrowser(t)
	b.Navigate(t, ts.URL+"/")
	b.SetValue(t, "#doc", `{"Version":"2012-10-17","Statement":[]}`)
	b.WaitText(t, "#echo", "valid Version,Statement")
	b.SetValue(t, "#doc", `{"Version":`)
	b.WaitText(t, "#echo", "invalid")
	b.Type(t, "#name", "alice")
	b.WaitText(t, "#name-echo", "alice")
	if v := b.Value(t, "#name"); v != "alice" {
		t.Errorf("value of #name = %q, want alice", v)
	}
	b.Click(t, "#ask")
	b.WaitText(t, "#answer", "yes")
	b.AcceptDialogs(false)
	b.Click(t, "#ask")
	b.WaitText(t, "#answer", "no")
	if d := b.Dialogs(); len(d) != 2 || d[0] != "Delete it?" {
		t.Errorf("dialogs = %q, want two of %q", d, "Delete it?")
	}
	b.NoJSErrors(t)
}
