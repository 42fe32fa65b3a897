package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// plan returns the lines of EXPLAIN QUERY PLAN for q.
func plan(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", q, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestQueryPlans pins the indexes the registry's frequent queries use: each
// is a search of an index (no scan of a table), and a listing page is a
// range of its index, in order, with no sort.
func TestQueryPlans(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "wharf.db"))
	defer s.Close()
	marker := store.Page{Marker: "m", Max: 100}
	first := store.Page{Max: 100}
	for _, c := range []struct {
		name string
		q    string
		args []any
		want []string // in order, each a substring of one plan line
	}{
		{"ListTags", pageQuery(tagsPage, "name", marker), pageArgs(1, marker),
			[]string{"SEARCH tags USING PRIMARY KEY (repository_pk=? AND name>?)"}},
		{"ListTags first page", pageQuery(tagsPage, "name", first), pageArgs(1, first),
			[]string{"SEARCH tags USING PRIMARY KEY (repository_pk=?)"}},
		{"ListRepositories", pageQuery(repositoriesPage, "r.name", marker), pageArgs(1, marker),
			[]string{"SEARCH r USING INDEX sqlite_autoindex_repositories_1 (account_pk=? AND name>?)"}},
		{"ListManifests", pageQuery(manifestsPage, "m.digest", marker), pageArgs(1, marker),
			[]string{"SEARCH m USING INDEX sqlite_autoindex_manifests_1 (repository_pk=? AND digest>?)", "SEARCH c USING PRIMARY KEY (manifest_pk=?)"}},
		{"ListManifestSummaries", pageQuery(manifestSummariesPage, "m.digest", marker), pageArgs(1, marker),
			[]string{"SEARCH m USING INDEX sqlite_autoindex_manifests_1 (repository_pk=? AND digest>?)"}},
		{"GetManifestSummaries", manifestSummariesQuery, []any{1, `["sha256:x","sha256:y"]`},
			[]string{"SEARCH m USING INDEX sqlite_autoindex_manifests_1 (repository_pk=? AND digest=?)"}},
		{"Catalog", catalogQuery, []any{"alias/", "name", 101},
			[]string{"SEARCH a USING COVERING INDEX accounts_catalog (<expr>>?)", "SEARCH r USING COVERING INDEX sqlite_autoindex_repositories_1 (account_pk=?)"}},
		{"Catalog first page", catalogQuery, []any{"", "", 101},
			[]string{"SEARCH a USING COVERING INDEX accounts_catalog (<expr>>?)", "SEARCH r USING COVERING INDEX sqlite_autoindex_repositories_1 (account_pk=?)"}},
		{"TagsOf", tagsOfQuery, []any{1, "sha256:x"},
			[]string{"SEARCH tags USING COVERING INDEX tags_manifest (repository_pk=? AND digest=?)"}},
		{"TagsOfMany", tagsOfManyQuery, []any{1, `["sha256:x","sha256:y"]`},
			[]string{"SEARCH t USING COVERING INDEX tags_manifest (repository_pk=? AND digest=?)"}},
		{"Referrers", referrersQuery, []any{1, "sha256:x"},
			[]string{"SEARCH m USING INDEX manifests_subject (repository_pk=? AND subject=?)"}},
		{"ManifestReferenced", manifestReferencedQuery, []any{"sha256:x", 1},
			[]string{"SEARCH c USING COVERING INDEX manifest_children_digest (child_digest=?)", "SEARCH m USING INTEGER PRIMARY KEY (rowid=?)"}},
		{"BlobInUse", blobInUseQuery, []any{"sha256:x"},
			[]string{"SEARCH blob_links USING COVERING INDEX blob_links_digest (digest=?)"}},
		{"GetByAlias", `SELECT ` + accountCols + ` FROM accounts WHERE alias = ?`, []any{"acme"},
			[]string{"SEARCH accounts USING INDEX accounts_alias (alias=?)"}},
		// The garbage collector's.
		{"BlobRecords", blobRecordsPage, []any{"m", 101},
			[]string{"SEARCH b USING PRIMARY KEY (digest>?)", "SEARCH l USING COVERING INDEX blob_links_digest (digest=?)"}},
		{"BlobLinks", pageQuery(blobLinksPage, "digest", marker), pageArgs(1, marker),
			[]string{"SEARCH blob_links USING PRIMARY KEY (repository_pk=? AND digest>?)"}},
		{"ManifestRefs", pageQuery(manifestRefsPage, "m.digest", marker), pageArgs(1, marker),
			[]string{"SEARCH m USING INDEX sqlite_autoindex_manifests_1 (repository_pk=? AND digest>?)", "SEARCH c USING PRIMARY KEY (manifest_pk=?)", "SEARCH t USING COVERING INDEX tags_manifest (repository_pk=? AND digest=?)"}},
		{"DeleteUntaggedManifest", deleteUntaggedManifest, []any{1, "sha256:x", 1},
			[]string{"SEARCH m USING INDEX sqlite_autoindex_manifests_1 (repository_pk=? AND digest=?)", "SEARCH t USING COVERING INDEX tags_manifest (repository_pk=? AND digest=?)",
				"SEARCH c USING COVERING INDEX manifest_children_digest (child_digest=?)", "SEARCH s USING COVERING INDEX sqlite_autoindex_manifests_1 (repository_pk=? AND digest=?)"}},
		// A repository's manifests, each one's blobs through json_each.
		{"UnlinkUnreferenced", unlinkUnreferenced, []any{1, "sha256:x", 1},
			[]string{"SEARCH blob_links USING PRIMARY KEY (repository_pk=? AND digest=?)", "SEARCH m USING INDEX sqlite_autoindex_manifests_1 (repository_pk=?)"}},
		{"MarkUnreferenced", markUnreferenced, []any{1, "sha256:x"},
			[]string{"SEARCH blobs USING PRIMARY KEY (digest=?)", "SEARCH l USING COVERING INDEX blob_links_digest (digest=?)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := plan(t, s.writer, c.q, c.args...)
			i := 0
			for _, l := range lines {
				if strings.Contains(l, "SCAN") && !strings.Contains(l, "SCAN CONSTANT ROW") && !strings.Contains(l, "SCAN j VIRTUAL TABLE") {
					t.Errorf("a scan: %q", l)
				}
				// The one sort allowed: an index's children, by position, in json_group_array.
				if strings.Contains(l, "TEMP B-TREE") && !strings.Contains(l, "json_group_array") {
					t.Errorf("a sort: %q", l)
				}
				if i < len(c.want) && strings.Contains(l, c.want[i]) {
					i++
				}
			}
			if i < len(c.want) {
				t.Errorf("plan %q\nlacks (in order) %q", lines, c.want[i:])
			}
		})
	}
}

// TestMigrateAliases migrates a database of 0001, whose accounts.alias was
// NOT NULL with the empty string for none: aliases become NULL or stay, and everything
// hanging off accounts survives the column's rebuild.
func TestMigrateAliases(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wharf.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path, map[string][]string{"_foreign_keys": {"1"}, "_txlock": {"immediate"}}))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(ctx, db, ms[:1]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO accounts (pk, id, alias, created_at) VALUES (1, '111111111111', '', 1), (2, '222222222222', 'acme', 2), (3, '333333333333', '', NULL)`,
		`INSERT INTO principals (pk, account_pk, kind, name) VALUES (10, 3, 'user', 'alice')`,
		`INSERT INTO users (pk, id, path, permissions_boundary, tags, password_hash, password_reset_needed) VALUES (10, 'AIDAALICE', '/', '', '[]', '', 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := open(t, path)
	defer s.Close()
	if got := applied(t, s); len(got) != len(ms) {
		t.Fatalf("applied %v, want %d versions", got, len(ms))
	}
	err = s.Tx(ctx, func(tx store.Tx) error {
		as, err := tx.Accounts().List()
		if err != nil {
			return err
		}
		want := []store.Account{
			{ID: "111111111111", CreatedAt: time.UnixMicro(1).UTC()},
			{ID: "222222222222", Alias: "acme", CreatedAt: time.UnixMicro(2).UTC()},
			{ID: "333333333333"},
		}
		if fmt.Sprint(as) != fmt.Sprint(want) {
			t.Errorf("accounts after migrating: %v, want %v", as, want)
		}
		if a, err := tx.Accounts().GetByAlias("acme"); err != nil || a.ID != "222222222222" {
			t.Errorf("GetByAlias(acme) = %v, %v", a, err)
		}
		if _, err := tx.Accounts().GetByAlias(""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetByAlias(\"\"): %v, want ErrNotFound", err)
		}
		if u, err := tx.Users().Get("333333333333", "alice"); err != nil || u.ID != "AIDAALICE" {
			t.Errorf("user after migrating: %v, %v", u, err)
		}
		// Both accounts without an alias can take one; the taken one is taken.
		if err := tx.Accounts().SetAlias("111111111111", "first"); err != nil {
			return err
		}
		if err := tx.Accounts().SetAlias("333333333333", "acme"); !errors.Is(err, store.ErrAlreadyExists) {
			t.Errorf("SetAlias to a taken alias: %v, want ErrAlreadyExists", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The deleting cascade from accounts still reaches everything.
	if _, err := s.writer.Exec(`DELETE FROM accounts WHERE pk = 3`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.writer.QueryRow(`SELECT count(*) FROM principals`).Scan(&n); err != nil || n != 0 {
		t.Errorf("principals left after deleting their account: %d, %v", n, err)
	}
}

// TestAliasCheck: the schema refuses an alias with '/' (the catalog's order
// relies on there being none) and stores no alias as NULL, never as the empty string.
func TestAliasCheck(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "wharf.db"))
	defer s.Close()
	err := s.Tx(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Create(store.Account{ID: "111111111111"}); err != nil {
			return err
		}
		if err := tx.Accounts().SetAlias("111111111111", "a/b"); err == nil {
			t.Errorf("SetAlias(a/b) succeeded")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.writer.QueryRow(`SELECT count(*) FROM accounts WHERE alias IS NULL`).Scan(&n); err != nil || n != 1 {
		t.Errorf("accounts with a NULL alias: %d, %v; want 1", n, err)
	}
}

// BenchmarkListTags lists 2,000 tags of a repository in pages of 100, each
// page its own read transaction, as the tag listing endpoint does.
func BenchmarkListTags(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "wharf.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const n, per = 2000, 100
	err = s.Tx(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Create(store.Account{ID: "111111111111", Alias: "acme"}); err != nil {
			return err
		}
		r := tx.Registry()
		if err := r.CreateRepository(store.Repository{AccountID: "111111111111", Name: "app"}); err != nil {
			return err
		}
		for i := range n {
			d := fmt.Sprintf("sha256:%064x", i/10)
			if i%10 == 0 {
				m := store.Manifest{AccountID: "111111111111", Repository: "app", Digest: d, Content: make([]byte, 1000)}
				if err := r.PutManifest(m); err != nil {
					return err
				}
			}
			if err := r.PutTag("111111111111", "app", store.ImageTag{Name: fmt.Sprintf("v%d", i), Digest: d, CreatedAt: time.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		p := store.Page{Max: per}
		total := 0
		for {
			var ts []store.ImageTag
			var more bool
			if err := s.View(ctx, func(tx store.Tx) error {
				var err error
				ts, more, err = tx.Registry().ListTags("111111111111", "app", p)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			total += len(ts)
			if !more {
				break
			}
			p.Marker = ts[len(ts)-1].Name
		}
		if total != n {
			b.Fatalf("listed %d tags, want %d", total, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/(n/per), "µs/page")
}
