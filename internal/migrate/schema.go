package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, as internal/store/sqlite uses it
)

// bookkeeping tables are the stores' own records, not Wharf data: each side
// keeps its own (their versions are compared, not copied).
var bookkeeping = map[string]bool{"schema_migrations": true}

// openSource opens the SQLite database at path and begins the run's one
// transaction with BEGIN IMMEDIATE: the write lock, held until close.
func openSource(ctx context.Context, path string) (*source, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	q := url.Values{"_busy_timeout": {"5000"}, "_txlock": {"immediate"}, "_dqs": {"0"}}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("source database: %w", err)
	}
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("source database %s: cannot take its write lock (is wharf serve still running on this data directory? stop it first): %w", path, err)
	}
	return &source{db: db, tx: tx}, nil
}

// A plan is what to copy: the tables both schemas have, parents first.
type plan struct {
	version int
	tables  []*table
	byName  map[string]*table
}

type table struct {
	name string
	cols []column
	// seqs are the target's columns with a sequence (identity or serial)
	// and the sequence's name.
	seqs [][2]string
}

type column struct {
	name   string
	pgType string // the target's type, for messages
	conv   converter
}

func (p *plan) has(tableName string, cols ...string) bool {
	t := p.byName[tableName]
	if t == nil {
		return false
	}
	for _, c := range cols {
		if !slices.ContainsFunc(t.cols, func(tc column) bool { return tc.name == c }) {
			return false
		}
	}
	return true
}

// makePlan compares the two schemas and orders the tables.
func makePlan(ctx context.Context, src *source, dst *pgx.Conn) (*plan, error) {
	sv, err := sourceVersions(ctx, src)
	if err != nil {
		return nil, err
	}
	tv, err := targetVersions(ctx, dst)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(sv, tv) {
		return nil, fmt.Errorf("%w: the data directory's database has schema version %d, this wharf's PostgreSQL schema is version %d (%s)",
			ErrSchemaMismatch, last(sv), last(tv), versionAdvice(last(sv), last(tv)))
	}
	p := &plan{version: last(sv), byName: map[string]*table{}}

	srcCols, err := sourceColumns(ctx, src)
	if err != nil {
		return nil, err
	}
	dstCols, err := targetColumns(ctx, dst)
	if err != nil {
		return nil, err
	}
	var problems []string
	for name := range dstCols {
		if _, ok := srcCols[name]; !ok && !bookkeeping[name] {
			problems = append(problems, "table "+name+" is only in the target")
		}
	}
	for name, scols := range srcCols {
		if bookkeeping[name] {
			continue
		}
		tcols, ok := dstCols[name]
		if !ok {
			problems = append(problems, "table "+name+" is only in the source")
			continue
		}
		t := &table{name: name}
		for _, c := range scols {
			tc, ok := tcols[c]
			if !ok {
				problems = append(problems, fmt.Sprintf("column %s.%s is only in the source", name, c))
				continue
			}
			if tc.generated {
				continue // computed by the target
			}
			conv, err := converterFor(tc.dataType, tc.udtName)
			if err != nil {
				problems = append(problems, fmt.Sprintf("column %s.%s: %v", name, c, err))
				continue
			}
			t.cols = append(t.cols, column{name: c, pgType: tc.dataType, conv: conv})
		}
		for c, tc := range tcols {
			if !slices.Contains(scols, c) && !tc.nullable && !tc.hasDefault && !tc.generated {
				problems = append(problems, fmt.Sprintf("column %s.%s is only in the target, NOT NULL without a default", name, c))
			}
			if tc.sequence != "" {
				t.seqs = append(t.seqs, [2]string{c, tc.sequence})
			}
		}
		slices.SortFunc(t.seqs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
		p.byName[name] = t
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("%w, though both record schema version %d: %s", ErrSchemaMismatch, p.version, strings.Join(problems, "; "))
	}
	order, err := tableOrder(ctx, dst, p.byName)
	if err != nil {
		return nil, err
	}
	for _, name := range order {
		p.tables = append(p.tables, p.byName[name])
	}
	return p, nil
}

func last(vs []int) int {
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1]
}

func versionAdvice(src, dst int) string {
	if src < dst {
		return "start this version's wharf serve on the data directory once, which upgrades its schema, stop it, and migrate again"
	}
	return "the data directory was used by a newer wharf: migrate with that version"
}

func sourceVersions(ctx context.Context, src *source) ([]int, error) {
	rows, err := src.tx.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("source database: reading its schema version: %w", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

func targetVersions(ctx context.Context, dst *pgx.Conn) ([]int, error) {
	rows, err := dst.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("target database: reading its schema version: %w", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("target database: reading its schema version: %w", err)
	}
	return vs, nil
}

// sourceColumns returns the source's tables and their columns in order.
func sourceColumns(ctx context.Context, src *source) (map[string][]string, error) {
	rows, err := src.tx.QueryContext(ctx, `
		SELECT m.name, c.name
		FROM sqlite_schema AS m, pragma_table_info(m.name) AS c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
		ORDER BY m.name, c.cid`)
	if err != nil {
		return nil, fmt.Errorf("source database: reading its schema: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		out[t] = append(out[t], c)
	}
	return out, rows.Err()
}

type targetColumn struct {
	dataType, udtName string
	nullable          bool
	hasDefault        bool // a default, an identity or a serial
	generated         bool // GENERATED ALWAYS AS (…) STORED: not writable
	sequence          string
}

// targetColumns returns the target's tables (in the current schema) and
// their columns.
func targetColumns(ctx context.Context, dst *pgx.Conn) (map[string]map[string]targetColumn, error) {
	rows, err := dst.Query(ctx, `
		SELECT c.table_name, c.column_name, c.data_type, c.udt_name,
		       c.is_nullable = 'YES', c.column_default IS NOT NULL OR c.is_identity = 'YES',
		       c.is_generated = 'ALWAYS',
		       coalesce(pg_get_serial_sequence(quote_ident(c.table_name), c.column_name), '')
		FROM information_schema.columns AS c
		JOIN information_schema.tables AS t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`)
	if err != nil {
		return nil, fmt.Errorf("target database: reading its schema: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]targetColumn{}
	for rows.Next() {
		var t, c string
		var tc targetColumn
		if err := rows.Scan(&t, &c, &tc.dataType, &tc.udtName, &tc.nullable, &tc.hasDefault, &tc.generated, &tc.sequence); err != nil {
			return nil, fmt.Errorf("target database: reading its schema: %w", err)
		}
		if out[t] == nil {
			out[t] = map[string]targetColumn{}
		}
		out[t][c] = tc
	}
	return out, rows.Err()
}

// tableOrder orders tables so that every table comes after those its
// foreign keys refer to (the target's foreign keys, which are the ones
// checked), by name where that leaves a choice.
func tableOrder(ctx context.Context, dst *pgx.Conn, tables map[string]*table) ([]string, error) {
	rows, err := dst.Query(ctx, `
		SELECT c.relname, r.relname
		FROM pg_constraint AS k
		JOIN pg_class AS c ON c.oid = k.conrelid
		JOIN pg_class AS r ON r.oid = k.confrelid
		WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, fmt.Errorf("target database: reading its foreign keys: %w", err)
	}
	deps := map[string]map[string]bool{}
	for name := range tables {
		deps[name] = map[string]bool{}
	}
	var child, parent string
	_, err = pgx.ForEachRow(rows, []any{&child, &parent}, func() error {
		if child != parent && deps[child] != nil && tables[parent] != nil {
			deps[child][parent] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("target database: reading its foreign keys: %w", err)
	}
	var order []string
	done := map[string]bool{}
	for len(order) < len(tables) {
		var ready []string
		for name, ps := range deps {
			if done[name] {
				continue
			}
			waits := false
			for p := range ps {
				waits = waits || !done[p]
			}
			if !waits {
				ready = append(ready, name)
			}
		}
		if len(ready) == 0 {
			return nil, errors.New("the target's foreign keys form a cycle: no order copies parents first")
		}
		slices.Sort(ready)
		for _, name := range ready {
			done[name] = true
		}
		order = append(order, ready...)
	}
	return order, nil
}

// checkEmpty refuses a target that holds any row of the tables to copy.
// q is the connection or the transaction.
func checkEmpty(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, p *plan) error {
	if p.has("accounts", "id") {
		var id string
		err := q.QueryRow(ctx, `SELECT id FROM accounts ORDER BY id LIMIT 1`).Scan(&id)
		if err == nil {
			return fmt.Errorf("%w: it holds account %s (migrate only into a database no wharf serve has used; drop and create it again, or name another)", ErrTargetNotEmpty, id)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("target database: %w", err)
		}
	}
	for _, t := range p.tables {
		var found bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgx.Identifier{t.name}.Sanitize()+`)`).Scan(&found); err != nil {
			return fmt.Errorf("target database: %w", err)
		}
		if found {
			return fmt.Errorf("%w: table %s has rows (migrate only into a database no wharf serve has used)", ErrTargetNotEmpty, t.name)
		}
	}
	return nil
}
