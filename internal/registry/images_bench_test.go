package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/postgres"
	"github.com/wharf-project/wharf/internal/store/sqlite"
	"github.com/wharf-project/wharf/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.Shutdown()
	os.Exit(code)
}

// benchImages is the shape of the image listing benchmarks: a repository
// of 3,000 manifests of about 1.5 KB each, every one tagged "v<i>" and
// every third also "stable-<i>" (4,000 tags), listed in pages of 1,000.
const (
	benchImages  = 3000
	benchPerPage = 1000
)

// benchStores runs b against a fresh SQLite store and a fresh PostgreSQL
// database (skipped without one, see internal/testenv).
func benchStores(b *testing.B, fn func(b *testing.B, st store.Store)) {
	b.Run("sqlite", func(b *testing.B) {
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "wharf.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		fn(b, st)
	})
	b.Run("postgres", func(b *testing.B) {
		st, err := postgres.Open(context.Background(), testenv.Postgres(b))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		fn(b, st)
	})
}

// fillImages stores benchImages manifests with their tags in repository
// app of account acctA, and returns a service over st and its root caller.
func fillImages(b *testing.B, st store.Store) (*Service, *authz.Call) {
	b.Helper()
	ctx := context.Background()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	content := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",` + strings.Repeat(`"x":"layer",`, 120))
	err := st.Tx(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Create(store.Account{ID: acctA, Alias: "acme", CreatedAt: now}); err != nil {
			return err
		}
		r := tx.Registry()
		if err := r.CreateRepository(store.Repository{AccountID: acctA, Name: "app", CreatedAt: now}); err != nil {
			return err
		}
		for i := range benchImages {
			m := store.Manifest{AccountID: acctA, Repository: "app", Digest: fmt.Sprintf("sha256:%064x", i),
				MediaType: "application/vnd.oci.image.manifest.v1+json", ArtifactType: "application/vnd.oci.image.config.v1+json",
				Content: append(content, fmt.Sprintf(`"i":%d}`, i)...), Blobs: []string{fmt.Sprintf("sha256:%064x", 1<<32+i)},
				ImageSize: int64(1000 + i), PushedAt: now}
			if err := r.PutManifest(m); err != nil {
				return err
			}
			if err := r.PutTag(acctA, "app", store.ImageTag{Name: fmt.Sprint("v", i), Digest: m.Digest, CreatedAt: now}); err != nil {
				return err
			}
			if i%3 == 0 {
				if err := r.PutTag(acctA, "app", store.ImageTag{Name: fmt.Sprint("stable-", i), Digest: m.Digest, CreatedAt: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	c, err := policy.CallerFromARN("arn:aws:iam::" + acctA + ":root")
	if err != nil {
		b.Fatal(err)
	}
	s := New(st, nil, authz.New(), "registry.example", func() time.Time { return now })
	return s, &authz.Call{Subject: &authz.Subject{Caller: c}, Region: "us-east-1", Now: now}
}

// BenchmarkDescribeImages walks a repository of 3,000 images in pages of
// 1,000, as the console and DescribeImages do; it reports the time per page.
func BenchmarkDescribeImages(b *testing.B) {
	benchStores(b, func(b *testing.B, st store.Store) {
		s, call := fillImages(b, st)
		ctx := context.Background()
		pages := 0
		b.ResetTimer()
		for b.Loop() {
			p := store.Page{Max: benchPerPage}
			n := 0
			for {
				ds, more, err := s.DescribeImages(ctx, call, Ref{Account: acctA, Name: "app"}, nil, p)
				if err != nil {
					b.Fatal(err)
				}
				pages++
				n += len(ds)
				if !more {
					break
				}
				p.Marker = ds[len(ds)-1].Digest
			}
			if n != benchImages {
				b.Fatalf("described %d images, want %d", n, benchImages)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(pages), "ms/page")
	})
}

// BenchmarkDescribeImageTags walks the repository's 4,000 tags in pages of
// 1,000; it reports the time per page.
func BenchmarkDescribeImageTags(b *testing.B) {
	benchStores(b, func(b *testing.B, st store.Store) {
		s, call := fillImages(b, st)
		ctx := context.Background()
		pages := 0
		b.ResetTimer()
		for b.Loop() {
			p := store.Page{Max: benchPerPage}
			n := 0
			for {
				ts, more, err := s.DescribeImageTags(ctx, call, Ref{Account: acctA, Name: "app"}, p)
				if err != nil {
					b.Fatal(err)
				}
				pages++
				n += len(ts)
				if !more {
					break
				}
				p.Marker = ts[len(ts)-1].Tag
			}
			if want := benchImages + benchImages/3; n != want {
				b.Fatalf("described %d tags, want %d", n, want)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(pages), "ms/page")
	})
}
