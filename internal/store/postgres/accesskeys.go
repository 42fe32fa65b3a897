package postgres

import (
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

type accessKeys struct{ *tx }

const keySelect = `
	SELECT k.id, a.id, coalesce(p.name, ''), k.secret_ciphertext, k.status, k.created_at,
		k.last_used_at, k.last_used_service, k.last_used_region
	FROM access_keys k
	JOIN accounts a ON a.pk = k.account_pk
	LEFT JOIN principals p ON p.pk = k.user_pk`

func scanKey(s scanner) (store.AccessKey, error) {
	var k store.AccessKey
	var status string
	err := s.Scan(&k.ID, &k.AccountID, &k.UserName, &k.SecretCiphertext, &status, nullTime{&k.CreatedAt},
		nullTime{&k.LastUsedAt}, &k.LastUsedService, &k.LastUsedRegion)
	k.Status = store.KeyStatus(status)
	return k, err
}

// owner returns the account pk and the user pk (nil for the root user).
func (t accessKeys) owner(account, user string) (apk int64, upk *int64, err error) {
	if apk, err = t.accountPK(account); err != nil || user == "" {
		return apk, nil, err
	}
	pk, err := t.principalPK(account, store.KindUser, user)
	if err != nil {
		return 0, nil, err
	}
	return apk, &pk, nil
}

func (t accessKeys) Create(k store.AccessKey) error {
	err := t.atomic(func() error {
		apk, upk, err := t.owner(k.AccountID, k.UserName)
		if err != nil {
			return err
		}
		secret := k.SecretCiphertext
		if secret == nil {
			secret = []byte{} // NOT NULL; reads back as empty
		}
		_, err = t.exec(`
			INSERT INTO access_keys (id, account_pk, user_pk, secret_ciphertext, status, created_at,
				last_used_at, last_used_service, last_used_region)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			k.ID, apk, upk, secret, string(k.Status), dbTime(k.CreatedAt),
			dbTime(k.LastUsedAt), k.LastUsedService, k.LastUsedRegion)
		return err
	})
	// The key ID is not secret; the secret never enters an error (pgx's
	// errors do not quote arguments).
	return wrap(err, "create access key %s", k.ID)
}

func (t accessKeys) Get(id string) (store.AccessKey, error) {
	k, err := scanKey(t.queryRow(keySelect+` WHERE k.id = $1`, id))
	return k, wrap(err, "get access key %s", id)
}

// ListForUser orders keys by creation time (keys without one first, as
// SQLite orders NULL), then by insertion.
func (t accessKeys) ListForUser(account, user string) ([]store.AccessKey, error) {
	apk, upk, err := t.owner(account, user)
	if err != nil {
		return nil, wrap(err, "list access keys of %s/%s", account, user)
	}
	q, args := keySelect+` WHERE k.account_pk = $1 AND k.user_pk IS NULL`, []any{apk}
	if upk != nil {
		q, args = keySelect+` WHERE k.account_pk = $1 AND k.user_pk = $2`, []any{apk, *upk}
	}
	rows, err := t.query(q+` ORDER BY k.created_at NULLS FIRST, k.pk`, args...)
	if err != nil {
		return nil, wrap(err, "list access keys of %s/%s", account, user)
	}
	ks, err := all(rows, scanKey)
	return ks, wrap(err, "list access keys of %s/%s", account, user)
}

func (t accessKeys) SetStatus(id string, s store.KeyStatus) error {
	err := affected(t.exec(`UPDATE access_keys SET status = $1 WHERE id = $2`, string(s), id))
	return wrap(err, "set status of access key %s", id)
}

func (t accessKeys) RecordUse(id string, at time.Time, service, region string) error {
	err := affected(t.exec(`
		UPDATE access_keys SET last_used_at = $1, last_used_service = $2, last_used_region = $3
		WHERE id = $4`, dbTime(at), service, region, id))
	return wrap(err, "record use of access key %s", id)
}

func (t accessKeys) Delete(id string) error {
	err := affected(t.exec(`DELETE FROM access_keys WHERE id = $1`, id))
	return wrap(err, "delete access key %s", id)
}
