// Package console is Wharf's web console and public gallery: server-rendered
// pages over the same services and the same authorization as the APIs. Every
// console action runs as the signed-in principal (a root or IAM user session
// from internal/signin) and calls one service method, which authorizes it;
// a refusal is shown with the engine's explanation, never hidden.
//
// It is an adapter like the others: it parses forms, calls services and
// renders templates (embedded from web/). It holds no business rules, and it
// never reads the store.
//
//	/console/…            signed-in pages (IAM, ECR Public, simulator)
//	/console/signin       sign-in (root or IAM user), /console/signout
//	/console/static/…     CSS and JavaScript (embedded)
//	/gallery/…            the anonymous public gallery
//
// Security: sessions live in an HttpOnly, SameSite=Lax cookie holding a
// random token (the store keeps its hash); every state-changing request
// carries the session's CSRF token (form field "csrf" or header
// X-CSRF-Token), compared in constant time, and a cross-origin Origin is
// refused; pages are sent with a strict Content-Security-Policy (no inline
// script, no third-party origin) and are never cached.
package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/wharf-project/wharf/internal/api/ecrpublic"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/httpx"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/registry"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/signin"
	"github.com/wharf-project/wharf/web"
)

// Cookie names.
const (
	sessionCookie = "wharf_session"
	// preCSRFCookie protects the sign-in form itself (double submit): there
	// is no session yet to hold a token.
	preCSRFCookie = "wharf_signin_csrf"
)

// Region is the region console calls are made in: ECR Public's only one.
const Region = "us-east-1"

// Handler serves the console and the gallery.
type Handler struct {
	IAM      *iam.Service
	Registry *registry.Service
	SignIn   *signin.Service
	// Catalog is the IAM action catalog the policy editors validate against.
	Catalog *catalog.Catalog
	Log     *slog.Logger
	Now     func() time.Time
	// PublicURL is the server's external base URL (https://registry.example.com);
	// its host is the registry host in pull and push commands, and an https
	// URL makes cookies Secure.
	PublicURL string

	once  sync.Once
	pages map[string]*template.Template
	err   error
	mux   *http.ServeMux
}

// request is one console request after authentication.
type request struct {
	w    http.ResponseWriter
	r    *http.Request
	sess *signin.Session
	// call is the signed-in principal's authorization call, as the API
	// adapters build one for a signed request.
	call *authz.Call
}

func (q *request) ctx() context.Context { return q.r.Context() }

// page is what every template gets.
type page struct {
	Title string
	// Section names the navigation entry to highlight ("iam", "ecr",
	// "simulator", "gallery").
	Section string
	Session *signin.Session
	CSRF    string
	// Flash is a one-line success message shown at the top.
	Flash string
	// Err is a failed action's error, shown in a panel with its code and,
	// for a denial, the policy engine's explanation.
	Err *pageError
	// Host is the registry host for pull and push commands.
	Host string
	// Data is the page's own data.
	Data any
}

// pageError is an error as the console shows it.
type pageError struct {
	Code    string
	Message string
	// Details is the policy engine's explanation of a denial (statements
	// that matched or nearly did), or "".
	Details string
	Status  int
}

// ServeHTTP routes console and gallery requests.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.init)
	if h.err != nil {
		h.Log.Error("console templates", "err", h.err)
		http.Error(w, "the console's templates failed to load; see the server log", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) init() {
	h.pages, h.err = loadPages()
	if h.err != nil {
		return
	}
	m := http.NewServeMux()
	static, _ := fs.Sub(web.FS, "static")
	m.Handle("GET /console/static/", http.StripPrefix("/console/static/", cacheStatic(http.FileServerFS(static))))
	m.HandleFunc("GET /console/signin", h.signInPage)
	m.HandleFunc("POST /console/signin", h.signInSubmit)
	m.HandleFunc("POST /console/signout", h.authed(h.signOut))
	m.HandleFunc("GET /console/change-password", h.authedAllowReset(h.changePasswordPage))
	m.HandleFunc("POST /console/change-password", h.authedAllowReset(h.changePasswordSubmit))
	m.HandleFunc("GET /console/{$}", h.authed(h.home))
	m.HandleFunc("POST /console/api/validate-policy", h.authed(h.validateAPI))
	m.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/console/", http.StatusFound) })
	for _, rt := range h.routes() {
		m.HandleFunc(rt.pattern, h.authed(rt.fn))
	}
	for _, rt := range h.galleryRoutes() {
		m.HandleFunc(rt.pattern, rt.fn)
	}
	m.HandleFunc("/console/", h.authed(func(q *request) {
		h.fail(q, "", page{Title: "Not found"}, errs.Coded(errs.NotFound, "NotFound", "There is no console page at %s.", q.r.URL.Path))
	}))
	h.mux = m
}

// route is one signed-in page or action.
type route struct {
	pattern string
	fn      func(*request)
}

// publicRoute is one anonymous gallery page.
type publicRoute struct {
	pattern string
	fn      http.HandlerFunc
}

// routes lists the signed-in pages, area by area (each area's file has its
// own list). Create forms live under /console/iam/create/ and
// /console/ecr/create/, not beside what they create: a literal segment such
// as /console/iam/users/new is also a name a user may have, and ServeMux
// prefers the literal, so that user's page could never be opened.
func (h *Handler) routes() []route {
	var rs []route
	for _, area := range [][]route{h.userRoutes(), h.groupRoutes(), h.roleRoutes(), h.policyRoutes(), h.reportRoutes(), h.simulatorRoutes(), h.ecrRoutes()} {
		rs = append(rs, area...)
	}
	return rs
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		next.ServeHTTP(w, r)
	})
}

// loadPages parses every page template with the layout and the partials.
// A page is web/templates/<area>/<name>.html, known as "<area>/<name>".
func loadPages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	err := fs.WalkDir(web.FS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if rel == "layout" || strings.HasPrefix(rel, "partials/") {
			return nil
		}
		t, err := template.New(path.Base(p)).Funcs(funcs).ParseFS(web.FS, "templates/layout.html", "templates/partials/*.html", p)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		pages[rel] = t
		return nil
	})
	return pages, err
}

// render writes a page with status 200, or the status of p.Err when set.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	t, ok := h.pages[name]
	if !ok {
		h.Log.Error("console: no such template", "page", name)
		http.Error(w, "no such page template: "+name, http.StatusInternalServerError)
		return
	}
	if p.Host == "" {
		p.Host = h.registryHost(r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.Log.Error("console: rendering failed", "page", name, "request_id", httpx.RequestID(r), "err", err)
		http.Error(w, "the page failed to render; the request ID is in the server log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if p.Err != nil && p.Err.Status != 0 {
		status = p.Err.Status
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// show renders a page for a signed-in request, filling in the session.
func (h *Handler) show(q *request, name string, p page) {
	p.Session = q.sess
	p.CSRF = q.sess.CSRFToken
	if p.Flash == "" {
		p.Flash = q.r.URL.Query().Get("flash")
	}
	h.render(q.w, q.r, name, p)
}

// fail shows err on the page name (the form the user came from, so that
// what they typed is still there), or on a plain error page when name is "".
func (h *Handler) fail(q *request, name string, p page, err error) {
	p.Err = toPageError(err)
	if p.Err.Status >= 500 {
		h.Log.Error("console action failed", "request_id", httpx.RequestID(q.r), "path", q.r.URL.Path, "err", err)
	}
	if name == "" {
		name = "error"
	}
	h.show(q, name, p)
}

// toPageError turns a service error into what the console shows: AWS's code
// and message; for a denial, the engine's explanation below it.
func toPageError(err error) *pageError {
	var e *errs.Error
	if !errors.As(err, &e) {
		return &pageError{Code: "InternalFailure", Message: "An internal error occurred. The request ID in the server log identifies it.", Status: 500}
	}
	code := e.Code
	if code == "" {
		code = e.Kind.String()
	}
	if name, ok := ecrpublic.ExceptionName(code); ok && code != "AccessDenied" {
		code = name // the registry's codes, as the ECR Public API names them
	}
	pe := &pageError{Code: code, Message: e.Message, Status: kindStatus(e.Kind)}
	if code == "Throttling" {
		pe.Status = http.StatusTooManyRequests
	}
	if e.Kind == errs.Denied {
		pe.Message, pe.Details, _ = strings.Cut(e.Message, "\n")
	}
	if e.Kind == errs.Internal {
		pe.Message = "An internal error occurred. The request ID in the server log identifies it."
	}
	return pe
}

func kindStatus(k errs.Kind) int {
	switch k {
	case errs.NotFound:
		return http.StatusNotFound
	case errs.AlreadyExists, errs.Conflict, errs.LimitExceeded:
		return http.StatusConflict
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.Denied:
		return http.StatusForbidden
	case errs.Unauthenticated:
		return http.StatusUnauthorized
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// redirect sends the browser to target after a successful action (POST,
// redirect, GET), with an optional flash message.
func redirect(q *request, target, flash string) {
	if flash != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "flash=" + url.QueryEscape(flash)
	}
	http.Redirect(q.w, q.r, target, http.StatusSeeOther)
}

// authed wraps a signed-in page: it resolves the session cookie, sends the
// browser to sign in when there is none, checks CSRF on every
// state-changing request, and holds a user who must reset their password
// on the change-password page.
func (h *Handler) authed(fn func(*request)) http.HandlerFunc {
	return h.session(fn, false)
}

// authedAllowReset is authed for the pages a user who must reset their
// password may use.
func (h *Handler) authedAllowReset(fn func(*request)) http.HandlerFunc {
	return h.session(fn, true)
}

func (h *Handler) session(fn func(*request), allowReset bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		token := ""
		if err == nil {
			token = c.Value
		}
		sess, err := h.SignIn.Resolve(r.Context(), token)
		if err != nil {
			if errs.KindOf(err) != errs.Unauthenticated {
				h.Log.Error("console: resolving a session failed", "request_id", httpx.RequestID(r), "err", err)
				http.Error(w, "the session could not be checked; try again", http.StatusServiceUnavailable)
				return
			}
			if token != "" {
				h.clearCookie(w, r, sessionCookie)
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				http.Error(w, "Your session has ended. Sign in again.", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/console/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := readForm(r); err != nil {
				http.Error(w, "The form could not be read (at most 4 MiB): "+err.Error(), http.StatusRequestEntityTooLarge)
				return
			}
			if !sameOrigin(r) || !h.checkCSRF(r, sess.CSRFToken) {
				http.Error(w, "The request was refused: its anti-forgery (CSRF) token is missing or wrong, or it came from another site. Reload the page and try again.", http.StatusForbidden)
				return
			}
		}
		if sess.PasswordResetRequired && !allowReset {
			http.Redirect(w, r, "/console/change-password", http.StatusSeeOther)
			return
		}
		q := &request{w: w, r: r, sess: &sess, call: &authz.Call{Subject: sess.Subject, SourceIP: httpx.RemoteIP(r),
			SecureTransport: r.TLS != nil, Region: Region, UserAgent: r.UserAgent(), Now: h.Now()}}
		fn(q)
	}
}

// readForm reads a form body, bounded as a whole (ParseMultipartForm's
// argument only bounds what it keeps in memory). Script requests (JSON
// bodies with the X-CSRF-Token header) are left for their handler.
func readForm(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		return r.ParseMultipartForm(maxFormBytes)
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		return r.ParseForm()
	}
	return nil
}

// checkCSRF compares the request's token with want in constant time. Forms
// send it as the field "csrf", scripts as the header X-CSRF-Token.
func (h *Handler) checkCSRF(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && r.PostForm != nil {
		got = r.PostForm.Get("csrf")
	}
	return secrets.Equal(want, got)
}

// maxFormBytes bounds a console form: a policy document is at most 131,072
// characters, and a repository logo 2 MiB (base64 in ECR Public's API).
const maxFormBytes = 4 << 20

// sameOrigin refuses a request whose Origin (or, without one, Referer)
// names another site. Browsers send Origin with every cross-site POST.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		ref := r.Header.Get("Referer")
		if ref == "" {
			return true // not a browser's cross-site request; CSRF token still required
		}
		o = ref
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

func (h *Handler) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(h.PublicURL, "https://")
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: h.secureCookies(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge / time.Second)})
}

func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: h.secureCookies(r),
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// registryHost is the host in pull and push commands.
func (h *Handler) registryHost(r *http.Request) string {
	if u, err := url.Parse(h.PublicURL); err == nil && u.Host != "" {
		return u.Host
	}
	return r.Host
}

// writeJSON answers a script's request.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// safeNext keeps a post-sign-in redirect on this site's console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/console/"
	}
	return next
}
