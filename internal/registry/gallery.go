package registry

// The public gallery's reads, and the registry alias setter.
//
// The gallery methods take no authz.Call: every ECR Public repository is
// public by definition. Its catalog data, tags and images are what
// anonymous `docker pull` and the public Gallery (gallery.ecr.aws) expose to
// anyone, so showing them needs no authorization — as GetManifest, ListTags
// and OpenBlob need none. They expose nothing else: no repository policy, no
// resource tags, no account ID (a repository is named by its registry
// alias), no upload or IAM data.

import (
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// CodeRegistryAliasAlreadyExists is the error code of SetRegistryAlias for
// an alias another registry holds. (AWS has no public API for aliases, so
// there is no AWS code to copy.)
const CodeRegistryAliasAlreadyExists = "RegistryAliasAlreadyExists"

// Gallery limits.
const (
	// galleryScanBatch is how many catalog entries one store call reads
	// while a search looks for matches.
	galleryScanBatch = 500
	// galleryMaxTags bounds the tags one gallery page lists.
	galleryMaxTags = 1000
)

// GalleryRepository is a public repository as the gallery shows it.
type GalleryRepository struct {
	Alias string
	Name  string
	// URI is <public host>/<alias>/<name>, what `docker pull` takes.
	URI string
	// DisplayName is the registry's display name (its registry catalog
	// data), "" for none.
	DisplayName string
	CreatedAt   time.Time
	Catalog     CatalogData
}

// GalleryTag is one tag of a public repository with the image it names.
type GalleryTag struct {
	Tag       string
	Digest    string
	Size      int64
	PushedAt  time.Time
	MediaType string
}

// GalleryDetail is one public repository's gallery page: its catalog data
// and its tags, newest first.
type GalleryDetail struct {
	GalleryRepository
	Tags []GalleryTag
	// TagsTruncated is set when the repository has more tags than a page lists.
	TagsTruncated bool
}

// GalleryRepositories lists public repositories of every account whose
// registry has an alias, in "alias/name" order, one page at a time (the
// marker is the last "alias/name" returned). A non-empty query keeps those
// whose name, alias, registry display name or description contains it,
// ignoring case. It needs no authorization (see the top of this file).
//
// A search reads the catalog in order until it has a page of matches, so
// its cost grows with the number of repositories scanned; that is the
// price of not indexing catalog text in the store.
func (s *Service) GalleryRepositories(ctx context.Context, query string, p store.Page) ([]GalleryRepository, bool, error) {
	max := p.Max
	if max <= 0 {
		max = 100
	}
	q := strings.ToLower(strings.TrimSpace(query))
	var out []GalleryRepository
	var more bool
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		out, more = nil, false
		accounts := map[string]store.Account{}
		marker := p.Marker
		for {
			names, catMore, err := tx.Registry().Catalog(store.Page{Marker: marker, Max: galleryScanBatch})
			if err != nil {
				return err
			}
			for _, full := range names {
				alias, name, ok := strings.Cut(full, "/")
				if !ok {
					continue
				}
				acct, seen := accounts[alias]
				if !seen {
					acct, err = tx.Accounts().GetByAlias(alias)
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
					accounts[alias] = acct
				}
				if acct.ID == "" {
					continue
				}
				r, err := tx.Registry().GetRepository(acct.ID, name)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				g, err := s.galleryRepository(acct, r)
				if err != nil {
					return err
				}
				if q != "" && !g.matches(q) {
					continue
				}
				if len(out) == max {
					more = true
					return nil
				}
				out = append(out, g)
			}
			if !catMore || len(names) == 0 {
				return nil
			}
			marker = names[len(names)-1]
		}
	})
	return out, more, err
}

func (g GalleryRepository) matches(q string) bool {
	for _, s := range []string{g.Name, g.Alias, g.DisplayName, g.Catalog.Description} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

func (s *Service) galleryRepository(acct store.Account, r store.Repository) (GalleryRepository, error) {
	c, err := s.catalogData(acct.Alias, r)
	if err != nil {
		return GalleryRepository{}, err
	}
	return GalleryRepository{Alias: acct.Alias, Name: r.Name, URI: s.RepositoryURI(acct.Alias, r.Name),
		DisplayName: acct.DisplayName, CreatedAt: r.CreatedAt, Catalog: c}, nil
}

// galleryRef validates a gallery address: a registry alias and a
// repository name.
func galleryRef(alias, name string) (Ref, error) {
	return ParseImageName(alias + "/" + name)
}

// GalleryRepository returns one public repository's catalog data and tags
// (newest first, at most 1,000). It needs no authorization (see the top of
// this file).
func (s *Service) GalleryRepository(ctx context.Context, alias, name string) (GalleryDetail, error) {
	ref, err := galleryRef(alias, name)
	if err != nil {
		return GalleryDetail{}, err
	}
	var out GalleryDetail
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		out = GalleryDetail{}
		acct, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if out.GalleryRepository, err = s.galleryRepository(acct, r); err != nil {
			return err
		}
		p := store.Page{Max: galleryMaxTags}
		ts, more, err := tx.Registry().ListTags(r.AccountID, r.Name, p)
		if err != nil {
			return err
		}
		out.TagsTruncated = more
		digests := make([]string, len(ts))
		for i, t := range ts {
			digests[i] = t.Digest
		}
		manifests, err := tx.Registry().GetManifestSummaries(r.AccountID, r.Name, digests)
		if err != nil {
			return err
		}
		for _, t := range ts {
			m, ok := manifests[t.Digest]
			if !ok {
				continue
			}
			pushed := t.CreatedAt
			if pushed.IsZero() {
				pushed = m.PushedAt
			}
			out.Tags = append(out.Tags, GalleryTag{Tag: t.Name, Digest: m.Digest, Size: m.ImageSize, PushedAt: pushed, MediaType: m.MediaType})
		}
		return nil
	})
	sort.SliceStable(out.Tags, func(i, j int) bool {
		if !out.Tags[i].PushedAt.Equal(out.Tags[j].PushedAt) {
			return out.Tags[i].PushedAt.After(out.Tags[j].PushedAt)
		}
		return out.Tags[i].Tag < out.Tags[j].Tag
	})
	return out, err
}

// GalleryLogo returns a public repository's logo image and its digest
// (NotFound when it has none). It needs no authorization (see the top of
// this file): the logo is also a blob of the repository, which anyone may
// pull. The bytes are returned as stored; the caller decides how to serve
// them (the API accepts any bytes as a logo).
func (s *Service) GalleryLogo(ctx context.Context, alias, name string) ([]byte, string, error) {
	ref, err := galleryRef(alias, name)
	if err != nil {
		return nil, "", err
	}
	var c CatalogData
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		acct, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		c, err = s.catalogData(acct.Alias, r)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if c.LogoDigest == "" {
		return nil, "", coded(errs.NotFound, CodeBlobUnknown, "the repository with name '%s' in the registry with alias '%s' has no logo", ref.Name, ref.Alias)
	}
	d, err := digest.Parse(c.LogoDigest)
	if err != nil {
		return nil, "", err
	}
	rd, err := s.blobs.Open(ctx, d)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, "", coded(errs.NotFound, CodeBlobUnknown, "the logo of repository '%s' is missing from the blob store", ref.Name)
	}
	if err != nil {
		return nil, "", err
	}
	defer rd.Close()
	b, err := io.ReadAll(io.LimitReader(rd, maxLogoBytes+1))
	if err != nil {
		return nil, "", err
	}
	return b, c.LogoDigest, nil
}

// SetRegistryAlias sets the caller's registry alias: the first path segment
// of every image name in the registry (<host>/<alias>/<repository>), so
// changing it changes every repository's URI and breaks pulls by the old
// names.
//
// AWS has no public API for this (ECR Public assigns a default alias with
// the first repository and sets custom ones through its console), so there
// is no AWS action for it either; Wharf guards it with
// ecr-public:PutRegistryCatalogData on the registry ARN, the action that
// edits the rest of what the Gallery shows about a registry. The alias is
// validated as ECR Public's RegistryAlias name: 2–50 characters,
// [a-z][a-z0-9]+(?:[._-][a-z0-9]+)*. An alias another registry holds is
// RegistryAliasAlreadyExists.
func (s *Service) SetRegistryAlias(ctx context.Context, call *authz.Call, alias string) (RegistryInfo, error) {
	if len(alias) < 2 || len(alias) > 50 || !aliasRE.MatchString(alias) {
		return RegistryInfo{}, coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'registryAlias' failed to satisfy constraint: 'must satisfy regular expression '[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*' and be 2 to 50 characters': %q", alias)
	}
	account, err := s.RegistryAccount(ctx, call, "", false)
	if err != nil {
		return RegistryInfo{}, err
	}
	var out RegistryInfo
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := s.authz.Authorize(tx, call, "ecr-public:PutRegistryCatalogData", s.RegistryARN(account), nil, nil); err != nil {
			return err
		}
		acct, err := tx.Accounts().Get(account)
		if errors.Is(err, store.ErrNotFound) {
			return coded(errs.NotFound, CodeRegistryNotFound, "The registry with id '%s' does not exist", account)
		}
		if err != nil {
			return err
		}
		if acct.Alias != alias {
			err := tx.Accounts().SetAlias(account, alias)
			if errors.Is(err, store.ErrAlreadyExists) {
				return coded(errs.AlreadyExists, CodeRegistryAliasAlreadyExists, "The registry alias '%s' is already used by another registry. Choose another alias.", alias)
			}
			if err != nil {
				return err
			}
		}
		out = RegistryInfo{ID: account, ARN: s.RegistryARN(account), Alias: alias, URI: s.Host + "/" + alias}
		return nil
	})
	return out, err
}
