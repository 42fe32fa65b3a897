package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// BenchmarkPushPull is a manifest push (put manifest, tag it) and a pull by
// tag (get tag, get manifest), each its own transaction, as each is its own
// request.
func BenchmarkPushPull(b *testing.B) {
	ctx := context.Background()
	s := open(b, testDSN(b, true))
	defer s.Close()
	const acct = "123456789012"
	if err := s.Tx(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Create(store.Account{ID: acct, Alias: "acme"}); err != nil {
			return err
		}
		return tx.Registry().CreateRepository(store.Repository{AccountID: acct, Name: "app"})
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		m := store.Manifest{AccountID: acct, Repository: "app", Digest: fmt.Sprintf("sha256:%064d", i),
			MediaType: "application/vnd.oci.image.manifest.v1+json", Content: []byte(`{"schemaVersion":2}`),
			Blobs: []string{"sha256:a", "sha256:b"}, PushedAt: time.Now()}
		if err := s.Tx(ctx, func(tx store.Tx) error {
			r := tx.Registry()
			if err := r.PutManifest(m); err != nil {
				return err
			}
			return r.PutTag(acct, "app", store.ImageTag{Name: fmt.Sprint("v", i), Digest: m.Digest, CreatedAt: time.Now()})
		}); err != nil {
			b.Fatal(err)
		}
		if err := s.View(ctx, func(tx store.Tx) error {
			r := tx.Registry()
			t, err := r.GetTag(acct, "app", fmt.Sprint("v", i))
			if err != nil {
				return err
			}
			_, err = r.GetManifest(acct, "app", t.Digest)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmpty is the cost of a transaction that does nothing.
func BenchmarkEmpty(b *testing.B) {
	s := open(b, testDSN(b, true))
	defer s.Close()
	ctx := context.Background()
	b.Run("Tx", func(b *testing.B) {
		for range b.N {
			if err := s.Tx(ctx, func(tx store.Tx) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("View", func(b *testing.B) {
		for range b.N {
			if err := s.View(ctx, func(tx store.Tx) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
