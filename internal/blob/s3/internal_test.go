package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/blob/blobtest"
)

func random(seed uint64, n int) []byte {
	b := make([]byte, n)
	var s [32]byte
	s[0] = byte(seed)
	rand.NewChaCha8(s).Read(b)
	return b
}

func TestTarget(t *testing.T) {
	s := &Store{partSize: DefaultPartSize}
	for _, c := range []struct{ start, want int64 }{
		{0, 8 << 20},
		{1000 * 8 << 20, 8 << 20},
		{1000*8<<20 + 1000, 9 << 20},
		{20 << 30, 21 << 20}, // 20 GiB/1000 = 20.48 MiB, rounded up
		{5 << 40, 5 << 30},
	} {
		if got := s.target(c.start); got != c.want {
			t.Errorf("target(%d) = %d, want %d", c.start, got, c.want)
		}
	}
	// The largest object S3 takes fits in its parts, however small the
	// part size.
	for _, ps := range []int64{MinPartSize, DefaultPartSize, 64 << 20} {
		s := &Store{partSize: ps}
		var off int64
		n := 0
		for ; off < 5<<40; n++ {
			off += s.target(off)
		}
		if n > maxParts {
			t.Errorf("part size %d: 5 TiB take %d parts", ps, n)
		}
	}
}

func TestCopyRanges(t *testing.T) {
	defer func(c int64) { copyChunk = c }(copyChunk)
	copyChunk = 10 << 20
	for _, size := range []int64{5 << 20, 10 << 20, 10<<20 + 1, 15<<20 - 1, 15 << 20, 31 << 20} {
		rs := copyRanges(size)
		var off int64
		for i, r := range rs {
			if r[0] != off || r[1] > maxPartSize || (r[1] < MinPartSize && i < len(rs)-1) {
				t.Errorf("copyRanges(%d) = %v", size, rs)
			}
			off += r[1]
		}
		if off != size || rs[len(rs)-1][1] < MinPartSize {
			t.Errorf("copyRanges(%d) = %v", size, rs)
		}
	}
}

func TestBadConfig(t *testing.T) {
	ctx := context.Background()
	for _, cfg := range []Config{
		{},
		{Bucket: "b", PartSize: 1 << 20},
		{Bucket: "b", AccessKeyID: "k"},
		{Bucket: "b", LeaseTTL: time.Millisecond},
	} {
		if _, err := New(ctx, cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

// write starts or resumes id on s, writes p and closes.
func write(t *testing.T, s *Store, id string, resume bool, p []byte) {
	t.Helper()
	w, err := s.Upload(context.Background(), id, resume)
	if err != nil {
		t.Fatalf("Upload(%s, %v): %v", id, resume, err)
	}
	if _, err := w.Write(p); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// TestReplicas moves an upload between two stores on one bucket and prefix,
// through parts, tails and parts made of a tail, and commits it as sha512,
// which reads it back, paging through ListParts a part at a time.
func TestReplicas(t *testing.T) {
	a := newStore(t)
	b, err := New(context.Background(), srv.config(a.prefix, MinPartSize))
	if err != nil {
		t.Fatal(err)
	}
	a.listPartsPage, b.listPartsPage = 1, 1
	content := random(1, 20<<20+12345)
	cuts := []int{6 << 20, 7 << 20, 12<<20 + 3, 12<<20 + 4, 20 << 20, len(content)}
	id := "replicas"
	stores := []*Store{a, b}
	prev := 0
	for i, cut := range cuts {
		write(t, stores[i%2], id, i > 0, content[prev:cut])
		prev = cut
	}
	w, err := b.Upload(context.Background(), id, true)
	if err != nil {
		t.Fatal(err)
	}
	if w.Size() != int64(len(content)) {
		t.Errorf("Size = %d, want %d", w.Size(), len(content))
	}
	d := digest.SHA512.FromBytes(content)
	if _, err := w.Commit(context.Background(), d); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got := readAll(t, a, d); !bytes.Equal(got, content) {
		t.Error("the blob differs from what was written")
	}
	noLeftovers(t, a)
}

// TestLease: a writer that stops renewing loses the upload to another
// after the TTL, and then can neither write nor save.
func TestLease(t *testing.T) {
	s := newStore(t, func(c *Config) { c.LeaseTTL = time.Second })
	ctx := context.Background()
	id := "lease"
	old, err := s.Upload(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	old.Write([]byte("old "))
	if w, err := s.Upload(ctx, id, true); !errors.Is(err, errBusy) {
		if err == nil {
			w.Close()
		}
		t.Fatalf("resuming a held upload: %v, want busy", err)
	}
	// Last-Modified and Date have whole seconds, and some servers' Date lags
	// (versitygw's is refreshed once a second): the lease expires between
	// 1 and about 3 seconds after its last renewal, by the server's clock.
	time.Sleep(2 * time.Second)
	var w blob.Writer
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		if w, err = s.Upload(ctx, id, true); err == nil {
			break
		}
		if !errors.Is(err, errBusy) || time.Now().After(deadline) {
			t.Fatalf("taking over an expired lease: %v", err)
		}
	}
	if w.Size() != 0 {
		t.Errorf("Size = %d, want 0: the old writer never saved", w.Size())
	}
	write := func(w blob.Writer, p string) error { _, err := w.Write([]byte(p)); return err }
	if err := write(w, "new"); err != nil {
		t.Fatal(err)
	}
	if err := write(old, "more"); !errors.Is(err, errLeaseLost) {
		t.Errorf("Write of the writer that lost its lease: %v, want errLeaseLost", err)
	}
	if err := old.Close(); err == nil {
		t.Error("Close of the writer that lost its lease succeeded")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = s.Upload(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, digest.FromString("new")); err != nil {
		t.Fatal(err)
	}
	noLeftovers(t, s)
}

// TestStaleState: a writer whose state was replaced (by one that took over
// while it stalled) cannot save over it, even while its lease looks fresh.
func TestStaleState(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	write(t, s, "stale", false, []byte("first"))
	w1, err := s.Upload(ctx, "stale", true)
	if err != nil {
		t.Fatal(err)
	}
	w1.Write([]byte(" lost"))
	// Another writer gets in (as if w1's lease had expired) and saves.
	if err := w1.(*writer).lease.release(ctx); err != nil {
		t.Fatal(err)
	}
	write(t, s, "stale", true, []byte(" second"))
	if err := w1.Close(); !errors.Is(err, errLeaseLost) {
		t.Errorf("Close over a newer state: %v, want errLeaseLost", err)
	}
	w, err := s.Upload(ctx, "stale", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, digest.FromString("first second")); err != nil {
		t.Fatal(err)
	}
	noLeftovers(t, s)
}

// TestCommitFailsAfterComplete: a sha512 Commit that fails after it
// completed the multipart upload keeps the upload, which takes more bytes
// (copied back into parts on the server) and commits.
func TestCommitFailsAfterComplete(t *testing.T) {
	for _, more := range []int{0, 1000, 6 << 20} {
		s := newStore(t)
		content := random(2, 11<<20+more)
		id := "failing"
		w, err := s.Upload(context.Background(), id, false)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content[:11<<20])
		ctx, cancel := context.WithCancel(context.Background())
		s.hook = func(e string) {
			if e == "completed" {
				cancel()
			}
		}
		if _, err := w.Commit(ctx, digest.SHA512.FromBytes(content[:11<<20])); !errors.Is(err, context.Canceled) {
			t.Fatalf("Commit: %v, want context.Canceled", err)
		}
		s.hook = nil
		if w.(*writer).saved.Data != true {
			t.Fatal("the failed Commit did not complete the multipart upload")
		}
		write(t, s, id, true, content[11<<20:])
		w, err = s.Upload(context.Background(), id, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []digest.Algorithm{digest.SHA512, digest.SHA256} {
			if _, err := w.Commit(context.Background(), a.FromBytes(content)); err != nil {
				t.Fatalf("more=%d, Commit(%s): %v", more, a, err)
			}
			if got := readAll(t, s, a.FromBytes(content)); !bytes.Equal(got, content) {
				t.Errorf("more=%d: the %s blob differs from what was written", more, a)
			}
			if a == digest.SHA512 {
				// Again, as sha256, whole from a new upload.
				w, err = s.Upload(context.Background(), id+"2", false)
				if err != nil {
					t.Fatal(err)
				}
				w.Write(content)
			}
		}
		noLeftovers(t, s)
	}
}

// TestCompletedBeforeCrash: a Commit that died after it completed the
// multipart upload and before it saved the state is finished by the next.
func TestCompletedBeforeCrash(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	content := random(3, 7<<20+5)
	id := "crash"
	write(t, s, id, false, content)
	w, err := s.Upload(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	type crash struct{}
	s.hook = func(e string) {
		if e == "completed" {
			panic(crash{})
		}
	}
	d := digest.SHA512.FromBytes(content)
	func() {
		defer func() {
			if _, ok := recover().(crash); !ok {
				t.Fatal("Commit did not get to complete the multipart upload")
			}
		}()
		w.Commit(ctx, d)
	}()
	s.hook = nil
	// The lease of the dead writer.
	lock := s.uploadKey(id, "lock")
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &lock}); err != nil {
		t.Fatal(err)
	}
	w, err = s.Upload(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, d); err != nil {
		t.Fatalf("Commit after the crash: %v", err)
	}
	if got := readAll(t, s, d); !bytes.Equal(got, content) {
		t.Error("the blob differs from what was written")
	}
	noLeftovers(t, s)
}

func TestReadAt(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	content := random(4, 100_000)
	w, _ := s.Upload(ctx, "readat", false)
	w.Write(content)
	d := digest.FromBytes(content)
	if _, err := w.Commit(ctx, d); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ra := r.(io.ReaderAt)
	p := make([]byte, 1000)
	if n, err := ra.ReadAt(p, 5000); n != 1000 || err != nil || !bytes.Equal(p, content[5000:6000]) {
		t.Errorf("ReadAt(1000 at 5000) = %d, %v", n, err)
	}
	if n, err := ra.ReadAt(p, 99_500); n != 500 || err != io.EOF || !bytes.Equal(p[:500], content[99_500:]) {
		t.Errorf("ReadAt(1000 at 99500) = %d, %v, want 500, EOF", n, err)
	}
	// A short forward Seek reads on from the open response.
	p = p[:10]
	io.ReadFull(r, p)
	r.Seek(1000, io.SeekCurrent)
	if _, err := io.ReadFull(r, p); err != nil || !bytes.Equal(p, content[1010:1020]) {
		t.Errorf("read after a short seek: %v", err)
	}
}

func TestRedirectURL(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	content := random(5, 3000)
	w, _ := s.Upload(ctx, "redirect", false)
	w.Write(content)
	d := digest.FromBytes(content)
	if _, err := w.Commit(ctx, d); err != nil {
		t.Fatal(err)
	}
	u, err := s.RedirectURL(ctx, d, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, content) {
		t.Errorf("GET of the redirect URL: %s, %d bytes", resp.Status, len(got))
	}
	if _, err := s.RedirectURL(ctx, "sha256:nope", time.Minute); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("RedirectURL of a malformed digest: %v", err)
	}
}

// TestPurge: abandoned uploads go, live ones and blobs stay.
func TestPurge(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	write(t, s, "abandoned", false, random(6, 6<<20+10)) // a part and a tail
	write(t, s, "small", false, []byte("tail"))
	held, err := s.Upload(ctx, "held", false)
	if err != nil {
		t.Fatal(err)
	}
	// What a replica that died while writing leaves: parts past the state.
	dead, _ := s.Upload(ctx, "dead", false)
	dead.Write(random(7, 5<<20+1))
	dead.(*writer).flush(ctx)
	dead.(*writer).lease.release(ctx)
	content := []byte("a blob")
	w, _ := s.Upload(ctx, "blob", false)
	w.Write(content)
	if _, err := w.Commit(ctx, digest.FromBytes(content)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Purge(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("Purge of nothing old = %d, %v", n, err)
	}
	time.Sleep(1100 * time.Millisecond)
	n, err := s.Purge(ctx, time.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 { // abandoned, small, dead's upload and its multipart upload
		t.Errorf("Purge = %d, want 4", n)
	}
	for _, id := range []string{"abandoned", "small", "dead"} {
		if _, err := s.Upload(ctx, id, true); !errors.Is(err, blob.ErrUploadNotFound) {
			t.Errorf("resuming purged %s: %v", id, err)
		}
	}
	if _, err := held.Write([]byte("still here")); err != nil {
		t.Fatal(err)
	}
	if _, err := held.Commit(ctx, digest.FromString("still here")); err != nil {
		t.Fatalf("Commit of the held upload after Purge: %v", err)
	}
	if _, err := s.Stat(ctx, digest.FromBytes(content)); err != nil {
		t.Error(err)
	}
	noLeftovers(t, s)
}

// TestWithoutLeases: with a server that ignores conditional writes (or
// DisableLeases) uploads work, without keeping writers apart.
func TestWithoutLeases(t *testing.T) {
	s := newStore(t)
	n, err := New(context.Background(), func() Config {
		c := srv.config(s.prefix, MinPartSize)
		c.DisableLeases = true
		return c
	}())
	if err != nil {
		t.Fatal(err)
	}
	if n.LeasesEnforced() {
		t.Fatal("LeasesEnforced with DisableLeases")
	}
	ctx := context.Background()
	content := random(8, 6<<20+100)
	write(t, n, "noleases", false, content[:100])
	if _, err := n.Upload(ctx, "noleases", false); err == nil {
		t.Error("starting an ID that exists succeeded")
	}
	write(t, n, "noleases", true, content[100:])
	w, err := n.Upload(ctx, "noleases", true)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range []digest.Algorithm{digest.SHA512, digest.SHA256} {
		if i > 0 { // the same content again, in one go
			w, _ = n.Upload(ctx, "noleases2", false)
			w.Write(content)
		}
		if _, err := w.Commit(ctx, a.FromBytes(content)); err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, n, a.FromBytes(content)); !bytes.Equal(got, content) {
			t.Errorf("the %s blob differs", a)
		}
	}
	w, _ = n.Upload(ctx, "noleases3", false)
	w.Write(content[:10])
	if _, err := w.Commit(ctx, digest.FromBytes(content[:10])); err != nil {
		t.Fatal(err)
	}
	noLeftovers(t, n)
}

// TestListSkipsStrays: List names only keys where the layout puts a blob;
// anything else under blobs/ (or beside it) is none.
func TestListSkipsStrays(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	content := []byte("a blob")
	d := blobtest.Put(t, ctx, s, "blob", content)
	other := digest.FromString("other").Encoded()
	for _, key := range []string{
		"blobs/README",
		"blobs/sha384/" + other, // no algorithm of Wharf's
		"blobs/sha256/" + other + "/x",
		"blobs/sha256/" + other[1:], // too short
		"blobs/sha256/" + strings.ToUpper(other),
		"blobs/sha512/" + other, // a sha256's length
		"blobs" + other,
		"sha256/" + other,
	} {
		key = s.prefix + key
		if _, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: &key, Body: strings.NewReader("stray")}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := blobtest.Listed(t, ctx, s), map[digest.Digest]int64{d: int64(len(content))}; !maps.Equal(got, want) {
		t.Errorf("List: %v, want %v", got, want)
	}
}
