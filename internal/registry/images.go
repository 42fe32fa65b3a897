package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// Images as the ECR Public API sees them: DescribeImages, DescribeImageTags,
// BatchDeleteImage, BatchCheckLayerAvailability and PutImage.

// ImageID names an image by digest, tag, or both.
type ImageID struct {
	Digest string
	Tag    string
}

// ImageFailure is why one image of a batch was not processed. Code is one of
// ECR Public's ImageFailureCode values.
type ImageFailure struct {
	ID     ImageID
	Code   string
	Reason string
}

// ImageFailureCode values.
const (
	FailureInvalidImageDigest         = "InvalidImageDigest"
	FailureImageTagDoesNotMatchDigest = "ImageTagDoesNotMatchDigest"
	FailureImageNotFound              = "ImageNotFound"
	FailureMissingDigestAndTag        = "MissingDigestAndTag"
	FailureImageReferenced            = "ImageReferencedByManifestList"
)

// ImageDetail describes a manifest in a repository.
type ImageDetail struct {
	Digest            string
	Tags              []string
	Size              int64 // for an index, the largest member's size
	PushedAt          time.Time
	MediaType         string
	ArtifactMediaType string // the config's media type (or artifactType), "" for an index
}

func imageDetail(m store.Manifest, tags []string) ImageDetail {
	return ImageDetail{Digest: m.Digest, Tags: tags, Size: m.ImageSize, PushedAt: m.PushedAt, MediaType: m.MediaType, ArtifactMediaType: m.ArtifactType}
}

// findImage looks an ImageID up in a repository; a problem with the ID
// itself or a missing image is a failure, not an error.
func findImage(tx store.Tx, r store.Repository, id ImageID) (store.Manifest, *ImageFailure, error) {
	fail := func(code, reason string) (store.Manifest, *ImageFailure, error) {
		return store.Manifest{}, &ImageFailure{ID: id, Code: code, Reason: reason}, nil
	}
	if id.Digest == "" && id.Tag == "" {
		return fail(FailureMissingDigestAndTag, "Invalid request parameters: both tag and digest cannot be null")
	}
	d := id.Digest
	if d != "" {
		if _, err := ParseDigest(d); err != nil {
			return fail(FailureInvalidImageDigest, "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'")
		}
	}
	if id.Tag != "" {
		t, err := tx.Registry().GetTag(r.AccountID, r.Name, id.Tag)
		if errors.Is(err, store.ErrNotFound) {
			return fail(FailureImageNotFound, "Requested image not found")
		}
		if err != nil {
			return store.Manifest{}, nil, err
		}
		if d != "" && d != t.Digest {
			return fail(FailureImageTagDoesNotMatchDigest, "Invalid request parameters: given tag does not map to the given digest")
		}
		d = t.Digest
	}
	m, err := tx.Registry().GetManifest(r.AccountID, r.Name, d)
	if errors.Is(err, store.ErrNotFound) {
		return fail(FailureImageNotFound, "Requested image not found")
	}
	return m, nil, err
}

// DescribeImages describes a repository's images
// (ecr-public:DescribeImages): those named by ids (ImageNotFound for the
// first that is not there), or else one page of all of them in digest
// order (the marker is a digest).
func (s *Service) DescribeImages(ctx context.Context, call *authz.Call, ref Ref, ids []ImageID, p store.Page) ([]ImageDetail, bool, error) {
	var out []ImageDetail
	var more bool
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		out, more = nil, false
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:DescribeImages", r, nil); err != nil {
			return err
		}
		var ms []store.Manifest
		if ids != nil {
			seen := map[string]bool{}
			for _, id := range ids {
				m, fail, err := findImage(tx, r, id)
				if err != nil {
					return err
				}
				if fail != nil {
					if fail.Code == FailureImageNotFound {
						return coded(errs.NotFound, CodeImageNotFound, "The image with imageId {imageDigest:'%s', imageTag:'%s'} does not exist within the repository with name '%s' in the registry with id '%s'", id.Digest, id.Tag, r.Name, r.AccountID)
					}
					return coded(errs.Invalid, CodeInvalidParameter, "%s", fail.Reason)
				}
				if !seen[m.Digest] {
					seen[m.Digest] = true
					ms = append(ms, m)
				}
			}
		} else {
			ms, more, err = tx.Registry().ListManifestSummaries(r.AccountID, r.Name, p)
			if err != nil {
				return err
			}
		}
		if len(ms) == 0 {
			return nil
		}
		tags, err := tx.Registry().TagsOfMany(r.AccountID, r.Name, digestsOf(ms, func(m store.Manifest) string { return m.Digest }))
		if err != nil {
			return err
		}
		for _, m := range ms {
			out = append(out, imageDetail(m, tags[m.Digest]))
		}
		return nil
	})
	return out, more, err
}

// digestsOf returns the digest of each of items, each digest once, in
// order: the batch to look them up with.
func digestsOf[T any](items []T, digest func(T) string) []string {
	seen := make(map[string]bool, len(items))
	out := make([]string, 0, len(items))
	for _, it := range items {
		if d := digest(it); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// TagDetail describes a tag and the image it names.
type TagDetail struct {
	Tag       string
	CreatedAt time.Time
	Image     ImageDetail // without Tags
}

// DescribeImageTags lists one page of a repository's tags with their images
// (ecr-public:DescribeImageTags); the marker is a tag.
func (s *Service) DescribeImageTags(ctx context.Context, call *authz.Call, ref Ref, p store.Page) ([]TagDetail, bool, error) {
	var out []TagDetail
	var more bool
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		out = nil
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:DescribeImageTags", r, nil); err != nil {
			return err
		}
		var ts []store.ImageTag
		ts, more, err = tx.Registry().ListTags(r.AccountID, r.Name, p)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return nil
		}
		ms, err := tx.Registry().GetManifestSummaries(r.AccountID, r.Name, digestsOf(ts, func(t store.ImageTag) string { return t.Digest }))
		if err != nil {
			return err
		}
		for _, t := range ts {
			m, ok := ms[t.Digest]
			if !ok {
				// Not in one snapshot: a tag names a manifest of its
				// repository, and deleting the manifest deletes the tag.
				return fmt.Errorf("registry: tag %s of %s/%s names manifest %s: %w", t.Name, r.AccountID, r.Name, t.Digest, store.ErrNotFound)
			}
			out = append(out, TagDetail{Tag: t.Name, CreatedAt: t.CreatedAt, Image: imageDetail(m, nil)})
		}
		return nil
	})
	return out, more, err
}

// BatchDeleteImage deletes images (ecr-public:BatchDeleteImage), each
// named by digest, tag or both. By digest, the image goes with all its tags,
// unless an index in the repository lists it (ImageReferencedByManifestList).
// By tag, the tag goes, and the image too when that was its last tag and no
// index lists it. It returns the IDs deleted — one per tag removed, or the
// digest alone for an untagged image — and the failures. Blobs stay linked
// to the repository until its blobs are collected.
func (s *Service) BatchDeleteImage(ctx context.Context, call *authz.Call, ref Ref, ids []ImageID) ([]ImageID, []ImageFailure, error) {
	var deleted []ImageID
	var failures []ImageFailure
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		deleted, failures = []ImageID{}, []ImageFailure{}
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:BatchDeleteImage", r, nil); err != nil {
			return err
		}
		for _, id := range ids {
			m, fail, err := findImage(tx, r, id)
			if err != nil {
				return err
			}
			if fail != nil {
				failures = append(failures, *fail)
				continue
			}
			referenced, err := tx.Registry().ManifestReferenced(r.AccountID, r.Name, m.Digest)
			if err != nil {
				return err
			}
			if id.Tag != "" {
				if err := tx.Registry().DeleteTag(r.AccountID, r.Name, id.Tag); err != nil {
					return err
				}
				deleted = append(deleted, ImageID{Digest: m.Digest, Tag: id.Tag})
				left, err := tx.Registry().TagsOf(r.AccountID, r.Name, m.Digest)
				if err != nil {
					return err
				}
				if len(left) == 0 && !referenced {
					if err := tx.Registry().DeleteManifest(r.AccountID, r.Name, m.Digest); err != nil {
						return err
					}
				}
				continue
			}
			if referenced {
				failures = append(failures, ImageFailure{ID: id, Code: FailureImageReferenced, Reason: "Requested image is referenced by a manifest list in the repository"})
				continue
			}
			tags, err := tx.Registry().TagsOf(r.AccountID, r.Name, m.Digest)
			if err != nil {
				return err
			}
			if err := tx.Registry().DeleteManifest(r.AccountID, r.Name, m.Digest); err != nil {
				return err
			}
			if len(tags) == 0 {
				deleted = append(deleted, ImageID{Digest: m.Digest})
			}
			for _, t := range tags {
				deleted = append(deleted, ImageID{Digest: m.Digest, Tag: t})
			}
		}
		return nil
	})
	return deleted, failures, err
}

// Layer is a blob of a repository.
type Layer struct {
	Digest string
	Size   int64
}

// LayerFailure is why a layer was not found. Code is one of ECR Public's
// LayerFailureCode values.
type LayerFailure struct {
	Digest string
	Code   string
	Reason string
}

// LayerFailureCode values.
const (
	FailureInvalidLayerDigest = "InvalidLayerDigest"
	FailureMissingLayerDigest = "MissingLayerDigest"
)

// BatchCheckLayerAvailability reports which blobs a repository holds
// (ecr-public:BatchCheckLayerAvailability).
func (s *Service) BatchCheckLayerAvailability(ctx context.Context, call *authz.Call, ref Ref, digests []string) ([]Layer, []LayerFailure, error) {
	var layers []Layer
	var failures []LayerFailure
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		layers, failures = []Layer{}, []LayerFailure{}
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:BatchCheckLayerAvailability", r, nil); err != nil {
			return err
		}
		for _, d := range digests {
			if _, err := ParseDigest(d); err != nil {
				failures = append(failures, LayerFailure{Digest: d, Code: FailureInvalidLayerDigest, Reason: "Invalid layer digest"})
				continue
			}
			size, err := tx.Registry().BlobSize(r.AccountID, r.Name, d)
			if errors.Is(err, store.ErrNotFound) {
				failures = append(failures, LayerFailure{Digest: d, Code: FailureMissingLayerDigest, Reason: "Could not find layer with digest " + d})
				continue
			}
			if err != nil {
				return err
			}
			layers = append(layers, Layer{Digest: d, Size: size})
		}
		return nil
	})
	return layers, failures, err
}

// PutImageInput is PutImage's request.
type PutImageInput struct {
	Manifest  []byte
	MediaType string // "" to take the manifest's own mediaType
	Tag       string // "" to store the image by digest only
	Digest    string // when given, the manifest's digest must be this
}

// PutImage stores an image manifest (ecr-public:PutImage), as PutManifest
// does, with ECR Public's checks around it: the manifest's digest must be
// Digest when that is given (ImageDigestDoesNotMatch), and pushing what is
// already there — the same manifest under the same tag, or an untagged push
// of a manifest the repository has — is ImageAlreadyExists. A missing blob
// is ManifestBlobUnknown; a missing manifest an index lists is
// ReferencedImagesNotFound. It returns the digest and media type stored.
func (s *Service) PutImage(ctx context.Context, call *authz.Call, ref Ref, in PutImageInput) (PutManifestResult, error) {
	var res PutManifestResult
	want := digest.Digest("")
	if in.Digest != "" {
		d, err := ParseDigest(in.Digest)
		if err != nil {
			return res, err
		}
		if got := d.Algorithm().FromBytes(in.Manifest); got != d {
			return res, coded(errs.Invalid, CodeImageDigestDoesNotMatch, "The digest of the manifest is %s, not %s", got, d)
		}
		if in.Tag != "" && d.Algorithm() != digest.SHA256 {
			return res, coded(errs.Invalid, CodeInvalidParameter, "Invalid parameter at 'imageDigest': a tagged image is stored by its sha256 digest")
		}
		want = d
	}
	if in.Tag != "" {
		if err := ValidTag(in.Tag); err != nil {
			return res, err
		}
	}
	if want == "" {
		want = digest.FromBytes(in.Manifest)
	}
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:PutImage", r, nil); err != nil {
			return err
		}
		if in.Tag != "" {
			t, err := tx.Registry().GetTag(r.AccountID, r.Name, in.Tag)
			if err == nil && t.Digest == want.String() {
				return coded(errs.AlreadyExists, CodeImageAlreadyExists, "Image with digest '%s' and tag '%s' already exists in the repository with name '%s' in registry with id '%s'", want, in.Tag, r.Name, r.AccountID)
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return nil
		}
		_, err = tx.Registry().GetManifest(r.AccountID, r.Name, want.String())
		if err == nil {
			return coded(errs.AlreadyExists, CodeImageAlreadyExists, "Image with digest '%s' already exists in the repository with name '%s' in registry with id '%s'", want, r.Name, r.AccountID)
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return res, err
	}
	reference := in.Tag
	if reference == "" {
		reference = want.String()
	}
	res, err = s.PutManifest(ctx, call, ref, reference, in.MediaType, in.Manifest)
	var e *errs.Error
	if errors.As(err, &e) && e.Code == CodeManifestUnknown {
		// PutManifest looks manifests up only for the members of an index.
		return res, coded(errs.Invalid, CodeReferencedImagesNotFound, "%s", strings.Replace(e.Message, "the index references", "The manifest list references", 1))
	}
	return res, err
}
