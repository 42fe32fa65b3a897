package postgres

import "github.com/wharf-project/wharf/internal/store"

type roles struct{ *tx }

const roleSelect = `
	SELECT a.id, p.name, r.id, r.path, r.assume_role_policy, r.description, r.max_session_duration,
		r.permissions_boundary, r.tags, r.created_at, r.last_used_at, r.last_used_region
	FROM roles r
	JOIN principals p ON p.pk = r.pk
	JOIN accounts a ON a.pk = p.account_pk`

func scanRole(s scanner) (store.Role, error) {
	var r store.Role
	err := s.Scan(&r.AccountID, &r.Name, &r.ID, &r.Path, &r.AssumeRolePolicy, &r.Description,
		&r.MaxSessionDuration, &r.PermissionsBoundary, jsonTags{&r.Tags},
		nullTime{&r.CreatedAt}, nullTime{&r.LastUsedAt}, &r.LastUsedRegion)
	return r, err
}

func (t roles) Create(r store.Role) error {
	return wrap(t.atomic(func() error { return t.create(r) }), "create role %s/%s", r.AccountID, r.Name)
}

func (t roles) create(r store.Role) error {
	tags, err := dbTags(r.Tags)
	if err != nil {
		return err
	}
	pk, err := t.createPrincipal(r.AccountID, store.KindRole, r.Name)
	if err != nil {
		return err
	}
	_, err = t.exec(`
		INSERT INTO roles (pk, id, path, assume_role_policy, description, max_session_duration,
			permissions_boundary, tags, created_at, last_used_at, last_used_region)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		pk, r.ID, r.Path, r.AssumeRolePolicy, r.Description, r.MaxSessionDuration,
		r.PermissionsBoundary, tags, dbTime(r.CreatedAt), dbTime(r.LastUsedAt), r.LastUsedRegion)
	return err
}

func (t roles) Get(account, name string) (store.Role, error) {
	r, err := scanRole(t.queryRow(roleSelect+` WHERE a.id = $1 AND p.kind = 'role' AND lower(p.name) = $2`, account, fold(name)))
	return r, wrap(err, "get role %s/%s", account, name)
}

func (t roles) List(account, pathPrefix string, p store.Page) ([]store.Role, bool, error) {
	q, args := principalPage(roleSelect+` WHERE p.account_pk = (SELECT pk FROM accounts WHERE id = $1) AND p.kind = 'role' AND starts_with(r.path, $2)`, p, account, pathPrefix)
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, false, wrap(err, "list roles %s", account)
	}
	rs, more, err := collect(rows, pageSize(p), scanRole)
	return rs, more, wrap(err, "list roles %s", account)
}

func (t roles) Update(oldName string, r store.Role) error {
	return wrap(t.atomic(func() error { return t.update(oldName, r) }), "update role %s/%s", r.AccountID, oldName)
}

func (t roles) update(oldName string, r store.Role) error {
	tags, err := dbTags(r.Tags)
	if err != nil {
		return err
	}
	pk, err := t.renamePrincipal(r.AccountID, store.KindRole, oldName, r.Name)
	if err != nil {
		return err
	}
	_, err = t.exec(`
		UPDATE roles SET id = $1, path = $2, assume_role_policy = $3, description = $4,
			max_session_duration = $5, permissions_boundary = $6, tags = $7, created_at = $8,
			last_used_at = $9, last_used_region = $10
		WHERE pk = $11`,
		r.ID, r.Path, r.AssumeRolePolicy, r.Description, r.MaxSessionDuration,
		r.PermissionsBoundary, tags, dbTime(r.CreatedAt), dbTime(r.LastUsedAt), r.LastUsedRegion, pk)
	return err
}

func (t roles) Delete(account, name string) error {
	return wrap(t.deletePrincipal(account, store.KindRole, name), "delete role %s/%s", account, name)
}
