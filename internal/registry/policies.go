package registry

import (
	"context"
	"unicode/utf8"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// Repository policies: one document per repository, stored on it
// (store.Repository.Policy) and part of every decision about it (authorize
// reads it).

func policyNotFound(r store.Repository) error {
	return coded(errs.NotFound, CodePolicyNotFound, "Repository policy does not exist for the repository with name '%s' in the registry with id '%s'", r.Name, r.AccountID)
}

// GetRepositoryPolicy returns a repository's policy
// (ecr-public:GetRepositoryPolicy).
func (s *Service) GetRepositoryPolicy(ctx context.Context, call *authz.Call, ref Ref) (string, error) {
	var text string
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:GetRepositoryPolicy", r, nil); err != nil {
			return err
		}
		if r.Policy == "" {
			return policyNotFound(r)
		}
		text = r.Policy
		return nil
	})
	return text, err
}

// SetRepositoryPolicy replaces a repository's policy
// (ecr-public:SetRepositoryPolicy). The document must parse as a resource
// policy and have at most 10,240 characters. Unless force is set, a policy
// that would deny the caller ecr-public:SetRepositoryPolicy afterwards —
// locking them out of changing it again — is refused.
func (s *Service) SetRepositoryPolicy(ctx context.Context, call *authz.Call, ref Ref, text string, force bool) (string, error) {
	if utf8.RuneCountInString(text) > maxPolicyChars {
		return "", coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Member must have length less than or equal to %d'", maxPolicyChars)
	}
	p, err := s.authz.Compile(text, policy.ResourcePolicy)
	if err != nil {
		return "", coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided': %s", err.Error())
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:SetRepositoryPolicy", r, nil); err != nil {
			return err
		}
		if !force {
			rp := []policy.Attached{{Source: policy.Source{ID: "repository policy of " + r.Name, Type: "resource"}, Policy: p}}
			err := s.authz.Authorize(tx, call, "ecr-public:SetRepositoryPolicy", s.RepositoryARN(r.AccountID, r.Name), rp, resourceTags(r))
			if errs.Is(err, errs.Denied) {
				return coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'The repository policy would prevent you from setting another policy in the future; set force to set it anyway'")
			}
			if err != nil {
				return err
			}
		}
		r.Policy = text
		return tx.Registry().UpdateRepository(r)
	})
	if err != nil {
		return "", err
	}
	return text, nil
}

// DeleteRepositoryPolicy removes a repository's policy and returns it
// (ecr-public:DeleteRepositoryPolicy).
func (s *Service) DeleteRepositoryPolicy(ctx context.Context, call *authz.Call, ref Ref) (string, error) {
	var text string
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:DeleteRepositoryPolicy", r, nil); err != nil {
			return err
		}
		if r.Policy == "" {
			return policyNotFound(r)
		}
		text = r.Policy
		r.Policy = ""
		return tx.Registry().UpdateRepository(r)
	})
	return text, err
}

// resourceTags is a repository's tags as request context.
func resourceTags(r store.Repository) map[string][]string {
	out := make(map[string][]string, 2*len(r.Tags))
	for _, t := range r.Tags {
		out["aws:ResourceTag/"+t.Key] = []string{t.Value}
		out["ecr-public:ResourceTag/"+t.Key] = []string{t.Value}
	}
	return out
}
