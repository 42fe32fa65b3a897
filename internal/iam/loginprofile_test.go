package iam

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/sqlite"
)

const acctTestAccount = "123456789012"

// acctEnv is a Service on a real SQLite store with a bootstrapped account,
// its root caller and a settable clock.
type acctEnv struct {
	ctx  context.Context
	svc  *Service
	st   store.Store
	root *authz.Call
	now  time.Time
}

func newAcctEnv(t *testing.T) *acctEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := secrets.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	e := &acctEnv{ctx: ctx, st: st, now: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)}
	e.svc = New(st, authz.New(), box, catalog.MustLoad(), func() time.Time { return e.now })
	if _, _, err := e.svc.BootstrapAccount(ctx, acctTestAccount, RootKey{}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.EnsureAWSManaged(ctx); err != nil {
		t.Fatal(err)
	}
	e.root = &authz.Call{Subject: &authz.Subject{Caller: policy.Caller{Kind: policy.CallerRoot, ARN: "arn:aws:iam::" + acctTestAccount + ":root",
		Account: acctTestAccount, UserID: acctTestAccount}}, Now: time.Now()}
	return e
}

// user creates a user as root.
func (e *acctEnv) user(t *testing.T, name string) store.User {
	t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.root, CreateUserInput{UserName: name})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// as returns a call made by an IAM user.
func (e *acctEnv) as(u store.User) *authz.Call {
	return &authz.Call{Subject: &authz.Subject{Caller: policy.Caller{Kind: policy.CallerUser, ARN: e.svc.UserARN(u),
		Account: u.AccountID, UserID: u.ID, UserName: u.Name}}, Now: time.Now()}
}

// allow gives a user an inline policy allowing action on resource.
func (e *acctEnv) allow(t *testing.T, u store.User, action, resource string) {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
	if err := e.svc.PutInlinePolicy(e.ctx, e.root, store.KindUser, u.Name, "allow-"+strings.NewReplacer(":", "-", "*", "all").Replace(action), doc); err != nil {
		t.Fatal(err)
	}
}

func (e *acctEnv) storedUser(t *testing.T, name string) store.User {
	t.Helper()
	var u store.User
	err := e.st.Tx(e.ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.Users().Get(acctTestAccount, name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wantCode fails unless err is an errs.Error with the AWS code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

func TestLoginProfileLifecycle(t *testing.T) {
	e := newAcctEnv(t)
	e.user(t, "alice")

	lp, err := e.svc.CreateLoginProfile(e.ctx, e.root, CreateLoginProfileInput{UserName: "alice", Password: "Corr3ct-horse", PasswordResetRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := (LoginProfile{UserName: "alice", CreateDate: e.now, PasswordResetRequired: true}); lp != want {
		t.Fatalf("CreateLoginProfile = %+v, want %+v", lp, want)
	}
	u := e.storedUser(t, "alice")
	if strings.Contains(u.PasswordHash, "Corr3ct-horse") || !secrets.CheckPassword(u.PasswordHash, "Corr3ct-horse") {
		t.Fatalf("stored password is not the password's hash: %q", u.PasswordHash)
	}
	if got, err := e.svc.GetLoginProfile(e.ctx, e.root, "ALICE"); err != nil || got != lp {
		t.Fatalf("GetLoginProfile = %+v, %v; want %+v", got, err, lp)
	}

	_, err = e.svc.CreateLoginProfile(e.ctx, e.root, CreateLoginProfileInput{UserName: "alice", Password: "Corr3ct-horse"})
	wantCode(t, err, "EntityAlreadyExists")

	// Only the reset flag.
	f := false
	if err := e.svc.UpdateLoginProfile(e.ctx, e.root, UpdateLoginProfileInput{UserName: "alice", PasswordResetRequired: &f}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.GetLoginProfile(e.ctx, e.root, "alice"); got.PasswordResetRequired || !got.CreateDate.Equal(lp.CreateDate) {
		t.Fatalf("after resetting the flag: %+v", got)
	}
	// A new password: checked against the policy, hashed, dated.
	weak := "short"
	wantCode(t, e.svc.UpdateLoginProfile(e.ctx, e.root, UpdateLoginProfileInput{UserName: "alice", Password: &weak}), "PasswordPolicyViolation")
	e.now = e.now.Add(time.Hour)
	pw := "N3w pass phrase"
	if err := e.svc.UpdateLoginProfile(e.ctx, e.root, UpdateLoginProfileInput{UserName: "alice", Password: &pw}); err != nil {
		t.Fatal(err)
	}
	u = e.storedUser(t, "alice")
	if !secrets.CheckPassword(u.PasswordHash, pw) || secrets.CheckPassword(u.PasswordHash, "Corr3ct-horse") || !u.PasswordCreatedAt.Equal(e.now) || u.PasswordResetNeeded {
		t.Fatalf("after UpdateLoginProfile: %+v", u)
	}

	// A user with a login profile cannot be deleted; without one, it can.
	wantCode(t, e.svc.DeleteUser(e.ctx, e.root, "alice"), "DeleteConflict")
	if err := e.svc.DeleteLoginProfile(e.ctx, e.root, "alice"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetLoginProfile(e.ctx, e.root, "alice")
	wantCode(t, err, "NoSuchEntity")
	if !strings.Contains(err.Error(), "Login Profile for User alice cannot be found.") {
		t.Fatalf("message = %q", err)
	}
	wantCode(t, e.svc.DeleteLoginProfile(e.ctx, e.root, "alice"), "NoSuchEntity")
	wantCode(t, e.svc.UpdateLoginProfile(e.ctx, e.root, UpdateLoginProfileInput{UserName: "alice", PasswordResetRequired: &f}), "NoSuchEntity")
	if err := e.svc.DeleteUser(e.ctx, e.root, "alice"); err != nil {
		t.Fatal(err)
	}
}

func TestLoginProfileErrors(t *testing.T) {
	e := newAcctEnv(t)
	bob := e.user(t, "bob")

	_, err := e.svc.CreateLoginProfile(e.ctx, e.root, CreateLoginProfileInput{UserName: "nobody", Password: "Corr3ct-horse"})
	wantCode(t, err, "NoSuchEntity")
	_, err = e.svc.GetLoginProfile(e.ctx, e.root, "bob")
	wantCode(t, err, "NoSuchEntity")
	// Root names no user: root has no login profile Wharf manages.
	_, err = e.svc.GetLoginProfile(e.ctx, e.root, "")
	wantCode(t, err, "ValidationError")
	_, err = e.svc.CreateLoginProfile(e.ctx, e.root, CreateLoginProfileInput{UserName: "bad name", Password: "Corr3ct-horse"})
	wantCode(t, err, "ValidationError")
	_, err = e.svc.CreateLoginProfile(e.ctx, e.root, CreateLoginProfileInput{UserName: "bob", Password: "password1"})
	wantCode(t, err, "PasswordPolicyViolation")
	_, err = e.svc.CreateLoginProfile(e.ctx, e.root, CreateLoginProfileInput{UserName: "bob", Password: ""})
	wantCode(t, err, "ValidationError")

	// Without a policy, bob may not touch even his own login profile.
	_, err = e.svc.CreateLoginProfile(e.ctx, e.as(bob), CreateLoginProfileInput{Password: "Corr3ct-horse"})
	wantCode(t, err, "AccessDenied")
	if u := e.storedUser(t, "bob"); u.PasswordHash != "" {
		t.Fatal("a denied CreateLoginProfile stored a password")
	}
	// With one, the calling user is the default.
	e.allow(t, bob, "iam:*LoginProfile", e.svc.UserARN(bob))
	if _, err := e.svc.CreateLoginProfile(e.ctx, e.as(bob), CreateLoginProfileInput{Password: "Corr3ct-horse"}); err != nil {
		t.Fatal(err)
	}
	if lp, err := e.svc.GetLoginProfile(e.ctx, e.as(bob), ""); err != nil || lp.UserName != "bob" {
		t.Fatalf("GetLoginProfile as bob = %+v, %v", lp, err)
	}
	carol := e.user(t, "carol")
	_, err = e.svc.GetLoginProfile(e.ctx, e.as(bob), carol.Name)
	wantCode(t, err, "AccessDenied")
	wantCode(t, e.svc.DeleteLoginProfile(e.ctx, e.as(carol), "bob"), "AccessDenied")
}

func TestPasswordPolicy(t *testing.T) {
	acct := store.Account{ID: acctTestAccount, Alias: "Example-Corp1"}
	for _, c := range []struct {
		pw, user string
		ok       bool
	}{
		{"Ab1!Ab1", "u", false},                 // 7 characters
		{"Ab1!Ab1!", "u", true},                 // 8, four kinds
		{"abcdefgh", "u", false},                // one kind
		{"abcdEFGH", "u", false},                // two kinds
		{"abcd!@#$", "u", false},                // two kinds
		{"abcd!@#1", "u", true},                 // lower, symbol, number
		{"ABCD{}|'", "u", false},                // upper, symbol
		{"ABCD{}|'a", "u", true},                // upper, symbol, lower
		{"abcdEFG~", "u", false},                // ~ is not one of the policy's symbols
		{"abcd EFG1", "u", true},                // a space counts for nothing, but three kinds remain
		{"Alice.Smith1", "alice.smith1", false}, // identical to the user name
		{"Alice.Smith12", "alice.smith1", true},
		{"example-corp1", "u", false},                 // identical to the account alias
		{strings.Repeat("aB3", 42) + "aa", "u", true}, // 128 characters
	} {
		err := checkPasswordPolicy(c.pw, c.user, acct)
		if c.ok && err != nil {
			t.Errorf("%q (user %s): %v", c.pw, c.user, err)
		}
		if !c.ok {
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != "PasswordPolicyViolation" {
				t.Errorf("%q (user %s): error %v, want PasswordPolicyViolation", c.pw, c.user, err)
			}
		}
	}
	for _, pw := range []string{"", strings.Repeat("a", 129), "Ab1!Ab1!\x01", "Ab1!Ab1!€"} {
		var e *errs.Error
		if err := checkPasswordShape(pw); !errors.As(err, &e) || e.Code != "ValidationError" || (pw != "" && strings.Contains(e.Message, pw)) {
			t.Errorf("checkPasswordShape(%q) = %v, want a ValidationError without the password", pw, err)
		}
	}
	for _, pw := range []string{"Ab1!Ab1!", "tab\tand\nnewline", "ÿÿÿ", strings.Repeat("a", 128)} {
		if err := checkPasswordShape(pw); err != nil {
			t.Errorf("checkPasswordShape(%q) = %v", pw, err)
		}
	}
}
