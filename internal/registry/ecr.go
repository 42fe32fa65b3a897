package registry

// The parts of the registry that only the ECR Public JSON API reaches:
// registryId resolution, registries, registry catalog data, and the
// authorization helper that adds a repository's tags to the request context.

import (
	"context"
	"errors"
	"regexp"
	"unicode/utf8"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// Error codes only the ECR Public API raises (the OCI API has no
// equivalents); adapters map them as they map the codes in registry.go.
const (
	CodeImageAlreadyExists       = "ImageAlreadyExists"
	CodeImageDigestDoesNotMatch  = "ImageDigestDoesNotMatch"
	CodeImageNotFound            = "ImageNotFound"
	CodeReferencedImagesNotFound = "ReferencedImagesNotFound"
	CodeLayerAlreadyExists       = "LayerAlreadyExists"
	CodeEmptyUpload              = "EmptyUpload"
)

// Layer part sizes of the ECR Public upload API.
const (
	// LayerPartSize is the part size InitiateLayerUpload asks clients to
	// use: 10 MiB, what ECR returns (awscli's initiate-layer-upload
	// example) and ECR Public's documented maximum part size.
	LayerPartSize = 10 << 20
	// MaxLayerPartSize is the model's LayerPartBlob limit (20 MiB); the
	// quota page says 10 MiB, the model and the operation's docs 20 MiB,
	// and Wharf accepts the larger.
	MaxLayerPartSize = 20 << 20
)

var registryIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// RegistryAccount resolves the registryId member of an ECR Public request to
// an account ID. "" is the caller's own registry. Otherwise it must name an
// existing registry: by its 12-digit ID, or, where the member is a
// RegistryIdOrAlias (aliasOK), by a registry alias too. Another account's
// registry is resolved like the caller's own: whether the caller may act
// on it is the policies' decision (a repository policy may grant
// cross-account push), not this lookup's.
func (s *Service) RegistryAccount(ctx context.Context, call *authz.Call, registryID string, aliasOK bool) (string, error) {
	if registryID == "" {
		if call == nil || call.Subject == nil {
			return "", coded(errs.Unauthenticated, "MissingAuthenticationToken", "Request is missing Authentication Token")
		}
		return call.Subject.Caller.Account, nil
	}
	isID := registryIDRE.MatchString(registryID)
	switch {
	case !aliasOK && !isID:
		return "", coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''")
	case aliasOK && (len(registryID) < 2 || len(registryID) > 50):
		return "", coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'registryId' failed to satisfy constraint: 'Member must have length between 2 and 50'")
	}
	var account string
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		var acct store.Account
		var err error
		if isID {
			acct, err = tx.Accounts().Get(registryID)
		} else {
			acct, err = tx.Accounts().GetByAlias(registryID)
		}
		if errors.Is(err, store.ErrNotFound) {
			return coded(errs.NotFound, CodeRegistryNotFound, "The registry with id '%s' does not exist", registryID)
		}
		account = acct.ID
		return err
	})
	return account, err
}

// ECRRef validates an ECR Public request's repositoryName and resolves its
// registryId (see RegistryAccount) into a Ref.
func (s *Service) ECRRef(ctx context.Context, call *authz.Call, registryID, name string, aliasOK bool) (Ref, error) {
	if err := ValidRepositoryName(name); err != nil {
		return Ref{}, err
	}
	account, err := s.RegistryAccount(ctx, call, registryID, aliasOK)
	if err != nil {
		return Ref{}, err
	}
	return Ref{Account: account, Name: name}, nil
}

// authorizeRepo is authorize with extra request context, and with the
// repository's tags as aws:ResourceTag/… and ecr-public:ResourceTag/…, so
// that tag-based conditions in policies see them.
func (s *Service) authorizeRepo(tx store.Tx, call *authz.Call, action string, repo store.Repository, extra map[string][]string) error {
	if call == nil || call.Subject == nil {
		return coded(errs.Unauthenticated, "UNAUTHORIZED", "authentication required")
	}
	var rp []policy.Attached
	if repo.Policy != "" {
		p, err := s.authz.Compile(repo.Policy, policy.ResourcePolicy)
		if err != nil {
			return errors.New("stored repository policy of " + repo.Name + " no longer parses: " + err.Error())
		}
		rp = []policy.Attached{{Source: policy.Source{ID: "repository policy of " + repo.Name, Type: "resource"}, Policy: p}}
	}
	ctx := resourceTags(repo)
	for k, v := range extra {
		ctx[k] = v
	}
	return s.authz.Authorize(tx, call, action, s.RepositoryARN(repo.AccountID, repo.Name), rp, ctx)
}

// GetRepositories returns the named repositories of an account, authorized
// as ecr-public:DescribeRepositories each (RepositoryNotFound for the first
// that does not exist). Repeated names are answered once.
func (s *Service) GetRepositories(ctx context.Context, call *authz.Call, account string, names []string) ([]RepositoryInfo, error) {
	for _, n := range names {
		if err := ValidRepositoryName(n); err != nil {
			return nil, err
		}
	}
	var out []RepositoryInfo
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		seen := map[string]bool{}
		for _, n := range names {
			if seen[n] {
				continue
			}
			seen[n] = true
			acct, r, err := s.resolve(tx, Ref{Account: account, Name: n})
			if err != nil {
				return err
			}
			if err := s.authorizeRepo(tx, call, "ecr-public:DescribeRepositories", r, nil); err != nil {
				return err
			}
			out = append(out, s.info(acct, r))
		}
		return nil
	})
	return out, err
}

// RegistryInfo describes an account's registry.
type RegistryInfo struct {
	ID    string
	ARN   string
	URI   string // <public host>/<alias>; "" while the registry has no alias
	Alias string // "" until the first repository is created
}

// DescribeRegistry returns the caller's registry
// (ecr-public:DescribeRegistries on the registry ARN).
func (s *Service) DescribeRegistry(ctx context.Context, call *authz.Call) (RegistryInfo, error) {
	account, err := s.RegistryAccount(ctx, call, "", false)
	if err != nil {
		return RegistryInfo{}, err
	}
	var out RegistryInfo
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authz.Authorize(tx, call, "ecr-public:DescribeRegistries", s.RegistryARN(account), nil, nil); err != nil {
			return err
		}
		acct, err := tx.Accounts().Get(account)
		if errors.Is(err, store.ErrNotFound) {
			return coded(errs.NotFound, CodeRegistryNotFound, "The registry with id '%s' does not exist", account)
		}
		if err != nil {
			return err
		}
		out = RegistryInfo{ID: acct.ID, ARN: s.RegistryARN(acct.ID), Alias: acct.Alias}
		if acct.Alias != "" {
			out.URI = s.Host + "/" + acct.Alias
		}
		return nil
	})
	return out, err
}

// maxDisplayNameChars is RegistryDisplayName's limit.
const maxDisplayNameChars = 100

// GetRegistryCatalogData returns the caller's registry display name
// (ecr-public:GetRegistryCatalogData on the registry ARN).
func (s *Service) GetRegistryCatalogData(ctx context.Context, call *authz.Call) (string, error) {
	account, err := s.RegistryAccount(ctx, call, "", false)
	if err != nil {
		return "", err
	}
	var name string
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authz.Authorize(tx, call, "ecr-public:GetRegistryCatalogData", s.RegistryARN(account), nil, nil); err != nil {
			return err
		}
		a, err := tx.Accounts().Get(account)
		name = a.DisplayName
		return err
	})
	return name, err
}

// PutRegistryCatalogData sets the caller's registry display name
// (ecr-public:PutRegistryCatalogData on the registry ARN).
func (s *Service) PutRegistryCatalogData(ctx context.Context, call *authz.Call, displayName string) (string, error) {
	if utf8.RuneCountInString(displayName) > maxDisplayNameChars {
		return "", coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'displayName' failed to satisfy constraint: 'Member must have length less than or equal to %d'", maxDisplayNameChars)
	}
	account, err := s.RegistryAccount(ctx, call, "", false)
	if err != nil {
		return "", err
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := s.authz.Authorize(tx, call, "ecr-public:PutRegistryCatalogData", s.RegistryARN(account), nil, nil); err != nil {
			return err
		}
		return tx.Accounts().SetDisplayName(account, displayName)
	})
	return displayName, err
}
