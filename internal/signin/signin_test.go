package signin

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store/sqlite"
)

const account = "123456789012"

// TestThrottle: five wrong passwords for a user refuse the sixth attempt,
// right password or not, without checking it; other users are not
// affected; the refusal lifts when the window has passed; a success
// forgets earlier failures.
func TestThrottle(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "wharf.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	box, _ := secrets.NewBox(make([]byte, 32))
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	iamSvc := iam.New(db, authz.New(), box, catalog.MustLoad(), clock)
	if _, _, err := iamSvc.BootstrapAccount(ctx, account, iam.RootKey{}); err != nil {
		t.Fatal(err)
	}
	const rootPW, userPW = "Root-Passw0rd!", "User-Passw0rd!"
	if _, err := iamSvc.EnsureRootPassword(ctx, account, rootPW); err != nil {
		t.Fatal(err)
	}
	s := New(db, iamSvc, clock, 0)
	root, err := s.SignIn(ctx, Input{Account: account, Password: rootPW})
	if err != nil {
		t.Fatal(err)
	}
	call := &authz.Call{Subject: root.Subject, Now: now}
	if _, err := iamSvc.CreateUser(ctx, call, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamSvc.CreateLoginProfile(ctx, call, iam.CreateLoginProfileInput{UserName: "alice", Password: userPW}); err != nil {
		t.Fatal(err)
	}
	code := func(err error) string {
		if e, ok := err.(*errs.Error); ok {
			return e.Code
		}
		return ""
	}
	for i := range 5 {
		if _, err := s.SignIn(ctx, Input{Account: account, UserName: "alice", Password: "wrong"}); code(err) != "SignInFailed" {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
	}
	if _, err := s.SignIn(ctx, Input{Account: account, UserName: "ALICE", Password: userPW}); code(err) != "Throttling" {
		t.Fatalf("sixth attempt (right password, other case): %v, want Throttling", err)
	}
	if _, err := s.SignIn(ctx, Input{Account: account, Password: rootPW}); err != nil {
		t.Fatalf("root is not throttled by alice's failures: %v", err)
	}
	now = now.Add(failureWindow + time.Second)
	if _, err := s.SignIn(ctx, Input{Account: account, UserName: "alice", Password: userPW}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	// Four failures, a success, four more: not throttled.
	for range 4 {
		_, _ = s.SignIn(ctx, Input{Account: account, UserName: "alice", Password: "wrong"})
	}
	if _, err := s.SignIn(ctx, Input{Account: account, UserName: "alice", Password: userPW}); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		_, _ = s.SignIn(ctx, Input{Account: account, UserName: "alice", Password: "wrong"})
	}
	if _, err := s.SignIn(ctx, Input{Account: account, UserName: "alice", Password: userPW}); err != nil {
		t.Fatalf("a success forgets earlier failures: %v", err)
	}
}
