package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/store"
)

// Retries of a transaction that failed to serialize: at most maxAttempts
// runs of fn, with a random wait before each retry of up to 1ms, 2ms, 4ms…
// capped at maxBackoff.
const (
	maxAttempts = 40
	maxBackoff  = 100 * time.Millisecond
)

// Store is a store.Store on a PostgreSQL database, through a pgx pool.
type Store struct {
	pool *pgxpool.Pool
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Viewer = (*Store)(nil)
	_ store.Locker = (*Store)(nil)
)

// Open connects to the database dsn names — a URL
// (postgres://user:pass@host:5432/db?sslmode=…) or key=value pairs, with
// pgx's and pgxpool's parameters (pool_max_conns, …) — and migrates its
// schema to the latest version. Several processes may open the same
// database at once: they take turns migrating, and each migration is
// applied once.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if dsn == "" {
		return nil, errors.New("postgres: open: empty DSN")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may quote the DSN, password and all.
		return nil, errors.New("postgres: open: invalid DSN")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := checkServer(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// checkServer checks that the server answers, is recent enough, and keeps
// text as UTF-8: in another encoding, text would not come back byte for
// byte, nor order by its UTF-8 bytes.
func checkServer(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	pc := conn.Conn().PgConn()
	if enc := pc.ParameterStatus("server_encoding"); enc != "UTF8" {
		return fmt.Errorf("the database's encoding is %s, not UTF8", enc)
	}
	var version int
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		return err
	}
	if version < 110000 {
		return fmt.Errorf("PostgreSQL %s is older than 11", pc.ParameterStatus("server_version"))
	}
	return nil
}

// Close closes every connection, waiting for those in use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Tx runs fn in one SERIALIZABLE transaction; see store.Store. When the
// transaction fails to serialize with a concurrent one (SQLSTATE 40001 or
// 40P01), it is rolled back and fn is run again, up to 40 times (see
// retryable). fn must
// not call s.Tx or s.View: each holds a connection of the pool.
func (s *Store) Tx(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable}, fn)
}

// View runs fn in one read-only transaction (REPEATABLE READ READ ONLY),
// which sees one consistent snapshot and runs concurrently with other View
// and Tx calls. Any write fn attempts fails. View is an optional capability
// beside store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (s *Store) run(ctx context.Context, opts pgx.TxOptions, fn func(store.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.once(ctx, opts, fn)
		if err != nil && unreachable(err) && ctx.Err() == nil {
			// The transaction did not commit (or, if the connection broke
			// during COMMIT, its outcome is unknown to PostgreSQL's client
			// as to every client): the caller is told to try again.
			return &errs.Error{Kind: errs.Unavailable, Code: "ServiceUnavailable",
				Message: "The metadata database cannot be reached right now; nothing was changed by this request. Try again shortly.", Err: err}
		}
		if err == nil || !errors.Is(err, errRetry) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("postgres: transaction failed %d times: %w", attempt, err)
		}
		wait := min(time.Millisecond<<(attempt-1), maxBackoff)
		timer := time.NewTimer(rand.N(wait) + 1)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("postgres: retry: %w (after %w)", ctx.Err(), err)
		case <-timer.C:
		}
	}
}

// errRetry marks an error after which the transaction is run again.
var errRetry = errors.New("transaction to run again")

// once runs fn in one transaction. It returns an error wrapping errRetry
// when the transaction failed in a way that running it again may cure (see
// retryable), whatever fn returned.
func (s *Store) once(ctx context.Context, opts pgx.TxOptions, fn func(store.Tx) error) error {
	pgTx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	t := &tx{ctx: ctx, tx: pgTx}
	done := false
	defer func() {
		// After an error, and while a panic unwinds: leave nothing behind.
		if !done {
			t.rollback()
		}
	}()
	err = fn(t)
	if t.retry != nil {
		// fn saw the transaction fail; whatever it made of that, run it again.
		done = true
		t.rollback()
		return fmt.Errorf("postgres: %w: %w", errRetry, t.retry)
	}
	if err != nil {
		return err
	}
	done = true
	if err := pgTx.Commit(ctx); err != nil {
		if retryable(err) {
			return fmt.Errorf("postgres: commit: %w: %w", errRetry, err)
		}
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// tx is one transaction's view of every aggregate.
type tx struct {
	ctx context.Context
	tx  pgx.Tx
	// retry is the first retryable error a statement met: the transaction
	// can only be rolled back and run again.
	retry error
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

// rollback rolls the transaction back, even when its context is done (so
// that the connection goes back to the pool clean).
func (t *tx) rollback() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.ctx), 5*time.Second)
	defer cancel()
	_ = t.tx.Rollback(ctx)
}

// note records a retryable error.
func (t *tx) note(err error) {
	if err != nil && t.retry == nil && retryable(err) {
		t.retry = err
	}
}

// retryable tells whether the transaction that met err may succeed when run
// again: a serialization failure (40001), a deadlock (40P01), or a prepared
// statement that another process's migration changed the result of (pgx
// then forgets the statement, and prepares it again the next time).
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40001", "40P01":
		return true
	case "0A000":
		return pe.Message == "cached plan must not change result type"
	}
	return false
}

// exec, query and queryRow run a statement. A string argument PostgreSQL
// cannot store as text (a NUL byte, invalid UTF-8) is refused before
// anything is sent: sent, it would fail the statement and with it the whole
// transaction.
func (t *tx) exec(sql string, args ...any) (pgconn.CommandTag, error) {
	if err := checkArgs(args); err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := t.tx.Exec(t.ctx, sql, args...)
	t.note(err)
	return tag, err
}

func (t *tx) query(sql string, args ...any) (pgx.Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	r, err := t.tx.Query(t.ctx, sql, args...)
	t.note(err)
	if err != nil {
		return nil, err
	}
	return rows{r, t}, nil
}

func (t *tx) queryRow(sql string, args ...any) scanner {
	if err := checkArgs(args); err != nil {
		return errRow{err}
	}
	return row{t.tx.QueryRow(t.ctx, sql, args...), t}
}

// rows notes the retryable error that ends an iteration.
type rows struct {
	pgx.Rows
	t *tx
}

func (r rows) Err() error {
	err := r.Rows.Err()
	r.t.note(err)
	return err
}

// row notes the retryable error of a single-row query.
type row struct {
	pgx.Row
	t *tx
}

func (r row) Scan(dest ...any) error {
	err := r.Row.Scan(dest...)
	r.t.note(err)
	return err
}

// errRow is a row that was never queried.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// errInvalidText is the error of an argument PostgreSQL cannot store.
var errInvalidText = errors.New("text contains a NUL byte or is not valid UTF-8")

func checkArgs(args []any) error {
	for _, a := range args {
		switch a := a.(type) {
		case string:
			if !validText(a) {
				return errInvalidText
			}
		case []string:
			for _, s := range a {
				if !validText(s) {
					return errInvalidText
				}
			}
		}
	}
	return nil
}

func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// atomic runs fn, a method's statements, inside a savepoint: when fn fails,
// what it wrote is undone and the transaction goes on. PostgreSQL needs
// this even around one statement: a statement that fails (a unique or
// foreign key violation) aborts the whole transaction otherwise. After a
// serialization failure there is nothing to save: the transaction will be
// run again.
func (t *tx) atomic(fn func() error) error {
	if _, err := t.exec(`SAVEPOINT method`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if t.retry != nil {
			return err
		}
		if _, rerr := t.exec(`ROLLBACK TO SAVEPOINT method`); rerr != nil {
			return errors.Join(err, rerr)
		}
		if _, rerr := t.exec(`RELEASE SAVEPOINT method`); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err := t.exec(`RELEASE SAVEPOINT method`)
	return err
}

// affected returns ErrNotFound when an UPDATE or DELETE touched no row.
func affected(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// fold folds a name's case as lower() does under COLLATE "C": ASCII only.
func fold(name string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, name)
}

// accountPK returns the surrogate key of account id.
func (t *tx) accountPK(id string) (int64, error) {
	var pk int64
	err := t.queryRow(`SELECT pk FROM accounts WHERE id = $1`, id).Scan(&pk)
	if errors.Is(err, pgx.ErrNoRows) {
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
		WHERE a.id = $1 AND p.kind = $2 AND lower(p.name) = $3`,
		account, string(kind), fold(name)).Scan(&pk)
	if errors.Is(err, pgx.ErrNoRows) {
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
	var pk int64
	err = t.queryRow(`INSERT INTO principals (account_pk, kind, name) VALUES ($1, $2, $3) RETURNING pk`,
		apk, string(kind), name).Scan(&pk)
	return pk, err
}

// renamePrincipal renames the principal oldName to newName and returns its pk.
func (t *tx) renamePrincipal(account string, kind store.EntityKind, oldName, newName string) (int64, error) {
	pk, err := t.principalPK(account, kind, oldName)
	if err != nil {
		return 0, err
	}
	_, err = t.exec(`UPDATE principals SET name = $1 WHERE pk = $2`, newName, pk)
	return pk, err
}

// deletePrincipal deletes a user, group or role and, by cascade, all that
// hangs off it.
func (t *tx) deletePrincipal(account string, kind store.EntityKind, name string) error {
	pk, err := t.principalPK(account, kind, name)
	if err != nil {
		return err
	}
	_, err = t.exec(`DELETE FROM principals WHERE pk = $1`, pk)
	return err
}

// wrap gives err the operation's name and the store's error kind: a missing
// row is store.ErrNotFound, a unique violation (23505)
// store.ErrAlreadyExists, a foreign key violation (23503) store.ErrNotFound
// (the row referred to is missing). Errors already of a kind keep it.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	op := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrAlreadyExists), errors.Is(err, store.ErrConflict):
		return fmt.Errorf("postgres: %s: %w", op, err)
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: %s: %w", op, store.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("postgres: %s: %w (%w)", op, store.ErrAlreadyExists, err)
		case "23503":
			return fmt.Errorf("postgres: %s: %w (%w)", op, store.ErrNotFound, err)
		}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// Values: times are TIMESTAMPTZ, NULL for the zero time.

func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// nullTime scans a time column, in UTC; NULL is the zero time.
type nullTime struct{ t *time.Time }

func (n nullTime) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid || v.InfinityModifier != pgtype.Finite {
		*n.t = time.Time{}
		return nil
	}
	*n.t = v.Time.UTC()
	return nil
}

// dbTags is the JSON of a tags column; nil is []. A tag PostgreSQL cannot
// store is refused here, as checkArgs refuses other text.
func dbTags(tags []store.Tag) (string, error) {
	if tags == nil {
		tags = []store.Tag{}
	}
	for _, tag := range tags {
		if !validText(tag.Key) || !validText(tag.Value) {
			return "", errInvalidText
		}
	}
	b, err := json.Marshal(tags)
	return string(b), err
}

// jsonTags scans a tags column; an empty list reads as nil.
type jsonTags struct{ tags *[]store.Tag }

func (j jsonTags) ScanBytes(v []byte) error {
	*j.tags = nil
	if len(v) == 0 || string(v) == "[]" || string(v) == "null" {
		return nil
	}
	return json.Unmarshal(v, j.tags)
}

// dbStrings is a TEXT[] value; nil is the empty array, not NULL.
func dbStrings(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// pageSize is p.Max, or 100 when it is not positive.
func pageSize(p store.Page) int {
	switch {
	case p.Max <= 0:
		return 100
	case p.Max >= math.MaxInt32:
		return math.MaxInt32 - 1 // LIMIT n+1 must stay an int
	}
	return p.Max
}

// scanner is a row or rows.
type scanner interface{ Scan(...any) error }

// collect reads at most size entries from rows (the query asked for
// size+1) and reports whether there were more.
func collect[T any](rs pgx.Rows, size int, scan func(scanner) (T, error)) ([]T, bool, error) {
	defer rs.Close()
	var out []T
	more := false
	for rs.Next() {
		if size >= 0 && len(out) == size {
			more = true
			break
		}
		v, err := scan(rs)
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, false, err
	}
	return out, more, nil
}

// all reads every entry of rows.
func all[T any](rs pgx.Rows, scan func(scanner) (T, error)) ([]T, error) {
	out, _, err := collect(rs, -1, scan)
	return out, err
}

func itoa(i int) string { return strconv.Itoa(i) }

// unreachable reports whether err means the database could not be reached
// or dropped the connection: connecting failed, the network failed, or the
// server is shutting down, starting up or out of connections (SQLSTATE
// class 08, 57P01–57P03, 53300).
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	return pgconn.Timeout(err) && !errors.Is(err, context.Canceled)
}
