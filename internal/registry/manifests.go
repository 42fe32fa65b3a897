package registry

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// Manifest media types Wharf accepts.
const (
	MediaTypeOCIManifest    = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeOCIIndex       = "application/vnd.oci.image.index.v1+json"
	MediaTypeDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	MediaTypeDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaTypeOCIEmpty       = "application/vnd.oci.empty.v1+json"
)

// Descriptor is an OCI content descriptor.
type Descriptor struct {
	MediaType    string            `json:"mediaType"`
	Digest       string            `json:"digest"`
	Size         int64             `json:"size"`
	ArtifactType string            `json:"artifactType,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	URLs         []string          `json:"urls,omitempty"`
	Platform     json.RawMessage   `json:"platform,omitempty"`
}

// document is the union of the manifest and index shapes.
type document struct {
	SchemaVersion *int              `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	ArtifactType  string            `json:"artifactType"`
	Config        *Descriptor       `json:"config"`
	Layers        []Descriptor      `json:"layers"`
	Manifests     []Descriptor      `json:"manifests"`
	Subject       *Descriptor       `json:"subject"`
	Annotations   map[string]string `json:"annotations"`
}

func isIndex(mt string) bool { return mt == MediaTypeOCIIndex || mt == MediaTypeDockerList }

// parseManifest checks a manifest's shape and settles its media type from
// the declared Content-Type and the document's own mediaType.
func parseManifest(content []byte, contentType string) (document, string, error) {
	var doc document
	if len(content) > MaxManifestSize {
		return doc, "", coded(errs.Invalid, CodeManifestTooLarge, "the manifest is %d bytes; the limit is %d", len(content), MaxManifestSize)
	}
	// json.Unmarshal, unlike a Decoder, rejects data after the document.
	if err := json.Unmarshal(content, &doc); err != nil {
		return doc, "", coded(errs.Invalid, CodeManifestInvalid, "the manifest is not valid JSON: %v", err)
	}
	if doc.SchemaVersion == nil || *doc.SchemaVersion != 2 {
		return doc, "", coded(errs.Invalid, CodeManifestInvalid, "unsupported manifest: schemaVersion must be 2")
	}
	mt := contentType
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	if mt == "" || mt == "application/json" || mt == "application/octet-stream" {
		mt = doc.MediaType
	}
	if mt == "" {
		if doc.Manifests != nil {
			mt = MediaTypeOCIIndex
		} else {
			mt = MediaTypeOCIManifest
		}
	}
	if doc.MediaType != "" && doc.MediaType != mt {
		return doc, "", coded(errs.Invalid, CodeManifestInvalid, "the manifest's mediaType %q does not match its Content-Type %q", doc.MediaType, mt)
	}
	switch mt {
	case MediaTypeOCIManifest, MediaTypeDockerManifest:
		if doc.Config == nil {
			return doc, "", coded(errs.Invalid, CodeManifestInvalid, "an image manifest needs a config descriptor")
		}
	case MediaTypeOCIIndex, MediaTypeDockerList:
		if doc.Manifests == nil {
			return doc, "", coded(errs.Invalid, CodeManifestInvalid, "an index needs a manifests list")
		}
	default:
		return doc, "", coded(errs.Invalid, CodeManifestInvalid, "unsupported manifest media type %q", mt)
	}
	all := append(append([]Descriptor{}, doc.Layers...), doc.Manifests...)
	if doc.Config != nil {
		all = append(all, *doc.Config)
	}
	if doc.Subject != nil {
		all = append(all, *doc.Subject)
	}
	for _, d := range all {
		if _, err := digest.Parse(d.Digest); err != nil {
			return doc, "", coded(errs.Invalid, CodeManifestInvalid, "descriptor digest %q is invalid: %v", d.Digest, err)
		}
		if d.Size < 0 {
			return doc, "", coded(errs.Invalid, CodeManifestInvalid, "descriptor %s has a negative size", d.Digest)
		}
	}
	return doc, mt, nil
}

// PutManifestResult is what PutManifest stored.
type PutManifestResult struct {
	Digest    digest.Digest
	MediaType string
	Subject   string // the subject's digest, for the OCI-Subject header
}

// PutManifest stores a manifest under a tag or its digest
// (ecr-public:PutImage). Every blob it references must be in the repository
// (ManifestBlobUnknown), and every manifest an index references too.
func (s *Service) PutManifest(ctx context.Context, call *authz.Call, ref Ref, reference, contentType string, content []byte) (PutManifestResult, error) {
	var res PutManifestResult
	doc, mt, err := parseManifest(content, contentType)
	if err != nil {
		return res, err
	}
	alg := digest.SHA256
	var tag string
	if strings.Contains(reference, ":") {
		want, err := ParseDigest(reference)
		if err != nil {
			return res, err
		}
		alg = want.Algorithm()
		if got := alg.FromBytes(content); got != want {
			return res, coded(errs.Invalid, CodeDigestInvalid, "the manifest's digest is %s, not %s", got, want)
		}
	} else {
		if err := ValidTag(reference); err != nil {
			return res, err
		}
		tag = reference
	}
	d := alg.FromBytes(content)
	res = PutManifestResult{Digest: d, MediaType: mt}
	m := store.Manifest{Digest: d.String(), MediaType: mt, Content: content, PushedAt: s.now().UTC()}
	m.ArtifactType = doc.ArtifactType
	if m.ArtifactType == "" && doc.Config != nil && doc.Config.MediaType != mediaTypeOCIEmpty {
		m.ArtifactType = doc.Config.MediaType
	}
	if doc.Subject != nil {
		m.Subject = doc.Subject.Digest
		res.Subject = doc.Subject.Digest
	}
	if len(doc.Annotations) > 0 {
		b, _ := json.Marshal(doc.Annotations)
		m.Annotations = string(b)
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorize(tx, call, "ecr-public:PutImage", r); err != nil {
			return err
		}
		m.AccountID, m.Repository = r.AccountID, r.Name
		size := int64(len(content))
		if isIndex(mt) {
			var largest int64
			for _, c := range doc.Manifests {
				child, err := tx.Registry().GetManifest(r.AccountID, r.Name, c.Digest)
				if errors.Is(err, store.ErrNotFound) {
					return coded(errs.Invalid, CodeManifestUnknown, "the index references manifest %s, which is not in repository %s", c.Digest, r.Name)
				}
				if err != nil {
					return err
				}
				m.Manifests = append(m.Manifests, c.Digest)
				largest = max(largest, child.ImageSize)
			}
			size = largest
		} else {
			blobs := append([]Descriptor{*doc.Config}, doc.Layers...)
			for _, b := range blobs {
				if len(b.URLs) > 0 || strings.Contains(b.MediaType, "nondistributable") || strings.Contains(b.MediaType, "foreign") {
					continue // foreign layers live elsewhere
				}
				n, err := tx.Registry().BlobSize(r.AccountID, r.Name, b.Digest)
				if errors.Is(err, store.ErrNotFound) {
					return coded(errs.Invalid, CodeManifestBlobUnknown, "the manifest references blob %s, which is not in repository %s", b.Digest, r.Name)
				}
				if err != nil {
					return err
				}
				m.Blobs = append(m.Blobs, b.Digest)
				size += n
			}
		}
		m.ImageSize = size
		if err := tx.Registry().PutManifest(m); err != nil {
			return err
		}
		if tag != "" {
			return tx.Registry().PutTag(r.AccountID, r.Name, store.ImageTag{Name: tag, Digest: m.Digest, CreatedAt: m.PushedAt})
		}
		return nil
	})
	return res, err
}

// GetManifest returns a manifest by tag or digest. Reads are public.
func (s *Service) GetManifest(ctx context.Context, ref Ref, reference string) (store.Manifest, error) {
	var m store.Manifest
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		d := reference
		if !strings.Contains(reference, ":") {
			if err := ValidTag(reference); err != nil {
				return err
			}
			t, err := tx.Registry().GetTag(r.AccountID, r.Name, reference)
			if errors.Is(err, store.ErrNotFound) {
				return coded(errs.NotFound, CodeManifestUnknown, "tag %s is not in repository %s", reference, r.Name)
			}
			if err != nil {
				return err
			}
			d = t.Digest
		} else if _, err := ParseDigest(reference); err != nil {
			return err
		}
		m, err = tx.Registry().GetManifest(r.AccountID, r.Name, d)
		if errors.Is(err, store.ErrNotFound) {
			return coded(errs.NotFound, CodeManifestUnknown, "manifest %s is not in repository %s", d, r.Name)
		}
		return err
	})
	return m, err
}

// DeleteManifest deletes a manifest by digest (with its tags), or only a tag
// (ecr-public:BatchDeleteImage). Blobs only it referenced stay linked to the
// repository until the repository's blobs are collected.
func (s *Service) DeleteManifest(ctx context.Context, call *authz.Call, ref Ref, reference string) error {
	return s.store.Tx(ctx, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorize(tx, call, "ecr-public:BatchDeleteImage", r); err != nil {
			return err
		}
		if !strings.Contains(reference, ":") {
			if err := ValidTag(reference); err != nil {
				return err
			}
			err := tx.Registry().DeleteTag(r.AccountID, r.Name, reference)
			if errors.Is(err, store.ErrNotFound) {
				return coded(errs.NotFound, CodeManifestUnknown, "tag %s is not in repository %s", reference, r.Name)
			}
			return err
		}
		if _, err := ParseDigest(reference); err != nil {
			return err
		}
		err = tx.Registry().DeleteManifest(r.AccountID, r.Name, reference)
		if errors.Is(err, store.ErrNotFound) {
			return coded(errs.NotFound, CodeManifestUnknown, "manifest %s is not in repository %s", reference, r.Name)
		}
		return err
	})
}

// ListTags lists a repository's tags after last, at most n (0: all). Reads are public.
func (s *Service) ListTags(ctx context.Context, ref Ref, last string, n int) ([]string, bool, error) {
	var out []string
	var more bool
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		p := store.Page{Marker: last, Max: n}
		if n == 0 {
			p.Max = 1000
		}
		for {
			ts, m, err := tx.Registry().ListTags(r.AccountID, r.Name, p)
			if err != nil {
				return err
			}
			for _, t := range ts {
				out = append(out, t.Name)
			}
			if n > 0 || !m || len(ts) == 0 {
				more = m && n > 0
				return nil
			}
			p.Marker = ts[len(ts)-1].Name
		}
	})
	return out, more, err
}

// Referrers lists the manifests that name digest as their subject, as
// descriptors, filtered by artifactType when it is not empty. Reads are public.
func (s *Service) Referrers(ctx context.Context, ref Ref, d digest.Digest, artifactType string) ([]Descriptor, error) {
	var out []Descriptor
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		ms, err := tx.Registry().Referrers(r.AccountID, r.Name, d.String())
		if err != nil {
			return err
		}
		for _, m := range ms {
			if artifactType != "" && m.ArtifactType != artifactType {
				continue
			}
			desc := Descriptor{MediaType: m.MediaType, Digest: m.Digest, Size: int64(len(m.Content)), ArtifactType: m.ArtifactType}
			if m.Annotations != "" {
				_ = json.Unmarshal([]byte(m.Annotations), &desc.Annotations)
			}
			out = append(out, desc)
		}
		return nil
	})
	return out, err
}

// Catalog lists repositories as "alias/name" after last, at most n (0: 1000).
func (s *Service) Catalog(ctx context.Context, last string, n int) ([]string, bool, error) {
	var out []string
	var more bool
	if n == 0 {
		n = 1000
	}
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		var err error
		out, more, err = tx.Registry().Catalog(store.Page{Marker: last, Max: n})
		return err
	})
	return out, more, err
}
