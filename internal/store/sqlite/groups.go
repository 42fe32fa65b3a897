package sqlite

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
	_, err = t.exec(`INSERT INTO groups (pk, id, path, created_at) VALUES (?, ?, ?, ?)`,
		pk, g.ID, g.Path, dbTime(g.CreatedAt))
	return err
}

func (t groups) Get(account, name string) (store.Group, error) {
	g, err := scanGroup(t.queryRow(groupSelect+` WHERE a.id = ? AND p.kind = 'group' AND p.name = ?`, account, name))
	return g, wrap(err, "get group %s/%s", account, name)
}

func (t groups) List(account, pathPrefix string, p store.Page) ([]store.Group, bool, error) {
	n := pageSize(p)
	rows, err := t.query(groupSelect+`
		WHERE a.id = ? AND p.kind = 'group'
		AND substr(g.path, 1, length(?)) = ?
		AND (? = '' OR p.name > ?)
		ORDER BY p.name LIMIT ?`,
		account, pathPrefix, pathPrefix, p.Marker, p.Marker, n+1)
	if err != nil {
		return nil, false, wrap(err, "list groups %s", account)
	}
	gs, more, err := collect(rows, n, scanGroup)
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
	_, err = t.exec(`UPDATE groups SET id = ?, path = ?, created_at = ? WHERE pk = ?`,
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

func (t groups) AddMember(account, group, user string) error {
	gpk, upk, err := t.member(account, group, user)
	if err == nil {
		_, err = t.exec(`INSERT INTO group_members (group_pk, user_pk) VALUES (?, ?) ON CONFLICT DO NOTHING`, gpk, upk)
	}
	return wrap(err, "add user %s to group %s/%s", user, account, group)
}

func (t groups) RemoveMember(account, group, user string) error {
	gpk, upk, err := t.member(account, group, user)
	if err == nil {
		err = affected(t.exec(`DELETE FROM group_members WHERE group_pk = ? AND user_pk = ?`, gpk, upk))
	}
	return wrap(err, "remove user %s from group %s/%s", user, account, group)
}

func (t groups) Members(account, group string, p store.Page) ([]store.User, bool, error) {
	gpk, err := t.principalPK(account, store.KindGroup, group)
	if err != nil {
		return nil, false, wrap(err, "list members of group %s/%s", account, group)
	}
	n := pageSize(p)
	rows, err := t.query(userSelect+`
		JOIN group_members m ON m.user_pk = u.pk
		WHERE m.group_pk = ? AND (? = '' OR p.name > ?)
		ORDER BY p.name LIMIT ?`,
		gpk, p.Marker, p.Marker, n+1)
	if err != nil {
		return nil, false, wrap(err, "list members of group %s/%s", account, group)
	}
	us, more, err := collect(rows, n, scanUser)
	return us, more, wrap(err, "list members of group %s/%s", account, group)
}

func (t groups) GroupsForUser(account, user string, p store.Page) ([]store.Group, bool, error) {
	upk, err := t.principalPK(account, store.KindUser, user)
	if err != nil {
		return nil, false, wrap(err, "list groups of user %s/%s", account, user)
	}
	n := pageSize(p)
	rows, err := t.query(groupSelect+`
		JOIN group_members m ON m.group_pk = g.pk
		WHERE m.user_pk = ? AND (? = '' OR p.name > ?)
		ORDER BY p.name LIMIT ?`,
		upk, p.Marker, p.Marker, n+1)
	if err != nil {
		return nil, false, wrap(err, "list groups of user %s/%s", account, user)
	}
	gs, more, err := collect(rows, n, scanGroup)
	return gs, more, wrap(err, "list groups of user %s/%s", account, user)
}
