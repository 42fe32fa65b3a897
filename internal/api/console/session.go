package console

import (
	"net/http"
	"strings"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/httpx"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/signin"
)

// signInForm is the sign-in page's data.
type signInForm struct {
	Account  string
	UserName string
	// AsRoot is the "Root user" choice (else "IAM user").
	AsRoot bool
	Next   string
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, err := h.SignIn.Resolve(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	q := r.URL.Query()
	f := signInForm{Account: q.Get("account"), Next: safeNext(q.Get("next")), AsRoot: q.Get("root") == "1"}
	h.signInRender(w, r, f, nil)
}

func (h *Handler) signInRender(w http.ResponseWriter, r *http.Request, f signInForm, err error) {
	token := secrets.NewToken()
	h.setCookie(w, r, preCSRFCookie, token, 0)
	p := page{Title: "Sign in", CSRF: token, Data: f}
	if err != nil {
		p.Err = toPageError(err)
	}
	h.render(w, r, "signin", p)
}

func (h *Handler) signInSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The sign-in form could not be read.", http.StatusBadRequest)
		return
	}
	c, err := r.Cookie(preCSRFCookie)
	if err != nil || !sameOrigin(r) || !secrets.Equal(c.Value, r.PostFormValue("csrf")) {
		http.Error(w, "The request was refused: its anti-forgery (CSRF) token is missing or wrong, or it came from another site. Reload the sign-in page and try again.", http.StatusForbidden)
		return
	}
	f := signInForm{Account: strings.TrimSpace(r.PostFormValue("account")), UserName: strings.TrimSpace(r.PostFormValue("username")),
		AsRoot: r.PostFormValue("principal") == "root", Next: safeNext(r.PostFormValue("next"))}
	in := signin.Input{Account: f.Account, Password: r.PostFormValue("password"), SourceIP: httpx.RemoteIP(r)}
	if !f.AsRoot {
		in.UserName = f.UserName
		if in.UserName == "" {
			h.signInRender(w, r, f, errs.Coded(errs.Invalid, "ValidationError", "Enter the IAM user name, or choose Root user."))
			return
		}
	}
	sess, err := h.SignIn.SignIn(r.Context(), in)
	if err != nil {
		if errs.KindOf(err) == errs.Internal {
			h.Log.Error("console sign-in failed", "err", err)
		} else {
			h.Log.Info("console sign-in refused", "account", f.Account, "user", in.UserName, "root", f.AsRoot, "remote", r.RemoteAddr)
		}
		h.signInRender(w, r, f, err)
		return
	}
	h.clearCookie(w, r, preCSRFCookie)
	h.setCookie(w, r, sessionCookie, sess.Token, 0)
	h.Log.Info("console sign-in", "account", sess.AccountID, "user", sess.DisplayName())
	if sess.PasswordResetRequired {
		http.Redirect(w, r, "/console/change-password", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}

func (h *Handler) signOut(q *request) {
	if err := h.SignIn.SignOut(q.ctx(), q.sess.Token); err != nil {
		h.fail(q, "", page{Title: "Sign out"}, err)
		return
	}
	h.clearCookie(q.w, q.r, sessionCookie)
	http.Redirect(q.w, q.r, "/console/signin?flash=signed-out", http.StatusSeeOther)
}

func (h *Handler) changePasswordPage(q *request) {
	h.show(q, "change-password", page{Title: "Change password"})
}

func (h *Handler) changePasswordSubmit(q *request) {
	p := page{Title: "Change password"}
	if q.sess.IsRoot() {
		h.fail(q, "change-password", p, errs.Coded(errs.Invalid, "InvalidUserType", "The root user's password is set by the operator: wharf admin set-root-password."))
		return
	}
	oldPw, newPw, again := q.r.PostFormValue("old_password"), q.r.PostFormValue("new_password"), q.r.PostFormValue("confirm_password")
	if newPw != again {
		h.fail(q, "change-password", p, errs.Coded(errs.Invalid, "PasswordPolicyViolation", "The new password and its confirmation differ."))
		return
	}
	if err := h.SignIn.ChangePassword(q.ctx(), *q.sess, q.call, oldPw, newPw); err != nil {
		h.fail(q, "change-password", p, err)
		return
	}
	redirect(q, "/console/", "Your password has been changed.")
}

// home is the console's landing page: who is signed in, and the way to the
// tutorial's tasks.
func (h *Handler) home(q *request) {
	h.show(q, "home", page{Title: "Console home"})
}
