// Package blobtest is the conformance suite of blob.Store. Every
// implementation — the filesystem store now, S3 later — runs it from its own
// tests:
//
//	func TestStore(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) blob.Store { … a new, empty store … })
//	}
//
// The suite is the contract in executable form. Beyond blob.go's comments it
// pins what callers rely on and two implementations must agree on:
//
//   - Upload IDs of 1 to 128 characters from [A-Za-z0-9_-] are accepted,
//     and starting any other string fails (IDs become paths and keys).
//     Resuming any other string, or an ID never started, is
//     ErrUploadNotFound. Starting an ID that exists fails and leaves that
//     upload alone; so does resuming an upload another writer holds.
//   - A Commit to a digest that is not well formed (wrong length, upper-case
//     hex, no algorithm…) is ErrDigestMismatch, and the upload is gone; Stat,
//     Open and Delete of one are ErrNotFound. A well-formed digest of another
//     algorithm (sha384, md5, blake3) is ErrUnsupportedAlgorithm everywhere;
//     in Commit it keeps the upload, as does a Commit whose context is done.
//   - Bytes that reached the writer before a failed read (io.Copy from a
//     broken request body) are kept: a client resumes from Size.
//   - Close after a Commit or a failed Commit is harmless; Write and Commit
//     after Commit or Cancel fail.
//   - A blob appears complete: a Stat that sees it is followed by an Open
//     that reads all of it; it does not appear before Commit and does
//     appear when Commit returns.
//   - A store that is a blob.Lister lists every committed blob once, with
//     its size, and no upload, held or closed; fn's error ends the listing
//     and is List's.
//   - A store never holds a blob in memory: a 64 MiB upload allocates less
//     than 16 MiB (so call Run from a test that is not parallel).
//
// A store, or the test's wrapper of one, that implements LeakChecker is
// checked after every subtest: subtests end with every upload committed or
// cancelled, and nothing may be left behind.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "crypto/sha256" // registers the algorithms with go-digest
	_ "crypto/sha512"
	"errors"
	"io"
	mrand "math/rand/v2"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
)

// LeakChecker lists what a store holds besides blobs: uploads, temporary
// files. The fs store's test wraps it to list uploads/ and tmp/; an S3
// store's would list incomplete multipart uploads and state objects.
type LeakChecker interface {
	Leftovers(ctx context.Context) ([]string, error)
}

// Put commits content to a store straight, as a blob (under upload ID id),
// and returns its digest, failing the test on any error.
func Put(t testing.TB, ctx context.Context, s blob.Store, id string, content []byte) digest.Digest {
	t.Helper()
	d := digest.FromBytes(content)
	w, err := s.Upload(ctx, id, false)
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if _, err := w.Commit(ctx, d); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return d
}

// Listed returns what a store's List yields, digest to size, failing the
// test when List fails or names a blob twice.
func Listed(t testing.TB, ctx context.Context, l blob.Lister) map[digest.Digest]int64 {
	t.Helper()
	got := map[digest.Digest]int64{}
	if err := l.List(ctx, func(d digest.Digest, size int64) error {
		if _, ok := got[d]; ok {
			t.Errorf("List: %s twice", d)
		}
		got[d] = size
		return nil
	}); err != nil {
		t.Fatalf("List: %v", err)
	}
	return got
}

// test is one subtest, run on a fresh store.
type test struct {
	name string
	fn   func(h *harness)
}

// Run runs the suite. open returns a new, empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) blob.Store) {
	// Run alone first: it measures allocations.
	t.Run("Large", func(t *testing.T) { large(newHarness(t, open)) })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(newHarness(t, open))
		})
	}
}

// harness is one subtest's store.
type harness struct {
	t   *testing.T
	s   blob.Store
	ctx context.Context
}

func newHarness(t *testing.T, open func(t *testing.T) blob.Store) *harness {
	t.Helper()
	s := open(t)
	h := &harness{t: t, s: s, ctx: context.Background()}
	if lc, ok := s.(LeakChecker); ok {
		t.Cleanup(func() {
			left, err := lc.Leftovers(context.Background())
			if err != nil {
				t.Errorf("Leftovers: %v", err)
			}
			if len(left) > 0 {
				t.Errorf("the test left behind %q", left)
			}
		})
	}
	return h
}

var algorithms = []digest.Algorithm{digest.SHA256, digest.SHA512}

// id returns a new upload ID of the kind callers make.
func (h *harness) id() string { return "up-" + rand.Text() }

// start starts an upload that must start.
func (h *harness) start(id string) blob.Writer {
	h.t.Helper()
	w, err := h.s.Upload(h.ctx, id, false)
	if err != nil {
		h.t.Fatalf("Upload(%q, false): %v", id, err)
	}
	if w.Size() != 0 {
		h.t.Errorf("a new upload's Size = %d, want 0", w.Size())
	}
	return w
}

// resume resumes an upload that must exist, with size bytes.
func (h *harness) resume(id string, size int64) blob.Writer {
	h.t.Helper()
	w, err := h.s.Upload(h.ctx, id, true)
	if err != nil {
		h.t.Fatalf("Upload(%q, true): %v", id, err)
	}
	if w.Size() != size {
		h.t.Errorf("resumed Size = %d, want %d", w.Size(), size)
	}
	return w
}

// write writes p, which must go through whole.
func (h *harness) write(w blob.Writer, p []byte) {
	h.t.Helper()
	before := w.Size()
	n, err := w.Write(p)
	if err != nil || n != len(p) {
		h.t.Fatalf("Write(%d bytes) = %d, %v", len(p), n, err)
	}
	if w.Size() != before+int64(len(p)) {
		h.t.Fatalf("Size after Write = %d, want %d", w.Size(), before+int64(len(p)))
	}
}

// commit commits w as d, which must succeed with size.
func (h *harness) commit(w blob.Writer, d digest.Digest, size int64) {
	h.t.Helper()
	got, err := w.Commit(h.ctx, d)
	if err != nil {
		h.t.Fatalf("Commit(%s): %v", d, err)
	}
	if got != size {
		h.t.Errorf("Commit(%s) size = %d, want %d", d, got, size)
	}
}

func (h *harness) close(w blob.Writer) {
	h.t.Helper()
	if err := w.Close(); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
}

// put stores content as a blob of algorithm a.
func (h *harness) put(a digest.Algorithm, content []byte) digest.Digest {
	h.t.Helper()
	d := a.FromBytes(content)
	w := h.start(h.id())
	h.write(w, content)
	h.commit(w, d, int64(len(content)))
	return d
}

// has checks that blob d holds exactly content.
func (h *harness) has(d digest.Digest, content []byte) {
	h.t.Helper()
	size, err := h.s.Stat(h.ctx, d)
	if err != nil {
		h.t.Fatalf("Stat(%s): %v", d, err)
	}
	if size != int64(len(content)) {
		h.t.Errorf("Stat(%s) = %d, want %d", d, size, len(content))
	}
	r, err := h.s.Open(h.ctx, d)
	if err != nil {
		h.t.Fatalf("Open(%s): %v", d, err)
	}
	defer r.Close()
	if r.Size() != int64(len(content)) {
		h.t.Errorf("Open(%s).Size() = %d, want %d", d, r.Size(), len(content))
	}
	got, err := io.ReadAll(r)
	if err != nil {
		h.t.Fatalf("reading %s: %v", d, err)
	}
	if !bytes.Equal(got, content) {
		h.t.Errorf("blob %s: read %d bytes that differ from the %d written", d, len(got), len(content))
	}
}

// absent checks that there is no blob d.
func (h *harness) absent(d digest.Digest) {
	h.t.Helper()
	if _, err := h.s.Stat(h.ctx, d); !errors.Is(err, blob.ErrNotFound) {
		h.t.Errorf("Stat(%.80s): got %v, want ErrNotFound", d, err)
	}
	r, err := h.s.Open(h.ctx, d)
	if !errors.Is(err, blob.ErrNotFound) {
		h.t.Errorf("Open(%.80s): got %v, want ErrNotFound", d, err)
	}
	if err == nil {
		r.Close()
	}
}

// gone checks that upload id does not exist.
func (h *harness) gone(id string) {
	h.t.Helper()
	w, err := h.s.Upload(h.ctx, id, true)
	if !errors.Is(err, blob.ErrUploadNotFound) {
		h.t.Errorf("Upload(%.140q, true): got %v, want ErrUploadNotFound", id, err)
	}
	if err == nil {
		w.Cancel()
	}
}

// is checks errors.Is(err, want).
func (h *harness) is(what string, err, want error) {
	h.t.Helper()
	if !errors.Is(err, want) {
		h.t.Errorf("%s: got %v, want %v", what, err, want)
	}
}

// random returns n bytes from a PRNG seeded with seed.
func random(seed uint64, n int) []byte {
	b := make([]byte, n)
	stream(seed).Read(b)
	return b
}

// stream returns an endless PRNG stream.
func stream(seed uint64) *mrand.ChaCha8 {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return mrand.NewChaCha8(s)
}
