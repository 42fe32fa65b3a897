// Package fs is the blob store on a local filesystem, Wharf's embedded
// default. Everything lives under one root directory, which must be a single
// filesystem (uploads become blobs by rename(2)):
//
//	<root>/
//	├── blobs/                          complete, verified blobs and nothing else
//	│   ├── sha256/
//	│   │   └── ab/                     the first two hex digits of the digest
//	│   │       └── ab12…ef             the blob's bytes, mode 0444
//	│   └── sha512/
//	│       └── cd/
//	│           └── cd34…01             (128 hex digits)
//	├── uploads/                        one directory per upload in progress
//	│   └── <id>/                       id matches [A-Za-z0-9_-]{1,128}
//	│       ├── data                    the bytes received so far; flock(2)ed by the writer holding it
//	│       ├── state                   JSON: size plus the sha256 and sha512 hash states
//	│       │                           (encoding.BinaryMarshaler) after exactly size bytes
//	│       └── state.tmp               a state being saved, renamed over state
//	└── tmp/
//	    └── upload-<random>/            a new upload's directory, built here and renamed to uploads/<id>
//
// The invariants, which hold across a crash at any point:
//
//   - A path under blobs/ only ever appears by rename(2) of a data file whose
//     digest was verified and which was fsynced first, and blobs are never
//     written in place: a blob path holds the complete content or nothing.
//     Committing a blob that exists discards the upload and keeps the blob.
//   - state never claims more than data holds: Close fsyncs data before it
//     renames a new state into place. Bytes past state's size (written but
//     not yet saved when the process died) are cut off when the upload is
//     resumed, and the client resumes from Size. An upload whose state or
//     data is missing or unreadable is ErrUploadNotFound (removed at once
//     when its state is unreadable, by Purge when its data is gone). Commit
//     trusts the saved hash state and does not re-read data: that fsync is
//     what makes the two agree.
//   - Only the writer holding the flock on uploads/<id>/data touches the
//     upload; a second Upload of the same id fails until it lets go. A lock
//     taken on a file that was committed or discarded meanwhile is noticed
//     (the path no longer names the locked file) and comes to nothing.
//     Where flock(2) is missing (Windows, Solaris, AIX) nothing enforces
//     this.
//
// Nothing under uploads/ or tmp/ is ever visible as a blob. An abandoned
// upload stays until Purge removes it (or it is resumed and finished).
//
// The package must never write into a blob file, never follow a caller's
// string into a path without validating it (digests with go-digest, upload
// IDs against the set above), and never hold a whole blob in memory: writes
// stream to the data file and hash as they go.
package fs

import (
	"context"
	_ "crypto/sha256" // registers the algorithms go-digest validates
	_ "crypto/sha512"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
)

// Store keeps blobs and uploads under a root directory. It is safe for
// concurrent use, also by several processes sharing the root on a local
// filesystem (flock over NFS is not to be relied on).
type Store struct {
	root string
}

var _ blob.Store = (*Store)(nil)

// The layout's directories, relative to the root.
const (
	blobsDir   = "blobs"
	uploadsDir = "uploads"
	tmpDir     = "tmp"
)

// New opens the store at root, creating the directories it needs.
func New(root string) (*Store, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("blob/fs: %w", err)
	}
	s := &Store{root: root}
	for _, dir := range []string{
		filepath.Join(root, blobsDir, string(digest.SHA256)),
		filepath.Join(root, blobsDir, string(digest.SHA512)),
		filepath.Join(root, uploadsDir),
		filepath.Join(root, tmpDir),
	} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("blob/fs: %w", err)
		}
	}
	// Make the directories themselves durable, so that fsyncing a fan-out
	// directory's parent later is enough.
	for _, dir := range []string{root, filepath.Join(root, blobsDir)} {
		if err := syncDir(dir); err != nil {
			return nil, fmt.Errorf("blob/fs: %w", err)
		}
	}
	return s, nil
}

// Root returns the store's root directory.
func (s *Store) Root() string { return s.root }

// blobPath returns where the blob d lives; d has passed blob.CheckDigest.
func (s *Store) blobPath(d digest.Digest) string {
	enc := d.Encoded()
	return filepath.Join(s.root, blobsDir, string(d.Algorithm()), enc[:2], enc)
}

// lookup validates d for Stat, Open and Delete.
func (s *Store) lookup(ctx context.Context, d digest.Digest) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if _, err := blob.CheckDigest(d); err != nil {
		if errors.Is(err, blob.ErrInvalidDigest) {
			return "", fmt.Errorf("%w: %w", blob.ErrNotFound, err)
		}
		return "", err
	}
	return s.blobPath(d), nil
}

// Stat returns a blob's size.
func (s *Store) Stat(ctx context.Context, d digest.Digest) (int64, error) {
	p, err := s.lookup(ctx, d)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, notFound(d, err)
	}
	return fi.Size(), nil
}

// Open returns a reader of the blob: the file itself, so Seek is free.
func (s *Store) Open(ctx context.Context, d digest.Digest) (blob.Reader, error) {
	p, err := s.lookup(ctx, d)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, notFound(d, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob/fs: %w", err)
	}
	return &reader{f: f, size: fi.Size()}, nil
}

// Delete removes a blob. A reader that has it open keeps reading it.
func (s *Store) Delete(ctx context.Context, d digest.Digest) error {
	p, err := s.lookup(ctx, d)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		return notFound(d, err)
	}
	if err := syncDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("blob/fs: %w", err)
	}
	return nil
}

// notFound turns a missing file into blob.ErrNotFound (ENOTDIR: a file
// where a fan-out directory should be holds no blobs either).
func notFound(d digest.Digest, err error) error {
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w: %s", blob.ErrNotFound, d)
	}
	return fmt.Errorf("blob/fs: %w", err)
}

// reader is an open blob file. It hides the rest of *os.File (Write, Fd, …).
type reader struct {
	f    *os.File
	size int64
}

func (r *reader) Read(p []byte) (int, error)                   { return r.f.Read(p) }
func (r *reader) Seek(offset int64, whence int) (int64, error) { return r.f.Seek(offset, whence) }
func (r *reader) Close() error                                 { return r.f.Close() }
func (r *reader) Size() int64                                  { return r.size }

// ReadAt lets an io.SectionReader (http.ServeContent of a range) read
// without seeking.
func (r *reader) ReadAt(p []byte, off int64) (int, error) { return r.f.ReadAt(p, off) }

var (
	_ blob.Reader = (*reader)(nil)
	_ io.ReaderAt = (*reader)(nil)
)

// syncDir fsyncs a directory, making the creation, rename or removal of its
// entries durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
