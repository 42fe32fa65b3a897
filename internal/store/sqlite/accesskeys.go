package sqlite

import (
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

type accessKeys struct{ *tx }

const keySelect = `
	SELECT k.id, a.id, ifnull(p.name, ''), k.secret_ciphertext, k.status, k.created_at,
		k.last_used_at, k.last_used_service, k.last_used_region
	FROM access_keys k
	JOIN accounts a ON a.pk = k.account_pk
	LEFT JOIN principals p ON p.pk = k.user_pk`

func scanKey(s scanner) (store.AccessKey, error) {
	var k store.AccessKey
	err := s.Scan(&k.ID, &k.AccountID, &k.UserName, &k.SecretCiphertext, &k.Status, nullTime{&k.CreatedAt},
		nullTime{&k.LastUsedAt}, &k.LastUsedService, &k.LastUsedRegion)
	return k, err
}

// owner returns the account pk and the user pk (nil for the root user).
func (t accessKeys) owner(account, user string) (apk int64, upk any, err error) {
	if apk, err = t.accountPK(account); err != nil || user == "" {
		return apk, nil, err
	}
	if upk, err = t.principalPK(account, store.KindUser, user); err != nil {
		return 0, nil, err
	}
	return apk, upk, nil
}

func (t accessKeys) Create(k store.AccessKey) error {
	apk, upk, err := t.owner(k.AccountID, k.UserName)
	if err == nil {
		secret := k.SecretCiphertext
		if secret == nil {
			secret = []byte{} // NOT NULL; reads back as empty
		}
		_, err = t.exec(`
			INSERT INTO access_keys (id, account_pk, user_pk, secret_ciphertext, status, created_at,
				last_used_at, last_used_service, last_used_region)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, apk, upk, secret, string(k.Status), dbTime(k.CreatedAt),
			dbTime(k.LastUsedAt), k.LastUsedService, k.LastUsedRegion)
	}
	// The key ID is not secret; the secret never enters an error.
	return wrap(err, "create access key %s", k.ID)
}

func (t accessKeys) Get(id string) (store.AccessKey, error) {
	k, err := scanKey(t.queryRow(keySelect+` WHERE k.id = ?`, id))
	return k, wrap(err, "get access key %s", id)
}

func (t accessKeys) ListForUser(account, user string) ([]store.AccessKey, error) {
	apk, upk, err := t.owner(account, user)
	if err != nil {
		return nil, wrap(err, "list access keys of %s/%s", account, user)
	}
	rows, err := t.query(keySelect+`
		WHERE k.account_pk = ? AND k.user_pk IS ?
		ORDER BY k.created_at, k.pk`, apk, upk)
	if err != nil {
		return nil, wrap(err, "list access keys of %s/%s", account, user)
	}
	ks, err := all(rows, scanKey)
	return ks, wrap(err, "list access keys of %s/%s", account, user)
}

func (t accessKeys) SetStatus(id string, s store.KeyStatus) error {
	err := affected(t.exec(`UPDATE access_keys SET status = ? WHERE id = ?`, string(s), id))
	return wrap(err, "set status of access key %s", id)
}

func (t accessKeys) RecordUse(id string, at time.Time, service, region string) error {
	err := affected(t.exec(`
		UPDATE access_keys SET last_used_at = ?, last_used_service = ?, last_used_region = ?
		WHERE id = ?`, dbTime(at), service, region, id))
	return wrap(err, "record use of access key %s", id)
}

func (t accessKeys) Delete(id string) error {
	err := affected(t.exec(`DELETE FROM access_keys WHERE id = ?`, id))
	return wrap(err, "delete access key %s", id)
}
