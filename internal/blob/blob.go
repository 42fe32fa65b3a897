// Package blob is the contract of Wharf's content-addressed blob storage:
// immutable blobs named by their digest, and resumable uploads that become
// blobs only once complete and verified. internal/blob/fs keeps them on the
// local filesystem (the embedded default); internal/blob/s3 keeps them in an
// S3-compatible bucket (scale-out). Every implementation passes
// internal/blob/blobtest.
//
// The store knows bytes, not repositories: which repository may see a blob
// is metadata (internal/store), and authorization happens before any call
// here. Serving never lists blobs; only the garbage collector's scan for
// content without a record does (Lister).
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/opencontainers/go-digest"
)

// Errors, matched with errors.Is.
var (
	ErrNotFound             = errors.New("blob not found")
	ErrDigestMismatch       = errors.New("content does not match the digest")
	ErrUnsupportedAlgorithm = errors.New("unsupported digest algorithm") // sha256 and sha512 are supported
	ErrUploadNotFound       = errors.New("upload not found")
	// ErrUploadBusy: another writer holds the upload (in this process, another
	// one, or another replica); try again shortly.
	ErrUploadBusy = errors.New("the upload is held by another writer")
)

// Store holds blobs and uploads.
type Store interface {
	// Stat returns a blob's size, or ErrNotFound.
	Stat(ctx context.Context, d digest.Digest) (int64, error)
	// Open returns a reader of the whole blob, seekable for Range requests.
	Open(ctx context.Context, d digest.Digest) (Reader, error)
	// Upload starts a new upload (resume == false) or resumes the upload with
	// this ID (ErrUploadNotFound when there is none). IDs are chosen by the
	// caller (random, unguessable). Only one writer may hold an upload at a time.
	Upload(ctx context.Context, id string, resume bool) (Writer, error)
	// Delete removes a blob (ErrNotFound when absent). The caller has made
	// sure nothing references it.
	Delete(ctx context.Context, d digest.Digest) error
}

// Reader reads one blob.
type Reader interface {
	io.ReadSeekCloser
	Size() int64
}

// Writer appends to an upload. Bytes are digested as they stream; the
// digest state survives Close, so an upload can be resumed by another request
// (or, with a shared store, another replica).
type Writer interface {
	io.Writer
	// Size is the number of bytes the upload holds so far.
	Size() int64
	// Commit verifies that the upload's content has digest d (sha256 or
	// sha512) and makes it the blob d, atomically: the blob is visible
	// complete or not at all, and is durable when Commit returns. The upload
	// is gone afterwards. On ErrDigestMismatch the upload is gone too.
	// Committing content that already exists as a blob succeeds.
	Commit(ctx context.Context, d digest.Digest) (size int64, err error)
	// Close keeps what was written for a later Upload(id, true).
	Close() error
	// Cancel discards the upload.
	Cancel() error
}

// Redirector is an optional capability: a URL the client can GET the blob
// from directly (an S3 presigned URL), valid for ttl.
type Redirector interface {
	RedirectURL(ctx context.Context, d digest.Digest, ttl time.Duration) (string, error)
}

// Purger is an optional capability: removing what abandoned uploads and
// crashes leave behind (uploads untouched since before), never blobs.
type Purger interface {
	Purge(ctx context.Context, before time.Time) (int, error)
}

// Lister is an optional capability: listing the committed blobs, which
// the garbage collector's opt-in scan of the store needs (internal/gc).
type Lister interface {
	// List calls fn with every blob's digest and size, never with an
	// upload or anything else the store keeps, in no particular order. A
	// blob committed or deleted while List runs may or may not be seen. It
	// stops at fn's first error and returns it.
	List(ctx context.Context, fn func(d digest.Digest, size int64) error) error
}

// ErrInvalidDigest marks a string that is not a digest at all: Stat, Open
// and Delete treat it as naming no blob, Commit as content that cannot match.
var ErrInvalidDigest = errors.New("invalid digest")

// CheckDigest returns d's algorithm when it is a well-formed sha256 or
// sha512 digest, ErrUnsupportedAlgorithm for a well-formed digest of
// another algorithm, and an error wrapping ErrInvalidDigest otherwise.
// Stores let nothing else reach a path or a key.
func CheckDigest(d digest.Digest) (digest.Algorithm, error) {
	err := d.Validate()
	switch {
	case errors.Is(err, digest.ErrDigestUnsupported):
		return "", fmt.Errorf("%w: %.80q", ErrUnsupportedAlgorithm, d)
	case err != nil:
		return "", fmt.Errorf("%w %.80q: %w", ErrInvalidDigest, d, err)
	}
	switch a := d.Algorithm(); a {
	case digest.SHA256, digest.SHA512:
		return a, nil
	default: // sha384: go-digest knows it, Wharf does not
		return "", fmt.Errorf("%w: %s", ErrUnsupportedAlgorithm, a)
	}
}

// MaxUploadIDLength is the longest upload ID; IDs are 1 to MaxUploadIDLength
// characters of A-Z, a-z, 0-9, '_' and '-'.
const MaxUploadIDLength = 128

// ValidUploadID reports whether id may name an upload: stores make it part
// of a path or key, so nothing that could climb out or need escaping passes.
func ValidUploadID(id string) bool {
	if id == "" || len(id) > MaxUploadIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
