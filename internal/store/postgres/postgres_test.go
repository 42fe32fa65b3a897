package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/storetest"
)

// open opens a store on dsn.
func open(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, testDSN(t, true))
	})
}

// applied returns the versions schema_migrations records, with their times.
func applied(t *testing.T, s *Store) map[int]time.Time {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[int]time.Time{}
	for rows.Next() {
		var v int
		var at time.Time
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

	dsn := testDSN(t, false)
	s := open(t, dsn)
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
	s.Close()

	// Reopened: data kept, nothing applied again.
	s = open(t, dsn)
	defer s.Close()
	again := applied(t, s)
	for v, at := range first {
		if !again[v].Equal(at) {
			t.Errorf("migration %d re-applied (applied_at %v, then %v)", v, at, again[v])
		}
	}
	if len(again) != len(first) {
		t.Errorf("applied %v after reopening, want %v", again, first)
	}
	if err := s.Tx(context.Background(), func(tx store.Tx) error {
		_, err := tx.Users().Get(a.ID, "ALICE")
		return err
	}); err != nil {
		t.Errorf("user after reopening: %v", err)
	}

	// Migrating an up-to-date database is a no-op.
	if err := migrate(context.Background(), s.pool); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if got := applied(t, s); len(got) != len(first) {
		t.Errorf("applied %v after migrating again", got)
	}
}

func TestMigrationsNewerDatabase(t *testing.T) {
	dsn := testDSN(t, true)
	s := open(t, dsn)
	if _, err := s.pool.Exec(context.Background(),
		`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', now())`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(context.Background(), dsn); err == nil {
		s.Close()
		t.Fatal("Open of a database from a newer binary succeeded")
	}
}

func TestMigrationAtomic(t *testing.T) {
	ctx := context.Background()
	s := open(t, testDSN(t, true))
	defer s.Close()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	bad := append(ms, migration{
		version: len(ms) + 1,
		name:    "0003_bad.sql",
		sql:     `CREATE TABLE half (a INTEGER); INSERT INTO half VALUES (1); INSERT INTO nowhere VALUES (1);`,
	})
	if err := migrateTo(ctx, s.pool, bad); err == nil {
		t.Fatal("a failing migration succeeded")
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relname = 'half'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a failed migration left its table behind (%d, %v)", n, err)
	}
	if got := applied(t, s); len(got) != len(ms) {
		t.Errorf("applied %v after a failed migration, want %d versions", got, len(ms))
	}
	// The lock was released: migrating again works.
	if err := migrate(ctx, s.pool); err != nil {
		t.Errorf("migrate after a failed migration: %v", err)
	}
}

func TestConcurrentOpen(t *testing.T) {
	// Replicas starting together on a new database: one migrates, under the
	// advisory lock, the others wait and find its records.
	dsn := testDSN(t, false)
	const n = 6
	var wg sync.WaitGroup
	stores := make([]*Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(context.Background(), dsn)
		}()
	}
	wg.Wait()
	ms, _ := migrations()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		defer stores[i].Close()
		if got := applied(t, stores[i]); len(got) != len(ms) {
			t.Errorf("applied %v, want %d versions", got, len(ms))
		}
	}
}

func TestView(t *testing.T) {
	ctx := context.Background()
	s := open(t, testDSN(t, true))
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

func TestRetry(t *testing.T) {
	// Two transactions read, then write, the same row: the one that commits
	// second fails to serialize, and Tx runs its function again, which then
	// sees the first one's write.
	ctx := context.Background()
	s := open(t, testDSN(t, true))
	defer s.Close()
	role := store.Role{AccountID: "123456789012", Name: "counter", ID: "AROACOUNTER", Path: "/"}
	if err := s.Tx(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Create(store.Account{ID: role.AccountID}); err != nil {
			return err
		}
		return tx.Roles().Create(role)
	}); err != nil {
		t.Fatal(err)
	}
	increment := func(tx store.Tx) error {
		r, err := tx.Roles().Get(role.AccountID, role.Name)
		if err != nil {
			return err
		}
		r.MaxSessionDuration++
		return tx.Roles().Update(r.Name, r)
	}

	var calls atomic.Int32
	read := make(chan struct{})
	committed := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- s.Tx(ctx, func(tx store.Tx) error {
			first := calls.Add(1) == 1
			r, err := tx.Roles().Get(role.AccountID, role.Name)
			if err != nil {
				return err
			}
			if first {
				close(read)
				<-committed // the other transaction writes the row meanwhile
			}
			r.MaxSessionDuration++
			// The update of a row changed since this transaction's snapshot
			// fails to serialize; fn swallows the error, and Tx still runs
			// it again.
			_ = tx.Roles().Update(r.Name, r)
			return nil
		})
	}()
	<-read
	if err := s.Tx(ctx, increment); err != nil {
		t.Fatal(err)
	}
	close(committed)
	if err := <-done; err != nil {
		t.Fatalf("Tx: %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("fn called %d times, want 2", n)
	}
	var got store.Role
	if err := s.View(ctx, func(tx store.Tx) (err error) { got, err = tx.Roles().Get(role.AccountID, role.Name); return }); err != nil {
		t.Fatal(err)
	}
	if got.MaxSessionDuration != 2 {
		t.Errorf("counter = %d, want 2", got.MaxSessionDuration)
	}
}

func TestInvalidText(t *testing.T) {
	// Text PostgreSQL cannot store (NUL, invalid UTF-8) fails the call, and
	// only the call: the transaction goes on.
	ctx := context.Background()
	s := open(t, testDSN(t, true))
	defer s.Close()
	err := s.Tx(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Create(store.Account{ID: "123456789012"}); err != nil {
			return err
		}
		for _, bad := range []string{"a\x00b", "\xff", "ok\xc3"} {
			if _, err := tx.Users().Get("123456789012", bad); err == nil {
				t.Errorf("Get(%q) succeeded", bad)
			}
			if err := tx.Users().Create(store.User{AccountID: "123456789012", Name: bad, ID: "AIDA" + bad}); err == nil {
				t.Errorf("Create(%q) succeeded", bad)
			}
			if err := tx.Users().Create(store.User{AccountID: "123456789012", Name: "tagged", ID: "AIDATAGGED",
				Tags: []store.Tag{{Key: "k", Value: bad}}}); err == nil {
				t.Errorf("Create with a tag %q succeeded", bad)
			}
			if _, _, err := tx.Registry().Catalog(store.Page{Marker: bad}); err == nil {
				t.Errorf("Catalog after %q succeeded", bad)
			}
		}
		return tx.Users().Create(store.User{AccountID: "123456789012", Name: "alice", ID: "AIDAALICE"})
	})
	if err != nil {
		t.Fatalf("Tx: %v", err)
	}
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.Users().Get("123456789012", "alice"); return err }); err != nil {
		t.Errorf("the user created after the failed calls: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, ""); err == nil {
		t.Error(`Open("") succeeded`)
	}
	// A DSN pgx cannot parse: the error must not quote its password.
	_, err := Open(ctx, "postgres://wharf:s3cret-password@127.0.0.1:notaport/db")
	if err == nil {
		t.Fatal("Open of a bad DSN succeeded")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error quotes the password: %v", err)
	}
	// A server that is not there.
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := Open(ctx, fmt.Sprintf("host=127.0.0.1 port=%d user=wharf password=s3cret-password dbname=x sslmode=disable connect_timeout=5", port)); err == nil {
		t.Error("Open of a closed port succeeded")
	} else if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error quotes the password: %v", err)
	}
}

func TestPing(t *testing.T) {
	s := open(t, testDSN(t, true))
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	s.Close()
}

func TestOpenRefusesOtherEncodings(t *testing.T) {
	testDSN(t, false) // the server, or a skip
	name := server.newName()
	err := server.main.exec(`CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'SQL_ASCII' LOCALE_PROVIDER libc LC_COLLATE 'C' LC_CTYPE 'C'`)
	if err != nil { // before 15: no LOCALE_PROVIDER
		err = server.main.exec(`CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'`)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.drops <- name })
	s, err := Open(context.Background(), withDatabase(server.admin, name))
	if err == nil {
		s.Close()
		t.Fatal("Open of a SQL_ASCII database succeeded")
	}
	if !strings.Contains(err.Error(), "SQL_ASCII") {
		t.Errorf("error %v does not name the encoding", err)
	}
}

// TestMigrationGCBackfill: 0004 gives every linked digest a record (the
// largest size linked) and every existing link a time.
func TestMigrationGCBackfill(t *testing.T) {
	ctx := context.Background()
	s := open(t, testDSN(t, false))
	defer s.Close()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	// Back to schema 3 (undoing 0006, 0005, then 0004), with links made before 0004.
	for _, q := range []string{
		`DROP TABLE signin_failures`,
		`DROP TABLE credential_reports`,
		`DROP TABLE blobs`,
		`ALTER TABLE blob_links DROP COLUMN created_at`,
		`DELETE FROM schema_migrations WHERE version >= 4`,
		`INSERT INTO accounts (id, created_at) VALUES ('111111111111', now())`,
		`INSERT INTO repositories (account_pk, name, catalog_data, policy, tags)
		 SELECT pk, n, '', '', '[]' FROM accounts, unnest(ARRAY['a', 'b']) AS n`,
		`INSERT INTO blob_links (repository_pk, digest, size)
		 SELECT r.pk, l.digest, l.size FROM repositories r JOIN (VALUES ('a', 'sha256:x', 5), ('b', 'sha256:x', 7), ('a', 'sha256:y', 9)) AS l (repo, digest, size) ON r.name = l.repo`,
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	before := time.Now().Add(-time.Second)
	if err := migrateTo(ctx, s.pool, ms); err != nil {
		t.Fatal(err)
	}
	var records []store.BlobRecord
	var links []store.BlobLink
	if err := s.Tx(ctx, func(tx store.Tx) error {
		var err error
		if records, _, err = tx.GC().BlobRecords(store.Page{}); err != nil {
			return err
		}
		links, _, err = tx.GC().BlobLinks("111111111111", "a", store.Page{})
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
	if len(links) != 2 {
		t.Fatalf("links of a: %+v", links)
	}
	for _, l := range links {
		if l.CreatedAt.Before(before) || l.CreatedAt.After(time.Now().Add(time.Second)) {
			t.Errorf("link %+v: want made now", l)
		}
	}
}
