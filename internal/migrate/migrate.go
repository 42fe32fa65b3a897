// Package migrate moves an embedded Wharf deployment — the SQLite database
// and the blob files of a data directory — into a scale-out one: a
// PostgreSQL database and a blob store (S3), verifying every digest on the
// way. It is `wharf admin migrate`.
//
// The run, in order:
//
//  1. Source: open DATA-DIR/wharf.db and take its write lock (BEGIN
//     IMMEDIATE) for the whole run, so what is copied is one consistent
//     state that no server still running can change meanwhile.
//  2. Target: open the database with postgres.Open, which applies the
//     migrations, and refuse unless both schemas record the same versions
//     and the target holds no rows (no account above all).
//  3. Check, before anything is written: every manifest's content matches
//     its digest; every access key's sealed secret opens with the secret key
//     file (which the replicas must share, and which is not copied); every
//     blob the metadata names (blob links, repository logos) is in the data
//     directory with the size the metadata says.
//  4. Blobs: every file of the fs store's blobs/ tree is streamed to the
//     target store through a sha256 or sha512 hash; a blob whose content does
//     not match its name aborts the run, its upload cancelled. A blob the
//     target has already is read back and verified instead of copied.
//  5. Metadata: in ONE PostgreSQL transaction, holding every table's ACCESS
//     EXCLUSIVE lock (a replica starting meanwhile waits, then finds the
//     account), check again that the target is empty, copy every table both
//     schemas have, parents before children (by the target's foreign keys),
//     keeping every primary key; move each identity or serial sequence past
//     the largest key copied; compare row counts; commit. A failure anywhere
//     rolls it all back: the target database stays empty.
//
// The copy is generic: it reads the table and column lists from both
// schemas (same names by the stores' design) and converts each value by the
// target column's type — SQLite's unix-microsecond integers to TIMESTAMPTZ,
// 0/1 to BOOLEAN, JSON text to JSONB or TEXT[], BLOB to BYTEA — so tables a
// later migration adds are copied with no change here, and a column of a
// type it does not know stops the run rather than being guessed at.
//
// The package never writes to the source (the lock is all it takes), never
// writes metadata into a database that holds any, never commits metadata
// before every blob is in place and verified, and never prints a secret: not
// the database URL, not a key, not a sealed secret.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/store/postgres"
)

// Options says what to migrate where.
type Options struct {
	// DataDir is the embedded deployment's data directory: wharf.db and the
	// fs blob store under blobs/.
	DataDir string
	// SecretKeyFile is the key that sealed the access keys' secrets. It is
	// checked against them, not copied: every replica must be given it.
	SecretKeyFile string
	// DatabaseURL is the target PostgreSQL database (postgres://…).
	DatabaseURL string
	// Blobs is the target blob store, and BlobsName how to call it in
	// messages (no credentials in it).
	Blobs     blob.Store
	BlobsName string
	// Jobs is how many blobs are copied at once (default 4).
	Jobs int
	// Out receives progress and the summary; nil discards them.
	Out io.Writer
}

// Summary is what a run did.
type Summary struct {
	SchemaVersion int
	Tables        []TableCount // in the order copied
	Rows          int64

	Blobs        int   // in the source
	BlobBytes    int64 // their total size
	BlobsCopied  int
	BytesCopied  int64
	BlobsSkipped int // already in the target, verified

	Manifests  int // manifests whose content was checked against the digest
	AccessKeys int // access keys whose secret opened with the key file
	Elapsed    time.Duration
}

// TableCount is one table's copied rows.
type TableCount struct {
	Table string
	Rows  int64
}

// ErrTargetNotEmpty is returned when the target database holds Wharf data.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

// ErrSchemaMismatch is returned when the two databases' schemas differ.
var ErrSchemaMismatch = errors.New("the source and target schemas differ")

// Run migrates o.DataDir into o.DatabaseURL and o.Blobs.
func Run(ctx context.Context, o Options) (Summary, error) {
	began := time.Now()
	var sum Summary
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	if o.Jobs <= 0 {
		o.Jobs = 4
	}
	if o.Blobs == nil {
		return sum, errors.New("no target blob store")
	}

	// 1. The source, locked.
	dbPath := filepath.Join(o.DataDir, "wharf.db")
	if _, err := os.Stat(dbPath); err != nil {
		return sum, fmt.Errorf("no Wharf database in %s: %w", o.DataDir, err)
	}
	src, err := openSource(ctx, dbPath)
	if err != nil {
		return sum, err
	}
	defer src.close()
	fmt.Fprintf(out, "source: %s (SQLite, locked for the run) and %s\n", dbPath, filepath.Join(o.DataDir, "blobs"))

	// 2. The target: migrated, same versions, empty.
	poolCfg, err := pgxpool.ParseConfig(o.DatabaseURL)
	if err != nil {
		// pgx's parse errors may quote the URL, password and all.
		return sum, errors.New("the target database URL is not valid")
	}
	st, err := postgres.Open(ctx, o.DatabaseURL)
	if err != nil {
		return sum, fmt.Errorf("target database: %w", err)
	}
	_ = st.Close() // only wanted for its migrations
	pgCfg := poolCfg.ConnConfig
	dst, err := pgx.ConnectConfig(ctx, pgCfg)
	if err != nil {
		return sum, fmt.Errorf("target database: %w", err)
	}
	defer dst.Close(context.WithoutCancel(ctx))
	fmt.Fprintf(out, "target: PostgreSQL database %q on %s, blobs in %s\n", pgCfg.Database, pgCfg.Host, o.BlobsName)

	plan, err := makePlan(ctx, src, dst)
	if err != nil {
		return sum, err
	}
	sum.SchemaVersion = plan.version
	if err := checkEmpty(ctx, dst, plan); err != nil {
		return sum, err
	}

	// 3. Checks before anything is written.
	if sum.Manifests, err = checkManifests(ctx, src, plan); err != nil {
		return sum, err
	}
	if sum.AccessKeys, err = checkAccessKeys(ctx, src, plan, o.SecretKeyFile); err != nil {
		return sum, err
	}
	blobRoot := filepath.Join(o.DataDir, "blobs")
	blobs, err := listBlobs(blobRoot, out)
	if err != nil {
		return sum, err
	}
	for _, b := range blobs {
		sum.Blobs++
		sum.BlobBytes += b.size
	}
	if err := checkReferenced(ctx, src, plan, blobs); err != nil {
		return sum, err
	}
	fmt.Fprintf(out, "checked: schema version %d on both sides; %d manifests match their digests; %d access key secrets open with %s; %d blobs (%s) in the source, every one the metadata names among them\n",
		plan.version, sum.Manifests, sum.AccessKeys, o.SecretKeyFile, sum.Blobs, bytesText(sum.BlobBytes))

	// 4. Blobs.
	if err := copyBlobs(ctx, o.Blobs, blobs, o.Jobs, out, &sum); err != nil {
		return sum, fmt.Errorf("%w (nothing was written to the target database)", err)
	}

	// 5. Metadata, in one transaction.
	if err := copyTables(ctx, src, dst, plan, out, &sum); err != nil {
		return sum, fmt.Errorf("copying the metadata (the transaction was rolled back: the target database is still empty): %w", err)
	}
	sum.Elapsed = time.Since(began)
	return sum, nil
}

// PrintSummary writes what a run did, and what the operator must do next.
func PrintSummary(w io.Writer, s Summary, keyFile string) {
	fmt.Fprintf(w, "\nmigrated in %v:\n", s.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  metadata: %d tables, %d rows (schema version %d); row counts compared after the copy\n", len(s.Tables), s.Rows, s.SchemaVersion)
	for _, t := range s.Tables {
		fmt.Fprintf(w, "    %-22s %d\n", t.Table, t.Rows)
	}
	fmt.Fprintf(w, "  blobs: %d (%s): %d copied (%s), %d already in the target; every one verified against its digest\n",
		s.Blobs, bytesText(s.BlobBytes), s.BlobsCopied, bytesText(s.BytesCopied), s.BlobsSkipped)
	fmt.Fprintf(w, "  manifests: %d verified against their digests; access keys: %d secrets open with the key file\n", s.Manifests, s.AccessKeys)
	fmt.Fprintf(w, "\nThe secret key file was NOT copied into the database: access key secrets stay sealed\n"+
		"with the key in %s. Give every replica that same file\n"+
		"(--secret-key-file or WHARF_SECRET_KEY_FILE), or no access key will authenticate.\n", keyFile)
}

// bytesText is n in bytes, KiB, MiB or GiB.
func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// source is the locked SQLite database.
type source struct {
	db *sql.DB
	tx *sql.Tx
}

func (s *source) close() {
	if s.tx != nil {
		_ = s.tx.Rollback()
	}
	_ = s.db.Close()
}
