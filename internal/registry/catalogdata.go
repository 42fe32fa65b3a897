package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// Repository catalog data: the Gallery's description, architectures,
// operating systems, logo, about and usage texts. It is stored as the JSON
// of CatalogData in store.Repository.CatalogData. The logo image is a blob
// in the blob store, linked to the repository like a layer (so it is kept
// while the repository is, and served by the OCI blob endpoint); the
// catalog data keeps its digest, and clients see a logoUrl.

// Catalog data limits (the model's).
const (
	maxDescriptionChars = 1024
	maxMarkdownChars    = 25600
	maxPlatformItems    = 50
	maxPlatformChars    = 50
	maxLogoBytes        = 512000
)

// CatalogDataInput is repository catalog data as a client sends it.
type CatalogDataInput struct {
	Description      string
	Architectures    []string
	OperatingSystems []string
	Logo             []byte // the logo image; empty for none
	AboutText        string
	UsageText        string
}

// CatalogData is repository catalog data as stored and returned.
type CatalogData struct {
	Description      string   `json:"description,omitempty"`
	Architectures    []string `json:"architectures,omitempty"`
	OperatingSystems []string `json:"operatingSystems,omitempty"`
	AboutText        string   `json:"aboutText,omitempty"`
	UsageText        string   `json:"usageText,omitempty"`
	// LogoDigest is the digest of the logo blob, "" for none.
	LogoDigest string `json:"logoDigest,omitempty"`
	// LogoURL is where the logo is served; computed on read, never stored.
	LogoURL string `json:"-"`
}

func invalidCatalog(member, constraint string, args ...any) error {
	return coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'catalogData.%s' failed to satisfy constraint: '%s'", member, fmt.Sprintf(constraint, args...))
}

// Validate checks the model's limits.
func (in CatalogDataInput) Validate() error {
	if utf8.RuneCountInString(in.Description) > maxDescriptionChars {
		return invalidCatalog("description", "Member must have length less than or equal to %d", maxDescriptionChars)
	}
	if utf8.RuneCountInString(in.AboutText) > maxMarkdownChars {
		return invalidCatalog("aboutText", "Member must have length less than or equal to %d", maxMarkdownChars)
	}
	if utf8.RuneCountInString(in.UsageText) > maxMarkdownChars {
		return invalidCatalog("usageText", "Member must have length less than or equal to %d", maxMarkdownChars)
	}
	for member, list := range map[string][]string{"architectures": in.Architectures, "operatingSystems": in.OperatingSystems} {
		if len(list) > maxPlatformItems {
			return invalidCatalog(member, "Member must have length less than or equal to %d", maxPlatformItems)
		}
		for _, v := range list {
			if n := utf8.RuneCountInString(v); n < 1 || n > maxPlatformChars {
				return invalidCatalog(member, "Member must have items of length between 1 and %d", maxPlatformChars)
			}
		}
	}
	if len(in.Logo) > maxLogoBytes {
		return invalidCatalog("logoImageBlob", "Member must have length less than or equal to %d", maxLogoBytes)
	}
	return nil
}

// catalogData decodes a repository's stored catalog data and fills in the logo URL.
func (s *Service) catalogData(alias string, r store.Repository) (CatalogData, error) {
	var c CatalogData
	if r.CatalogData == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(r.CatalogData), &c); err != nil {
		return c, fmt.Errorf("stored catalog data of %s does not decode: %w", r.Name, err)
	}
	if c.LogoDigest != "" {
		c.LogoURL = "https://" + s.Host + "/v2/" + alias + "/" + r.Name + "/blobs/" + c.LogoDigest
	}
	return c, nil
}

// storeLogo puts a logo image into the blob store, under its held record
// (nothing links it yet).
func (s *Service) storeLogo(ctx context.Context, logo []byte) (digest.Digest, error) {
	d := digest.FromBytes(logo)
	if err := s.reserveBlob(ctx, d, int64(len(logo))); err != nil {
		return "", err
	}
	if _, err := s.blobs.Stat(ctx, d); err == nil {
		return d, nil
	}
	w, err := s.blobs.Upload(ctx, NewUploadID(), false)
	if err != nil {
		return "", err
	}
	if _, err := w.Write(logo); err != nil {
		_ = w.Cancel()
		return "", err
	}
	if _, err := w.Commit(ctx, d); err != nil {
		_ = w.Cancel()
		return "", err
	}
	return d, nil
}

// encodeCatalog stores a logo (when there is one) and returns the catalog
// data to keep.
func (s *Service) encodeCatalog(ctx context.Context, in CatalogDataInput) (CatalogData, string, error) {
	c := CatalogData{Description: in.Description, Architectures: in.Architectures, OperatingSystems: in.OperatingSystems, AboutText: in.AboutText, UsageText: in.UsageText}
	if len(in.Logo) > 0 {
		d, err := s.storeLogo(ctx, in.Logo)
		if err != nil {
			return c, "", err
		}
		c.LogoDigest = d.String()
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return c, "", err
	}
	raw := bytes.TrimSpace(b.Bytes())
	if string(raw) == "{}" {
		return c, "", nil
	}
	return c, string(raw), nil
}

// CreateRepositoryWithCatalog is CreateRepository with the ECR Public API's
// catalog data (validated, the logo stored) and validated tags.
func (s *Service) CreateRepositoryWithCatalog(ctx context.Context, call *authz.Call, name string, in CatalogDataInput, tags []store.Tag) (RepositoryInfo, CatalogData, error) {
	if err := ValidRepositoryName(name); err != nil {
		return RepositoryInfo{}, CatalogData{}, err
	}
	if err := ValidateTags(tags); err != nil {
		return RepositoryInfo{}, CatalogData{}, err
	}
	if err := in.Validate(); err != nil {
		return RepositoryInfo{}, CatalogData{}, err
	}
	c, raw, err := s.encodeCatalog(ctx, in)
	if err != nil {
		return RepositoryInfo{}, CatalogData{}, err
	}
	info, err := s.CreateRepository(ctx, call, CreateRepositoryInput{Name: name, CatalogData: raw, Tags: tags})
	if err != nil {
		return info, CatalogData{}, err // a logo stored is left to the garbage collector
	}
	if c.LogoDigest != "" {
		err = s.store.Tx(ctx, func(tx store.Tx) error {
			return s.linkBlob(ctx, tx, info.AccountID, info.Name, digest.Digest(c.LogoDigest), int64(len(in.Logo)))
		})
		if err != nil {
			return info, CatalogData{}, err
		}
	}
	out, err := s.catalogData(info.Alias, info.Repository)
	return info, out, err
}

// GetRepositoryCatalogData returns a repository's catalog data, empty when
// it has none (ecr-public:GetRepositoryCatalogData).
func (s *Service) GetRepositoryCatalogData(ctx context.Context, call *authz.Call, ref Ref) (CatalogData, error) {
	var out CatalogData
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		acct, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:GetRepositoryCatalogData", r, nil); err != nil {
			return err
		}
		out, err = s.catalogData(acct.Alias, r)
		return err
	})
	return out, err
}

// PutRepositoryCatalogData replaces a repository's catalog data
// (ecr-public:PutRepositoryCatalogData): members not given are cleared,
// the logo included.
func (s *Service) PutRepositoryCatalogData(ctx context.Context, call *authz.Call, ref Ref, in CatalogDataInput) (CatalogData, error) {
	if err := in.Validate(); err != nil {
		return CatalogData{}, err
	}
	// Authorize before anything reaches the blob store; the transaction
	// below decides again on what it reads.
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		return s.authorizeRepo(tx, call, "ecr-public:PutRepositoryCatalogData", r, nil)
	})
	if err != nil {
		return CatalogData{}, err
	}
	c, raw, err := s.encodeCatalog(ctx, in)
	if err != nil {
		return CatalogData{}, err
	}
	var out CatalogData
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		acct, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:PutRepositoryCatalogData", r, nil); err != nil {
			return err
		}
		old, err := s.catalogData(acct.Alias, r)
		if err != nil {
			return err
		}
		if c.LogoDigest != "" {
			if err := s.linkBlob(ctx, tx, r.AccountID, r.Name, digest.Digest(c.LogoDigest), int64(len(in.Logo))); err != nil {
				return err
			}
		}
		r.CatalogData = raw
		if err := tx.Registry().UpdateRepository(r); err != nil {
			return err
		}
		if old.LogoDigest != "" && old.LogoDigest != c.LogoDigest {
			// Unlink the old logo unless an image of the repository uses
			// the same bytes as a layer; the garbage collector deletes the
			// content once no repository links it.
			if _, err := tx.GC().UnlinkUnreferenced(r.AccountID, r.Name, old.LogoDigest, endOfTime); err != nil {
				return err
			}
		}
		out, err = s.catalogData(acct.Alias, r)
		return err
	})
	if err != nil {
		return CatalogData{}, err
	}
	return out, nil
}
