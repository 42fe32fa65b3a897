package gc_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/blob/blobtest"
	blobfs "github.com/wharf-project/wharf/internal/blob/fs"
	blobs3 "github.com/wharf-project/wharf/internal/blob/s3"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/gc"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/registry"
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

const acct = "111111111111"

// env is a registry service and a collector over fresh stores.
type env struct {
	t     *testing.T
	ctx   context.Context
	st    store.Store
	blobs blob.Store
	reg   *registry.Service
	c     *gc.Collector
	root  *authz.Call
}

// backends are the two deployments: embedded and scale-out.
var backends = []struct {
	name string
	open func(t *testing.T) (store.Store, blob.Store)
}{
	{"sqlite+fs", func(t *testing.T) (store.Store, blob.Store) {
		dir := t.TempDir()
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, "wharf.db"))
		if err != nil {
			t.Fatal(err)
		}
		bs, err := blobfs.New(filepath.Join(dir, "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		return st, bs
	}},
	{"postgres+s3", func(t *testing.T) (store.Store, blob.Store) {
		dsn := testenv.Postgres(t)
		b := testenv.S3(t)
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		bs, err := blobs3.New(context.Background(), blobs3.Config{Bucket: b.Bucket, Prefix: b.Prefix, Endpoint: b.Endpoint, Region: b.Region,
			PathStyle: true, AccessKeyID: b.AccessKey, SecretAccessKey: b.SecretKey})
		if err != nil {
			st.Close()
			t.Fatal(err)
		}
		return st, bs
	}},
}

// each runs fn on a fresh env of each backend.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st, bs := b.open(t)
			t.Cleanup(func() { st.Close() })
			ctx := context.Background()
			e := &env{t: t, ctx: ctx, st: st, blobs: bs}
			e.reg = registry.New(st, bs, authz.New(), "registry.example", time.Now)
			e.c = &gc.Collector{Store: st, Blobs: bs, Batch: 3} // small pages: paging is exercised
			if err := st.Tx(ctx, func(tx store.Tx) error {
				return tx.Accounts().Create(store.Account{ID: acct, Alias: "alias", CreatedAt: time.Now()})
			}); err != nil {
				t.Fatal(err)
			}
			c, err := policy.CallerFromARN("arn:aws:iam::" + acct + ":root")
			if err != nil {
				t.Fatal(err)
			}
			e.root = &authz.Call{Subject: &authz.Subject{Caller: c}, Region: "us-east-1", Now: time.Now()}
			fn(t, e)
		})
	}
}

func (e *env) repo(name string) registry.Ref {
	e.t.Helper()
	if _, err := e.reg.CreateRepository(e.ctx, e.root, registry.CreateRepositoryInput{Name: name}); err != nil {
		e.t.Fatal(err)
	}
	return registry.Ref{Account: acct, Name: name}
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// upload puts a blob into a repository as a client does.
func (e *env) upload(ref registry.Ref, b []byte) (registry.Descriptor, error) {
	id, err := e.reg.StartUpload(e.ctx, e.root, ref)
	if err != nil {
		return registry.Descriptor{}, err
	}
	d := digest.FromBytes(b)
	if _, err := e.reg.CompleteUpload(e.ctx, e.root, ref, id, d, 0, bytes.NewReader(b)); err != nil {
		return registry.Descriptor{}, err
	}
	return registry.Descriptor{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Digest: d.String(), Size: int64(len(b))}, nil
}

// image is a manifest's blobs: a config and layers.
type image struct {
	config []byte
	layers [][]byte
}

func newImage(layers ...[]byte) image {
	return image{config: []byte(fmt.Sprintf(`{"architecture":"amd64","os":"linux","nonce":%q}`, random(8))), layers: layers}
}

func (im image) blobs() [][]byte { return append([][]byte{im.config}, im.layers...) }

func (im image) size() (n int64) {
	for _, b := range im.blobs() {
		n += int64(len(b))
	}
	return n
}

// tryPush uploads an image's blobs and puts its manifest (with subject,
// when not ""), under reference (a tag, or "" for by digest).
func (e *env) tryPush(ref registry.Ref, reference string, im image, subject *registry.Descriptor) (digest.Digest, error) {
	var descs []registry.Descriptor
	for _, b := range im.blobs() {
		d, err := e.upload(ref, b)
		if err != nil {
			return "", err
		}
		descs = append(descs, d)
	}
	descs[0].MediaType = "application/vnd.oci.image.config.v1+json"
	doc := map[string]any{"schemaVersion": 2, "mediaType": registry.MediaTypeOCIManifest, "config": descs[0], "layers": descs[1:]}
	if subject != nil {
		doc["subject"] = subject
	}
	m, _ := json.Marshal(doc)
	if reference == "" {
		reference = digest.FromBytes(m).String()
	}
	res, err := e.reg.PutManifest(e.ctx, e.root, ref, reference, registry.MediaTypeOCIManifest, m)
	return res.Digest, err
}

func (e *env) push(ref registry.Ref, reference string, im image) digest.Digest {
	e.t.Helper()
	d, err := e.tryPush(ref, reference, im, nil)
	if err != nil {
		e.t.Fatalf("push %s:%s: %v", ref.Name, reference, err)
	}
	return d
}

func (e *env) pushIndex(ref registry.Ref, reference string, children ...digest.Digest) digest.Digest {
	e.t.Helper()
	var descs []registry.Descriptor
	for _, c := range children {
		m, err := e.reg.GetManifest(e.ctx, ref, c.String())
		if err != nil {
			e.t.Fatal(err)
		}
		descs = append(descs, registry.Descriptor{MediaType: m.MediaType, Digest: c.String(), Size: int64(len(m.Content))})
	}
	b, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": registry.MediaTypeOCIIndex, "manifests": descs})
	if reference == "" {
		reference = digest.FromBytes(b).String()
	}
	res, err := e.reg.PutManifest(e.ctx, e.root, ref, reference, registry.MediaTypeOCIIndex, b)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Digest
}

func (e *env) deleteManifest(ref registry.Ref, reference string) {
	e.t.Helper()
	if err := e.reg.DeleteManifest(e.ctx, e.root, ref, reference); err != nil {
		e.t.Fatalf("delete %s@%s: %v", ref.Name, reference, err)
	}
}

// sweep runs a dry run then a real one, checks they agree, and returns the
// real one's report.
func (e *env) sweep(opts gc.Options) gc.Report {
	e.t.Helper()
	opts.DryRun = true
	dry, err := e.c.Sweep(e.ctx, opts)
	if err != nil {
		e.t.Fatalf("dry run: %v", err)
	}
	opts.DryRun = false
	real, err := e.c.Sweep(e.ctx, opts)
	if err != nil {
		e.t.Fatalf("sweep: %v", err)
	}
	if !dry.DryRun || real.DryRun {
		e.t.Errorf("DryRun flags: %v, %v", dry.DryRun, real.DryRun)
	}
	dry.DryRun, dry.Duration, real.Duration = false, 0, 0
	if dry != real {
		e.t.Errorf("the dry run reported %+v, the sweep then did %+v", dry, real)
	}
	return real
}

// verify pulls the image by reference, blob by blob.
func (e *env) verify(ref registry.Ref, reference string) error {
	m, err := e.reg.GetManifest(e.ctx, ref, reference)
	if err != nil {
		return err
	}
	for _, b := range m.Blobs {
		rd, err := e.reg.OpenBlob(e.ctx, ref, digest.Digest(b))
		if err != nil {
			return fmt.Errorf("blob %s: %w", b, err)
		}
		got, err := digest.FromReader(rd)
		rd.Close()
		if err != nil || got.String() != b {
			return fmt.Errorf("blob %s reads as %s (%v)", b, got, err)
		}
	}
	return nil
}

func (e *env) mustVerify(ref registry.Ref, reference string) {
	e.t.Helper()
	if err := e.verify(ref, reference); err != nil {
		e.t.Errorf("image %s:%s: %v", ref.Name, reference, err)
	}
}

// stored reports whether the blob store has b.
func (e *env) stored(b []byte) bool {
	e.t.Helper()
	_, err := e.blobs.Stat(e.ctx, digest.FromBytes(b))
	if err != nil && !errors.Is(err, blob.ErrNotFound) {
		e.t.Fatal(err)
	}
	return err == nil
}

func checkReport(t *testing.T, got gc.Report, manifests, links, blobs int, bytes int64) {
	t.Helper()
	if got.ManifestsRemoved != manifests || got.LinksRemoved != links || got.BlobsDeleted != blobs || got.BytesFreed != bytes || got.MissingContent != 0 {
		t.Errorf("report %+v; want %d manifests, %d links, %d blobs, %d bytes", got, manifests, links, blobs, bytes)
	}
}

// TestDeletedImage: the blobs only a deleted image used go; a layer another
// image shares stays, and the other image pulls whole.
func TestDeletedImage(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		app, web := e.repo("app"), e.repo("web")
		shared := random(3000)
		a := newImage(random(1000), shared)
		b := newImage(random(2000), shared)
		w := newImage(a.layers[0]) // the same bytes in another repository
		aD := e.push(app, "a", a)
		e.push(app, "b", b)
		e.push(web, "w", w)
		checkReport(t, e.sweep(gc.Options{}), 0, 0, 0, 0)

		e.deleteManifest(app, aD.String())
		rep := e.sweep(gc.Options{})
		// a's config and its first layer are unlinked from app; the
		// config's content goes, the layer's stays (web links it).
		checkReport(t, rep, 0, 2, 1, int64(len(a.config)))
		if e.stored(a.config) || !e.stored(a.layers[0]) || !e.stored(shared) {
			t.Errorf("after the sweep: a's config stored %v, its layer %v, the shared layer %v", e.stored(a.config), e.stored(a.layers[0]), e.stored(shared))
		}
		e.mustVerify(app, "b")
		e.mustVerify(web, "w")
		if _, err := e.reg.BlobSize(e.ctx, app, digest.FromBytes(a.layers[0])); err == nil {
			t.Errorf("a's layer is still linked to app")
		}
		checkReport(t, e.sweep(gc.Options{}), 0, 0, 0, 0)

		// Pushing a again brings everything back.
		e.push(app, "a", a)
		e.mustVerify(app, "a")
		checkReport(t, e.sweep(gc.Options{}), 0, 0, 0, 0)
	})
}

// TestGrace: young links stay; content stays until it has been
// unreferenced for the grace period, counted from the sweep that found it so.
func TestGrace(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		app := e.repo("app")
		a := newImage(random(1000))
		e.deleteManifest(app, e.push(app, "a", a).String())
		checkReport(t, e.sweep(gc.Options{Grace: time.Hour}), 0, 0, 0, 0)

		var offset atomic.Int64
		e.c.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		offset.Store(int64(2 * time.Hour))
		// The links are old enough now; the content has just been found
		// unreferenced.
		checkReport(t, e.sweep(gc.Options{Grace: time.Hour}), 0, 2, 0, 0)
		offset.Store(int64(2*time.Hour + 59*time.Minute))
		checkReport(t, e.sweep(gc.Options{Grace: time.Hour}), 0, 0, 0, 0)
		if !e.stored(a.config) {
			t.Fatalf("content deleted before its grace period")
		}
		offset.Store(int64(3*time.Hour + time.Minute))
		checkReport(t, e.sweep(gc.Options{Grace: time.Hour}), 0, 0, 2, a.size())
		if e.stored(a.config) || e.stored(a.layers[0]) {
			t.Errorf("content still stored after its grace period")
		}
	})
}

// TestRepushDuringGrace: a blob pushed again after the sweep that marked it
// survives the next sweep, as does the image.
func TestRepushDuringGrace(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		app := e.repo("app")
		a := newImage(random(1000))
		e.deleteManifest(app, e.push(app, "a", a).String())
		var offset atomic.Int64
		e.c.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		offset.Store(int64(2 * time.Hour))
		checkReport(t, e.sweep(gc.Options{Grace: time.Hour}), 0, 2, 0, 0) // marked
		e.push(app, "a", a)
		offset.Store(int64(4 * time.Hour))
		checkReport(t, e.sweep(gc.Options{Grace: time.Hour}), 0, 0, 0, 0)
		e.mustVerify(app, "a")
	})
}

// TestUntagged: untagged manifests stay by default; with DeleteUntagged
// those no index lists and that refer to no kept manifest go, an index
// before its children, a subject before its referrers.
func TestUntagged(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		app := e.repo("app")
		kept := newImage(random(100))
		keptD := e.push(app, "kept", kept)
		loose := newImage(random(200))
		looseD := e.push(app, "", loose)
		child := newImage(random(300))
		childD := e.push(app, "", child)
		e.pushIndex(app, "", childD)
		sig := newImage(random(50))
		if _, err := e.tryPush(app, "", sig, &registry.Descriptor{MediaType: registry.MediaTypeOCIManifest, Digest: keptD.String(), Size: 1}); err != nil {
			t.Fatal(err)
		}
		orphanSig := newImage(random(60))
		if _, err := e.tryPush(app, "", orphanSig, &registry.Descriptor{MediaType: registry.MediaTypeOCIManifest, Digest: looseD.String(), Size: 1}); err != nil {
			t.Fatal(err)
		}
		checkReport(t, e.sweep(gc.Options{}), 0, 0, 0, 0)
		checkReport(t, e.sweep(gc.Options{DeleteUntagged: true, Grace: time.Hour}), 0, 0, 0, 0)
		rep := e.sweep(gc.Options{DeleteUntagged: true})
		gone := loose.size() + child.size() + orphanSig.size()
		checkReport(t, rep, 4, 6, 6, gone)
		e.mustVerify(app, "kept")
		if err := e.verify(app, "sha256:"+keptD.Encoded()); err != nil {
			t.Error(err)
		}
		refs, err := e.reg.Referrers(e.ctx, app, keptD, "")
		if err != nil || len(refs) != 1 {
			t.Errorf("referrers of the kept image: %v, %v", refs, err)
		}
		for _, d := range []digest.Digest{looseD, childD} {
			if _, err := e.reg.GetManifest(e.ctx, app, d.String()); !errs.Is(err, errs.NotFound) {
				t.Errorf("manifest %s after the sweep: %v", d, err)
			}
		}
	})
}

// TestDeletedRepository: blobs whose last link went with a repository go.
func TestDeletedRepository(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		gone, kept := e.repo("gone"), e.repo("kept")
		shared := random(500)
		g := newImage(random(700), shared)
		k := newImage(shared)
		e.push(gone, "g", g)
		e.push(kept, "k", k)
		if _, err := e.reg.DeleteRepository(e.ctx, e.root, gone, true); err != nil {
			t.Fatal(err)
		}
		checkReport(t, e.sweep(gc.Options{}), 0, 0, 2, int64(len(g.config)+len(g.layers[0])))
		if !e.stored(shared) {
			t.Errorf("the shared layer went")
		}
		e.mustVerify(kept, "k")
	})
}

// TestLogo: a repository's logo is kept without any image; a replaced one goes.
func TestLogo(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		logo := random(400)
		if _, _, err := e.reg.CreateRepositoryWithCatalog(e.ctx, e.root, "app", registry.CatalogDataInput{Logo: logo}, nil); err != nil {
			t.Fatal(err)
		}
		app := registry.Ref{Account: acct, Name: "app"}
		checkReport(t, e.sweep(gc.Options{}), 0, 0, 0, 0)
		if !e.stored(logo) {
			t.Fatal("the logo went")
		}
		newLogo := random(300)
		if _, err := e.reg.PutRepositoryCatalogData(e.ctx, e.root, app, registry.CatalogDataInput{Logo: newLogo}); err != nil {
			t.Fatal(err)
		}
		checkReport(t, e.sweep(gc.Options{}), 0, 0, 1, int64(len(logo)))
		if e.stored(logo) || !e.stored(newLogo) {
			t.Errorf("after replacing the logo: old stored %v, new %v", e.stored(logo), e.stored(newLogo))
		}
	})
}

// TestDeleteBlobInUse: a blob an image uses cannot be unlinked.
func TestDeleteBlobInUse(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		app := e.repo("app")
		a := newImage(random(100))
		aD := e.push(app, "a", a)
		err := e.reg.DeleteBlob(e.ctx, e.root, app, digest.FromBytes(a.layers[0]))
		var ce *errs.Error
		if !errors.As(err, &ce) || ce.Code != registry.CodeBlobReferenced {
			t.Fatalf("DeleteBlob of a layer an image uses: %v", err)
		}
		e.deleteManifest(app, aD.String())
		if err := e.reg.DeleteBlob(e.ctx, e.root, app, digest.FromBytes(a.layers[0])); err != nil {
			t.Fatalf("DeleteBlob once the image went: %v", err)
		}
		checkReport(t, e.sweep(gc.Options{}), 0, 1, 2, a.size())
	})
}

// TestAbandonedTombstone: content a dead sweep tombstoned is deleted by a
// later one, and a push after that works.
func TestAbandonedTombstone(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		app := e.repo("app")
		a := newImage(random(100))
		e.deleteManifest(app, e.push(app, "a", a).String())
		e.sweep(gc.Options{Grace: 0}) // everything of a goes
		// A dead sweep's tombstone over content that is still there.
		layer := random(800)
		d := digest.FromBytes(layer)
		past := time.Now().Add(-store.TombstoneLifetime - time.Minute)
		if err := e.st.Tx(e.ctx, func(tx store.Tx) error {
			if err := tx.Blobs().Hold(d.String(), int64(len(layer)), past); err != nil {
				return err
			}
			if _, err := tx.GC().MarkUnreferenced([]string{d.String()}, past); err != nil {
				return err
			}
			_, ok, err := tx.GC().Tombstone(d.String(), past, past)
			if err == nil && !ok {
				err = errors.New("not tombstoned")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		blobtest.Put(t, e.ctx, e.blobs, "abandoned", layer)
		checkReport(t, e.sweep(gc.Options{Grace: time.Hour}), 0, 0, 1, int64(len(layer)))
		if e.stored(layer) {
			t.Error("the abandoned tombstone's content is still there")
		}
		e.push(app, "b", newImage(layer))
		e.mustVerify(app, "b")
	})
}

// orphan writes b straight into the blob store, as content stored before
// blob records existed, or left by a crash: no record, no link.
func (e *env) orphan(b []byte) {
	e.t.Helper()
	blobtest.Put(e.t, e.ctx, e.blobs, "orphan-"+digest.FromBytes(b).Encoded()[:16], b)
}

// blobRecords returns the blob records (all of a test's, in one page).
func (e *env) blobRecords() []store.BlobRecord {
	e.t.Helper()
	var recs []store.BlobRecord
	if err := e.st.Tx(e.ctx, func(tx store.Tx) error {
		var err error
		recs, _, err = tx.GC().BlobRecords(store.Page{Max: 10000})
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return recs
}

// records counts the blob records.
func (e *env) records() int { return len(e.blobRecords()) }

// TestScanStore: content without a record stays until a sweep scans the
// blob store; the scan adopts it (a dry run only counts it), and a sweep
// once the grace period is over deletes it, never the one that adopted it,
// even without a grace period. Pushed images are untouched.
func TestScanStore(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		app := e.repo("app")
		a := newImage(random(1000), random(2000))
		e.push(app, "a", a)
		orphan := random(700)
		e.orphan(orphan)
		checkReport(t, e.sweep(gc.Options{}), 0, 0, 0, 0)
		if !e.stored(orphan) {
			t.Fatal("a sweep without a scan deleted content without a record")
		}

		var offset atomic.Int64
		e.c.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		scan := func(opts gc.Options) gc.Report {
			t.Helper()
			opts.ScanStore = true
			rep, err := e.c.Sweep(e.ctx, opts)
			if err != nil {
				t.Fatalf("sweep %+v: %v", opts, err)
			}
			return rep
		}
		n := e.records()
		if rep := scan(gc.Options{DryRun: true, Grace: time.Hour}); rep.Adopted != 1 || e.records() != n {
			t.Errorf("dry run: adopted %d, %d records; want 1 adopted, %d records", rep.Adopted, e.records(), n)
		}
		rep := scan(gc.Options{Grace: time.Hour})
		checkReport(t, rep, 0, 0, 0, 0)
		if rep.Adopted != 1 || e.records() != n+1 || rep.Records != n+1 {
			t.Errorf("sweep: adopted %d, %d records (%d looked at); want 1 adopted, %d records", rep.Adopted, e.records(), rep.Records, n+1)
		}
		if rep := scan(gc.Options{Grace: time.Hour}); rep.Adopted != 0 {
			t.Errorf("a second scan adopted %d", rep.Adopted)
		}
		offset.Store(int64(59 * time.Minute))
		checkReport(t, e.sweep(gc.Options{Grace: time.Hour}), 0, 0, 0, 0)
		if !e.stored(orphan) {
			t.Fatal("adopted content deleted before its grace period")
		}
		offset.Store(int64(61 * time.Minute))
		checkReport(t, e.sweep(gc.Options{Grace: time.Hour}), 0, 0, 1, int64(len(orphan)))
		if e.stored(orphan) || e.records() != n {
			t.Errorf("after the grace period: adopted content stored %v, %d records, want %d", e.stored(orphan), e.records(), n)
		}

		// Without a grace period, adopted content goes on the next sweep.
		orphan = random(300)
		e.orphan(orphan)
		rep = scan(gc.Options{})
		checkReport(t, rep, 0, 0, 0, 0)
		if rep.Adopted != 1 || !e.stored(orphan) {
			t.Errorf("a scan without a grace period: adopted %d, content stored %v; want 1, stored", rep.Adopted, e.stored(orphan))
		}
		checkReport(t, e.sweep(gc.Options{}), 0, 0, 1, int64(len(orphan)))
		if e.stored(orphan) {
			t.Error("adopted content outlived the sweep after the scan")
		}
		e.mustVerify(app, "a")
		if got := e.records(); got != len(a.blobs()) {
			t.Errorf("%d records left, want the image's %d", got, len(a.blobs()))
		}
	})
}

// TestLock: one sweep at a time.
func TestLock(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		l, ok := e.st.(store.Locker)
		if !ok {
			t.Fatal("the store is not a Locker")
		}
		unlock, ok, err := l.TryLock(e.ctx, gc.LockName)
		if err != nil || !ok {
			t.Fatalf("TryLock: %v, %v", ok, err)
		}
		if _, err := e.c.Sweep(e.ctx, gc.Options{}); !errors.Is(err, gc.ErrLocked) {
			t.Errorf("Sweep while another holds the lock: %v", err)
		}
		unlock()
		if _, err := e.c.Sweep(e.ctx, gc.Options{}); err != nil {
			t.Errorf("Sweep after: %v", err)
		}
	})
}

// TestConcurrent: clients push, delete and push again while sweeps run back
// to back, with a short grace period and with none. Without one, a push may
// fail, cleanly (its blob went between its upload and its manifest), and
// its retry succeed. Every image pushed and not deleted then pulls whole,
// blob by blob, and a last sweep leaves exactly their blobs in the blob store.
func TestConcurrent(t *testing.T) {
	for _, grace := range []time.Duration{300 * time.Millisecond, 0} {
		t.Run(fmt.Sprint("grace ", grace), func(t *testing.T) { concurrent(t, grace) })
	}
}

func concurrent(t *testing.T, grace time.Duration) {
	each(t, func(t *testing.T, e *env) {
		const workers, rounds = 4, 12
		base := random(4000) // every image's first layer
		repos := make([]registry.Ref, workers)
		for i := range repos {
			repos[i] = e.repo(fmt.Sprintf("r%d", i))
		}
		ctx, cancel := context.WithCancel(e.ctx)
		var sweeps, retries atomic.Int64
		var freed atomic.Int64
		var sweepErr error
		swept := make(chan struct{})
		go func() {
			defer close(swept)
			for ctx.Err() == nil {
				rep, err := e.c.Sweep(ctx, gc.Options{DeleteUntagged: true, Grace: grace})
				if err != nil && ctx.Err() == nil {
					sweepErr = err
					return
				}
				sweeps.Add(1)
				freed.Add(rep.BytesFreed)
				if grace == 0 {
					// Without a grace period, back-to-back sweeps can take
					// every blob of a push before its manifest, however often
					// it tries; a pause lets pushes through (safety is the
					// point here, not how long a push takes).
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
		type pushed struct {
			ref registry.Ref
			tag string
			im  image
		}
		var mu sync.Mutex
		live := map[string]pushed{}
		var wg sync.WaitGroup
		errc := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				push := func(ref registry.Ref, tag string, im image) error {
					for attempt := 1; ; attempt++ {
						_, err := e.tryPush(ref, tag, im, nil)
						var ce *errs.Error
						if err == nil || attempt == 100 || !errors.As(err, &ce) ||
							(ce.Code != registry.CodeBlobUnknown && ce.Code != registry.CodeManifestBlobUnknown && ce.Code != registry.CodeUploadBusy) {
							return err
						}
						retries.Add(1)
					}
				}
				var deleted []pushed
				for i := range rounds {
					// Two repositories per worker: its own, and its
					// neighbour's (shared layers cross repositories).
					ref := repos[(w+i%2)%workers]
					p := pushed{ref, fmt.Sprintf("w%d-%d", w, i), newImage(base, random(1000+i))}
					if i%3 == 2 && len(deleted) > 0 {
						p = deleted[0] // the same image again
						deleted = deleted[1:]
					}
					if err := push(p.ref, p.tag, p.im); err != nil {
						errc <- fmt.Errorf("push %s:%s: %w", p.ref.Name, p.tag, err)
						return
					}
					if i%2 == 1 {
						if err := e.reg.DeleteManifest(e.ctx, e.root, p.ref, p.tag); err != nil {
							errc <- err
							return
						}
						deleted = append(deleted, p)
						continue
					}
					mu.Lock()
					live[p.ref.Name+":"+p.tag] = p
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		cancel()
		<-swept
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		if sweepErr != nil {
			t.Fatalf("sweep: %v", sweepErr)
		}
		// Every image pushed and not deleted pulls whole, blob by blob.
		missing := 0
		for _, p := range live {
			if err := e.verify(p.ref, p.tag); err != nil {
				missing++
				t.Errorf("%s:%s: %v", p.ref.Name, p.tag, err)
			}
		}
		// A last sweep (deleted images' manifests are untagged now): the
		// blob store keeps exactly the live images' blobs.
		rep, err := e.c.Sweep(e.ctx, gc.Options{DeleteUntagged: true})
		if err != nil {
			t.Fatal(err)
		}
		freed.Add(rep.BytesFreed)
		want := map[string]bool{}
		for _, p := range live {
			for _, b := range p.im.blobs() {
				want[digest.FromBytes(b).String()] = true
			}
			if err := e.verify(p.ref, p.tag); err != nil {
				missing++
				t.Errorf("after the last sweep, %s:%s: %v", p.ref.Name, p.tag, err)
			}
		}
		for _, r := range e.blobRecords() {
			if !want[r.Digest] {
				t.Errorf("record %s outlived the last sweep: %+v", r.Digest, r)
			}
			delete(want, r.Digest)
		}
		for d := range want {
			t.Errorf("blob %s of a live image has no record", d)
		}
		if freed.Load() <= 0 {
			t.Errorf("the sweeps freed %d bytes", freed.Load())
		}
		t.Logf("%d images live, %d missing; %d sweeps freed %d bytes; %d pushes retried", len(live), missing, sweeps.Load()+1, freed.Load(), retries.Load())
	})
}

// TestPushWaitsForDeletion: an upload completing while a sweep deletes the
// same content waits for the deletion to end, then writes the content anew:
// the push succeeds and the image pulls whole.
func TestPushWaitsForDeletion(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		app := e.repo("app")
		a := newImage(random(1000))
		e.deleteManifest(app, e.push(app, "a", a).String())
		// A sweep, half done: every record of a tombstoned, none deleted.
		var tombs []store.BlobRecord
		if err := e.st.Tx(e.ctx, func(tx store.Tx) error {
			tombs = nil
			for _, b := range a.blobs() {
				d := digest.FromBytes(b).String()
				if _, err := tx.Registry().BlobSize(acct, "app", d); err == nil {
					if err := tx.Registry().UnlinkBlob(acct, "app", d); err != nil {
						return err
					}
				}
				if _, err := tx.GC().MarkUnreferenced([]string{d}, time.Now()); err != nil {
					return err
				}
				r, ok, err := tx.GC().Tombstone(d, time.Now(), time.Now())
				if err != nil || !ok {
					return fmt.Errorf("tombstone %s: %v, %v", d, ok, err)
				}
				tombs = append(tombs, r)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		pushed := make(chan error, 1)
		go func() {
			_, err := e.tryPush(app, "a", a, nil)
			pushed <- err
		}()
		select {
		case err := <-pushed:
			t.Fatalf("the push did not wait for the deletion: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
		for _, r := range tombs {
			if err := e.blobs.Delete(e.ctx, digest.Digest(r.Digest)); err != nil {
				t.Fatal(err)
			}
			if err := e.st.Tx(e.ctx, func(tx store.Tx) error { return tx.GC().Forget(r.Digest, r.DeletingSince) }); err != nil {
				t.Fatal(err)
			}
		}
		if err := <-pushed; err != nil {
			t.Fatalf("push after the deletion: %v", err)
		}
		e.mustVerify(app, "a")
	})
}
