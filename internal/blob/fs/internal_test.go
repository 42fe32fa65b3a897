package fs

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/opencontainers/go-digest"
)

// TestFailedWriteKeepsHashes: a write the file refuses leaves both hashes
// as they were, so the upload still commits.
func TestFailedWriteKeepsHashes(t *testing.T) {
	ctx := context.Background()
	content := make([]byte, 200_000)
	mrand.NewChaCha8([32]byte{7}).Read(content)
	for _, size := range []int{1000, 100_000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			s, err := New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			bw, err := s.Upload(ctx, "u", false)
			if err != nil {
				t.Fatal(err)
			}
			w := bw.(*writer)
			w.Write(content[:10])
			good := w.f
			ro, err := os.Open(filepath.Join(w.dir, dataName))
			if err != nil {
				t.Fatal(err)
			}
			w.f = ro
			if n, err := w.Write(content[10 : 10+size]); err == nil || n != 0 {
				t.Fatalf("Write to a read-only file = %d, %v", n, err)
			}
			ro.Close()
			w.f = good
			if w.Size() != 10 {
				t.Fatalf("Size after the failed write = %d", w.Size())
			}
			w.Write(content[10:])
			for _, c := range []struct {
				alg digest.Algorithm
				h   hash.Hash
			}{{digest.SHA256, w.h256}} {
				if got, want := digest.NewDigest(c.alg, c.h), c.alg.FromBytes(content); got != want {
					t.Errorf("%s after a failed write: %s, want %s", c.alg, got, want)
				}
			}
			if _, err := w.Commit(ctx, digest.SHA512.FromBytes(content)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// BenchmarkWrite256MiB measures what hashing twice costs: 256 MiB in 1 MiB
// writes into the data file, no Commit, against a bare file and sha256
// alone.
func BenchmarkWrite256MiB(b *testing.B) {
	const size = 256 << 20
	chunk := make([]byte, 1<<20)
	mrand.NewChaCha8([32]byte{3}).Read(chunk)
	ctx := context.Background()
	b.Run("file", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "data"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		b.SetBytes(size)
		for b.Loop() {
			f.Truncate(0)
			for i := range size / len(chunk) {
				f.WriteAt(chunk, int64(i*len(chunk)))
			}
		}
	})
	b.Run("file+sha256", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "data"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		b.SetBytes(size)
		for b.Loop() {
			f.Truncate(0)
			h := sha256.New()
			for i := range size / len(chunk) {
				f.WriteAt(chunk, int64(i*len(chunk)))
				h.Write(chunk)
			}
		}
	})
	b.Run("file+sha256+sha512", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "data"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		b.SetBytes(size)
		for b.Loop() {
			f.Truncate(0)
			h, h2 := sha256.New(), sha512.New()
			for i := range size / len(chunk) {
				f.WriteAt(chunk, int64(i*len(chunk)))
				h.Write(chunk)
				h2.Write(chunk)
			}
		}
	})
	b.Run("writer", func(b *testing.B) {
		s, err := New(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(size)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			w, err := s.Upload(ctx, "b"+strconv.Itoa(i), false)
			if err != nil {
				b.Fatal(err)
			}
			i++
			for range size / len(chunk) {
				w.Write(chunk)
			}
			w.Cancel()
		}
	})
}
