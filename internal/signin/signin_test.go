package signin

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/sqlite"
)

const (
	account = "123456789012"
	alias   = "acme"
	rootPW  = "Root-Passw0rd!"
	userPW  = "User-Passw0rd!"
)

// throttleEnv is an account (alias acme) with a root password and a user
// alice with a console password, over one store, and a clock tests move.
type throttleEnv struct {
	ctx context.Context
	db  store.Store
	iam *iam.Service
	now time.Time
}

func newThrottleEnv(t *testing.T) *throttleEnv {
	t.Helper()
	e := &throttleEnv{ctx: context.Background(), now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	db, err := sqlite.Open(e.ctx, filepath.Join(t.TempDir(), "wharf.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	box, _ := secrets.NewBox(make([]byte, 32))
	e.iam = iam.New(db, authz.New(), box, catalog.MustLoad(), e.clock)
	if _, _, err := e.iam.BootstrapAccount(e.ctx, account, iam.RootKey{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.EnsureRootPassword(e.ctx, account, rootPW); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(e.ctx, func(tx store.Tx) error { return tx.Accounts().SetAlias(account, alias) }); err != nil {
		t.Fatal(err)
	}
	root, err := e.service().SignIn(e.ctx, Input{Account: account, Password: rootPW})
	if err != nil {
		t.Fatal(err)
	}
	call := &authz.Call{Subject: root.Subject, Now: e.now}
	if _, err := e.iam.CreateUser(e.ctx, call, iam.CreateUserInput{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.CreateLoginProfile(e.ctx, call, iam.CreateLoginProfileInput{UserName: "alice", Password: userPW}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *throttleEnv) clock() time.Time { return e.now }

// service is a sign-in service over the env's store: a replica of its own.
func (e *throttleEnv) service() *Service { return New(e.db, e.iam, e.clock, 0) }

func code(err error) string {
	if e, ok := err.(*errs.Error); ok {
		return e.Code
	}
	return ""
}

// TestThrottle: five wrong passwords for a user refuse the sixth attempt,
// right password or not, without checking it; other users are not
// affected; the refusal lifts when the window has passed; a success
// forgets earlier failures.
func TestThrottle(t *testing.T) {
	e := newThrottleEnv(t)
	s := e.service()
	for i := range 5 {
		if _, err := s.SignIn(e.ctx, Input{Account: account, UserName: "alice", Password: "wrong"}); code(err) != "SignInFailed" {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
	}
	if _, err := s.SignIn(e.ctx, Input{Account: account, UserName: "ALICE", Password: userPW}); code(err) != "Throttling" {
		t.Fatalf("sixth attempt (right password, other case): %v, want Throttling", err)
	}
	if _, err := s.SignIn(e.ctx, Input{Account: account, Password: rootPW}); err != nil {
		t.Fatalf("root is not throttled by alice's failures: %v", err)
	}
	e.now = e.now.Add(failureWindow + time.Second)
	if _, err := s.SignIn(e.ctx, Input{Account: account, UserName: "alice", Password: userPW}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	// Four failures, a success, four more: not throttled.
	for range 4 {
		_, _ = s.SignIn(e.ctx, Input{Account: account, UserName: "alice", Password: "wrong"})
	}
	if _, err := s.SignIn(e.ctx, Input{Account: account, UserName: "alice", Password: userPW}); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		_, _ = s.SignIn(e.ctx, Input{Account: account, UserName: "alice", Password: "wrong"})
	}
	if _, err := s.SignIn(e.ctx, Input{Account: account, UserName: "alice", Password: userPW}); err != nil {
		t.Fatalf("a success forgets earlier failures: %v", err)
	}
}

// TestThrottleAcrossReplicas: failures spread over several replicas (each
// its own Service over one store) and over the account's ID and its alias
// add to one count, so a guesser gets five tries, not five per replica or
// per spelling of the account.
func TestThrottleAcrossReplicas(t *testing.T) {
	e := newThrottleEnv(t)
	replicas := []*Service{e.service(), e.service(), e.service()}
	accounts := []string{account, alias, "ACME"}
	for i := range 5 {
		in := Input{Account: accounts[i%len(accounts)], UserName: "alice", Password: "wrong"}
		if _, err := replicas[i%len(replicas)].SignIn(e.ctx, in); code(err) != "SignInFailed" {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
	}
	for i, r := range replicas {
		for _, a := range accounts {
			if _, err := r.SignIn(e.ctx, Input{Account: a, UserName: "alice", Password: userPW}); code(err) != "Throttling" {
				t.Errorf("replica %d, account %q, after 5 failures elsewhere: %v, want Throttling", i+1, a, err)
			}
		}
	}
	// Names that do not exist are counted too (the answer must not tell
	// them from names that do).
	for range 5 {
		_, _ = replicas[0].SignIn(e.ctx, Input{Account: "999999999999", UserName: "nobody", Password: "x"})
	}
	if _, err := replicas[1].SignIn(e.ctx, Input{Account: "999999999999", UserName: "nobody", Password: "x"}); code(err) != "Throttling" {
		t.Errorf("an unknown account's sixth attempt: %v, want Throttling", err)
	}
}

// TestPurgeForgetsOldFailures: Purge drops counts whose window has passed
// and keeps the live ones.
func TestPurgeForgetsOldFailures(t *testing.T) {
	e := newThrottleEnv(t)
	s := e.service()
	_, _ = s.SignIn(e.ctx, Input{Account: account, UserName: "old", Password: "x"})
	e.now = e.now.Add(failureWindow + time.Minute)
	_, _ = s.SignIn(e.ctx, Input{Account: account, UserName: "new", Password: "x"})
	if _, err := s.Purge(e.ctx); err != nil {
		t.Fatal(err)
	}
	kept := func(user string) bool {
		err := store.View(e.ctx, e.db, func(tx store.Tx) error {
			_, err := tx.SignInFailures().Get(throttleKey(account, user))
			return err
		})
		return err == nil
	}
	if kept("old") || !kept("new") {
		t.Errorf("after Purge: old kept %v (want false), new kept %v (want true)", kept("old"), kept("new"))
	}
}

// TestThrottleAddress: one address failing on many names (five each at
// most) is refused after maxAddressFailures, on any name, even with the
// right password; another address is not.
func TestThrottleAddress(t *testing.T) {
	e := newThrottleEnv(t)
	s := e.service()
	const guesser, colleague = "198.51.100.7", "198.51.100.8"
	for i := range maxAddressFailures {
		in := Input{Account: account, UserName: fmt.Sprintf("user%d", i/2), Password: "wrong", SourceIP: guesser}
		if _, err := s.SignIn(e.ctx, in); code(err) != "SignInFailed" {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if _, err := s.SignIn(e.ctx, Input{Account: account, UserName: "alice", Password: userPW, SourceIP: guesser}); code(err) != "Throttling" {
		t.Fatalf("the guesser's next attempt: %v, want Throttling", err)
	}
	if _, err := s.SignIn(e.ctx, Input{Account: account, UserName: "alice", Password: userPW, SourceIP: colleague}); err != nil {
		t.Fatalf("another address: %v", err)
	}
	e.now = e.now.Add(failureWindow + time.Second)
	if _, err := s.SignIn(e.ctx, Input{Account: account, UserName: "alice", Password: userPW, SourceIP: guesser}); err != nil {
		t.Fatalf("the guesser's address after the window: %v", err)
	}
}
