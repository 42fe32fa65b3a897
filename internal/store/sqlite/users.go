package sqlite

import "github.com/wharf-project/wharf/internal/store"

type users struct{ *tx }

// userSelect reads users with their names and accounts; p is the principal.
const userSelect = `
	SELECT a.id, p.name, u.id, u.path, u.permissions_boundary, u.tags, u.created_at,
		u.password_hash, u.password_created_at, u.password_reset_needed, u.password_last_used
	FROM users u
	JOIN principals p ON p.pk = u.pk
	JOIN accounts a ON a.pk = p.account_pk`

func scanUser(s scanner) (store.User, error) {
	var u store.User
	err := s.Scan(&u.AccountID, &u.Name, &u.ID, &u.Path, &u.PermissionsBoundary, jsonTags{&u.Tags},
		nullTime{&u.CreatedAt}, &u.PasswordHash, nullTime{&u.PasswordCreatedAt},
		&u.PasswordResetNeeded, nullTime{&u.PasswordLastUsed})
	return u, err
}

func (t users) Create(u store.User) error {
	return wrap(t.atomic(func() error { return t.create(u) }), "create user %s/%s", u.AccountID, u.Name)
}

func (t users) create(u store.User) error {
	tags, err := dbTags(u.Tags)
	if err != nil {
		return err
	}
	pk, err := t.createPrincipal(u.AccountID, store.KindUser, u.Name)
	if err != nil {
		return err
	}
	_, err = t.exec(`
		INSERT INTO users (pk, id, path, permissions_boundary, tags, created_at,
			password_hash, password_created_at, password_reset_needed, password_last_used)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		pk, u.ID, u.Path, u.PermissionsBoundary, tags, dbTime(u.CreatedAt),
		u.PasswordHash, dbTime(u.PasswordCreatedAt), u.PasswordResetNeeded, dbTime(u.PasswordLastUsed))
	return err
}

func (t users) Get(account, name string) (store.User, error) {
	u, err := scanUser(t.queryRow(userSelect+` WHERE a.id = ? AND p.kind = 'user' AND p.name = ?`, account, name))
	return u, wrap(err, "get user %s/%s", account, name)
}

func (t users) GetByID(account, id string) (store.User, error) {
	u, err := scanUser(t.queryRow(userSelect+` WHERE a.id = ? AND u.id = ?`, account, id))
	return u, wrap(err, "get user %s/id %s", account, id)
}

func (t users) List(account, pathPrefix string, p store.Page) ([]store.User, bool, error) {
	n := pageSize(p)
	rows, err := t.query(userSelect+`
		WHERE a.id = ? AND p.kind = 'user'
		AND substr(u.path, 1, length(?)) = ?
		AND (? = '' OR p.name > ?)
		ORDER BY p.name LIMIT ?`,
		account, pathPrefix, pathPrefix, p.Marker, p.Marker, n+1)
	if err != nil {
		return nil, false, wrap(err, "list users %s", account)
	}
	us, more, err := collect(rows, n, scanUser)
	return us, more, wrap(err, "list users %s", account)
}

func (t users) Update(oldName string, u store.User) error {
	return wrap(t.atomic(func() error { return t.update(oldName, u) }), "update user %s/%s", u.AccountID, oldName)
}

func (t users) update(oldName string, u store.User) error {
	tags, err := dbTags(u.Tags)
	if err != nil {
		return err
	}
	pk, err := t.renamePrincipal(u.AccountID, store.KindUser, oldName, u.Name)
	if err != nil {
		return err
	}
	_, err = t.exec(`
		UPDATE users SET id = ?, path = ?, permissions_boundary = ?, tags = ?, created_at = ?,
			password_hash = ?, password_created_at = ?, password_reset_needed = ?, password_last_used = ?
		WHERE pk = ?`,
		u.ID, u.Path, u.PermissionsBoundary, tags, dbTime(u.CreatedAt),
		u.PasswordHash, dbTime(u.PasswordCreatedAt), u.PasswordResetNeeded, dbTime(u.PasswordLastUsed), pk)
	return err
}

func (t users) Delete(account, name string) error {
	return wrap(t.deletePrincipal(account, store.KindUser, name), "delete user %s/%s", account, name)
}
