package iam

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/arn"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
)

// awsManaged holds the published documents of the AWS-managed policies Wharf
// preloads, one file each, with the page each was copied from.
//
//go:embed awsmanaged/*.json
var awsManaged embed.FS

type managedFile struct {
	Name             string          `json:"name"`
	Path             string          `json:"path"`
	Description      string          `json:"description"`
	CreateDate       time.Time       `json:"createDate"`
	UpdateDate       time.Time       `json:"updateDate"`
	DefaultVersionID string          `json:"defaultVersionId"`
	Source           string          `json:"source"`
	Document         json.RawMessage `json:"document"`
}

// EnsureAWSManaged stores the AWS-managed policies that are missing.
func (s *Service) EnsureAWSManaged(ctx context.Context) error {
	entries, err := awsManaged.ReadDir("awsmanaged")
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		for _, e := range entries {
			b, err := awsManaged.ReadFile(path.Join("awsmanaged", e.Name()))
			if err != nil {
				return err
			}
			var f managedFile
			if err := json.Unmarshal(b, &f); err != nil {
				return fmt.Errorf("%s: %w", e.Name(), err)
			}
			if _, err := policy.Parse(f.Document, policy.IdentityPolicy); err != nil {
				return fmt.Errorf("AWS-managed policy %s does not parse: %w", f.Name, err)
			}
			if f.Path == "" {
				f.Path = "/"
			}
			if f.DefaultVersionID == "" {
				f.DefaultVersionID = "v1"
			}
			p := store.ManagedPolicy{AccountID: "aws", Name: f.Name, ID: "ANPA" + awsManagedID(f.Name), Path: f.Path,
				ARN: "arn:" + s.partition + ":iam::aws:policy" + f.Path + f.Name, Description: f.Description,
				DefaultVersionID: f.DefaultVersionID, CreatedAt: f.CreateDate, UpdatedAt: f.UpdateDate, NextVersion: 2}
			if _, err := tx.Policies().Get(p.ARN); err == nil {
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			v := store.PolicyVersion{PolicyARN: p.ARN, VersionID: f.DefaultVersionID, Document: string(f.Document), CreatedAt: f.UpdateDate}
			if err := tx.Policies().Create(p, v); errors.Is(err, store.ErrAlreadyExists) {
				// Another replica starting at the same moment stored it
				// first (PostgreSQL reports that as a unique violation
				// rather than a serialization failure).
				continue
			} else if err != nil {
				return err
			}
		}
		return nil
	})
}

// awsManagedID makes a stable ID for an AWS-managed policy, the same on every replica.
func awsManagedID(name string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var h uint64 = 14695981039346656037
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	out := make([]byte, 17)
	for i := range out {
		out[i] = alphabet[h%32]
		h = h/32 ^ uint64(i)*0x9E3779B97F4A7C15
	}
	return string(out)
}

// RootKey is an account's root access key, as bootstrap made or was given it.
type RootKey struct {
	AccessKeyID     string
	SecretAccessKey string
}

// NewRootPassword makes a random root console password that meets the
// account's password policy (it has all four kinds of characters).
func NewRootPassword() (string, error) {
	s, err := secrets.NewSecretKey() // 40 base64 characters
	if err != nil {
		return "", err
	}
	return "Wh4rf!" + strings.NewReplacer("/", "", "+", "").Replace(s)[:24], nil
}

// SetRootPassword sets the root user's console password, checked against the
// account's password policy. It is an operator's action (wharf serve's
// bootstrap, wharf admin), not an API call: AWS has no API for it either.
func (s *Service) SetRootPassword(ctx context.Context, accountID, password string) error {
	if err := checkPasswordShape(password); err != nil {
		return err
	}
	var acct store.Account
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		var err error
		acct, err = tx.Accounts().Get(accountID)
		return err
	})
	if err != nil {
		return notFound(err, "account", accountID)
	}
	if err := checkPasswordPolicy(password, "root", acct); err != nil {
		return err
	}
	hash, err := secrets.HashPassword(password)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().SetRootPassword(accountID, hash); err != nil {
			return err
		}
		// A new password signs the root user out everywhere.
		_, err := tx.ConsoleSessions().DeleteForUser(accountID, "")
		return err
	})
}

// EnsureRootPassword gives the account's root user a console password when it
// has none: preset when not "", else a random one. It returns the password it
// set, or "" when the root user had one already.
func (s *Service) EnsureRootPassword(ctx context.Context, accountID, preset string) (string, error) {
	var has bool
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		a, err := tx.Accounts().Get(accountID)
		has = a.RootPasswordHash != ""
		return err
	})
	if err != nil || has {
		return "", err
	}
	pw := preset
	if pw == "" {
		if pw, err = NewRootPassword(); err != nil {
			return "", err
		}
	}
	return pw, s.SetRootPassword(ctx, accountID, pw)
}

// BootstrapAccount creates an account and its root access key when the
// account does not exist yet. preset, when not zero, is used as the root key
// (WHARF_ROOT_ACCESS_KEY_ID / WHARF_ROOT_SECRET_ACCESS_KEY). created is false
// when the account already existed; then nothing is changed and key is zero.
func (s *Service) BootstrapAccount(ctx context.Context, accountID string, preset RootKey) (key RootKey, created bool, err error) {
	if !arn.IsAccountID(accountID) {
		return key, false, errs.E(errs.Invalid, "account ID %q is not 12 digits", accountID)
	}
	key = preset
	if key.AccessKeyID == "" {
		if key.AccessKeyID, err = secrets.NewID("AKIA"); err != nil {
			return RootKey{}, false, err
		}
		if key.SecretAccessKey, err = secrets.NewSecretKey(); err != nil {
			return RootKey{}, false, err
		}
	}
	if len(key.AccessKeyID) < 16 || len(key.AccessKeyID) > 128 || len(key.SecretAccessKey) < 16 {
		return RootKey{}, false, errs.E(errs.Invalid, "the preset root access key ID must have 16 to 128 characters and its secret at least 16")
	}
	ct, err := s.box.Seal([]byte(key.SecretAccessKey), []byte(key.AccessKeyID))
	if err != nil {
		return RootKey{}, false, err
	}
	now := s.now().UTC()
	err = s.tx(ctx, func(tx store.Tx) error {
		if _, err := tx.Accounts().Get(accountID); err == nil {
			created = false
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		created = true
		if err := tx.Accounts().Create(store.Account{ID: accountID, CreatedAt: now}); err != nil {
			return err
		}
		return tx.AccessKeys().Create(store.AccessKey{ID: key.AccessKeyID, AccountID: accountID, SecretCiphertext: ct, Status: store.KeyActive, CreatedAt: now})
	})
	if err != nil || !created {
		return RootKey{}, created, err
	}
	return key, true, nil
}

// CredentialsCSV renders an access key exactly as the AWS console's
// "Download .csv file" does (NAME_accessKeys.csv): UTF-8 with a byte-order
// mark, CRLF line ends, the header "Access key ID,Secret access key".
// Secrets are base64 and key IDs alphanumeric, so no field needs quoting.
func CredentialsCSV(k RootKey) string {
	return "\ufeffAccess key ID,Secret access key\r\n" + k.AccessKeyID + "," + k.SecretAccessKey + "\r\n"
}
