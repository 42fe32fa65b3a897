package iam

import (
	"context"
	"strings"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// Entity types of GetAccountAuthorizationDetails's Filter.
const (
	DetailUser               = "User"
	DetailRole               = "Role"
	DetailGroup              = "Group"
	DetailLocalManagedPolicy = "LocalManagedPolicy"
	DetailAWSManagedPolicy   = "AWSManagedPolicy"
)

// UserDetail is a user with everything that grants it permissions.
type UserDetail struct {
	store.User
	InlinePolicies []store.InlinePolicy
	Groups         []string // names of the groups the user is in
	Attached       []store.ManagedPolicy
}

// GroupDetail is a group with its policies.
type GroupDetail struct {
	store.Group
	InlinePolicies []store.InlinePolicy
	Attached       []store.ManagedPolicy
}

// RoleDetail is a role with its policies.
type RoleDetail struct {
	store.Role
	InlinePolicies []store.InlinePolicy
	Attached       []store.ManagedPolicy
}

// ManagedPolicyDetail is a managed policy with all its versions, newest first.
type ManagedPolicyDetail struct {
	store.ManagedPolicy
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	Versions                      []store.PolicyVersion
}

// AuthorizationDetails is GetAccountAuthorizationDetails's answer.
type AuthorizationDetails struct {
	Users    []UserDetail
	Groups   []GroupDetail
	Roles    []RoleDetail
	Policies []ManagedPolicyDetail
}

// GetAccountAuthorizationDetails returns a snapshot of the account's users,
// groups, roles and managed policies with their relationships. filter names
// the entity types wanted (none means all). Customer-managed policies are all
// listed; AWS-managed ones only when in use in the account (attached, or a
// permissions boundary), as IAM lists them. Everything comes in one page:
// page is validated, then the answer is never truncated.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, call *authz.Call, filter []string, page Page) (AuthorizationDetails, error) {
	if _, err := page.store(); err != nil {
		return AuthorizationDetails{}, err
	}
	want := map[string]bool{}
	for _, f := range filter {
		switch f {
		case DetailUser, DetailRole, DetailGroup, DetailLocalManagedPolicy, DetailAWSManagedPolicy:
			want[f] = true
		default:
			return AuthorizationDetails{}, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '[%s]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]", strings.Join(filter, ", "))
		}
	}
	all := len(want) == 0
	acct := account(call)
	var out AuthorizationDetails
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		out = AuthorizationDetails{}
		if err := s.authorize(tx, call, "iam:GetAccountAuthorizationDetails", "*"); err != nil {
			return err
		}
		users, err := allUsers(tx, acct)
		if err != nil {
			return err
		}
		roles, err := allRoles(tx, acct)
		if err != nil {
			return err
		}
		if all || want[DetailUser] {
			for _, u := range users {
				d := UserDetail{User: u}
				e := store.Entity{AccountID: acct, Kind: store.KindUser, Name: u.Name}
				if d.InlinePolicies, d.Attached, err = entityPolicies(tx, e); err != nil {
					return err
				}
				for gp := (store.Page{Max: 1000}); ; {
					gs, more, err := tx.Groups().GroupsForUser(acct, u.Name, gp)
					if err != nil {
						return err
					}
					for _, g := range gs {
						d.Groups = append(d.Groups, g.Name)
					}
					if !more || len(gs) == 0 {
						break
					}
					gp.Marker = gs[len(gs)-1].Name
				}
				out.Users = append(out.Users, d)
			}
		}
		if all || want[DetailGroup] {
			for gp := (store.Page{Max: 1000}); ; {
				gs, more, err := tx.Groups().List(acct, "", gp)
				if err != nil {
					return err
				}
				for _, g := range gs {
					d := GroupDetail{Group: g}
					e := store.Entity{AccountID: acct, Kind: store.KindGroup, Name: g.Name}
					if d.InlinePolicies, d.Attached, err = entityPolicies(tx, e); err != nil {
						return err
					}
					out.Groups = append(out.Groups, d)
				}
				if !more || len(gs) == 0 {
					break
				}
				gp.Marker = gs[len(gs)-1].Name
			}
		}
		if all || want[DetailRole] {
			for _, r := range roles {
				d := RoleDetail{Role: r}
				e := store.Entity{AccountID: acct, Kind: store.KindRole, Name: r.Name}
				if d.InlinePolicies, d.Attached, err = entityPolicies(tx, e); err != nil {
					return err
				}
				out.Roles = append(out.Roles, d)
			}
		}
		wantLocal, wantAWS := all || want[DetailLocalManagedPolicy], all || want[DetailAWSManagedPolicy]
		if !wantLocal && !wantAWS {
			return nil
		}
		boundaries := map[string]int{}
		for _, u := range users {
			if u.PermissionsBoundary != "" {
				boundaries[u.PermissionsBoundary]++
			}
		}
		for _, r := range roles {
			if r.PermissionsBoundary != "" {
				boundaries[r.PermissionsBoundary]++
			}
		}
		for pp := (store.Page{Max: 1000}); ; {
			ps, more, err := tx.Policies().List(acct, wantAWS, "", pp)
			if err != nil {
				return err
			}
			for _, p := range ps {
				aws := p.AccountID == "aws"
				if (aws && !wantAWS) || (!aws && !wantLocal) {
					continue
				}
				n, err := s.attachmentCount(tx, call, p.ARN)
				if err != nil {
					return err
				}
				if aws && n == 0 && boundaries[p.ARN] == 0 {
					continue
				}
				vs, err := tx.Policies().Versions(p.ARN)
				if err != nil {
					return err
				}
				for i, j := 0, len(vs)-1; i < j; i, j = i+1, j-1 {
					vs[i], vs[j] = vs[j], vs[i]
				}
				out.Policies = append(out.Policies, ManagedPolicyDetail{ManagedPolicy: p, AttachmentCount: n, PermissionsBoundaryUsageCount: boundaries[p.ARN], Versions: vs})
			}
			if !more || len(ps) == 0 {
				break
			}
			pp.Marker = ps[len(ps)-1].ARN
		}
		return nil
	})
	return out, err
}

func entityPolicies(tx store.Tx, e store.Entity) ([]store.InlinePolicy, []store.ManagedPolicy, error) {
	inline, err := tx.Policies().ListInline(e)
	if err != nil {
		return nil, nil, err
	}
	attached, err := tx.Policies().Attached(e)
	return inline, attached, err
}

func allUsers(tx store.Tx, acct string) ([]store.User, error) {
	var out []store.User
	for p := (store.Page{Max: 1000}); ; {
		us, more, err := tx.Users().List(acct, "", p)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
		if !more || len(us) == 0 {
			return out, nil
		}
		p.Marker = us[len(us)-1].Name
	}
}

func allRoles(tx store.Tx, acct string) ([]store.Role, error) {
	var out []store.Role
	for p := (store.Page{Max: 1000}); ; {
		rs, more, err := tx.Roles().List(acct, "", p)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		if !more || len(rs) == 0 {
			return out, nil
		}
		p.Marker = rs[len(rs)-1].Name
	}
}
