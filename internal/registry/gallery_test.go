package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/blob/fs"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/sqlite"
)

// galleryEnv is a registry service over fresh stores with two accounts.
type galleryEnv struct {
	ctx   context.Context
	s     *Service
	st    store.Store
	rootA *authz.Call
	rootB *authz.Call
	userA *authz.Call // an IAM user of account A without policies
	clock time.Time
}

const (
	acctA = "111111111111"
	acctB = "222222222222"
)

func newGalleryEnv(t *testing.T) *galleryEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "wharf.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := fs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	e := &galleryEnv{ctx: ctx, st: db, clock: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	e.s = New(db, blobs, authz.New(), "registry.example", func() time.Time { e.clock = e.clock.Add(time.Minute); return e.clock })
	err = db.Tx(ctx, func(tx store.Tx) error {
		for _, id := range []string{acctA, acctB} {
			if err := tx.Accounts().Create(store.Account{ID: id, CreatedAt: e.clock}); err != nil {
				return err
			}
		}
		return tx.Users().Create(store.User{AccountID: acctA, Name: "bob", ID: "AIDAEXAMPLEBOB000001", Path: "/", CreatedAt: e.clock})
	})
	if err != nil {
		t.Fatal(err)
	}
	call := func(arn string) *authz.Call {
		c, err := policy.CallerFromARN(arn)
		if err != nil {
			t.Fatal(err)
		}
		return &authz.Call{Subject: &authz.Subject{Caller: c}, Region: "us-east-1", Now: e.clock}
	}
	e.rootA = call("arn:aws:iam::" + acctA + ":root")
	e.rootB = call("arn:aws:iam::" + acctB + ":root")
	e.userA = call("arn:aws:iam::" + acctA + ":user/bob")
	return e
}

// push uploads a config and one layer and puts a manifest under tag.
func (e *galleryEnv) push(t *testing.T, call *authz.Call, ref Ref, tag string, layer []byte) digest.Digest {
	t.Helper()
	config := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	var descs []Descriptor
	for _, b := range [][]byte{config, layer} {
		id, err := e.s.StartUpload(e.ctx, call, ref)
		if err != nil {
			t.Fatal(err)
		}
		d := digest.FromBytes(b)
		if _, err := e.s.CompleteUpload(e.ctx, call, ref, id, d, 0, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
		descs = append(descs, Descriptor{Digest: d.String(), Size: int64(len(b))})
	}
	descs[0].MediaType = "application/vnd.oci.image.config.v1+json"
	descs[1].MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
	m, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": MediaTypeOCIManifest, "config": descs[0], "layers": descs[1:]})
	res, err := e.s.PutManifest(e.ctx, call, ref, tag, MediaTypeOCIManifest, m)
	if err != nil {
		t.Fatal(err)
	}
	return res.Digest
}

func (e *galleryEnv) create(t *testing.T, call *authz.Call, name string, in CatalogDataInput) RepositoryInfo {
	t.Helper()
	info, _, err := e.s.CreateRepositoryWithCatalog(e.ctx, call, name, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestGalleryRepositories(t *testing.T) {
	e := newGalleryEnv(t)
	if _, err := e.s.SetRegistryAlias(e.ctx, e.rootA, "alpha"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.SetRegistryAlias(e.ctx, e.rootB, "beta"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.PutRegistryCatalogData(e.ctx, e.rootB, "Beta Corp"); err != nil {
		t.Fatal(err)
	}
	e.create(t, e.rootA, "web/nginx", CatalogDataInput{Description: "An NGINX web server", Architectures: []string{"x86-64"}})
	e.create(t, e.rootA, "tools", CatalogDataInput{})
	e.create(t, e.rootB, "db", CatalogDataInput{Description: "A database"})
	// A repository policy never leaks into the gallery.
	if _, err := e.s.SetRepositoryPolicy(e.ctx, e.rootB, Ref{Account: acctB, Name: "db"},
		`{"Version":"2012-10-17","Statement":[{"Sid":"secret-sid","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acctA+`:root"},"Action":"ecr-public:PutImage"}]}`, true); err != nil {
		t.Fatal(err)
	}

	names := func(rs []GalleryRepository) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Alias+"/"+r.Name)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		query, want string
	}{
		{"", "alpha/tools alpha/web/nginx beta/db"},
		{"NGINX", "alpha/web/nginx"},      // name, any case
		{"web server", "alpha/web/nginx"}, // description
		{"beta", "beta/db"},               // alias
		{"corp", "beta/db"},               // registry display name
		{"database", "beta/db"},
		{"nothing-matches", ""},
	} {
		rs, more, err := e.s.GalleryRepositories(e.ctx, c.query, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(rs); got != c.want || more {
			t.Errorf("GalleryRepositories(%q) = %q (more %v), want %q", c.query, got, more, c.want)
		}
	}
	// Paging.
	rs, more, err := e.s.GalleryRepositories(e.ctx, "", store.Page{Max: 2})
	if err != nil || names(rs) != "alpha/tools alpha/web/nginx" || !more {
		t.Fatalf("page 1 = %q more=%v err=%v", names(rs), more, err)
	}
	rs, more, err = e.s.GalleryRepositories(e.ctx, "", store.Page{Max: 2, Marker: "alpha/web/nginx"})
	if err != nil || names(rs) != "beta/db" || more {
		t.Fatalf("page 2 = %q more=%v err=%v", names(rs), more, err)
	}
	// What the gallery returns carries no account ID, policy or tags.
	b, _ := json.Marshal(rs)
	if strings.Contains(string(b), acctB) || strings.Contains(string(b), "secret-sid") {
		t.Fatalf("gallery data leaks account or policy: %s", b)
	}
	if rs[0].URI != "registry.example/beta/db" || rs[0].DisplayName != "Beta Corp" {
		t.Fatalf("gallery repository = %+v", rs[0])
	}
}

func TestGalleryRepository(t *testing.T) {
	e := newGalleryEnv(t)
	logo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	info := e.create(t, e.rootA, "app", CatalogDataInput{Description: "d", AboutText: "# About", UsageText: "run it", Logo: logo})
	ref := Ref{Account: acctA, Name: "app"}
	d1 := e.push(t, e.rootA, ref, "v1", []byte("layer one"))
	d2 := e.push(t, e.rootA, ref, "latest", []byte("layer two, longer"))

	g, err := e.s.GalleryRepository(e.ctx, info.Alias, "app")
	if err != nil {
		t.Fatal(err)
	}
	if g.Catalog.AboutText != "# About" || g.Catalog.UsageText != "run it" || g.Catalog.LogoDigest != digest.FromBytes(logo).String() {
		t.Fatalf("catalog = %+v", g.Catalog)
	}
	if len(g.Tags) != 2 || g.Tags[0].Tag != "latest" || g.Tags[0].Digest != d2.String() || g.Tags[1].Digest != d1.String() {
		t.Fatalf("tags (want newest first) = %+v", g.Tags)
	}
	if g.Tags[0].Size <= 0 || g.Tags[0].MediaType != MediaTypeOCIManifest || g.Tags[0].PushedAt.IsZero() {
		t.Fatalf("tag detail = %+v", g.Tags[0])
	}

	got, dg, err := e.s.GalleryLogo(e.ctx, info.Alias, "app")
	if err != nil || !bytes.Equal(got, logo) || dg != digest.FromBytes(logo).String() {
		t.Fatalf("GalleryLogo = %d bytes, %s, %v", len(got), dg, err)
	}

	for _, c := range []struct {
		alias, name string
		kind        errs.Kind
	}{
		{info.Alias, "missing", errs.NotFound},
		{"nosuchalias", "app", errs.NotFound},
		{info.Alias, "UPPER", errs.Invalid},
		{"A", "app", errs.Invalid},
	} {
		if _, err := e.s.GalleryRepository(e.ctx, c.alias, c.name); !errs.Is(err, c.kind) {
			t.Errorf("GalleryRepository(%q, %q) = %v, want kind %v", c.alias, c.name, err, c.kind)
		}
	}
	e.create(t, e.rootA, "nologo", CatalogDataInput{})
	if _, _, err := e.s.GalleryLogo(e.ctx, info.Alias, "nologo"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("GalleryLogo without a logo = %v, want NotFound", err)
	}
}

func TestSetRegistryAlias(t *testing.T) {
	e := newGalleryEnv(t)
	for _, bad := range []string{"a", "Upper", "1abc", "ab--c", "ab-", strings.Repeat("a", 51), "with/slash"} {
		_, err := e.s.SetRegistryAlias(e.ctx, e.rootA, bad)
		wantCode(t, err, CodeInvalidParameter)
	}
	info, err := e.s.SetRegistryAlias(e.ctx, e.rootA, "my-team")
	if err != nil || info.Alias != "my-team" || info.URI != "registry.example/my-team" {
		t.Fatalf("SetRegistryAlias = %+v, %v", info, err)
	}
	// The same alias again is fine; another registry's is not.
	if _, err := e.s.SetRegistryAlias(e.ctx, e.rootA, "my-team"); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.SetRegistryAlias(e.ctx, e.rootB, "my-team")
	wantCode(t, err, CodeRegistryAliasAlreadyExists)
	// A user without ecr-public:PutRegistryCatalogData is denied, and
	// nothing changes.
	_, err = e.s.SetRegistryAlias(e.ctx, e.userA, "other")
	if !errs.Is(err, errs.Denied) || !strings.Contains(err.Error(), "ecr-public:PutRegistryCatalogData") {
		t.Fatalf("user without permission: %v", err)
	}
	reg, err := e.s.DescribeRegistry(e.ctx, e.rootA)
	if err != nil || reg.Alias != "my-team" {
		t.Fatalf("after the denied change: %+v, %v", reg, err)
	}
	// Repository URIs follow the alias.
	e.create(t, e.rootA, "app", CatalogDataInput{})
	if _, err := e.s.SetRegistryAlias(e.ctx, e.rootA, "renamed"); err != nil {
		t.Fatal(err)
	}
	r, err := e.s.GetRepository(e.ctx, e.rootA, Ref{Account: acctA, Name: "app"})
	if err != nil || r.URI != "registry.example/renamed/app" {
		t.Fatalf("repository after the rename: %+v, %v", r, err)
	}
	if _, err := e.s.GalleryRepository(e.ctx, "my-team", "app"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("old alias still resolves: %v", err)
	}
}

// TestListRepositoriesEmptyAccountAuthorizes: listing an account without
// repositories still asks whether the caller may describe them, so a caller
// without permission gets AccessDenied rather than an empty list.
func TestListRepositoriesEmptyAccountAuthorizes(t *testing.T) {
	e := newGalleryEnv(t)
	if _, _, err := e.s.ListRepositories(e.ctx, e.userA, acctA, store.Page{}); !errs.Is(err, errs.Denied) {
		t.Fatalf("a user without policies listing an empty account: %v, want AccessDenied", err)
	}
	rs, more, err := e.s.ListRepositories(e.ctx, e.rootA, acctA, store.Page{})
	if err != nil || len(rs) != 0 || more {
		t.Fatalf("the root listing its empty account: %v, %v, %v", rs, more, err)
	}
	if _, _, err := e.s.ListRepositories(e.ctx, nil, acctA, store.Page{}); err == nil {
		t.Fatal("an anonymous caller listed the account's repositories")
	}
}

// TestPurgeUploads: PurgeUploads forgets uploads started before its time
// and keeps younger ones; a client still holding a forgotten upload gets
// BLOB_UPLOAD_UNKNOWN, as for any upload that is gone.
func TestPurgeUploads(t *testing.T) {
	e := newGalleryEnv(t)
	ref := Ref{Account: acctA, Name: "app"}
	e.create(t, e.rootA, ref.Name, CatalogDataInput{})
	old, err := e.s.StartUpload(e.ctx, e.rootA, ref)
	if err != nil {
		t.Fatal(err)
	}
	cutoff := e.clock.Add(30 * time.Second) // the clock ticks a minute per read
	young, err := e.s.StartUpload(e.ctx, e.rootA, ref)
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.s.PurgeUploads(e.ctx, cutoff)
	if err != nil || n != 1 {
		t.Fatalf("PurgeUploads = %d, %v; want 1", n, err)
	}
	_, err = e.s.AppendUpload(e.ctx, e.rootA, ref, old, 0, strings.NewReader("late"))
	wantCode(t, err, CodeUploadUnknown)
	b := []byte("young")
	if _, err := e.s.CompleteUpload(e.ctx, e.rootA, ref, young, digest.FromBytes(b), 0, bytes.NewReader(b)); err != nil {
		t.Fatalf("completing the upload started after the cutoff: %v", err)
	}
}
