package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// Blob records, garbage collection and locks.

func getRecord(h *harness, digest string) store.BlobRecord {
	h.t.Helper()
	return get(h, func(tx store.Tx) (store.BlobRecord, error) { return tx.Blobs().Get(digest) })
}

func (h *harness) hold(digest string, size int64, at time.Time) {
	h.t.Helper()
	h.do(func(tx store.Tx) error { return tx.Blobs().Hold(digest, size, at) })
}

// link holds and links a blob, as the registry does.
func (h *harness) link(acct, repo, digest string, size int64, at time.Time) {
	h.t.Helper()
	h.do(func(tx store.Tx) error {
		if err := tx.Blobs().Hold(digest, size, at); err != nil {
			return err
		}
		return tx.Registry().LinkBlob(acct, repo, digest, size)
	})
}

func tombstone(h *harness, digest string, before, at time.Time) (store.BlobRecord, bool) {
	h.t.Helper()
	var r store.BlobRecord
	var ok bool
	h.do(func(tx store.Tx) error {
		var err error
		r, ok, err = tx.GC().Tombstone(digest, before, at)
		return err
	})
	return r, ok
}

func mark(h *harness, at time.Time, digests ...string) int {
	h.t.Helper()
	return get(h, func(tx store.Tx) (int, error) { return tx.GC().MarkUnreferenced(digests, at) })
}

func gcBool(h *harness, fn func(g store.GC) (bool, error)) bool {
	h.t.Helper()
	return get(h, func(tx store.Tx) (bool, error) { return fn(tx.GC()) })
}

// allRecords lists every record, a page of two at a time.
func allRecords(h *harness) []store.BlobRecord {
	h.t.Helper()
	var out []store.BlobRecord
	p := store.Page{Max: 2}
	for {
		pg := list(h, func(tx store.Tx) ([]store.BlobRecord, bool, error) { return tx.GC().BlobRecords(p) })
		out = append(out, pg.items...)
		if !pg.more {
			return out
		}
		p.Marker = pg.items[len(pg.items)-1].Digest
	}
}

var gcTests = []test{
	{"HoldCreatesRecord", func(h *harness) {
		d := dgst("layer")
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Blobs().Get(d); return err })
		h.hold(d, 1<<40+3, tµ(1))
		check(h.t, "record", getRecord(h, d), store.BlobRecord{Digest: d, Size: 1<<40 + 3, CreatedAt: tµ(1)})
		// Holding again changes nothing of a live, unmarked record.
		h.hold(d, 7, tµ(2))
		check(h.t, "record held again", getRecord(h, d), store.BlobRecord{Digest: d, Size: 1<<40 + 3, CreatedAt: tµ(1)})
	}},
	{"MarkTombstoneForget", func(h *harness) {
		h.mustPut(repository(acctA, "app"))
		linked, free := dgst("linked"), dgst("free")
		h.link(acctA, "app", linked, 10, tµ(1))
		h.hold(free, 20, tµ(1))
		if n := mark(h, tµ(2), linked, free, dgst("missing")); n != 1 {
			h.t.Errorf("MarkUnreferenced = %d, want 1 (the unlinked record)", n)
		}
		check(h.t, "marked record", getRecord(h, free), store.BlobRecord{Digest: free, Size: 20, CreatedAt: tµ(1), UnreferencedSince: tµ(2)})
		if n := mark(h, tµ(3), free); n != 0 {
			h.t.Errorf("MarkUnreferenced of a marked record = %d, want 0 (the first mark stays)", n)
		}
		if _, ok := tombstone(h, linked, tµ(9), tµ(4)); ok {
			h.t.Errorf("Tombstone of a linked record: true")
		}
		if _, ok := tombstone(h, free, tµ(1), tµ(4)); ok {
			h.t.Errorf("Tombstone of a record marked after unreferencedBefore: true")
		}
		if _, ok := tombstone(h, dgst("missing"), tµ(9), tµ(4)); ok {
			h.t.Errorf("Tombstone of a missing record: true")
		}
		r, ok := tombstone(h, free, tµ(2), tµ(4))
		if !ok {
			h.t.Fatalf("Tombstone of a record unreferenced since unreferencedBefore: false")
		}
		want := store.BlobRecord{Digest: free, Size: 20, CreatedAt: tµ(1), UnreferencedSince: tµ(2), DeletingSince: tµ(4)}
		check(h.t, "Tombstone's record", r, want)
		check(h.t, "tombstone", getRecord(h, free), want)
		// The tombstone is its sweep's: no Hold, no other sweep, no mark.
		h.failsAs("Hold of a tombstone", store.ErrConflict, func(tx store.Tx) error { return tx.Blobs().Hold(free, 20, tµ(5)) })
		if _, ok := tombstone(h, free, tµ(9), tµ(5)); ok {
			h.t.Errorf("Tombstone of another sweep's tombstone: true")
		}
		if n := mark(h, tµ(5), free); n != 0 {
			h.t.Errorf("MarkUnreferenced of a tombstone = %d", n)
		}
		h.failsAs("Forget with another time", store.ErrNotFound, func(tx store.Tx) error { return tx.GC().Forget(free, tµ(5)) })
		h.failsAs("Forget of a live record", store.ErrNotFound, func(tx store.Tx) error { return tx.GC().Forget(linked, time.Time{}) })
		h.do(func(tx store.Tx) error { return tx.GC().Forget(free, r.DeletingSince) })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Blobs().Get(free); return err })
		h.failsAs("Forget again", store.ErrNotFound, func(tx store.Tx) error { return tx.GC().Forget(free, r.DeletingSince) })
		// A Hold after the record went makes a new one.
		h.hold(free, 20, tµ(6))
		check(h.t, "record made again", getRecord(h, free), store.BlobRecord{Digest: free, Size: 20, CreatedAt: tµ(6)})
	}},
	{"HoldClearsMark", func(h *harness) {
		d := dgst("layer")
		h.hold(d, 5, tµ(1))
		mark(h, tµ(2), d)
		h.hold(d, 5, tµ(3))
		check(h.t, "record held after its mark", getRecord(h, d), store.BlobRecord{Digest: d, Size: 5, CreatedAt: tµ(1)})
		if _, ok := tombstone(h, d, tµ(9), tµ(9)); ok {
			h.t.Errorf("Tombstone of a record held since its mark: true")
		}
	}},
	{"AbandonedTombstone", func(h *harness) {
		d, e := dgst("a"), dgst("b")
		for _, x := range []string{d, e} {
			h.hold(x, 5, tµ(1))
			mark(h, tµ(2), x)
			if _, ok := tombstone(h, x, tµ(2), tµ(3)); !ok {
				h.t.Fatalf("Tombstone: false")
			}
		}
		later := tµ(3).Add(store.TombstoneLifetime)
		h.failsAs("Hold just before the tombstone is abandoned", store.ErrConflict, func(tx store.Tx) error {
			return tx.Blobs().Hold(d, 5, later.Add(-time.Millisecond))
		})
		// Hold takes an abandoned tombstone back, as a live unmarked record.
		h.hold(d, 5, later)
		check(h.t, "record taken back", getRecord(h, d), store.BlobRecord{Digest: d, Size: 5, CreatedAt: tµ(1)})
		// A sweep takes one over: a tombstone of its own.
		r, ok := tombstone(h, e, tµ(2), later)
		if !ok || !r.DeletingSince.Equal(later) {
			h.t.Errorf("Tombstone of an abandoned tombstone = %v, %v; want it at %v", r.DeletingSince, ok, later)
		}
		h.failsAs("Forget with the abandoned tombstone's time", store.ErrNotFound, func(tx store.Tx) error { return tx.GC().Forget(e, tµ(3)) })
	}},
	{"TombstoneRefusesLinked", func(h *harness) {
		h.mustPut(repository(acctA, "app"), repository(acctB, "app"))
		d := dgst("layer")
		h.hold(d, 5, tµ(1))
		mark(h, tµ(2), d)
		// Linked in another account after its mark (as a stale mark).
		h.reg(func(r store.Registry) error { return r.LinkBlob(acctB, "app", d, 5) })
		if _, ok := tombstone(h, d, tµ(9), tµ(9)); ok {
			h.t.Errorf("Tombstone of a linked record: true")
		}
		h.reg(func(r store.Registry) error { return r.UnlinkBlob(acctB, "app", d) })
		if _, ok := tombstone(h, d, tµ(9), tµ(9)); !ok {
			h.t.Errorf("Tombstone once the last link went: false")
		}
	}},
	{"BlobRecords", func(h *harness) {
		h.mustPut(repository(acctA, "app"), repository(acctA, "web"), repository(acctB, "app"))
		a, b, c := dgst("a"), dgst("b"), dgst("c")
		h.link(acctA, "app", a, 1, tµ(1))
		h.link(acctA, "web", a, 1, tµ(1))
		h.link(acctB, "app", a, 1, tµ(1))
		h.link(acctA, "app", b, 2, tµ(2))
		h.hold(c, 3, tµ(3))
		want := map[string]store.BlobRecord{
			a: {Digest: a, Size: 1, CreatedAt: tµ(1), Links: 3},
			b: {Digest: b, Size: 2, CreatedAt: tµ(2), Links: 1},
			c: {Digest: c, Size: 3, CreatedAt: tµ(3)},
		}
		got := allRecords(h)
		if len(got) != len(want) {
			h.t.Fatalf("BlobRecords: %d records, want %d", len(got), len(want))
		}
		for i, r := range got {
			if i > 0 && got[i-1].Digest >= r.Digest {
				h.t.Errorf("BlobRecords out of order: %s before %s", got[i-1].Digest, r.Digest)
			}
			check(h.t, "record "+r.Digest, r, want[r.Digest])
		}
		// Deleting a repository takes its links, not the records.
		h.reg(func(r store.Registry) error { return r.DeleteRepository(acctA, "app") })
		for _, r := range allRecords(h) {
			if want := map[string]int{a: 2, b: 0, c: 0}[r.Digest]; r.Links != want {
				h.t.Errorf("record %s after DeleteRepository: %d links, want %d", r.Digest, r.Links, want)
			}
		}
	}},
	{"BlobLinksAndTheirTimes", func(h *harness) {
		h.mustPut(repository(acctA, "app"), repository(acctA, "web"))
		before := time.Now().Add(-time.Second)
		for _, s := range []string{"c", "a", "b"} {
			h.link(acctA, "app", dgst(s), int64(len(s)), tµ(1))
		}
		h.link(acctA, "web", dgst("x"), 1, tµ(1))
		after := time.Now().Add(time.Second)
		var got []store.BlobLink
		p := store.Page{Max: 2}
		for {
			pg := list(h, func(tx store.Tx) ([]store.BlobLink, bool, error) { return tx.GC().BlobLinks(acctA, "app", p) })
			got = append(got, pg.items...)
			if !pg.more {
				break
			}
			p.Marker = pg.items[len(pg.items)-1].Digest
		}
		if len(got) != 3 {
			h.t.Fatalf("BlobLinks: %d links, want 3", len(got))
		}
		for i, l := range got {
			if i > 0 && got[i-1].Digest >= l.Digest {
				h.t.Errorf("BlobLinks out of order")
			}
			if l.Size != 1 || l.CreatedAt.Before(before) || l.CreatedAt.After(after) || l.CreatedAt.Location() != time.UTC {
				h.t.Errorf("link %s: size %d, made %v; want 1, made between %v and %v, in UTC", l.Digest, l.Size, l.CreatedAt, before, after)
			}
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, _, err := tx.GC().BlobLinks(acctA, "nope", store.Page{}); return err })
	}},
	{"UnlinkUnreferenced", func(h *harness) {
		m := image(acctA, "app", "m")
		logo := dgst("logo")
		repo := repository(acctA, "app")
		repo.CatalogData = `{"description":"d","logoDigest":"` + logo + `"}`
		h.mustPut(repo, repository(acctA, "web"), m)
		free := dgst("free")
		for _, d := range append([]string{free, logo}, m.Blobs...) {
			h.link(acctA, "app", d, 1, tµ(1))
		}
		h.link(acctA, "web", free, 1, tµ(1))
		past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
		unlink := func(repo, d string, before time.Time) bool {
			return gcBool(h, func(g store.GC) (bool, error) { return g.UnlinkUnreferenced(acctA, repo, d, before) })
		}
		if unlink("app", free, past) {
			h.t.Errorf("UnlinkUnreferenced of a link made after linkedBefore: true")
		}
		if unlink("app", m.Blobs[1], future) {
			h.t.Errorf("UnlinkUnreferenced of a layer a manifest lists: true")
		}
		if unlink("app", logo, future) {
			h.t.Errorf("UnlinkUnreferenced of the logo the catalog data names: true")
		}
		if unlink("app", dgst("missing"), future) {
			h.t.Errorf("UnlinkUnreferenced of a missing link: true")
		}
		if !unlink("app", free, future) {
			h.t.Errorf("UnlinkUnreferenced of an unused link: false")
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Registry().BlobSize(acctA, "app", free); return err })
		h.do(func(tx store.Tx) error { _, err := tx.Registry().BlobSize(acctA, "web", free); return err })
		// Once the manifest is gone, its layers go too.
		h.reg(func(r store.Registry) error { return r.DeleteManifest(acctA, "app", m.Digest) })
		if !unlink("app", m.Blobs[1], future) {
			h.t.Errorf("UnlinkUnreferenced of a layer after its manifest went: false")
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GC().UnlinkUnreferenced(acctA, "nope", free, future); return err })
	}},
	{"DeleteUntaggedManifest", func(h *harness) {
		tagged := image(acctA, "app", "tagged")
		untagged := image(acctA, "app", "untagged")
		child := image(acctA, "app", "child")
		idx := index(acctA, "app", "index", child.Digest)
		ofTagged := referrer(acctA, "app", "of tagged", tagged.Digest)
		ofUntagged := referrer(acctA, "app", "of untagged", untagged.Digest)
		h.mustPut(repository(acctA, "app"), tagged, tag("v1", tagged.Digest), untagged, child, idx, ofTagged, ofUntagged)

		var refs []store.ManifestRef
		p := store.Page{Max: 4}
		for {
			pg := list(h, func(tx store.Tx) ([]store.ManifestRef, bool, error) { return tx.GC().ManifestRefs(acctA, "app", p) })
			refs = append(refs, pg.items...)
			if !pg.more {
				break
			}
			p.Marker = pg.items[len(pg.items)-1].Digest
		}
		want := map[string]store.ManifestRef{}
		for _, m := range []store.Manifest{tagged, untagged, child, idx, ofTagged, ofUntagged} {
			want[m.Digest] = store.ManifestRef{Digest: m.Digest, Subject: m.Subject, Blobs: m.Blobs, Manifests: m.Manifests, Tagged: m.Digest == tagged.Digest, PushedAt: m.PushedAt}
		}
		if len(refs) != len(want) {
			h.t.Fatalf("ManifestRefs: %d, want %d", len(refs), len(want))
		}
		for i, r := range refs {
			if i > 0 && refs[i-1].Digest >= r.Digest {
				h.t.Errorf("ManifestRefs out of order")
			}
			check(h.t, "ManifestRef "+r.Digest, r, want[r.Digest])
		}

		del := func(d string, before time.Time) bool {
			return gcBool(h, func(g store.GC) (bool, error) { return g.DeleteUntaggedManifest(acctA, "app", d, before) })
		}
		late := tµ(99)
		for _, c := range []struct {
			what string
			m    store.Manifest
		}{{"a tagged manifest", tagged}, {"an index's child", child}, {"a referrer of a manifest in the repository", ofTagged}} {
			if del(c.m.Digest, late) {
				h.t.Errorf("DeleteUntaggedManifest of %s: true", c.what)
			}
		}
		if del(untagged.Digest, untagged.PushedAt.Add(-time.Millisecond)) {
			h.t.Errorf("DeleteUntaggedManifest of a manifest pushed after pushedBefore: true")
		}
		if del(dgst("missing"), late) {
			h.t.Errorf("DeleteUntaggedManifest of a missing manifest: true")
		}
		if !del(untagged.Digest, untagged.PushedAt) {
			h.t.Errorf("DeleteUntaggedManifest of an untagged manifest pushed at pushedBefore: false")
		}
		// Its referrer's subject is gone now; the index goes, then its child.
		for _, m := range []store.Manifest{ofUntagged, idx, child} {
			if !del(m.Digest, late) {
				h.t.Errorf("DeleteUntaggedManifest of %s: false", m.Digest)
			}
		}
		getManifest(h, acctA, "app", tagged.Digest)
		getManifest(h, acctA, "app", ofTagged.Digest)
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Registry().GetManifest(acctA, "app", child.Digest); return err })
		// Untagging makes a manifest collectable.
		h.reg(func(r store.Registry) error { return r.DeleteTag(acctA, "app", "v1") })
		if !del(tagged.Digest, late) {
			h.t.Errorf("DeleteUntaggedManifest after its tag went: false")
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error {
			_, err := tx.GC().DeleteUntaggedManifest(acctA, "nope", tagged.Digest, late)
			return err
		})
	}},
	{"Adopt", func(h *harness) {
		h.mustPut(repository(acctA, "app"))
		adopt := func(d string, size int64, at time.Time) bool {
			h.t.Helper()
			return gcBool(h, func(g store.GC) (bool, error) { return g.Adopt(d, size, at) })
		}
		orphan := dgst("orphan")
		if !adopt(orphan, 1<<40+3, tµ(5)) {
			h.t.Errorf("Adopt of a digest without a record: false")
		}
		check(h.t, "adopted record", getRecord(h, orphan), store.BlobRecord{Digest: orphan, Size: 1<<40 + 3, CreatedAt: tµ(5)})
		// Existing records stay exactly as they are, whatever their state:
		// the grace period of one on its way out does not start over.
		live, linked, unref, tomb := dgst("live"), dgst("linked"), dgst("unreferenced"), dgst("tombstone")
		h.hold(live, 1, tµ(1))
		h.link(acctA, "app", linked, 2, tµ(1))
		h.hold(unref, 3, tµ(1))
		h.hold(tomb, 4, tµ(1))
		mark(h, tµ(2), unref, tomb)
		if _, ok := tombstone(h, tomb, tµ(2), tµ(3)); !ok {
			h.t.Fatalf("Tombstone: false")
		}
		want := []store.BlobRecord{
			{Digest: orphan, Size: 1<<40 + 3, CreatedAt: tµ(5)},
			{Digest: live, Size: 1, CreatedAt: tµ(1)},
			{Digest: linked, Size: 2, CreatedAt: tµ(1)},
			{Digest: unref, Size: 3, CreatedAt: tµ(1), UnreferencedSince: tµ(2)},
			{Digest: tomb, Size: 4, CreatedAt: tµ(1), UnreferencedSince: tµ(2), DeletingSince: tµ(3)},
		}
		// The last time is when the tombstone is abandoned, which Hold
		// would take back.
		for _, at := range []time.Time{tµ(6), tµ(3).Add(store.TombstoneLifetime)} {
			for _, r := range want {
				if adopt(r.Digest, 99, at) {
					h.t.Errorf("Adopt of the existing record %+v: true", r)
				}
				check(h.t, "record after Adopt", getRecord(h, r.Digest), r)
			}
		}
		// An adopted record is collected like any other.
		if n := mark(h, tµ(7), orphan, live, linked); n != 2 {
			h.t.Errorf("MarkUnreferenced after Adopt = %d, want 2 (the adopted and the live record)", n)
		}
		if _, ok := tombstone(h, orphan, tµ(7), tµ(8)); !ok {
			h.t.Errorf("Tombstone of an adopted record, unreferenced since unreferencedBefore: false")
		}
	}},
	{"LinkVersusTombstone", func(h *harness) {
		// A link and a tombstone of one record, at once, many times: never
		// both. The link may fail (the record is a tombstone), or the
		// tombstone find the link.
		h.mustPut(repository(acctA, "app"), repository(acctB, "app"))
		const rounds = 40
		var linked, tombstoned int
		for i := range rounds {
			d := dgst(fmt.Sprint("round ", i))
			h.hold(d, 1, tµ(1))
			mark(h, tµ(2), d)
			var wg sync.WaitGroup
			var linkErr, tombErr error
			wg.Add(3)
			start := make(chan struct{})
			linker := func(acct string) {
				defer wg.Done()
				<-start
				err := h.s.Tx(context.Background(), func(tx store.Tx) error {
					if err := tx.Blobs().Hold(d, 1, tµ(3)); err != nil {
						return err
					}
					return tx.Registry().LinkBlob(acct, "app", d, 1)
				})
				if err != nil && !errors.Is(err, store.ErrConflict) {
					linkErr = err
				}
			}
			go linker(acctA)
			go linker(acctB)
			go func() {
				defer wg.Done()
				<-start
				tombErr = h.s.Tx(context.Background(), func(tx store.Tx) error {
					_, _, err := tx.GC().Tombstone(d, tµ(2), tµ(3))
					return err
				})
			}()
			close(start)
			wg.Wait()
			if linkErr != nil || tombErr != nil {
				h.t.Fatalf("round %d: link: %v; tombstone: %v", i, linkErr, tombErr)
			}
			r := getRecord(h, d)
			inUse := blobInUse(h, d)
			if !r.DeletingSince.IsZero() && inUse {
				h.t.Fatalf("round %d: the record is a tombstone and the digest is linked", i)
			}
			if inUse {
				linked++
			} else {
				tombstoned++
			}
		}
		h.t.Logf("%d rounds: the links won %d, the tombstone %d", rounds, linked, tombstoned)
	}},
	{"Locker", func(h *harness) {
		l, ok := h.s.(store.Locker)
		if !ok {
			h.t.Skip("the store is not a Locker")
		}
		ctx := context.Background()
		unlock, ok, err := l.TryLock(ctx, "gc")
		if err != nil || !ok {
			h.t.Fatalf("TryLock(gc) = %v, %v", ok, err)
		}
		if _, ok, err := l.TryLock(ctx, "gc"); err != nil || ok {
			h.t.Errorf("TryLock(gc) while held = %v, %v; want false", ok, err)
		}
		other, ok, err := l.TryLock(ctx, "other")
		if err != nil || !ok {
			h.t.Errorf("TryLock(other) while gc is held = %v, %v", ok, err)
		} else {
			other()
		}
		unlock()
		unlock() // twice is harmless
		again, ok, err := l.TryLock(ctx, "gc")
		if err != nil || !ok {
			h.t.Fatalf("TryLock(gc) after unlock = %v, %v", ok, err)
		}
		again()
	}},
}
