package testenv

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// TestPostgres: two calls give two databases, each empty and writable.
func TestPostgres(t *testing.T) {
	ctx := context.Background()
	a, b := Postgres(t), Postgres(t)
	if a == b || !strings.HasPrefix(a, "postgres://") {
		t.Fatalf("DSNs %q and %q", a, b)
	}
	for _, dsn := range []string{a, b} {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `CREATE TABLE t (x TEXT)`); err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		var enc string
		if err := conn.QueryRow(ctx, `SHOW server_encoding`).Scan(&enc); err != nil || enc != "UTF8" {
			t.Errorf("server_encoding %q, %v", enc, err)
		}
	}
}

// TestS3: two calls give two buckets (or prefixes); objects round-trip.
func TestS3(t *testing.T) {
	ctx := context.Background()
	a, b := S3(t), S3(t)
	if a.Bucket+a.Prefix == b.Bucket+b.Prefix {
		t.Fatalf("both calls gave %s/%s", a.Bucket, a.Prefix)
	}
	if !strings.HasPrefix(a.BlobStore(), "s3://"+a.Bucket+"/") || !strings.Contains(a.BlobStore(), "path-style=true") {
		t.Errorf("BlobStore %q", a.BlobStore())
	}
	c := a.Client()
	key := a.Prefix + "hello"
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(a.Bucket), Key: aws.String(key), Body: bytes.NewReader([]byte("hi"))}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(a.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(got) != "hi" {
		t.Errorf("got %q", got)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b.Bucket), Prefix: aws.String(b.Prefix)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 0 {
		t.Errorf("the second bucket is not empty: %d objects", len(list.Contents))
	}
}
