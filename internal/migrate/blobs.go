package migrate

import (
	"context"
	"crypto/rand"
	_ "crypto/sha256" // registers the algorithms go-digest hashes with
	_ "crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
)

// srcBlob is one blob file of the source's fs store.
type srcBlob struct {
	digest digest.Digest
	path   string
	size   int64
}

// listBlobs lists the blobs of the fs blob store at root, by walking its
// blobs/ tree (see internal/blob/fs for the layout), as a migration must
// copy what is there, named or not. A file that is not where its name says
// a blob goes is reported and left (fs.Store.List skips it silently).
func listBlobs(root string, out io.Writer) ([]srcBlob, error) {
	var blobs []srcBlob
	for _, alg := range []digest.Algorithm{digest.SHA256, digest.SHA512} {
		dir := filepath.Join(root, "blobs", string(alg))
		err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && path == dir {
					return filepath.SkipDir
				}
				return err
			}
			if e.IsDir() {
				return nil
			}
			name := e.Name()
			d := digest.NewDigestFromEncoded(alg, name)
			if !e.Type().IsRegular() || d.Validate() != nil || filepath.Base(filepath.Dir(path)) != name[:min(2, len(name))] ||
				filepath.Dir(filepath.Dir(path)) != dir {
				fmt.Fprintf(out, "warning: %s is not a blob of the store's layout; not copied\n", path)
				return nil
			}
			fi, err := e.Info()
			if err != nil {
				return err
			}
			blobs = append(blobs, srcBlob{digest: d, path: path, size: fi.Size()})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing the source's blobs: %w", err)
		}
	}
	slices.SortFunc(blobs, func(a, b srcBlob) int { return strings.Compare(a.digest.String(), b.digest.String()) })
	return blobs, nil
}

// copyBlobs copies blobs into dst, jobs at a time, printing progress at
// most every two seconds. The first failure stops the others.
func copyBlobs(ctx context.Context, dst blob.Store, blobs []srcBlob, jobs int, out io.Writer, sum *Summary) error {
	if len(blobs) == 0 {
		fmt.Fprintln(out, "blobs: none to copy")
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu        sync.Mutex
		done      int
		doneBytes int64
		lastPrint = time.Now()
		firstErr  error
	)
	next := make(chan srcBlob)
	var wg sync.WaitGroup
	for range min(jobs, len(blobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				copied, err := copyBlob(ctx, dst, b)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
						cancel(err)
					}
					mu.Unlock()
					continue
				}
				done++
				doneBytes += b.size
				if copied {
					sum.BlobsCopied++
					sum.BytesCopied += b.size
				} else {
					sum.BlobsSkipped++
				}
				if time.Since(lastPrint) >= 2*time.Second || done == len(blobs) {
					lastPrint = time.Now()
					fmt.Fprintf(out, "blobs: %d/%d (%s/%s): %d copied, %d already there, verified\n",
						done, len(blobs), bytesText(doneBytes), bytesText(sum.BlobBytes), sum.BlobsCopied, sum.BlobsSkipped)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, b := range blobs {
		select {
		case next <- b:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return context.Cause(ctx)
}

// copyBlob copies one blob, hashing it on the way: the upload is committed
// only when the bytes read hash to the blob's digest (and the target checks
// again as it commits). A blob the target has already is read back and
// verified instead; copied reports which.
func copyBlob(ctx context.Context, dst blob.Store, b srcBlob) (copied bool, err error) {
	alg := b.digest.Algorithm()
	if size, err := dst.Stat(ctx, b.digest); err == nil {
		return false, verifyTarget(ctx, dst, b, size)
	} else if !errors.Is(err, blob.ErrNotFound) {
		return false, fmt.Errorf("blob %s: asking the target: %w", b.digest, err)
	}
	f, err := os.Open(b.path)
	if err != nil {
		return false, fmt.Errorf("blob %s: %w", b.digest, err)
	}
	defer f.Close()
	w, err := dst.Upload(ctx, uploadID(), false)
	if err != nil {
		return false, fmt.Errorf("blob %s: starting the upload to the target: %w", b.digest, err)
	}
	h := alg.Hash()
	n, err := io.Copy(w, io.TeeReader(f, h))
	if err != nil {
		_ = w.Cancel()
		return false, fmt.Errorf("blob %s: copying: %w", b.digest, err)
	}
	if got := digest.NewDigest(alg, h); got != b.digest {
		_ = w.Cancel()
		return false, fmt.Errorf("%w: blob %s (%s) holds content that hashes to %s; the source is damaged, and the migration stops here",
			blob.ErrDigestMismatch, b.digest, b.path, got)
	}
	if n != b.size {
		_ = w.Cancel()
		return false, fmt.Errorf("blob %s: read %d bytes, the file had %d when listed (is a server still writing the data directory?)", b.digest, n, b.size)
	}
	if _, err := w.Commit(ctx, b.digest); err != nil {
		_ = w.Cancel()
		return false, fmt.Errorf("blob %s: committing it in the target: %w", b.digest, err)
	}
	return true, nil
}

// verifyTarget reads the target's copy of b and checks its size and digest.
func verifyTarget(ctx context.Context, dst blob.Store, b srcBlob, size int64) error {
	if size != b.size {
		return fmt.Errorf("blob %s: the target holds %d bytes under this digest, the source %d", b.digest, size, b.size)
	}
	r, err := dst.Open(ctx, b.digest)
	if err != nil {
		return fmt.Errorf("blob %s: reading the target's copy: %w", b.digest, err)
	}
	defer r.Close()
	h := b.digest.Algorithm().Hash()
	n, err := io.Copy(h, r)
	if err != nil {
		return fmt.Errorf("blob %s: reading the target's copy: %w", b.digest, err)
	}
	if got := digest.NewDigest(b.digest.Algorithm(), h); got != b.digest || n != b.size {
		return fmt.Errorf("%w: the target's copy of blob %s (%d bytes) hashes to %s; delete it from the target and migrate again", blob.ErrDigestMismatch, b.digest, n, got)
	}
	return nil
}

// uploadID names a migration's upload in the target store.
func uploadID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "migrate-" + hex.EncodeToString(b)
}
