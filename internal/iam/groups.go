package iam

import (
	"context"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// GroupARN returns a group's ARN.
func (s *Service) GroupARN(g store.Group) string { return s.arn(g.AccountID, "group", g.Path, g.Name) }

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, call *authz.Call, name, path string) (store.Group, error) {
	if err := validName("group", name, groupNameRE, "groupName"); err != nil {
		return store.Group{}, err
	}
	path, err := validPath(path)
	if err != nil {
		return store.Group{}, err
	}
	g := store.Group{AccountID: account(call), Name: name, ID: newID("AGPA"), Path: path, CreatedAt: s.now().UTC()}
	err = s.tx(ctx, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:CreateGroup", s.GroupARN(g)); err != nil {
			return err
		}
		return alreadyExists(tx.Groups().Create(g), "Group", name)
	})
	return g, err
}

func (s *Service) group(tx store.Tx, call *authz.Call, name, action string) (store.Group, error) {
	g, err := tx.Groups().Get(account(call), name)
	if err != nil {
		return g, notFound(err, "group", name)
	}
	return g, s.authorize(tx, call, action, s.GroupARN(g))
}

// GetGroup returns a group and a page of its members.
func (s *Service) GetGroup(ctx context.Context, call *authz.Call, name string, page Page) (store.Group, []store.User, bool, error) {
	p, err := page.store()
	if err != nil {
		return store.Group{}, nil, false, err
	}
	var g store.Group
	var users []store.User
	var more bool
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		var err error
		if g, err = s.group(tx, call, name, "iam:GetGroup"); err != nil {
			return err
		}
		users, more, err = tx.Groups().Members(g.AccountID, g.Name, p)
		return err
	})
	return g, users, more, err
}

// ListGroups lists groups.
func (s *Service) ListGroups(ctx context.Context, call *authz.Call, pathPrefix string, page Page) ([]store.Group, bool, error) {
	p, err := page.store()
	if err != nil {
		return nil, false, err
	}
	var groups []store.Group
	var more bool
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:ListGroups", s.arn(account(call), "group", "/", "*")); err != nil {
			return err
		}
		groups, more, err = tx.Groups().List(account(call), pathPrefix, p)
		return err
	})
	return groups, more, err
}

// ListGroupsForUser lists the groups a user is in.
func (s *Service) ListGroupsForUser(ctx context.Context, call *authz.Call, user string, page Page) ([]store.Group, bool, error) {
	p, err := page.store()
	if err != nil {
		return nil, false, err
	}
	var groups []store.Group
	var more bool
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		u, err := tx.Users().Get(account(call), user)
		if err != nil {
			return notFound(err, "user", user)
		}
		if err := s.authorize(tx, call, "iam:ListGroupsForUser", s.UserARN(u)); err != nil {
			return err
		}
		groups, more, err = tx.Groups().GroupsForUser(u.AccountID, u.Name, p)
		return err
	})
	return groups, more, err
}

// AddUserToGroup adds a user to a group.
func (s *Service) AddUserToGroup(ctx context.Context, call *authz.Call, group, user string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		g, err := s.group(tx, call, group, "iam:AddUserToGroup")
		if err != nil {
			return err
		}
		u, err := tx.Users().Get(account(call), user)
		if err != nil {
			return notFound(err, "user", user)
		}
		groups, _, err := tx.Groups().GroupsForUser(u.AccountID, u.Name, store.Page{Max: 1000})
		if err != nil {
			return err
		}
		already := false
		for _, x := range groups {
			already = already || x.Name == g.Name
		}
		if !already && len(groups) >= maxGroupsPerUser {
			return errs.Coded(errs.LimitExceeded, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
		}
		return tx.Groups().AddMember(g.AccountID, g.Name, u.Name)
	})
}

// RemoveUserFromGroup removes a user from a group.
func (s *Service) RemoveUserFromGroup(ctx context.Context, call *authz.Call, group, user string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		g, err := s.group(tx, call, group, "iam:RemoveUserFromGroup")
		if err != nil {
			return err
		}
		u, err := tx.Users().Get(account(call), user)
		if err != nil {
			return notFound(err, "user", user)
		}
		return notFound(tx.Groups().RemoveMember(g.AccountID, g.Name, u.Name), "user", user)
	})
}

// DeleteGroup deletes an empty group without policies.
func (s *Service) DeleteGroup(ctx context.Context, call *authz.Call, name string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		g, err := s.group(tx, call, name, "iam:DeleteGroup")
		if err != nil {
			return err
		}
		members, _, err := tx.Groups().Members(g.AccountID, g.Name, store.Page{Max: 1})
		if err != nil {
			return err
		}
		if len(members) > 0 {
			return errs.Coded(errs.Conflict, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
		}
		if err := policiesConflict(tx, store.Entity{AccountID: g.AccountID, Kind: store.KindGroup, Name: g.Name}); err != nil {
			return err
		}
		return tx.Groups().Delete(g.AccountID, g.Name)
	})
}
