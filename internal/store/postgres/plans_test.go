package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wharf-project/wharf/internal/store"
)

// explain returns the plan of q, with sequential scans and sorts made as
// costly as the planner knows how: on a table of a few rows a scan is the
// cheapest plan, so this shows whether an index plan exists at all.
func explain(t *testing.T, conn *pgx.Conn, q string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	for _, set := range []string{`SET enable_seqscan = off`, `SET enable_sort = off`, `SET plan_cache_mode = force_generic_plan`, `SET jit = off`} {
		if _, err := conn.Exec(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := conn.Query(ctx, `EXPLAIN `+q, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", q, err)
	}
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestQueryPlans pins the indexes the frequent queries use: each is a
// search of an index, never a scan of a table, and a listing page is a
// range of an index read in order, with no sort of the whole listing.
func TestQueryPlans(t *testing.T) {
	dsn := testDSN(t, true)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	marker := store.Page{Marker: "m", Max: 100}
	first := store.Page{Max: 100}
	uq, ua := usersPage("111111111111", "/", marker)
	uq1, ua1 := usersPage("111111111111", "/", first)
	for _, c := range []struct {
		name string
		q    string
		args []any
		want []string // each a substring of the plan
		sort string   // "" for no sort at all, else the only kind allowed
	}{
		{"ListTags", pageQuery(tagsPage, "name", marker), pageArgs(1, marker), []string{"Index Scan using tags_pkey"}, ""},
		{"ListTags first page", pageQuery(tagsPage, "name", first), pageArgs(1, first), []string{"Index Scan using tags_pkey"}, ""},
		{"ListRepositories", pageQuery(repositoriesPage, "r.name", marker), pageArgs(1, marker), []string{"repositories_account_pk_name_key"}, ""},
		{"ListManifests", pageQuery(manifestsPage, "m.digest", marker), pageArgs(1, marker), []string{"manifests_repository_pk_digest_key", "manifest_children_pkey"}, ""},
		{"ListManifestSummaries", pageQuery(manifestSummariesPage, "x.digest", marker), pageArgs(1, marker), []string{"manifests_repository_pk_digest_key"}, ""},
		{"GetManifestSummaries", manifestSummariesQuery, []any{"111111111111", "app", []string{"sha256:x", "sha256:y"}}, []string{"repositories_account_pk_name_key", "manifests_repository_pk_digest_key", "(digest = d.digest)"}, ""},
		{"Catalog", catalogQuery, []any{"alias/", "name", 101}, []string{"accounts_catalog", "repositories_account_pk_name_key"}, "Incremental Sort"},
		{"Catalog first page", catalogQuery, []any{"", "", 101}, []string{"accounts_catalog", "repositories_account_pk_name_key"}, "Incremental Sort"},
		{"TagsOf", tagsOfQuery, []any{1, "sha256:x"}, []string{"tags_manifest"}, ""},
		{"TagsOfMany", tagsOfManyQuery, []any{"111111111111", "app", []string{"sha256:x", "sha256:y"}}, []string{"repositories_account_pk_name_key", "tags_manifest", "(digest = d.digest)"}, ""},
		{"Referrers", referrersQuery, []any{1, "sha256:x"}, []string{"manifests_subject"}, ""},
		{"ManifestReferenced", manifestReferencedQuery, []any{"sha256:x", 1}, []string{"manifest_children_digest"}, ""},
		{"BlobInUse", blobInUseQuery, []any{"sha256:x"}, []string{"blob_links_digest"}, ""},
		// The garbage collector's.
		{"BlobRecords", blobRecordsPage, []any{"m", 101}, []string{"blobs_pkey", "blob_links_digest"}, ""},
		{"BlobLinks", pageQuery(blobLinksPage, "digest", marker), pageArgs(1, marker), []string{"blob_links_pkey"}, ""},
		{"ManifestRefs", pageQuery(manifestRefsPage, "m.digest", marker), pageArgs(1, marker), []string{"manifests_repository_pk_digest_key", "manifest_children_pkey", "tags_manifest"}, ""},
		{"DeleteUntaggedManifest", deleteUntaggedManifest, []any{1, "sha256:x", time.Now()}, []string{"manifests_repository_pk_digest_key", "tags_manifest", "manifest_children_digest"}, ""},
		{"UnlinkUnreferenced", unlinkUnreferenced, []any{1, "sha256:x", time.Now()}, []string{"blob_links_pkey", "manifests_repository_pk_digest_key"}, ""},
		{"MarkUnreferenced", markUnreferenced, []any{time.Now(), []string{"sha256:x"}}, []string{"blobs_pkey", "blob_links_digest"}, ""},
		{"GetByAlias", `SELECT ` + accountCols + ` FROM accounts WHERE alias = $1`, []any{"acme"}, []string{"accounts_alias_key"}, ""},
		{"ListUsers", uq, ua, []string{"principals_name"}, ""},
		{"ListUsers first page", uq1, ua1, []string{"principals_name"}, ""},
		{"GetUser", userSelect + ` WHERE a.id = $1 AND p.kind = 'user' AND lower(p.name) = $2`, []any{"111111111111", "alice"}, []string{"principals_name"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := explain(t, conn, c.q, c.args...)
			if strings.Contains(plan, "Seq Scan") {
				t.Errorf("a sequential scan:\n%s", plan)
			}
			for _, l := range strings.Split(plan, "\n") {
				node := strings.TrimLeft(strings.TrimSpace(l), "-> ")
				if strings.Contains(node, "Sort  (") && (c.sort == "" || !strings.HasPrefix(node, c.sort+"  (")) {
					t.Errorf("a sort:\n%s", plan)
					break
				}
			}
			for _, w := range c.want {
				if !strings.Contains(plan, w) {
					t.Errorf("plan without %s:\n%s", w, plan)
				}
			}
		})
	}
}
