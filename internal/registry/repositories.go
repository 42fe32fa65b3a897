package registry

import (
	"context"
	"errors"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// RepositoryInfo is a repository with the names clients use for it.
type RepositoryInfo struct {
	store.Repository
	ARN   string
	URI   string
	Alias string
}

func (s *Service) info(acct store.Account, r store.Repository) RepositoryInfo {
	return RepositoryInfo{Repository: r, ARN: s.RepositoryARN(r.AccountID, r.Name), URI: s.RepositoryURI(acct.Alias, r.Name), Alias: acct.Alias}
}

// CreateRepositoryInput is CreateRepository's request.
type CreateRepositoryInput struct {
	Name        string
	CatalogData string // JSON, "" for none
	Tags        []store.Tag
}

// CreateRepository creates a repository in the caller's account, giving the
// account a default registry alias when it has none yet (as ECR Public does
// on the first repository).
func (s *Service) CreateRepository(ctx context.Context, call *authz.Call, in CreateRepositoryInput) (RepositoryInfo, error) {
	if err := ValidRepositoryName(in.Name); err != nil {
		return RepositoryInfo{}, err
	}
	if len(in.Tags) > maxRepoTags {
		return RepositoryInfo{}, coded(errs.Invalid, CodeTooManyTags, "A repository can have at most %d tags.", maxRepoTags)
	}
	account := call.Subject.Caller.Account
	r := store.Repository{AccountID: account, Name: in.Name, CreatedAt: s.now().UTC(), CatalogData: in.CatalogData, Tags: in.Tags}
	var out RepositoryInfo
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		extra := map[string][]string{}
		if len(in.Tags) > 0 {
			keys := make([]string, 0, len(in.Tags))
			for _, t := range in.Tags {
				keys = append(keys, t.Key)
				extra["aws:RequestTag/"+t.Key] = []string{t.Value}
			}
			extra["aws:TagKeys"] = keys
		}
		if err := s.authz.Authorize(tx, call, "ecr-public:CreateRepository", s.RepositoryARN(account, in.Name), nil, extra); err != nil {
			return err
		}
		acct, err := tx.Accounts().Get(account)
		if err != nil {
			return err
		}
		if acct.Alias == "" {
			for i := 0; ; i++ {
				alias := newAlias()
				err := tx.Accounts().SetAlias(account, alias)
				if err == nil {
					acct.Alias = alias
					break
				}
				if !errors.Is(err, store.ErrAlreadyExists) || i > 10 {
					return err
				}
			}
		}
		if err := tx.Registry().CreateRepository(r); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				return coded(errs.AlreadyExists, CodeRepositoryAlreadyExists, "The repository with name '%s' already exists in the registry with id '%s'", in.Name, account)
			}
			return err
		}
		out = s.info(acct, r)
		return nil
	})
	return out, err
}

// GetRepository returns a repository of the caller's account, authorized as
// ecr-public:DescribeRepositories.
func (s *Service) GetRepository(ctx context.Context, call *authz.Call, ref Ref) (RepositoryInfo, error) {
	var out RepositoryInfo
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		acct, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorize(tx, call, "ecr-public:DescribeRepositories", r); err != nil {
			return err
		}
		out = s.info(acct, r)
		return nil
	})
	return out, err
}

// ListRepositories lists the repositories of an account that the caller may
// describe (a page; marker is the last name).
func (s *Service) ListRepositories(ctx context.Context, call *authz.Call, account string, p store.Page) ([]RepositoryInfo, bool, error) {
	var out []RepositoryInfo
	var more bool
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		acct, err := tx.Accounts().Get(account)
		if err != nil {
			return coded(errs.NotFound, CodeRegistryNotFound, "The registry with id '%s' does not exist", account)
		}
		rs, m, err := tx.Registry().ListRepositories(account, p)
		if err != nil {
			return err
		}
		more = m
		if len(rs) == 0 {
			// Nothing to authorize one by one; the caller must still be
			// allowed to describe the account's repositories, or an empty
			// page would answer a caller with no permission at all.
			return s.authz.Authorize(tx, call, "ecr-public:DescribeRepositories", s.RepositoryARN(account, "*"), nil, nil)
		}
		for _, r := range rs {
			if err := s.authorize(tx, call, "ecr-public:DescribeRepositories", r); err != nil {
				return err
			}
			out = append(out, s.info(acct, r))
		}
		return nil
	})
	return out, more, err
}

// DeleteRepository deletes a repository; with force, also its images. The
// content of blobs no repository links any more is left to the garbage
// collector (internal/gc), which deletes it once its grace period is over.
func (s *Service) DeleteRepository(ctx context.Context, call *authz.Call, ref Ref, force bool) (RepositoryInfo, error) {
	var out RepositoryInfo
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		acct, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorize(tx, call, "ecr-public:DeleteRepository", r); err != nil {
			return err
		}
		ms, _, err := tx.Registry().ListManifests(r.AccountID, r.Name, store.Page{Max: 1})
		if err != nil {
			return err
		}
		if len(ms) > 0 && !force {
			return coded(errs.Conflict, CodeRepositoryNotEmpty, "The repository with name '%s' in registry with id '%s' cannot be deleted because it still contains images", r.Name, r.AccountID)
		}
		if err := tx.Registry().DeleteRepository(r.AccountID, r.Name); err != nil {
			return err
		}
		out = s.info(acct, r)
		return nil
	})
	return out, err
}
