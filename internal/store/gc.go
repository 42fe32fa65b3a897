package store

import (
	"context"
	"time"
)

// Blob records and online garbage collection.
//
// The blob store holds content; the metadata store holds, beside the
// repositories' blob links, one record per digest whose content Wharf put
// there (table blobs). The record is what linking and deleting content
// serialize on, so that a link is never committed to content that is gone:
//
//   - Content is written, and linked, only under a live record: Hold takes
//     (or creates) it first, in the writer's transaction. A record created
//     or taken back by Hold may have no content yet: before linking, the
//     caller checks the content exists, in the same transaction.
//   - Content is deleted only under a tombstone: GC.Tombstone marks the
//     record as being deleted, in a transaction that finds no link to the
//     digest; the content is deleted after it commits, and GC.Forget then
//     drops the record. Hold refuses a tombstone (ErrConflict).
//
// Hold and Tombstone read and write the same row, so of a link and a
// tombstone made concurrently one sees the other: SQLite's single writer
// runs them one after the other; PostgreSQL's SERIALIZABLE transactions
// (Tombstone locks the row FOR UPDATE, Hold FOR SHARE) make one of them
// fail to serialize and run again, when it finds what the other did.
//
// A tombstone is its sweep's for TombstoneLifetime: the sweep deletes the
// content within it or leaves it alone. An older tombstone is abandoned
// (its sweep died): Hold takes the record back, and a later sweep may take
// the tombstone over.

// TombstoneLifetime is how long a tombstone belongs to the sweep that
// made it. Replicas' clocks must agree to much better than this.
const TombstoneLifetime = 10 * time.Minute

// BlobRecord is the record of one blob.
type BlobRecord struct {
	Digest    string
	Size      int64
	CreatedAt time.Time
	// UnreferencedSince is when a sweep found no repository linking the
	// digest; zero since the last Hold (and so while linked).
	UnreferencedSince time.Time
	// DeletingSince is when a sweep tombstoned the record; zero for a live one.
	DeletingSince time.Time
	// Links is how many repositories link the digest (BlobRecords only).
	Links int
}

// BlobLink is a repository's link to a blob.
type BlobLink struct {
	Digest string
	Size   int64
	// CreatedAt is when the link was made (or last made again), by the
	// database's clock.
	CreatedAt time.Time
}

// ManifestRef is what the collector needs of a manifest: its references.
type ManifestRef struct {
	Digest    string
	Subject   string   // "" for none
	Blobs     []string // config and layers
	Manifests []string // an index's children
	Tagged    bool
	PushedAt  time.Time
}

// Blobs keeps the blob records, for the writers of content and links.
type Blobs interface {
	// Hold takes the digest's record for this transaction: it creates a
	// live one when there is none (size and at its Size and CreatedAt),
	// takes back an abandoned tombstone, and clears UnreferencedSince, so
	// that a sweep's grace period starts over. A tombstone that is not
	// abandoned is ErrConflict: the content is being deleted.
	Hold(digest string, size int64, at time.Time) error
	// Get returns the digest's record (ErrNotFound).
	Get(digest string) (BlobRecord, error)
}

// GC is what the garbage collector (internal/gc) reads and writes. Its
// listings only choose candidates: every write checks its condition again
// in its own transaction, so that what a client did meanwhile is kept.
type GC interface {
	// ManifestRefs lists a repository's manifests, ordered by digest (the
	// marker is a digest).
	ManifestRefs(account, repo string, p Page) ([]ManifestRef, bool, error)
	// DeleteUntaggedManifest deletes a manifest, and reports true, when no
	// tag names it, no index of its repository lists it, its subject is
	// not in the repository, and it was pushed at or before pushedBefore;
	// otherwise it changes nothing. A missing repository is ErrNotFound.
	DeleteUntaggedManifest(account, repo, digest string, pushedBefore time.Time) (bool, error)

	// BlobLinks lists a repository's blob links, ordered by digest.
	BlobLinks(account, repo string, p Page) ([]BlobLink, bool, error)
	// UnlinkUnreferenced removes a blob link, and reports true, when no
	// manifest of its repository lists the digest, the repository's catalog
	// data does not name it (the logo), and it was made at or before
	// linkedBefore; otherwise it changes nothing. A missing repository is
	// ErrNotFound.
	UnlinkUnreferenced(account, repo, digest string, linkedBefore time.Time) (bool, error)

	// BlobRecords lists the blob records with their Links, ordered by digest.
	BlobRecords(p Page) ([]BlobRecord, bool, error)
	// MarkUnreferenced sets UnreferencedSince to at on those of the
	// digests' records that are live, unmarked and unlinked, and returns
	// how many.
	MarkUnreferenced(digests []string, at time.Time) (int, error)
	// Tombstone makes the digest's record a tombstone (DeletingSince at),
	// and returns it with true, when no repository links the digest and the
	// record is live and unreferenced since at or before
	// unreferencedBefore, or is an abandoned tombstone; otherwise it
	// changes nothing and returns false. The caller deletes the content
	// within TombstoneLifetime of at, or not at all, then calls Forget.
	Tombstone(digest string, unreferencedBefore, at time.Time) (BlobRecord, bool, error)
	// Forget drops the record of a tombstone made at deletingSince (as
	// Tombstone returned it). ErrNotFound when there is no such tombstone:
	// the record was taken back, or another sweep took the tombstone over.
	Forget(digest string, deletingSince time.Time) error

	// Adopt creates a live, unmarked record (size and at its Size and
	// CreatedAt), and reports true, when the digest has none: the
	// collector's scan gives one to content the blob store holds without
	// a record, so that the sweep collects it like any other. An existing
	// record, live, unreferenced or tombstoned, is left exactly as it is:
	// unlike Hold, Adopt restarts no grace period, so a scan never delays
	// the collection of content already on its way out. A record adopted
	// for content deleted meanwhile names nothing, as one Hold created
	// for an upload that never completed: its sweep finds no content.
	Adopt(digest string, size int64, at time.Time) (bool, error)
}

// Locker is an optional capability of a Store: named locks that one
// process at a time holds among all that share the store (of replicas, one
// runs the garbage collector).
type Locker interface {
	// TryLock takes the lock name when no one holds it: ok reports whether
	// it did, and unlock gives it back. A lock whose holder died is free.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}
