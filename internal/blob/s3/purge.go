package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/wharf-project/wharf/internal/blob"
)

// Purge removes what clients and crashes leave behind: uploads that no
// writer holds and whose state was last saved before before; objects under
// uploads/ of no upload (what a crash during a Commit or Cancel leaves) that
// are older than that; and multipart uploads started before then that no
// upload's state refers to (what a replica that died before Close leaves,
// and multipart copies that failed). It returns how many uploads and
// multipart uploads it removed. Blobs are never touched. A caller runs it
// now and then with, say, a day ago, as with the fs store.
func (s *Store) Purge(ctx context.Context, before time.Time) (int, error) {
	type upload struct {
		keys     []string
		newest   time.Time
		state    *types.Object
		uploadID string // what a kept upload's state refers to
	}
	uploads := map[string]*upload{}
	var errs []error
	n := 0
	root := s.uploadsPrefix()
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &root})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("blob/s3: purge: %w", err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			id, name, ok := strings.Cut(strings.TrimPrefix(key, root), "/")
			if !ok {
				// A probe of New's that was not deleted.
				if strings.HasPrefix(id, ".probe-") && aws.ToTime(o.LastModified).Before(before) {
					s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key})
				}
				continue
			}
			if !blob.ValidUploadID(id) {
				continue // not ours
			}
			u := uploads[id]
			if u == nil {
				u = &upload{}
				uploads[id] = u
			}
			u.keys = append(u.keys, key)
			if t := aws.ToTime(o.LastModified); t.After(u.newest) {
				u.newest = t
			}
			if name == "state" {
				u.state = &o
			}
		}
	}
	for id, u := range uploads {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		switch {
		case u.state == nil && u.newest.Before(before):
			// No upload: leftovers, or a lock of a writer that died while
			// it discarded the upload.
			if err := s.deleteKeys(ctx, u.keys); err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		case u.state == nil:
			// Young leftovers, or an upload being created.
		case aws.ToTime(u.state.LastModified).Before(before):
			removed, err := s.purgeUpload(ctx, id, before, u.keys)
			if err != nil {
				errs = append(errs, err)
			}
			if removed {
				n++
				delete(uploads, id)
			}
		}
	}
	// Multipart uploads that no state refers to.
	in := &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: aws.String(s.prefix)}
	for {
		page, err := s.client.ListMultipartUploads(ctx, in)
		if err != nil {
			return n, errors.Join(append(errs, fmt.Errorf("blob/s3: purge: %w", err))...)
		}
		for _, m := range page.Uploads {
			key, uploadID := aws.ToString(m.Key), aws.ToString(m.UploadId)
			if !aws.ToTime(m.Initiated).Before(before) {
				continue
			}
			if id, name, ok := strings.Cut(strings.TrimPrefix(key, root), "/"); ok && name == "data" && strings.HasPrefix(key, root) {
				if u := uploads[id]; u != nil && u.state != nil {
					if u.uploadID == "" {
						u.uploadID = s.stateUploadID(ctx, id)
					}
					if u.uploadID == uploadID || u.uploadID == "?" {
						continue // in use, or cannot tell
					}
				}
			} else if !strings.HasPrefix(key, s.blobsPrefix()) {
				continue // not ours
			}
			if err := s.abort(ctx, key, uploadID); err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
	}
	return n, errors.Join(errs...)
}

// purgeUpload removes upload id when nobody holds it and its state is
// still older than before.
func (s *Store) purgeUpload(ctx context.Context, id string, before time.Time, keys []string) (bool, error) {
	l, err := s.acquire(ctx, id)
	if errors.Is(err, errBusy) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	stateKey := s.uploadKey(id, "state")
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &stateKey})
	if err != nil {
		l.release(ctx)
		if isNotFound(err) {
			return false, nil // committed or cancelled meanwhile
		}
		return false, err
	}
	b, err := io.ReadAll(io.LimitReader(out.Body, 4<<20))
	out.Body.Close()
	if err != nil || !aws.ToTime(out.LastModified).Before(before) {
		l.release(ctx)
		return false, err // saved again meanwhile, or unreadable
	}
	w := &writer{s: s, id: id, ctx: ctx, lease: l}
	if err := w.restore(b); err != nil {
		w.saved = state{} // unusable: remove what there is
	}
	err = w.discard()
	// And whatever else was there: tails and data of crashed writers.
	var rest []string
	for _, k := range keys {
		if !strings.HasSuffix(k, "/lock") && !strings.HasSuffix(k, "/state") {
			rest = append(rest, k)
		}
	}
	return true, errors.Join(err, s.deleteKeys(ctx, rest))
}

// stateUploadID returns the multipart upload that upload id's state refers
// to, "" for none, "?" when the state cannot be read.
func (s *Store) stateUploadID(ctx context.Context, id string) string {
	key := s.uploadKey(id, "state")
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return "?"
	}
	defer out.Body.Close()
	var st state
	if err := json.NewDecoder(io.LimitReader(out.Body, 4<<20)).Decode(&st); err != nil {
		return "?"
	}
	return st.UploadID
}

func (s *Store) deleteKeys(ctx context.Context, keys []string) error {
	var errs []error
	for _, k := range keys {
		_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &k})
		if err != nil && !isNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Purge is the blob.Purger capability.
var _ blob.Purger = (*Store)(nil)
