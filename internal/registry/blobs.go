package registry

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// ParseDigest validates a digest ("sha256:<64 hex>" or "sha512:<128 hex>").
func ParseDigest(s string) (digest.Digest, error) {
	d, err := digest.Parse(s)
	if err != nil {
		return "", coded(errs.Invalid, CodeDigestInvalid, "invalid digest %q: %v", s, err)
	}
	if d.Algorithm() != digest.SHA256 && d.Algorithm() != digest.SHA512 {
		return "", coded(errs.Invalid, CodeDigestInvalid, "unsupported digest algorithm %q (sha256 and sha512 are)", d.Algorithm())
	}
	return d, nil
}

// BlobSize returns the size of a blob linked to a repository. Reads are
// public, as on ECR Public.
func (s *Service) BlobSize(ctx context.Context, ref Ref, d digest.Digest) (int64, error) {
	var size int64
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		_, r, err := s.resolve(tx, ref)
		if err != nil {
			return err
		}
		size, err = tx.Registry().BlobSize(r.AccountID, r.Name, d.String())
		if errors.Is(err, store.ErrNotFound) {
			return coded(errs.NotFound, CodeBlobUnknown, "blob %s is not in repository %s", d, r.Name)
		}
		return err
	})
	return size, err
}

// OpenBlob opens a blob linked to a repository.
func (s *Service) OpenBlob(ctx context.Context, ref Ref, d digest.Digest) (blob.Reader, error) {
	if _, err := s.BlobSize(ctx, ref, d); err != nil {
		return nil, err
	}
	rd, err := s.blobs.Open(ctx, d)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, coded(errs.NotFound, CodeBlobUnknown, "blob %s is missing from the blob store", d)
	}
	return rd, err
}

// BlobRedirect returns where a client may download a blob linked to a
// repository directly (a presigned object-store URL), when the blob store
// can and redirects are on (SetBlobRedirect); ok is false otherwise. The
// link is checked first: a redirect never reveals a blob the repository
// does not hold.
func (s *Service) BlobRedirect(ctx context.Context, ref Ref, d digest.Digest) (url string, ok bool, err error) {
	rd, can := s.blobs.(blob.Redirector)
	if !can || s.redirectTTL <= 0 {
		return "", false, nil
	}
	if _, err := s.BlobSize(ctx, ref, d); err != nil {
		return "", false, err
	}
	u, err := rd.RedirectURL(ctx, d, s.redirectTTL)
	if err != nil {
		return "", false, err
	}
	return u, true, nil
}

// SetBlobRedirect turns redirects of blob downloads on (ttl > 0: the
// presigned URLs' lifetime) or off.
func (s *Service) SetBlobRedirect(ttl time.Duration) { s.redirectTTL = ttl }

// writeRepository resolves a repository for a write and authorizes action.
func (s *Service) writeRepository(ctx context.Context, call *authz.Call, ref Ref, action string) (store.Repository, error) {
	var r store.Repository
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		var err error
		if _, r, err = s.resolve(tx, ref); err != nil {
			return err
		}
		return s.authorize(tx, call, action, r)
	})
	return r, err
}

// StartUpload begins a blob upload into a repository
// (ecr-public:InitiateLayerUpload).
func (s *Service) StartUpload(ctx context.Context, call *authz.Call, ref Ref) (string, error) {
	r, err := s.writeRepository(ctx, call, ref, "ecr-public:InitiateLayerUpload")
	if err != nil {
		return "", err
	}
	id := NewUploadID()
	w, err := s.blobs.Upload(ctx, id, false)
	if err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		return tx.Registry().CreateUpload(store.Upload{ID: id, AccountID: r.AccountID, Repository: r.Name, CreatedAt: s.now().UTC()})
	})
	if err != nil {
		if w, werr := s.blobs.Upload(ctx, id, true); werr == nil {
			_ = w.Cancel()
		}
		return "", err
	}
	return id, nil
}

// upload finds an upload of the repository (UploadUnknown otherwise).
func (s *Service) upload(ctx context.Context, r store.Repository, id string) error {
	return store.View(ctx, s.store, func(tx store.Tx) error {
		u, err := tx.Registry().GetUpload(id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (u.AccountID != r.AccountID || u.Repository != r.Name)) {
			return coded(errs.NotFound, CodeUploadUnknown, "upload %s is unknown to repository %s", id, r.Name)
		}
		return err
	})
}

// openUpload authorizes action on the repository, checks the upload is one
// of its own and resumes it.
func (s *Service) openUpload(ctx context.Context, call *authz.Call, ref Ref, id, action string) (store.Repository, blob.Writer, error) {
	r, err := s.writeRepository(ctx, call, ref, action)
	if err != nil {
		return r, nil, err
	}
	if err := s.upload(ctx, r, id); err != nil {
		return r, nil, err
	}
	w, err := s.blobs.Upload(ctx, id, true)
	if err != nil {
		return r, nil, s.uploadErr(err, id)
	}
	return r, w, nil
}

// UploadStatus returns how many bytes an upload holds.
func (s *Service) UploadStatus(ctx context.Context, call *authz.Call, ref Ref, id string) (int64, error) {
	_, w, err := s.openUpload(ctx, call, ref, id, "ecr-public:UploadLayerPart")
	if err != nil {
		return 0, err
	}
	defer w.Close()
	return w.Size(), nil
}

func (s *Service) uploadErr(err error, id string) error {
	switch {
	case errors.Is(err, blob.ErrUploadNotFound):
		return coded(errs.NotFound, CodeUploadUnknown, "upload %s is unknown", id)
	case errors.Is(err, blob.ErrUploadBusy):
		return coded(errs.Unavailable, CodeUploadBusy, "upload %s is being written by another request; try again shortly", id)
	}
	return err
}

// AppendUpload writes a chunk at offset (ecr-public:UploadLayerPart). offset
// -1 appends wherever the upload is. The chunk must start where the upload
// ends: anything else is UploadInvalid and changes nothing. It returns the
// upload's new size.
func (s *Service) AppendUpload(ctx context.Context, call *authz.Call, ref Ref, id string, offset int64, body io.Reader) (int64, error) {
	_, w, err := s.openUpload(ctx, call, ref, id, "ecr-public:UploadLayerPart")
	if err != nil {
		return 0, err
	}
	if offset >= 0 && offset != w.Size() {
		size := w.Size()
		w.Close()
		return size, coded(errs.Invalid, CodeUploadInvalid, "the chunk starts at byte %d, but the upload holds %d bytes", offset, size)
	}
	if _, err := io.Copy(w, body); err != nil {
		// Keep what arrived intact: a client may resume from Size.
		size := w.Size()
		w.Close()
		return size, coded(errs.Invalid, CodeUploadInvalid, "the chunk did not arrive whole: %v", err)
	}
	size := w.Size()
	return size, w.Close()
}

// CompleteUpload writes a last chunk (possibly empty), verifies the digest
// and links the blob to the repository (ecr-public:CompleteLayerUpload). On a
// digest mismatch nothing becomes visible and the upload is gone.
func (s *Service) CompleteUpload(ctx context.Context, call *authz.Call, ref Ref, id string, d digest.Digest, offset int64, last io.Reader) (int64, error) {
	r, w, err := s.openUpload(ctx, call, ref, id, "ecr-public:CompleteLayerUpload")
	if err != nil {
		return 0, err
	}
	if last != nil {
		if offset >= 0 && offset != w.Size() {
			size := w.Size()
			w.Close()
			return size, coded(errs.Invalid, CodeUploadInvalid, "the chunk starts at byte %d, but the upload holds %d bytes", offset, size)
		}
		if _, err := io.Copy(w, last); err != nil {
			w.Close()
			return 0, coded(errs.Invalid, CodeUploadInvalid, "the chunk did not arrive whole: %v", err)
		}
	}
	if err := s.reserveBlob(ctx, d, w.Size()); err != nil {
		w.Close()
		return 0, err
	}
	size, err := w.Commit(ctx, d)
	if errors.Is(err, blob.ErrDigestMismatch) {
		s.dropUpload(ctx, id)
		return 0, coded(errs.Invalid, CodeDigestMismatch, "the uploaded content does not match digest %s", d)
	}
	if errors.Is(err, blob.ErrUnsupportedAlgorithm) {
		w.Close()
		return 0, coded(errs.Invalid, CodeDigestInvalid, "unsupported digest algorithm %s", d.Algorithm())
	}
	if err != nil {
		return 0, err
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := s.linkBlob(ctx, tx, r.AccountID, r.Name, d, size); err != nil {
			return err
		}
		return tx.Registry().DeleteUpload(id)
	})
	return size, err
}

// PurgeUploads forgets the uploads started before t, whether or not their
// clients still write them: an upload's record outlives its bytes (which
// the blob store purges once left untouched), and without this the records
// of abandoned uploads would pile up for good. It returns how many.
func (s *Service) PurgeUploads(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.Registry().DeleteUploadsBefore(before)
		return err
	})
	return n, err
}

func (s *Service) dropUpload(ctx context.Context, id string) {
	_ = s.store.Tx(ctx, func(tx store.Tx) error { return tx.Registry().DeleteUpload(id) })
}

// CancelUpload discards an upload.
func (s *Service) CancelUpload(ctx context.Context, call *authz.Call, ref Ref, id string) error {
	r, err := s.writeRepository(ctx, call, ref, "ecr-public:UploadLayerPart")
	if err != nil {
		return err
	}
	if err := s.upload(ctx, r, id); err != nil {
		return err
	}
	if w, err := s.blobs.Upload(ctx, id, true); err == nil {
		_ = w.Cancel()
	}
	s.dropUpload(ctx, id)
	return nil
}

// MountBlob links a blob from another repository (which anyone may read) into
// ref (ecr-public:InitiateLayerUpload on the target). ok is false when the
// source does not have it; the caller then starts a normal upload.
func (s *Service) MountBlob(ctx context.Context, call *authz.Call, ref, from Ref, d digest.Digest) (bool, error) {
	r, err := s.writeRepository(ctx, call, ref, "ecr-public:InitiateLayerUpload")
	if err != nil {
		return false, err
	}
	size, err := s.BlobSize(ctx, from, d)
	if err != nil {
		return false, nil
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		return s.linkBlob(ctx, tx, r.AccountID, r.Name, d, size)
	})
	var e *errs.Error
	if errors.As(err, &e) && e.Code == CodeBlobUnknown {
		return false, nil // collected meanwhile: the client uploads it
	}
	return err == nil, err
}

// DeleteBlob unlinks a blob from a repository (ecr-public:BatchDeleteImage).
// A blob a manifest of the repository lists, or its catalog data names (the
// logo), stays: BlobReferenced. The content goes from the blob store once
// no repository links it, with the garbage collector (internal/gc).
func (s *Service) DeleteBlob(ctx context.Context, call *authz.Call, ref Ref, d digest.Digest) error {
	r, err := s.writeRepository(ctx, call, ref, "ecr-public:BatchDeleteImage")
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx store.Tx) error {
		_, err := tx.Registry().BlobSize(r.AccountID, r.Name, d.String())
		if errors.Is(err, store.ErrNotFound) {
			return coded(errs.NotFound, CodeBlobUnknown, "blob %s is not in repository %s", d, r.Name)
		}
		if err != nil {
			return err
		}
		ok, err := tx.GC().UnlinkUnreferenced(r.AccountID, r.Name, d.String(), endOfTime)
		if err == nil && !ok {
			err = coded(errs.Conflict, CodeBlobReferenced, "blob %s is used by an image (or the logo) of repository %s: delete the image first", d, r.Name)
		}
		return err
	})
}

// endOfTime is after every link was made.
var endOfTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Waiting for the garbage collector to finish deleting a blob's content.
const (
	reserveWait  = 10 * time.Second
	reservePause = 50 * time.Millisecond
)

// reserveBlob holds the blob's record before its content is written to the
// blob store (an upload completing, a logo), so that a sweep of the garbage
// collector leaves the content alone for its grace period at least. When
// a sweep is deleting the blob's content, it waits for that to end (the
// content is then written anew), up to reserveWait, then asks the client to
// try again.
func (s *Service) reserveBlob(ctx context.Context, d digest.Digest, size int64) error {
	if _, err := blob.CheckDigest(d); err != nil {
		return nil // no content can have it: Commit refuses it
	}
	deadline := time.Now().Add(reserveWait)
	for {
		err := s.store.Tx(ctx, func(tx store.Tx) error { return tx.Blobs().Hold(d.String(), size, s.now().UTC()) })
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		if time.Now().After(deadline) {
			return coded(errs.Unavailable, CodeUploadBusy, "blob %s is being deleted by the garbage collector; try again shortly", d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(reservePause):
		}
	}
}

// linkBlob links a blob to a repository inside tx: it holds the blob's
// record, then checks that the blob store has the content. The record is
// what a sweep of the garbage collector must tombstone before it deletes
// content, in a transaction that finds no link: so of this link and such a
// tombstone, one sees the other (see store.Blobs), and a link is never
// committed to content that is gone. When the content is being deleted, or
// is gone, the link fails with BlobUnknown and the client uploads again.
func (s *Service) linkBlob(ctx context.Context, tx store.Tx, account, repo string, d digest.Digest, size int64) error {
	err := tx.Blobs().Hold(d.String(), size, s.now().UTC())
	if errors.Is(err, store.ErrConflict) {
		return coded(errs.Unavailable, CodeBlobUnknown, "blob %s is being deleted by the garbage collector; upload it again", d)
	}
	if err != nil {
		return err
	}
	if _, err := s.blobs.Stat(ctx, d); err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return coded(errs.Unavailable, CodeBlobUnknown, "blob %s was removed while it was being linked; upload it again", d)
		}
		return err
	}
	return tx.Registry().LinkBlob(account, repo, d.String(), size)
}
