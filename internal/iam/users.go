package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// UserARN returns a user's ARN.
func (s *Service) UserARN(u store.User) string { return s.arn(u.AccountID, "user", u.Path, u.Name) }

// CreateUserInput is CreateUser's request.
type CreateUserInput struct {
	UserName            string
	Path                string
	PermissionsBoundary string
	Tags                []store.Tag
}

// CreateUser creates a user.
func (s *Service) CreateUser(ctx context.Context, call *authz.Call, in CreateUserInput) (store.User, error) {
	if err := validName("user", in.UserName, userNameRE, "userName"); err != nil {
		return store.User{}, err
	}
	path, err := validPath(in.Path)
	if err != nil {
		return store.User{}, err
	}
	if err := validTags(in.Tags); err != nil {
		return store.User{}, err
	}
	u := store.User{AccountID: account(call), Name: in.UserName, ID: newID("AIDA"), Path: path, Tags: in.Tags, CreatedAt: s.now().UTC(), PermissionsBoundary: in.PermissionsBoundary}
	err = s.tx(ctx, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:CreateUser", s.UserARN(u)); err != nil {
			return err
		}
		if in.PermissionsBoundary != "" {
			if err := s.checkBoundary(tx, in.PermissionsBoundary); err != nil {
				return err
			}
		}
		return alreadyExists(tx.Users().Create(u), "User", u.Name)
	})
	return u, err
}

// GetUser returns a user; an empty name means the calling user.
func (s *Service) GetUser(ctx context.Context, call *authz.Call, name string) (store.User, error) {
	var u store.User
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		if name == "" {
			if call.Subject.Caller.UserName == "" {
				if call.Subject.Caller.ARN != "" && call.Subject.RoleName == "" {
					// The root user: AWS answers with the account's root identity.
					u = store.User{AccountID: account(call), Name: "", ID: account(call), Path: "/"}
					return nil
				}
				return errs.Coded(errs.Invalid, "ValidationError", "Must specify userName when calling with non-User credentials")
			}
			name = call.Subject.Caller.UserName
		}
		var err error
		if u, err = tx.Users().Get(account(call), name); err != nil {
			return notFound(err, "user", name)
		}
		return s.authorize(tx, call, "iam:GetUser", s.UserARN(u))
	})
	return u, err
}

// ListUsers lists users.
func (s *Service) ListUsers(ctx context.Context, call *authz.Call, pathPrefix string, page Page) ([]store.User, bool, error) {
	p, err := page.store()
	if err != nil {
		return nil, false, err
	}
	var users []store.User
	var more bool
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:ListUsers", s.arn(account(call), "user", "/", "*")); err != nil {
			return err
		}
		users, more, err = tx.Users().List(account(call), pathPrefix, p)
		return err
	})
	return users, more, err
}

// UpdateUser renames a user or moves it to another path.
func (s *Service) UpdateUser(ctx context.Context, call *authz.Call, name, newName, newPath string) error {
	if newName != "" {
		if err := validName("user", newName, userNameRE, "newUserName"); err != nil {
			return err
		}
	}
	if newPath != "" {
		if _, err := validPath(newPath); err != nil {
			return err
		}
	}
	return s.tx(ctx, func(tx store.Tx) error {
		u, err := tx.Users().Get(account(call), name)
		if err != nil {
			return notFound(err, "user", name)
		}
		if err := s.authorize(tx, call, "iam:UpdateUser", s.UserARN(u)); err != nil {
			return err
		}
		if newName != "" {
			u.Name = newName
		}
		if newPath != "" {
			u.Path = newPath
		}
		return alreadyExists(tx.Users().Update(name, u), "User", newName)
	})
}

// DeleteUser deletes a user that has nothing attached any more, as IAM requires.
func (s *Service) DeleteUser(ctx context.Context, call *authz.Call, name string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		u, err := tx.Users().Get(account(call), name)
		if err != nil {
			return notFound(err, "user", name)
		}
		if err := s.authorize(tx, call, "iam:DeleteUser", s.UserARN(u)); err != nil {
			return err
		}
		e := store.Entity{AccountID: u.AccountID, Kind: store.KindUser, Name: u.Name}
		keys, err := tx.AccessKeys().ListForUser(u.AccountID, u.Name)
		if err != nil {
			return err
		}
		groups, _, err := tx.Groups().GroupsForUser(u.AccountID, u.Name, store.Page{Max: 1})
		if err != nil {
			return err
		}
		switch {
		case u.PasswordHash != "":
			return errs.Coded(errs.Conflict, "DeleteConflict", "Cannot delete entity, must delete login profile first.")
		case len(keys) > 0:
			return errs.Coded(errs.Conflict, "DeleteConflict", "Cannot delete entity, must delete access keys first.")
		}
		if err := policiesConflict(tx, e); err != nil {
			return err
		}
		if len(groups) > 0 {
			return errs.Coded(errs.Conflict, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
		}
		if _, err := tx.ConsoleSessions().DeleteForUser(u.AccountID, u.Name); err != nil {
			return err
		}
		return tx.Users().Delete(u.AccountID, u.Name)
	})
}

// TagUser adds or replaces tags on a user.
func (s *Service) TagUser(ctx context.Context, call *authz.Call, name string, tags []store.Tag) error {
	return s.tx(ctx, func(tx store.Tx) error {
		u, err := tx.Users().Get(account(call), name)
		if err != nil {
			return notFound(err, "user", name)
		}
		if err := s.authorize(tx, call, "iam:TagUser", s.UserARN(u)); err != nil {
			return err
		}
		u.Tags = mergeTags(u.Tags, tags)
		if err := validTags(u.Tags); err != nil {
			return err
		}
		return tx.Users().Update(u.Name, u)
	})
}

// UntagUser removes tags from a user.
func (s *Service) UntagUser(ctx context.Context, call *authz.Call, name string, keys []string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		u, err := tx.Users().Get(account(call), name)
		if err != nil {
			return notFound(err, "user", name)
		}
		if err := s.authorize(tx, call, "iam:UntagUser", s.UserARN(u)); err != nil {
			return err
		}
		u.Tags = removeTags(u.Tags, keys)
		return tx.Users().Update(u.Name, u)
	})
}

func mergeTags(old, add []store.Tag) []store.Tag {
	out := append([]store.Tag{}, old...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = t
				replaced = true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

func removeTags(old []store.Tag, keys []string) []store.Tag {
	var out []store.Tag
	for _, t := range old {
		keep := true
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				keep = false
			}
		}
		if keep {
			out = append(out, t)
		}
	}
	return out
}

// checkBoundary verifies that a permissions boundary names an existing managed policy.
func (s *Service) checkBoundary(tx store.Tx, arn string) error {
	if _, err := tx.Policies().Get(arn); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errs.Coded(errs.NotFound, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
		}
		return err
	}
	return nil
}
