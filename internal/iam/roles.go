package iam

import (
	"context"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// RoleARN returns a role's ARN.
func (s *Service) RoleARN(r store.Role) string { return s.arn(r.AccountID, "role", r.Path, r.Name) }

// CreateRoleInput is CreateRole's request.
type CreateRoleInput struct {
	RoleName                 string
	Path                     string
	AssumeRolePolicyDocument string
	Description              string
	MaxSessionDuration       int
	PermissionsBoundary      string
	Tags                     []store.Tag
}

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(ctx context.Context, call *authz.Call, in CreateRoleInput) (store.Role, error) {
	if err := validName("role", in.RoleName, roleNameRE, "roleName"); err != nil {
		return store.Role{}, err
	}
	path, err := validPath(in.Path)
	if err != nil {
		return store.Role{}, err
	}
	if err := validTags(in.Tags); err != nil {
		return store.Role{}, err
	}
	if len(in.Description) > 1000 {
		return store.Role{}, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")
	}
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = defaultMaxSessionSeconds
	}
	if in.MaxSessionDuration < 3600 || in.MaxSessionDuration > 43200 {
		return store.Role{}, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200", in.MaxSessionDuration)
	}
	if _, err := parsePolicy(in.AssumeRolePolicyDocument, policy.TrustPolicy, maxTrustPolicyChars, "trust policy"); err != nil {
		return store.Role{}, err
	}
	r := store.Role{AccountID: account(call), Name: in.RoleName, ID: newID("AROA"), Path: path, AssumeRolePolicy: in.AssumeRolePolicyDocument,
		Description: in.Description, MaxSessionDuration: in.MaxSessionDuration, PermissionsBoundary: in.PermissionsBoundary, Tags: in.Tags, CreatedAt: s.now().UTC()}
	err = s.tx(ctx, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:CreateRole", s.RoleARN(r)); err != nil {
			return err
		}
		if in.PermissionsBoundary != "" {
			if err := s.checkBoundary(tx, in.PermissionsBoundary); err != nil {
				return err
			}
		}
		return alreadyExists(tx.Roles().Create(r), "Role", r.Name)
	})
	return r, err
}

func (s *Service) role(tx store.Tx, call *authz.Call, name, action string) (store.Role, error) {
	r, err := tx.Roles().Get(account(call), name)
	if err != nil {
		return r, notFound(err, "role", name)
	}
	return r, s.authorize(tx, call, action, s.RoleARN(r))
}

// GetRole returns a role.
func (s *Service) GetRole(ctx context.Context, call *authz.Call, name string) (store.Role, error) {
	var r store.Role
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		var err error
		r, err = s.role(tx, call, name, "iam:GetRole")
		return err
	})
	return r, err
}

// ListRoles lists roles.
func (s *Service) ListRoles(ctx context.Context, call *authz.Call, pathPrefix string, page Page) ([]store.Role, bool, error) {
	p, err := page.store()
	if err != nil {
		return nil, false, err
	}
	var roles []store.Role
	var more bool
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:ListRoles", s.arn(account(call), "role", "/", "*")); err != nil {
			return err
		}
		roles, more, err = tx.Roles().List(account(call), pathPrefix, p)
		return err
	})
	return roles, more, err
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, call *authz.Call, name, doc string) error {
	if _, err := parsePolicy(doc, policy.TrustPolicy, maxTrustPolicyChars, "trust policy"); err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		r, err := s.role(tx, call, name, "iam:UpdateAssumeRolePolicy")
		if err != nil {
			return err
		}
		r.AssumeRolePolicy = doc
		return tx.Roles().Update(r.Name, r)
	})
}

// DeleteRole deletes a role without policies.
func (s *Service) DeleteRole(ctx context.Context, call *authz.Call, name string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		r, err := s.role(tx, call, name, "iam:DeleteRole")
		if err != nil {
			return err
		}
		if err := policiesConflict(tx, store.Entity{AccountID: r.AccountID, Kind: store.KindRole, Name: r.Name}); err != nil {
			return err
		}
		return tx.Roles().Delete(r.AccountID, r.Name)
	})
}
