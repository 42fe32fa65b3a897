package fs_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"maps"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/blob/blobtest"
	"github.com/wharf-project/wharf/internal/blob/fs"
)

// leakChecked is the store as the suite sees it: anything left in uploads/
// or tmp/ after a subtest is a leak.
type leakChecked struct{ *fs.Store }

func (s leakChecked) Leftovers(context.Context) ([]string, error) {
	return leftovers(s.Root())
}

func leftovers(root string) ([]string, error) {
	var left []string
	for _, dir := range []string{"uploads", "tmp"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d iofs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if rel, _ := filepath.Rel(root, p); rel != dir {
				left = append(left, rel)
			}
			return nil
		})
		if err != nil {
			return left, err
		}
	}
	return left, nil
}

func newStore(t testing.TB, root string) *fs.Store {
	t.Helper()
	s, err := fs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		return leakChecked{newStore(t, t.TempDir())}
	})
}

var ctx = context.Background()

// random returns n bytes of the PRNG stream seed.
func random(seed uint64, n int) []byte {
	b := make([]byte, n)
	mrand.NewChaCha8([32]byte{byte(seed)}).Read(b)
	return b
}

// files lists the regular files under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLayout(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	content := []byte("layout")
	d := digest.FromBytes(content)
	w, err := s.Upload(ctx, "up-1", false)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := files(t, root), []string{"uploads/up-1/data", "uploads/up-1/state"}; !slices.Equal(got, want) {
		t.Errorf("during the upload: %q, want %q", got, want)
	}
	if w, err = s.Upload(ctx, "up-1", true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx, d); err != nil {
		t.Fatal(err)
	}
	final := filepath.Join("blobs", "sha256", d.Encoded()[:2], d.Encoded())
	if got := files(t, root); !slices.Equal(got, []string{final}) {
		t.Errorf("after Commit: %q, want only %s", got, final)
	}
	fi, err := os.Stat(filepath.Join(root, final))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o444 {
		t.Errorf("the blob's mode is %v, want read-only", fi.Mode())
	}
	if left, _ := leftovers(root); len(left) > 0 {
		t.Errorf("left behind: %q", left)
	}
	d512 := digest.SHA512.FromBytes(content)
	w, _ = s.Upload(ctx, "up-2", false)
	w.Write(content)
	if _, err := w.Commit(ctx, d512); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "blobs", "sha512", d512.Encoded()[:2], d512.Encoded())); err != nil {
		t.Errorf("the sha512 blob is not where the layout says: %v", err)
	}
}

// TestPathTraversal: IDs and digests never lead outside the root, nor
// anywhere inside it but their own place.
func TestPathTraversal(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "root")
	s := newStore(t, root)
	// A file a traversal would reach.
	secret := filepath.Join(parent, "secret")
	os.WriteFile(secret, []byte("secret"), 0o644)
	os.MkdirAll(filepath.Join(root, "uploads", "x"), 0o755)
	for _, id := range []string{
		"..", "../secret", "../../root/uploads/x", "x/..", "./x", "x/", "/tmp/x", "x\x00",
		"...", "x.y", "x y", "x%2f", "ｘ", strings.Repeat("x", 129),
	} {
		if w, err := s.Upload(ctx, id, false); err == nil {
			w.Cancel()
			t.Errorf("Upload(%q, false) succeeded", id)
		}
		if _, err := s.Upload(ctx, id, true); !errors.Is(err, blob.ErrUploadNotFound) {
			t.Errorf("Upload(%q, true): %v, want ErrUploadNotFound", id, err)
		}
	}
	for _, d := range []digest.Digest{
		"sha256:../../../secret", "sha256:../../../../secret", "sha256:" + digest.Digest(strings.Repeat("../", 21)) + "x",
		"../secret:abc", "sha256:/etc/passwd",
	} {
		if _, err := s.Stat(ctx, d); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Stat(%q): %v", d, err)
		}
		if err := s.Delete(ctx, d); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Delete(%q): %v", d, err)
		}
	}
	if _, err := os.Stat(secret); err != nil {
		t.Errorf("the file outside the root: %v", err)
	}
	if got := files(t, parent); !slices.Equal(got, []string{"secret"}) {
		t.Errorf("files: %q", got)
	}
}

// upload writes content as upload id and closes it.
func upload(t *testing.T, s *fs.Store, id string, content []byte) {
	t.Helper()
	w, err := s.Upload(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRecovery builds, by hand, what a crash at each point leaves on disk,
// and checks that a new store sees no blob it should not and carries on.
func TestRecovery(t *testing.T) {
	content := random(1, 100_000)
	d := digest.FromBytes(content)
	const id = "up"
	setup := func(t *testing.T) (root string, s *fs.Store, dir string) {
		root = t.TempDir()
		upload(t, newStore(t, root), id, content[:60_000])
		return root, newStore(t, root), filepath.Join(root, "uploads", id)
	}
	resume := func(t *testing.T, s *fs.Store, size int64) blob.Writer {
		t.Helper()
		w, err := s.Upload(ctx, id, true)
		if err != nil {
			t.Fatalf("resume: %v", err)
		}
		if w.Size() != size {
			t.Fatalf("resumed Size = %d, want %d", w.Size(), size)
		}
		return w
	}
	finish := func(t *testing.T, s *fs.Store, w blob.Writer) {
		t.Helper()
		if _, err := w.Write(content[w.Size():]); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(ctx, d); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		if n, err := s.Stat(ctx, d); err != nil || n != int64(len(content)) {
			t.Errorf("Stat = %d, %v", n, err)
		}
	}
	notFound := func(t *testing.T, s *fs.Store) {
		t.Helper()
		if _, err := s.Upload(ctx, id, true); !errors.Is(err, blob.ErrUploadNotFound) {
			t.Errorf("resume: %v, want ErrUploadNotFound", err)
		}
		if _, err := s.Stat(ctx, d); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Stat: %v", err)
		}
	}

	t.Run("WrittenNotSaved", func(t *testing.T) {
		// Died after Write, before Close: data runs past state.
		_, s, dir := setup(t)
		f, _ := os.OpenFile(filepath.Join(dir, "data"), os.O_WRONLY|os.O_APPEND, 0)
		f.Write(content[60_000:70_000])
		f.Write([]byte("garbage the hash never saw"))
		f.Close()
		finish(t, s, resume(t, s, 60_000))
	})
	t.Run("StateHalfSaved", func(t *testing.T) {
		// Died writing state.tmp: state is the previous one.
		_, s, dir := setup(t)
		os.WriteFile(filepath.Join(dir, "state.tmp"), []byte(`{"v":1,"si`), 0o644)
		finish(t, s, resume(t, s, 60_000))
	})
	t.Run("StagedNotRenamed", func(t *testing.T) {
		// Died creating an upload: a directory in tmp/, which is nobody's.
		root, s, _ := setup(t)
		stage := filepath.Join(root, "tmp", "upload-123")
		os.MkdirAll(stage, 0o755)
		os.WriteFile(filepath.Join(stage, "data"), content, 0o644)
		if _, err := s.Stat(ctx, d); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Stat: %v", err)
		}
		n, err := s.Purge(ctx, time.Now().Add(time.Hour))
		if err != nil || n != 2 {
			t.Errorf("Purge = %d, %v, want the upload and the staged directory", n, err)
		}
		if left, _ := leftovers(root); len(left) > 0 {
			t.Errorf("left after Purge: %q", left)
		}
	})
	t.Run("ChmodNotRenamed", func(t *testing.T) {
		// Died in Commit between chmod 0444 and rename.
		_, s, dir := setup(t)
		os.Chmod(filepath.Join(dir, "data"), 0o444)
		w := resume(t, s, 60_000)
		if fi, _ := os.Stat(filepath.Join(dir, "data")); fi.Mode().Perm() != 0o644 {
			t.Errorf("data mode after resume: %v", fi.Mode())
		}
		finish(t, s, w)
	})
	t.Run("RenamedNotCleaned", func(t *testing.T) {
		// Died in Commit after the rename: the blob is whole; the upload
		// is its state alone, which resumes to nothing and Purge removes.
		root, s, dir := setup(t)
		d := digest.FromBytes(content[:60_000])
		final := filepath.Join(root, "blobs", "sha256", d.Encoded()[:2], d.Encoded())
		os.MkdirAll(filepath.Dir(final), 0o755)
		if err := os.Rename(filepath.Join(dir, "data"), final); err != nil {
			t.Fatal(err)
		}
		notFoundUpload := func() {
			if _, err := s.Upload(ctx, id, true); !errors.Is(err, blob.ErrUploadNotFound) {
				t.Errorf("resume: %v, want ErrUploadNotFound", err)
			}
		}
		notFoundUpload()
		if n, err := s.Stat(ctx, d); err != nil || n != 60_000 {
			t.Errorf("Stat = %d, %v", n, err)
		}
		if n, err := s.Purge(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Errorf("Purge = %d, %v", n, err)
		}
		if left, _ := leftovers(root); len(left) > 0 {
			t.Errorf("left after Purge: %q", left)
		}
		if _, err := s.Stat(ctx, d); err != nil {
			t.Errorf("Purge touched a blob: %v", err)
		}
	})
	t.Run("StateLost", func(t *testing.T) {
		_, s, dir := setup(t)
		os.Remove(filepath.Join(dir, "state"))
		notFound(t, s)
	})
	t.Run("StateCorrupt", func(t *testing.T) {
		root, s, dir := setup(t)
		os.WriteFile(filepath.Join(dir, "state"), []byte("\x00\x00\x00"), 0o644)
		notFound(t, s)
		if left, _ := leftovers(root); len(left) > 0 {
			t.Errorf("an unusable upload stays: %q", left)
		}
		upload(t, s, id, nil) // the ID is free again
	})
	t.Run("HashStateCorrupt", func(t *testing.T) {
		_, s, dir := setup(t)
		os.WriteFile(filepath.Join(dir, "state"), []byte(`{"v":1,"size":60000,"sha256":"AAAA","sha512":"AAAA"}`), 0o644)
		notFound(t, s)
	})
	t.Run("DataShort", func(t *testing.T) {
		// State claims bytes data lacks (a filesystem that lost fsynced
		// data): unusable, never committed with a hash that does not
		// describe the file.
		_, s, dir := setup(t)
		os.Truncate(filepath.Join(dir, "data"), 59_999)
		notFound(t, s)
	})
}

// TestCrashMidUpload kills a process writing an upload (SIGKILL, at no
// particular point) and checks what a new store makes of it.
func TestCrashMidUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	root := t.TempDir()
	const saved = 1 << 20
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "WHARF_BLOBFS_CRASH_ROOT="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "writing\n" {
		t.Fatalf("child: %q, %v", line, err)
	}
	data := filepath.Join(root, "uploads", "crash", "data")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		if fi, err := os.Stat(data); err == nil && fi.Size() > 3*saved {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child does not write")
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	fi, _ := os.Stat(data)
	t.Logf("killed with %d bytes in data, %d saved", fi.Size(), saved)

	s := newStore(t, root)
	if got := files(t, filepath.Join(root, "blobs")); len(got) > 0 {
		t.Errorf("blobs after the crash: %q", got)
	}
	const total = 5 << 20
	content := make([]byte, total)
	crashStream().Read(content)
	for _, n := range []int{saved, int(fi.Size()), total} {
		if _, err := s.Stat(ctx, digest.FromBytes(content[:n])); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Stat of the first %d bytes: %v", n, err)
		}
	}
	w, err := s.Upload(ctx, "crash", true)
	if err != nil {
		t.Fatal(err)
	}
	if w.Size() != saved {
		t.Fatalf("resumed at %d, want the %d bytes saved", w.Size(), saved)
	}
	if _, err := w.Write(content[saved:]); err != nil {
		t.Fatal(err)
	}
	if n, err := w.Commit(ctx, digest.FromBytes(content)); err != nil || n != total {
		t.Fatalf("Commit = %d, %v", n, err)
	}
	if left, _ := leftovers(root); len(left) > 0 {
		t.Errorf("left behind: %q", left)
	}
}

func crashStream() *mrand.ChaCha8 { return mrand.NewChaCha8([32]byte{'c', 'r', 'a', 's', 'h'}) }

// TestMain doubles as the process TestCrashMidUpload kills.
func TestMain(m *testing.M) {
	if root := os.Getenv("WHARF_BLOBFS_CRASH_ROOT"); root != "" {
		crashChild(root)
	}
	os.Exit(m.Run())
}

// crashChild saves 1 MiB of an upload, then writes until killed.
func crashChild(root string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	s, err := fs.New(root)
	if err != nil {
		fail(err)
	}
	src := crashStream()
	buf := make([]byte, 1<<20)
	src.Read(buf)
	w, err := s.Upload(ctx, "crash", false)
	if err != nil {
		fail(err)
	}
	w.Write(buf)
	if err := w.Close(); err != nil {
		fail(err)
	}
	if w, err = s.Upload(ctx, "crash", true); err != nil {
		fail(err)
	}
	fmt.Println("writing")
	for i := 0; ; i++ {
		chunk := buf[:1+(i*7919)%len(buf)]
		src.Read(chunk)
		if _, err := w.Write(chunk); err != nil {
			fail(err)
		}
	}
}

// TestOneWriterAcrossStores: two stores on one root, as two processes
// would be, still let one writer at a time hold an upload.
func TestOneWriterAcrossStores(t *testing.T) {
	root := t.TempDir()
	a, b := newStore(t, root), newStore(t, root)
	w, err := a.Upload(ctx, "shared", false)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("a"))
	if _, err := b.Upload(ctx, "shared", true); err == nil || errors.Is(err, blob.ErrUploadNotFound) {
		t.Errorf("the second store resumed a held upload: %v", err)
	}
	if _, err := b.Upload(ctx, "shared", false); err == nil {
		t.Error("the second store started an existing upload")
	}
	w.Close()
	w, err = b.Upload(ctx, "shared", true)
	if err != nil || w.Size() != 1 {
		t.Fatalf("resume after Close: %v", err)
	}
	if err := w.Cancel(); err != nil {
		t.Fatal(err)
	}
}

func TestPurge(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	d := digest.FromString("kept")
	w, _ := s.Upload(ctx, "blob", false)
	w.Write([]byte("kept"))
	w.Commit(ctx, d)
	upload(t, s, "old", []byte("old"))
	held, _ := s.Upload(ctx, "held", false)
	held.Write([]byte("held"))
	cutoff := time.Now().Add(time.Minute)
	// "young" changed after the cutoff.
	upload(t, s, "young", []byte("young"))
	future := cutoff.Add(time.Minute)
	for _, name := range []string{"", "data", "state"} {
		os.Chtimes(filepath.Join(root, "uploads", "young", name), future, future)
	}
	n, err := s.Purge(ctx, cutoff)
	if err != nil || n != 1 {
		t.Errorf("Purge = %d, %v, want the old upload", n, err)
	}
	if _, err := s.Upload(ctx, "old", true); !errors.Is(err, blob.ErrUploadNotFound) {
		t.Errorf("old: %v", err)
	}
	for _, id := range []string{"young"} {
		w, err := s.Upload(ctx, id, true)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		w.Cancel()
	}
	if _, err := held.Write([]byte(" on")); err != nil {
		t.Fatal(err)
	}
	if _, err := held.Commit(ctx, digest.FromString("held on")); err != nil {
		t.Errorf("the held upload: %v", err)
	}
	if _, err := s.Stat(ctx, d); err != nil {
		t.Errorf("a blob: %v", err)
	}
	if left, _ := leftovers(root); len(left) > 0 {
		t.Errorf("left behind: %q", left)
	}
}

// TestListSkipsStrays: List names only files where the layout puts a
// blob; anything else under blobs/ is none.
func TestListSkipsStrays(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	content := []byte("a blob")
	d := blobtest.Put(t, ctx, s, "blob", content)
	other := digest.FromString("other").Encoded()
	for _, p := range []string{
		"blobs/README",
		"blobs/sha384/" + other[:2] + "/" + other,     // no algorithm of Wharf's
		"blobs/sha256/" + other,                       // no fan-out directory
		"blobs/sha256/zz/" + other,                    // the wrong one
		"blobs/sha256/" + other[:2] + "/" + other[1:], // too short
		"blobs/sha256/" + other[:2] + "/" + strings.ToUpper(other),
		"blobs/sha256/" + other[:2] + "/" + other + ".tmp",
		"blobs/sha512/" + other[:2] + "/" + other, // a sha256's length
	} {
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("stray"), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	// A directory where a blob would be.
	if err := os.MkdirAll(filepath.Join(root, "blobs", "sha256", other[:2], other), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, want := blobtest.Listed(t, ctx, s), map[digest.Digest]int64{d: int64(len(content))}; !maps.Equal(got, want) {
		t.Errorf("List: %v, want %v", got, want)
	}
}

// TestReaderIsSeekable: Open returns what http.ServeContent wants.
func TestReaderIsSeekable(t *testing.T) {
	s := newStore(t, t.TempDir())
	content := random(2, 10_000)
	d := digest.FromBytes(content)
	w, _ := s.Upload(ctx, "r", false)
	w.Write(content)
	w.Commit(ctx, d)
	r, err := s.Open(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ra, ok := r.(io.ReaderAt)
	if !ok {
		t.Fatal("the reader is not an io.ReaderAt")
	}
	got, err := io.ReadAll(io.NewSectionReader(ra, 100, 200))
	if err != nil || !bytes.Equal(got, content[100:300]) {
		t.Errorf("section: %v", err)
	}
	if _, ok := r.(io.Writer); ok {
		t.Error("the reader is writable")
	}
}

// BenchmarkUpload256MiB is a whole upload: 256 writes of 1 MiB and a
// Commit that fsyncs and renames. The blob is deleted between iterations,
// outside the timer.
func BenchmarkUpload256MiB(b *testing.B) {
	const size = 256 << 20
	s := newStore(b, b.TempDir())
	chunk := random(3, 1<<20)
	dg := digest.SHA256.Digester()
	for range size / len(chunk) {
		dg.Hash().Write(chunk)
	}
	d := dg.Digest()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := s.Upload(ctx, "bench-"+strconv.Itoa(i), false)
		if err != nil {
			b.Fatal(err)
		}
		for range size / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := w.Commit(ctx, d); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.Delete(ctx, d); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
	}
}

// peakRSS returns the process's peak resident set (VmHWM), or 0.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestCommitFailureKeepsUpload: a Commit that fails for the filesystem's
// reasons, not the content's, keeps the upload for another try.
func TestCommitFailureKeepsUpload(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	content := random(4, 70_000)
	d := digest.FromBytes(content)
	// A file where the fan-out directory should be: the rename fails.
	fanout := filepath.Join(root, "blobs", "sha256", d.Encoded()[:2])
	if err := os.WriteFile(fanout, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	upload(t, s, "u", content[:1000])
	w, err := s.Upload(ctx, "u", true)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content[1000:])
	if _, err := w.Commit(ctx, d); err == nil || errors.Is(err, blob.ErrDigestMismatch) {
		t.Fatalf("Commit into a file: %v, want a filesystem error", err)
	}
	if _, err := s.Stat(ctx, d); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat: %v", err)
	}
	os.Remove(fanout)
	if w, err = s.Upload(ctx, "u", true); err != nil || w.Size() != int64(len(content)) {
		t.Fatalf("resume after the failed Commit: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(root, "uploads", "u", "data")); fi.Mode().Perm() != 0o644 {
		t.Errorf("data mode: %v", fi.Mode())
	}
	if _, err := w.Commit(ctx, d); err != nil {
		t.Fatal(err)
	}
	if left, _ := leftovers(root); len(left) > 0 {
		t.Errorf("left behind: %q", left)
	}
}
