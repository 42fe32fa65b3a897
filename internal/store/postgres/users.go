package postgres

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
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		pk, u.ID, u.Path, u.PermissionsBoundary, tags, dbTime(u.CreatedAt),
		u.PasswordHash, dbTime(u.PasswordCreatedAt), u.PasswordResetNeeded, dbTime(u.PasswordLastUsed))
	return err
}

func (t users) Get(account, name string) (store.User, error) {
	u, err := scanUser(t.queryRow(userSelect+` WHERE a.id = $1 AND p.kind = 'user' AND lower(p.name) = $2`, account, fold(name)))
	return u, wrap(err, "get user %s/%s", account, name)
}

func (t users) GetByID(account, id string) (store.User, error) {
	u, err := scanUser(t.queryRow(userSelect+` WHERE a.id = $1 AND u.id = $2`, account, id))
	return u, wrap(err, "get user %s/id %s", account, id)
}

func (t users) List(account, pathPrefix string, p store.Page) ([]store.User, bool, error) {
	q, args := usersPage(account, pathPrefix, p)
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, false, wrap(err, "list users %s", account)
	}
	us, more, err := collect(rows, pageSize(p), scanUser)
	return us, more, wrap(err, "list users %s", account)
}

// usersPage is the query of a page of users and its arguments. The account
// is a subquery, not a join: so the planner knows that principals_name,
// (account_pk, kind, lower(name)), lists its users in order.
func usersPage(account, pathPrefix string, p store.Page) (string, []any) {
	return principalPage(userSelect+`
		WHERE p.account_pk = (SELECT pk FROM accounts WHERE id = $1) AND p.kind = 'user'
		AND starts_with(u.path, $2)`, p, account, pathPrefix)
}

// principalPage completes a listing of principals by name, sel (ending in a
// WHERE clause using the parameters args), with the marker's condition when
// there is one, the order and the limit; it returns the query and all its
// arguments. A page is a range of the index principals_name.
func principalPage(sel string, p store.Page, args ...any) (string, []any) {
	if p.Marker != "" {
		args = append(args, fold(p.Marker))
		sel += ` AND lower(p.name) > $` + itoa(len(args))
	}
	args = append(args, pageSize(p)+1)
	return sel + ` ORDER BY lower(p.name) LIMIT $` + itoa(len(args)), args
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
		UPDATE users SET id = $1, path = $2, permissions_boundary = $3, tags = $4, created_at = $5,
			password_hash = $6, password_created_at = $7, password_reset_needed = $8, password_last_used = $9
		WHERE pk = $10`,
		u.ID, u.Path, u.PermissionsBoundary, tags, dbTime(u.CreatedAt),
		u.PasswordHash, dbTime(u.PasswordCreatedAt), u.PasswordResetNeeded, dbTime(u.PasswordLastUsed), pk)
	return err
}

func (t users) Delete(account, name string) error {
	return wrap(t.deletePrincipal(account, store.KindUser, name), "delete user %s/%s", account, name)
}
