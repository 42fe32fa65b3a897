package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/config"
	"github.com/wharf-project/wharf/internal/gc"
	"github.com/wharf-project/wharf/internal/store"
)

const gcUsage = `Usage:
  wharf admin gc [--dry-run] [--grace 1h] [--delete-untagged] [--scan-store] [--output text|json]
                 [--data-dir DIR | --database-url URL --blob-store s3://…] [--wait 10m]
      Remove, while the registry keeps serving, what nothing references: blob
      links no manifest uses and blob content no repository links, once older
      than the grace period (and, with --delete-untagged, untagged manifests
      no index lists). --dry-run reports what a sweep would free and changes
      nothing. Of all processes sharing the store one sweeps at a time: this
      waits up to --wait for another sweep to end.
      --scan-store also lists the whole blob store, for content Wharf has no
      record of (stored before the version that added blob records, or left
      by a crash), and adopts it: a later sweep deletes it once unreferenced
      for the grace period.
`

// runGC is wharf admin gc.
func runGC(args []string, e env) int {
	fs := flag.NewFlagSet("admin gc", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, gcUsage) }
	dryRun := fs.Bool("dry-run", false, "report what would be removed, remove nothing")
	grace := fs.Duration("grace", envDuration("WHARF_GC_GRACE", gc.DefaultGrace), "grace period (env WHARF_GC_GRACE)")
	untagged := fs.Bool("delete-untagged", os.Getenv("WHARF_GC_DELETE_UNTAGGED") == "true", "also remove untagged manifests no index lists")
	scan := fs.Bool("scan-store", false, "also list the blob store and adopt content without a record, for a later sweep")
	output := fs.String("output", "text", "text or json")
	wait := fs.Duration("wait", 10*time.Minute, "how long to wait for another sweep to end")
	dataDir := fs.String("data-dir", envOr("WHARF_DATA_DIR", "wharf-data"), "data directory")
	dbURL := fs.String("database-url", os.Getenv("WHARF_DATABASE_URL"), "PostgreSQL URL (scale-out); default the data directory's SQLite database")
	blobStore := fs.String("blob-store", os.Getenv("WHARF_BLOB_STORE"), "s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true]; default the data directory's files")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || (*output != "text" && *output != "json") || *grace < 0 {
		fs.Usage()
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(e.stderr, "wharf admin gc: %v\n", err)
		return 1
	}
	cfg := config.Config{DataDir: *dataDir, DatabaseURL: *dbURL, BlobStore: *blobStore,
		S3AccessKeyID: os.Getenv("WHARF_S3_ACCESS_KEY_ID"), S3SecretAccessKey: os.Getenv("WHARF_S3_SECRET_ACCESS_KEY")}
	if _, _, err := cfg.S3(); err != nil {
		return fail(err)
	}
	if *dbURL == "" {
		if _, err := os.Stat(filepath.Join(*dataDir, "wharf.db")); err != nil {
			return fail(fmt.Errorf("no Wharf database in %s (start wharf serve once first): %v", *dataDir, err))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := openStore(ctx, cfg, quiet)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	blobs, err := openBlobs(ctx, cfg, quiet)
	if err != nil {
		return fail(err)
	}
	c := &gc.Collector{Store: db, Blobs: blobs, Now: e.now, Log: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	opts := gc.Options{DryRun: *dryRun, Grace: *grace, DeleteUntagged: *untagged, ScanStore: *scan}
	deadline := time.Now().Add(*wait)
	said := false
	var rep gc.Report
	for {
		rep, err = c.Sweep(ctx, opts)
		if !errors.Is(err, gc.ErrLocked) {
			break
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("another garbage collection is still running after %v", *wait))
		}
		if !said {
			fmt.Fprintln(e.stderr, "wharf admin gc: waiting for another garbage collection to end")
			said = true
		}
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(time.Second):
		}
	}
	if *output == "json" {
		b, _ := json.Marshal(rep)
		fmt.Fprintf(e.stdout, "%s\n", b)
	} else {
		fmt.Fprintf(e.stdout, "garbage collection: %s\n", rep)
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

func envDuration(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return d
	}
	return def
}

// collectGarbage sweeps every cfg.GCInterval (give or take a tenth, so
// that replicas started together do not all try at once) until ctx ends.
// Of the replicas, the one holding the store's lock sweeps; the others
// find it taken and wait for the next time.
func collectGarbage(ctx context.Context, db store.Store, blobs blob.Store, cfg config.Config, log *slog.Logger) {
	c := &gc.Collector{Store: db, Blobs: blobs, Log: log}
	opts := gc.Options{Grace: cfg.GCGrace, DeleteUntagged: cfg.GCDeleteUntagged}
	for {
		jitter := time.Duration(rand.Int64N(int64(cfg.GCInterval)/5+1)) - cfg.GCInterval/10
		select {
		case <-ctx.Done():
			return
		case <-time.After(cfg.GCInterval + jitter):
		}
		rep, err := c.Sweep(ctx, opts)
		attrs := []any{"manifests", rep.ManifestsRemoved, "links", rep.LinksRemoved, "blobs", rep.BlobsDeleted,
			"bytes_freed", rep.BytesFreed, "repositories", rep.Repositories, "records", rep.Records, "duration", rep.Duration.String()}
		switch {
		case errors.Is(err, gc.ErrLocked):
			log.Debug("garbage collection: another replica is sweeping")
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("garbage collection", append(attrs, "err", err)...)
		case rep.ManifestsRemoved+rep.LinksRemoved+rep.BlobsDeleted+rep.MissingContent > 0:
			log.Info("garbage collection", attrs...)
		default:
			log.Debug("garbage collection", attrs...)
		}
	}
}
