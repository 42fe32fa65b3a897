package iam

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
)

// LoginProfile is a user's console password as IAM describes it: never the
// password itself, which is kept only as secrets.HashPassword's output.
type LoginProfile struct {
	UserName              string
	CreateDate            time.Time
	PasswordResetRequired bool
}

// CreateLoginProfileInput is CreateLoginProfile's request.
type CreateLoginProfileInput struct {
	UserName              string // "" means the calling user
	Password              string
	PasswordResetRequired bool
}

// UpdateLoginProfileInput is UpdateLoginProfile's request; nil members are
// left as they are.
type UpdateLoginProfileInput struct {
	UserName              string
	Password              *string
	PasswordResetRequired *bool
}

// The account's default password policy (IAM User Guide,
// id_credentials_passwords_account-policy): 8 to 128 characters, at least
// three of uppercase, lowercase, numbers and these symbols, and not identical
// to the account's name. Wharf has no account password policy API yet, so
// the default is the policy in force.
const (
	minPasswordChars = 8
	maxPasswordChars = 128
	passwordSymbols  = "!@#$%^&*()_+-=[]{}|'"
)

// checkPasswordShape applies botocore's passwordType constraints (1 to 128
// characters of [\u0009\u000A\u000D\u0020-\u00FF]). The member is sensitive:
// like AWS, the message does not echo the value.
func checkPasswordShape(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < 1 {
		return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if n > maxPasswordChars {
		return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to %d", maxPasswordChars)
	}
	for _, r := range pw {
		if !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xFF)) {
			return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+")
		}
	}
	return nil
}

// checkPasswordPolicy applies the default password policy.
func checkPasswordPolicy(pw, userName string, acct store.Account) error {
	violation := func(format string, args ...any) error {
		return errs.Coded(errs.Invalid, "PasswordPolicyViolation", format, args...)
	}
	if utf8.RuneCountInString(pw) < minPasswordChars {
		return violation("Password should have a minimum length of %d", minPasswordChars)
	}
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	kinds := 0
	for _, ok := range []bool{upper, lower, digit, symbol} {
		if ok {
			kinds++
		}
	}
	if kinds < 3 {
		return violation("Password should have at least three of the following: uppercase letters, lowercase letters, numbers, and symbols ! @ # $ %% ^ & * ( ) _ + - = [ ] { } | '")
	}
	for _, name := range []string{userName, acct.ID, acct.Alias} {
		if name != "" && strings.EqualFold(pw, name) {
			return violation("Password should not be identical to the user name or the account name")
		}
	}
	return nil
}

// loginProfileOwner resolves the user a login-profile operation is about:
// the named user, or the calling user when none is named.
func loginProfileOwner(call *authz.Call, name string) (string, error) {
	if name == "" {
		if name = call.Subject.Caller.UserName; name == "" {
			return "", errs.Coded(errs.Invalid, "ValidationError", "Must specify userName when calling with non-User credentials")
		}
	}
	if err := validName("user", name, userNameRE, "userName"); err != nil {
		return "", err
	}
	return name, nil
}

func noLoginProfile(name string) error {
	return errs.Coded(errs.NotFound, "NoSuchEntity", "Login Profile for User %s cannot be found.", name)
}

// loginUser loads a user and authorizes action on it.
func (s *Service) loginUser(tx store.Tx, call *authz.Call, name, action string) (store.User, error) {
	u, err := tx.Users().Get(account(call), name)
	if err != nil {
		return u, notFound(err, "user", name)
	}
	return u, s.authorize(tx, call, action, s.UserARN(u))
}

func profileOf(u store.User) LoginProfile {
	return LoginProfile{UserName: u.Name, CreateDate: u.PasswordCreatedAt, PasswordResetRequired: u.PasswordResetNeeded}
}

// CreateLoginProfile gives a user a console password.
func (s *Service) CreateLoginProfile(ctx context.Context, call *authz.Call, in CreateLoginProfileInput) (LoginProfile, error) {
	name, err := loginProfileOwner(call, in.UserName)
	if err != nil {
		return LoginProfile{}, err
	}
	if err := checkPasswordShape(in.Password); err != nil {
		return LoginProfile{}, err
	}
	check := func(tx store.Tx) (store.User, error) {
		u, err := s.loginUser(tx, call, name, "iam:CreateLoginProfile")
		if err != nil {
			return u, err
		}
		if u.PasswordHash != "" {
			return u, errs.Coded(errs.AlreadyExists, "EntityAlreadyExists", "Login Profile for user %s already exists.", u.Name)
		}
		acct, err := tx.Accounts().Get(u.AccountID)
		if err != nil {
			return u, err
		}
		return u, checkPasswordPolicy(in.Password, u.Name, acct)
	}
	// Hashing is deliberately slow: only a request that is allowed and valid pays for it.
	if err := store.View(ctx, s.store, func(tx store.Tx) error { _, err := check(tx); return err }); err != nil {
		return LoginProfile{}, err
	}
	hash, err := secrets.HashPassword(in.Password)
	if err != nil {
		return LoginProfile{}, err
	}
	var lp LoginProfile
	err = s.tx(ctx, func(tx store.Tx) error {
		u, err := check(tx)
		if err != nil {
			return err
		}
		u.PasswordHash, u.PasswordCreatedAt, u.PasswordResetNeeded = hash, s.now().UTC(), in.PasswordResetRequired
		lp = profileOf(u)
		return tx.Users().Update(u.Name, u)
	})
	return lp, err
}

// GetLoginProfile describes a user's login profile.
func (s *Service) GetLoginProfile(ctx context.Context, call *authz.Call, userName string) (LoginProfile, error) {
	name, err := loginProfileOwner(call, userName)
	if err != nil {
		return LoginProfile{}, err
	}
	var lp LoginProfile
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		u, err := s.loginUser(tx, call, name, "iam:GetLoginProfile")
		if err != nil {
			return err
		}
		if u.PasswordHash == "" {
			return noLoginProfile(u.Name)
		}
		lp = profileOf(u)
		return nil
	})
	return lp, err
}

// UpdateLoginProfile changes a user's password or whether it must be reset
// at next sign-in. A new password also becomes the profile's CreateDate (the
// store keeps one timestamp, when the current password was set).
func (s *Service) UpdateLoginProfile(ctx context.Context, call *authz.Call, in UpdateLoginProfileInput) error {
	name, err := loginProfileOwner(call, in.UserName)
	if err != nil {
		return err
	}
	if in.Password != nil {
		if err := checkPasswordShape(*in.Password); err != nil {
			return err
		}
	}
	check := func(tx store.Tx) (store.User, error) {
		u, err := s.loginUser(tx, call, name, "iam:UpdateLoginProfile")
		if err != nil {
			return u, err
		}
		if u.PasswordHash == "" {
			return u, noLoginProfile(u.Name)
		}
		if in.Password != nil {
			acct, err := tx.Accounts().Get(u.AccountID)
			if err != nil {
				return u, err
			}
			return u, checkPasswordPolicy(*in.Password, u.Name, acct)
		}
		return u, nil
	}
	var hash string
	if in.Password != nil {
		if err := store.View(ctx, s.store, func(tx store.Tx) error { _, err := check(tx); return err }); err != nil {
			return err
		}
		if hash, err = secrets.HashPassword(*in.Password); err != nil {
			return err
		}
	}
	return s.tx(ctx, func(tx store.Tx) error {
		u, err := check(tx)
		if err != nil {
			return err
		}
		if in.Password != nil {
			u.PasswordHash, u.PasswordCreatedAt = hash, s.now().UTC()
		}
		if in.PasswordResetRequired != nil {
			u.PasswordResetNeeded = *in.PasswordResetRequired
		}
		return tx.Users().Update(u.Name, u)
	})
}

// DeleteLoginProfile removes a user's console password. When the password
// was last used stays known, as IAM's PasswordLastUsed does.
func (s *Service) DeleteLoginProfile(ctx context.Context, call *authz.Call, userName string) error {
	name, err := loginProfileOwner(call, userName)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		u, err := s.loginUser(tx, call, name, "iam:DeleteLoginProfile")
		if err != nil {
			return err
		}
		if u.PasswordHash == "" {
			return noLoginProfile(u.Name)
		}
		u.PasswordHash, u.PasswordCreatedAt, u.PasswordResetNeeded = "", time.Time{}, false
		if err := tx.Users().Update(u.Name, u); err != nil {
			return err
		}
		// Without a console password the user's console sessions end.
		_, err = tx.ConsoleSessions().DeleteForUser(u.AccountID, u.Name)
		return err
	})
}

// ChangePassword changes the calling IAM user's own console password, as
// IAM's ChangePassword does: the old password must match, the new one must
// meet the password policy, and a pending "reset required" is cleared. The
// root user's password is not changed here (InvalidUserType).
func (s *Service) ChangePassword(ctx context.Context, call *authz.Call, oldPassword, newPassword string) error {
	c := call.Subject.Caller
	if c.UserName == "" || call.Subject.RoleName != "" {
		return errs.Coded(errs.Invalid, "InvalidUserType", "Only IAM users can change their own password with ChangePassword.")
	}
	if err := checkPasswordShape(newPassword); err != nil {
		return err
	}
	check := func(tx store.Tx) (store.User, error) {
		u, err := s.loginUser(tx, call, c.UserName, "iam:ChangePassword")
		if err != nil {
			return u, err
		}
		if u.PasswordHash == "" {
			return u, noLoginProfile(u.Name)
		}
		acct, err := tx.Accounts().Get(u.AccountID)
		if err != nil {
			return u, err
		}
		return u, checkPasswordPolicy(newPassword, u.Name, acct)
	}
	var oldHash string
	if err := store.View(ctx, s.store, func(tx store.Tx) error {
		u, err := check(tx)
		oldHash = u.PasswordHash
		return err
	}); err != nil {
		return err
	}
	if !secrets.CheckPassword(oldHash, oldPassword) {
		return errs.Coded(errs.Denied, "AccessDenied", "The old password is incorrect.")
	}
	hash, err := secrets.HashPassword(newPassword)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		u, err := check(tx)
		if err != nil {
			return err
		}
		if u.PasswordHash != oldHash {
			return errs.Coded(errs.Conflict, "EntityTemporarilyUnmodifiable", "The password of user %s changed while this request ran; try again.", u.Name)
		}
		u.PasswordHash, u.PasswordCreatedAt, u.PasswordResetNeeded = hash, s.now().UTC(), false
		return tx.Users().Update(u.Name, u)
	})
}
