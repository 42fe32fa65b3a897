package e2e

// Browser drives a headless Chromium (Debian's chromium) from Go with
// chromedp, for tests of the web console: sign in, click through pages,
// fill forms, download files, take screenshots, and check that the pages
// ran without script errors or Content-Security-Policy violations.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// DefaultWait bounds every browser action (a navigation, a click, a wait for
// an element) unless the caller gives another timeout, so that a test whose
// page lacks an element fails rather than hangs.
const DefaultWait = 15 * time.Second

// Browser is one headless Chromium with its own profile (cookies, storage)
// and download directory, stopped when the test ends. Two Browsers share
// nothing: a second one is "an anonymous browser".
type Browser struct {
	// DownloadDir receives the files the pages download, each named by
	// its download's GUID (WaitDownload gives the page's file name).
	DownloadDir string

	ctx context.Context // chromedp context of the browser's one tab

	mu            sync.Mutex
	jsErrors      []string // exceptions, console.error, error log entries
	console       []string // every console message and log entry
	dialogs       []string // messages of the alert/confirm/prompt dialogs
	acceptDialogs bool
	names         map[string]string // download GUID -> suggested file name
	done          []download        // completed downloads, in order
	taken         map[string]bool   // GUIDs of those WaitDownload returned
	changed       chan struct{}     // closed and replaced when done grows
}

type download struct {
	guid, name, path string
}

// chromiumPath finds Chromium: Debian's /usr/bin/chromium, else chromium,
// chromium-browser or google-chrome on PATH.
func chromiumPath() (string, error) {
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium, chromium-browser or google-chrome (apt-get install -y chromium)")
}

// NewBrowser starts a headless Chromium with a fresh profile, stopped when t
// ends. Without Chromium the test is skipped, or fails when env CI is set.
// JavaScript dialogs (window.confirm of data-confirm forms) are accepted;
// see AcceptDialogs.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	exe, err := chromiumPath()
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no Chromium for the test: %v", err)
		}
		t.Fatalf("no Chromium for the test: %v; .ci/run must install it", err)
	}
	b := &Browser{
		DownloadDir:   t.TempDir(),
		acceptDialogs: true,
		names:         map[string]string{},
		taken:         map[string]bool{},
		changed:       make(chan struct{}),
	}
	profile := t.TempDir()
	output := &logBuffer{}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(output),
	)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(b.onEvent))
	b.ctx = ctx
	// After t.TempDir's cleanups are registered, so Chromium has exited
	// before its profile is removed.
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})

	// The first Do starts the browser; it is bound to ctx, so no timeout.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(60 * time.Second):
		err = errors.New("chromium did not start within 60s")
	}
	if err != nil {
		t.Fatalf("starting %s: %v\n%s", exe, err, output.String())
	}

	if err := chromedp.ListenBrowser(ctx, b.onBrowserEvent); err != nil {
		t.Fatalf("listening to the browser's events: %v", err)
	}
	sctx, scancel := context.WithTimeout(ctx, DefaultWait)
	defer scancel()
	if _, err := chromedp.CallBrowser(sctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		// Named by GUID: "allow" would overwrite a file downloaded twice.
		Behavior:      browser.SetDownloadBehaviorBehaviorAllowAndName,
		DownloadPath:  b.DownloadDir,
		EventsEnabled: new(true),
	}); err != nil {
		t.Fatalf("setting the download directory: %v", err)
	}

	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			accept := b.acceptDialogs
			b.mu.Unlock()
			hctx, hcancel := context.WithTimeout(ctx, DefaultWait)
			_, _ = chromedp.Call(hctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
			hcancel()
		}
	}()
	return b
}

// Context is the chromedp context of the browser's tab, for actions the
// helpers do not cover: chromedp.Run(b.Context(), …).
func (b *Browser) Context() context.Context { return b.ctx }

// onEvent runs in the tab's message loop: it must return fast.
func (b *Browser) onEvent(ev any) {
	var msg string
	isErr := false
	switch ev := ev.(type) {
	case *cdpruntime.EventExceptionThrown:
		msg, isErr = "exception: "+exceptionText(ev.ExceptionDetails), true
	case *cdpruntime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			parts = append(parts, remoteText(a))
		}
		msg = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " "))
		if ev.StackTrace != nil && len(ev.StackTrace.CallFrames) > 0 {
			f := ev.StackTrace.CallFrames[0]
			msg += fmt.Sprintf(" (%s:%d)", f.URL, f.LineNumber+1)
		}
		isErr = ev.Type == cdpruntime.ConsoleAPICalledTypeError || ev.Type == cdpruntime.ConsoleAPICalledTypeAssert
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		msg = fmt.Sprintf("log %s/%s: %s", e.Source, e.Level, e.Text)
		if e.URL != "" {
			msg += " (" + e.URL + ")"
		}
		// A page served with an error status (a 403 page, say) logs
		// "Failed to load resource" from the network: that is the
		// server's answer, not a script error. Everything else at level
		// error counts, CSP violations included.
		isErr = e.Level == cdplog.EntryLevelError && e.Source != cdplog.EntrySourceNetwork
	default:
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = append(b.console, msg)
	if isErr {
		b.jsErrors = append(b.jsErrors, msg)
	}
}

// onBrowserEvent records downloads; it runs in the browser's message loop.
func (b *Browser) onBrowserEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *browser.EventDownloadWillBegin:
		b.names[ev.GUID] = ev.SuggestedFilename
	case *browser.EventDownloadProgress:
		if ev.State != browser.DownloadProgressStateCompleted {
			return
		}
		d := download{guid: ev.GUID, name: b.names[ev.GUID], path: ev.FilePath}
		if d.path == "" {
			d.path = filepath.Join(b.DownloadDir, ev.GUID)
		}
		if d.name == "" {
			d.name = ev.GUID
		}
		b.done = append(b.done, d)
		close(b.changed)
		b.changed = make(chan struct{})
	}
}

func exceptionText(d *cdpruntime.ExceptionDetails) string {
	if d == nil {
		return ""
	}
	s := d.Text
	if d.Exception != nil {
		desc, _, _ := strings.Cut(remoteText(d.Exception), "\n    at ")
		s += " " + desc
	}
	if d.URL != "" {
		s += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
	}
	return strings.TrimSpace(s)
}

func remoteText(o *cdpruntime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	if o.UnserializableValue != "" {
		return string(o.UnserializableValue)
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Type)
}

// JSErrors returns what the pages reported as errors so far: uncaught
// exceptions and promise rejections, console.error calls, and error log
// entries other than the network's (CSP violations among them).
func (b *Browser) JSErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.jsErrors)
}

// ConsoleLog returns every console message and log entry so far.
func (b *Browser) ConsoleLog() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.console)
}

// NoJSErrors fails t if the pages reported any error (see JSErrors).
func (b *Browser) NoJSErrors(t testing.TB) {
	t.Helper()
	if errs := b.JSErrors(); len(errs) > 0 {
		t.Errorf("the pages reported %d script error(s) or CSP violation(s):\n  %s", len(errs), strings.Join(errs, "\n  "))
	}
}

// AcceptDialogs sets whether alert/confirm/prompt dialogs are accepted
// (the default) or dismissed.
func (b *Browser) AcceptDialogs(accept bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.acceptDialogs = accept
}

// Dialogs returns the messages of the dialogs the pages opened so far.
func (b *Browser) Dialogs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.dialogs)
}

// Run runs chromedp actions in order within DefaultWait; on an error it
// takes a screenshot and fails t.
func (b *Browser) Run(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	b.RunTimeout(t, DefaultWait, actions...)
}

// RunTimeout is Run with another time limit.
func (b *Browser) RunTimeout(t testing.TB, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := b.do(timeout, actions...); err != nil {
		b.fail(t, err)
	}
}

func (b *Browser) do(timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// run runs one action with a value within timeout.
func run[T any](b *Browser, timeout time.Duration, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// fail takes a screenshot of the page as it is and fails t with err.
func (b *Browser) fail(t testing.TB, err error) {
	t.Helper()
	loc, _ := run(b, 5*time.Second, chromedp.Location())
	shot := "(no screenshot)"
	if buf, serr := run(b, 10*time.Second, chromedp.FullScreenshot(100)); serr == nil {
		name := "FAIL-" + t.Name()
		if p, werr := writeScreenshot(name, buf); werr == nil {
			shot = p
		}
	}
	t.Fatalf("browser at %s: %v\nscreenshot: %s\nconsole:\n  %s", loc, err, shot, strings.Join(b.ConsoleLog(), "\n  "))
}

// Navigate loads url and waits for its load event.
func (b *Browser) Navigate(t testing.TB, url string) {
	t.Helper()
	b.RunTimeout(t, 2*DefaultWait, chromedp.Navigate(url))
}

// Location returns the URL of the page.
func (b *Browser) Location(t testing.TB) string {
	t.Helper()
	loc, err := run(b, DefaultWait, chromedp.Location())
	if err != nil {
		b.fail(t, err)
	}
	return loc
}

// Title returns the page's title.
func (b *Browser) Title(t testing.TB) string {
	t.Helper()
	s, err := run(b, DefaultWait, chromedp.Title())
	if err != nil {
		b.fail(t, err)
	}
	return s
}

// Text returns the visible text (innerText) of the first element matching
// the CSS selector, waiting up to DefaultWait for it to exist.
func (b *Browser) Text(t testing.TB, selector string) string {
	t.Helper()
	s, err := run(b, DefaultWait, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		b.fail(t, fmt.Errorf("text of %s: %w", selector, err))
	}
	return s
}

// Texts returns the visible text of every element matching the selector
// now (none: an empty slice), without waiting.
func (b *Browser) Texts(t testing.TB, selector string) []string {
	t.Helper()
	var out []string
	b.Eval(t, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.innerText)`, jsString(selector)), &out)
	return out
}

// Value returns the value of the input, textarea or select matching the
// selector.
func (b *Browser) Value(t testing.TB, selector string) string {
	t.Helper()
	s, err := run(b, DefaultWait, chromedp.Value(chromedp.CSS(selector)))
	if err != nil {
		b.fail(t, fmt.Errorf("value of %s: %w", selector, err))
	}
	return s
}

// Attr returns an attribute of the first element matching the selector
// ("" when it has none).
func (b *Browser) Attr(t testing.TB, selector, name string) string {
	t.Helper()
	r, err := run(b, DefaultWait, chromedp.AttributeValue(chromedp.CSS(selector), name))
	if err != nil {
		b.fail(t, fmt.Errorf("attribute %s of %s: %w", name, selector, err))
	}
	return r.Value
}

// HTML returns the outer HTML of the first element matching the selector.
func (b *Browser) HTML(t testing.TB, selector string) string {
	t.Helper()
	s, err := run(b, DefaultWait, chromedp.OuterHTML(chromedp.CSS(selector)))
	if err != nil {
		b.fail(t, fmt.Errorf("HTML of %s: %w", selector, err))
	}
	return s
}

// Exists reports whether an element matches the CSS selector now, without
// waiting.
func (b *Browser) Exists(selector string) bool {
	return b.Count(selector) > 0
}

// Count returns how many elements match the CSS selector now (0 on error).
func (b *Browser) Count(selector string) int {
	n, err := run(b, DefaultWait, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(selector))))
	if err != nil {
		return 0
	}
	return n
}

// Eval evaluates a JavaScript expression in the page and decodes its JSON
// value into out (nil: ignore it). Promises are awaited.
func (b *Browser) Eval(t testing.TB, expr string, out any) {
	t.Helper()
	raw, err := run(b, DefaultWait, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail(t, fmt.Errorf("evaluating %s: %w", expr, err))
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			b.fail(t, fmt.Errorf("decoding the value of %s (%s): %w", expr, raw, err))
		}
	}
}

// Click clicks (with the mouse, at its center) the first element matching
// the selector, waiting up to DefaultWait for it to be visible. A click
// that submits a form or follows a link does not wait for the next page:
// WaitVisible something on it.
func (b *Browser) Click(t testing.TB, selector string) {
	t.Helper()
	b.Run(t, chromedp.Click(chromedp.CSS(selector)))
}

// ClickNav clicks like Click and waits for the page it leads to to load.
func (b *Browser) ClickNav(t testing.TB, selector string) {
	t.Helper()
	b.Run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(selector)))(ctx, tg)
		return err
	}))
}

// SetValue sets the value of an input, textarea or select with JavaScript
// and dispatches the 'input' and 'change' events, so the page's scripts
// react as to typing (use it for long text, such as a JSON policy). For a
// checkbox or radio button it sets checked to value == "true" or "on".
func (b *Browser) SetValue(t testing.TB, selector, value string) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
  const el = document.querySelector(%s);
  if (!el) return false;
  el.focus();
  if (el.type === "checkbox" || el.type === "radio") {
    el.checked = %s === "true" || %[2]s === "on";
  } else {
    el.value = %[2]s;
  }
  el.dispatchEvent(new Event("input", {bubbles: true}));
  el.dispatchEvent(new Event("change", {bubbles: true}));
  return true;
})()`, jsString(selector), jsString(value))
	b.Run(t,
		chromedp.WaitReady(chromedp.CSS(selector)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			ok, err := chromedp.Evaluate[bool](js)(ctx, tg)
			if err == nil && !ok {
				err = fmt.Errorf("no element %s", selector)
			}
			return err
		}),
	)
}

// SendKeys types text into the element matching the selector, key by key,
// as a user would (after what it holds; "\n" is Enter).
func (b *Browser) SendKeys(t testing.TB, selector, text string) {
	t.Helper()
	b.RunTimeout(t, 2*DefaultWait+time.Duration(len(text))*20*time.Millisecond,
		chromedp.SendKeys(chromedp.CSS(selector), text))
}

// Type clears the input or textarea matching the selector and types text
// into it key by key.
func (b *Browser) Type(t testing.TB, selector, text string) {
	t.Helper()
	b.SetValue(t, selector, "")
	b.SendKeys(t, selector, text)
}

// Check makes the checkbox or radio button matching the selector checked,
// by clicking it if it is not.
func (b *Browser) Check(t testing.TB, selector string) {
	t.Helper()
	var checked bool
	b.Run(t, chromedp.WaitReady(chromedp.CSS(selector)))
	b.Eval(t, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(selector)), &checked)
	if !checked {
		b.Click(t, selector)
	}
}

// WaitVisible waits until an element matching the selector is visible,
// for DefaultWait or the timeout given.
func (b *Browser) WaitVisible(t testing.TB, selector string, timeout ...time.Duration) {
	t.Helper()
	b.RunTimeout(t, waitFor(timeout), chromedp.WaitVisible(chromedp.CSS(selector)))
}

// WaitGone waits until no element matches the selector.
func (b *Browser) WaitGone(t testing.TB, selector string, timeout ...time.Duration) {
	t.Helper()
	b.RunTimeout(t, waitFor(timeout), chromedp.WaitNotPresent(chromedp.CSS(selector)))
}

// WaitText waits until the visible text of an element matching the
// selector contains substr, and returns that text.
func (b *Browser) WaitText(t testing.TB, selector, substr string, timeout ...time.Duration) string {
	t.Helper()
	js := fmt.Sprintf(`(() => {
  for (const e of document.querySelectorAll(%s)) if (e.innerText.includes(%s)) return e.innerText;
  return false;
})()`, jsString(selector), jsString(substr))
	ctx, cancel := context.WithTimeout(b.ctx, waitFor(timeout))
	defer cancel()
	for {
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js))
		var s string
		if err == nil && json.Unmarshal(raw, &s) == nil {
			return s
		}
		select {
		case <-ctx.Done():
			have, _ := run(b, 5*time.Second, chromedp.Evaluate[[]string](fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.innerText)`, jsString(selector))))
			b.fail(t, fmt.Errorf("no %s with text %q; have %q", selector, substr, have))
			return ""
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func waitFor(timeout []time.Duration) time.Duration {
	if len(timeout) > 0 && timeout[0] > 0 {
		return timeout[0]
	}
	return DefaultWait
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// SignIn signs in to srv's console as the root user (user "root" or "")
// or as the IAM user named user, of srv.AccountID, and waits for the
// header's [data-testid=whoami].
func (b *Browser) SignIn(t testing.TB, srv *Server, user, password string) {
	t.Helper()
	b.SubmitSignIn(t, srv, srv.AccountID, user, password)
	b.WaitVisible(t, "[data-testid=whoami]")
}

// SubmitSignIn opens srv's sign-in page, fills it in (account: an account
// ID or registry alias; user "root" or "" for the root user) and submits
// it, without waiting for the outcome.
func (b *Browser) SubmitSignIn(t testing.TB, srv *Server, account, user, password string) {
	t.Helper()
	b.Navigate(t, srv.URL+"/console/signin")
	b.WaitVisible(t, "#signin-submit")
	if user == "" || user == "root" {
		b.Check(t, "#principal-root")
	} else {
		b.Check(t, "#principal-iam")
		b.WaitVisible(t, "#username")
		b.Type(t, "#username", user)
	}
	b.Type(t, "#account", account)
	b.Type(t, "#password", password)
	b.ClickNav(t, "#signin-submit")
}

// SignOut presses the header's Sign out button and waits for the signed-out
// page.
func (b *Browser) SignOut(t testing.TB) {
	t.Helper()
	b.ClickNav(t, "header .whoami form button")
	b.WaitGone(t, "[data-testid=whoami]")
}

// WaitDownload waits up to timeout for the next completed download (in
// the order they complete) and returns the page's name for the file (the
// <a download> attribute or the server's) and its content.
func (b *Browser) WaitDownload(t testing.TB, timeout time.Duration) (name string, content []byte) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		b.mu.Lock()
		var d download
		found := false
		for _, c := range b.done {
			if !b.taken[c.guid] {
				d, found = c, true
				b.taken[c.guid] = true
				break
			}
		}
		changed := b.changed
		started := len(b.names)
		b.mu.Unlock()
		if found {
			content, err := os.ReadFile(d.path)
			if err != nil {
				t.Fatalf("reading the download %s: %v", d.name, err)
			}
			return d.name, content
		}
		select {
		case <-changed:
		case <-deadline:
			b.fail(t, fmt.Errorf("no download completed within %s (%d started)", timeout, started))
			return "", nil
		}
	}
}

// ScreenshotDir is where screenshots go: env WHARF_SCREENSHOT_DIR, else
// screenshots/ at the repository's root (found from the working directory
// by walking up to go.mod).
func ScreenshotDir() string {
	if d := os.Getenv("WHARF_SCREENSHOT_DIR"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(), "screenshots")
}

func repoRoot() string {
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				return d
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	_, file, _, _ := goruntime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// writeScreenshot writes a PNG as <ScreenshotDir>/<name>.png.
func writeScreenshot(name string, png []byte) (string, error) {
	dir := ScreenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, name)
	p := filepath.Join(dir, safe+".png")
	return p, os.WriteFile(p, png, 0o644)
}

// Screenshot writes a full-page PNG of the page as <ScreenshotDir>/<name>.png
// and returns its path. Every page worth a screenshot is audited too (Audit).
func (b *Browser) Screenshot(t testing.TB, name string) string {
	t.Helper()
	b.Audit(t, name)
	buf, err := run(b, 2*DefaultWait, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p, err := writeScreenshot(name, buf)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	t.Logf("screenshot: %s", p)
	return p
}

// PhoneScreenshot is Screenshot at a phone's width: it emulates a 390x844
// mobile viewport, takes the full-page screenshot, and restores the
// desktop viewport.
func (b *Browser) PhoneScreenshot(t testing.TB, name string) string {
	t.Helper()
	b.Run(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2), chromedp.EmulatePortrait),
		chromedp.Sleep(300*time.Millisecond)) // let the layout settle
	defer b.Run(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{})
		return err
	}))
	return b.Screenshot(t, name)
}
