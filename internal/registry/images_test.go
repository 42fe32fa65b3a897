package registry

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/postgres"
	"github.com/wharf-project/wharf/internal/store/sqlite"
	"github.com/wharf-project/wharf/internal/testenv"
)

// TestDescribeImagesBatched checks DescribeImages and DescribeImageTags,
// which look tags and manifests up in batches, against the store read one
// manifest and one tag at a time: the same images, tags, order and pages.
func TestDescribeImagesBatched(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "wharf.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
		"postgres": func(t *testing.T) store.Store {
			st, err := postgres.Open(context.Background(), testenv.Postgres(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) { testDescribeImagesBatched(t, open(t)) })
	}
}

func testDescribeImagesBatched(t *testing.T, st store.Store) {
	ctx := context.Background()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	ref := Ref{Account: acctA, Name: "app"}
	var digests []string
	err := st.Tx(ctx, func(tx store.Tx) error {
		for _, id := range []string{acctA, acctB} {
			if err := tx.Accounts().Create(store.Account{ID: id, CreatedAt: now}); err != nil {
				return err
			}
		}
		r := tx.Registry()
		for _, repo := range []store.Repository{{AccountID: acctA, Name: "app"}, {AccountID: acctA, Name: "web"}, {AccountID: acctB, Name: "app"}} {
			if err := r.CreateRepository(repo); err != nil {
				return err
			}
		}
		// 25 manifests: some untagged, some with several tags in an
		// order other than byte order, one an index; the same digests in
		// other repositories with tags of their own.
		for i := range 25 {
			d := fmt.Sprintf("sha256:%064x", (i*7919)%1000)
			digests = append(digests, d)
			m := store.Manifest{AccountID: acctA, Repository: "app", Digest: d, MediaType: "application/vnd.oci.image.manifest.v1+json",
				ArtifactType: "application/vnd.oci.image.config.v1+json", Content: []byte(fmt.Sprint(`{"i":`, i, `}`)),
				Blobs: []string{d}, ImageSize: int64(100 * i), PushedAt: now.Add(time.Duration(i) * time.Minute)}
			if i == 3 {
				m.MediaType, m.ArtifactType, m.Blobs, m.Manifests = "application/vnd.oci.image.index.v1+json", "", nil, digests[:2]
			}
			for _, in := range []store.Manifest{m, {AccountID: acctA, Repository: "web", Digest: d}, {AccountID: acctB, Repository: "app", Digest: d}} {
				if err := r.PutManifest(in); err != nil {
					return err
				}
			}
			if err := r.PutTag(acctA, "web", store.ImageTag{Name: fmt.Sprint("web", i), Digest: d}); err != nil {
				return err
			}
			if err := r.PutTag(acctB, "app", store.ImageTag{Name: fmt.Sprint("b", i), Digest: d}); err != nil {
				return err
			}
			for j := range i % 4 {
				name := []string{"v", "Latest", "1.0-rc", "_x"}[j] + fmt.Sprint(i)
				if err := r.PutTag(acctA, "app", store.ImageTag{Name: name, Digest: d, CreatedAt: now.Add(time.Duration(j) * time.Second)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := policy.CallerFromARN("arn:aws:iam::" + acctA + ":root")
	if err != nil {
		t.Fatal(err)
	}
	call := &authz.Call{Subject: &authz.Subject{Caller: c}, Region: "us-east-1", Now: now}
	s := New(st, nil, authz.New(), "registry.example", func() time.Time { return now })

	// The reference: the store read one manifest, one tag at a time.
	var wantImages []ImageDetail
	var wantTags []TagDetail
	err = store.View(ctx, st, func(tx store.Tx) error {
		r := tx.Registry()
		ms, _, err := r.ListManifests(acctA, "app", store.Page{Max: 1000})
		if err != nil {
			return err
		}
		for _, m := range ms {
			tags, err := r.TagsOf(acctA, "app", m.Digest)
			if err != nil {
				return err
			}
			wantImages = append(wantImages, imageDetail(m, tags))
		}
		ts, _, err := r.ListTags(acctA, "app", store.Page{Max: 1000})
		if err != nil {
			return err
		}
		for _, tg := range ts {
			m, err := r.GetManifest(acctA, "app", tg.Digest)
			if err != nil {
				return err
			}
			wantTags = append(wantTags, TagDetail{Tag: tg.Name, CreatedAt: tg.CreatedAt, Image: imageDetail(m, nil)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(wantImages) != 25 || len(wantTags) != 36 {
		t.Fatalf("fixture: %d images, %d tags", len(wantImages), len(wantTags))
	}

	for _, size := range []int{1, 7, 25, 1000} {
		var images []ImageDetail
		p := store.Page{Max: size}
		for {
			ds, more, err := s.DescribeImages(ctx, call, ref, nil, p)
			if err != nil {
				t.Fatal(err)
			}
			images = append(images, ds...)
			if !more {
				break
			}
			p.Marker = ds[len(ds)-1].Digest
		}
		if got, want := fmt.Sprint(images), fmt.Sprint(wantImages); got != want {
			t.Errorf("DescribeImages by %d:\n got %s\nwant %s", size, got, want)
		}
		var tags []TagDetail
		p = store.Page{Max: size}
		for {
			ts, more, err := s.DescribeImageTags(ctx, call, ref, p)
			if err != nil {
				t.Fatal(err)
			}
			tags = append(tags, ts...)
			if !more {
				break
			}
			p.Marker = ts[len(ts)-1].Tag
		}
		if got, want := fmt.Sprint(tags), fmt.Sprint(wantTags); got != want {
			t.Errorf("DescribeImageTags by %d:\n got %s\nwant %s", size, got, want)
		}
	}

	// By ID: in the order asked, each image once, with all its tags.
	byDigest := map[string]ImageDetail{}
	for _, d := range wantImages {
		byDigest[d.Digest] = d
	}
	ids := []ImageID{{Digest: digests[5]}, {Tag: "v1"}, {Digest: digests[2]}, {Tag: "Latest2", Digest: digests[2]}, {Digest: digests[0]}}
	got, more, err := s.DescribeImages(ctx, call, ref, ids, store.Page{})
	if err != nil || more {
		t.Fatalf("DescribeImages by ID: more = %v, %v", more, err)
	}
	want := []ImageDetail{byDigest[digests[5]], byDigest[digests[1]], byDigest[digests[2]], byDigest[digests[0]]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("DescribeImages by ID:\n got %v\nwant %v", got, want)
	}
	if len(got[3].Tags) != 0 || len(got[2].Tags) != 2 {
		t.Errorf("DescribeImages by ID: tags %q and %q, want none and two", got[3].Tags, got[2].Tags)
	}
	_, _, err = s.DescribeImages(ctx, call, ref, []ImageID{{Digest: digests[0]}, {Tag: "missing"}}, store.Page{})
	wantCode(t, err, CodeImageNotFound)

	// An empty repository is no images and no tags.
	if err := st.Tx(ctx, func(tx store.Tx) error {
		return tx.Registry().CreateRepository(store.Repository{AccountID: acctA, Name: "empty"})
	}); err != nil {
		t.Fatal(err)
	}
	empty := Ref{Account: acctA, Name: "empty"}
	if ds, more, err := s.DescribeImages(ctx, call, empty, nil, store.Page{}); ds != nil || more || err != nil {
		t.Errorf("DescribeImages of an empty repository = %v, %v, %v", ds, more, err)
	}
	if ts, more, err := s.DescribeImageTags(ctx, call, empty, store.Page{}); ts != nil || more || err != nil {
		t.Errorf("DescribeImageTags of an empty repository = %v, %v, %v", ts, more, err)
	}
}
