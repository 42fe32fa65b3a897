package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
)

// Sizes around the hash block sizes (64 and 128 bytes), whose partial
// blocks a saved hash state must carry, and around 32 KiB, io.Copy's
// buffer.
var oddSizes = []int{1, 63, 64, 65, 127, 128, 129, 4097, 32<<10 - 1, 32 << 10, 70001}

var tests = []test{
	{"OneWrite", func(h *harness) {
		for i, a := range algorithms {
			content := random(uint64(i), 1000)
			d := h.put(a, content)
			h.has(d, content)
		}
	}},
	{"ManyWrites", func(h *harness) {
		for i, a := range algorithms {
			content := random(uint64(i), 300_000)
			w := h.start(h.id())
			rest := content
			for j := 0; len(rest) > 0; j++ {
				n := min(oddSizes[j%len(oddSizes)], len(rest))
				h.write(w, rest[:n])
				rest = rest[n:]
			}
			d := a.FromBytes(content)
			h.commit(w, d, int64(len(content)))
			h.has(d, content)
		}
	}},
	{"Copy", func(h *harness) {
		// io.Copy from a request body, which is neither a WriterTo nor
		// short: the writer may be a ReaderFrom.
		content := random(1, 1<<20+3)
		w := h.start(h.id())
		n, err := io.Copy(w, struct{ io.Reader }{bytes.NewReader(content)})
		if err != nil || n != int64(len(content)) {
			h.t.Fatalf("io.Copy = %d, %v", n, err)
		}
		d := digest.FromBytes(content)
		h.commit(w, d, int64(len(content)))
		h.has(d, content)
	}},
	{"CopyBrokenBody", func(h *harness) {
		// The bytes that arrived before the body broke stay: the client
		// resumes from Size.
		content := random(2, 300_000)
		id := h.id()
		w := h.start(id)
		broken := errors.New("connection reset")
		n, err := io.Copy(w, &brokenBody{content[:100_001], broken})
		if !errors.Is(err, broken) || n != 100_001 || w.Size() != 100_001 {
			h.t.Fatalf("io.Copy of a broken body = %d, %v (Size %d), want 100001, the body's error", n, err, w.Size())
		}
		h.close(w)
		w = h.resume(id, 100_001)
		h.write(w, content[100_001:])
		d := digest.FromBytes(content)
		h.commit(w, d, int64(len(content)))
		h.has(d, content)
	}},
	{"Resume", func(h *harness) {
		// One upload in many requests, each a new writer: the hash states
		// go through Close and Upload(id, true) at every odd size.
		for i, a := range algorithms {
			content := random(uint64(10+i), 200_000)
			id := h.id()
			w := h.start(id)
			rest := content
			for j := 0; len(rest) > 0; j++ {
				n := min(oddSizes[j%len(oddSizes)], len(rest))
				h.write(w, rest[:n])
				rest = rest[n:]
				h.close(w)
				w = h.resume(id, int64(len(content)-len(rest)))
			}
			d := a.FromBytes(content)
			h.commit(w, d, int64(len(content)))
			h.has(d, content)
			h.gone(id)
		}
	}},
	{"ResumeWithoutWriting", func(h *harness) {
		// Start, look at the size, close: nothing written, nothing lost.
		content := random(3, 5000)
		id := h.id()
		h.close(h.start(id))
		h.close(h.resume(id, 0))
		w := h.resume(id, 0)
		h.write(w, content[:100])
		h.close(w)
		h.close(h.resume(id, 100))
		w = h.resume(id, 100)
		h.write(w, content[100:])
		h.commit(w, digest.SHA512.FromBytes(content), int64(len(content)))
		h.has(digest.SHA512.FromBytes(content), content)
	}},
	{"DigestMismatch", func(h *harness) {
		content := random(4, 10_000)
		for _, a := range algorithms {
			for _, claimed := range [][]byte{
				random(5, 10_000),        // other content
				content[:len(content)-1], // one byte short
				append(bytes.Clone(content), 0),
				nil,
			} {
				id := h.id()
				w := h.start(id)
				h.write(w, content)
				d := a.FromBytes(claimed)
				_, err := w.Commit(h.ctx, d)
				h.is("Commit to another digest", err, blob.ErrDigestMismatch)
				h.absent(d)
				h.absent(a.FromBytes(content))
				h.gone(id)
				w.Close() // harmless
			}
		}
	}},
	{"MismatchAfterResume", func(h *harness) {
		content := random(6, 1000)
		id := h.id()
		w := h.start(id)
		h.write(w, content)
		h.close(w)
		w = h.resume(id, 1000)
		_, err := w.Commit(h.ctx, digest.FromBytes(content[1:]))
		h.is("Commit", err, blob.ErrDigestMismatch)
		h.gone(id)
		h.absent(digest.FromBytes(content))
	}},
	{"MalformedDigest", func(h *harness) {
		content := random(7, 100)
		hex := digest.FromBytes(content).Encoded()
		for _, d := range malformed(hex) {
			id := h.id()
			w := h.start(id)
			h.write(w, content)
			_, err := w.Commit(h.ctx, d)
			h.is(fmt.Sprintf("Commit(%.80q)", d), err, blob.ErrDigestMismatch)
			h.gone(id)
			h.absent(d)
			_, err = h.s.Stat(h.ctx, d)
			h.is(fmt.Sprintf("Stat(%.80q)", d), err, blob.ErrNotFound)
			h.is(fmt.Sprintf("Delete(%.80q)", d), h.s.Delete(h.ctx, d), blob.ErrNotFound)
		}
		h.absent(digest.FromBytes(content))
	}},
	{"UnsupportedAlgorithm", func(h *harness) {
		content := random(8, 5000)
		id := h.id()
		w := h.start(id)
		h.write(w, content)
		for _, d := range unsupported(content) {
			_, err := w.Commit(h.ctx, d)
			h.is(fmt.Sprintf("Commit(%s)", d), err, blob.ErrUnsupportedAlgorithm)
			// The upload is intact; Close is harmless whether or not the
			// failed Commit ended the writer.
			w.Close()
			w = h.resume(id, int64(len(content)))
			_, err = h.s.Stat(h.ctx, d)
			h.is(fmt.Sprintf("Stat(%s)", d), err, blob.ErrUnsupportedAlgorithm)
			_, err = h.s.Open(h.ctx, d)
			h.is(fmt.Sprintf("Open(%s)", d), err, blob.ErrUnsupportedAlgorithm)
			h.is(fmt.Sprintf("Delete(%s)", d), h.s.Delete(h.ctx, d), blob.ErrUnsupportedAlgorithm)
		}
		h.absent(digest.FromBytes(content))
		h.commit(w, digest.FromBytes(content), int64(len(content)))
		h.has(digest.FromBytes(content), content)
	}},
	{"NotFound", func(h *harness) {
		h.put(digest.SHA256, []byte("something else"))
		for _, a := range algorithms {
			d := a.FromString("nothing here")
			h.absent(d)
			h.is("Delete", h.s.Delete(h.ctx, d), blob.ErrNotFound)
		}
	}},
	{"ReadSeek", func(h *harness) {
		content := random(9, 1<<20+17)
		size := int64(len(content))
		d := h.put(digest.SHA256, content)
		r, err := h.s.Open(h.ctx, d)
		if err != nil {
			h.t.Fatal(err)
		}
		defer r.Close()
		if r.Size() != size {
			h.t.Errorf("Size() = %d, want %d", r.Size(), size)
		}
		for _, c := range []struct {
			offset int64
			whence int
			pos    int64 // where the reader ends up
			n      int   // bytes to read there
		}{
			{0, io.SeekStart, 0, 100},
			{5000, io.SeekStart, 5000, 70000},
			{10, io.SeekCurrent, 75010, 1},
			{-7, io.SeekCurrent, 75004, 7},
			{-1, io.SeekEnd, size - 1, 1},
			{-100_000, io.SeekEnd, size - 100_000, 100_000},
			{size / 2, io.SeekStart, size / 2, int(size - size/2)},
		} {
			pos, err := r.Seek(c.offset, c.whence)
			if err != nil || pos != c.pos {
				h.t.Fatalf("Seek(%d, %d) = %d, %v, want %d", c.offset, c.whence, pos, err, c.pos)
			}
			got := make([]byte, c.n)
			if _, err := io.ReadFull(r, got); err != nil {
				h.t.Fatalf("reading %d bytes at %d: %v", c.n, pos, err)
			}
			if !bytes.Equal(got, content[pos:pos+int64(c.n)]) {
				h.t.Errorf("the %d bytes at %d differ", c.n, pos)
			}
		}
		// At and past the end: EOF.
		for _, off := range []int64{size, size + 10} {
			if _, err := r.Seek(off, io.SeekStart); err != nil {
				h.t.Fatalf("Seek(%d): %v", off, err)
			}
			if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
				h.t.Errorf("Read at %d = %d, %v, want 0, EOF", off, n, err)
			}
		}
		if _, err := r.Seek(-1, io.SeekStart); err == nil {
			h.t.Error("Seek(-1, SeekStart) succeeded")
		}
		// Readers are independent.
		r2, err := h.s.Open(h.ctx, d)
		if err != nil {
			h.t.Fatal(err)
		}
		defer r2.Close()
		r.Seek(100, io.SeekStart)
		b1, b2 := make([]byte, 10), make([]byte, 10)
		io.ReadFull(r, b1)
		io.ReadFull(r2, b2)
		if !bytes.Equal(b1, content[100:110]) || !bytes.Equal(b2, content[:10]) {
			h.t.Error("two readers of one blob share a position")
		}
	}},
	{"CommitExisting", func(h *harness) {
		for i, a := range algorithms {
			content := random(uint64(20+i), 50_000)
			d := h.put(a, content)
			id := h.id()
			w := h.start(id)
			h.write(w, content)
			h.commit(w, d, int64(len(content)))
			h.gone(id)
			h.has(d, content)
		}
	}},
	{"BothAlgorithms", func(h *harness) {
		// One content, two blobs: they live and die apart.
		content := random(22, 3000)
		d256, d512 := h.put(digest.SHA256, content), h.put(digest.SHA512, content)
		if err := h.s.Delete(h.ctx, d256); err != nil {
			h.t.Fatal(err)
		}
		h.absent(d256)
		h.has(d512, content)
	}},
	{"Cancel", func(h *harness) {
		content := random(23, 70_000)
		id := h.id()
		w := h.start(id)
		h.write(w, content)
		if err := w.Cancel(); err != nil {
			h.t.Fatalf("Cancel: %v", err)
		}
		h.gone(id)
		h.absent(digest.FromBytes(content))
		if _, err := w.Write([]byte("more")); err == nil {
			h.t.Error("Write after Cancel succeeded")
		}
		if _, err := w.Commit(h.ctx, digest.FromBytes(content)); err == nil {
			h.t.Error("Commit after Cancel succeeded")
		}
		h.absent(digest.FromBytes(content))
	}},
	{"CancelResumed", func(h *harness) {
		id := h.id()
		w := h.start(id)
		h.write(w, []byte("some"))
		h.close(w)
		w = h.resume(id, 4)
		h.write(w, []byte("more"))
		if err := w.Cancel(); err != nil {
			h.t.Fatalf("Cancel: %v", err)
		}
		h.gone(id)
	}},
	{"ResumeUnknown", func(h *harness) {
		other := h.id() // another upload exists
		h.close(h.start(other))
		for _, id := range append(badIDs(), h.id()) {
			h.gone(id)
		}
		if err := h.resume(other, 0).Cancel(); err != nil {
			h.t.Fatal(err)
		}
	}},
	{"BadIDs", func(h *harness) {
		for _, id := range badIDs() {
			if w, err := h.s.Upload(h.ctx, id, false); err == nil {
				h.t.Errorf("Upload(%.140q, false) succeeded", id)
				w.Cancel()
			}
		}
	}},
	{"IDs", func(h *harness) {
		for _, id := range []string{
			"a", "Z", "0", "-", "_",
			"3f2504e0-4f89-41d3-9a0c-0305e82c3301",
			strings.Repeat("Az9_-", 25) + "xyz", // 128
		} {
			w := h.start(id)
			h.write(w, []byte(id))
			h.close(w)
			w = h.resume(id, int64(len(id)))
			h.commit(w, digest.FromString(id), int64(len(id)))
			h.has(digest.FromString(id), []byte(id))
		}
	}},
	{"StartExisting", func(h *harness) {
		id := h.id()
		w := h.start(id)
		h.write(w, []byte("first"))
		h.close(w)
		if w2, err := h.s.Upload(h.ctx, id, false); err == nil {
			w2.Close()
			h.t.Error("starting an ID that exists succeeded")
		}
		w = h.resume(id, 5)
		h.write(w, []byte(" and second"))
		h.commit(w, digest.FromString("first and second"), 16)
	}},
	{"OneWriterAtATime", func(h *harness) {
		id := h.id()
		w := h.start(id)
		h.write(w, []byte("held"))
		if w2, err := h.s.Upload(h.ctx, id, true); err == nil {
			w2.Close()
			h.t.Fatal("resuming an upload that a writer holds succeeded")
		}
		h.write(w, []byte(" on"))
		h.close(w)
		w = h.resume(id, 7)
		h.commit(w, digest.FromString("held on"), 7)
	}},
	{"Delete", func(h *harness) {
		content := random(24, 1234)
		d := h.put(digest.SHA256, content)
		other := h.put(digest.SHA256, random(25, 10))
		if err := h.s.Delete(h.ctx, d); err != nil {
			h.t.Fatalf("Delete: %v", err)
		}
		h.absent(d)
		h.is("Delete again", h.s.Delete(h.ctx, d), blob.ErrNotFound)
		h.has(other, random(25, 10))
		h.put(digest.SHA256, content)
		h.has(d, content)
	}},
	{"Empty", func(h *harness) {
		for _, a := range algorithms {
			d := a.FromBytes(nil)
			w := h.start(h.id())
			h.commit(w, d, 0)
			h.has(d, nil)
			r, err := h.s.Open(h.ctx, d)
			if err != nil {
				h.t.Fatal(err)
			}
			if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				h.t.Errorf("Read of an empty blob = %d, %v", n, err)
			}
			r.Close()
			// Again, with empty writes and a resume.
			id := h.id()
			w = h.start(id)
			h.write(w, nil)
			h.write(w, []byte{})
			h.close(w)
			w = h.resume(id, 0)
			h.commit(w, d, 0)
			if err := h.s.Delete(h.ctx, d); err != nil {
				h.t.Fatal(err)
			}
			h.absent(d)
		}
	}},
	{"ConcurrentUploads", func(h *harness) {
		const n = 8
		contents := make([][]byte, n)
		var wg sync.WaitGroup
		for i := range n {
			contents[i] = random(uint64(100+i), 1000+i*100_000)
			wg.Go(func() {
				a := algorithms[i%2]
				id := h.id()
				w, err := h.s.Upload(h.ctx, id, false)
				if err != nil {
					h.t.Errorf("Upload: %v", err)
					return
				}
				half := len(contents[i]) / 2
				if _, err := w.Write(contents[i][:half]); err != nil {
					h.t.Errorf("Write: %v", err)
				}
				if err := w.Close(); err != nil {
					h.t.Errorf("Close: %v", err)
				}
				if w, err = h.s.Upload(h.ctx, id, true); err != nil {
					h.t.Errorf("Upload(resume): %v", err)
					return
				}
				if _, err := w.Write(contents[i][half:]); err != nil {
					h.t.Errorf("Write: %v", err)
				}
				if _, err := w.Commit(h.ctx, a.FromBytes(contents[i])); err != nil {
					h.t.Errorf("Commit: %v", err)
				}
			})
		}
		wg.Wait()
		for i, c := range contents {
			h.has(algorithms[i%2].FromBytes(c), c)
		}
	}},
	{"ConcurrentSameContent", func(h *harness) {
		// Several clients push one layer at once: every Commit succeeds
		// and the blob is whole.
		const n = 6
		content := random(26, 2<<20+1)
		d := digest.FromBytes(content)
		ws := make([]blob.Writer, n)
		ids := make([]string, n)
		for i := range ws {
			ids[i] = h.id()
			ws[i] = h.start(ids[i])
			h.write(ws[i], content)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, w := range ws {
			wg.Go(func() {
				<-start
				size, err := w.Commit(h.ctx, d)
				if err != nil || size != int64(len(content)) {
					h.t.Errorf("concurrent Commit = %d, %v", size, err)
				}
			})
		}
		close(start)
		wg.Wait()
		h.has(d, content)
		for _, id := range ids {
			h.gone(id)
		}
	}},
	{"NotVisibleBeforeCommit", func(h *harness) {
		content := random(27, 16<<20)
		d := digest.FromBytes(content)
		id := h.id()
		w := h.start(id)
		h.absent(d)
		h.write(w, content[:1<<20])
		h.absent(d)
		h.close(w)
		h.absent(d)
		w = h.resume(id, 1<<20)
		h.write(w, content[1<<20:])
		h.absent(d)
		// A watcher that sees the blob must be able to read all of it.
		ctx, stop := context.WithCancel(h.ctx)
		var wg sync.WaitGroup
		watching := make(chan struct{})
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				_, err := h.s.Stat(h.ctx, d)
				if i == 0 {
					close(watching)
				}
				if err != nil {
					if !errors.Is(err, blob.ErrNotFound) {
						h.t.Errorf("Stat during Commit: %v", err)
						return
					}
					continue
				}
				r, err := h.s.Open(h.ctx, d)
				if err != nil {
					h.t.Errorf("Open after Stat found the blob: %v", err)
					return
				}
				defer r.Close()
				got, err := digest.FromReader(r)
				if err != nil || got != d || r.Size() != int64(len(content)) {
					h.t.Errorf("the blob was visible incomplete: %s, %d bytes, %v", got, r.Size(), err)
				}
				return
			}
		})
		<-watching
		h.commit(w, d, int64(len(content)))
		if _, err := h.s.Stat(h.ctx, d); err != nil {
			h.t.Errorf("Stat right after Commit: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
		stop()
		wg.Wait()
	}},
	{"AfterCommit", func(h *harness) {
		content := []byte("committed")
		d := digest.FromBytes(content)
		id := h.id()
		w := h.start(id)
		h.write(w, content)
		h.commit(w, d, int64(len(content)))
		if _, err := w.Write([]byte("more")); err == nil {
			h.t.Error("Write after Commit succeeded")
		}
		if _, err := w.Commit(h.ctx, d); err == nil {
			h.t.Error("Commit after Commit succeeded")
		}
		w.Close() // as a deferred Close would; it must not undo anything
		h.has(d, content)
		h.gone(id)
	}},
	{"CommitContextDone", func(h *harness) {
		content := random(28, 100_000)
		d := digest.FromBytes(content)
		id := h.id()
		w := h.start(id)
		h.write(w, content)
		ctx, cancel := context.WithCancel(h.ctx)
		cancel()
		_, err := w.Commit(ctx, d)
		h.is("Commit with a cancelled context", err, context.Canceled)
		h.absent(d)
		w.Close()
		w = h.resume(id, int64(len(content)))
		h.commit(w, d, int64(len(content)))
		h.has(d, content)
	}},
	{"List", func(h *harness) {
		l, ok := h.s.(blob.Lister)
		if !ok {
			h.t.Skip("the store is not a Lister")
		}
		want := map[digest.Digest]int64{}
		for i, n := range []int{0, 1, 70001, 1000} {
			content := random(uint64(30+i), n)
			want[h.put(algorithms[i%2], content)] = int64(n)
		}
		gone := h.put(digest.SHA256, random(34, 10))
		if err := h.s.Delete(h.ctx, gone); err != nil {
			h.t.Fatal(err)
		}
		// An upload, closed and held, is no blob.
		closed := h.id()
		w := h.start(closed)
		h.write(w, random(35, 5000))
		h.close(w)
		held := h.start(h.id())
		h.write(held, random(36, 100))
		got := Listed(h.t, h.ctx, l)
		if len(got) != len(want) {
			h.t.Errorf("List: %v, want %v", got, want)
		}
		for d, size := range want {
			if s, ok := got[d]; !ok || s != size {
				h.t.Errorf("List: %s of %d bytes (listed %v), want %d", d, s, ok, size)
			}
		}
		// fn's error stops the listing, and is List's.
		stop := errors.New("stop")
		calls := 0
		err := l.List(h.ctx, func(digest.Digest, int64) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			h.t.Errorf("List with an fn that fails: %v after %d calls, want its error after 1", err, calls)
		}
		if err := errors.Join(held.Cancel(), h.resume(closed, 5000).Cancel()); err != nil {
			h.t.Fatalf("Cancel: %v", err)
		}
	}},
}

// large streams a 64 MiB blob from a PRNG, resuming once at an odd offset,
// and checks that the store allocated much less than the blob.
func large(h *harness) {
	const size = 64 << 20
	const seed = 42
	d := func() digest.Digest {
		dg := digest.SHA256.Digester()
		io.CopyN(dg.Hash(), stream(seed), size)
		return dg.Digest()
	}()
	buf := make([]byte, 1<<20+7) // odd, so writes straddle everything
	id := h.id()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	src := io.LimitReader(stream(seed), size)
	w := h.start(id)
	for written := 0; ; {
		n, err := io.ReadFull(src, buf)
		if n > 0 {
			h.write(w, buf[:n])
			written += n
		}
		if err != nil {
			break
		}
		if written > size/3 && written-n <= size/3 {
			h.close(w)
			w = h.resume(id, int64(written))
		}
	}
	h.commit(w, d, size)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		h.t.Errorf("uploading %d MiB allocated %d MiB: the store holds blobs in memory", size>>20, alloc>>20)
	}

	r, err := h.s.Open(h.ctx, d)
	if err != nil {
		h.t.Fatal(err)
	}
	defer r.Close()
	if r.Size() != size {
		h.t.Errorf("Size() = %d, want %d", r.Size(), size)
	}
	want := io.LimitReader(stream(seed), size)
	got := make([]byte, len(buf))
	for off := 0; ; off += len(buf) {
		n, err := io.ReadFull(r, got)
		m, _ := io.ReadFull(want, buf)
		if n != m || !bytes.Equal(got[:n], buf[:m]) {
			h.t.Fatalf("the blob differs from what was written in the %d bytes at %d", len(buf), off)
		}
		if err != nil {
			break
		}
	}
	// A range near the end.
	if _, err := r.Seek(size-1000, io.SeekStart); err != nil {
		h.t.Fatal(err)
	}
	if tail, _ := io.ReadAll(r); len(tail) != 1000 {
		h.t.Errorf("read %d bytes from 1000 before the end", len(tail))
	}
}

// malformed returns digests that are not well formed; hex is a valid sha256 hex.
func malformed(hex string) []digest.Digest {
	return []digest.Digest{
		"",
		"sha256",
		"sha256:",
		":" + digest.Digest(hex),
		digest.Digest(hex),
		"sha256:" + digest.Digest(hex[:63]),
		"sha256:" + digest.Digest(hex) + "0",
		"sha256:" + digest.Digest(strings.ToUpper(hex)),
		"SHA256:" + digest.Digest(hex),
		"sha512:" + digest.Digest(hex), // a sha256 length
		"sha256:../../../../../../etc/passwd",
		"sha256:" + digest.Digest(hex[:60]) + "/../",
		"sha256:" + digest.Digest(hex[:62]) + "\x00a",
	}
}

// unsupported returns well-formed digests of algorithms Wharf does not take,
// one of them right for content.
func unsupported(content []byte) []digest.Digest {
	return []digest.Digest{
		digest.SHA384.FromBytes(content),
		"md5:" + digest.Digest(strings.Repeat("0", 32)),
		"blake3:" + digest.Digest(strings.Repeat("ab", 32)),
	}
}

// badIDs are strings no upload can have.
func badIDs() []string {
	return []string{
		"", ".", "..", "../x", "a/b", "/abs", `a\b`, "a b", "a\x00b", "ü",
		"%2e%2e", "a.b", strings.Repeat("a", 129),
	}
}

// brokenBody returns data in reads of at most 7000 bytes, the last of them
// together with err, as a request body cut off mid-way does.
type brokenBody struct {
	data []byte
	err  error
}

func (r *brokenBody) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p[:min(len(p), 7000)], r.data)
	r.data = r.data[n:]
	if len(r.data) == 0 {
		return n, r.err
	}
	return n, nil
}
