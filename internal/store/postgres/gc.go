package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wharf-project/wharf/internal/store"
)

// blobRecords keeps the blob records. Hold reads a record FOR SHARE, so
// that holders of one digest (pushes of a common base layer) do not wait
// for each other, and writes it only to create it or clear a mark;
// Tombstone locks it FOR UPDATE and writes it. Under SERIALIZABLE the two
// cannot both commit having missed each other: a Tombstone that committed
// first makes a later Hold's FOR SHARE fail to serialize (and, run again,
// find the tombstone); a Hold that linked first either is seen by the
// Tombstone's look for links, or the two form a read-write cycle (each read
// what the other wrote) and one of them is rolled back and run again.
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

// Hold's statements cannot fail but with the whole transaction (a refusal
// is decided here, not by a constraint): no savepoint.
func (t blobRecords) Hold(digest string, size int64, at time.Time) error {
	return wrap(t.hold(digest, size, at), "hold blob %s", digest)
}

func (t blobRecords) hold(digest string, size int64, at time.Time) error {
	r, err := scanBlobRecord(t.queryRow(blobRecordSelect+` WHERE b.digest = $1 FOR SHARE`, digest))
	if errors.Is(err, pgx.ErrNoRows) {
		// A concurrent Hold creating the record too makes this one wait,
		// then fail to serialize when it commits: run again, it finds it.
		tag, ierr := t.exec(`INSERT INTO blobs (digest, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING`,
			digest, size, dbTime(at))
		if ierr != nil {
			return ierr
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		r, err = scanBlobRecord(t.queryRow(blobRecordSelect+` WHERE b.digest = $1 FOR SHARE`, digest))
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
	_, err = t.exec(`UPDATE blobs SET unreferenced_since = NULL, deleting_since = NULL WHERE digest = $1`, digest)
	return err
}

func (t blobRecords) Get(digest string) (store.BlobRecord, error) {
	r, err := scanBlobRecord(t.queryRow(blobRecordSelect+` WHERE b.digest = $1`, digest))
	return r, wrap(err, "blob record %s", digest)
}

// gc is what the garbage collector reads and writes. Each write is one
// statement whose WHERE clause is its condition, or (Tombstone) a row
// locked, checked and updated; none can fail but with the whole
// transaction, so none needs a savepoint.
type gc struct{ *tx }

var _ store.GC = gc{}

// manifestRefsPage pages through a repository's manifests along their
// UNIQUE (repository_pk, digest).
const manifestRefsPage = `
	SELECT m.digest, coalesce(m.subject, ''), m.blobs,
		ARRAY(SELECT c.child_digest FROM manifest_children c WHERE c.manifest_pk = m.pk ORDER BY c.position),
		EXISTS (SELECT 1 FROM tags t WHERE t.repository_pk = m.repository_pk AND t.digest = m.digest),
		m.pushed_at
	FROM manifests m WHERE m.repository_pk = $1`

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
		err := s.Scan(&m.Digest, &m.Subject, &m.Blobs, &m.Manifests, &m.Tagged, nullTime{&m.PushedAt})
		if len(m.Blobs) == 0 {
			m.Blobs = nil
		}
		if len(m.Manifests) == 0 {
			m.Manifests = nil
		}
		return m, err
	})
}

// deleteUntaggedManifest deletes the manifest $2 of repository $1 pushed at
// or before $3 when no tag names it (tags_manifest), no index of the
// repository lists it (manifest_children_digest) and its subject is not in
// the repository; the cascade takes its children rows.
const deleteUntaggedManifest = `
	DELETE FROM manifests m
	WHERE m.repository_pk = $1 AND m.digest = $2 AND m.pushed_at <= $3
	AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repository_pk = $1 AND t.digest = $2)
	AND NOT EXISTS (
		SELECT 1 FROM manifest_children c JOIN manifests i ON i.pk = c.manifest_pk
		WHERE c.child_digest = $2 AND i.repository_pk = $1)
	AND (m.subject IS NULL OR NOT EXISTS (
		SELECT 1 FROM manifests s WHERE s.repository_pk = $1 AND s.digest = m.subject))`

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
	tag, err := t.exec(query, rpk, digest, dbTime(before))
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() > 0, nil
}

// blobLinksPage pages through a repository's links along their primary key.
const blobLinksPage = `SELECT digest, size, created_at FROM blob_links WHERE repository_pk = $1`

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

// unlinkUnreferenced removes the link of repository $1 to digest $2 made at
// or before $3 when no manifest of the repository lists the digest among
// its blobs (a scan of the repository's manifests, along their UNIQUE
// (repository_pk, digest): its predicate lock is what a concurrent
// PutManifest conflicts with) and the catalog data does not name it.
const unlinkUnreferenced = `
	DELETE FROM blob_links
	WHERE repository_pk = $1 AND digest = $2 AND created_at <= $3
	AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_pk = $1 AND $2 = ANY (m.blobs))
	AND NOT EXISTS (SELECT 1 FROM repositories r WHERE r.pk = $1 AND strpos(r.catalog_data, $2) > 0)`

func (t gc) UnlinkUnreferenced(account, repo, digest string, linkedBefore time.Time) (bool, error) {
	ok, err := t.deleteIf(account, repo, unlinkUnreferenced, digest, linkedBefore)
	return ok, wrap(err, "unlink unreferenced blob %s from %s/%s", digest, account, repo)
}

// blobRecordsPage pages through the records along their primary key,
// counting each one's links along blob_links_digest.
const blobRecordsPage = `
	SELECT b.digest, b.size, b.created_at, b.unreferenced_since, b.deleting_since,
		(SELECT count(*) FROM blob_links l WHERE l.digest = b.digest)
	FROM blobs b WHERE b.digest > $1 ORDER BY b.digest LIMIT $2`

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
	UPDATE blobs b SET unreferenced_since = $1
	WHERE b.digest = ANY ($2) AND b.unreferenced_since IS NULL AND b.deleting_since IS NULL
	AND NOT EXISTS (SELECT 1 FROM blob_links l WHERE l.digest = b.digest)`

func (t gc) MarkUnreferenced(digests []string, at time.Time) (int, error) {
	if len(digests) == 0 {
		return 0, nil
	}
	tag, err := t.exec(markUnreferenced, dbTime(at), digests)
	if err != nil {
		return 0, wrap(err, "mark unreferenced blobs")
	}
	return int(tag.RowsAffected()), nil
}

func (t gc) Tombstone(digest string, unreferencedBefore, at time.Time) (store.BlobRecord, bool, error) {
	r, ok, err := t.tombstone(digest, unreferencedBefore, at)
	return r, ok, wrap(err, "tombstone blob %s", digest)
}

func (t gc) tombstone(digest string, unreferencedBefore, at time.Time) (store.BlobRecord, bool, error) {
	r, err := scanBlobRecord(t.queryRow(blobRecordSelect+` WHERE b.digest = $1 FOR UPDATE`, digest))
	if errors.Is(err, pgx.ErrNoRows) {
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
	err = t.queryRow(`UPDATE blobs SET deleting_since = $2 WHERE digest = $1 RETURNING deleting_since`,
		digest, dbTime(at)).Scan(nullTime{&r.DeletingSince})
	return r, err == nil, err
}

func (t gc) Forget(digest string, deletingSince time.Time) error {
	err := affected(t.exec(`DELETE FROM blobs WHERE digest = $1 AND deleting_since = $2`, digest, dbTime(deletingSince)))
	return wrap(err, "forget blob %s", digest)
}

func (t gc) Adopt(digest string, size int64, at time.Time) (bool, error) {
	tag, err := t.exec(`INSERT INTO blobs (digest, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING`,
		digest, size, dbTime(at))
	if err != nil {
		return false, wrap(err, "adopt blob %s", digest)
	}
	return tag.RowsAffected() == 1, nil
}

// TryLock takes the named lock: a session advisory lock
// (pg_try_advisory_lock, keyed by a hash of the name) on a connection taken
// out of the pool until unlock, so that of all processes sharing the
// database one holds it at a time. Should the connection die, PostgreSQL
// releases the lock, and another process may take it while this one still
// thinks it holds it: what it guards must stay correct then (the collector
// does), the lock only keeps the work from being done twice. Locker is an
// optional capability beside store.Store.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	h := fnv.New64a()
	h.Write([]byte("wharf lock " + name))
	key := int64(h.Sum64())
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: lock %s: %w", name, err)
	}
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil || !ok {
		conn.Release()
		if err != nil {
			return nil, false, fmt.Errorf("postgres: lock %s: %w", name, err)
		}
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
				// Ending the session releases the lock.
				_ = conn.Conn().Close(ctx)
			}
			conn.Release()
		})
	}, true, nil
}
