// Package signin is the web console's sign-in service: it checks the
// password of an account's root user or of an IAM user with a login profile,
// keeps console sessions in the store (so that any replica serves them), and
// turns a session back into the authz.Subject that the services authorize,
// exactly as a signed API request is turned into one.
//
// A session is re-checked on every request: it ends when it expires, when
// the user signs out, and when the user or its login profile is deleted or
// replaced (a user deleted and created again under the same name gets a new
// ID, and the old session does not follow the name).
//
// It never reads an HTTP request and never sees a cookie: the console adapter
// hands it the token and gets tokens back.
package signin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/wharf-project/wharf/internal/arn"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
)

// DefaultTTL is how long a console session lasts: the AWS console's default
// session duration for IAM users is 12 hours.
const DefaultTTL = 12 * time.Hour

// Service signs people in and out of the console.
type Service struct {
	store store.Store
	iam   *iam.Service
	now   func() time.Time
	ttl   time.Duration
	// dummyHash is checked when the user does not exist, so that a wrong
	// user name costs as long as a wrong password and does not reveal
	// which names exist. It is made at the first such attempt, not at
	// start-up: a PBKDF2 hash costs a noticeable fraction of a second.
	dummyHash func() (string, error)
}

// New returns the sign-in service. ttl 0 means DefaultTTL.
func New(st store.Store, iamSvc *iam.Service, now func() time.Time, ttl time.Duration) *Service {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	dummy := sync.OnceValues(func() (string, error) { return secrets.HashPassword("not a password anyone has") })
	return &Service{store: st, iam: iamSvc, now: now, ttl: ttl, dummyHash: dummy}
}

// Input is a sign-in attempt.
type Input struct {
	// Account is the 12-digit account ID or the account's registry alias.
	Account string
	// UserName is the IAM user's name; "" signs in as the root user.
	UserName string
	Password string
	// SourceIP is the client's address ("" when unknown: then only the
	// name's failures are counted).
	SourceIP string
}

// Session is a signed-in console session.
type Session struct {
	store.ConsoleSession
	// Token is the secret the browser keeps (only set by SignIn; the store
	// has its hash).
	Token   string
	Account store.Account
	// Subject is who the session acts as.
	Subject *authz.Subject
}

// IsRoot reports whether the session is the account's root user.
func (s *Session) IsRoot() bool { return s.UserName == "" }

// DisplayName is how the console names the signed-in principal.
func (s *Session) DisplayName() string {
	if s.IsRoot() {
		return "root"
	}
	return s.UserName
}

// errSignIn is the one answer to every failed sign-in, so that the response
// tells nothing about which part was wrong.
func errSignIn() error {
	return errs.Coded(errs.Unauthenticated, "SignInFailed", "Your authentication information is incorrect. Please try again.")
}

// errSignedOut is the answer for a session that is gone.
func errSignedOut() error {
	return errs.Coded(errs.Unauthenticated, "SessionExpired", "Your session has ended. Sign in again.")
}

// SignIn checks a password and opens a session.
func (s *Service) SignIn(ctx context.Context, in Input) (Session, error) {
	var acct store.Account
	var user store.User
	var failures, addrFailures store.SignInFailureCount
	var keys []string // the counts a failure adds to: the name's, then the address's
	hash := ""
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		var err error
		switch {
		case arn.IsAccountID(in.Account):
			acct, err = tx.Accounts().Get(in.Account)
		case in.Account != "":
			acct, err = tx.Accounts().GetByAlias(strings.ToLower(in.Account))
		default:
			err = store.ErrNotFound
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// The ID and the alias of one account count as one.
		who := in.Account
		if err == nil {
			who = acct.ID
		} else {
			acct = store.Account{}
		}
		keys = append(keys[:0], throttleKey(who, in.UserName))
		if failures, err = failureCount(tx, keys[0]); err != nil {
			return err
		}
		if in.SourceIP != "" {
			keys = append(keys, addressKey(in.SourceIP))
			if addrFailures, err = failureCount(tx, keys[1]); err != nil {
				return err
			}
		}
		switch {
		case acct.ID == "":
		case in.UserName == "":
			hash = acct.RootPasswordHash
		default:
			user, err = tx.Users().Get(acct.ID, in.UserName)
			if errors.Is(err, store.ErrNotFound) {
				user = store.User{}
				return nil
			}
			hash = user.PasswordHash
			return err
		}
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	if left := blockedFor(failures, maxFailures, s.now()); left > 0 {
		return Session{}, errs.Coded(errs.LimitExceeded, "Throttling", "Too many failed sign-in attempts for this user. Try again in %d minutes.", int(left/time.Minute)+1)
	}
	if left := blockedFor(addrFailures, maxAddressFailures, s.now()); left > 0 {
		return Session{}, errs.Coded(errs.LimitExceeded, "Throttling", "Too many failed sign-in attempts from your address. Try again in %d minutes.", int(left/time.Minute)+1)
	}
	if hash == "" {
		if h, err := s.dummyHash(); err == nil {
			secrets.CheckPassword(h, in.Password)
		}
		if err := s.recordFailure(ctx, keys...); err != nil {
			return Session{}, err
		}
		return Session{}, errSignIn()
	}
	if !secrets.CheckPassword(hash, in.Password) {
		if err := s.recordFailure(ctx, keys...); err != nil {
			return Session{}, err
		}
		return Session{}, errSignIn()
	}
	token, csrf := secrets.NewToken(), secrets.NewToken()
	now := s.now().UTC()
	cs := store.ConsoleSession{ID: tokenID(token), AccountID: acct.ID, UserName: user.Name, UserID: user.ID,
		CSRFToken: csrf, PasswordResetRequired: in.UserName != "" && user.PasswordResetNeeded,
		CreatedAt: now, ExpiresAt: now.Add(s.ttl)}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		// A success forgets the name's earlier failures.
		if err := tx.SignInFailures().Delete(keys[0]); err != nil {
			return err
		}
		if err := tx.ConsoleSessions().Create(cs); err != nil {
			return err
		}
		if in.UserName != "" {
			// The console password's last use is the credential report's
			// password_last_used and GetUser's PasswordLastUsed.
			u, err := tx.Users().Get(acct.ID, user.Name)
			if err != nil {
				return err
			}
			u.PasswordLastUsed = now
			return tx.Users().Update(u.Name, u)
		}
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	sess := Session{ConsoleSession: cs, Token: token, Account: acct, Subject: s.subject(acct, user)}
	return sess, nil
}

// Resolve finds the session of a token and checks that it still stands.
func (s *Service) Resolve(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 100 {
		return Session{}, errSignedOut()
	}
	var sess Session
	gone := false
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		cs, err := tx.ConsoleSessions().Get(tokenID(token))
		if err != nil {
			return err
		}
		sess.ConsoleSession = cs
		if !s.now().Before(cs.ExpiresAt) {
			gone = true
			return nil
		}
		if sess.Account, err = tx.Accounts().Get(cs.AccountID); err != nil {
			return err
		}
		if cs.UserName == "" {
			if sess.Account.RootPasswordHash == "" {
				gone = true
			}
			sess.Subject = s.subject(sess.Account, store.User{})
			return nil
		}
		u, err := tx.Users().Get(cs.AccountID, cs.UserName)
		if err != nil {
			return err
		}
		if u.ID != cs.UserID || u.PasswordHash == "" {
			gone = true
			return nil
		}
		sess.Subject = s.subject(sess.Account, u)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		gone = true
	} else if err != nil {
		return Session{}, err
	}
	if gone {
		if sess.ID != "" {
			_ = s.store.Tx(ctx, func(tx store.Tx) error { return ignoreNotFound(tx.ConsoleSessions().Delete(sess.ID)) })
		}
		return Session{}, errSignedOut()
	}
	sess.Token = token
	return sess, nil
}

// SignOut ends a session. Signing out of a session that is already gone is
// not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.Tx(ctx, func(tx store.Tx) error { return ignoreNotFound(tx.ConsoleSessions().Delete(tokenID(token))) })
}

// ChangePassword changes the signed-in IAM user's password (iam:ChangePassword,
// authorized as the user) and lifts the session's "reset required" state.
func (s *Service) ChangePassword(ctx context.Context, sess Session, call *authz.Call, oldPassword, newPassword string) error {
	if err := s.iam.ChangePassword(ctx, call, oldPassword, newPassword); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx store.Tx) error { return ignoreNotFound(tx.ConsoleSessions().ClearPasswordReset(sess.ID)) })
}

// Purge removes expired sessions, and the counts of failed sign-ins whose
// window has passed (which throttle no one any more). It returns how many
// sessions it removed.
func (s *Service) Purge(ctx context.Context) (int, error) {
	var n int
	now := s.now()
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		if n, err = tx.ConsoleSessions().DeleteExpired(now); err != nil {
			return err
		}
		_, err = tx.SignInFailures().DeleteBefore(now.Add(-failureWindow))
		return err
	})
	return n, err
}

func (s *Service) subject(acct store.Account, u store.User) *authz.Subject {
	if u.Name == "" {
		return &authz.Subject{Caller: policy.Caller{Kind: policy.CallerRoot, ARN: "arn:aws:iam::" + acct.ID + ":root", Account: acct.ID, UserID: acct.ID}}
	}
	return &authz.Subject{Caller: policy.Caller{Kind: policy.CallerUser, ARN: s.iam.UserARN(u), Account: acct.ID, UserID: u.ID, UserName: u.Name}}
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// tokenID is what the store keeps of a token.
func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
