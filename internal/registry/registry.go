// Package registry is Wharf's registry service: ECR Public repositories,
// blobs and uploads, manifests, tags, referrers, repository policies and
// catalog data. Both wire protocols reach it — the OCI Distribution API
// (internal/api/oci) and the ECR Public JSON API (internal/api/ecrpublic) —
// so a push over /v2/ is authorized as ecr-public:InitiateLayerUpload,
// UploadLayerPart, CompleteLayerUpload and PutImage exactly as the JSON API
// is. Reads of images are public, as on ECR Public; every write and every
// repository administration call is authorized, with the repository policy
// in the decision.
//
// It never imports net/http.
package registry

import (
	"crypto/rand"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
)

// Service implements the registry.
type Service struct {
	store     store.Store
	blobs     blob.Store
	authz     *authz.Authorizer
	now       func() time.Time
	partition string
	// Host is the public host[:port] repository URIs name.
	Host string
	// redirectTTL, when > 0, redirects blob downloads to presigned URLs
	// valid that long (SetBlobRedirect).
	redirectTTL time.Duration
}

// New returns the registry service.
func New(st store.Store, blobs blob.Store, az *authz.Authorizer, publicHost string, now func() time.Time) *Service {
	return &Service{store: st, blobs: blobs, authz: az, now: now, partition: "aws", Host: publicHost}
}

// Error codes the service uses; adapters map them to their protocol's codes
// (OCI error codes, ECR Public exception names).
const (
	CodeRepositoryNotFound      = "RepositoryNotFound"
	CodeRepositoryAlreadyExists = "RepositoryAlreadyExists"
	CodeRepositoryNotEmpty      = "RepositoryNotEmpty"
	CodePolicyNotFound          = "RepositoryPolicyNotFound"
	CodeCatalogDataNotFound     = "RepositoryCatalogDataNotFound"
	CodeRegistryNotFound        = "RegistryNotFound"
	CodeNameInvalid             = "NameInvalid"
	CodeTagInvalid              = "TagInvalid"
	CodeDigestInvalid           = "DigestInvalid"
	CodeBlobUnknown             = "BlobUnknown"
	CodeBlobReferenced          = "BlobReferenced" // deleting a blob an image uses
	CodeUploadUnknown           = "UploadUnknown"
	CodeUploadInvalid           = "UploadInvalid" // out-of-order or overlapping chunk
	CodeUploadBusy              = "UploadBusy"    // another request holds the upload
	CodeDigestMismatch          = "DigestMismatch"
	CodeManifestUnknown         = "ManifestUnknown"
	CodeManifestInvalid         = "ManifestInvalid"
	CodeManifestBlobUnknown     = "ManifestBlobUnknown"
	CodeManifestTooLarge        = "ManifestTooLarge"
	CodeImageReferenced         = "ImageReferencedByManifestList"
	CodeInvalidParameter        = "InvalidParameter"
	CodeTooManyTags             = "TooManyTags"
	CodeInvalidTagParameter     = "InvalidTagParameter"
)

func coded(k errs.Kind, code, format string, args ...any) error {
	return errs.Coded(k, code, format, args...)
}

// Limits.
const (
	// MaxManifestSize is ECR Public's ImageManifest limit (4 MiB).
	MaxManifestSize   = 4 << 20
	maxRepoTags       = 50
	maxPolicyChars    = 10240
	defaultAliasChars = 8
)

// repositoryNameRE is ECR Public's RepositoryName pattern (2–205 characters).
var repositoryNameRE = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// tagRE is the OCI distribution spec's tag pattern.
var tagRE = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

// aliasRE is ECR Public's registry alias pattern.
var aliasRE = regexp.MustCompile(`^[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*$`)

// ValidRepositoryName checks a repository name (without the registry alias).
func ValidRepositoryName(name string) error {
	if len(name) < 2 || len(name) > 205 || !repositoryNameRE.MatchString(name) {
		return coded(errs.Invalid, CodeNameInvalid, "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and be 2 to 205 characters': %q", name)
	}
	return nil
}

// ValidTag checks an image tag.
func ValidTag(tag string) error {
	if !tagRE.MatchString(tag) {
		return coded(errs.Invalid, CodeTagInvalid, "invalid tag %q: a tag is [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}", tag)
	}
	return nil
}

// RepositoryARN returns a repository's ARN.
func (s *Service) RepositoryARN(account, name string) string {
	return "arn:" + s.partition + ":ecr-public::" + account + ":repository/" + name
}

// RegistryARN returns an account's registry ARN.
func (s *Service) RegistryARN(account string) string {
	return "arn:" + s.partition + ":ecr-public::" + account + ":registry/" + account
}

// RepositoryURI returns <public host>/<alias>/<name>.
func (s *Service) RepositoryURI(alias, name string) string {
	return s.Host + "/" + alias + "/" + name
}

// Ref names a repository either by account (ECR Public API) or by registry
// alias (OCI names <alias>/<repository>).
type Ref struct {
	Account string
	Alias   string
	Name    string
}

// ParseImageName splits an OCI name "<alias>/<repository>".
func ParseImageName(name string) (Ref, error) {
	i := strings.IndexByte(name, '/')
	if i <= 0 {
		return Ref{}, coded(errs.Invalid, CodeNameInvalid, "invalid repository name %q: Wharf image names are <registry alias>/<repository>", name)
	}
	alias, repo := name[:i], name[i+1:]
	if !aliasRE.MatchString(alias) || len(alias) > 50 {
		return Ref{}, coded(errs.Invalid, CodeNameInvalid, "invalid registry alias %q", alias)
	}
	if err := ValidRepositoryName(repo); err != nil {
		return Ref{}, err
	}
	return Ref{Alias: alias, Name: repo}, nil
}

// resolve finds the account of a Ref and the repository (ErrNotFound kinds).
func (s *Service) resolve(tx store.Tx, ref Ref) (store.Account, store.Repository, error) {
	var acct store.Account
	var err error
	if ref.Account != "" {
		acct, err = tx.Accounts().Get(ref.Account)
	} else {
		acct, err = tx.Accounts().GetByAlias(ref.Alias)
	}
	if errors.Is(err, store.ErrNotFound) {
		return acct, store.Repository{}, coded(errs.NotFound, CodeRepositoryNotFound, "The repository with name '%s' does not exist in the registry with id '%s'", ref.Name, firstNonEmpty(ref.Account, ref.Alias))
	}
	if err != nil {
		return acct, store.Repository{}, err
	}
	repo, err := tx.Registry().GetRepository(acct.ID, ref.Name)
	if errors.Is(err, store.ErrNotFound) {
		return acct, repo, coded(errs.NotFound, CodeRepositoryNotFound, "The repository with name '%s' does not exist in the registry with id '%s'", ref.Name, acct.ID)
	}
	return acct, repo, err
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// authorize decides an ecr-public action on a repository, with its
// repository policy and its tags (aws:ResourceTag/…) in the decision.
func (s *Service) authorize(tx store.Tx, call *authz.Call, action string, repo store.Repository) error {
	return s.authorizeRepo(tx, call, action, repo, nil)
}

// NewUploadID returns an unguessable upload ID in UUID form (ECR Public's UploadId pattern).
func NewUploadID() string { return secrets.NewUUID() }

// newAlias returns a default registry alias: a letter then 7 letters or digits.
func newAlias() string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [defaultAliasChars]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	out := make([]byte, defaultAliasChars)
	out[0] = letters[int(b[0])%len(letters)]
	for i := 1; i < defaultAliasChars; i++ {
		out[i] = chars[int(b[i])%len(chars)]
	}
	return string(out)
}
