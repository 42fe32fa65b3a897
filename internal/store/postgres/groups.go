package postgres

import "github.com/wharf-project/wharf/internal/store"

type groups struct{ *tx }

const groupSelect = `
	SELECT a.id, p.name, g.id, g.path, g.created_at
	FROM groups g
	JOIN principals p ON p.pk = g.pk
	JOIN accounts a ON a.pk = p.account_pk`

func scanGroup(s scanner) (store.Group, error) {
	var g store.Group
	err := s.Scan(&g.AccountID, &g.Name, &g.ID, &g.Path, nullTime{&g.CreatedAt})
	return g, err
}

func (t groups) Create(g store.Group) error {
	return wrap(t.atomic(func() error { return t.create(g) }), "create group %s/%s", g.AccountID, g.Name)
}

func (t groups) create(g store.Group) error {
	pk, err := t.createPrincipal(g.AccountID, store.KindGroup, g.Name)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO groups (pk, id, path, created_at) VALUES ($1, $2, $3, $4)`,
		pk, g.ID, g.Path, dbTime(g.CreatedAt))
	return err
}

func (t groups) Get(account, name string) (store.Group, error) {
	g, err := scanGroup(t.queryRow(groupSelect+` WHERE a.id = $1 AND p.kind = 'group' AND lower(p.name) = $2`, account, fold(name)))
	return g, wrap(err, "get group %s/%s", account, name)
}

func (t groups) List(account, pathPrefix string, p store.Page) ([]store.Group, bool, error) {
	q, args := principalPage(groupSelect+` WHERE p.account_pk = (SELECT pk FROM accounts WHERE id = $1) AND p.kind = 'group' AND starts_with(g.path, $2)`, p, account, pathPrefix)
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, false, wrap(err, "list groups %s", account)
	}
	gs, more, err := collect(rows, pageSize(p), scanGroup)
	return gs, more, wrap(err, "list groups %s", account)
}

func (t groups) Update(oldName string, g store.Group) error {
	return wrap(t.atomic(func() error { return t.update(oldName, g) }), "update group %s/%s", g.AccountID, oldName)
}

func (t groups) update(oldName string, g store.Group) error {
	pk, err := t.renamePrincipal(g.AccountID, store.KindGroup, oldName, g.Name)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE groups SET id = $1, path = $2, created_at = $3 WHERE pk = $4`,
		g.ID, g.Path, dbTime(g.CreatedAt), pk)
	return err
}

func (t groups) Delete(account, name string) error {
	return wrap(t.deletePrincipal(account, store.KindGroup, name), "delete group %s/%s", account, name)
}

// member returns the pks of a group and a user of account.
func (t groups) member(account, group, user string) (gpk, upk int64, err error) {
	if gpk, err = t.principalPK(account, store.KindGroup, group); err != nil {
		return 0, 0, err
	}
	if upk, err = t.principalPK(account, store.KindUser, user); err != nil {
		return 0, 0, err
	}
	return gpk, upk, nil
}

// AddMember needs no savepoint: with both rows found, the insert cannot fail
// but by a serialization failure, after which the transaction runs again.
func (t groups) AddMember(account, group, user string) error {
	gpk, upk, err := t.member(account, group, user)
	if err == nil {
		_, err = t.exec(`INSERT INTO group_members (group_pk, user_pk) VALUES ($1, $2) ON CONFLICT DO NOTHING`, gpk, upk)
	}
	return wrap(err, "add user %s to group %s/%s", user, account, group)
}

func (t groups) RemoveMember(account, group, user string) error {
	gpk, upk, err := t.member(account, group, user)
	if err == nil {
		err = affected(t.exec(`DELETE FROM group_members WHERE group_pk = $1 AND user_pk = $2`, gpk, upk))
	}
	return wrap(err, "remove user %s from group %s/%s", user, account, group)
}

func (t groups) Members(account, group string, p store.Page) ([]store.User, bool, error) {
	gpk, err := t.principalPK(account, store.KindGroup, group)
	if err != nil {
		return nil, false, wrap(err, "list members of group %s/%s", account, group)
	}
	q, args := principalPage(userSelect+`
		JOIN group_members m ON m.user_pk = u.pk
		WHERE m.group_pk = $1`, p, gpk)
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, false, wrap(err, "list members of group %s/%s", account, group)
	}
	us, more, err := collect(rows, pageSize(p), scanUser)
	return us, more, wrap(err, "list members of group %s/%s", account, group)
}

func (t groups) GroupsForUser(account, user string, p store.Page) ([]store.Group, bool, error) {
	upk, err := t.principalPK(account, store.KindUser, user)
	if err != nil {
		return nil, false, wrap(err, "list groups of user %s/%s", account, user)
	}
	q, args := principalPage(groupSelect+`
		JOIN group_members m ON m.group_pk = g.pk
		WHERE m.user_pk = $1`, p, upk)
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, false, wrap(err, "list groups of user %s/%s", account, user)
	}
	gs, more, err := collect(rows, pageSize(p), scanGroup)
	return gs, more, wrap(err, "list groups of user %s/%s", account, user)
}
