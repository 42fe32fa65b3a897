package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	driver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/wharf-project/wharf/internal/store"
)

// busyTimeout is how long a connection waits for a lock held by another
// process (another wharf, or the sqlite3 shell) before giving up.
const busyTimeout = 10 * time.Second

// Store is a store.Store on one SQLite database file.
type Store struct {
	writer *sql.DB // one connection, BEGIN IMMEDIATE: Tx
	reader *sql.DB // query_only connections: View
	path   string  // the database file, absolute
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Viewer = (*Store)(nil)
	_ store.Locker = (*Store)(nil)
)

// Open opens the database at path, creating the file (mode 0600) when it does
// not exist, and migrates its schema to the latest version. The directory
// must exist.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	// SQLite would create the file with 0644 less the umask; create it
	// ourselves first so it never exists with wider permissions. SQLite gives
	// the -wal and -shm files the database file's permissions.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("sqlite: open: %w", err)
		}
	case !errors.Is(err, fs.ErrExist):
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}

	common := url.Values{
		"_busy_timeout": {fmt.Sprint(busyTimeout.Milliseconds())},
		"_foreign_keys": {"1"},
		"_dqs":          {"0"}, // a double-quoted string is an identifier, never a literal
	}
	w := cloneValues(common)
	w.Set("_journal_mode", "WAL")
	w.Set("_txlock", "immediate")
	writer, err := sql.Open("sqlite", dsn(abs, w))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)

	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, err
	}

	r := cloneValues(common)
	r.Set("_query_only", "1")
	reader, err := sql.Open("sqlite", dsn(abs, r))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	return &Store{writer: writer, reader: reader, path: abs}, nil
}

// dsn makes a file: URI for modernc.org/sqlite; the path is escaped, so a '?'
// or '#' in it is part of the name.
func dsn(abs string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// Tx runs fn in one write transaction; see store.Store. Write transactions
// are serialized, so fn runs exactly once, and must not call s.Tx or s.View.
func (s *Store) Tx(ctx context.Context, fn func(store.Tx) error) error {
	return run(ctx, s.writer, nil, fn)
}

// View runs fn in one read-only transaction, which sees a consistent snapshot
// and runs concurrently with other View calls and with Tx. Any write fn
// attempts fails. View is an optional capability beside store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return run(ctx, s.reader, &sql.TxOptions{ReadOnly: true}, fn)
}

func run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(store.Tx) error) error {
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	committed := false
	defer func() {
		// After an error, and while a panic unwinds: leave nothing behind.
		if !committed {
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(&tx{ctx: ctx, tx: sqlTx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	committed = true
	return nil
}

// tx is one transaction's view of every aggregate.
type tx struct {
	ctx context.Context
	tx  *sql.Tx
}

func (t *tx) Accounts() store.Accounts                   { return accounts{t} }
func (t *tx) Users() store.Users                         { return users{t} }
func (t *tx) Groups() store.Groups                       { return groups{t} }
func (t *tx) Roles() store.Roles                         { return roles{t} }
func (t *tx) Policies() store.Policies                   { return policies{t} }
func (t *tx) AccessKeys() store.AccessKeys               { return accessKeys{t} }
func (t *tx) Registry() store.Registry                   { return registry{t} }
func (t *tx) ConsoleSessions() store.ConsoleSessions     { return consoleSessions{t} }
func (t *tx) CredentialReports() store.CredentialReports { return credentialReports{t} }
func (t *tx) SignInFailures() store.SignInFailures       { return signInFailures{t} }
func (t *tx) Blobs() store.Blobs                         { return blobRecords{t} }
func (t *tx) GC() store.GC                               { return gc{t} }

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, query, args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, query, args...)
}

func (t *tx) queryRow(query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// atomic runs fn, a method's several statements, inside a savepoint: when fn
// fails, what it wrote is undone and the transaction goes on, as when a
// single statement fails.
func (t *tx) atomic(fn func() error) error {
	if _, err := t.exec(`SAVEPOINT method`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := t.exec(`ROLLBACK TO method`); rerr != nil {
			return errors.Join(err, rerr)
		}
		if _, rerr := t.exec(`RELEASE method`); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err := t.exec(`RELEASE method`)
	return err
}

// affected returns ErrNotFound when an UPDATE or DELETE touched no row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// accountPK returns the surrogate key of account id.
func (t *tx) accountPK(id string) (int64, error) {
	var pk int64
	err := t.queryRow(`SELECT pk FROM accounts WHERE id = ?`, id).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("account %s: %w", id, store.ErrNotFound)
	}
	return pk, err
}

// principalPK returns the surrogate key of a user, group or role, found by
// name in any case.
func (t *tx) principalPK(account string, kind store.EntityKind, name string) (int64, error) {
	var pk int64
	err := t.queryRow(`
		SELECT p.pk FROM principals p JOIN accounts a ON a.pk = p.account_pk
		WHERE a.id = ? AND p.kind = ? AND p.name = ?`,
		account, string(kind), name).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%s %s/%s: %w", kind, account, name, store.ErrNotFound)
	}
	return pk, err
}

// createPrincipal inserts the principals row of a new user, group or role.
func (t *tx) createPrincipal(account string, kind store.EntityKind, name string) (int64, error) {
	apk, err := t.accountPK(account)
	if err != nil {
		return 0, err
	}
	res, err := t.exec(`INSERT INTO principals (account_pk, kind, name) VALUES (?, ?, ?)`, apk, string(kind), name)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// renamePrincipal renames the principal oldName to newName and returns its pk.
func (t *tx) renamePrincipal(account string, kind store.EntityKind, oldName, newName string) (int64, error) {
	pk, err := t.principalPK(account, kind, oldName)
	if err != nil {
		return 0, err
	}
	_, err = t.exec(`UPDATE principals SET name = ? WHERE pk = ?`, newName, pk)
	return pk, err
}

// deletePrincipal deletes a user, group or role and, by cascade, all that
// hangs off it.
func (t *tx) deletePrincipal(account string, kind store.EntityKind, name string) error {
	pk, err := t.principalPK(account, kind, name)
	if err != nil {
		return err
	}
	_, err = t.exec(`DELETE FROM principals WHERE pk = ?`, pk)
	return err
}

// wrap gives err the operation's name and the store's error kind: a missing
// row is store.ErrNotFound, a UNIQUE or PRIMARY KEY violation
// store.ErrAlreadyExists, a FOREIGN KEY violation store.ErrNotFound (the row
// referred to is missing). Errors already of a kind keep it.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	op := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrAlreadyExists), errors.Is(err, store.ErrConflict):
		return fmt.Errorf("sqlite: %s: %w", op, err)
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %s: %w", op, store.ErrNotFound)
	}
	var se *driver.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlite: %s: %w (%w)", op, store.ErrAlreadyExists, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("sqlite: %s: %w (%w)", op, store.ErrNotFound, err)
		}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// Values: times are unix microseconds UTC, NULL for the zero time.

func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// nullTime scans a time column.
type nullTime struct{ t *time.Time }

func (n nullTime) Scan(v any) error {
	var i sql.NullInt64
	if err := i.Scan(v); err != nil {
		return err
	}
	if i.Valid {
		*n.t = time.UnixMicro(i.Int64).UTC()
	} else {
		*n.t = time.Time{}
	}
	return nil
}

func dbTags(tags []store.Tag) (string, error) {
	if tags == nil {
		tags = []store.Tag{}
	}
	b, err := json.Marshal(tags)
	return string(b), err
}

// jsonTags scans a tags column; an empty list reads as nil.
type jsonTags struct{ tags *[]store.Tag }

func (j jsonTags) Scan(v any) error {
	var s sql.NullString
	if err := s.Scan(v); err != nil {
		return err
	}
	*j.tags = nil
	if !s.Valid || s.String == "" || s.String == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(s.String), j.tags)
}

// pageSize is p.Max, or 100 when it is not positive.
func pageSize(p store.Page) int {
	if p.Max <= 0 {
		return 100
	}
	return p.Max
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// collect reads at most size entries from rows (the query asked for
// size+1) and reports whether there were more.
func collect[T any](rows *sql.Rows, size int, scan func(scanner) (T, error)) ([]T, bool, error) {
	defer rows.Close()
	var out []T
	more := false
	for rows.Next() {
		if size >= 0 && len(out) == size {
			more = true
			break
		}
		v, err := scan(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	return out, more, rows.Close()
}

// all reads every entry of rows.
func all[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	out, _, err := collect(rows, -1, scan)
	return out, err
}
