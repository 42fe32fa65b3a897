package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// blobRecords keeps the blob records. Write transactions are serialized, so
// a Hold and a Tombstone of one digest simply run one after the other.
type blobRecords struct{ *tx }

var _ store.Blobs = blobRecords{}

const blobRecordSelect = `SELECT b.digest, b.size, b.created_at, b.unreferenced_since, b.deleting_since FROM blobs b`

func scanBlobRecord(s scanner) (store.BlobRecord, error) {
	var r store.BlobRecord
	err := s.Scan(&r.Digest, &r.Size, nullTime{&r.CreatedAt}, nullTime{&r.UnreferencedSince}, nullTime{&r.DeletingSince})
	return r, err
}

// abandoned reports whether a tombstone made at deleting is abandoned at at.
func abandoned(deleting, at time.Time) bool {
	return !deleting.After(at.Add(-store.TombstoneLifetime))
}

func (t blobRecords) Hold(digest string, size int64, at time.Time) error {
	return wrap(t.atomic(func() error { return t.hold(digest, size, at) }), "hold blob %s", digest)
}

func (t blobRecords) hold(digest string, size int64, at time.Time) error {
	r, err := scanBlobRecord(t.queryRow(blobRecordSelect+` WHERE b.digest = ?`, digest))
	if errors.Is(err, sql.ErrNoRows) {
		_, err = t.exec(`INSERT INTO blobs (digest, size, created_at) VALUES (?, ?, ?)`, digest, size, dbTime(at))
		return err
	}
	if err != nil {
		return err
	}
	if !r.DeletingSince.IsZero() && !abandoned(r.DeletingSince, at) {
		return fmt.Errorf("blob %s is being deleted: %w", digest, store.ErrConflict)
	}
	if r.DeletingSince.IsZero() && r.UnreferencedSince.IsZero() {
		return nil
	}
	_, err = t.exec(`UPDATE blobs SET unreferenced_since = NULL, deleting_since = NULL WHERE digest = ?`, digest)
	return err
}

func (t blobRecords) Get(digest string) (store.BlobRecord, error) {
	r, err := scanBlobRecord(t.queryRow(blobRecordSelect+` WHERE b.digest = ?`, digest))
	return r, wrap(err, "blob record %s", digest)
}

// gc is what the garbage collector reads and writes. Each write is one
// statement (or a savepoint) whose WHERE clause is its condition.
type gc struct{ *tx }

var _ store.GC = gc{}

// manifestRefsPage pages through a repository's manifests along their
// UNIQUE (repository_pk, digest); the children and whether a tag names the
// manifest come from manifest_children's primary key and tags_manifest.
const manifestRefsPage = `
	SELECT m.digest, ifnull(m.subject, ''), m.blobs,
		(SELECT json_group_array(c.child_digest ORDER BY c.position)
		 FROM manifest_children c WHERE c.manifest_pk = m.pk),
		EXISTS (SELECT 1 FROM tags t WHERE t.repository_pk = m.repository_pk AND t.digest = m.digest),
		m.pushed_at
	FROM manifests m WHERE m.repository_pk = ?`

func (t gc) ManifestRefs(account, repo string, p store.Page) ([]store.ManifestRef, bool, error) {
	ms, more, err := t.manifestRefs(account, repo, p)
	return ms, more, wrap(err, "manifest references of %s/%s", account, repo)
}

func (t gc) manifestRefs(account, repo string, p store.Page) ([]store.ManifestRef, bool, error) {
	rpk, err := registry(t).repositoryPK(account, repo)
	if err != nil {
		return nil, false, err
	}
	rows, err := t.query(pageQuery(manifestRefsPage, "m.digest", p), pageArgs(rpk, p)...)
	if err != nil {
		return nil, false, err
	}
	return collect(rows, pageSize(p), func(s scanner) (store.ManifestRef, error) {
		var m store.ManifestRef
		err := s.Scan(&m.Digest, &m.Subject, jsonStrings{&m.Blobs}, jsonStrings{&m.Manifests}, &m.Tagged, nullTime{&m.PushedAt})
		return m, err
	})
}

// deleteUntaggedManifest deletes the manifest ?2 of repository ?1 pushed at
// or before ?3 when no tag names it (tags_manifest), no index of the
// repository lists it (manifest_children_digest) and its subject is not in
// the repository; the cascade takes its children rows.
const deleteUntaggedManifest = `
	DELETE FROM manifests AS m
	WHERE m.repository_pk = ?1 AND m.digest = ?2 AND m.pushed_at <= ?3
	AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_pk = ?1 AND t.digest = ?2)
	AND NOT EXISTS (
		SELECT 1 FROM manifest_children c CROSS JOIN manifests i ON i.pk = c.manifest_pk
		WHERE c.child_digest = ?2 AND i.repository_pk = ?1)
	AND (m.subject IS NULL OR NOT EXISTS (
		SELECT 1 FROM manifests s WHERE s.repository_pk = ?1 AND s.digest = m.subject))`

func (t gc) DeleteUntaggedManifest(account, repo, digest string, pushedBefore time.Time) (bool, error) {
	ok, err := t.deleteIf(account, repo, deleteUntaggedManifest, digest, pushedBefore)
	return ok, wrap(err, "delete untagged manifest %s in %s/%s", digest, account, repo)
}

// deleteIf runs a conditional DELETE whose arguments are the repository's
// key, digest and a time, and reports whether it deleted a row.
func (t gc) deleteIf(account, repo, query, digest string, before time.Time) (bool, error) {
	rpk, err := registry(t).repositoryPK(account, repo)
	if err != nil {
		return false, err
	}
	res, err := t.exec(query, rpk, digest, dbTime(before))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// blobLinksPage pages through a repository's links along their primary key.
const blobLinksPage = `SELECT digest, size, created_at FROM blob_links WHERE repository_pk = ?`

func (t gc) BlobLinks(account, repo string, p store.Page) ([]store.BlobLink, bool, error) {
	ls, more, err := t.blobLinks(account, repo, p)
	return ls, more, wrap(err, "blob links of %s/%s", account, repo)
}

func (t gc) blobLinks(account, repo string, p store.Page) ([]store.BlobLink, bool, error) {
	rpk, err := registry(t).repositoryPK(account, repo)
	if err != nil {
		return nil, false, err
	}
	rows, err := t.query(pageQuery(blobLinksPage, "digest", p), pageArgs(rpk, p)...)
	if err != nil {
		return nil, false, err
	}
	return collect(rows, pageSize(p), func(s scanner) (store.BlobLink, error) {
		var l store.BlobLink
		err := s.Scan(&l.Digest, &l.Size, nullTime{&l.CreatedAt})
		return l, err
	})
}

// unlinkUnreferenced removes the link of repository ?1 to digest ?2 made at
// or before ?3 when no manifest of the repository lists the digest among
// its blobs (a scan of the repository's manifests, along their UNIQUE
// (repository_pk, digest)) and the catalog data does not name it.
const unlinkUnreferenced = `
	DELETE FROM blob_links
	WHERE repository_pk = ?1 AND digest = ?2 AND created_at <= ?3
	AND NOT EXISTS (
		SELECT 1 FROM manifests m, json_each(m.blobs) j
		WHERE m.repository_pk = ?1 AND j.value = ?2)
	AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.pk = ?1 AND instr(r.catalog_data, ?2) > 0)`

func (t gc) UnlinkUnreferenced(account, repo, digest string, linkedBefore time.Time) (bool, error) {
	ok, err := t.deleteIf(account, repo, unlinkUnreferenced, digest, linkedBefore)
	return ok, wrap(err, "unlink unreferenced blob %s from %s/%s", digest, account, repo)
}

// blobRecordsPage pages through the records along their primary key,
// counting each one's links along blob_links_digest.
const blobRecordsPage = `
	SELECT b.digest, b.size, b.created_at, b.unreferenced_since, b.deleting_since,
		(SELECT count(*) FROM blob_links l WHERE l.digest = b.digest)
	FROM blobs b WHERE b.digest > ? ORDER BY b.digest LIMIT ?`

func (t gc) BlobRecords(p store.Page) ([]store.BlobRecord, bool, error) {
	n := pageSize(p)
	rows, err := t.query(blobRecordsPage, p.Marker, n+1)
	if err != nil {
		return nil, false, wrap(err, "blob records")
	}
	rs, more, err := collect(rows, n, func(s scanner) (store.BlobRecord, error) {
		var r store.BlobRecord
		err := s.Scan(&r.Digest, &r.Size, nullTime{&r.CreatedAt}, nullTime{&r.UnreferencedSince}, nullTime{&r.DeletingSince}, &r.Links)
		return r, err
	})
	return rs, more, wrap(err, "blob records")
}

const markUnreferenced = `
	UPDATE blobs SET unreferenced_since = ?1
	WHERE digest = ?2 AND unreferenced_since IS NULL AND deleting_since IS NULL
	AND NOT EXISTS (SELECT 1 FROM blob_links l WHERE l.digest = ?2)`

func (t gc) MarkUnreferenced(digests []string, at time.Time) (int, error) {
	var marked int
	err := t.atomic(func() error {
		marked = 0
		for _, d := range digests {
			res, err := t.exec(markUnreferenced, dbTime(at), d)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			marked += int(n)
		}
		return nil
	})
	return marked, wrap(err, "mark unreferenced blobs")
}

func (t gc) Tombstone(digest string, unreferencedBefore, at time.Time) (store.BlobRecord, bool, error) {
	var r store.BlobRecord
	var ok bool
	err := t.atomic(func() error {
		var err error
		r, ok, err = t.tombstone(digest, unreferencedBefore, at)
		return err
	})
	return r, ok, wrap(err, "tombstone blob %s", digest)
}

func (t gc) tombstone(digest string, unreferencedBefore, at time.Time) (store.BlobRecord, bool, error) {
	r, err := scanBlobRecord(t.queryRow(blobRecordSelect+` WHERE b.digest = ?`, digest))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	var linked bool
	if err := t.queryRow(blobInUseQuery, digest).Scan(&linked); err != nil || linked {
		return r, false, err
	}
	switch {
	case r.DeletingSince.IsZero() && (r.UnreferencedSince.IsZero() || r.UnreferencedSince.After(unreferencedBefore)):
		return r, false, nil // live, and referenced lately
	case !r.DeletingSince.IsZero() && !abandoned(r.DeletingSince, at):
		return r, false, nil // another sweep's
	}
	if _, err := t.exec(`UPDATE blobs SET deleting_since = ? WHERE digest = ?`, dbTime(at), digest); err != nil {
		return r, false, err
	}
	r, err = scanBlobRecord(t.queryRow(blobRecordSelect+` WHERE b.digest = ?`, digest))
	return r, err == nil, err
}

func (t gc) Forget(digest string, deletingSince time.Time) error {
	err := affected(t.exec(`DELETE FROM blobs WHERE digest = ? AND deleting_since = ?`, digest, dbTime(deletingSince)))
	return wrap(err, "forget blob %s", digest)
}

func (t gc) Adopt(digest string, size int64, at time.Time) (bool, error) {
	res, err := t.exec(`INSERT INTO blobs (digest, size, created_at) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING`,
		digest, size, dbTime(at))
	if err != nil {
		return false, wrap(err, "adopt blob %s", digest)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap(err, "adopt blob %s", digest)
}
