package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "wharf.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// applied returns the versions schema_migrations records.
func applied(t *testing.T, s *Store) map[int]int64 {
	t.Helper()
	rows, err := s.writer.Query(`SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[int]int64{}
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		m[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMigrations(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 6 || ms[0].name != "0001_iam.sql" || ms[1].name != "0002_registry.sql" || ms[2].name != "0003_console.sql" ||
		ms[3].name != "0004_gc.sql" || ms[4].name != "0005_credential_reports.sql" ||
		ms[5].name != "0006_signin_failures.sql" {
		t.Fatalf("migrations: %+v", ms)
	}

	path := filepath.Join(t.TempDir(), "wharf.db")
	s := open(t, path)
	first := applied(t, s)
	if len(first) != len(ms) {
		t.Fatalf("applied %v, want %d versions", first, len(ms))
	}
	a := store.Account{ID: "123456789012", Alias: "acme", CreatedAt: time.Now()}
	u := store.User{AccountID: a.ID, Name: "alice", ID: "AIDAALICE", Path: "/"}
	if err := s.Tx(context.Background(), func(tx store.Tx) error {
		if err := tx.Accounts().Create(a); err != nil {
			return err
		}
		return tx.Users().Create(u)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopened: data kept, nothing applied again.
	s = open(t, path)
	defer s.Close()
	again := applied(t, s)
	for v, at := range first {
		if again[v] != at {
			t.Errorf("migration %d re-applied (applied_at %d, then %d)", v, at, again[v])
		}
	}
	if len(again) != len(first) {
		t.Errorf("applied %v after reopening, want %v", again, first)
	}
	if err := s.Tx(context.Background(), func(tx store.Tx) error {
		_, err := tx.Users().Get(a.ID, "alice")
		return err
	}); err != nil {
		t.Errorf("user after reopening: %v", err)
	}

	// Migrating an up-to-date database is a no-op.
	if err := migrate(context.Background(), s.writer); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if got := applied(t, s); len(got) != len(first) {
		t.Errorf("applied %v after migrating again", got)
	}
}

func TestMigrationsNewerDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wharf.db")
	s := open(t, path)
	if _, err := s.writer.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(context.Background(), path); err == nil {
		s.Close()
		t.Fatal("Open of a database from a newer binary succeeded")
	}
}

func TestFileMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wharf.db")
	s := open(t, path)
	defer s.Close()
	// Write something so that the WAL exists too.
	if err := s.Tx(context.Background(), func(tx store.Tx) error {
		return tx.Accounts().Create(store.Account{ID: "123456789012"})
	}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"wharf.db", "wharf.db-wal", "wharf.db-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %o, want 600", name, mode)
		}
	}
}

func TestPragmas(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "wharf.db"))
	defer s.Close()
	for _, db := range []struct {
		name string
		q    func(string) (string, error)
	}{
		{"writer", func(p string) (v string, err error) { err = s.writer.QueryRow("PRAGMA " + p).Scan(&v); return }},
		{"reader", func(p string) (v string, err error) { err = s.reader.QueryRow("PRAGMA " + p).Scan(&v); return }},
	} {
		for p, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
			got, err := db.q(p)
			if err != nil || got != want {
				t.Errorf("%s: PRAGMA %s = %q, %v; want %q", db.name, p, got, err, want)
			}
		}
	}
}

func TestView(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "wharf.db"))
	defer s.Close()
	a := store.Account{ID: "123456789012"}
	if err := s.Tx(ctx, func(tx store.Tx) error { return tx.Accounts().Create(a) }); err != nil {
		t.Fatal(err)
	}

	// Writes fail in a View.
	err := s.View(ctx, func(tx store.Tx) error { return tx.Accounts().Create(store.Account{ID: "210987654321"}) })
	if err == nil {
		t.Error("a write in View succeeded")
	}

	// Views run while a write transaction is open, and see the last commit.
	inTx := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- s.Tx(ctx, func(tx store.Tx) error {
			if err := tx.Users().Create(store.User{AccountID: a.ID, Name: "alice", ID: "AIDAALICE"}); err != nil {
				return err
			}
			close(inTx)
			<-release
			return nil
		})
	}()
	<-inTx
	viewCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err = s.View(viewCtx, func(tx store.Tx) error {
		if _, err := tx.Accounts().Get(a.ID); err != nil {
			return err
		}
		if _, err := tx.Users().Get(a.ID, "alice"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("View saw an uncommitted user: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Errorf("View during a Tx: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.Users().Get(a.ID, "alice"); return err }); err != nil {
		t.Errorf("View after commit: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(context.Background(), ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "missing", "wharf.db")); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

func TestOddPath(t *testing.T) {
	// '?' and '#' are part of the file name, not a DSN query.
	path := filepath.Join(t.TempDir(), "wh?arf#1 %20.db")
	s := open(t, path)
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %q: %v", path, err)
	}
}

func TestMigrationAtomic(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "wharf.db"))
	defer s.Close()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	bad := append(ms, migration{
		version: len(ms) + 1,
		name:    "9999_bad.sql",
		sql:     `CREATE TABLE half (a INTEGER) STRICT; INSERT INTO half VALUES (1); INSERT INTO nowhere VALUES (1);`,
	})
	if err := migrateTo(ctx, s.writer, bad); err == nil {
		t.Fatal("a failing migration succeeded")
	}
	var n int
	if err := s.writer.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'half'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a failed migration left its table behind (%d, %v)", n, err)
	}
	if got := applied(t, s); len(got) != len(ms) {
		t.Errorf("applied %v after a failed migration, want %d versions", got, len(ms))
	}
}

func TestConcurrentOpen(t *testing.T) {
	// Processes starting together on a new file take turns migrating.
	path := filepath.Join(t.TempDir(), "wharf.db")
	const n = 4
	stores := make(chan *Store, n)
	errc := make(chan error, n)
	for range n {
		go func() {
			s, err := Open(context.Background(), path)
			if err != nil {
				errc <- err
				return
			}
			stores <- s
		}()
	}
	for range n {
		select {
		case err := <-errc:
			t.Errorf("Open: %v", err)
		case s := <-stores:
			defer s.Close()
			ms, _ := migrations()
			if got := applied(t, s); len(got) != len(ms) {
				t.Errorf("applied %v, want %d versions", got, len(ms))
			}
		}
	}
}

// TestMigrationGCBackfill: 0004 gives every linked digest a record (the
// largest size linked) and every existing link a time.
func TestMigrationGCBackfill(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wharf.db")
	s := open(t, path)
	s.Close()
	// Back to schema 3 (undoing 0006, 0005, then 0004), with links made before 0004.
	raw, err := sql.Open("sqlite", dsn(path, url.Values{"_foreign_keys": {"1"}}))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`DROP TABLE signin_failures`,
		`DROP TABLE credential_reports`,
		`DROP TABLE blobs`,
		`ALTER TABLE blob_links DROP COLUMN created_at`,
		`DELETE FROM schema_migrations WHERE version >= 4`,
		`INSERT INTO accounts (pk, id, created_at) VALUES (1, '111111111111', 0)`,
		`INSERT INTO repositories (pk, account_pk, name, catalog_data, policy, tags) VALUES (1, 1, 'a', '', '', '[]'), (2, 1, 'b', '', '', '[]')`,
		`INSERT INTO blob_links (repository_pk, digest, size) VALUES (1, 'sha256:x', 5), (2, 'sha256:x', 7), (1, 'sha256:y', 9)`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	before := time.Now().Add(-time.Second)
	s = open(t, path)
	defer s.Close()
	var records []store.BlobRecord
	if err := s.Tx(ctx, func(tx store.Tx) error {
		var err error
		records, _, err = tx.GC().BlobRecords(store.Page{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 || records[0].Digest != "sha256:x" || records[0].Size != 7 || records[0].Links != 2 ||
		records[1].Digest != "sha256:y" || records[1].Size != 9 || records[1].Links != 1 {
		t.Fatalf("records after 0004: %+v", records)
	}
	for _, r := range records {
		if r.CreatedAt.Before(before) || !r.UnreferencedSince.IsZero() || !r.DeletingSince.IsZero() {
			t.Errorf("record %+v: want made now, live, unmarked", r)
		}
	}
	var links []store.BlobLink
	if err := s.Tx(ctx, func(tx store.Tx) error {
		var err error
		links, _, err = tx.GC().BlobLinks("111111111111", "a", store.Page{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.CreatedAt.Before(before) || l.CreatedAt.After(time.Now().Add(time.Second)) {
			t.Errorf("link %+v: want made now", l)
		}
	}
}
