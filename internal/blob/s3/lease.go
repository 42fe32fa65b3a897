package s3

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wharf-project/wharf/internal/blob"
)

var (
	errBusy      = blob.ErrUploadBusy
	errLeaseLost = errors.New("the writer's lease on the upload expired and another writer took it over")
)

// lease is a writer's hold on one upload: uploads/<id>/lock, which exists
// while a writer holds the upload. It is created with If-None-Match: *,
// renewed (rewritten with If-Match its ETag) while the writer works, and
// deleted with If-Match when the writer lets go. A lock whose Last-Modified
// is more than the TTL before the server's Date belongs to a writer that
// died: it is taken over with If-Match its ETag, so of several replicas
// trying at once exactly one gets it. Both times are the server's, so the
// replicas' clocks do not matter; they have whole seconds, and some servers
// send a Date a second or so old (fasthttp-based ones such as versitygw), so
// a lease expires up to a few seconds after the TTL, never before it.
//
// Without conditional writes (Store.conditional false) a lease is a no-op.
type lease struct {
	s       *Store
	key     string
	etag    string    // of the lock we wrote last; "" for a no-op lease
	renewed time.Time // local time of the last write of the lock
}

func randomToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// acquire takes the lease on upload id, or fails with errBusy.
func (s *Store) acquire(ctx context.Context, id string) (*lease, error) {
	l := &lease{s: s, key: s.uploadKey(id, "lock")}
	if !s.conditional {
		return l, nil
	}
	for attempt := 0; ; attempt++ {
		err := l.put(ctx, aws.String("*"), nil)
		if err == nil {
			return l, nil
		}
		if !isPreconditionFailed(err) {
			return nil, fmt.Errorf("blob/s3: lock upload %s: %w", id, err)
		}
		out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &l.key})
		if isNotFound(err) && attempt < 2 {
			continue // let go of just now
		}
		if err != nil {
			return nil, fmt.Errorf("blob/s3: lock upload %s: %w", id, err)
		}
		age := serverTime(out.ResultMetadata).Sub(aws.ToTime(out.LastModified))
		if age <= s.leaseTTL {
			return nil, fmt.Errorf("blob/s3: upload %s: %w (lease renewed %v ago)", id, errBusy, age)
		}
		// The holder died: take over, unless someone else does first.
		if err := l.put(ctx, nil, out.ETag); err != nil {
			if isPreconditionFailed(err) || isNotFound(err) {
				return nil, fmt.Errorf("blob/s3: upload %s: %w (lost the race to take over an expired lease: %v)", id, errBusy, err)
			}
			return nil, fmt.Errorf("blob/s3: lock upload %s: %w", id, err)
		}
		return l, nil
	}
}

// put writes the lock with a fresh body (so a fresh ETag) under the given
// condition.
func (l *lease) put(ctx context.Context, ifNoneMatch, ifMatch *string) error {
	out, err := l.s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &l.s.bucket, Key: &l.key,
		Body:        strings.NewReader(randomToken()),
		IfNoneMatch: ifNoneMatch, IfMatch: ifMatch,
	})
	if err != nil {
		return err
	}
	l.etag = aws.ToString(out.ETag)
	l.renewed = time.Now()
	return nil
}

// renew rewrites the lock when a third of the TTL has passed since it was
// written, or fails with errLeaseLost.
func (l *lease) renew(ctx context.Context) error {
	if l.etag == "" || time.Since(l.renewed) < l.s.leaseTTL/3 {
		return nil
	}
	if err := l.put(ctx, nil, aws.String(l.etag)); err != nil {
		if isPreconditionFailed(err) || isNotFound(err) {
			return errLeaseLost
		}
		return fmt.Errorf("blob/s3: renew lease %s: %w", l.key, err)
	}
	return nil
}

// release deletes the lock if it is still ours.
func (l *lease) release(ctx context.Context) error {
	if l.etag == "" {
		return nil
	}
	etag := l.etag
	l.etag = ""
	_, err := l.s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: &l.s.bucket, Key: &l.key, IfMatch: aws.String(etag),
	})
	if err != nil && !isPreconditionFailed(err) && !isNotFound(err) {
		return fmt.Errorf("blob/s3: unlock %s: %w", l.key, err)
	}
	return nil
}
