package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/wharf-project/wharf/internal/config"
	"github.com/wharf-project/wharf/internal/migrate"
)

const migrateUsage = `Usage:
  wharf admin migrate --data-dir DIR --to-database-url postgres://… --to-blob-store s3://BUCKET[/PREFIX][?…]
      [--secret-key-file F] [--jobs N]

Copies an embedded deployment (DIR/wharf.db and the blob files under DIR/blobs)
into a scale-out one: a PostgreSQL database and an S3-compatible bucket.
Stop wharf serve first. The target database must hold no Wharf data (its
schema is created or upgraded here); blobs already in the bucket are verified
and kept. Every blob and manifest is checked against its digest, and every
access key secret against the secret key file, before the metadata is copied
in one transaction: a failure leaves the target database empty.

  --to-database-url  default $WHARF_DATABASE_URL
  --to-blob-store    default $WHARF_BLOB_STORE; S3 credentials from
                     WHARF_S3_ACCESS_KEY_ID and WHARF_S3_SECRET_ACCESS_KEY,
                     else the standard AWS credential chain
  --secret-key-file  default $WHARF_SECRET_KEY_FILE, else DIR/secret.key. It is
                     not copied: start every replica with this same file.
`

// runMigrate is wharf admin migrate.
func runMigrate(args []string, e env) int {
	fs := flag.NewFlagSet("admin migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, migrateUsage) }
	dataDir := fs.String("data-dir", envOr("WHARF_DATA_DIR", "wharf-data"), "the embedded deployment's data directory")
	keyFile := fs.String("secret-key-file", os.Getenv("WHARF_SECRET_KEY_FILE"), "key that sealed the secrets (default DATA-DIR/secret.key)")
	dbURL := fs.String("to-database-url", os.Getenv("WHARF_DATABASE_URL"), "target PostgreSQL URL")
	blobStore := fs.String("to-blob-store", os.Getenv("WHARF_BLOB_STORE"), "target s3:// blob store")
	jobs := fs.Int("jobs", 4, "blobs copied at once")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "wharf admin migrate: unexpected argument %q\n\n%s", fs.Arg(0), migrateUsage)
		return 2
	}
	if *keyFile == "" {
		*keyFile = filepath.Join(*dataDir, "secret.key")
	}
	// The target is checked as wharf serve would check it.
	cfg := config.Default()
	cfg.DataDir, cfg.SecretKeyFile, cfg.DatabaseURL, cfg.BlobStore = *dataDir, *keyFile, *dbURL, *blobStore
	cfg.S3AccessKeyID, cfg.S3SecretAccessKey = os.Getenv("WHARF_S3_ACCESS_KEY_ID"), os.Getenv("WHARF_S3_SECRET_ACCESS_KEY")
	var problems []error
	if *dbURL == "" {
		problems = append(problems, errors.New("name the target database: --to-database-url postgres://…"))
	}
	if !strings.HasPrefix(*blobStore, "s3://") {
		problems = append(problems, errors.New("name the target blob store: --to-blob-store s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true]"))
	}
	if *jobs < 1 {
		problems = append(problems, errors.New("--jobs must be at least 1"))
	}
	if err := errors.Join(append(problems, cfg.Validate())...); err != nil {
		fmt.Fprintf(e.stderr, "wharf admin migrate: %v\n\n%s", err, migrateUsage)
		return 2
	}
	if _, err := os.Stat(filepath.Join(*dataDir, "wharf.db")); err != nil {
		fmt.Fprintf(e.stderr, "wharf admin migrate: no Wharf database in %s: %v\n", *dataDir, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	blobs, err := openBlobs(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		fmt.Fprintf(e.stderr, "wharf admin migrate: target blob store: %v\n", err)
		return 1
	}
	loc, _, _ := cfg.S3()
	name := "s3://" + loc.Bucket + "/" + loc.Prefix
	if loc.Endpoint != "" {
		name += " at " + loc.Endpoint
	}
	sum, err := migrate.Run(ctx, migrate.Options{
		DataDir:       *dataDir,
		SecretKeyFile: *keyFile,
		DatabaseURL:   *dbURL,
		Blobs:         blobs,
		BlobsName:     name,
		Jobs:          *jobs,
		Out:           e.stdout,
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "wharf admin migrate: %v\n", err)
		return 1
	}
	keyPath, err := filepath.Abs(*keyFile)
	if err != nil {
		keyPath = *keyFile
	}
	migrate.PrintSummary(e.stdout, sum, keyPath)
	return 0
}
