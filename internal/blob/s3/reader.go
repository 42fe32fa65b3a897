package s3

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wharf-project/wharf/internal/blob"
)

// skipLimit is how far forward a Seek may land and still read on from the
// open response, discarding the bytes in between, rather than start a new
// ranged GET.
const skipLimit = 256 << 10

// reader reads a blob with ranged GETs: one response open at a time, from
// the position on to the end, replaced when a Seek moves elsewhere. It is
// not safe for concurrent use, except ReadAt.
type reader struct {
	s    *Store
	ctx  context.Context
	key  string
	size int64
	pos  int64

	body    io.ReadCloser // the open response, or nil
	bodyPos int64         // the offset body reads next
	closed  bool
}

var (
	_ blob.Reader = (*reader)(nil)
	_ io.ReaderAt = (*reader)(nil)
)

var errReaderClosed = errors.New("blob/s3: read of a closed reader")

func (r *reader) Size() int64 { return r.size }

func (r *reader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errReaderClosed
	}
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.body != nil && r.bodyPos != r.pos {
		if r.pos > r.bodyPos && r.pos-r.bodyPos <= skipLimit {
			n, err := io.CopyN(io.Discard, r.body, r.pos-r.bodyPos)
			r.bodyPos += n
			if err != nil {
				r.drop()
			}
		} else {
			r.drop()
		}
	}
	if r.body == nil {
		body, err := r.get(r.pos, r.size-1)
		if err != nil {
			return 0, err
		}
		r.body, r.bodyPos = body, r.pos
	}
	p = p[:min(int64(len(p)), r.size-r.pos)]
	n, err := r.body.Read(p)
	r.pos += int64(n)
	r.bodyPos += int64(n)
	switch {
	case err == io.EOF && r.pos < r.size:
		r.drop()
		return n, fmt.Errorf("blob/s3: %s ended at %d of %d bytes: %w", r.key, r.pos, r.size, io.ErrUnexpectedEOF)
	case err == io.EOF:
		r.drop()
		return n, nil // the next Read says EOF
	case err != nil:
		r.drop() // the next Read starts a new request
		return n, fmt.Errorf("blob/s3: read %s: %w", r.key, err)
	}
	return n, nil
}

// get starts a GET of the bytes first to last.
func (r *reader) get(first, last int64) (io.ReadCloser, error) {
	out, err := r.s.client.GetObject(r.ctx, &s3.GetObjectInput{
		Bucket: &r.s.bucket, Key: &r.key,
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", first, last)),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("%w: %s was deleted while open", blob.ErrNotFound, r.key)
		}
		return nil, fmt.Errorf("blob/s3: read %s: %w", r.key, err)
	}
	return out.Body, nil
}

func (r *reader) drop() {
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
}

func (r *reader) Seek(offset int64, whence int) (int64, error) {
	if r.closed {
		return 0, errReaderClosed
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, fmt.Errorf("blob/s3: seek: invalid whence %d", whence)
	}
	if abs < 0 {
		return 0, fmt.Errorf("blob/s3: seek to %d: negative position", abs)
	}
	r.pos = abs // the next Read follows
	return abs, nil
}

// ReadAt reads len(p) bytes at off in a GET of its own.
func (r *reader) ReadAt(p []byte, off int64) (int, error) {
	if r.closed {
		return 0, errReaderClosed
	}
	if off < 0 {
		return 0, fmt.Errorf("blob/s3: read at %d: negative offset", off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	want := min(int64(len(p)), r.size-off)
	body, err := r.get(off, off+want-1)
	if err != nil {
		return 0, err
	}
	defer body.Close()
	n, err := io.ReadFull(body, p[:want])
	if err != nil {
		return n, fmt.Errorf("blob/s3: read %s: %w", r.key, err)
	}
	if want < int64(len(p)) {
		return n, io.EOF
	}
	return n, nil
}

func (r *reader) Close() error {
	r.closed = true
	r.drop()
	return nil
}
