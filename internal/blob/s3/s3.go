// Package s3 is the blob store on an S3-compatible object store, Wharf's
// scale-out backend: every replica that shares the bucket (and prefix)
// shares the blobs and the uploads, so an upload started on one replica can
// be resumed and committed on another. Everything lives under one prefix of
// one bucket:
//
//	<prefix>
//	├── blobs/
//	│   ├── sha256/<hex>            complete, verified blobs and nothing else
//	│   └── sha512/<hex>
//	└── uploads/<id>/               one upload in progress; id matches [A-Za-z0-9_-]{1,128}
//	    ├── state                   JSON: size, the sha256 hash state (encoding.BinaryMarshaler)
//	    │                           after exactly size bytes, the S3 multipart upload's
//	    │                           UploadId and parts (numbers, ETags, sizes), and the tail
//	    ├── data                    the key of the S3 multipart upload that holds the parts;
//	    │                           an object only between a Commit's CompleteMultipartUpload
//	    │                           and its copy to blobs/
//	    ├── tail.<end>.<random>     the upload's last bytes, too few for a part (S3 wants
//	    │                           5 MiB but for the last), which end at offset <end>
//	    └── lock                    the lease of the writer holding the upload
//
// The upload's bytes are the parts, in order, then the tail. A writer holds
// at most one part in memory: it buffers writes up to the part size and
// uploads each full buffer as the next part. Close uploads what is
// buffered as one more part when it is large enough, else as a tail object,
// and then replaces state. Resuming reads state and, once it is written to
// or committed, the tail back into the buffer.
//
// The invariants, which hold across a crash of a replica at any point:
//
//   - A key under blobs/ only ever appears by one atomic S3 write (PutObject
//     of a buffered upload, or CopyObject of the completed multipart upload,
//     or CompleteMultipartUpload of a multipart copy above 5 GiB) of content
//     whose digest was verified first: S3 makes an object visible complete or
//     not at all, and durable when the write returns. Committing a blob that
//     exists keeps the blob and discards the upload.
//   - state never refers to anything that a later write replaces: parts past
//     those it lists get part numbers it does not list, and every Close that
//     saves a tail writes it under a new name, so an upload is always what
//     its last saved state says, and bytes written
//     after it (by a replica that died before Close) are dropped on resume,
//     as the fs store cuts them off. A state is replaced only by a
//     conditional PutObject (If-Match its ETag), so a writer that lost its
//     lease cannot overwrite the state of the writer that took the upload
//     over. Parts and tails are read and completed by ETag, so anything else
//     is an error, never wrong content.
//   - A writer holds the upload by a lease: the lock object, created with
//     If-None-Match: * and renewed with If-Match while the writer works. A
//     second Upload of the id fails while the lease is live; a lease not
//     renewed for Config.LeaseTTL (its holder died) can be taken over, judged
//     by the server's clock (Last-Modified against Date). Servers that ignore
//     conditional writes (New probes for it) get no leases and no
//     conditional state writes, and nothing then keeps two writers of one
//     upload apart: see Store.LeasesEnforced.
//
// Nothing under uploads/ is ever visible as a blob. An abandoned upload (and
// an incomplete multipart upload left by a crash) stays until Purge removes
// it. A bucket lifecycle rule that aborts incomplete multipart uploads after
// some days is a good complement; it must not be shorter than how long
// clients may take to resume an upload.
//
// Memory: a writer holds one part in memory, Config.PartSize (8 MiB by
// default) for the first 1000×PartSize bytes of an upload and a thousandth
// of the bytes already in parts after that, so that any upload up to S3's
// largest object fits in its 10,000 parts. Readers and the sha512 read-back
// stream.
package s3

import (
	"context"
	_ "crypto/sha256" // registers the algorithms go-digest validates
	_ "crypto/sha512"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
)

// Config says where the store is and how it talks to it.
type Config struct {
	// Bucket holds the store; it must exist.
	Bucket string
	// Prefix is prepended to every key; a "/" is added when it does not end
	// in one. Empty puts the store at the bucket's root.
	Prefix string
	// Endpoint is an S3-compatible server's URL (http://127.0.0.1:7070);
	// empty means AWS S3.
	Endpoint string
	// Region defaults to the AWS configuration's, else us-east-1.
	Region string
	// PathStyle addresses the bucket in the path rather than the host name,
	// as most S3-compatible servers want.
	PathStyle bool
	// AccessKeyID and SecretAccessKey are static credentials. When empty the
	// default AWS credential chain is used (environment, shared files, web
	// identity, ECS/EC2 roles).
	AccessKeyID     string
	SecretAccessKey string

	// PartSize is the size of an upload's parts and so of the memory a
	// writer holds (it grows only past 1000 parts). At least 5 MiB (S3's
	// smallest part); 8 MiB when zero.
	PartSize int64
	// LeaseTTL is how long a writer's lease on an upload lasts without
	// renewal; a writer renews it while it works (every LeaseTTL/3). A
	// replica that dies holding an upload keeps others from it this long.
	// 2 minutes when zero.
	LeaseTTL time.Duration
	// DisableLeases skips the probe for conditional writes and works
	// without them: nothing then keeps two writers of an upload apart.
	DisableLeases bool
}

const (
	// MinPartSize is S3's smallest part but for an upload's last.
	MinPartSize = 5 << 20
	// DefaultPartSize is Config.PartSize's default.
	DefaultPartSize = 8 << 20
	// DefaultLeaseTTL is Config.LeaseTTL's default.
	DefaultLeaseTTL = 2 * time.Minute

	maxPartSize = 5 << 30 // S3's largest part, and largest single copy
	maxParts    = 10_000  // S3's most parts in a multipart upload
	// partsGrowth: past partSize*partsGrowth bytes, parts grow to 1/partsGrowth
	// of what the upload holds, so 5 TiB fit in fewer than 10,000 parts.
	partsGrowth = 1000
	// idleBuffers is how many part buffers a store keeps when no writer
	// uses them.
	idleBuffers = 2
)

// Store keeps blobs and uploads in a bucket. It is safe for concurrent use,
// also by several processes (replicas) sharing the bucket and prefix.
type Store struct {
	client   *s3.Client
	presign  *s3.PresignClient
	bucket   string
	prefix   string
	partSize int64
	leaseTTL time.Duration
	// conditional says that the server honours If-None-Match and If-Match
	// on PutObject: leases and compare-and-swap state writes work.
	conditional bool
	// Part buffers (*[]byte of cap partSize) between writers: a few kept
	// for sure, so that the Close and resume of each chunk of an upload do
	// not allocate a part each time, and more in a sync.Pool.
	idle chan *[]byte
	bufs sync.Pool

	// Knobs for tests.
	listPartsPage int32              // ListParts page size; 0: the server's default (1000)
	hook          func(event string) // called at points where a test injects failures
}

var _ blob.Store = (*Store)(nil)

// New connects to the bucket and probes whether the server honours
// conditional writes (unless cfg.DisableLeases).
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("blob/s3: no bucket")
	}
	switch {
	case cfg.PartSize == 0:
		cfg.PartSize = DefaultPartSize
	case cfg.PartSize < MinPartSize || cfg.PartSize > maxPartSize:
		return nil, fmt.Errorf("blob/s3: part size %d is not between 5 MiB and 5 GiB", cfg.PartSize)
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.LeaseTTL < time.Second {
		return nil, fmt.Errorf("blob/s3: lease TTL %v is under a second", cfg.LeaseTTL)
	}
	if (cfg.AccessKeyID == "") != (cfg.SecretAccessKey == "") {
		return nil, errors.New("blob/s3: give both an access key ID and a secret access key, or neither")
	}
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("blob/s3: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		// The SDK would log each GET of an object without a checksum.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	prefix := cfg.Prefix
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	s := &Store{
		client:   client,
		presign:  s3.NewPresignClient(client),
		bucket:   cfg.Bucket,
		prefix:   prefix,
		partSize: cfg.PartSize,
		leaseTTL: cfg.LeaseTTL,
	}
	s.idle = make(chan *[]byte, idleBuffers)
	s.bufs.New = func() any { b := make([]byte, 0, s.partSize); return &b }
	if !cfg.DisableLeases {
		if s.conditional, err = s.probeConditional(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Store) getBuf() []byte {
	select {
	case b := <-s.idle:
		return (*b)[:0]
	default:
		return (*s.bufs.Get().(*[]byte))[:0]
	}
}

func (s *Store) putBuf(b []byte) {
	b = b[:0]
	select {
	case s.idle <- &b:
	default:
		s.bufs.Put(&b)
	}
}

// LeasesEnforced reports whether the server honours conditional writes, so
// that only one writer at a time holds an upload. When false (an old or
// partial S3 implementation, or Config.DisableLeases), two replicas
// resuming one upload at once can corrupt it; its Commit then fails rather
// than storing wrong content, as parts and tails are checked by ETag.
func (s *Store) LeasesEnforced() bool { return s.conditional }

// probeConditional finds out whether the server honours If-None-Match and
// If-Match on PutObject, with an object that is no upload.
func (s *Store) probeConditional(ctx context.Context) (bool, error) {
	key := s.uploadsPrefix() + ".probe-" + randomToken()
	put := func(ifNoneMatch, ifMatch *string) error {
		_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: &s.bucket, Key: &key, Body: strings.NewReader("probe"),
			IfNoneMatch: ifNoneMatch, IfMatch: ifMatch,
		})
		return err
	}
	if err := put(aws.String("*"), nil); err != nil {
		if code := httpStatus(err); code == http.StatusNotImplemented || code == http.StatusBadRequest {
			return false, nil
		}
		return false, fmt.Errorf("blob/s3: bucket %s: %w", s.bucket, err)
	}
	defer s.client.DeleteObject(context.WithoutCancel(ctx), &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key})
	if err := put(aws.String("*"), nil); !isPreconditionFailed(err) {
		return false, nil // ignored (or failed some other way: no leases either)
	}
	if err := put(nil, aws.String(`"0123456789abcdef0123456789abcdef"`)); !isPreconditionFailed(err) {
		return false, nil
	}
	return true, nil
}

// Keys.

func (s *Store) blobsPrefix() string { return s.prefix + "blobs/" }

func (s *Store) blobKey(d digest.Digest) string {
	return s.blobsPrefix() + string(d.Algorithm()) + "/" + d.Encoded()
}

func (s *Store) uploadsPrefix() string { return s.prefix + "uploads/" }

func (s *Store) uploadKey(id, name string) string { return s.uploadsPrefix() + id + "/" + name }

// lookup validates d for Stat, Open, Delete and RedirectURL.
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
	return s.blobKey(d), nil
}

// head returns a blob's size and ETag.
func (s *Store) head(ctx context.Context, d digest.Digest, key string) (int64, string, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		if isNotFound(err) {
			return 0, "", fmt.Errorf("%w: %s", blob.ErrNotFound, d)
		}
		return 0, "", fmt.Errorf("blob/s3: stat %s: %w", d, err)
	}
	return aws.ToInt64(out.ContentLength), aws.ToString(out.ETag), nil
}

// Stat returns a blob's size.
func (s *Store) Stat(ctx context.Context, d digest.Digest) (int64, error) {
	key, err := s.lookup(ctx, d)
	if err != nil {
		return 0, err
	}
	size, _, err := s.head(ctx, d, key)
	return size, err
}

// Open returns a reader of the blob. It reads with ranged GETs under ctx,
// which must last as long as the reading.
func (s *Store) Open(ctx context.Context, d digest.Digest) (blob.Reader, error) {
	key, err := s.lookup(ctx, d)
	if err != nil {
		return nil, err
	}
	size, _, err := s.head(ctx, d, key)
	if err != nil {
		return nil, err
	}
	return &reader{s: s, ctx: ctx, key: key, size: size}, nil
}

// Delete removes a blob. A reader that has it open fails on its next
// request. Two concurrent Deletes of one blob may both succeed.
func (s *Store) Delete(ctx context.Context, d digest.Digest) error {
	key, err := s.lookup(ctx, d)
	if err != nil {
		return err
	}
	if _, _, err := s.head(ctx, d, key); err != nil {
		return err
	}
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key}); err != nil {
		return fmt.Errorf("blob/s3: delete %s: %w", d, err)
	}
	return nil
}

// RedirectURL returns a presigned URL that GETs the blob for ttl (at most
// 7 days), for a registry that redirects clients to the object store rather
// than proxying the bytes. It does not check that the blob exists, and the
// URL names Config.Endpoint, which clients must be able to reach.
func (s *Store) RedirectURL(ctx context.Context, d digest.Digest, ttl time.Duration) (string, error) {
	key, err := s.lookup(ctx, d)
	if err != nil {
		return "", err
	}
	if ttl <= 0 || ttl > 7*24*time.Hour {
		return "", fmt.Errorf("blob/s3: presign TTL %v is not within (0, 7 days]", ttl)
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("blob/s3: presign %s: %w", d, err)
	}
	return req.URL, nil
}

// Errors from S3.

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	switch apiCode(err) {
	case "NoSuchKey", "NotFound", "NoSuchUpload":
		return true
	}
	return httpStatus(err) == http.StatusNotFound
}

func isNoSuchUpload(err error) bool { return err != nil && apiCode(err) == "NoSuchUpload" }

// isPreconditionFailed says a conditional write lost: the object exists
// (If-None-Match), differs (If-Match), or is being written concurrently
// (AWS's 409 ConditionalRequestConflict).
func isPreconditionFailed(err error) bool {
	if err == nil {
		return false
	}
	switch apiCode(err) {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	switch httpStatus(err) {
	case http.StatusPreconditionFailed, http.StatusConflict:
		return true
	}
	return false
}

// serverTime returns the Date of the response that carried md, or the
// local time when it has none.
func serverTime(md middleware.Metadata) time.Time {
	if raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && raw != nil {
		if t, err := http.ParseTime(raw.Header.Get("Date")); err == nil {
			return t
		}
	}
	return time.Now()
}
