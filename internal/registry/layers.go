package registry

import (
	"bytes"
	"context"
	"errors"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// Layer uploads as the ECR Public API makes them: InitiateLayerUpload is
// StartUpload; UploadLayerPart and CompleteLayerUpload are below.

// UploadLayerPart appends a part to an upload (ecr-public:UploadLayerPart).
// The part must be bytes first..last, and first must be where the upload
// ends; otherwise it is UploadInvalid and nothing changes. Either way it
// returns how many bytes the upload holds (so the last valid byte is one
// less).
func (s *Service) UploadLayerPart(ctx context.Context, call *authz.Call, ref Ref, id string, first, last int64, part []byte) (int64, error) {
	n := int64(len(part))
	if n == 0 || n > MaxLayerPartSize || first < 0 || last != first+n-1 {
		size, err := s.UploadStatus(ctx, call, ref, id)
		if err != nil {
			return 0, err
		}
		if n > MaxLayerPartSize {
			return size, coded(errs.Invalid, CodeUploadInvalid, "The layer part has %d bytes; a part has at most %d", n, MaxLayerPartSize)
		}
		return size, coded(errs.Invalid, CodeUploadInvalid, "The layer part has %d bytes, which is not partFirstByte %d to partLastByte %d", n, first, last)
	}
	size, err := s.AppendUpload(ctx, call, ref, id, first, bytes.NewReader(part))
	var e *errs.Error
	if errors.As(err, &e) && e.Code == CodeUploadInvalid {
		return size, coded(errs.Invalid, CodeUploadInvalid, "The layer part starts at byte %d, but the upload holds %d bytes: the next part must start at byte %d", first, size, size)
	}
	return size, err
}

// CompleteLayerUpload verifies an upload against its digest and links the
// blob to the repository (ecr-public:CompleteLayerUpload). A blob the
// repository already holds is LayerAlreadyExists (and the upload is
// dropped); an upload without bytes is EmptyUpload; a digest mismatch is
// DigestMismatch, and the upload is gone.
func (s *Service) CompleteLayerUpload(ctx context.Context, call *authz.Call, ref Ref, id string, layerDigest string) (digest.Digest, error) {
	d, err := ParseDigest(layerDigest)
	if err != nil {
		return "", err
	}
	var r store.Repository
	var exists bool
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		var err error
		if _, r, err = s.resolve(tx, ref); err != nil {
			return err
		}
		if err := s.authorizeRepo(tx, call, "ecr-public:CompleteLayerUpload", r, nil); err != nil {
			return err
		}
		u, err := tx.Registry().GetUpload(id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (u.AccountID != r.AccountID || u.Repository != r.Name)) {
			return coded(errs.NotFound, CodeUploadUnknown, "The upload with id '%s' does not exist in the repository with name '%s' in the registry with id '%s'", id, r.Name, r.AccountID)
		}
		if err != nil {
			return err
		}
		_, err = tx.Registry().BlobSize(r.AccountID, r.Name, d.String())
		exists = err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if exists {
		if w, err := s.blobs.Upload(ctx, id, true); err == nil {
			_ = w.Cancel()
		}
		s.dropUpload(ctx, id)
		return "", coded(errs.AlreadyExists, CodeLayerAlreadyExists, "The layer with digest '%s' already exists in the repository with name '%s' in the registry with id '%s'", d, r.Name, r.AccountID)
	}
	w, err := s.blobs.Upload(ctx, id, true)
	if err != nil {
		return "", s.uploadErr(err, id)
	}
	if w.Size() == 0 {
		_ = w.Close()
		return "", coded(errs.Invalid, CodeEmptyUpload, "The upload with id '%s' has no layer parts", id)
	}
	if err := s.reserveBlob(ctx, d, w.Size()); err != nil {
		_ = w.Close()
		return "", err
	}
	size, err := w.Commit(ctx, d)
	if errors.Is(err, blob.ErrDigestMismatch) {
		s.dropUpload(ctx, id)
		return "", coded(errs.Invalid, CodeDigestMismatch, "The uploaded layer does not match the digest '%s'", d)
	}
	if errors.Is(err, blob.ErrUnsupportedAlgorithm) {
		_ = w.Close()
		return "", coded(errs.Invalid, CodeDigestInvalid, "unsupported digest algorithm %s", d.Algorithm())
	}
	if err != nil {
		return "", err
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := s.linkBlob(ctx, tx, r.AccountID, r.Name, d, size); err != nil {
			return err
		}
		return tx.Registry().DeleteUpload(id)
	})
	return d, err
}
