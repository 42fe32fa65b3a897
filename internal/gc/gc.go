// Package gc is Wharf's online garbage collector. While the registry keeps
// serving — no read-only window, no lock held for longer than one small
// transaction — a sweep removes, in this order:
//
//  1. untagged manifests (only when asked: Options.DeleteUntagged; they are
//     pullable by digest, as on ECR), that no index of their repository
//     lists and whose subject is not in the repository, pushed longer ago
//     than the grace period; an index goes before its children, a subject
//     before its referrers;
//  2. blob links no manifest of their repository lists (nor its catalog data,
//     for the logo), made longer ago than the grace period — clients upload
//     layers minutes before the manifest that uses them;
//  3. blob content no repository links: a sweep marks a record it finds
//     unlinked (store.BlobRecord.UnreferencedSince), and deletes the content
//     once it has stayed unreferenced for the grace period.
//
// Every removal is a transaction of its own that checks its condition again
// (store.GC), so what a client did since the sweep looked is kept. Content
// is deleted only under its record's tombstone, which no link can join (see
// internal/store/gc.go): a blob a manifest references — its repository
// links it — or that an upload is completing — its record is held — is never
// deleted, and a link is never committed to deleted content.
//
// Content no record names is not among these: a sweep finds content by its
// records, and content is written under one now, but what was stored
// before migration 0004 (which gave records only to the digests some
// repository linked) or left by a crash has none. Only when asked
// (Options.ScanStore: listing a whole bucket is costly) does a sweep list
// the blob store first, and adopt such content (store.GC.Adopt): it gives
// it a record, which step 3 then handles as any other, so the content goes
// on a later sweep, once unreferenced for the grace period.
//
// It never deletes a manifest that is tagged or listed, and never blocks a
// client: a push that meets a tombstone waits a moment or fails cleanly,
// and its retry succeeds.
package gc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/store"
)

// LockName is the store lock (store.Locker) a sweep holds, so that of all
// processes sharing the store one sweeps at a time.
const LockName = "gc"

// DefaultGrace is the default grace period.
const DefaultGrace = time.Hour

// Options are a sweep's.
type Options struct {
	// DryRun reports what the sweep would remove, and changes nothing.
	DryRun bool
	// Grace is how old an untagged manifest or an unused link must be, and
	// how long content must have been unreferenced, to be removed.
	Grace time.Duration
	// DeleteUntagged removes untagged manifests (see the package comment).
	DeleteUntagged bool
	// ScanStore lists the blob store, when it is a blob.Lister, and adopts
	// the content it holds without a record (see the package comment).
	ScanStore bool
}

// Report is what a sweep removed, or would remove (DryRun).
type Report struct {
	DryRun           bool          `json:"dryRun"`
	Repositories     int           `json:"repositories"`     // looked at
	Records          int           `json:"records"`          // blob records looked at
	ManifestsRemoved int           `json:"manifestsRemoved"` // untagged manifests
	LinksRemoved     int           `json:"linksRemoved"`     // blob links
	BlobsDeleted     int           `json:"blobsDeleted"`     // blobs whose content was deleted
	BytesFreed       int64         `json:"bytesFreed"`       // their sizes
	MissingContent   int           `json:"missingContent"`   // records dropped whose content was gone already
	Adopted          int           `json:"adopted"`          // blobs given a record (ScanStore), deleted by a later sweep
	Duration         time.Duration `json:"durationNs"`
}

func (r Report) String() string {
	verb, adopted := "removed", "adopted"
	if r.DryRun {
		verb, adopted = "would remove", "would adopt"
	}
	s := fmt.Sprintf("%s %d untagged manifests, %d blob links and %d blobs (%d bytes) of %d repositories and %d blob records in %v",
		verb, r.ManifestsRemoved, r.LinksRemoved, r.BlobsDeleted, r.BytesFreed, r.Repositories, r.Records, r.Duration.Round(time.Millisecond))
	if r.Adopted > 0 {
		s += fmt.Sprintf("; %s %d blobs that had no record, for a later sweep", adopted, r.Adopted)
	}
	return s
}

// Collector sweeps a registry's metadata store and blob store.
type Collector struct {
	Store store.Store
	Blobs blob.Store
	// Now is the clock (default time.Now). Blob links are timed by the
	// database's clock, which it must agree with.
	Now func() time.Time
	// Log receives what goes wrong along the way (default: discarded).
	Log *slog.Logger
	// Batch is how many entries a listing reads at a time (default 256).
	Batch int
}

// Deleting content: a sweep deletes a blob's content within this long of
// tombstoning its record, or leaves it (the tombstone is then abandoned,
// and taken over later); a delete gets deleteTimeout.
const (
	deleteWithin  = store.TombstoneLifetime / 2
	deleteTimeout = time.Minute
)

// ErrLocked is Sweep's error when another process is sweeping.
var ErrLocked = errors.New("gc: another garbage collection is running")

// Sweep runs a sweep holding the store's lock, when the store is a
// store.Locker; ErrLocked when another process holds it.
func (c *Collector) Sweep(ctx context.Context, opts Options) (Report, error) {
	if l, ok := c.Store.(store.Locker); ok {
		unlock, ok, err := l.TryLock(ctx, LockName)
		if err != nil {
			return Report{DryRun: opts.DryRun}, err
		}
		if !ok {
			return Report{DryRun: opts.DryRun}, ErrLocked
		}
		defer unlock()
	}
	return c.Run(ctx, opts)
}

// Run runs one sweep (without the lock: see Sweep). It goes on past what
// fails with one entry, and returns the first such error with the report
// of what it did.
func (c *Collector) Run(ctx context.Context, opts Options) (Report, error) {
	if opts.Grace < 0 {
		return Report{}, fmt.Errorf("gc: negative grace period %v", opts.Grace)
	}
	s := &sweep{Collector: c, ctx: ctx, opts: opts, rep: Report{DryRun: opts.DryRun}, unlinked: map[string]int{}}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Batch <= 0 {
		s.Batch = 256
	}
	began := time.Now()
	var err error
	if opts.ScanStore {
		err = s.scan()
	}
	if err == nil {
		err = s.repositories()
	}
	if err == nil {
		err = s.records()
	}
	s.rep.Duration = time.Since(began)
	if err == nil {
		err = s.firstErr
	}
	return s.rep, err
}

// sweep is one run's state.
type sweep struct {
	*Collector
	ctx  context.Context
	opts Options
	rep  Report
	// unlinked counts, by digest, the links the sweep removed (or, in a dry
	// run, would have).
	unlinked map[string]int
	// adoptedAt is the CreatedAt of the records the scan adopted (zero
	// without a scan): the sweep deletes no content of a record created
	// since.
	adoptedAt time.Time
	firstErr  error
}

// fail notes an error of one entry and goes on.
func (s *sweep) fail(what string, err error) {
	s.Log.Warn("garbage collection: "+what, "err", err)
	if s.firstErr == nil {
		s.firstErr = fmt.Errorf("gc: %s: %w", what, err)
	}
}

func (s *sweep) view(fn func(store.Tx) error) error { return store.View(s.ctx, s.Store, fn) }

// scan lists the blob store and adopts, a batch per transaction, what it
// holds without a record; a dry run counts what it would adopt. The record
// sweep then marks an adopted record no repository links (one an old
// version linked, as it makes no records, stays live). Its content goes
// only on a later sweep, after the grace period, even with none: content
// an old version wrote during a rolling upgrade gets the grace period to be
// linked.
func (s *sweep) scan() error {
	l, ok := s.Blobs.(blob.Lister)
	if !ok {
		s.Log.Warn("garbage collection: the blob store cannot list its blobs; not scanning it")
		return nil
	}
	// Stores keep times to the microsecond: the adopted records' CreatedAt
	// is adoptedAt exactly.
	s.adoptedAt = s.Now().Truncate(time.Microsecond)
	type entry struct {
		digest string
		size   int64
	}
	batch := make([]entry, 0, s.Batch)
	adopt := func() error {
		if len(batch) == 0 {
			return nil
		}
		n := 0
		var err error
		if s.opts.DryRun {
			err = s.view(func(tx store.Tx) error {
				n = 0
				for _, b := range batch {
					if _, err := tx.Blobs().Get(b.digest); errors.Is(err, store.ErrNotFound) {
						n++
					} else if err != nil {
						return err
					}
				}
				return nil
			})
		} else {
			err = s.Store.Tx(s.ctx, func(tx store.Tx) error {
				n = 0
				for _, b := range batch {
					ok, err := tx.GC().Adopt(b.digest, b.size, s.adoptedAt)
					if err != nil {
						return err
					}
					if ok {
						n++
					}
				}
				return nil
			})
		}
		batch = batch[:0]
		if err != nil {
			if cerr := s.ctx.Err(); cerr != nil {
				return cerr
			}
			s.fail("adopting blobs without a record", err)
			return nil
		}
		s.rep.Adopted += n
		return nil
	}
	err := l.List(s.ctx, func(d digest.Digest, size int64) error {
		batch = append(batch, entry{d.String(), size})
		if len(batch) < s.Batch {
			return nil
		}
		return adopt()
	})
	if err == nil {
		err = adopt()
	}
	if err != nil {
		return fmt.Errorf("gc: scanning the blob store: %w", err)
	}
	return nil
}

// repositories sweeps every repository of every account.
func (s *sweep) repositories() error {
	var accounts []store.Account
	if err := s.view(func(tx store.Tx) error {
		var err error
		accounts, err = tx.Accounts().List()
		return err
	}); err != nil {
		return fmt.Errorf("gc: accounts: %w", err)
	}
	for _, a := range accounts {
		p := store.Page{Max: s.Batch}
		for {
			var repos []store.Repository
			var more bool
			if err := s.view(func(tx store.Tx) error {
				var err error
				repos, more, err = tx.Registry().ListRepositories(a.ID, p)
				return err
			}); err != nil {
				return fmt.Errorf("gc: repositories of %s: %w", a.ID, err)
			}
			for _, r := range repos {
				if err := s.ctx.Err(); err != nil {
					return err
				}
				s.rep.Repositories++
				if err := s.repository(r); err != nil && !errors.Is(err, store.ErrNotFound) {
					s.fail("repository "+a.ID+"/"+r.Name, err)
				}
			}
			if !more || len(repos) == 0 {
				break
			}
			p.Marker = repos[len(repos)-1].Name
		}
	}
	return nil
}

// repository sweeps one repository's manifests and links. A repository
// deleted meanwhile is ErrNotFound, which the caller ignores.
func (s *sweep) repository(r store.Repository) error {
	cutoff := s.Now().Add(-s.opts.Grace)
	var refs []store.ManifestRef
	if err := s.pages(func(tx store.Tx, p store.Page) (string, bool, error) {
		ms, more, err := tx.GC().ManifestRefs(r.AccountID, r.Name, p)
		refs = append(refs, ms...)
		if len(ms) == 0 {
			return "", false, err
		}
		return ms[len(ms)-1].Digest, more, err
	}); err != nil {
		return err
	}
	removed := map[string]bool{}
	if s.opts.DeleteUntagged {
		for _, d := range collectable(refs, cutoff) {
			ok := true
			if !s.opts.DryRun {
				err := s.Store.Tx(s.ctx, func(tx store.Tx) error {
					var err error
					ok, err = tx.GC().DeleteUntaggedManifest(r.AccountID, r.Name, d, cutoff)
					return err
				})
				if err != nil {
					return err
				}
			}
			if ok {
				removed[d] = true
				s.rep.ManifestsRemoved++
			}
		}
	}
	used := map[string]bool{}
	for _, m := range refs {
		if !removed[m.Digest] {
			for _, b := range m.Blobs {
				used[b] = true
			}
		}
	}
	var links []store.BlobLink
	if err := s.pages(func(tx store.Tx, p store.Page) (string, bool, error) {
		ls, more, err := tx.GC().BlobLinks(r.AccountID, r.Name, p)
		links = append(links, ls...)
		if len(ls) == 0 {
			return "", false, err
		}
		return ls[len(ls)-1].Digest, more, err
	}); err != nil {
		return err
	}
	for _, l := range links {
		if used[l.Digest] || strings.Contains(r.CatalogData, l.Digest) || l.CreatedAt.After(cutoff) {
			continue
		}
		ok := true
		if !s.opts.DryRun {
			err := s.Store.Tx(s.ctx, func(tx store.Tx) error {
				var err error
				ok, err = tx.GC().UnlinkUnreferenced(r.AccountID, r.Name, l.Digest, cutoff)
				return err
			})
			if err != nil {
				return err
			}
		}
		if ok {
			s.unlinked[l.Digest]++
			s.rep.LinksRemoved++
		}
	}
	return nil
}

// pages reads a listing page by page, each in a read-only transaction of
// its own; read returns the page's last key and whether there are more.
func (s *sweep) pages(read func(tx store.Tx, p store.Page) (string, bool, error)) error {
	p := store.Page{Max: s.Batch}
	for {
		var last string
		var more bool
		if err := s.view(func(tx store.Tx) error {
			var err error
			last, more, err = read(tx, p)
			return err
		}); err != nil {
			return err
		}
		if !more {
			return nil
		}
		p.Marker = last
	}
}

// collectable returns the untagged manifests of refs pushed at or before
// cutoff that no index lists and whose subject is not among them, once
// those before them in the list are gone: an index before its children, a
// subject before its referrers.
func collectable(refs []store.ManifestRef, cutoff time.Time) []string {
	present := map[string]bool{}
	listed := map[string]int{}
	for _, m := range refs {
		present[m.Digest] = true
	}
	for _, m := range refs {
		for _, c := range m.Manifests {
			listed[c]++
		}
	}
	var out []string
	for changed := true; changed; {
		changed = false
		for _, m := range refs {
			if !present[m.Digest] || m.Tagged || m.PushedAt.IsZero() || m.PushedAt.After(cutoff) ||
				listed[m.Digest] > 0 || (m.Subject != "" && present[m.Subject]) {
				continue
			}
			present[m.Digest] = false
			for _, c := range m.Manifests {
				listed[c]--
			}
			out = append(out, m.Digest)
			changed = true
		}
	}
	return out
}

// records sweeps the blob records: it marks those no repository links,
// and deletes the content of those unreferenced for the grace period (and
// of tombstones their sweep abandoned).
func (s *sweep) records() error {
	p := store.Page{Max: s.Batch}
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		var recs []store.BlobRecord
		var more bool
		if err := s.view(func(tx store.Tx) error {
			var err error
			recs, more, err = tx.GC().BlobRecords(p)
			return err
		}); err != nil {
			return fmt.Errorf("gc: blob records: %w", err)
		}
		now := s.Now()
		cutoff := now.Add(-s.opts.Grace)
		var unmarked []string
		var doomed []store.BlobRecord
		for _, r := range recs {
			s.rep.Records++
			if !r.DeletingSince.IsZero() {
				if !r.DeletingSince.After(now.Add(-store.TombstoneLifetime)) {
					doomed = append(doomed, r) // abandoned
				}
				continue
			}
			links := r.Links
			if s.opts.DryRun {
				links -= s.unlinked[r.Digest]
			}
			if links > 0 {
				continue
			}
			since := r.UnreferencedSince
			if since.IsZero() {
				since = now
				unmarked = append(unmarked, r.Digest)
			}
			if !since.After(cutoff) && (s.adoptedAt.IsZero() || r.CreatedAt.Before(s.adoptedAt)) {
				doomed = append(doomed, r)
			}
		}
		if !s.opts.DryRun && len(unmarked) > 0 {
			if err := s.Store.Tx(s.ctx, func(tx store.Tx) error {
				_, err := tx.GC().MarkUnreferenced(unmarked, now)
				return err
			}); err != nil {
				s.fail("marking unreferenced blobs", err)
			}
		}
		for _, r := range doomed {
			if err := s.ctx.Err(); err != nil {
				return err
			}
			if s.opts.DryRun {
				s.wouldDelete(r)
			} else if err := s.delete(r, cutoff); err != nil {
				s.fail("blob "+r.Digest, err)
			}
		}
		if !more || len(recs) == 0 {
			return nil
		}
		p.Marker = recs[len(recs)-1].Digest
	}
}

// wouldDelete counts what deleting r's content would free.
func (s *sweep) wouldDelete(r store.BlobRecord) {
	if _, err := s.Blobs.Stat(s.ctx, digest.Digest(r.Digest)); errors.Is(err, blob.ErrNotFound) {
		s.rep.MissingContent++
		return
	} else if err != nil {
		s.fail("blob "+r.Digest, err)
		return
	}
	s.rep.BlobsDeleted++
	s.rep.BytesFreed += r.Size
}

// delete tombstones r's record (when it is still unreferenced since cutoff,
// or an abandoned tombstone), deletes the content and forgets the record.
func (s *sweep) delete(r store.BlobRecord, cutoff time.Time) error {
	var tomb store.BlobRecord
	var ok bool
	began := time.Now() // before the tombstone's time is taken
	if err := s.Store.Tx(s.ctx, func(tx store.Tx) error {
		var err error
		tomb, ok, err = tx.GC().Tombstone(r.Digest, cutoff, s.Now())
		return err
	}); err != nil || !ok {
		return err // !ok: held or linked meanwhile
	}
	// The tombstone is this sweep's for TombstoneLifetime by the clocks;
	// by this process's monotonic clock, the delete keeps well inside it.
	if time.Since(began) > deleteWithin {
		return fmt.Errorf("tombstoned %v ago, too long to delete now; a later sweep will", time.Since(began).Round(time.Second))
	}
	// Once tombstoned, the content is deleted even when the sweep is
	// cancelled meanwhile (a server stopping, a caller giving up): a
	// tombstone left behind keeps that content from being pushed again
	// until it is abandoned, minutes later. The delete stays bounded.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), deleteTimeout)
	err := s.Blobs.Delete(dctx, digest.Digest(r.Digest))
	cancel()
	switch {
	case err == nil:
		s.rep.BlobsDeleted++
		s.rep.BytesFreed += tomb.Size
	case errors.Is(err, blob.ErrNotFound):
		s.rep.MissingContent++
	default:
		// The tombstone stays; once abandoned, a later sweep takes it over
		// (or a push takes the record back).
		return err
	}
	err = s.Store.Tx(context.WithoutCancel(s.ctx), func(tx store.Tx) error { return tx.GC().Forget(r.Digest, tomb.DeletingSince) })
	if errors.Is(err, store.ErrNotFound) {
		return nil // taken over meanwhile: its new owner forgets it
	}
	return err
}
