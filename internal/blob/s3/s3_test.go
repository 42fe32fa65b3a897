package s3

// The tests run against a real S3-compatible server: the one named by
// WHARF_TEST_S3_ENDPOINT (with WHARF_TEST_S3_ACCESS_KEY, _SECRET_KEY,
// _BUCKET and optionally _REGION), or else a Versity S3 Gateway that they
// start on a free loopback port over a temporary directory. Install it with
//
//	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//
// (it is looked for on PATH and in $GOPATH/bin). Without either the tests
// are skipped, or fail when CI is set.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/build"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/blob/blobtest"
)

// server is where the tests' stores live.
type server struct {
	endpoint, region, access, secret, bucket string
	prefix                                   string // of this run, under which every store gets its own
	cmd                                      *exec.Cmd
	dir                                      string // the gateway's, removed at the end
	log                                      *os.File
}

var (
	srvOnce sync.Once
	srv     *server
	srvErr  error // why there is none
	srvSkip bool  // and whether that is a reason to skip
	stores  atomic.Int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	if srv != nil {
		srv.stop()
	}
	os.Exit(code)
}

// testServer returns the server, starting it on first use.
func testServer(t *testing.T) *server {
	t.Helper()
	srvOnce.Do(func() { srv, srvSkip, srvErr = startServer() })
	if srvErr != nil {
		if srvSkip && os.Getenv("CI") == "" {
			t.Skip(srvErr)
		}
		t.Fatal(srvErr)
	}
	return srv
}

func startServer() (*server, bool, error) {
	run := "run-" + randomToken()[:12] + "/"
	if ep := os.Getenv("WHARF_TEST_S3_ENDPOINT"); ep != "" {
		s := &server{
			endpoint: ep,
			region:   os.Getenv("WHARF_TEST_S3_REGION"),
			access:   os.Getenv("WHARF_TEST_S3_ACCESS_KEY"),
			secret:   os.Getenv("WHARF_TEST_S3_SECRET_KEY"),
			bucket:   os.Getenv("WHARF_TEST_S3_BUCKET"),
			prefix:   "wharf-test/" + run,
		}
		if s.bucket == "" {
			return nil, false, errors.New("WHARF_TEST_S3_ENDPOINT is set but WHARF_TEST_S3_BUCKET is not")
		}
		return s, false, nil
	}
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		bin = filepath.Join(build.Default.GOPATH, "bin", "versitygw")
		if _, err := os.Stat(bin); err != nil {
			return nil, true, errors.New("no S3 server: set WHARF_TEST_S3_ENDPOINT, or install versitygw with " +
				"go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")
		}
	}
	dir, err := os.MkdirTemp("", "wharf-versitygw-")
	if err != nil {
		return nil, false, err
	}
	s := &server{access: "wharf-test-key", secret: "wharf-test-secret", bucket: "wharf-test", prefix: run, dir: dir}
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, false, err
	}
	if s.log, err = os.Create(filepath.Join(dir, "versitygw.log")); err != nil {
		os.RemoveAll(dir)
		return nil, false, err
	}
	for attempt := 0; ; attempt++ {
		addr, err := freePort()
		if err != nil {
			s.stop()
			return nil, false, err
		}
		s.endpoint = "http://" + addr
		s.cmd = exec.Command(bin, "--access", s.access, "--secret", s.secret, "--port", addr, "--quiet", "posix", root)
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
		if err := s.cmd.Start(); err != nil {
			s.stop()
			return nil, false, fmt.Errorf("start %s: %w", bin, err)
		}
		err = s.waitReady()
		if err == nil {
			return s, false, nil
		}
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
		if attempt == 2 {
			logged, _ := os.ReadFile(s.log.Name())
			s.stop()
			return nil, false, fmt.Errorf("versitygw did not come up: %v\n%s", err, logged)
		}
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady waits for the gateway to answer, and creates the bucket.
func (s *server) waitReady() error {
	exited := make(chan error, 1)
	go func() { _, err := s.cmd.Process.Wait(); exited <- err }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("versitygw exited: %v", err)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := s.client(ctx)
		if err == nil {
			_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &s.bucket})
		}
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *server) client(ctx context.Context) (*s3.Client, error) {
	st, err := New(ctx, s.config("probe/", 0))
	if err != nil {
		return nil, err
	}
	return st.client, nil
}

func (s *server) stop() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
	if s.log != nil {
		s.log.Close()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

func (s *server) config(prefix string, partSize int64) Config {
	return Config{
		Bucket: s.bucket, Prefix: prefix, Endpoint: s.endpoint, Region: s.region, PathStyle: true,
		AccessKeyID: s.access, SecretAccessKey: s.secret,
		PartSize: partSize, DisableLeases: prefix == "probe/",
	}
}

// newStore returns a store of its own prefix, with the smallest parts S3
// allows, so that multipart uploads happen with small blobs. edit changes
// its Config.
func newStore(t *testing.T, edit ...func(*Config)) *Store {
	t.Helper()
	srv := testServer(t)
	cfg := srv.config(fmt.Sprintf("%ss%d/", srv.prefix, stores.Add(1)), MinPartSize)
	for _, e := range edit {
		e(&cfg)
	}
	s, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if !s.LeasesEnforced() {
		t.Errorf("the test server does not honour conditional writes")
	}
	return s
}

// checked is a store whose leftovers blobtest checks.
type checked struct{ *Store }

// Leftovers lists objects under uploads/ and incomplete multipart uploads.
func (s checked) Leftovers(ctx context.Context) ([]string, error) { return s.leftovers(ctx) }

func (s *Store) leftovers(ctx context.Context) ([]string, error) {
	var left []string
	root := s.uploadsPrefix()
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &root})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			left = append(left, strings.TrimPrefix(aws.ToString(o.Key), s.prefix))
		}
	}
	mpus, err := s.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: aws.String(s.prefix)})
	if err != nil {
		return nil, err
	}
	for _, m := range mpus.Uploads {
		left = append(left, "multipart upload of "+strings.TrimPrefix(aws.ToString(m.Key), s.prefix))
	}
	return left, nil
}

func TestStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store { return checked{newStore(t)} })
}

// TestStoreDefaultParts runs the suite with the default part size too (so
// that the 64 MiB upload has fewer, larger parts) and pages of one part.
func TestStoreDefaultParts(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s := newStore(t, func(c *Config) { c.PartSize = 0 })
		s.listPartsPage = 1
		return checked{s}
	})
}

// noLeftovers fails t when s holds anything but blobs.
func noLeftovers(t *testing.T, s *Store) {
	t.Helper()
	left, err := s.leftovers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("left behind: %q", left)
	}
}

// readAll reads blob d whole.
func readAll(t *testing.T, s blob.Store, d digest.Digest) []byte {
	t.Helper()
	r, err := s.Open(context.Background(), d)
	if err != nil {
		t.Fatalf("Open(%s): %v", d, err)
	}
	defer r.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		t.Fatalf("reading %s: %v", d, err)
	}
	return b.Bytes()
}
