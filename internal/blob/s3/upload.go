package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
)

var (
	errExists   = errors.New("an upload with this ID exists")
	errClosed   = errors.New("blob/s3: the writer was committed, cancelled or closed")
	errTooLarge = errors.New("the upload exceeds S3's 10,000 parts")
)

// persistTimeout bounds what Close, Cancel and the cleanup after Commit do
// with a context that the caller's cancellation does not reach.
const persistTimeout = 10 * time.Minute

// state is what uploads/<id>/state holds.
type state struct {
	Version int    `json:"v"`
	Size    int64  `json:"size"`
	SHA256  []byte `json:"sha256"` // hash state after Size bytes
	// UploadID is the S3 multipart upload at uploads/<id>/data, and Parts
	// the parts of it that the upload's first Size-Tail bytes are, in order.
	// Empty until the first part.
	UploadID string `json:"uploadId,omitempty"`
	Parts    []part `json:"parts,omitempty"`
	// The last Tail bytes are in uploads/<id>/<TailKey> with TailETag.
	// Every save of a tail writes a new key, tail.<Size>.<random>, so
	// that no writer ever replaces the tail of a saved state.
	Tail     int64  `json:"tail,omitempty"`
	TailKey  string `json:"tailKey,omitempty"`
	TailETag string `json:"tailETag,omitempty"`
	// Data says that a Commit completed the multipart upload and then failed
	// (to read it back, to copy it): uploads/<id>/data is an object of all
	// Size bytes with DataETag, and there are no parts and no tail.
	Data     bool   `json:"data,omitempty"`
	DataETag string `json:"dataETag,omitempty"`
}

const stateVersion = 1

// part is one part of the multipart upload.
type part struct {
	N    int32  `json:"n"`
	ETag string `json:"etag"`
	Size int64  `json:"size"`
}

func (st *state) check() error {
	if st.Version != stateVersion || st.Size < 0 || st.Tail < 0 {
		return fmt.Errorf("version %d, size %d, tail %d", st.Version, st.Size, st.Tail)
	}
	if st.Data {
		if st.Tail != 0 || len(st.Parts) != 0 || st.DataETag == "" {
			return errors.New("a completed upload with parts or a tail")
		}
		return nil
	}
	if len(st.Parts) > 0 && st.UploadID == "" {
		return errors.New("parts without a multipart upload")
	}
	sum := st.Tail
	for i, p := range st.Parts {
		if p.N < 1 || p.N > maxParts || (i > 0 && p.N <= st.Parts[i-1].N) || p.Size < 0 || p.ETag == "" {
			return fmt.Errorf("bad part %d: %+v", i, p)
		}
		sum += p.Size
	}
	if sum != st.Size {
		return fmt.Errorf("parts and tail hold %d bytes, size is %d", sum, st.Size)
	}
	if st.Tail > 0 && (st.TailETag == "" || !strings.HasPrefix(st.TailKey, "tail.") || strings.Contains(st.TailKey, "/")) {
		return fmt.Errorf("a tail %q with ETag %q", st.TailKey, st.TailETag)
	}
	return nil
}

// target returns the size of the part that starts at offset start.
func (s *Store) target(start int64) int64 {
	t := s.partSize
	if g := start / partsGrowth; g > t {
		t = (g + 1<<20 - 1) &^ (1<<20 - 1) // a whole number of MiB
	}
	return min(t, maxPartSize)
}

// writer appends to one upload, holding its lease. It is not safe for
// concurrent use.
type writer struct {
	s     *Store
	id    string
	ctx   context.Context // the Upload's, for Write's requests
	lease *lease

	saved     state  // what uploads/<id>/state holds
	stateETag string // its ETag, for conditional replacement

	// What the upload holds now: parts, then buf.
	size      int64
	h256      hash.Hash
	uploadID  string
	parts     []part
	partsSize int64
	data      bool
	dataETag  string
	buf       []byte // the bytes after the parts, at most one part
	pooled    bool   // buf is from s.bufs
	// tailLoaded says that buf holds the saved tail: a resumed writer reads
	// it only when it writes or commits.
	tailLoaded bool
	dirty      bool // the upload differs from saved
	// dataObject says that uploads/<id>/data may be an object (a Commit
	// completed the multipart upload), which discard must remove.
	dataObject bool
	done       bool // committed, cancelled or closed
}

var (
	_ blob.Writer   = (*writer)(nil)
	_ io.ReaderFrom = (*writer)(nil)
)

// Upload starts or resumes the upload id. Starting an ID that exists, or
// resuming one another writer holds (on any replica), fails.
func (s *Store) Upload(ctx context.Context, id string, resume bool) (blob.Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !blob.ValidUploadID(id) {
		if resume {
			return nil, fmt.Errorf("%w: %.140q is not an upload ID", blob.ErrUploadNotFound, id)
		}
		return nil, fmt.Errorf("blob/s3: invalid upload ID %.140q: want 1 to %d of A-Z a-z 0-9 _ -", id, blob.MaxUploadIDLength)
	}
	if resume {
		return s.resume(ctx, id)
	}
	return s.create(ctx, id)
}

// create writes the state of an empty upload, if there is none.
func (s *Store) create(ctx context.Context, id string) (*writer, error) {
	l, err := s.acquire(ctx, id)
	if errors.Is(err, errBusy) {
		return nil, fmt.Errorf("blob/s3: upload %s: %w", id, errExists)
	}
	if err != nil {
		return nil, err
	}
	w := &writer{s: s, id: id, ctx: ctx, lease: l, h256: sha256.New(), tailLoaded: true}
	if !s.conditional {
		switch ok, err := s.exists(ctx, s.uploadKey(id, "state")); {
		case err != nil:
			return nil, err
		case ok:
			return nil, fmt.Errorf("blob/s3: upload %s: %w", id, errExists)
		}
	}
	st, err := w.state()
	if err == nil {
		err = w.putState(ctx, st)
	}
	if err != nil {
		l.release(context.WithoutCancel(ctx))
		if errors.Is(err, errLeaseLost) {
			return nil, fmt.Errorf("blob/s3: upload %s: %w", id, errExists)
		}
		return nil, err
	}
	w.saved = st
	return w, nil
}

// resume takes the lease of an existing upload and reads its state.
func (s *Store) resume(ctx context.Context, id string) (*writer, error) {
	stateKey := s.uploadKey(id, "state")
	l, err := s.acquire(ctx, id)
	if errors.Is(err, errBusy) {
		// A lock without an upload: what a crash during a discard leaves.
		if ok, herr := s.exists(ctx, stateKey); herr == nil && !ok {
			return nil, fmt.Errorf("%w: %s", blob.ErrUploadNotFound, id)
		}
	}
	if err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &stateKey})
	if err != nil {
		l.release(context.WithoutCancel(ctx))
		if isNotFound(err) {
			return nil, fmt.Errorf("%w: %s", blob.ErrUploadNotFound, id)
		}
		return nil, fmt.Errorf("blob/s3: upload %s: %w", id, err)
	}
	b, err := io.ReadAll(io.LimitReader(out.Body, 4<<20))
	out.Body.Close()
	if err != nil {
		l.release(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("blob/s3: upload %s: %w", id, err)
	}
	w := &writer{s: s, id: id, ctx: ctx, lease: l, stateETag: aws.ToString(out.ETag)}
	if err := w.restore(b); err != nil {
		// Unusable: say so once, and make room for a new upload.
		w.discard()
		return nil, fmt.Errorf("%w: %s: %w", blob.ErrUploadNotFound, id, err)
	}
	return w, nil
}

// restore takes the upload as state b describes it.
func (w *writer) restore(b []byte) error {
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := st.check(); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	w.h256 = sha256.New()
	if err := w.h256.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.SHA256); err != nil {
		return fmt.Errorf("state: sha256: %w", err)
	}
	w.saved = st
	w.size = st.Size
	w.uploadID = st.UploadID
	w.parts = slices.Clone(st.Parts)
	w.partsSize = st.Size - st.Tail
	w.data, w.dataETag = st.Data, st.DataETag
	w.dataObject = st.Data
	w.tailLoaded = st.Tail == 0
	return nil
}

// state returns the state that describes the upload when buf is saved as
// its tail.
func (w *writer) state() (state, error) {
	h, err := w.h256.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return state{}, fmt.Errorf("blob/s3: %w", err)
	}
	return state{
		Version: stateVersion, Size: w.size, SHA256: h,
		UploadID: w.uploadID, Parts: w.parts, Tail: int64(len(w.buf)),
		Data: w.data, DataETag: w.dataETag,
	}, nil
}

// putState replaces uploads/<id>/state by st, on condition that it is still
// what this writer read or wrote last (or absent, for a new upload). Losing
// that race is errLeaseLost.
func (w *writer) putState(ctx context.Context, st state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("blob/s3: %w", err)
	}
	key := w.s.uploadKey(w.id, "state")
	in := &s3.PutObjectInput{Bucket: &w.s.bucket, Key: &key, Body: bytes.NewReader(b), ContentType: aws.String("application/json")}
	if w.s.conditional {
		if w.stateETag == "" {
			in.IfNoneMatch = aws.String("*")
		} else {
			in.IfMatch = aws.String(w.stateETag)
		}
	}
	out, err := w.s.client.PutObject(ctx, in)
	if err != nil {
		if isPreconditionFailed(err) {
			return fmt.Errorf("blob/s3: upload %s: %w", w.id, errLeaseLost)
		}
		return fmt.Errorf("blob/s3: upload %s: save state: %w", w.id, err)
	}
	w.stateETag = aws.ToString(out.ETag)
	return nil
}

func (w *writer) dataKey() string { return w.s.uploadKey(w.id, "data") }

// Size returns how many bytes the upload holds.
func (w *writer) Size() int64 { return w.size }

// Write appends p to the part buffer and the sha256 digest, uploading each
// full buffer as a part. The bytes are in the upload (and in Size) as soon
// as they are in the buffer: when a part upload fails, Write returns the
// bytes taken so far, and the buffer keeps them for the next Write or Close.
//
// Only sha256 streams, as in the fs store: a sha512 Commit reads the
// completed upload back once.
func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := w.prepare(w.ctx); err != nil {
		return 0, err
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(w.ctx); err != nil {
				return n, err
			}
		}
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.took(w.buf[len(w.buf) : len(w.buf)+k])
		n += k
		p = p[k:]
	}
	return n, nil
}

// ReadFrom reads r into the part buffer, without a copy in between. As
// with Write, what was read before an error is kept.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if w.done {
		return 0, errClosed
	}
	if err := w.prepare(w.ctx); err != nil {
		return 0, err
	}
	var n int64
	for {
		// A slow body may take a while to fill a part.
		if err := w.lease.renew(w.ctx); err != nil {
			return n, err
		}
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(w.ctx); err != nil {
				return n, err
			}
		}
		k, err := r.Read(w.buf[len(w.buf):cap(w.buf)])
		if k > 0 {
			w.took(w.buf[len(w.buf) : len(w.buf)+k])
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// took adds p, which was just put after buf's end, to the upload.
func (w *writer) took(p []byte) {
	w.buf = w.buf[:len(w.buf)+len(p)]
	w.h256.Write(p)
	w.size += int64(len(p))
	w.dirty = true
}

// prepare makes the writer ready to take bytes: its lease renewed, a
// completed upload turned back into parts, its tail in buf.
func (w *writer) prepare(ctx context.Context) error {
	if err := w.lease.renew(ctx); err != nil {
		return err
	}
	if w.data {
		if err := w.reopen(ctx); err != nil {
			return err
		}
	}
	if err := w.loadTail(ctx); err != nil {
		return err
	}
	w.sizeBuf(0)
	return nil
}

// sizeBuf makes buf large enough for the part that starts after the parts,
// and for need bytes.
func (w *writer) sizeBuf(need int64) {
	c := max(w.s.target(w.partsSize), need)
	if w.buf != nil && int64(cap(w.buf)) >= c {
		return
	}
	var nb []byte
	pooled := c == w.s.partSize
	if pooled {
		nb = w.s.getBuf()
	} else {
		nb = make([]byte, 0, c)
	}
	nb = append(nb, w.buf...)
	w.freeBuf()
	w.buf, w.pooled = nb, pooled
}

func (w *writer) freeBuf() {
	if w.pooled {
		w.s.putBuf(w.buf)
	}
	w.buf, w.pooled = nil, false
}

// loadTail reads the saved tail into buf, once.
func (w *writer) loadTail(ctx context.Context) error {
	if w.tailLoaded {
		return nil
	}
	n := w.saved.Tail
	w.sizeBuf(n)
	key := w.s.uploadKey(w.id, w.saved.TailKey)
	out, err := w.s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: &w.s.bucket, Key: &key, IfMatch: aws.String(w.saved.TailETag),
	})
	if err != nil {
		return fmt.Errorf("blob/s3: upload %s: read tail: %w", w.id, err)
	}
	defer out.Body.Close()
	if _, err := io.ReadFull(out.Body, w.buf[:n]); err != nil {
		return fmt.Errorf("blob/s3: upload %s: read tail: %w", w.id, err)
	}
	w.buf = w.buf[:n]
	w.tailLoaded = true
	return nil
}

// flush uploads buf as the next part.
func (w *writer) flush(ctx context.Context) error {
	if err := w.lease.renew(ctx); err != nil {
		return err
	}
	p, err := w.uploadPart(ctx, w.buf)
	if err != nil {
		return err
	}
	w.parts = append(w.parts, p)
	w.partsSize += p.Size
	w.buf = w.buf[:0]
	w.dirty = true
	w.sizeBuf(0) // the next part may be larger
	return nil
}

// uploadPart uploads b as the part after w.parts, starting the multipart
// upload if there is none yet.
func (w *writer) uploadPart(ctx context.Context, b []byte) (part, error) {
	n := int32(1)
	if len(w.parts) > 0 {
		n = w.parts[len(w.parts)-1].N + 1
	}
	if n > maxParts {
		return part{}, fmt.Errorf("blob/s3: upload %s: %w", w.id, errTooLarge)
	}
	key := w.dataKey()
	if w.uploadID == "" {
		out, err := w.s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &w.s.bucket, Key: &key})
		if err != nil {
			return part{}, fmt.Errorf("blob/s3: upload %s: start multipart upload: %w", w.id, err)
		}
		w.uploadID = aws.ToString(out.UploadId)
		w.dirty = true
	}
	w.s.event("part")
	out, err := w.s.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket: &w.s.bucket, Key: &key, UploadId: &w.uploadID, PartNumber: aws.Int32(n),
		Body: bytes.NewReader(b), ContentLength: aws.Int64(int64(len(b))),
	})
	if err != nil {
		return part{}, fmt.Errorf("blob/s3: upload %s: part %d: %w", w.id, n, err)
	}
	return part{N: n, ETag: aws.ToString(out.ETag), Size: int64(len(b))}, nil
}

// reopen turns an upload that a failed Commit completed back into a
// multipart upload that can take more parts: the completed object is
// copied into the first parts of a new multipart upload on the server, or
// read into buf when it is too small for a part.
func (w *writer) reopen(ctx context.Context) error {
	key := w.dataKey()
	if w.size < MinPartSize {
		w.sizeBuf(w.size)
		out, err := w.s.client.GetObject(ctx, &s3.GetObjectInput{
			Bucket: &w.s.bucket, Key: &key, IfMatch: aws.String(w.dataETag),
		})
		if err != nil {
			return fmt.Errorf("blob/s3: upload %s: reopen: %w", w.id, err)
		}
		defer out.Body.Close()
		if _, err := io.ReadFull(out.Body, w.buf[:w.size]); err != nil {
			return fmt.Errorf("blob/s3: upload %s: reopen: %w", w.id, err)
		}
		w.buf = w.buf[:w.size]
		w.partsSize, w.parts, w.uploadID = 0, nil, ""
		w.data, w.dataETag, w.dirty = false, "", true
		return nil
	}
	out, err := w.s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &w.s.bucket, Key: &key})
	if err != nil {
		return fmt.Errorf("blob/s3: upload %s: reopen: %w", w.id, err)
	}
	uploadID := aws.ToString(out.UploadId)
	var parts []part
	for i, r := range copyRanges(w.size) {
		n := int32(i + 1)
		out, err := w.s.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
			Bucket: &w.s.bucket, Key: &key, UploadId: &uploadID, PartNumber: aws.Int32(n),
			CopySource:        aws.String(w.s.copySource(key)),
			CopySourceIfMatch: aws.String(w.dataETag),
			CopySourceRange:   aws.String(fmt.Sprintf("bytes=%d-%d", r[0], r[0]+r[1]-1)),
		})
		if err != nil {
			w.s.abort(context.WithoutCancel(ctx), key, uploadID)
			return fmt.Errorf("blob/s3: upload %s: reopen: copy part %d: %w", w.id, n, err)
		}
		parts = append(parts, part{N: n, ETag: aws.ToString(out.CopyPartResult.ETag), Size: r[1]})
	}
	w.uploadID, w.parts, w.partsSize = uploadID, parts, w.size
	w.data, w.dataETag, w.dirty = false, "", true
	return nil
}

// copyChunk is the size of the ranges of a server-side copy in parts.
var copyChunk int64 = 4 << 30

// copyRanges splits size bytes (at least MinPartSize) into ranges (offset,
// length) that are each a valid part: at most 5 GiB, none under 5 MiB.
func copyRanges(size int64) [][2]int64 {
	var rs [][2]int64
	for off := int64(0); off < size; {
		n := min(size-off, copyChunk)
		if rest := size - off - n; rest > 0 && rest < MinPartSize {
			n += rest
		}
		rs = append(rs, [2]int64{off, n})
		off += n
	}
	return rs
}

func (s *Store) copySource(key string) string {
	segs := strings.Split(key, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return url.PathEscape(s.bucket) + "/" + strings.Join(segs, "/")
}

func (s *Store) abort(ctx context.Context, key, uploadID string) error {
	_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &key, UploadId: &uploadID})
	if err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

func (s *Store) exists(ctx context.Context, key string) (bool, error) {
	_, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	switch {
	case err == nil:
		return true, nil
	case isNotFound(err):
		return false, nil
	default:
		return false, fmt.Errorf("blob/s3: head %s: %w", key, err)
	}
}

// event lets tests fail the store at named points.
func (s *Store) event(name string) {
	if s.hook != nil {
		s.hook(name)
	}
}

// Commit verifies the digest and makes the upload the blob d. The writer is
// done afterwards, whatever happens: on success and on ErrDigestMismatch the
// upload is gone; on any other error it is kept as Close keeps it.
func (w *writer) Commit(ctx context.Context, d digest.Digest) (int64, error) {
	if w.done {
		return 0, errClosed
	}
	alg, err := blob.CheckDigest(d)
	if errors.Is(err, blob.ErrInvalidDigest) {
		// No content has a malformed digest.
		w.discard()
		return 0, fmt.Errorf("%w: %w", blob.ErrDigestMismatch, err)
	}
	if err != nil {
		return 0, w.closeWith(err)
	}
	if err := ctx.Err(); err != nil {
		return 0, w.closeWith(err)
	}
	if err := w.lease.renew(ctx); err != nil {
		return 0, w.closeWith(err)
	}
	if err := w.commit(ctx, alg, d); err != nil {
		if errors.Is(err, blob.ErrDigestMismatch) {
			w.discard()
			return 0, err
		}
		return 0, w.closeWith(fmt.Errorf("blob/s3: upload %s: commit %s: %w", w.id, d, err))
	}
	// The blob is durable. A failure to remove what is left of the upload
	// leaves objects for Purge, not an error for the caller.
	w.discard()
	return w.size, nil
}

func (w *writer) commit(ctx context.Context, alg digest.Algorithm, d digest.Digest) error {
	final := w.s.blobKey(d)
	if !w.data && len(w.parts) == 0 {
		// All of it is in buf: verify it there, and put it in one request.
		if err := w.loadTail(ctx); err != nil {
			return err
		}
		h := w.h256
		if alg == digest.SHA512 {
			h = sha512.New()
			h.Write(w.buf)
		}
		if err := mismatch(d, digest.NewDigest(alg, h)); err != nil {
			return err
		}
		return w.s.putBlob(ctx, final, w.buf)
	}
	if alg == digest.SHA256 {
		if err := mismatch(d, digest.NewDigest(alg, w.h256)); err != nil {
			return err
		}
		if ok, err := w.s.exists(ctx, final); err != nil || ok {
			return err
		}
	}
	if !w.data {
		if err := w.complete(ctx); err != nil {
			return err
		}
	}
	w.s.event("completed")
	if alg == digest.SHA512 {
		got, err := w.s.digestOf(ctx, w.dataKey(), w.dataETag, alg)
		if err != nil {
			return err
		}
		if err := mismatch(d, got); err != nil {
			return err
		}
		if ok, err := w.s.exists(ctx, final); err != nil || ok {
			return err
		}
	}
	if err := w.lease.renew(ctx); err != nil {
		return err
	}
	return w.s.copyBlob(ctx, w.dataKey(), w.dataETag, w.size, final)
}

func mismatch(want, got digest.Digest) error {
	if got != want {
		return fmt.Errorf("%w: the upload is %s, not %s", blob.ErrDigestMismatch, got, want)
	}
	return nil
}

// complete uploads buf as the last part and completes the multipart upload
// at uploads/<id>/data.
func (w *writer) complete(ctx context.Context) error {
	if err := w.loadTail(ctx); err != nil {
		return err
	}
	etag, err := w.completeParts(ctx)
	if isNoSuchUpload(err) {
		// Completed by a Commit that died before it saved the state?
		etag, err = w.completedBefore(ctx)
	}
	if err != nil {
		return err
	}
	w.data, w.dataETag, w.dataObject = true, etag, true
	w.uploadID, w.parts, w.partsSize = "", nil, w.size
	w.buf = w.buf[:0]
	w.dirty = true
	return nil
}

// completeParts completes the multipart upload with w.parts and buf, and
// returns the object's ETag.
func (w *writer) completeParts(ctx context.Context) (string, error) {
	// First, as it sends no body: a server may answer an UploadPart to a
	// multipart upload that is gone before it reads the part, and drop the
	// connection, so that its NoSuchUpload never arrives.
	if err := w.checkParts(ctx, w.parts); err != nil {
		return "", err
	}
	parts := w.parts
	if len(w.buf) > 0 {
		// The last part may be small; it joins w.parts only when the
		// upload completes, so that a failure leaves it in buf.
		p, err := w.uploadPart(ctx, w.buf)
		if err != nil {
			return "", err
		}
		parts = append(slices.Clip(parts), p)
	}
	completed := make([]types.CompletedPart, len(parts))
	for i, p := range parts {
		completed[i] = types.CompletedPart{PartNumber: aws.Int32(p.N), ETag: aws.String(p.ETag)}
	}
	key := w.dataKey()
	out, err := w.s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &w.s.bucket, Key: &key, UploadId: &w.uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
	})
	if err != nil {
		return "", fmt.Errorf("complete multipart upload: %w", err)
	}
	return aws.ToString(out.ETag), nil
}

// completedBefore returns the ETag of uploads/<id>/data when it is what
// completing the multipart upload made. Only this upload's writers write
// that key, and the upload grows between any two completions, so an
// object of the upload's size is the completed one.
func (w *writer) completedBefore(ctx context.Context) (string, error) {
	key := w.dataKey()
	out, err := w.s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &w.s.bucket, Key: &key})
	if err != nil || aws.ToInt64(out.ContentLength) != w.size {
		return "", fmt.Errorf("the multipart upload %s is gone, and %s is not its completion (%v)", w.uploadID, key, err)
	}
	return aws.ToString(out.ETag), nil
}

// checkParts makes sure that the multipart upload holds parts as w knows
// them, paging through ListParts.
func (w *writer) checkParts(ctx context.Context, parts []part) error {
	want := make(map[int32]part, len(parts))
	for _, p := range parts {
		want[p.N] = p
	}
	key := w.dataKey()
	in := &s3.ListPartsInput{Bucket: &w.s.bucket, Key: &key, UploadId: &w.uploadID}
	if w.s.listPartsPage > 0 {
		in.MaxParts = aws.Int32(w.s.listPartsPage)
	}
	found := 0
	for {
		out, err := w.s.client.ListParts(ctx, in)
		if err != nil {
			return fmt.Errorf("list parts: %w", err)
		}
		for _, p := range out.Parts {
			q, ok := want[aws.ToInt32(p.PartNumber)]
			if !ok {
				continue // written after the state that this writer resumed
			}
			if strings.Trim(aws.ToString(p.ETag), `"`) != strings.Trim(q.ETag, `"`) || aws.ToInt64(p.Size) != q.Size {
				return fmt.Errorf("part %d is %s, %d bytes; want %s, %d bytes",
					q.N, aws.ToString(p.ETag), aws.ToInt64(p.Size), q.ETag, q.Size)
			}
			found++
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextPartNumberMarker) == "" {
			break
		}
		in.PartNumberMarker = out.NextPartNumberMarker
	}
	if found != len(parts) {
		return fmt.Errorf("the multipart upload holds %d of the upload's %d parts", found, len(parts))
	}
	return nil
}

// digestOf reads an object (of the given ETag) and returns its digest.
func (s *Store) digestOf(ctx context.Context, key, etag string, alg digest.Algorithm) (digest.Digest, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key, IfMatch: aws.String(etag)})
	if err != nil {
		return "", fmt.Errorf("read back: %w", err)
	}
	defer out.Body.Close()
	dg := alg.Digester()
	if _, err := io.Copy(dg.Hash(), out.Body); err != nil {
		return "", fmt.Errorf("read back: %w", err)
	}
	return dg.Digest(), nil
}

// putBlob puts a verified blob that fits in memory. With conditional writes
// it never replaces a blob; without, it replaces none that it sees.
func (s *Store) putBlob(ctx context.Context, key string, b []byte) error {
	for attempt := 0; ; attempt++ {
		if !s.conditional {
			if ok, err := s.exists(ctx, key); err != nil || ok {
				return err
			}
		}
		in := &s3.PutObjectInput{Bucket: &s.bucket, Key: &key, Body: bytes.NewReader(b), ContentLength: aws.Int64(int64(len(b)))}
		if s.conditional {
			in.IfNoneMatch = aws.String("*")
		}
		_, err := s.client.PutObject(ctx, in)
		if err == nil || (isPreconditionFailed(err) && httpStatus(err) != http.StatusConflict) {
			return nil // put, or 412: the blob exists
		}
		// A 409 (another Commit of the same blob is writing it), or a
		// failure that may be the server answering 412 before it read the
		// body and then dropping the connection, as some do. Is the blob
		// there now?
		if ok, herr := s.exists(ctx, key); herr == nil && ok {
			return nil
		}
		if attempt >= 4 || ctx.Err() != nil || !(isPreconditionFailed(err) || httpStatus(err) == 0) {
			return fmt.Errorf("put blob: %w", err)
		}
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
}

// copyBlob copies the completed upload src (size bytes, ETag etag) to the
// blob key dst, in one CopyObject up to 5 GiB and as a multipart copy past
// that. Either is atomic.
func (s *Store) copyBlob(ctx context.Context, src, etag string, size int64, dst string) error {
	if size <= maxPartSize {
		_, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket: &s.bucket, Key: &dst,
			CopySource: aws.String(s.copySource(src)), CopySourceIfMatch: aws.String(etag),
		})
		if err != nil {
			return fmt.Errorf("copy to %s: %w", dst, err)
		}
		return nil
	}
	out, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &dst})
	if err != nil {
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	uploadID := aws.ToString(out.UploadId)
	var completed []types.CompletedPart
	for i, r := range copyRanges(size) {
		n := int32(i + 1)
		out, err := s.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
			Bucket: &s.bucket, Key: &dst, UploadId: &uploadID, PartNumber: aws.Int32(n),
			CopySource: aws.String(s.copySource(src)), CopySourceIfMatch: aws.String(etag),
			CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", r[0], r[0]+r[1]-1)),
		})
		if err != nil {
			s.abort(context.WithoutCancel(ctx), dst, uploadID)
			return fmt.Errorf("copy to %s: part %d: %w", dst, n, err)
		}
		completed = append(completed, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.CopyPartResult.ETag})
	}
	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &s.bucket, Key: &dst, UploadId: &uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
	})
	if err != nil {
		s.abort(context.WithoutCancel(ctx), dst, uploadID)
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	return nil
}

// persistContext is for what must happen even when the caller has gone:
// saving the upload on Close, removing it after Commit.
func (w *writer) persistContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(w.ctx), persistTimeout)
}

// Close saves the upload for a later Upload(id, true) and lets go of it.
// Closing a writer that is done already does nothing.
func (w *writer) Close() error {
	if w.done {
		return nil
	}
	return w.closeWith(nil)
}

// closeWith ends the writer keeping the upload, and returns err joined with
// whatever went wrong saving it.
func (w *writer) closeWith(err error) error {
	w.done = true
	ctx, cancel := w.persistContext()
	defer cancel()
	var serr error
	if w.dirty {
		serr = w.save(ctx)
	}
	lerr := w.lease.release(ctx)
	w.freeBuf()
	return errors.Join(err, serr, lerr)
}

// save makes uploads/<id>/state describe the upload as it is now: buf
// becomes one more part when it is large enough (at least half a part), a
// new tail object otherwise.
func (w *writer) save(ctx context.Context) error {
	if err := w.lease.renew(ctx); err != nil {
		return err
	}
	if !w.data && int64(len(w.buf)) >= max(MinPartSize, w.s.target(w.partsSize)/2) {
		if err := w.flush(ctx); err != nil && errors.Is(err, errLeaseLost) {
			return err
		} // else keep the bytes in the tail
	}
	st, err := w.state()
	if err != nil {
		return err
	}
	if st.Tail > 0 {
		st.TailKey = "tail." + strconv.FormatInt(w.size, 10) + "." + randomToken()[:12]
		key := w.s.uploadKey(w.id, st.TailKey)
		out, err := w.s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: &w.s.bucket, Key: &key,
			Body: bytes.NewReader(w.buf), ContentLength: aws.Int64(st.Tail),
		})
		if err != nil {
			return fmt.Errorf("blob/s3: upload %s: save tail: %w", w.id, err)
		}
		st.TailETag = aws.ToString(out.ETag)
	}
	if err := w.putState(ctx, st); err != nil {
		if st.Tail > 0 {
			w.s.deleteKeys(ctx, []string{w.s.uploadKey(w.id, st.TailKey)})
		}
		return err
	}
	old := w.saved
	w.saved, w.dirty = st, false
	if old.Tail > 0 {
		w.s.deleteKeys(ctx, []string{w.s.uploadKey(w.id, old.TailKey)})
	}
	return nil
}

// Cancel discards the upload, unless the writer lost it to another.
func (w *writer) Cancel() error {
	if w.done {
		return errClosed
	}
	ctx, cancel := w.persistContext()
	defer cancel()
	if err := w.lease.renew(ctx); err != nil {
		w.done = true
		w.freeBuf()
		return err
	}
	return w.discard()
}

// discard ends the writer and removes the upload, still holding its lease:
// the state first, so that the upload is gone at once, then the rest.
func (w *writer) discard() error {
	w.done = true
	w.freeBuf()
	ctx, cancel := w.persistContext()
	defer cancel()
	var errs []error
	del := func(key string) {
		_, err := w.s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &w.s.bucket, Key: &key})
		if err != nil && !isNotFound(err) {
			errs = append(errs, err)
		}
	}
	del(w.s.uploadKey(w.id, "state"))
	for _, id := range []string{w.uploadID, w.saved.UploadID} {
		if id != "" {
			if err := w.s.abort(ctx, w.dataKey(), id); err != nil {
				errs = append(errs, err)
			}
		}
		if w.uploadID == w.saved.UploadID {
			break
		}
	}
	if w.saved.Tail > 0 {
		del(w.s.uploadKey(w.id, w.saved.TailKey))
	}
	if w.dataObject || w.uploadID != "" || w.saved.UploadID != "" {
		// (A Commit that died after completing the multipart upload leaves
		// an object that the state does not know of.)
		del(w.dataKey())
	}
	errs = append(errs, w.lease.release(ctx))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("blob/s3: discard upload %s: %w", w.id, err)
	}
	return nil
}
