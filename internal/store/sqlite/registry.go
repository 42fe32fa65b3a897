package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// registry stores repositories, blob links, manifests, tags and uploads.
// Names, tags and digests compare exactly and order by bytes (BINARY).
type registry struct{ *tx }

var _ store.Registry = registry{}

// repositoryPK returns the surrogate key of repository name of account.
func (t registry) repositoryPK(account, name string) (int64, error) {
	var pk int64
	err := t.queryRow(`
		SELECT r.pk FROM repositories r JOIN accounts a ON a.pk = r.account_pk
		WHERE a.id = ? AND r.name = ?`, account, name).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("repository %s/%s: %w", account, name, store.ErrNotFound)
	}
	return pk, err
}

// pageQuery completes a listing's query, sel (ending in a WHERE clause), with
// "AND col > ?" when the page has a marker, then the order by col and the
// limit: a page is a range of col's index, however far the marker is.
func pageQuery(sel, col string, p store.Page) string {
	if p.Marker != "" {
		sel += ` AND ` + col + ` > ?`
	}
	return sel + ` ORDER BY ` + col + ` LIMIT ?`
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
	return wrap(t.createRepository(r), "create repository %s/%s", r.AccountID, r.Name)
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
		VALUES (?, ?, ?, ?, ?, ?)`,
		apk, r.Name, r.CatalogData, r.Policy, tags, dbTime(r.CreatedAt))
	return err
}

func (t registry) GetRepository(account, name string) (store.Repository, error) {
	r, err := scanRepository(t.queryRow(repositorySelect+` WHERE a.id = ? AND r.name = ?`, account, name))
	return r, wrap(err, "get repository %s/%s", account, name)
}

// repositoriesPage pages through an account's repositories along their UNIQUE
// (account_pk, name).
const repositoriesPage = repositorySelect + ` WHERE r.account_pk = ?`

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
// contains '/', that is the order of (alias || '/', name), which it reads
// from accounts_catalog then each account's UNIQUE (account_pk, name) without
// a sort (a.pk, unique, tells SQLite that each account's names follow in
// index order). Its arguments are the marker split at its first '/' — the
// part up to and including it, compared with alias || '/', and the rest,
// compared with the name — twice the first, then the name, then the limit.
// A NULL alias fails the comparison, so accounts without one are left out.
const catalogQuery = `
	SELECT a.alias || '/' || r.name
	FROM accounts a
	JOIN repositories r ON r.account_pk = a.pk
	WHERE a.alias || '/' >= ?1 AND (a.alias || '/' > ?1 OR r.name > ?2)
	ORDER BY a.alias || '/', a.pk, r.name
	LIMIT ?3`

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

func (t registry) updateRepository(r store.Repository) error {
	tags, err := dbTags(r.Tags)
	if err != nil {
		return err
	}
	pk, err := t.repositoryPK(r.AccountID, r.Name)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE repositories SET catalog_data = ?, policy = ?, tags = ?, created_at = ? WHERE pk = ?`,
		r.CatalogData, r.Policy, tags, dbTime(r.CreatedAt), pk)
	return err
}

// DeleteRepository deletes the repository and, by cascade, its blob links,
// manifests (with their children and tags) and uploads.
func (t registry) DeleteRepository(account, name string) error {
	pk, err := t.repositoryPK(account, name)
	if err == nil {
		_, err = t.exec(`DELETE FROM repositories WHERE pk = ?`, pk)
	}
	return wrap(err, "delete repository %s/%s", account, name)
}

// Blob links.

// LinkBlob inserts or renews the link, made now by SQLite's clock (in unix
// microseconds, as every time here).
func (t registry) LinkBlob(account, repo, digest string, size int64) error {
	pk, err := t.repositoryPK(account, repo)
	if err == nil {
		_, err = t.exec(`
			INSERT INTO blob_links (repository_pk, digest, size, created_at)
			VALUES (?, ?, ?, CAST(unixepoch('subsec') * 1000000 AS INTEGER))
			ON CONFLICT (repository_pk, digest) DO UPDATE SET size = excluded.size, created_at = excluded.created_at`,
			pk, digest, size)
	}
	return wrap(err, "link blob %s into %s/%s", digest, account, repo)
}

func (t registry) BlobSize(account, repo, digest string) (int64, error) {
	var size int64
	pk, err := t.repositoryPK(account, repo)
	if err == nil {
		err = t.queryRow(`SELECT size FROM blob_links WHERE repository_pk = ? AND digest = ?`, pk, digest).Scan(&size)
	}
	return size, wrap(err, "blob %s in %s/%s", digest, account, repo)
}

func (t registry) UnlinkBlob(account, repo, digest string) error {
	pk, err := t.repositoryPK(account, repo)
	if err == nil {
		err = affected(t.exec(`DELETE FROM blob_links WHERE repository_pk = ? AND digest = ?`, pk, digest))
	}
	return wrap(err, "unlink blob %s from %s/%s", digest, account, repo)
}

// blobInUseQuery reads blob_links_digest.
const blobInUseQuery = `SELECT EXISTS (SELECT 1 FROM blob_links WHERE digest = ?)`

func (t registry) BlobInUse(digest string) (bool, error) {
	var used bool
	err := t.queryRow(blobInUseQuery, digest).Scan(&used)
	return used, wrap(err, "blob %s in use", digest)
}

// Manifests.

// manifestSelect reads the manifests of one repository, whose account and
// name the caller fills in; children come back as a JSON array in order.
const manifestSelect = `
	SELECT m.digest, m.media_type, m.artifact_type, m.content, ifnull(m.subject, ''), m.annotations,
		m.blobs, (SELECT json_group_array(c.child_digest ORDER BY c.position)
		          FROM manifest_children c WHERE c.manifest_pk = m.pk),
		m.image_size, m.pushed_at
	FROM manifests m`

// scanManifest scans a manifest of repository repo of account.
func scanManifest(account, repo string) func(scanner) (store.Manifest, error) {
	return func(s scanner) (store.Manifest, error) {
		m := store.Manifest{AccountID: account, Repository: repo}
		err := s.Scan(&m.Digest, &m.MediaType, &m.ArtifactType, &m.Content, &m.Subject, &m.Annotations,
			jsonStrings{&m.Blobs}, jsonStrings{&m.Manifests}, &m.ImageSize, nullTime{&m.PushedAt})
		return m, err
	}
}

// dbStrings is a JSON array of strings; nil is [].
func dbStrings(ss []string) (string, error) {
	if ss == nil {
		ss = []string{}
	}
	b, err := json.Marshal(ss)
	return string(b), err
}

// jsonStrings scans a JSON array of strings; an empty one reads as nil.
type jsonStrings struct{ ss *[]string }

func (j jsonStrings) Scan(v any) error {
	var s sql.NullString
	if err := s.Scan(v); err != nil {
		return err
	}
	*j.ss = nil
	if !s.Valid || s.String == "" || s.String == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(s.String), j.ss)
}

// PutManifest inserts the manifest or, when the repository has its digest,
// replaces its columns in place (keeping the row, so its tags stay) and its
// children.
func (t registry) PutManifest(m store.Manifest) error {
	return wrap(t.atomic(func() error { return t.putManifest(m) }), "put manifest %s in %s/%s", m.Digest, m.AccountID, m.Repository)
}

func (t registry) putManifest(m store.Manifest) error {
	blobs, err := dbStrings(m.Blobs)
	if err != nil {
		return err
	}
	children, err := dbStrings(m.Manifests)
	if err != nil {
		return err
	}
	content := m.Content
	if content == nil {
		content = []byte{}
	}
	rpk, err := t.repositoryPK(m.AccountID, m.Repository)
	if err != nil {
		return err
	}
	var mpk int64
	err = t.queryRow(`
		INSERT INTO manifests (repository_pk, digest, media_type, artifact_type, content, subject,
			annotations, blobs, image_size, pushed_at)
		VALUES (?, ?, ?, ?, ?, nullif(?, ''), ?, ?, ?, ?)
		ON CONFLICT (repository_pk, digest) DO UPDATE SET
			media_type = excluded.media_type, artifact_type = excluded.artifact_type,
			content = excluded.content, subject = excluded.subject,
			annotations = excluded.annotations, blobs = excluded.blobs,
			image_size = excluded.image_size, pushed_at = excluded.pushed_at
		RETURNING pk`,
		rpk, m.Digest, m.MediaType, m.ArtifactType, content, m.Subject,
		m.Annotations, blobs, m.ImageSize, dbTime(m.PushedAt)).Scan(&mpk)
	if err != nil {
		return err
	}
	if _, err := t.exec(`DELETE FROM manifest_children WHERE manifest_pk = ?`, mpk); err != nil {
		return err
	}
	if len(m.Manifests) == 0 {
		return nil
	}
	_, err = t.exec(`
		INSERT INTO manifest_children (manifest_pk, position, child_digest)
		SELECT ?, key, value FROM json_each(?)`, mpk, children)
	return err
}

func (t registry) GetManifest(account, repo, digest string) (store.Manifest, error) {
	m, err := t.getManifest(account, repo, digest)
	return m, wrap(err, "get manifest %s in %s/%s", digest, account, repo)
}

func (t registry) getManifest(account, repo, digest string) (store.Manifest, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return store.Manifest{}, err
	}
	return scanManifest(account, repo)(t.queryRow(manifestSelect+` WHERE m.repository_pk = ? AND m.digest = ?`, rpk, digest))
}

// manifestsPage pages through a repository's manifests along their UNIQUE
// (repository_pk, digest).
const manifestsPage = manifestSelect + ` WHERE m.repository_pk = ?`

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

// manifestSummarySelect reads summaries of the manifests of one
// repository: the columns of manifests but content and blobs, and no
// children.
const manifestSummarySelect = `
	SELECT m.digest, m.media_type, m.artifact_type, ifnull(m.subject, ''), m.annotations, m.image_size, m.pushed_at
	FROM manifests m`

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
const manifestSummariesPage = manifestSummarySelect + ` WHERE m.repository_pk = ?`

func (t registry) ListManifestSummaries(account, repo string, p store.Page) ([]store.Manifest, bool, error) {
	ms, more, err := t.listManifestSummaries(account, repo, p)
	return ms, more, wrap(err, "list manifest summaries of %s/%s", account, repo)
}

func (t registry) listManifestSummaries(account, repo string, p store.Page) ([]store.Manifest, bool, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return nil, false, err
	}
	rows, err := t.query(pageQuery(manifestSummariesPage, "m.digest", p), pageArgs(rpk, p)...)
	if err != nil {
		return nil, false, err
	}
	return collect(rows, pageSize(p), scanManifestSummary(account, repo))
}

// manifestSummariesQuery looks the digests of the JSON array ?2 up in
// repository ?1 along the UNIQUE (repository_pk, digest): the array, one
// parameter however long, becomes a list to search the index with.
const manifestSummariesQuery = manifestSummarySelect + `
	WHERE m.repository_pk = ? AND m.digest IN (SELECT j.value FROM json_each(?) j)`

func (t registry) GetManifestSummaries(account, repo string, digests []string) (map[string]store.Manifest, error) {
	ms, err := t.getManifestSummaries(account, repo, digests)
	return ms, wrap(err, "get %d manifest summaries in %s/%s", len(digests), account, repo)
}

func (t registry) getManifestSummaries(account, repo string, digests []string) (map[string]store.Manifest, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return nil, err
	}
	if len(digests) == 0 {
		return map[string]store.Manifest{}, nil
	}
	list, err := dbStrings(digests)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(manifestSummariesQuery, rpk, list)
	if err != nil {
		return nil, err
	}
	ms, err := all(rows, scanManifestSummary(account, repo))
	if err != nil {
		return nil, err
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
		err = affected(t.exec(`DELETE FROM manifests WHERE repository_pk = ? AND digest = ?`, rpk, digest))
	}
	return wrap(err, "delete manifest %s in %s/%s", digest, account, repo)
}

// referrersQuery reads manifests_subject, which orders them by digest.
const referrersQuery = manifestSelect + ` WHERE m.repository_pk = ? AND m.subject = ? ORDER BY m.digest`

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
// (manifest_children_digest), then checks their repository: CROSS JOIN keeps
// that loop order, which costs the few indexes listing the digest anywhere
// rather than every manifest of the repository.
const manifestReferencedQuery = `
	SELECT EXISTS (
		SELECT 1 FROM manifest_children c CROSS JOIN manifests m ON m.pk = c.manifest_pk
		WHERE c.child_digest = ? AND m.repository_pk = ?)`

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

// PutTag creates or moves a tag. The foreign key (repository_pk, digest)
// makes a manifest missing from the repository a FOREIGN KEY error, which
// wrap reports as ErrNotFound.
func (t registry) PutTag(account, repo string, it store.ImageTag) error {
	rpk, err := t.repositoryPK(account, repo)
	if err == nil {
		_, err = t.exec(`
			INSERT INTO tags (repository_pk, name, digest, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (repository_pk, name) DO UPDATE SET digest = excluded.digest, created_at = excluded.created_at`,
			rpk, it.Name, it.Digest, dbTime(it.CreatedAt))
	}
	return wrap(err, "put tag %s/%s:%s → %s", account, repo, it.Name, it.Digest)
}

func (t registry) GetTag(account, repo, name string) (store.ImageTag, error) {
	var it store.ImageTag
	rpk, err := t.repositoryPK(account, repo)
	if err == nil {
		it, err = scanTag(t.queryRow(tagSelect+` WHERE repository_pk = ? AND name = ?`, rpk, name))
	}
	return it, wrap(err, "get tag %s/%s:%s", account, repo, name)
}

// tagsPage pages through a repository's tags along the primary key
// (repository_pk, name): a page costs its own rows, wherever the marker is.
const tagsPage = tagSelect + ` WHERE repository_pk = ?`

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
const tagsOfQuery = `SELECT name FROM tags WHERE repository_pk = ? AND digest = ? ORDER BY name`

func (t registry) TagsOf(account, repo, digest string) ([]string, error) {
	ts, err := t.tagsOf(account, repo, digest)
	return ts, wrap(err, "tags of %s in %s/%s", digest, account, repo)
}

func (t registry) tagsOf(account, repo, digest string) ([]string, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return nil, err
	}
	var n int
	if err := t.queryRow(`SELECT count(*) FROM manifests WHERE repository_pk = ? AND digest = ?`, rpk, digest).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
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

// tagsOfManyQuery reads tags_manifest, which holds (repository_pk, digest,
// name), for each digest of the JSON array ?2: one search of the index per
// digest, each in name order.
const tagsOfManyQuery = `
	SELECT t.digest, t.name FROM tags t
	WHERE t.repository_pk = ? AND t.digest IN (SELECT j.value FROM json_each(?) j)
	ORDER BY t.digest, t.name`

func (t registry) TagsOfMany(account, repo string, digests []string) (map[string][]string, error) {
	ts, err := t.tagsOfMany(account, repo, digests)
	return ts, wrap(err, "tags of %d manifests in %s/%s", len(digests), account, repo)
}

func (t registry) tagsOfMany(account, repo string, digests []string) (map[string][]string, error) {
	rpk, err := t.repositoryPK(account, repo)
	if err != nil {
		return nil, err
	}
	if len(digests) == 0 {
		return map[string][]string{}, nil
	}
	list, err := dbStrings(digests)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(tagsOfManyQuery, rpk, list)
	if err != nil {
		return nil, err
	}
	ts, err := all(rows, func(s scanner) (store.ImageTag, error) {
		var it store.ImageTag
		err := s.Scan(&it.Digest, &it.Name)
		return it, err
	})
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, it := range ts {
		out[it.Digest] = append(out[it.Digest], it.Name)
	}
	return out, nil
}

func (t registry) DeleteTag(account, repo, name string) error {
	rpk, err := t.repositoryPK(account, repo)
	if err == nil {
		err = affected(t.exec(`DELETE FROM tags WHERE repository_pk = ? AND name = ?`, rpk, name))
	}
	return wrap(err, "delete tag %s/%s:%s", account, repo, name)
}

// Uploads.

func (t registry) CreateUpload(u store.Upload) error {
	rpk, err := t.repositoryPK(u.AccountID, u.Repository)
	if err == nil {
		_, err = t.exec(`INSERT INTO uploads (id, repository_pk, created_at) VALUES (?, ?, ?)`,
			u.ID, rpk, dbTime(u.CreatedAt))
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
		WHERE u.id = ?`, id).Scan(&u.ID, &u.AccountID, &u.Repository, nullTime{&u.CreatedAt})
	return u, wrap(err, "get upload %s", id)
}

func (t registry) DeleteUpload(id string) error {
	err := affected(t.exec(`DELETE FROM uploads WHERE id = ?`, id))
	return wrap(err, "delete upload %s", id)
}

func (t registry) DeleteUploadsBefore(at time.Time) (int, error) {
	n, err := deleted(t.exec(`DELETE FROM uploads WHERE created_at IS NULL OR created_at < ?`, at.UnixMicro()))
	return n, wrap(err, "delete uploads created before %s", at)
}
