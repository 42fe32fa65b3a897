package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/secrets"
)

// sqliteIdent quotes an SQLite identifier.
func sqliteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// copyTables copies every table of p in one transaction; see the package
// comment.
func copyTables(ctx context.Context, src *source, dst *pgx.Conn, p *plan, out io.Writer, sum *Summary) error {
	tx, err := dst.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	names := make([]string, len(p.tables))
	for i, t := range p.tables {
		names[i] = pgx.Identifier{t.name}.Sanitize()
	}
	// A replica started meanwhile waits here, then finds the account.
	if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("locking the target's tables: %w", err)
	}
	if err := checkEmpty(ctx, tx, p); err != nil {
		return err
	}
	for _, t := range p.tables {
		var want int64
		if err := src.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+sqliteIdent(t.name)).Scan(&want); err != nil {
			return fmt.Errorf("source table %s: %w", t.name, err)
		}
		n, err := copyTable(ctx, src, tx, t)
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("table %s: copied %d rows of %d", t.name, n, want)
		}
		sum.Tables = append(sum.Tables, TableCount{Table: t.name, Rows: n})
		sum.Rows += n
		fmt.Fprintf(out, "copied table %-22s %d rows\n", t.name, n)
	}
	// Keys made from now on follow the copied ones.
	for _, t := range p.tables {
		for _, s := range t.seqs {
			q := `SELECT setval($1, coalesce((SELECT max(` + pgx.Identifier{s[0]}.Sanitize() + `) FROM ` + pgx.Identifier{t.name}.Sanitize() + `), 0) + 1, false)`
			if _, err := tx.Exec(ctx, q, s[1]); err != nil {
				return fmt.Errorf("table %s: resetting the sequence of %s: %w", t.name, s[0], err)
			}
		}
	}
	// What the target now holds, counted there.
	for _, tc := range sum.Tables {
		var n int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{tc.Table}.Sanitize()).Scan(&n); err != nil {
			return err
		}
		if n != tc.Rows {
			return fmt.Errorf("table %s: the target counts %d rows, %d were copied", tc.Table, n, tc.Rows)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// copyTable streams one table into the target with COPY, which keeps the
// given values of identity columns (as OVERRIDING SYSTEM VALUE would).
func copyTable(ctx context.Context, src *source, tx pgx.Tx, t *table) (int64, error) {
	if len(t.cols) == 0 {
		return 0, nil
	}
	cols := make([]string, len(t.cols))
	quoted := make([]string, len(t.cols))
	for i, c := range t.cols {
		cols[i] = c.name
		quoted[i] = sqliteIdent(c.name)
	}
	rows, err := src.tx.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+sqliteIdent(t.name))
	if err != nil {
		return 0, fmt.Errorf("source table %s: %w", t.name, err)
	}
	defer rows.Close()
	raw := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var row int64
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		row++
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		vals := make([]any, len(t.cols))
		for i, c := range t.cols {
			v, err := c.conv(raw[i])
			if err != nil {
				return nil, fmt.Errorf("row %d, column %s (into %s): %w", row, c.name, c.pgType, err)
			}
			vals[i] = v
		}
		return vals, nil
	}))
	if err != nil {
		return n, fmt.Errorf("table %s: %w", t.name, err)
	}
	return n, nil
}

// checkManifests checks every manifest's content against its digest.
func checkManifests(ctx context.Context, src *source, p *plan) (int, error) {
	if !p.has("manifests", "digest", "content") {
		return 0, nil
	}
	rows, err := src.tx.QueryContext(ctx, `SELECT digest, content FROM manifests`)
	if err != nil {
		return 0, fmt.Errorf("source manifests: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var d string
		var content []byte
		if err := rows.Scan(&d, &content); err != nil {
			return n, fmt.Errorf("source manifests: %w", err)
		}
		alg, err := blob.CheckDigest(digest.Digest(d))
		if err != nil {
			return n, fmt.Errorf("manifest %.80q: %w", d, err)
		}
		if got := alg.FromBytes(content); got.String() != d {
			return n, fmt.Errorf("%w: manifest %s: its stored content hashes to %s; the source database is damaged", blob.ErrDigestMismatch, d, got)
		}
		n++
	}
	return n, rows.Err()
}

// checkAccessKeys opens every sealed access key secret with the key file
// (and forgets it at once): replicas given that file will authenticate
// every key.
func checkAccessKeys(ctx context.Context, src *source, p *plan, keyFile string) (int, error) {
	if !p.has("access_keys", "id", "secret_ciphertext") {
		return 0, nil
	}
	var count int
	if err := src.tx.QueryRowContext(ctx, `SELECT count(*) FROM access_keys`).Scan(&count); err != nil {
		return 0, fmt.Errorf("source access keys: %w", err)
	}
	if count == 0 {
		return 0, nil
	}
	if keyFile == "" {
		return 0, errors.New("no secret key file named: the access keys' secrets are sealed with one")
	}
	if _, err := os.Stat(keyFile); err != nil {
		return 0, fmt.Errorf("the secret key file that sealed the access keys' secrets: %w", err)
	}
	key, _, err := secrets.LoadOrCreateKeyFile(keyFile) // it exists: only loads
	if err != nil {
		return 0, err
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		return 0, err
	}
	rows, err := src.tx.QueryContext(ctx, `SELECT id, secret_ciphertext FROM access_keys ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("source access keys: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		var sealed []byte
		if err := rows.Scan(&id, &sealed); err != nil {
			return n, fmt.Errorf("source access keys: %w", err)
		}
		if _, err := box.Open(sealed, []byte(id)); err != nil {
			return n, fmt.Errorf("the secret key file %s does not open the secret of access key %s: it is not the key this data directory was used with (name that one with --secret-key-file)", keyFile, id)
		}
		n++
	}
	return n, rows.Err()
}

// checkReferenced checks that every blob the metadata names — a
// repository's blob links, a repository's logo — is among the source's
// blobs, with the size a link records.
func checkReferenced(ctx context.Context, src *source, p *plan, blobs []srcBlob) error {
	have := make(map[digest.Digest]int64, len(blobs))
	for _, b := range blobs {
		have[b.digest] = b.size
	}
	var problems []string
	if p.has("blob_links", "digest", "size") {
		rows, err := src.tx.QueryContext(ctx, `SELECT DISTINCT digest, size FROM blob_links ORDER BY digest`)
		if err != nil {
			return fmt.Errorf("source blob links: %w", err)
		}
		for rows.Next() {
			var d string
			var size int64
			if err := rows.Scan(&d, &size); err != nil {
				rows.Close()
				return fmt.Errorf("source blob links: %w", err)
			}
			got, ok := have[digest.Digest(d)]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("blob %.80s, which a repository links, is missing", d))
			case got != size:
				problems = append(problems, fmt.Sprintf("blob %s has %d bytes, its link says %d", d, got, size))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("source blob links: %w", err)
		}
	}
	if p.has("repositories", "name", "catalog_data") {
		rows, err := src.tx.QueryContext(ctx, `SELECT name, catalog_data FROM repositories WHERE catalog_data <> '' ORDER BY name`)
		if err != nil {
			return fmt.Errorf("source repositories: %w", err)
		}
		for rows.Next() {
			var name, data string
			if err := rows.Scan(&name, &data); err != nil {
				rows.Close()
				return fmt.Errorf("source repositories: %w", err)
			}
			var c struct {
				LogoDigest string `json:"logoDigest"`
			}
			if json.Unmarshal([]byte(data), &c) == nil && c.LogoDigest != "" {
				if _, ok := have[digest.Digest(c.LogoDigest)]; !ok {
					problems = append(problems, fmt.Sprintf("blob %.80s, the logo of repository %s, is missing", c.LogoDigest, name))
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("source repositories: %w", err)
		}
	}
	if len(problems) > 0 {
		more := ""
		if len(problems) > 10 {
			more = fmt.Sprintf(" (and %d more)", len(problems)-10)
			problems = problems[:10]
		}
		return fmt.Errorf("the source is damaged: %s%s", strings.Join(problems, "; "), more)
	}
	return nil
}
