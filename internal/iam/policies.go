package iam

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// CreatePolicyInput is CreatePolicy's request.
type CreatePolicyInput struct {
	PolicyName     string
	Path           string
	PolicyDocument string
	Description    string
	Tags           []store.Tag
}

// CreatePolicy creates a customer-managed policy; its document becomes v1.
func (s *Service) CreatePolicy(ctx context.Context, call *authz.Call, in CreatePolicyInput) (store.ManagedPolicy, error) {
	if err := validName("policy", in.PolicyName, policyNameRE, "policyName"); err != nil {
		return store.ManagedPolicy{}, err
	}
	path, err := validPath(in.Path)
	if err != nil {
		return store.ManagedPolicy{}, err
	}
	if err := validTags(in.Tags); err != nil {
		return store.ManagedPolicy{}, err
	}
	if len(in.Description) > 1000 {
		return store.ManagedPolicy{}, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000")
	}
	if _, err := parsePolicy(in.PolicyDocument, policy.IdentityPolicy, maxManagedPolicyChars, "policy"); err != nil {
		return store.ManagedPolicy{}, err
	}
	now := s.now().UTC()
	p := store.ManagedPolicy{AccountID: account(call), Name: in.PolicyName, ID: newID("ANPA"), Path: path, Description: in.Description,
		DefaultVersionID: "v1", Tags: in.Tags, CreatedAt: now, UpdatedAt: now, NextVersion: 2}
	p.ARN = s.arn(p.AccountID, "policy", path, p.Name)
	err = s.tx(ctx, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:CreatePolicy", p.ARN); err != nil {
			return err
		}
		return alreadyExists(tx.Policies().Create(p, store.PolicyVersion{PolicyARN: p.ARN, VersionID: "v1", Document: in.PolicyDocument, CreatedAt: now}), "A policy called", p.Name)
	})
	return p, err
}

// checkPolicyARN validates a policy ARN's shape.
func checkPolicyARN(arn string) error {
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":policy/") || len(arn) < 20 || len(arn) > 2048 {
		return errs.Coded(errs.Invalid, "InvalidInput", "ARN %s is not valid.", arn)
	}
	return nil
}

// policyFor loads a managed policy visible to the caller and authorizes action on it.
func (s *Service) policyFor(tx store.Tx, call *authz.Call, arn, action string) (store.ManagedPolicy, error) {
	if err := checkPolicyARN(arn); err != nil {
		return store.ManagedPolicy{}, err
	}
	p, err := tx.Policies().Get(arn)
	if err != nil || (p.AccountID != account(call) && p.AccountID != "aws") {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return p, err
		}
		return p, errs.Coded(errs.NotFound, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
	}
	return p, s.authorize(tx, call, action, arn)
}

func (s *Service) customerPolicy(p store.ManagedPolicy) error {
	if p.AccountID == "aws" {
		return errs.Coded(errs.Invalid, "InvalidInput", "AWS-managed policy %s cannot be changed.", p.ARN)
	}
	return nil
}

// GetPolicy returns a managed policy with its attachment and boundary-use counts.
func (s *Service) GetPolicy(ctx context.Context, call *authz.Call, arn string) (PolicyWithCount, error) {
	var out PolicyWithCount
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:GetPolicy")
		if err != nil {
			return err
		}
		out.ManagedPolicy = p
		if out.AttachmentCount, err = s.attachmentCount(tx, call, arn); err != nil {
			return err
		}
		uses, err := s.boundaryUseCounts(tx, account(call))
		out.BoundaryUsageCount = uses[arn]
		return err
	})
	return out, err
}

// attachmentCount counts a policy's attachments within the caller's account.
func (s *Service) attachmentCount(tx store.Tx, call *authz.Call, arn string) (int, error) {
	es, err := tx.Policies().AttachedTo(arn)
	n := 0
	for _, e := range es {
		if e.AccountID == account(call) {
			n++
		}
	}
	return n, err
}

// PolicyWithCount is a managed policy with, in the caller's account, the
// number of entities it is attached to and of users and roles using it as
// their permissions boundary.
type PolicyWithCount struct {
	store.ManagedPolicy
	AttachmentCount    int
	BoundaryUsageCount int
}

// ListPolicies lists managed policies. scope is All, AWS or Local.
func (s *Service) ListPolicies(ctx context.Context, call *authz.Call, scope, pathPrefix string, onlyAttached bool, page Page) ([]PolicyWithCount, bool, error) {
	p, err := page.store()
	if err != nil {
		return nil, false, err
	}
	switch scope {
	case "", "All", "AWS", "Local":
	default:
		return nil, false, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	var out []PolicyWithCount
	var more bool
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:ListPolicies", s.arn(account(call), "policy", "/", "*")); err != nil {
			return err
		}
		// Filters are applied after the store's paging; keep reading pages
		// until this one is full so MaxItems means what it says.
		uses, err := s.boundaryUseCounts(tx, account(call))
		if err != nil {
			return err
		}
		want := p.Max
		if want == 0 {
			want = 100
		}
		cursor := p
		for len(out) < want {
			ps, m, err := tx.Policies().List(account(call), scope != "Local", pathPrefix, cursor)
			if err != nil {
				return err
			}
			for _, mp := range ps {
				cursor.Marker = mp.ARN
				if scope == "AWS" && mp.AccountID != "aws" {
					continue
				}
				n, err := s.attachmentCount(tx, call, mp.ARN)
				if err != nil {
					return err
				}
				if onlyAttached && n == 0 {
					continue
				}
				out = append(out, PolicyWithCount{mp, n, uses[mp.ARN]})
				if len(out) == want {
					more = m || mp.ARN != ps[len(ps)-1].ARN
					return nil
				}
			}
			if !m || len(ps) == 0 {
				return nil
			}
		}
		return nil
	})
	return out, more, err
}

// DeletePolicy deletes a customer-managed policy that is attached nowhere and
// has no version but the default.
func (s *Service) DeletePolicy(ctx context.Context, call *authz.Call, arn string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:DeletePolicy")
		if err != nil {
			return err
		}
		if err := s.customerPolicy(p); err != nil {
			return err
		}
		es, err := tx.Policies().AttachedTo(arn)
		if err != nil {
			return err
		}
		if len(es) > 0 {
			return errs.Coded(errs.Conflict, "DeleteConflict", "Cannot delete a policy attached to entities.")
		}
		if uses, err := s.boundaryUseCounts(tx, account(call)); err != nil {
			return err
		} else if uses[arn] > 0 {
			return errs.Coded(errs.Conflict, "DeleteConflict", "Cannot delete a policy used as a permissions boundary.")
		}
		vs, err := tx.Policies().Versions(arn)
		if err != nil {
			return err
		}
		if len(vs) > 1 {
			return errs.Coded(errs.Conflict, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return tx.Policies().Delete(arn)
	})
}

// boundaryUseCounts counts, per policy ARN, the users and roles of an
// account that use the policy as their permissions boundary.
func (s *Service) boundaryUseCounts(tx store.Tx, account string) (map[string]int, error) {
	n := map[string]int{}
	for page := (store.Page{Max: 1000}); ; {
		us, more, err := tx.Users().List(account, "", page)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if u.PermissionsBoundary != "" {
				n[u.PermissionsBoundary]++
			}
		}
		if !more || len(us) == 0 {
			break
		}
		page.Marker = us[len(us)-1].Name
	}
	for page := (store.Page{Max: 1000}); ; {
		rs, more, err := tx.Roles().List(account, "", page)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.PermissionsBoundary != "" {
				n[r.PermissionsBoundary]++
			}
		}
		if !more || len(rs) == 0 {
			break
		}
		page.Marker = rs[len(rs)-1].Name
	}
	return n, nil
}

// CreatePolicyVersion adds a version (at most five are kept).
func (s *Service) CreatePolicyVersion(ctx context.Context, call *authz.Call, arn, doc string, setDefault bool) (store.PolicyVersion, error) {
	if _, err := parsePolicy(doc, policy.IdentityPolicy, maxManagedPolicyChars, "policy"); err != nil {
		return store.PolicyVersion{}, err
	}
	var v store.PolicyVersion
	err := s.tx(ctx, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:CreatePolicyVersion")
		if err != nil {
			return err
		}
		if err := s.customerPolicy(p); err != nil {
			return err
		}
		vs, err := tx.Policies().Versions(arn)
		if err != nil {
			return err
		}
		if len(vs) >= maxPolicyVersions {
			return errs.Coded(errs.LimitExceeded, "LimitExceeded", "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		v = store.PolicyVersion{PolicyARN: arn, VersionID: "v" + strconv.Itoa(p.NextVersion), Document: doc, CreatedAt: s.now().UTC()}
		if err := tx.Policies().AddVersion(v); err != nil {
			return err
		}
		p.NextVersion++
		p.UpdatedAt = v.CreatedAt
		if setDefault {
			p.DefaultVersionID = v.VersionID
		}
		return tx.Policies().Update(p)
	})
	return v, err
}

// GetPolicyVersion returns one version.
func (s *Service) GetPolicyVersion(ctx context.Context, call *authz.Call, arn, versionID string) (store.PolicyVersion, bool, error) {
	if !versionIDRE.MatchString(versionID) {
		return store.PolicyVersion{}, false, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", versionID)
	}
	var v store.PolicyVersion
	var isDefault bool
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:GetPolicyVersion")
		if err != nil {
			return err
		}
		v, err = tx.Policies().GetVersion(arn, versionID)
		if errors.Is(err, store.ErrNotFound) {
			return errs.Coded(errs.NotFound, "NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, versionID)
		}
		isDefault = p.DefaultVersionID == versionID
		return err
	})
	return v, isDefault, err
}

// ListPolicyVersions lists a policy's versions, newest first as IAM does.
func (s *Service) ListPolicyVersions(ctx context.Context, call *authz.Call, arn string) ([]store.PolicyVersion, string, error) {
	var vs []store.PolicyVersion
	var def string
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:ListPolicyVersions")
		if err != nil {
			return err
		}
		def = p.DefaultVersionID
		vs, err = tx.Policies().Versions(arn)
		for i, j := 0, len(vs)-1; i < j; i, j = i+1, j-1 {
			vs[i], vs[j] = vs[j], vs[i]
		}
		return err
	})
	return vs, def, err
}

// DeletePolicyVersion deletes a version that is not the default.
func (s *Service) DeletePolicyVersion(ctx context.Context, call *authz.Call, arn, versionID string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:DeletePolicyVersion")
		if err != nil {
			return err
		}
		if err := s.customerPolicy(p); err != nil {
			return err
		}
		if p.DefaultVersionID == versionID {
			return errs.Coded(errs.Conflict, "DeleteConflict", "Cannot delete the default version of a policy.")
		}
		err = tx.Policies().DeleteVersion(arn, versionID)
		if errors.Is(err, store.ErrNotFound) {
			return errs.Coded(errs.NotFound, "NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, versionID)
		}
		return err
	})
}

// SetDefaultPolicyVersion makes a version the one in force.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, call *authz.Call, arn, versionID string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:SetDefaultPolicyVersion")
		if err != nil {
			return err
		}
		if err := s.customerPolicy(p); err != nil {
			return err
		}
		if _, err := tx.Policies().GetVersion(arn, versionID); err != nil {
			return errs.Coded(errs.NotFound, "NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, versionID)
		}
		p.DefaultVersionID = versionID
		p.UpdatedAt = s.now().UTC()
		return tx.Policies().Update(p)
	})
}

// entity resolves a user, group or role by name and authorizes action on it.
func (s *Service) entity(tx store.Tx, call *authz.Call, kind store.EntityKind, name, action string) (store.Entity, error) {
	e := store.Entity{AccountID: account(call), Kind: kind}
	var arn string
	switch kind {
	case store.KindUser:
		u, err := tx.Users().Get(e.AccountID, name)
		if err != nil {
			return e, notFound(err, "user", name)
		}
		e.Name, arn = u.Name, s.UserARN(u)
	case store.KindGroup:
		g, err := tx.Groups().Get(e.AccountID, name)
		if err != nil {
			return e, notFound(err, "group", name)
		}
		e.Name, arn = g.Name, s.GroupARN(g)
	case store.KindRole:
		r, err := tx.Roles().Get(e.AccountID, name)
		if err != nil {
			return e, notFound(err, "role", name)
		}
		e.Name, arn = r.Name, s.RoleARN(r)
	}
	return e, s.authorize(tx, call, action, arn)
}

func action(verb string, kind store.EntityKind, suffix string) string {
	k := string(kind)
	return "iam:" + verb + strings.ToUpper(k[:1]) + k[1:] + suffix
}

// AttachPolicy attaches a managed policy to a user, group or role.
func (s *Service) AttachPolicy(ctx context.Context, call *authz.Call, kind store.EntityKind, name, arn string) error {
	if err := checkPolicyARN(arn); err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		e, err := s.entity(tx, call, kind, name, action("Attach", kind, "Policy"))
		if err != nil {
			return err
		}
		p, err := tx.Policies().Get(arn)
		if err != nil || (p.AccountID != e.AccountID && p.AccountID != "aws") {
			return errs.Coded(errs.NotFound, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
		}
		attached, err := tx.Policies().Attached(e)
		if err != nil {
			return err
		}
		for _, a := range attached {
			if a.ARN == arn {
				return nil
			}
		}
		if len(attached) >= maxManagedPerEntity {
			return errs.Coded(errs.LimitExceeded, "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: %d", maxManagedPerEntity)
		}
		return tx.Policies().Attach(store.Attachment{Entity: e, PolicyARN: arn})
	})
}

// DetachPolicy detaches a managed policy.
func (s *Service) DetachPolicy(ctx context.Context, call *authz.Call, kind store.EntityKind, name, arn string) error {
	if err := checkPolicyARN(arn); err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		e, err := s.entity(tx, call, kind, name, action("Detach", kind, "Policy"))
		if err != nil {
			return err
		}
		err = tx.Policies().Detach(store.Attachment{Entity: e, PolicyARN: arn})
		if errors.Is(err, store.ErrNotFound) {
			return errs.Coded(errs.NotFound, "NoSuchEntity", "Policy %s was not found.", arn)
		}
		return err
	})
}

// ListAttachedPolicies lists the managed policies attached to an entity.
func (s *Service) ListAttachedPolicies(ctx context.Context, call *authz.Call, kind store.EntityKind, name, pathPrefix string) ([]store.ManagedPolicy, error) {
	var out []store.ManagedPolicy
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		e, err := s.entity(tx, call, kind, name, action("ListAttached", kind, "Policies"))
		if err != nil {
			return err
		}
		ps, err := tx.Policies().Attached(e)
		for _, p := range ps {
			if strings.HasPrefix(p.Path, pathPrefix) {
				out = append(out, p)
			}
		}
		return err
	})
	return out, err
}

// ListEntitiesForPolicy lists who a policy is attached to.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, call *authz.Call, arn string) (users []store.User, groups []store.Group, roles []store.Role, err error) {
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		if _, err := s.policyFor(tx, call, arn, "iam:ListEntitiesForPolicy"); err != nil {
			return err
		}
		es, err := tx.Policies().AttachedTo(arn)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.AccountID != account(call) {
				continue
			}
			switch e.Kind {
			case store.KindUser:
				u, err := tx.Users().Get(e.AccountID, e.Name)
				if err != nil {
					return err
				}
				users = append(users, u)
			case store.KindGroup:
				g, err := tx.Groups().Get(e.AccountID, e.Name)
				if err != nil {
					return err
				}
				groups = append(groups, g)
			case store.KindRole:
				r, err := tx.Roles().Get(e.AccountID, e.Name)
				if err != nil {
					return err
				}
				roles = append(roles, r)
			}
		}
		return nil
	})
	return users, groups, roles, err
}

func inlineQuota(kind store.EntityKind) int {
	switch kind {
	case store.KindGroup:
		return maxInlineGroupChars
	case store.KindRole:
		return maxInlineRoleChars
	}
	return maxInlineUserChars
}

// PutInlinePolicy creates or replaces an inline policy.
func (s *Service) PutInlinePolicy(ctx context.Context, call *authz.Call, kind store.EntityKind, name, policyName, doc string) error {
	if err := validName("policy", policyName, policyNameRE, "policyName"); err != nil {
		return err
	}
	if _, err := parsePolicy(doc, policy.IdentityPolicy, 0, "policy"); err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		e, err := s.entity(tx, call, kind, name, action("Put", kind, "Policy"))
		if err != nil {
			return err
		}
		existing, err := tx.Policies().ListInline(e)
		if err != nil {
			return err
		}
		total := nonSpace(doc)
		for _, ip := range existing {
			if ip.Name != policyName {
				total += nonSpace(ip.Document)
			}
		}
		if q := inlineQuota(kind); total > q {
			return errs.Coded(errs.LimitExceeded, "LimitExceeded", "Maximum policy size of %d bytes exceeded for %s %s", q, kind, e.Name)
		}
		return tx.Policies().PutInline(store.InlinePolicy{Entity: e, Name: policyName, Document: doc})
	})
}

// GetInlinePolicy returns an inline policy.
func (s *Service) GetInlinePolicy(ctx context.Context, call *authz.Call, kind store.EntityKind, name, policyName string) (store.InlinePolicy, error) {
	var ip store.InlinePolicy
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		e, err := s.entity(tx, call, kind, name, action("Get", kind, "Policy"))
		if err != nil {
			return err
		}
		ip, err = tx.Policies().GetInline(e, policyName)
		if errors.Is(err, store.ErrNotFound) {
			return errs.Coded(errs.NotFound, "NoSuchEntity", "The %s policy with name %s cannot be found.", kind, policyName)
		}
		return err
	})
	return ip, err
}

// ListInlinePolicies lists an entity's inline policy names.
func (s *Service) ListInlinePolicies(ctx context.Context, call *authz.Call, kind store.EntityKind, name string) ([]string, error) {
	var names []string
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		e, err := s.entity(tx, call, kind, name, action("List", kind, "Policies"))
		if err != nil {
			return err
		}
		ips, err := tx.Policies().ListInline(e)
		for _, ip := range ips {
			names = append(names, ip.Name)
		}
		return err
	})
	return names, err
}

// DeleteInlinePolicy deletes an inline policy.
func (s *Service) DeleteInlinePolicy(ctx context.Context, call *authz.Call, kind store.EntityKind, name, policyName string) error {
	return s.tx(ctx, func(tx store.Tx) error {
		e, err := s.entity(tx, call, kind, name, action("Delete", kind, "Policy"))
		if err != nil {
			return err
		}
		err = tx.Policies().DeleteInline(e, policyName)
		if errors.Is(err, store.ErrNotFound) {
			return errs.Coded(errs.NotFound, "NoSuchEntity", "The %s policy with name %s cannot be found.", kind, policyName)
		}
		return err
	})
}

// SetPermissionsBoundary sets (arn != "") or removes a user's or role's boundary.
func (s *Service) SetPermissionsBoundary(ctx context.Context, call *authz.Call, kind store.EntityKind, name, arn string) error {
	verb := "Put"
	if arn == "" {
		verb = "Delete"
	} else if err := checkPolicyARN(arn); err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		e, err := s.entity(tx, call, kind, name, action(verb, kind, "PermissionsBoundary"))
		if err != nil {
			return err
		}
		if arn != "" {
			if err := s.checkBoundary(tx, arn); err != nil {
				return err
			}
		}
		switch kind {
		case store.KindUser:
			u, err := tx.Users().Get(e.AccountID, e.Name)
			if err != nil {
				return err
			}
			u.PermissionsBoundary = arn
			return tx.Users().Update(u.Name, u)
		case store.KindRole:
			r, err := tx.Roles().Get(e.AccountID, e.Name)
			if err != nil {
				return err
			}
			r.PermissionsBoundary = arn
			return tx.Roles().Update(r.Name, r)
		}
		return fmt.Errorf("permissions boundaries apply to users and roles, not %s", kind)
	})
}
