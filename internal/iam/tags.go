package iam

import (
	"context"
	"strconv"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// checkTagInput validates the Tags member of TagRole and TagPolicy.
func checkTagInput(tags []store.Tag) error {
	if len(tags) == 0 {
		return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	return validTags(tags)
}

// checkTagKeys validates the TagKeys member of UntagRole and UntagPolicy.
func checkTagKeys(keys []string) error {
	if len(keys) == 0 {
		return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	if len(keys) > maxTags {
		return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to %d", maxTags)
	}
	for i, k := range keys {
		if !tagKeyRE.MatchString(k) {
			return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at 'tagKeys.%d.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", k, i+1)
		}
	}
	return nil
}

// pageTags returns one page of an entity's tags. The marker is the offset
// of the next tag; the returned marker is "" on the last page.
func pageTags(tags []store.Tag, page Page) ([]store.Tag, string, error) {
	p, err := page.store()
	if err != nil {
		return nil, "", err
	}
	start := 0
	if p.Marker != "" {
		n, err := strconv.Atoi(p.Marker)
		if err != nil || n < 0 {
			return nil, "", errs.Coded(errs.Invalid, "InvalidInput", "Invalid Marker.")
		}
		start = min(n, len(tags))
	}
	n := p.Max
	if n == 0 {
		n = 100
	}
	end := min(start+n, len(tags))
	marker := ""
	if end < len(tags) {
		marker = strconv.Itoa(end)
	}
	return append([]store.Tag{}, tags[start:end]...), marker, nil
}

// ListUserTags lists a user's tags, authorized as iam:ListUserTags.
func (s *Service) ListUserTags(ctx context.Context, call *authz.Call, name string, page Page) ([]store.Tag, string, error) {
	var tags []store.Tag
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		u, err := tx.Users().Get(account(call), name)
		if err != nil {
			return notFound(err, "user", name)
		}
		if err := s.authorize(tx, call, "iam:ListUserTags", s.UserARN(u)); err != nil {
			return err
		}
		tags = u.Tags
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return pageTags(tags, page)
}

// TagRole adds or replaces tags on a role.
func (s *Service) TagRole(ctx context.Context, call *authz.Call, name string, tags []store.Tag) error {
	if err := checkTagInput(tags); err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		r, err := s.role(tx, call, name, "iam:TagRole")
		if err != nil {
			return err
		}
		r.Tags = mergeTags(r.Tags, tags)
		if err := validTags(r.Tags); err != nil {
			return err
		}
		return tx.Roles().Update(r.Name, r)
	})
}

// UntagRole removes tags from a role; keys it does not have are ignored.
func (s *Service) UntagRole(ctx context.Context, call *authz.Call, name string, keys []string) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		r, err := s.role(tx, call, name, "iam:UntagRole")
		if err != nil {
			return err
		}
		r.Tags = removeTags(r.Tags, keys)
		return tx.Roles().Update(r.Name, r)
	})
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, call *authz.Call, name string, page Page) ([]store.Tag, string, error) {
	var tags []store.Tag
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		r, err := s.role(tx, call, name, "iam:ListRoleTags")
		tags = r.Tags
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return pageTags(tags, page)
}

// TagPolicy adds or replaces tags on a customer-managed policy.
func (s *Service) TagPolicy(ctx context.Context, call *authz.Call, arn string, tags []store.Tag) error {
	if err := checkTagInput(tags); err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:TagPolicy")
		if err != nil {
			return err
		}
		if err := s.customerPolicy(p); err != nil {
			return err
		}
		p.Tags = mergeTags(p.Tags, tags)
		if err := validTags(p.Tags); err != nil {
			return err
		}
		return tx.Policies().Update(p)
	})
}

// UntagPolicy removes tags from a customer-managed policy.
func (s *Service) UntagPolicy(ctx context.Context, call *authz.Call, arn string, keys []string) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.tx(ctx, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:UntagPolicy")
		if err != nil {
			return err
		}
		if err := s.customerPolicy(p); err != nil {
			return err
		}
		p.Tags = removeTags(p.Tags, keys)
		return tx.Policies().Update(p)
	})
}

// ListPolicyTags lists a managed policy's tags (AWS-managed policies have none).
func (s *Service) ListPolicyTags(ctx context.Context, call *authz.Call, arn string, page Page) ([]store.Tag, string, error) {
	var tags []store.Tag
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		p, err := s.policyFor(tx, call, arn, "iam:ListPolicyTags")
		tags = p.Tags
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return pageTags(tags, page)
}
