package iam

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
)

// NewAccessKey is a created access key: the only time its secret is shown.
type NewAccessKey struct {
	store.AccessKey
	Secret string
}

// keyOwner resolves the user an access-key operation is about: the named
// user, or, when none is named, the signing user (root when root signs).
func keyOwner(call *authz.Call, userName string) string {
	if userName != "" {
		return userName
	}
	return call.Subject.Caller.UserName
}

// CreateAccessKey creates an access key for a user (or for the root user when
// root calls without a user name).
func (s *Service) CreateAccessKey(ctx context.Context, call *authz.Call, userName string) (NewAccessKey, error) {
	owner := keyOwner(call, userName)
	secret, err := secrets.NewSecretKey()
	if err != nil {
		return NewAccessKey{}, err
	}
	k := store.AccessKey{ID: newID("AKIA"), AccountID: account(call), UserName: owner, Status: store.KeyActive, CreatedAt: s.now().UTC()}
	k.SecretCiphertext, err = s.box.Seal([]byte(secret), []byte(k.ID))
	if err != nil {
		return NewAccessKey{}, err
	}
	err = s.tx(ctx, func(tx store.Tx) error {
		resource := s.rootARN(k.AccountID)
		if owner != "" {
			u, err := tx.Users().Get(k.AccountID, owner)
			if err != nil {
				return notFound(err, "user", owner)
			}
			k.UserName = u.Name
			resource = s.UserARN(u)
		} else if call.Subject.Caller.RoleARN != "" {
			return errs.Coded(errs.Invalid, "ValidationError", "Must specify userName when calling with non-User credentials")
		}
		if err := s.authorize(tx, call, "iam:CreateAccessKey", resource); err != nil {
			return err
		}
		keys, err := tx.AccessKeys().ListForUser(k.AccountID, k.UserName)
		if err != nil {
			return err
		}
		if len(keys) >= maxAccessKeysPerUser {
			return errs.Coded(errs.LimitExceeded, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeysPerUser)
		}
		return tx.AccessKeys().Create(k)
	})
	return NewAccessKey{AccessKey: k, Secret: secret}, err
}

// resolveKey loads a key and checks it belongs to the named (or calling) user.
func (s *Service) resolveKey(tx store.Tx, call *authz.Call, userName, keyID, action string) (store.AccessKey, error) {
	owner := keyOwner(call, userName)
	k, err := tx.AccessKeys().Get(keyID)
	if err != nil || k.AccountID != account(call) || (owner != "" && !strings.EqualFold(k.UserName, owner)) || (owner == "" && k.UserName != "") {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return k, err
		}
		return k, errs.Coded(errs.NotFound, "NoSuchEntity", "The Access Key with id %s cannot be found.", keyID)
	}
	resource := s.rootARN(k.AccountID)
	if k.UserName != "" {
		u, err := tx.Users().Get(k.AccountID, k.UserName)
		if err != nil {
			return k, notFound(err, "user", k.UserName)
		}
		resource = s.UserARN(u)
	}
	return k, s.authorize(tx, call, action, resource)
}

// ListAccessKeys lists a user's keys (without secrets).
func (s *Service) ListAccessKeys(ctx context.Context, call *authz.Call, userName string) ([]store.AccessKey, string, error) {
	owner := keyOwner(call, userName)
	var keys []store.AccessKey
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		resource := s.rootARN(account(call))
		if owner != "" {
			u, err := tx.Users().Get(account(call), owner)
			if err != nil {
				return notFound(err, "user", owner)
			}
			owner = u.Name
			resource = s.UserARN(u)
		}
		if err := s.authorize(tx, call, "iam:ListAccessKeys", resource); err != nil {
			return err
		}
		var err error
		keys, err = tx.AccessKeys().ListForUser(account(call), owner)
		return err
	})
	return keys, owner, err
}

// UpdateAccessKey activates or deactivates a key; the change takes effect on
// the next request signed with it.
func (s *Service) UpdateAccessKey(ctx context.Context, call *authz.Call, userName, keyID, status string) error {
	st := store.KeyStatus(status)
	if st != store.KeyActive && st != store.KeyInactive {
		return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	return s.tx(ctx, func(tx store.Tx) error {
		if _, err := s.resolveKey(tx, call, userName, keyID, "iam:UpdateAccessKey"); err != nil {
			return err
		}
		return tx.AccessKeys().SetStatus(keyID, st)
	})
}

// DeleteAccessKey deletes a key.
func (s *Service) DeleteAccessKey(ctx context.Context, call *authz.Call, userName, keyID string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		if _, err := s.resolveKey(tx, call, userName, keyID, "iam:DeleteAccessKey"); err != nil {
			return err
		}
		return tx.AccessKeys().Delete(keyID)
	})
}

// GetAccessKeyLastUsed tells when and where a key was last used.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, call *authz.Call, keyID string) (store.AccessKey, error) {
	var k store.AccessKey
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		var err error
		k, err = tx.AccessKeys().Get(keyID)
		if err != nil || k.AccountID != account(call) {
			return errs.Coded(errs.Denied, "AccessDenied", "User: %s is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key %s", call.Subject.Caller.ARN, keyID)
		}
		resource := s.rootARN(k.AccountID)
		if k.UserName != "" {
			u, err := tx.Users().Get(k.AccountID, k.UserName)
			if err != nil {
				return notFound(err, "user", k.UserName)
			}
			resource = s.UserARN(u)
		}
		return s.authorize(tx, call, "iam:GetAccessKeyLastUsed", resource)
	})
	return k, err
}

// Credential is what authentication needs to know about an access key.
type Credential struct {
	Key    store.AccessKey
	Secret string
	User   store.User // zero for the root user
}

// LookupAccessKey returns an active key and its secret, for SigV4
// verification. Unknown, inactive and undecryptable keys are all
// InvalidClientTokenId, as AWS answers.
func (s *Service) LookupAccessKey(ctx context.Context, keyID string) (Credential, error) {
	var c Credential
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		k, err := tx.AccessKeys().Get(keyID)
		if errors.Is(err, store.ErrNotFound) {
			return invalidKey()
		}
		if err != nil {
			return err
		}
		if k.Status != store.KeyActive {
			return invalidKey()
		}
		secret, err := s.box.Open(k.SecretCiphertext, []byte(k.ID))
		if err != nil {
			return &errs.Error{Kind: errs.Internal, Message: "an access key's secret does not decrypt: is the secret key file the one the data was written with?", Err: err}
		}
		c.Key, c.Secret = k, string(secret)
		if k.UserName != "" {
			if c.User, err = tx.Users().Get(k.AccountID, k.UserName); err != nil {
				return invalidKey()
			}
		}
		return nil
	})
	return c, err
}

func invalidKey() error {
	return errs.Coded(errs.Unauthenticated, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

// RecordKeyUse notes a key's last use (best effort: the request already succeeded).
func (s *Service) RecordKeyUse(ctx context.Context, keyID, service, region string, at time.Time) error {
	return s.tx(ctx, func(tx store.Tx) error {
		return tx.AccessKeys().RecordUse(keyID, at.UTC(), service, region)
	})
}
