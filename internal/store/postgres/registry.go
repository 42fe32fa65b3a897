package postgres

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wharf-project/wharf/internal/store"
)

// registry stores repositories, blob links, manifests, tags and uploads.
// Names, tags and digests compare exactly and order by bytes (COLLATE "C").
type registry struct{ *tx }

var _ store.Registry = registry{}

// repositoryPK returns the surrogate key of repository name of account.
func (t registry) repositoryPK(account, name string) (int64, error) {
	var pk int64
	err := t.queryRow(`
		SELECT r.pk FROM repositories r JOIN accounts a ON a.pk = r.account_pk
		WHERE a.id = $1 AND r.name = $2`, account, name).Scan(&pk)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("repository %s/%s: %w", account, name, store.ErrNotFound)
	}
	return pk, err
}

// inRepository joins a query's table, aliased x, to the repository named
// by $1 (account ID) and $2 (name): the registry's single-row reads and
// writes find the repository and their row in one round trip, where no row
// means ErrNotFound either way.
const inRepository = `
	JOIN repositories r ON r.pk = x.repository_pk
	JOIN accounts a ON a.pk = r.account_pk
	WHERE a.id = $1 AND r.name = $2`

// missing tells which of the repository or the row named what is missing,
// after a statement that needed both found neither: it looks the repository
// up again only then.
func (t registry) missing(account, repo, what string) error {
	if _, err := t.repositoryPK(account, repo); err != nil {
		return err
	}
	return fmt.Errorf("%s: %w", what, store.ErrNotFound)
}

// pageQuery completes a listing's query, sel (ending in a WHERE clause
// comparing the parent key with $1), with "AND col > $2" when the page has
// a marker, then the order by col and the limit: a page is a range of
// col's index, however far the marker is.
func pageQuery(sel, col string, p store.Page) string {
	n := 2
	if p.Marker != "" {
		sel += ` AND ` + col + ` > $2`
		n = 3
	}
	return sel + ` ORDER BY ` + col + ` LIMIT $` + itoa(n)
}

// pageArgs are the arguments of a pageQuery: the parent key sel compares
// with, the marker if any, then the limit (one more than the page, to learn
// whether there are more).
func pageArgs(parent any, p store.Page) []any {
	args := []any{parent}
	if p.Marker != "" {
		args = append(args, p.Marker)
	}
	return append(args, pageSize(p)+1)
}

// Repositories.

const repositorySelect = `
	SELECT a.id, r.name, r.catalog_data, r.policy, r.tags, r.created_at
	FROM repositories r
	JOIN accounts a ON a.pk = r.account_pk`

func scanRepository(s scanner) (store.Repository, error) {
	var r store.Repository
	err := s.Scan(&r.AccountID, &r.Name, &r.CatalogData, &r.Policy, jsonTags{&r.Tags}, nullTime{&r.CreatedAt})
	return r, err
}

func (t registry) CreateRepository(r store.Repository) error {
	return wrap(t.atomic(func() error { return t.createRepository(r) }), "create repository %s/%s", r.AccountID, r.Name)
}

func (t registry) createRepository(r store.Repository) error {
	tags, err := dbTags(r.Tags)
	if err != nil {
		return err
	}
	apk, err := t.accountPK(r.AccountID)
	if err != nil {
		return err
	}
	_, err = t.exec(`
		INSERT INTO repositories (account_pk, name, catalog_data, policy, tags, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		apk, r.Name, r.CatalogData, r.Policy, tags, dbTime(r.CreatedAt))
	return err
}

func (t registry) GetRepository(account, name string) (store.Repository, error) {
	r, err := scanRepository(t.queryRow(repositorySelect+` WHERE a.id = $1 AND r.name = $2`, account, name))
	return r, wrap(err, "get repository %s/%s", account, name)
}

// repositoriesPage pages through an account's repositories along their
// UNIQUE (account_pk, name).
const repositoriesPage = repositorySelect + ` WHERE r.account_pk = $1`

func (t registry) ListRepositories(account string, p store.Page) ([]store.Repository, bool, error) {
	rs, more, err := t.listRepositories(account, p)
	return rs, more, wrap(err, "list repositories %s", account)
}

func (t registry) listRepositories(account string, p store.Page) ([]store.Repository, bool, error) {
	apk, err := t.accountPK(account)
	if err != nil {
		return nil, false, err
	}
	rows, err := t.query(pageQuery(repositoriesPage, "r.name", p), pageArgs(apk, p)...)
	if err != nil {
		return nil, false, err
	}
	return collect(rows, pageSize(p), scanRepository)
}

// catalogQuery pages through "alias/name" in byte order. As no alias
// contains '/', that is the order of (alias || '/', name): it walks the
// accounts in that order along accounts_catalog and, for each, its
// repositories along their UNIQUE (account_pk, name), at most a page of
// them — so that the sort PostgreSQL adds to merge the two orders (an
// incremental sort, within one account at a time) never holds more than a
// page, however many repositories an account has. Its arguments are the
// marker split after its first '/' — the part up to and including it,
// compared with alias || '/', and the rest, compared with the name — then
// the limit. Accounts without an alias (NULL) are left out.
const catalogQuery = `
	SELECT a.alias || '/' || r.name
	FROM accounts a
	CROSS JOIN LATERAL (
		SELECT r.name FROM repositories r
		WHERE r.account_pk = a.pk AND (a.alias || '/' > $1 OR r.name > $2)
		ORDER BY r.name
		LIMIT $3) r
	WHERE a.alias IS NOT NULL AND a.alias || '/' >= $1
	ORDER BY a.alias || '/', a.pk, r.name
	LIMIT $3`

// Catalog lists every repository of an account with an alias. A marker
// without '/' never equals an alias || '/' (which ends in '/'), so only its
// first comparison matters; "" starts at the beginning.
func (t registry) Catalog(p store.Page) ([]string, bool, error) {
	n := pageSize(p)
	key, name := p.Marker, ""
	if i := strings.IndexByte(p.Marker, '/'); i >= 0 {
		key, name = p.Marker[:i+1], p.Marker[i+1:]
	}
	rows, err := t.query(catalogQuery, key, name, n+1)
	if err != nil {
		return nil, false, wrap(err, "catalog")
	}
	names, more, err := collect(rows, n, func(s scanner) (string, error) {
		var name string
		err := s.Scan(&name)
		return name, err
	})
	return names, more, wrap(err, "catalog")
}

func (t registry) UpdateRepository(r store.Repository) error {
	return wrap(t.updateRepository(r), "update repository %s/%s", r.AccountID, r.Name)
}

// updateRepository needs no savepoint: its update cannot fail but with the
// whole transaction.
func (t registry) updateRepository(r store.Repository) error {
	tags, err := dbTags(r.Tags)
	if err != nil {
		return err
	}
	pk, err := t.repositoryPK(r.AccountID, r.Name)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE repositories SET catalog_data = $1, policy = $2, tags = $3, created_at = $4 WHERE pk = $5`,
		r.CatalogData, r.Policy, tags, dbTime(r.CreatedAt), pk)
	return err
}

// DeleteRepository deletes the repository and, by cascade, its blob links,
// manifests (with their children and tags) and uploads.
func (t registry) DeleteRepository(account, name string) error {
	pk, err := t.repositoryPK(account, name)
	if err == nil {
		_, err = t.exec(`DELETE FROM repositories WHERE pk = $1`, pk)
	}
	return wrap(err, "delete repository %s/%s", account, name)
}

// Blob links.

// LinkBlob inserts or renews the link in one statement, which finds the
// repository itself; created_at takes its default, now().
func (t registry) LinkBlob(account, repo, digest string, size int64) error {
	err := affected(t.exec(`
		INSERT INTO blob_links (repository_pk, digest, size)
		SELECT r.pk, $3, $4 FROM repositories r JOIN accounts a ON a.pk = r.account_pk
		WHERE a.id = $1 AND r.name = $2
		ON CONFLICT (repository_pk, digest) DO UPDATE SET size = excluded.size, created_at = excluded.created_at`,
		account, repo, digest, size))
	if errors.Is(err, store.ErrNotFound) {
		err = fmt.Errorf("repository %s/%s: %w", account, repo, store.ErrNotFound)
	}
	return wrap(err, "link blob %s into %s/%s", digest, account, repo)
}

func (t registry) BlobSize(account, repo, digest string) (int64, error) {
	var size int64
	err := t.queryRow(`SELECT x.size FROM blob_links x`+inRepository+` AND x.digest = $3`,
		account, repo, digest).Scan(&size)
	if errors.Is(err, pgx.ErrNoRows) {
		err = t.missing(account, repo, "blob "+digest)
	}
	return size, wrap(err, "blob %s in %s/%s", digest, account, repo)
}

func (t registry) UnlinkBlob(account, repo, digest string) error {
	pk, err := t.repositoryPK(account, repo)
	if err == nil {
		err = affected(t.exec(`DELETE FROM blob_links WHERE repository_pk = $1 AND digest = $2`, pk, digest))
	}
	return wrap(err, "unlink blob %s from %s/%s", digest, account, repo)
}

// blobInUseQuery reads blob_links_digest.
const blobInUseQuery = `SELECT EXISTS (SELECT 1 FROM blob_links WHERE digest = $1)`

func (t registry) BlobInUse(digest string) (bool, error) {
	var used bool
	err := t.queryRow(blobInUseQuery, digest).Scan(&used)
	return used, wrap(err, "blob %s in use", digest)
}

// Manifests.

// manifestColumns are the columns of manifests m that scanManifest reads;
// children come back as an array in order.
const manifestColumns = `
	SELECT m.digest, m.media_type, m.artifact_type, m.content, coalesce(m.subject, ''), m.annotations,
		m.blobs, ARRAY(SELECT c.child_digest FROM manifest_children c WHERE c.manifest_pk = m.pk ORDER BY c.position),
		m.image_size, m.pushed_at`

// manifestSelect reads the manifests of one repository, whose account and
// name the caller fills in.
const manifestSelect = manifestColumns + ` FROM manifests m`

// scanManifest scans a manifest of repository repo of account.
func scanManifest(account, repo string) func(scanner) (store.Manifest, error) {
	return func(s scanner) (store.Manifest, error) {
		m := store.Manifest{AccountID: account, Repository: repo}
		err := s.Scan(&m.Digest, &m.MediaType, &m.ArtifactType, &m.Content, &m.Subject, &m.Annotations,
			&m.Blobs, &m.Manifests, &m.ImageSize, nullTime{&m.PushedAt})
		if len(m.Blobs) == 0 {
			m.Blobs = nil
		}
		if len(m.Manifests) == 0 {
			m.Manifests = nil
		}
		return m, err
	}
}

// PutManifest inserts the manifest or, when the repository has its digest,
// replaces its columns in place (keeping the row, so its tags stay) and its
// children. The upsert finds the repository itself and tells whether the
// manifest has children already: only then are they deleted, so a push of
// an image is one statement. Its statements cannot fail but with the whole
// transaction: no savepoint.
func (t registry) PutManifest(m store.Manifest) error {
	return wrap(t.putManifest(m), "put manifest %s in %s/%s", m.Digest, m.AccountID, m.Repository)
}

func (t registry) putManifest(m store.Manifest) error {
	content := m.Content
	if content == nil {
		content = []byte{}
	}
	var mpk int64
	var hadChildren bool
	err := t.queryRow(`
		INSERT INTO manifests (repository_pk, digest, media_type, artifact_type, content, subject,
			annotations, blobs, image_size, pushed_at)
		SELECT r.pk, $3, $4, $5, $6, nullif($7, ''), $8, $9, $10, $11
		FROM repositories r JOIN accounts a ON a.pk = r.account_pk
		WHERE a.id = $1 AND r.name = $2
		ON CONFLICT (repository_pk, digest) DO UPDATE SET
			media_type = excluded.media_type, artifact_type = excluded.artifact_type,
			content = excluded.content, subject = excluded.subject,
			annotations = excluded.annotations, blobs = excluded.blobs,
			image_size = excluded.image_size, pushed_at = excluded.pushed_at
		RETURNING pk, EXISTS (SELECT 1 FROM manifest_children c WHERE c.manifest_pk = manifests.pk)`,
		m.AccountID, m.Repository, m.Digest, m.MediaType, m.ArtifactType, content, m.Subject,
		m.Annotations, dbStrings(m.Blobs), m.ImageSize, dbTime(m.PushedAt)).Scan(&mpk, &hadChildren)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("repository %s/%s: %w", m.AccountID, m.Repository, store.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if hadChildren {
		if _, err := t.exec(`DELETE FROM manifest_children WHERE manifest_pk = $1`, mpk); err != nil {
			return err
		}
	}
	if len(m.Manifests) == 0 {
		return nil
	}
	_, err = t.exec(`
		INSERT INTO manifest_children (manifest_pk, position, child_digest)
		SELECT $1, c.ord - 1, c.digest FROM unnest($2::text[]) WITH ORDINALITY AS c (digest, ord)`,
		mpk, m.Manifests)
	return err
}

func (t registry) GetManifest(account, repo, digest string) (store.Manifest, error) {
	m, err := t.getManifest(account, repo, digest)
	return m, wrap(err, "get manifest %s in %s/%s", digest, account, repo)
}

func (t registry) getManifest(account, repo, digest string) (store.Manifest, error) {
	m, err := scanManifest(account, repo)(t.queryRow(
		manifestColumns+` FROM manifests m
		JOIN repositories r ON r.pk = m.repository_pk
		JOIN accounts a ON a.pk = r.account_pk
		WHERE a.id = $1 AND r.name = $2 AND m.digest = $3`, account, repo, digest))
	if errors.Is(err, pgx.ErrNoRows) {
		err = t.missing(account, repo, "manifest "+digest)
	}
	return m, err
}

// manifestsPage pages through a repository's manifests along their UNIQUE
// (repository_pk, digest).
const manifestsPage = manifestSelect + ` WHERE m.repository_pk = $1`

func (t registry) ListManifests(account, repo string, p store.Page) ([]store.Manifest, bool, error) {
	ms, more, err := t.listManifests(account, repo, p)
	return ms, more, wrap(err, "list manifests of %s/%s", account, repo)
}

func (t registry) listManifests(account, repo string, p store.Page) ([]store.Manifest, bool, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return nil, false, err
	}
	rows, err := t.query(pageQuery(manifestsPage, "m.digest", p), pageArgs(rpk, p)...)
	if err != nil {
		return nil, false, err
	}
	return collect(rows, pageSize(p), scanManifest(account, repo))
}

// manifestSummarySelect reads summaries of manifests x: the columns of
// manifests but content and blobs, and no children.
const manifestSummarySelect = `
	SELECT x.digest, x.media_type, x.artifact_type, coalesce(x.subject, ''), x.annotations, x.image_size, x.pushed_at
	FROM manifests x`

// scanManifestSummary scans a summary of a manifest of repository repo of
// account.
func scanManifestSummary(account, repo string) func(scanner) (store.Manifest, error) {
	return func(s scanner) (store.Manifest, error) {
		m := store.Manifest{AccountID: account, Repository: repo}
		err := s.Scan(&m.Digest, &m.MediaType, &m.ArtifactType, &m.Subject, &m.Annotations, &m.ImageSize, nullTime{&m.PushedAt})
		return m, err
	}
}

// manifestSummariesPage pages through a repository's manifests along their
// UNIQUE (repository_pk, digest), as manifestsPage does.
const manifestSummariesPage = manifestSummarySelect + ` WHERE x.repository_pk = $1`

func (t registry) ListManifestSummaries(account, repo string, p store.Page) ([]store.Manifest, bool, error) {
	ms, more, err := t.listManifestSummaries(account, repo, p)
	return ms, more, wrap(err, "list manifest summaries of %s/%s", account, repo)
}

func (t registry) listManifestSummaries(account, repo string, p store.Page) ([]store.Manifest, bool, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return nil, false, err
	}
	rows, err := t.query(pageQuery(manifestSummariesPage, "x.digest", p), pageArgs(rpk, p)...)
	if err != nil {
		return nil, false, err
	}
	return collect(rows, pageSize(p), scanManifestSummary(account, repo))
}

// byDigests is the FROM clause of a batch lookup: the repository named by
// $1 (account ID) and $2 (name), then each digest of the array $3, d.digest,
// for the query to look up along an index by (r.pk, d.digest). Written as a
// per-digest lookup rather than as "digest = ANY($3)", which PostgreSQL
// before 17 costs as if each element were a random read and, for a batch
// of hundreds, plans as a scan of the whole repository or table instead.
const byDigests = `
	FROM repositories r
	JOIN accounts a ON a.pk = r.account_pk
	CROSS JOIN unnest($3::text[]) AS d (digest)`

// manifestSummariesQuery finds each digest's manifest along UNIQUE
// (repository_pk, digest); the lateral LIMIT 1 (a digest is unique in its
// repository) keeps the lookup a nested loop whatever the statistics.
const manifestSummariesQuery = `SELECT s.*` + byDigests + `
	CROSS JOIN LATERAL (` + manifestSummarySelect + ` WHERE x.repository_pk = r.pk AND x.digest = d.digest LIMIT 1) s
	WHERE a.id = $1 AND r.name = $2`

func (t registry) GetManifestSummaries(account, repo string, digests []string) (map[string]store.Manifest, error) {
	ms, err := t.getManifestSummaries(account, repo, digests)
	return ms, wrap(err, "get %d manifest summaries in %s/%s", len(digests), account, repo)
}

func (t registry) getManifestSummaries(account, repo string, digests []string) (map[string]store.Manifest, error) {
	rows, err := t.query(manifestSummariesQuery, account, repo, digests)
	if err != nil {
		return nil, err
	}
	ms, err := all(rows, scanManifestSummary(account, repo))
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		if _, err := t.repositoryPK(account, repo); err != nil {
			return nil, err
		}
	}
	out := make(map[string]store.Manifest, len(ms))
	for _, m := range ms {
		out[m.Digest] = m
	}
	return out, nil
}

// DeleteManifest deletes the manifest and, by cascade, its children and tags.
func (t registry) DeleteManifest(account, repo, digest string) error {
	rpk, err := t.repositoryPK(account, repo)
	if err == nil {
		err = affected(t.exec(`DELETE FROM manifests WHERE repository_pk = $1 AND digest = $2`, rpk, digest))
	}
	return wrap(err, "delete manifest %s in %s/%s", digest, account, repo)
}

// referrersQuery reads manifests_subject, which orders them by digest.
const referrersQuery = manifestSelect + ` WHERE m.repository_pk = $1 AND m.subject = $2 ORDER BY m.digest`

// Referrers lists them by digest.
func (t registry) Referrers(account, repo, digest string) ([]store.Manifest, error) {
	ms, err := t.referrers(account, repo, digest)
	return ms, wrap(err, "referrers of %s in %s/%s", digest, account, repo)
}

func (t registry) referrers(account, repo, digest string) ([]store.Manifest, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(referrersQuery, rpk, digest)
	if err != nil {
		return nil, err
	}
	return all(rows, scanManifest(account, repo))
}

// manifestReferencedQuery finds the indexes listing a digest
// (manifest_children_digest), then checks their repository.
const manifestReferencedQuery = `
	SELECT EXISTS (
		SELECT 1 FROM manifest_children c JOIN manifests m ON m.pk = c.manifest_pk
		WHERE c.child_digest = $1 AND m.repository_pk = $2)`

func (t registry) ManifestReferenced(account, repo, digest string) (bool, error) {
	var used bool
	rpk, err := t.repositoryPK(account, repo)
	if err == nil {
		err = t.queryRow(manifestReferencedQuery, digest, rpk).Scan(&used)
	}
	return used, wrap(err, "manifest %s referenced in %s/%s", digest, account, repo)
}

// Tags.

const tagSelect = `SELECT name, digest, created_at FROM tags`

func scanTag(s scanner) (store.ImageTag, error) {
	var t store.ImageTag
	err := s.Scan(&t.Name, &t.Digest, nullTime{&t.CreatedAt})
	return t, err
}

// PutTag creates or moves a tag, in one statement that finds the
// repository and the manifest itself: when either is missing it inserts
// nothing (ErrNotFound), so no foreign key violation can abort the
// transaction, and no savepoint is needed.
func (t registry) PutTag(account, repo string, it store.ImageTag) error {
	err := affected(t.exec(`
		INSERT INTO tags (repository_pk, name, digest, created_at)
		SELECT x.repository_pk, $3, x.digest, $5 FROM manifests x`+inRepository+` AND x.digest = $4
		ON CONFLICT (repository_pk, name) DO UPDATE SET digest = excluded.digest, created_at = excluded.created_at`,
		account, repo, it.Name, it.Digest, dbTime(it.CreatedAt)))
	if errors.Is(err, store.ErrNotFound) {
		err = t.missing(account, repo, "manifest "+it.Digest)
	}
	return wrap(err, "put tag %s/%s:%s → %s", account, repo, it.Name, it.Digest)
}

func (t registry) GetTag(account, repo, name string) (store.ImageTag, error) {
	it, err := scanTag(t.queryRow(`SELECT x.name, x.digest, x.created_at FROM tags x`+inRepository+` AND x.name = $3`,
		account, repo, name))
	if errors.Is(err, pgx.ErrNoRows) {
		err = t.missing(account, repo, "tag "+name)
	}
	return it, wrap(err, "get tag %s/%s:%s", account, repo, name)
}

// tagsPage pages through a repository's tags along the primary key
// (repository_pk, name): a page costs its own rows, wherever the marker is.
const tagsPage = tagSelect + ` WHERE repository_pk = $1`

func (t registry) ListTags(account, repo string, p store.Page) ([]store.ImageTag, bool, error) {
	ts, more, err := t.listTags(account, repo, p)
	return ts, more, wrap(err, "list tags of %s/%s", account, repo)
}

func (t registry) listTags(account, repo string, p store.Page) ([]store.ImageTag, bool, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return nil, false, err
	}
	rows, err := t.query(pageQuery(tagsPage, "name", p), pageArgs(rpk, p)...)
	if err != nil {
		return nil, false, err
	}
	return collect(rows, pageSize(p), scanTag)
}

// tagsOfQuery reads tags_manifest, which holds (repository_pk, digest, name).
const tagsOfQuery = `SELECT name FROM tags WHERE repository_pk = $1 AND digest = $2 ORDER BY name`

func (t registry) TagsOf(account, repo, digest string) ([]string, error) {
	ts, err := t.tagsOf(account, repo, digest)
	return ts, wrap(err, "tags of %s in %s/%s", digest, account, repo)
}

func (t registry) tagsOf(account, repo, digest string) ([]string, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return nil, err
	}
	var exists bool
	if err := t.queryRow(`SELECT EXISTS (SELECT 1 FROM manifests WHERE repository_pk = $1 AND digest = $2)`,
		rpk, digest).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		return nil, fmt.Errorf("manifest %s: %w", digest, store.ErrNotFound)
	}
	rows, err := t.query(tagsOfQuery, rpk, digest)
	if err != nil {
		return nil, err
	}
	return all(rows, func(s scanner) (string, error) {
		var name string
		err := s.Scan(&name)
		return name, err
	})
}

// tagsOfManyQuery lists each digest's tags from tags_manifest, which holds
// (repository_pk, digest, name): one index-only range per digest, in name
// order; a digest without tags comes back with an empty array.
const tagsOfManyQuery = `
	SELECT d.digest, ARRAY(SELECT t.name FROM tags t WHERE t.repository_pk = r.pk AND t.digest = d.digest ORDER BY t.name)` +
	byDigests + `
	WHERE a.id = $1 AND r.name = $2`

func (t registry) TagsOfMany(account, repo string, digests []string) (map[string][]string, error) {
	ts, err := t.tagsOfMany(account, repo, digests)
	return ts, wrap(err, "tags of %d manifests in %s/%s", len(digests), account, repo)
}

func (t registry) tagsOfMany(account, repo string, digests []string) (map[string][]string, error) {
	rows, err := t.query(tagsOfManyQuery, account, repo, digests)
	if err != nil {
		return nil, err
	}
	type digestTags struct {
		digest string
		names  []string
	}
	ts, err := all(rows, func(s scanner) (digestTags, error) {
		var dt digestTags
		err := s.Scan(&dt.digest, &dt.names)
		return dt, err
	})
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		if _, err := t.repositoryPK(account, repo); err != nil {
			return nil, err
		}
	}
	out := map[string][]string{}
	for _, dt := range ts {
		if len(dt.names) > 0 {
			out[dt.digest] = dt.names
		}
	}
	return out, nil
}

func (t registry) DeleteTag(account, repo, name string) error {
	rpk, err := t.repositoryPK(account, repo)
	if err == nil {
		err = affected(t.exec(`DELETE FROM tags WHERE repository_pk = $1 AND name = $2`, rpk, name))
	}
	return wrap(err, "delete tag %s/%s:%s", account, repo, name)
}

// Uploads.

// CreateUpload inserts the upload in one statement that finds the
// repository itself and skips a taken ID (ON CONFLICT DO NOTHING): it can
// fail without aborting the transaction, so it needs no savepoint. Having
// inserted nothing, it looks the repository up to tell ErrNotFound from
// ErrAlreadyExists.
func (t registry) CreateUpload(u store.Upload) error {
	err := affected(t.exec(`
		INSERT INTO uploads (id, repository_pk, created_at)
		SELECT $3, r.pk, $4 FROM repositories r JOIN accounts a ON a.pk = r.account_pk
		WHERE a.id = $1 AND r.name = $2
		ON CONFLICT (id) DO NOTHING`,
		u.AccountID, u.Repository, u.ID, dbTime(u.CreatedAt)))
	if errors.Is(err, store.ErrNotFound) {
		if _, err = t.repositoryPK(u.AccountID, u.Repository); err == nil {
			err = fmt.Errorf("upload %s: %w", u.ID, store.ErrAlreadyExists)
		}
	}
	return wrap(err, "create upload %s in %s/%s", u.ID, u.AccountID, u.Repository)
}

func (t registry) GetUpload(id string) (store.Upload, error) {
	var u store.Upload
	err := t.queryRow(`
		SELECT u.id, a.id, r.name, u.created_at
		FROM uploads u
		JOIN repositories r ON r.pk = u.repository_pk
		JOIN accounts a ON a.pk = r.account_pk
		WHERE u.id = $1`, id).Scan(&u.ID, &u.AccountID, &u.Repository, nullTime{&u.CreatedAt})
	return u, wrap(err, "get upload %s", id)
}

func (t registry) DeleteUpload(id string) error {
	err := affected(t.exec(`DELETE FROM uploads WHERE id = $1`, id))
	return wrap(err, "delete upload %s", id)
}

func (t registry) DeleteUploadsBefore(at time.Time) (int, error) {
	tag, err := t.exec(`DELETE FROM uploads WHERE created_at IS NULL OR created_at < $1`, at)
	return int(tag.RowsAffected()), wrap(err, "delete uploads created before %s", at)
}
