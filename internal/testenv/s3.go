package testenv

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3Server is a bucket (or, on a shared bucket, a prefix of one) of an
// S3-compatible server, reached path-style.
type S3Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string
	Prefix    string // "" for the whole bucket, else ending in "/"
}

// BlobStore returns the setting of wharf serve's --blob-store that names s.
func (s S3Server) BlobStore() string {
	q := url.Values{"endpoint": {s.Endpoint}, "region": {s.Region}, "path-style": {"true"}}
	return "s3://" + s.Bucket + "/" + s.Prefix + "?" + q.Encode()
}

// Env returns the environment that gives wharf serve s's credentials.
func (s S3Server) Env() []string {
	return []string{"WHARF_S3_ACCESS_KEY_ID=" + s.AccessKey, "WHARF_S3_SECRET_ACCESS_KEY=" + s.SecretKey}
}

// Client returns an S3 client of s's server.
func (s S3Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:                     s.Region,
		BaseEndpoint:               aws.String(s.Endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// S3 returns a new, empty bucket, emptied and deleted when t ends (after
// the cleanups registered after this call). The first call starts a Versity
// S3 Gateway (versitygw, on PATH or in $GOPATH/bin; install it with
// go install github.com/versity/versitygw/cmd/versitygw@v1.8.0):
//
//	versitygw --access KEY --secret SECRET --port 127.0.0.1:PORT --quiet posix DIR/root
//
// With WHARF_TEST_S3_ENDPOINT set, the server it names is used instead.
func S3(t testing.TB) S3Server {
	t.Helper()
	gw.once.Do(gw.start)
	if gw.err != nil {
		unavailable(t, "S3 server", gw.err)
	}
	s := gw.base
	n := gw.n.Add(1)
	c := s.Client()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if s.Bucket != "" { // shared: a prefix of its own
		s.Prefix = fmt.Sprintf("wharf-testenv/%s-%d/", gw.run, n)
		t.Cleanup(func() {
			if err := empty(c, s.Bucket, s.Prefix); err != nil {
				t.Logf("testenv: emptying s3://%s/%s: %v", s.Bucket, s.Prefix, err)
			}
		})
		return s
	}
	s.Bucket = fmt.Sprintf("wharf-test-%s-%d", gw.run, n)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)}); err != nil {
		t.Fatalf("testenv: create bucket %s: %v", s.Bucket, err)
	}
	t.Cleanup(func() {
		err := empty(c, s.Bucket, "")
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(s.Bucket)})
		}
		if err != nil {
			t.Logf("testenv: removing bucket %s: %v", s.Bucket, err)
		}
	})
	return s
}

// empty deletes the objects and incomplete multipart uploads under prefix.
func empty(c *s3.Client, bucket, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: o.Key}); err != nil {
				errs = append(errs, err)
			}
		}
	}
	mpus, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, m := range mpus.Uploads {
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: m.Key, UploadId: m.UploadId}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

var gw gwServer

type gwServer struct {
	once sync.Once
	err  error    // why there is no server
	base S3Server // the server, and the bucket when shared
	run  string   // names this process's buckets or prefixes
	n    atomic.Int64

	dir  string // of the gateway this process started
	proc *child
}

func (g *gwServer) start() {
	g.run = randomHex(10)
	if ep := os.Getenv("WHARF_TEST_S3_ENDPOINT"); ep != "" {
		g.base = S3Server{
			Endpoint:  ep,
			Region:    os.Getenv("WHARF_TEST_S3_REGION"),
			AccessKey: os.Getenv("WHARF_TEST_S3_ACCESS_KEY"),
			SecretKey: os.Getenv("WHARF_TEST_S3_SECRET_KEY"),
			Bucket:    os.Getenv("WHARF_TEST_S3_BUCKET"),
		}
		if g.base.Region == "" {
			g.base.Region = "us-east-1"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := g.base.Client().ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil && g.base.Bucket == "" {
			g.err = fmt.Errorf("WHARF_TEST_S3_ENDPOINT %s: %w", ep, err)
		}
		return
	}
	g.err = g.startLocal()
}

func (g *gwServer) startLocal() error {
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		bin = filepath.Join(build.Default.GOPATH, "bin", "versitygw")
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("%w: versitygw is neither on PATH nor in $GOPATH/bin (install it with "+
				"go install github.com/versity/versitygw/cmd/versitygw@v1.8.0, or set WHARF_TEST_S3_ENDPOINT)", errMissing)
		}
	}
	if g.dir, err = newStateDir("wharf-testenv-s3-"); err != nil {
		return err
	}
	root := filepath.Join(g.dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		return err
	}
	logPath := filepath.Join(g.dir, "log")
	g.base = S3Server{Region: "us-east-1", AccessKey: "wharf-testenv", SecretKey: randomHex(32)}
	var lastErr error
	for range 3 { // the free port may be taken before the gateway binds it
		port, err := freePort()
		if err != nil {
			return err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		cmd := exec.Command(bin, "--access", g.base.AccessKey, "--secret", g.base.SecretKey, "--port", addr, "--quiet", "posix", root)
		logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		cmd.Stdout, cmd.Stderr = logFile, logFile
		proc, err := startChild(cmd, sigKill)
		logFile.Close()
		if err != nil {
			return fmt.Errorf("starting versitygw: %w", err)
		}
		g.base.Endpoint = "http://" + addr
		if lastErr = g.waitReady(proc); lastErr == nil {
			g.proc = proc
			return nil
		}
		proc.stop(sigKill)
	}
	return fmt.Errorf("versitygw did not start: %v\n%s", lastErr, tail(logPath, 4000))
}

// waitReady waits until the gateway answers.
func (g *gwServer) waitReady(proc *child) error {
	c := g.base.Client()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		switch {
		case err == nil:
			return nil
		case !proc.running():
			return fmt.Errorf("versitygw exited: %v", proc.err)
		case time.Now().After(deadline):
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (g *gwServer) shutdown() {
	if g.proc != nil {
		g.proc.stop(sigKill)
		g.proc = nil
	}
	if g.dir != "" {
		_ = os.RemoveAll(g.dir)
		g.dir = ""
	}
}
