package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/iam"
)

func TestSignInAndOut(t *testing.T) {
	e := newTestEnv(t)
	b := e.browser()
	if status, _ := b.get("/console/"); status != http.StatusSeeOther {
		t.Fatalf("anonymous /console/: status %d, want a redirect to sign in", status)
	}
	b.get("/console/signin")
	status, _, body := b.post("/console/signin", url.Values{"account": {testAccount}, "principal": {"root"}, "password": {"wrong"}})
	if status != http.StatusUnauthorized || !strings.Contains(body, "SignInFailed") {
		t.Fatalf("wrong password: status %d\n%s", status, body)
	}
	b.signIn("", testRootPassword)
	if status, body := b.get("/console/"); status != 200 || !strings.Contains(body, "Signed in as <strong>root</strong>") {
		t.Fatalf("home: %d\n%s", status, body)
	}
	if status, loc, _ := b.post("/console/signout", nil); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/signin") {
		t.Fatalf("sign out: %d %s", status, loc)
	}
	if status, _ := b.get("/console/"); status != http.StatusSeeOther {
		t.Fatalf("after sign-out /console/: status %d, want a redirect", status)
	}
}

func TestCSRF(t *testing.T) {
	e := newTestEnv(t)
	b := e.rootBrowser()
	for _, tc := range []struct {
		name  string
		form  url.Values
		hdr   map[string]string
		allow bool
	}{
		{"missing", url.Values{"csrf": {""}}, nil, false},
		{"wrong", url.Values{"csrf": {"AAAA" + b.csrf[4:]}}, nil, false},
		{"right token, other site", url.Values{"csrf": {b.csrf}}, map[string]string{"Origin": "https://evil.example"}, false},
		{"right", url.Values{"csrf": {b.csrf}}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/console/signout", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.StatusCode != http.StatusForbidden; got != tc.allow {
				t.Fatalf("status %d; allowed=%v, want %v", resp.StatusCode, got, tc.allow)
			}
		})
	}
	// The sign-in form has its own token.
	b2 := e.browser()
	b2.get("/console/signin")
	status, _, _ := b2.post("/console/signin", url.Values{"csrf": {"forged"}, "account": {testAccount}, "principal": {"root"}, "password": {testRootPassword}})
	if status != http.StatusForbidden {
		t.Fatalf("sign-in with a forged token: status %d, want 403", status)
	}
}

// A session of a user who is deleted, or whose console password is
// removed, ends; a new user of the same name does not inherit it.
func TestSessionEndsWithUser(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	const pw = "User-Passw0rd!"
	mk := func() {
		if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: "alice"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.IAM.CreateLoginProfile(ctx, e.Root, iam.CreateLoginProfileInput{UserName: "alice", Password: pw}); err != nil {
			t.Fatal(err)
		}
	}
	mk()
	b := e.browser()
	b.signIn("alice", pw)
	cookie := b.client.Jar.Cookies(mustURL(e.URL))
	if err := e.IAM.DeleteLoginProfile(ctx, e.Root, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := e.IAM.DeleteUser(ctx, e.Root, "alice"); err != nil {
		t.Fatal(err)
	}
	mk() // same name, new user ID
	// The old cookie, replayed, no longer signs anyone in.
	b2 := e.browser()
	b2.client.Jar.SetCookies(mustURL(e.URL), cookie)
	if status, _ := b2.get("/console/"); status != http.StatusSeeOther {
		t.Fatalf("deleted user's session: status %d, want a redirect to sign in", status)
	}
}

func TestForcedPasswordReset(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	const pw = "User-Passw0rd!"
	if _, err := e.IAM.CreateUser(ctx, e.Root, iam.CreateUserInput{UserName: "bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IAM.CreateLoginProfile(ctx, e.Root, iam.CreateLoginProfileInput{UserName: "bob", Password: pw, PasswordResetRequired: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.IAM.AttachPolicy(ctx, e.Root, "user", "bob", "arn:aws:iam::aws:policy/IAMUserChangePassword"); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("bob", pw)
	if status, _ := b.get("/console/iam/users"); status != http.StatusSeeOther {
		t.Fatalf("before the reset: status %d, want a redirect to change-password", status)
	}
	b.get("/console/change-password")
	status, loc, body := b.post("/console/change-password", url.Values{"old_password": {pw}, "new_password": {"New-Passw0rd!"}, "confirm_password": {"New-Passw0rd!"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/") {
		t.Fatalf("change password: %d %s\n%s", status, loc, body)
	}
	if status, _ := b.get("/console/"); status != 200 {
		t.Fatalf("after the reset: status %d", status)
	}
	b2 := e.browser()
	b2.signIn("bob", "New-Passw0rd!")
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
