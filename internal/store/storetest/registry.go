package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// Registry fixtures.

// tµ is t0 plus n minutes, n milliseconds and 456 microseconds: registry
// times come back to the microsecond.
func tµ(n int) time.Time {
	return at(n).Add(456 * time.Microsecond)
}

// dgst returns the sha256 digest of s, in OCI form.
func dgst(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func repository(acct, name string) store.Repository {
	return store.Repository{
		AccountID:   acct,
		Name:        name,
		CreatedAt:   tµ(30),
		CatalogData: `{"description":"` + name + `","architectures":["x86-64","ARM 64"]}`,
		Policy:      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr-public:BatchCheckLayerAvailability"}]}`,
		Tags:        []store.Tag{{Key: "team", Value: "core"}, {Key: "empty", Value: ""}},
	}
}

// image returns an image manifest named by seed, with a config and two layers.
func image(acct, repo, seed string) store.Manifest {
	content := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","seed":"` + seed + `"}` + "\r\n\x00\xff\xfe")
	return store.Manifest{
		AccountID:    acct,
		Repository:   repo,
		Digest:       dgst(string(content)),
		MediaType:    "application/vnd.oci.image.manifest.v1+json",
		ArtifactType: "application/vnd.oci.image.config.v1+json",
		Content:      content,
		Annotations:  `{"org.opencontainers.image.created":"2024-05-06T07:08:09Z"}`,
		Blobs:        []string{dgst("config " + seed), dgst("layer 1 " + seed), dgst("layer 2 " + seed)},
		ImageSize:    1<<40 + 12345,
		PushedAt:     tµ(31),
	}
}

// index returns an image index listing children, in that order.
func index(acct, repo, seed string, children ...string) store.Manifest {
	content := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","seed":"` + seed + `"}`)
	return store.Manifest{
		AccountID:  acct,
		Repository: repo,
		Digest:     dgst(string(content)),
		MediaType:  "application/vnd.oci.image.index.v1+json",
		Content:    content,
		Manifests:  children,
		ImageSize:  4096,
		PushedAt:   tµ(32),
	}
}

// referrer returns an artifact manifest whose subject is subject.
func referrer(acct, repo, seed, subject string) store.Manifest {
	m := image(acct, repo, "referrer "+seed)
	m.ArtifactType = "application/vnd.example.sbom+json"
	m.Subject = subject
	m.Blobs = []string{dgst("sbom " + seed)}
	return m
}

func tag(name, digest string) store.ImageTag {
	return store.ImageTag{Name: name, Digest: digest, CreatedAt: tµ(33)}
}

func upload(id, acct, repo string) store.Upload {
	return store.Upload{ID: id, AccountID: acct, Repository: repo, CreatedAt: tµ(34)}
}

// reg runs fn on the registry in a transaction that must succeed.
func (h *harness) reg(fn func(r store.Registry) error) {
	h.t.Helper()
	h.do(func(tx store.Tx) error { return fn(tx.Registry()) })
}

// regFails runs fn on the registry and checks that it fails with want.
func (h *harness) regFails(what string, want error, fn func(r store.Registry) error) {
	h.t.Helper()
	h.failsAs(what, want, func(tx store.Tx) error { return fn(tx.Registry()) })
}

// mustPut stores repositories, manifests, tags (of the repository of the
// manifest stored last) and uploads, in one transaction.
func (h *harness) mustPut(v ...any) {
	h.t.Helper()
	h.reg(func(r store.Registry) error {
		var last store.Manifest
		for _, v := range v {
			var err error
			switch v := v.(type) {
			case store.Repository:
				err = r.CreateRepository(v)
			case store.Manifest:
				err, last = r.PutManifest(v), v
			case store.ImageTag:
				err = r.PutTag(last.AccountID, last.Repository, v)
			case store.Upload:
				err = r.CreateUpload(v)
			default:
				err = fmt.Errorf("mustPut: unknown %T", v)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func getRepo(h *harness, acct, name string) store.Repository {
	h.t.Helper()
	return get(h, func(tx store.Tx) (store.Repository, error) { return tx.Registry().GetRepository(acct, name) })
}

func getManifest(h *harness, acct, repo, digest string) store.Manifest {
	h.t.Helper()
	return get(h, func(tx store.Tx) (store.Manifest, error) { return tx.Registry().GetManifest(acct, repo, digest) })
}

func tagsOf(h *harness, acct, repo, digest string) []string {
	h.t.Helper()
	return get(h, func(tx store.Tx) ([]string, error) { return tx.Registry().TagsOf(acct, repo, digest) })
}

func blobInUse(h *harness, digest string) bool {
	h.t.Helper()
	return get(h, func(tx store.Tx) (bool, error) { return tx.Registry().BlobInUse(digest) })
}

func referenced(h *harness, acct, repo, digest string) bool {
	h.t.Helper()
	return get(h, func(tx store.Tx) (bool, error) { return tx.Registry().ManifestReferenced(acct, repo, digest) })
}

// summary is m as ListManifestSummaries and GetManifestSummaries return it.
func summary(m store.Manifest) store.Manifest {
	m.Content, m.Blobs, m.Manifests = nil, nil, nil
	return m
}

// checkSummaries checks the map GetManifestSummaries returned: the
// summaries of want, by digest, and nothing else.
func checkSummaries(h *harness, what string, got map[string]store.Manifest, want ...store.Manifest) {
	h.t.Helper()
	if got == nil {
		h.t.Errorf("%s: a nil map", what)
	}
	var gotKeys, wantKeys []string
	for d := range got {
		gotKeys = append(gotKeys, d)
	}
	for _, m := range want {
		wantKeys = append(wantKeys, m.Digest)
		if g, ok := got[m.Digest]; ok {
			check(h.t, fmt.Sprintf("%s[%.16s]", what, m.Digest), g, summary(m))
		}
	}
	checkNames(h.t, what+": digests", sorted(gotKeys...), sorted(wantKeys...))
}

// checkTagsOf checks the map TagsOfMany returned against want, by digest.
func checkTagsOf(h *harness, what string, got, want map[string][]string) {
	h.t.Helper()
	if got == nil {
		h.t.Errorf("%s: a nil map", what)
	}
	for d, names := range got {
		if _, ok := want[d]; !ok {
			h.t.Errorf("%s: %.16s has tags %q, want none", what, d, names)
		}
	}
	for d, names := range want {
		if g, ok := got[d]; !ok {
			h.t.Errorf("%s: %.16s has no entry, want %q", what, d, names)
		} else {
			checkNames(h.t, fmt.Sprintf("%s[%.16s]", what, d), g, names)
		}
	}
}

func summaryLister(acct, repo string) keyLister {
	return func(tx store.Tx, p store.Page) ([]string, bool, error) {
		ms, more, err := tx.Registry().ListManifestSummaries(acct, repo, p)
		var ds []string
		for _, m := range ms {
			ds = append(ds, m.Digest)
		}
		return ds, more, err
	}
}

// keyLister lists one page of some listing as strings (names, digests).
type keyLister func(tx store.Tx, p store.Page) ([]string, bool, error)

func repoLister(acct string) keyLister {
	return func(tx store.Tx, p store.Page) ([]string, bool, error) {
		rs, more, err := tx.Registry().ListRepositories(acct, p)
		return names(rs), more, err
	}
}

func tagLister(acct, repo string) keyLister {
	return func(tx store.Tx, p store.Page) ([]string, bool, error) {
		ts, more, err := tx.Registry().ListTags(acct, repo, p)
		return names(ts), more, err
	}
}

func manifestLister(acct, repo string) keyLister {
	return func(tx store.Tx, p store.Page) ([]string, bool, error) {
		ms, more, err := tx.Registry().ListManifests(acct, repo, p)
		var ds []string
		for _, m := range ms {
			ds = append(ds, m.Digest)
		}
		return ds, more, err
	}
}

func catalogLister(tx store.Tx, p store.Page) ([]string, bool, error) {
	return tx.Registry().Catalog(p)
}

// listPage runs one page of l.
func listPage(h *harness, l keyLister, p store.Page) ([]string, bool) {
	h.t.Helper()
	var got []string
	var more bool
	h.do(func(tx store.Tx) error {
		var err error
		got, more, err = l(tx, p)
		return err
	})
	return got, more
}

// checkPaging checks a listing whose complete content, in order, is want
// (at most 100 entries): the default page, every page size walked with
// markers, and each of markers (which need not exist) against the entries
// after it in byte order.
func checkPaging(h *harness, what string, l keyLister, want []string, markers ...string) {
	h.t.Helper()
	if !slices.IsSorted(want) {
		h.t.Fatalf("%s: the expected listing is not in byte order: %q", what, want)
	}
	got, more := listPage(h, l, store.Page{})
	checkNames(h.t, what+" (Max 0)", got, want)
	if more {
		h.t.Errorf("%s (Max 0): more = true", what)
	}
	for size := 1; size <= len(want)+1; size++ {
		var walked []string
		p := store.Page{Max: size}
		for pages := 0; ; pages++ {
			got, more := listPage(h, l, p)
			if len(got) > size {
				h.t.Errorf("%s, Max %d: a page of %d", what, size, len(got))
			}
			walked = append(walked, got...)
			if !more {
				break
			}
			if len(got) == 0 || pages > len(want) {
				h.t.Errorf("%s, Max %d: more = true after %q", what, size, walked)
				break
			}
			p.Marker = got[len(got)-1]
		}
		checkNames(h.t, fmt.Sprintf("%s walked by %d", what, size), walked, want)
	}
	for _, m := range append(markers, want...) {
		var after []string
		for _, w := range want {
			if w > m {
				after = append(after, w)
			}
		}
		got, more := listPage(h, l, store.Page{Marker: m})
		checkNames(h.t, fmt.Sprintf("%s after %q", what, m), got, after)
		if more {
			h.t.Errorf("%s after %q: more = true", what, m)
		}
	}
}

// sorted returns ss sorted in byte order.
func sorted(ss ...string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

var registryTests = []test{
	{"AccountDisplayName", func(h *harness) {
		acct := acctA
		h.do(func(tx store.Tx) error { return tx.Accounts().SetDisplayName(acct, "Example Corp — images") })
		h.do(func(tx store.Tx) error {
			a, err := tx.Accounts().Get(acct)
			if err == nil && a.DisplayName != "Example Corp — images" {
				h.t.Errorf("display name %q", a.DisplayName)
			}
			return err
		})
		h.do(func(tx store.Tx) error {
			if err := tx.Accounts().SetDisplayName("999999999990", "x"); !errors.Is(err, store.ErrNotFound) {
				h.t.Errorf("SetDisplayName of a missing account: %v, want ErrNotFound", err)
			}
			return nil
		})
	}},
	// Repositories.
	{"CreateGetRepository", func(h *harness) {
		r := repository(acctA, "project-a/nginx-web-app")
		h.mustPut(r)
		check(h.t, "GetRepository", getRepo(h, acctA, r.Name), r)
	}},
	{"RepositoryZeroValues", func(h *harness) {
		r := store.Repository{AccountID: acctA, Name: "bare"}
		h.mustPut(r)
		check(h.t, "GetRepository", getRepo(h, acctA, "bare"), r)
	}},
	{"RepositoryNamesCaseSensitive", func(h *harness) {
		lower, upper := repository(acctA, "app"), repository(acctA, "App")
		upper.CatalogData = `{"description":"upper"}`
		h.mustPut(lower, upper)
		check(h.t, "GetRepository(app)", getRepo(h, acctA, "app"), lower)
		check(h.t, "GetRepository(App)", getRepo(h, acctA, "App"), upper)
		h.regFails("GetRepository(APP)", store.ErrNotFound, func(r store.Registry) error {
			_, err := r.GetRepository(acctA, "APP")
			return err
		})
		h.regFails("CreateRepository(app) again", store.ErrAlreadyExists, func(r store.Registry) error {
			return r.CreateRepository(repository(acctA, "app"))
		})
		// Other accounts have their own names.
		other := repository(acctB, "app")
		h.mustPut(other)
		check(h.t, "GetRepository(B app)", getRepo(h, acctB, "app"), other)
		h.reg(func(r store.Registry) error { return r.DeleteRepository(acctA, "App") })
		check(h.t, "GetRepository(app) after deleting App", getRepo(h, acctA, "app"), lower)
	}},
	{"RepositoryUnknownAccount", func(h *harness) {
		h.regFails("CreateRepository", store.ErrNotFound, func(r store.Registry) error {
			return r.CreateRepository(repository("999999999999", "app"))
		})
		h.regFails("ListRepositories", store.ErrNotFound, func(r store.Registry) error {
			_, _, err := r.ListRepositories("999999999999", store.Page{})
			return err
		})
	}},
	{"RepositoryNotFound", func(h *harness) {
		// Every method naming a repository that does not exist (here: one
		// of another account, or of another case) is ErrNotFound.
		h.mustPut(repository(acctB, "app"), repository(acctA, "App"), repository(acctA, "APP"))
		m := image(acctA, "app", "m")
		for _, c := range []struct {
			what string
			fn   func(r store.Registry) error
		}{
			{"GetRepository", func(r store.Registry) error { _, err := r.GetRepository(acctA, "app"); return err }},
			{"UpdateRepository", func(r store.Registry) error { return r.UpdateRepository(repository(acctA, "app")) }},
			{"DeleteRepository", func(r store.Registry) error { return r.DeleteRepository(acctA, "app") }},
			{"LinkBlob", func(r store.Registry) error { return r.LinkBlob(acctA, "app", dgst("b"), 1) }},
			{"BlobSize", func(r store.Registry) error { _, err := r.BlobSize(acctA, "app", dgst("b")); return err }},
			{"UnlinkBlob", func(r store.Registry) error { return r.UnlinkBlob(acctA, "app", dgst("b")) }},
			{"PutManifest", func(r store.Registry) error { return r.PutManifest(m) }},
			{"GetManifest", func(r store.Registry) error { _, err := r.GetManifest(acctA, "app", m.Digest); return err }},
			{"ListManifests", func(r store.Registry) error { _, _, err := r.ListManifests(acctA, "app", store.Page{}); return err }},
			{"DeleteManifest", func(r store.Registry) error { return r.DeleteManifest(acctA, "app", m.Digest) }},
			{"Referrers", func(r store.Registry) error { _, err := r.Referrers(acctA, "app", m.Digest); return err }},
			{"ManifestReferenced", func(r store.Registry) error { _, err := r.ManifestReferenced(acctA, "app", m.Digest); return err }},
			{"PutTag", func(r store.Registry) error { return r.PutTag(acctA, "app", tag("latest", m.Digest)) }},
			{"GetTag", func(r store.Registry) error { _, err := r.GetTag(acctA, "app", "latest"); return err }},
			{"ListTags", func(r store.Registry) error { _, _, err := r.ListTags(acctA, "app", store.Page{}); return err }},
			{"TagsOf", func(r store.Registry) error { _, err := r.TagsOf(acctA, "app", m.Digest); return err }},
			{"TagsOfMany", func(r store.Registry) error { _, err := r.TagsOfMany(acctA, "app", []string{m.Digest}); return err }},
			{"TagsOfMany, no digests", func(r store.Registry) error { _, err := r.TagsOfMany(acctA, "app", nil); return err }},
			{"ListManifestSummaries", func(r store.Registry) error {
				_, _, err := r.ListManifestSummaries(acctA, "app", store.Page{})
				return err
			}},
			{"GetManifestSummaries", func(r store.Registry) error {
				_, err := r.GetManifestSummaries(acctA, "app", []string{m.Digest})
				return err
			}},
			{"GetManifestSummaries, no digests", func(r store.Registry) error { _, err := r.GetManifestSummaries(acctA, "app", nil); return err }},
			{"DeleteTag", func(r store.Registry) error { return r.DeleteTag(acctA, "app", "latest") }},
			{"CreateUpload", func(r store.Registry) error { return r.CreateUpload(upload("u1", acctA, "app")) }},
			{"CreateUpload, unknown account", func(r store.Registry) error { return r.CreateUpload(upload("u2", "999999999999", "app")) }},
		} {
			h.regFails(c.what, store.ErrNotFound, c.fn)
		}
	}},
	{"ListRepositories", func(h *harness) {
		// Byte order: digits < upper case < '_' < lower case; '-' < '.' < '/'.
		all := []string{"App", "app", "app-x", "app.x", "app/x", "app0", "b", "z/a"}
		var v []any
		for _, n := range []string{"z/a", "app.x", "b", "App", "app/x", "app0", "app", "app-x"} {
			v = append(v, repository(acctA, n))
		}
		v = append(v, repository(acctB, "another")) // another account's: never listed
		h.mustPut(v...)
		checkPaging(h, "ListRepositories", repoLister(acctA), all, "", "A", "ap", "app/", "APP", "zz")
		got := list(h, func(tx store.Tx) ([]store.Repository, bool, error) {
			return tx.Registry().ListRepositories(acctA, store.Page{Max: 2})
		})
		check(h.t, "ListRepositories full", got.items, []store.Repository{repository(acctA, "App"), repository(acctA, "app")})
		h.do(func(tx store.Tx) error { return tx.Accounts().Create(store.Account{ID: "333333333333"}) })
		checkNames(h.t, "ListRepositories of an account without any", names(list(h, func(tx store.Tx) ([]store.Repository, bool, error) {
			return tx.Registry().ListRepositories("333333333333", store.Page{})
		}).items), nil)
	}},
	{"ListRepositoriesDefaultMax", func(h *harness) {
		var v []any
		for i := range 101 {
			v = append(v, store.Repository{AccountID: acctA, Name: fmt.Sprintf("r%03d", i)})
		}
		h.mustPut(v...)
		got, more := listPage(h, repoLister(acctA), store.Page{})
		if len(got) != 100 || !more || got[99] != "r099" {
			h.t.Fatalf("Max 0: got %d, last %q, more = %v; want 100, r099, true", len(got), got[len(got)-1], more)
		}
		got, more = listPage(h, repoLister(acctA), store.Page{Marker: "r099"})
		checkNames(h.t, "second page", got, []string{"r100"})
		if more {
			h.t.Errorf("second page: more = true")
		}
	}},
	{"UpdateRepository", func(h *harness) {
		r := repository(acctA, "app")
		h.mustPut(r, repository(acctA, "other"))
		r.CatalogData = `{"aboutText":"# About\n\u00e9\u2603"}`
		r.Policy = `{"Version":"2012-10-17","Statement":[]}`
		r.Tags = []store.Tag{{Key: "new", Value: "tag"}}
		r.CreatedAt = tµ(40)
		h.reg(func(reg store.Registry) error { return reg.UpdateRepository(r) })
		check(h.t, "GetRepository", getRepo(h, acctA, "app"), r)
		// Clearing fields clears them.
		r.CatalogData, r.Policy, r.Tags = "", "", nil
		h.reg(func(reg store.Registry) error { return reg.UpdateRepository(r) })
		check(h.t, "GetRepository", getRepo(h, acctA, "app"), r)
		check(h.t, "the other repository", getRepo(h, acctA, "other"), repository(acctA, "other"))
	}},
	{"DeleteRepository", func(h *harness) {
		// The repository goes with its manifests, tags, blob links and
		// uploads; what other repositories hold stays.
		shared, own := dgst("shared layer"), dgst("own layer")
		img := image(acctA, "app", "img")
		idx := index(acctA, "app", "idx", img.Digest)
		ref := referrer(acctA, "app", "sbom", img.Digest)
		imgB := image(acctB, "app", "img") // the same digest in another account's repository
		imgA2 := image(acctA, "app2", "img")
		h.mustPut(repository(acctA, "app"), img, tag("latest", img.Digest), idx, tag("multi", idx.Digest), ref,
			upload("upload-1", acctA, "app"),
			repository(acctB, "app"), imgB, tag("latest", imgB.Digest),
			repository(acctA, "app2"), imgA2, tag("latest", imgA2.Digest), upload("upload-2", acctA, "app2"))
		h.reg(func(r store.Registry) error {
			for _, l := range []struct {
				acct, repo, digest string
			}{{acctA, "app", shared}, {acctA, "app", own}, {acctB, "app", shared}, {acctA, "app2", own}} {
				if err := r.LinkBlob(l.acct, l.repo, l.digest, 10); err != nil {
					return err
				}
			}
			return nil
		})
		h.reg(func(r store.Registry) error { return r.DeleteRepository(acctA, "app") })

		h.regFails("GetRepository", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetRepository(acctA, "app"); return err })
		h.regFails("DeleteRepository again", store.ErrNotFound, func(r store.Registry) error { return r.DeleteRepository(acctA, "app") })
		h.regFails("GetUpload", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetUpload("upload-1"); return err })
		if !blobInUse(h, shared) || !blobInUse(h, own) {
			h.t.Errorf("blobs other repositories link are no longer in use")
		}
		h.reg(func(r store.Registry) error { return r.UnlinkBlob(acctA, "app2", own) })
		if blobInUse(h, own) {
			h.t.Errorf("BlobInUse(own) after the last link went: true")
		}
		// The others are intact.
		check(h.t, "B's manifest", getManifest(h, acctB, "app", imgB.Digest), imgB)
		checkNames(h.t, "B's tags", tagsOf(h, acctB, "app", imgB.Digest), []string{"latest"})
		check(h.t, "app2's manifest", getManifest(h, acctA, "app2", imgA2.Digest), imgA2)
		checkNames(h.t, "app2's tags", tagsOf(h, acctA, "app2", imgA2.Digest), []string{"latest"})
		check(h.t, "app2's upload", get(h, func(tx store.Tx) (store.Upload, error) { return tx.Registry().GetUpload("upload-2") }),
			upload("upload-2", acctA, "app2"))

		// A new repository of the same name starts empty.
		h.mustPut(repository(acctA, "app"))
		ms, _ := listPage(h, manifestLister(acctA, "app"), store.Page{})
		checkNames(h.t, "manifests of the new repository", ms, nil)
		ts, _ := listPage(h, tagLister(acctA, "app"), store.Page{})
		checkNames(h.t, "tags of the new repository", ts, nil)
		h.regFails("BlobSize in the new repository", store.ErrNotFound, func(r store.Registry) error {
			_, err := r.BlobSize(acctA, "app", shared)
			return err
		})
		h.regFails("GetManifest in the new repository", store.ErrNotFound, func(r store.Registry) error {
			_, err := r.GetManifest(acctA, "app", img.Digest)
			return err
		})
		if referenced(h, acctA, "app", img.Digest) {
			h.t.Errorf("ManifestReferenced in the new repository: true")
		}
		got := get(h, func(tx store.Tx) ([]store.Manifest, error) { return tx.Registry().Referrers(acctA, "app", img.Digest) })
		check(h.t, "Referrers in the new repository", got, []store.Manifest{})
		// Recreating the upload ID is possible again.
		h.mustPut(upload("upload-1", acctA, "app"))
	}},

	// Catalog.
	{"Catalog", func(h *harness) {
		// Aliases where (alias, name) order and "alias/name" byte order
		// differ: '-' and '.' sort before '/'.
		h.do(func(tx store.Tx) error {
			for _, a := range []store.Account{
				{ID: "333333333333", Alias: "ab.c"},
				{ID: "444444444444", Alias: "abc"},
				{ID: "555555555555"}, // no alias: left out
			} {
				if err := tx.Accounts().Create(a); err != nil {
					return err
				}
			}
			if err := tx.Accounts().SetAlias(acctA, "ab"); err != nil {
				return err
			}
			return tx.Accounts().SetAlias(acctB, "ab-c")
		})
		repos := map[string][]string{
			acctA:          {"app", "App", "x/y", "a-b", "z"},
			acctB:          {"app", "web/app"},
			"333333333333": {"app"},
			"444444444444": {"app", "_"},
			"555555555555": {"hidden"},
		}
		var want []string
		var v []any
		for acct, names := range repos {
			for _, n := range names {
				v = append(v, repository(acct, n))
			}
		}
		h.mustPut(v...)
		alias := map[string]string{acctA: "ab", acctB: "ab-c", "333333333333": "ab.c", "444444444444": "abc"}
		for acct, names := range repos {
			for _, n := range names {
				if a := alias[acct]; a != "" {
					want = append(want, a+"/"+n)
				}
			}
		}
		want = sorted(want...)
		if want[0] != "ab-c/app" || want[len(want)-1] != "abc/app" {
			h.t.Fatalf("fixture: %q", want)
		}
		checkPaging(h, "Catalog", catalogLister, want,
			"", "a", "ab", "ab-", "ab-c", "ab-c/", "ab/", "ab/APP", "ab/app/", "ab.c/zzz", "ab0", "abc/", "abc/`", "b", "hidden")

		// Aliases are read at listing time.
		h.do(func(tx store.Tx) error { return tx.Accounts().SetAlias("555555555555", "zz") })
		h.do(func(tx store.Tx) error { return tx.Accounts().SetAlias("444444444444", "") })
		got, more := listPage(h, catalogLister, store.Page{Marker: "ab/z"})
		checkNames(h.t, "Catalog after alias changes", got, []string{"zz/hidden"})
		if more {
			h.t.Errorf("Catalog after alias changes: more = true")
		}
	}},
	{"CatalogDefaultMax", func(h *harness) {
		var v []any
		for i := range 60 {
			v = append(v, store.Repository{AccountID: acctA, Name: fmt.Sprintf("r%03d", i)})
			v = append(v, store.Repository{AccountID: acctB, Name: fmt.Sprintf("r%03d", i)})
		}
		h.mustPut(v...)
		got, more := listPage(h, catalogLister, store.Page{})
		if len(got) != 100 || !more {
			h.t.Fatalf("Max 0: got %d, more = %v; want 100, true", len(got), more)
		}
		if want := "alias-" + acctB + "/r039"; got[99] != want {
			h.t.Errorf("Max 0: last %q, want %q", got[99], want)
		}
		got, more = listPage(h, catalogLister, store.Page{Marker: got[99]})
		if len(got) != 20 || more {
			h.t.Errorf("second page: got %d, more = %v; want 20, false", len(got), more)
		}
	}},
	{"CatalogEmpty", func(h *harness) {
		got, more := listPage(h, catalogLister, store.Page{})
		checkNames(h.t, "Catalog", got, nil)
		if more {
			h.t.Errorf("Catalog: more = true")
		}
	}},

	// Blob links.
	{"BlobLinks", func(h *harness) {
		d := dgst("layer")
		h.mustPut(repository(acctA, "app"), repository(acctA, "web"), repository(acctB, "app"))
		if blobInUse(h, d) {
			h.t.Errorf("BlobInUse before any link: true")
		}
		const big = 1<<40 + 7
		h.reg(func(r store.Registry) error { return r.LinkBlob(acctA, "app", d, big) })
		h.reg(func(r store.Registry) error { return r.LinkBlob(acctA, "app", d, big) }) // idempotent
		size := get(h, func(tx store.Tx) (int64, error) { return tx.Registry().BlobSize(acctA, "app", d) })
		if size != big {
			h.t.Errorf("BlobSize = %d, want %d", size, big)
		}
		// Only linked repositories answer, whatever other repositories hold.
		for _, c := range []struct{ acct, repo, digest string }{
			{acctA, "web", d}, {acctB, "app", d}, {acctA, "app", dgst("other")}, {acctA, "app", d[:20]},
		} {
			h.regFails("BlobSize("+c.acct+"/"+c.repo+")", store.ErrNotFound, func(r store.Registry) error {
				_, err := r.BlobSize(c.acct, c.repo, c.digest)
				return err
			})
		}
		if !blobInUse(h, d) || blobInUse(h, dgst("other")) {
			h.t.Errorf("BlobInUse: want true for the linked blob only")
		}
		// Linked in two accounts: in use until the last link goes.
		h.reg(func(r store.Registry) error { return r.LinkBlob(acctB, "app", d, big) })
		h.reg(func(r store.Registry) error { return r.UnlinkBlob(acctA, "app", d) })
		h.regFails("UnlinkBlob again", store.ErrNotFound, func(r store.Registry) error { return r.UnlinkBlob(acctA, "app", d) })
		h.regFails("BlobSize after UnlinkBlob", store.ErrNotFound, func(r store.Registry) error {
			_, err := r.BlobSize(acctA, "app", d)
			return err
		})
		if !blobInUse(h, d) {
			h.t.Errorf("BlobInUse while another account links it: false")
		}
		h.reg(func(r store.Registry) error { return r.UnlinkBlob(acctB, "app", d) })
		if blobInUse(h, d) {
			h.t.Errorf("BlobInUse after the last unlink: true")
		}
		// Linking again works, and a zero size is a size.
		h.reg(func(r store.Registry) error { return r.LinkBlob(acctA, "web", d, 0) })
		if size := get(h, func(tx store.Tx) (int64, error) { return tx.Registry().BlobSize(acctA, "web", d) }); size != 0 {
			h.t.Errorf("BlobSize = %d, want 0", size)
		}
	}},

	// Manifests.
	{"PutGetManifest", func(h *harness) {
		m := image(acctA, "app", "m")
		// The content comes back byte for byte: every byte value, invalid UTF-8.
		for i := range 512 {
			m.Content = append(m.Content, byte(i*7+i/256))
		}
		h.mustPut(repository(acctA, "app"), m)
		check(h.t, "GetManifest", getManifest(h, acctA, "app", m.Digest), m)
		h.regFails("GetManifest of another digest", store.ErrNotFound, func(r store.Registry) error {
			_, err := r.GetManifest(acctA, "app", dgst("nope"))
			return err
		})
		h.regFails("GetManifest with the digest in upper case", store.ErrNotFound, func(r store.Registry) error {
			_, err := r.GetManifest(acctA, "app", "SHA256:"+m.Digest[len("sha256:"):])
			return err
		})
	}},
	{"ManifestZeroValues", func(h *harness) {
		m := store.Manifest{AccountID: acctA, Repository: "app", Digest: dgst("bare")}
		h.mustPut(repository(acctA, "app"), m)
		got := getManifest(h, acctA, "app", m.Digest)
		check(h.t, "GetManifest", got, m)
		if !got.PushedAt.IsZero() || got.Subject != "" || len(got.Blobs) != 0 || len(got.Manifests) != 0 || len(got.Content) != 0 {
			h.t.Errorf("zero values came back as %+v", got)
		}
	}},
	{"PutManifestReplaces", func(h *harness) {
		c1, c2, c3 := dgst("child 1"), dgst("child 2"), dgst("child 3")
		m := index(acctA, "app", "idx", c1, c2)
		m.Subject = dgst("subject 1")
		h.mustPut(repository(acctA, "app"), m, tag("v1", m.Digest), tag("latest", m.Digest))
		// The same digest again, with other fields: replaced, tags kept.
		m.Content = []byte("other bytes")
		m.Annotations = `{"a":"b"}`
		m.Manifests = []string{c3}
		m.Blobs = []string{dgst("blob")}
		m.Subject = dgst("subject 2")
		m.ImageSize = 1
		m.PushedAt = tµ(50)
		h.mustPut(m)
		check(h.t, "GetManifest", getManifest(h, acctA, "app", m.Digest), m)
		checkNames(h.t, "TagsOf", tagsOf(h, acctA, "app", m.Digest), []string{"latest", "v1"})
		if referenced(h, acctA, "app", c1) || !referenced(h, acctA, "app", c3) {
			h.t.Errorf("ManifestReferenced: the replaced manifest's children were not replaced")
		}
		rs := get(h, func(tx store.Tx) ([]store.Manifest, error) {
			return tx.Registry().Referrers(acctA, "app", dgst("subject 1"))
		})
		check(h.t, "Referrers of the old subject", rs, []store.Manifest{})
		rs = get(h, func(tx store.Tx) ([]store.Manifest, error) {
			return tx.Registry().Referrers(acctA, "app", dgst("subject 2"))
		})
		check(h.t, "Referrers of the new subject", rs, []store.Manifest{m})
		ms, _ := listPage(h, manifestLister(acctA, "app"), store.Page{})
		checkNames(h.t, "ListManifests", ms, []string{m.Digest})
		// Clearing fields clears them.
		m.Subject, m.Manifests, m.Blobs, m.Annotations, m.PushedAt = "", nil, nil, "", time.Time{}
		h.mustPut(m)
		check(h.t, "GetManifest after clearing", getManifest(h, acctA, "app", m.Digest), m)
	}},
	{"ManifestsPerRepository", func(h *harness) {
		// The same digest in two repositories is two manifests.
		a, b := image(acctA, "app", "m"), image(acctA, "web", "m")
		b.ImageSize = 99
		h.mustPut(repository(acctA, "app"), a, tag("latest", a.Digest), repository(acctA, "web"), b, tag("latest", b.Digest))
		h.reg(func(r store.Registry) error { return r.DeleteManifest(acctA, "app", a.Digest) })
		check(h.t, "GetManifest in the other repository", getManifest(h, acctA, "web", b.Digest), b)
		checkNames(h.t, "TagsOf in the other repository", tagsOf(h, acctA, "web", b.Digest), []string{"latest"})
	}},
	{"ListManifests", func(h *harness) {
		var all []string
		var full []store.Manifest
		v := []any{repository(acctA, "app"), repository(acctA, "web"), image(acctA, "web", "elsewhere")}
		for i := range 7 {
			m := image(acctA, "app", fmt.Sprint(i))
			v = append(v, m)
			all = append(all, m.Digest)
			full = append(full, m)
		}
		h.mustPut(v...)
		slices.SortFunc(full, func(a, b store.Manifest) int {
			if a.Digest < b.Digest {
				return -1
			}
			return 1
		})
		checkPaging(h, "ListManifests", manifestLister(acctA, "app"), sorted(all...), "sha256:", "sha256:8", "sha256:~", "sha512:")
		got := list(h, func(tx store.Tx) ([]store.Manifest, bool, error) {
			return tx.Registry().ListManifests(acctA, "app", store.Page{})
		})
		check(h.t, "ListManifests full", got.items, full)
	}},
	{"ListManifestsDefaultMax", func(h *harness) {
		v := []any{repository(acctA, "app")}
		var all []string
		for i := range 101 {
			m := store.Manifest{AccountID: acctA, Repository: "app", Digest: dgst(fmt.Sprint(i))}
			v = append(v, m)
			all = append(all, m.Digest)
		}
		h.mustPut(v...)
		all = sorted(all...)
		got, more := listPage(h, manifestLister(acctA, "app"), store.Page{})
		checkNames(h.t, "Max 0", got, all[:100])
		if !more {
			h.t.Errorf("Max 0: more = false")
		}
		got, more = listPage(h, manifestLister(acctA, "app"), store.Page{Marker: all[99]})
		checkNames(h.t, "second page", got, all[100:])
		if more {
			h.t.Errorf("second page: more = true")
		}
	}},
	{"ManifestSummaries", func(h *harness) {
		// Summaries are the manifests without their content and lists.
		img := image(acctA, "app", "img")
		idx := index(acctA, "app", "idx", img.Digest)
		ref := referrer(acctA, "app", "sbom", img.Digest)
		bare := store.Manifest{AccountID: acctA, Repository: "app", Digest: dgst("bare")}
		elsewhere := image(acctA, "web", "elsewhere")
		sameDigest := image(acctA, "web", "img") // img's digest in another repository
		sameDigest.ImageSize, sameDigest.MediaType = 7, "application/vnd.docker.distribution.manifest.v2+json"
		h.mustPut(repository(acctA, "app"), img, idx, ref, bare, repository(acctA, "web"), elsewhere, sameDigest,
			repository(acctB, "app"), image(acctB, "app", "b"))
		all := []store.Manifest{img, idx, ref, bare}
		slices.SortFunc(all, func(a, b store.Manifest) int { return strings.Compare(a.Digest, b.Digest) })
		var digests []string
		var sums []store.Manifest
		for _, m := range all {
			digests = append(digests, m.Digest)
			sums = append(sums, summary(m))
		}
		checkPaging(h, "ListManifestSummaries", summaryLister(acctA, "app"), digests, "sha256:", "sha256:8", "sha256:~", "sha512:")
		got := list(h, func(tx store.Tx) ([]store.Manifest, bool, error) {
			return tx.Registry().ListManifestSummaries(acctA, "app", store.Page{})
		})
		check(h.t, "ListManifestSummaries full", got.items, sums)
		got = list(h, func(tx store.Tx) ([]store.Manifest, bool, error) {
			return tx.Registry().ListManifestSummaries(acctA, "app", store.Page{Max: 2, Marker: digests[0]})
		})
		check(h.t, "ListManifestSummaries page", got.items, sums[1:3])
		if !got.more {
			h.t.Errorf("ListManifestSummaries page: more = false")
		}

		lookup := func(ds ...string) map[string]store.Manifest {
			h.t.Helper()
			return get(h, func(tx store.Tx) (map[string]store.Manifest, error) {
				return tx.Registry().GetManifestSummaries(acctA, "app", ds)
			})
		}
		checkSummaries(h, "GetManifestSummaries(all)", lookup(digests...), all...)
		// Missing digests, another repository's, "" and a digest in upper
		// case are absent; a digest given twice is found once.
		checkSummaries(h, "GetManifestSummaries(some)", lookup(dgst("missing"), elsewhere.Digest, idx.Digest, "",
			"SHA256:"+img.Digest[len("sha256:"):], bare.Digest, idx.Digest), idx, bare)
		checkSummaries(h, "GetManifestSummaries(missing)", lookup(dgst("missing")))
		checkSummaries(h, "GetManifestSummaries()", lookup())
		checkSummaries(h, "GetManifestSummaries(empty)", lookup([]string{}...))
		// The same digest in another repository is that repository's manifest.
		web := get(h, func(tx store.Tx) (map[string]store.Manifest, error) {
			return tx.Registry().GetManifestSummaries(acctA, "web", []string{img.Digest, elsewhere.Digest})
		})
		checkSummaries(h, "GetManifestSummaries in web", web, sameDigest, elsewhere)
		// A summary is GetManifest's manifest without content and lists.
		for _, m := range all {
			check(h.t, "summary of GetManifest", summary(getManifest(h, acctA, "app", m.Digest)), lookup(m.Digest)[m.Digest])
		}
	}},
	{"ManifestSummaries1200", func(h *harness) {
		// More digests than a page of DescribeImages, in one call.
		v := []any{repository(acctA, "app")}
		var all []store.Manifest
		var digests []string
		for i := range 1200 {
			m := store.Manifest{AccountID: acctA, Repository: "app", Digest: dgst(fmt.Sprint(i)), MediaType: fmt.Sprint("type ", i), ImageSize: int64(i)}
			v = append(v, m, tag(fmt.Sprint("v", i), m.Digest))
			if i%2 == 0 {
				all = append(all, m)
				digests = append(digests, m.Digest)
			}
		}
		h.mustPut(v...)
		checkSummaries(h, "GetManifestSummaries", get(h, func(tx store.Tx) (map[string]store.Manifest, error) {
			return tx.Registry().GetManifestSummaries(acctA, "app", digests)
		}), all...)
		want := map[string][]string{}
		for i, d := range digests {
			want[d] = []string{fmt.Sprint("v", i*2)}
		}
		checkTagsOf(h, "TagsOfMany", get(h, func(tx store.Tx) (map[string][]string, error) {
			return tx.Registry().TagsOfMany(acctA, "app", digests)
		}), want)
	}},
	{"DeleteManifest", func(h *harness) {
		m1, m2 := image(acctA, "app", "1"), image(acctA, "app", "2")
		idx := index(acctA, "app", "idx", m1.Digest, m2.Digest)
		h.mustPut(repository(acctA, "app"), m1, tag("a", m1.Digest), tag("b", m1.Digest), m2, tag("c", m2.Digest), idx)
		h.reg(func(r store.Registry) error { return r.DeleteManifest(acctA, "app", m1.Digest) })
		for _, name := range []string{"a", "b"} {
			h.regFails("GetTag("+name+")", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetTag(acctA, "app", name); return err })
		}
		h.regFails("GetManifest", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetManifest(acctA, "app", m1.Digest); return err })
		h.regFails("DeleteManifest again", store.ErrNotFound, func(r store.Registry) error { return r.DeleteManifest(acctA, "app", m1.Digest) })
		h.regFails("TagsOf", store.ErrNotFound, func(r store.Registry) error { _, err := r.TagsOf(acctA, "app", m1.Digest); return err })
		ts, _ := listPage(h, tagLister(acctA, "app"), store.Page{})
		checkNames(h.t, "ListTags", ts, []string{"c"})
		// The index still lists m1: the store keeps facts, the service rules.
		if !referenced(h, acctA, "app", m1.Digest) {
			h.t.Errorf("ManifestReferenced(m1) after deleting m1 but not the index: false")
		}
		h.reg(func(r store.Registry) error { return r.DeleteManifest(acctA, "app", idx.Digest) })
		if referenced(h, acctA, "app", m2.Digest) {
			h.t.Errorf("ManifestReferenced(m2) after deleting the index: true")
		}
		// A manifest pushed again starts without tags.
		h.mustPut(m1)
		checkNames(h.t, "TagsOf a manifest pushed again", tagsOf(h, acctA, "app", m1.Digest), nil)
	}},
	{"Referrers", func(h *harness) {
		subject := image(acctA, "app", "subject")
		var want []store.Manifest
		v := []any{repository(acctA, "app"), repository(acctA, "web"), subject}
		for _, seed := range []string{"sbom", "signature", "attestation"} {
			r := referrer(acctA, "app", seed, subject.Digest)
			v = append(v, r)
			want = append(want, r)
		}
		v = append(v,
			referrer(acctA, "app", "of another", dgst("another subject")),
			referrer(acctA, "web", "in another repository", subject.Digest),
			image(acctA, "app", "no subject"))
		h.mustPut(v...)
		slices.SortFunc(want, func(a, b store.Manifest) int {
			if a.Digest < b.Digest {
				return -1
			}
			return 1
		})
		got := get(h, func(tx store.Tx) ([]store.Manifest, error) {
			return tx.Registry().Referrers(acctA, "app", subject.Digest)
		})
		check(h.t, "Referrers (by digest)", got, want)
		// A subject need not exist; "" is no subject.
		for _, d := range []string{dgst("missing"), ""} {
			got := get(h, func(tx store.Tx) ([]store.Manifest, error) { return tx.Registry().Referrers(acctA, "app", d) })
			check(h.t, fmt.Sprintf("Referrers(%q)", d), got, []store.Manifest{})
		}
		h.reg(func(r store.Registry) error { return r.DeleteManifest(acctA, "app", want[0].Digest) })
		got = get(h, func(tx store.Tx) ([]store.Manifest, error) {
			return tx.Registry().Referrers(acctA, "app", subject.Digest)
		})
		check(h.t, "Referrers after a delete", got, want[1:])
	}},
	{"ManifestReferenced", func(h *harness) {
		c1, c2, c3 := dgst("child 1"), dgst("child 2"), dgst("child 3")
		// Order and repetitions of an index's list are kept.
		idx := index(acctA, "app", "idx", c2, c1, c2)
		other := index(acctA, "web", "other", c3)
		h.mustPut(repository(acctA, "app"), idx, repository(acctA, "web"), other)
		check(h.t, "GetManifest", getManifest(h, acctA, "app", idx.Digest), idx)
		for _, c := range []struct {
			repo, digest string
			want         bool
		}{
			{"app", c1, true}, {"app", c2, true}, {"app", c3, false}, {"web", c3, true}, {"web", c1, false},
			{"app", idx.Digest, false}, {"app", "", false},
		} {
			if got := referenced(h, acctA, c.repo, c.digest); got != c.want {
				h.t.Errorf("ManifestReferenced(%s, %.16s) = %v, want %v", c.repo, c.digest, got, c.want)
			}
		}
	}},

	// Tags.
	{"Tags", func(h *harness) {
		m1, m2 := image(acctA, "app", "1"), image(acctA, "app", "2")
		elsewhere := image(acctA, "web", "3")
		h.mustPut(repository(acctA, "app"), m1, m2, repository(acctA, "web"), elsewhere)
		latest := tag("latest", m1.Digest)
		h.reg(func(r store.Registry) error { return r.PutTag(acctA, "app", latest) })
		check(h.t, "GetTag", get(h, func(tx store.Tx) (store.ImageTag, error) { return tx.Registry().GetTag(acctA, "app", "latest") }), latest)
		// Tags are case-sensitive.
		upper := tag("Latest", m2.Digest)
		h.reg(func(r store.Registry) error { return r.PutTag(acctA, "app", upper) })
		check(h.t, "GetTag(Latest)", get(h, func(tx store.Tx) (store.ImageTag, error) { return tx.Registry().GetTag(acctA, "app", "Latest") }), upper)
		h.regFails("GetTag(LATEST)", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetTag(acctA, "app", "LATEST"); return err })
		// Moving a tag.
		moved := store.ImageTag{Name: "latest", Digest: m2.Digest, CreatedAt: tµ(60)}
		h.reg(func(r store.Registry) error { return r.PutTag(acctA, "app", moved) })
		check(h.t, "GetTag after the move", get(h, func(tx store.Tx) (store.ImageTag, error) { return tx.Registry().GetTag(acctA, "app", "latest") }), moved)
		checkNames(h.t, "TagsOf(m1)", tagsOf(h, acctA, "app", m1.Digest), nil)
		checkNames(h.t, "TagsOf(m2)", tagsOf(h, acctA, "app", m2.Digest), []string{"Latest", "latest"})
		// A tag names a manifest of its own repository.
		for _, d := range []string{elsewhere.Digest, dgst("missing"), ""} {
			h.regFails(fmt.Sprintf("PutTag to %.16s", d), store.ErrNotFound, func(r store.Registry) error {
				return r.PutTag(acctA, "app", tag("bad", d))
			})
		}
		h.regFails("GetTag(bad)", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetTag(acctA, "app", "bad"); return err })
		h.regFails("TagsOf a missing manifest", store.ErrNotFound, func(r store.Registry) error {
			_, err := r.TagsOf(acctA, "app", dgst("missing"))
			return err
		})
		// Deleting.
		h.reg(func(r store.Registry) error { return r.DeleteTag(acctA, "app", "latest") })
		h.regFails("DeleteTag again", store.ErrNotFound, func(r store.Registry) error { return r.DeleteTag(acctA, "app", "latest") })
		h.regFails("GetTag after DeleteTag", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetTag(acctA, "app", "latest"); return err })
		checkNames(h.t, "TagsOf(m2) after DeleteTag", tagsOf(h, acctA, "app", m2.Digest), []string{"Latest"})
		get(h, func(tx store.Tx) (store.Manifest, error) { return tx.Registry().GetManifest(acctA, "app", m2.Digest) })
	}},
	{"TagsOfMany", func(h *harness) {
		m1, m2, m3 := image(acctA, "app", "1"), image(acctA, "app", "2"), image(acctA, "app", "untagged")
		same := image(acctA, "web", "1") // m1's digest in another repository
		// Byte order: digits < upper case < '_' < lower case; '-' < '.'.
		names1 := []string{"v1", "1.0", "Z", "_x", "10", "1.0-rc", "latest"}
		v := []any{repository(acctA, "app"), m1}
		for _, n := range names1 {
			v = append(v, tag(n, m1.Digest))
		}
		v = append(v, m2, tag("only", m2.Digest), m3,
			repository(acctA, "web"), same, tag("web-tag", same.Digest),
			repository(acctB, "app"), image(acctB, "app", "1"), tag("b-tag", m1.Digest))
		h.mustPut(v...)
		tagsOfMany := func(repo string, ds ...string) map[string][]string {
			h.t.Helper()
			return get(h, func(tx store.Tx) (map[string][]string, error) { return tx.Registry().TagsOfMany(acctA, repo, ds) })
		}
		want := map[string][]string{m1.Digest: sorted(names1...), m2.Digest: {"only"}}
		checkTagsOf(h, "TagsOfMany", tagsOfMany("app", m1.Digest, m2.Digest, m3.Digest), want)
		// Each list is TagsOf's.
		for d, names := range want {
			checkNames(h.t, "TagsOf", tagsOf(h, acctA, "app", d), names)
		}
		// Untagged and missing digests and "" are absent; a digest given
		// twice is listed once.
		checkTagsOf(h, "TagsOfMany(twice, missing)", tagsOfMany("app", m2.Digest, dgst("missing"), "", m3.Digest, m2.Digest),
			map[string][]string{m2.Digest: {"only"}})
		checkTagsOf(h, "TagsOfMany(untagged)", tagsOfMany("app", m3.Digest), map[string][]string{})
		checkTagsOf(h, "TagsOfMany()", tagsOfMany("app"), map[string][]string{})
		checkTagsOf(h, "TagsOfMany in web", tagsOfMany("web", m1.Digest, m2.Digest), map[string][]string{m1.Digest: {"web-tag"}})
		// Tags follow moves and deletes.
		h.reg(func(r store.Registry) error { return r.PutTag(acctA, "app", tag("only", m1.Digest)) })
		h.reg(func(r store.Registry) error { return r.DeleteTag(acctA, "app", "latest") })
		names1 = slices.DeleteFunc(append(names1, "only"), func(n string) bool { return n == "latest" })
		checkTagsOf(h, "TagsOfMany after a move", tagsOfMany("app", m1.Digest, m2.Digest), map[string][]string{m1.Digest: sorted(names1...)})
	}},
	{"TagZeroTime", func(h *harness) {
		m := image(acctA, "app", "1")
		t := store.ImageTag{Name: "v1", Digest: m.Digest}
		h.mustPut(repository(acctA, "app"), m, t)
		check(h.t, "GetTag", get(h, func(tx store.Tx) (store.ImageTag, error) { return tx.Registry().GetTag(acctA, "app", "v1") }), t)
	}},
	{"ListTags", func(h *harness) {
		m1, m2 := image(acctA, "app", "1"), image(acctA, "app", "2")
		// Byte order: digits < upper case < '_' < lower case; '-' < '.'.
		names1 := []string{"v1", "1.0", "Z", "_x", "10", "1.0-rc", "latest"}
		names2 := []string{"9", "A", "1.0.1", "a", "v10", "v1.0"}
		v := []any{repository(acctA, "app"), m1}
		for _, n := range names1 {
			v = append(v, tag(n, m1.Digest))
		}
		v = append(v, m2)
		for _, n := range names2 {
			v = append(v, tag(n, m2.Digest))
		}
		v = append(v, repository(acctA, "web"), image(acctA, "web", "3"), tag("0", image(acctA, "web", "3").Digest))
		h.mustPut(v...)
		checkPaging(h, "ListTags", tagLister(acctA, "app"), sorted(append(names1, names2...)...), "", "0", "1", "1.0-", "B", "b", "v", "~")
		checkNames(h.t, "TagsOf(m1)", tagsOf(h, acctA, "app", m1.Digest), sorted(names1...))
		checkNames(h.t, "TagsOf(m2)", tagsOf(h, acctA, "app", m2.Digest), sorted(names2...))
		got := list(h, func(tx store.Tx) ([]store.ImageTag, bool, error) {
			return tx.Registry().ListTags(acctA, "app", store.Page{Max: 3})
		})
		check(h.t, "ListTags full", got.items, []store.ImageTag{tag("1.0", m1.Digest), tag("1.0-rc", m1.Digest), tag("1.0.1", m2.Digest)})
	}},
	{"ListTags2000", func(h *harness) {
		// The tag listing benchmark's shape: 2,000 tags, paged by 100, each
		// page its own transaction, as each is its own request.
		const n, per = 2000, 100
		var all []string
		h.reg(func(r store.Registry) error {
			if err := r.CreateRepository(repository(acctA, "app")); err != nil {
				return err
			}
			for i := range 20 {
				m := image(acctA, "app", fmt.Sprint(i))
				if err := r.PutManifest(m); err != nil {
					return err
				}
				for j := range n / 20 {
					name := fmt.Sprintf("v%d", i*n/20+j)
					all = append(all, name)
					if err := r.PutTag(acctA, "app", tag(name, m.Digest)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		all = sorted(all...)
		start := time.Now()
		var walked []string
		p := store.Page{Max: per}
		pages := 0
		for {
			got, more := listPage(h, tagLister(acctA, "app"), p)
			pages++
			walked = append(walked, got...)
			if !more || pages > n/per {
				break
			}
			p.Marker = got[len(got)-1]
		}
		elapsed := time.Since(start)
		if pages != n/per {
			h.t.Errorf("%d pages, want %d", pages, n/per)
		}
		if !slices.Equal(walked, all) {
			h.t.Errorf("walked %d tags, not the %d in byte order", len(walked), len(all))
		}
		h.t.Logf("listed %d tags in %d pages of %d: %v (%v a page)", len(walked), pages, per, elapsed, elapsed/time.Duration(pages))
		if elapsed > 10*time.Second {
			h.t.Errorf("listing %d tags took %v", n, elapsed)
		}
	}},

	// Uploads.
	{"Uploads", func(h *harness) {
		u := upload("0f6e1b4c-6d3a-4a7e-9c2d-1e2f3a4b5c6d", acctA, "app")
		h.mustPut(repository(acctA, "app"), repository(acctB, "app"), u)
		check(h.t, "GetUpload", get(h, func(tx store.Tx) (store.Upload, error) { return tx.Registry().GetUpload(u.ID) }), u)
		// IDs are globally unique.
		h.regFails("CreateUpload again", store.ErrAlreadyExists, func(r store.Registry) error { return r.CreateUpload(u) })
		h.regFails("CreateUpload in another account", store.ErrAlreadyExists, func(r store.Registry) error {
			return r.CreateUpload(upload(u.ID, acctB, "app"))
		})
		h.regFails("GetUpload(upper case)", store.ErrNotFound, func(r store.Registry) error {
			_, err := r.GetUpload("0F6E1B4C-6D3A-4A7E-9C2D-1E2F3A4B5C6D")
			return err
		})
		bare := store.Upload{ID: "bare", AccountID: acctB, Repository: "app"}
		h.mustPut(bare)
		check(h.t, "GetUpload(bare)", get(h, func(tx store.Tx) (store.Upload, error) { return tx.Registry().GetUpload("bare") }), bare)
		h.reg(func(r store.Registry) error { return r.DeleteUpload(u.ID) })
		h.regFails("GetUpload after DeleteUpload", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetUpload(u.ID); return err })
		h.regFails("DeleteUpload again", store.ErrNotFound, func(r store.Registry) error { return r.DeleteUpload(u.ID) })
		get(h, func(tx store.Tx) (store.Upload, error) { return tx.Registry().GetUpload("bare") })
	}},
	{"DeleteUploadsBefore", func(h *harness) {
		old := store.Upload{ID: "old", AccountID: acctA, Repository: "app", CreatedAt: at(1)}
		edge := store.Upload{ID: "edge", AccountID: acctB, Repository: "app", CreatedAt: at(5)}
		young := store.Upload{ID: "young", AccountID: acctA, Repository: "app", CreatedAt: at(9)}
		bare := store.Upload{ID: "bare", AccountID: acctA, Repository: "app"}
		h.mustPut(repository(acctA, "app"), repository(acctB, "app"), old, edge, young, bare)
		n := get(h, func(tx store.Tx) (int, error) { return tx.Registry().DeleteUploadsBefore(at(5)) })
		check(h.t, "DeleteUploadsBefore's count", n, 2)
		for _, gone := range []string{"old", "bare"} {
			h.regFails("GetUpload("+gone+") after DeleteUploadsBefore", store.ErrNotFound, func(r store.Registry) error {
				_, err := r.GetUpload(gone)
				return err
			})
		}
		for _, u := range []store.Upload{edge, young} {
			check(h.t, "GetUpload("+u.ID+")", get(h, func(tx store.Tx) (store.Upload, error) { return tx.Registry().GetUpload(u.ID) }), u)
		}
		n = get(h, func(tx store.Tx) (int, error) { return tx.Registry().DeleteUploadsBefore(at(5)) })
		check(h.t, "DeleteUploadsBefore again", n, 0)
	}},

	// Transactions.
	{"ErrorRollsBack", func(h *harness) {
		m := image(acctA, "app", "m")
		h.mustPut(repository(acctA, "kept"))
		err := h.s.Tx(context.Background(), func(tx store.Tx) error {
			r := tx.Registry()
			for _, step := range []func() error{
				func() error { return tx.Accounts().SetAlias(acctA, "new-alias") },
				func() error { return r.CreateRepository(repository(acctA, "app")) },
				func() error { return r.LinkBlob(acctA, "app", m.Blobs[0], 1) },
				func() error { return r.LinkBlob(acctA, "kept", m.Blobs[0], 1) },
				func() error { return r.PutManifest(m) },
				func() error { return r.PutTag(acctA, "app", tag("latest", m.Digest)) },
				func() error { return r.CreateUpload(upload("u1", acctA, "app")) },
				func() error { return r.UpdateRepository(store.Repository{AccountID: acctA, Name: "kept"}) },
			} {
				if err := step(); err != nil {
					return err
				}
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			h.t.Fatalf("Tx: got %v, want fn's error", err)
		}
		a := get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().Get(acctA) })
		if a.Alias != "alias-"+acctA {
			h.t.Errorf("alias after rollback: %q", a.Alias)
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Accounts().GetByAlias("new-alias"); return err })
		h.regFails("GetRepository", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetRepository(acctA, "app"); return err })
		h.regFails("GetUpload", store.ErrNotFound, func(r store.Registry) error { _, err := r.GetUpload("u1"); return err })
		check(h.t, "the repository updated", getRepo(h, acctA, "kept"), repository(acctA, "kept"))
		if blobInUse(h, m.Blobs[0]) {
			h.t.Errorf("BlobInUse after rollback: true")
		}
		got, _ := listPage(h, catalogLister, store.Page{})
		checkNames(h.t, "Catalog", got, []string{"alias-" + acctA + "/kept"})
		// Everything can be done again.
		h.mustPut(repository(acctA, "app"), m, tag("latest", m.Digest), upload("u1", acctA, "app"))
	}},
	{"FailedCallKeepsTx", func(h *harness) {
		m := image(acctA, "app", "m")
		h.mustPut(repository(acctA, "app"))
		h.reg(func(r store.Registry) error {
			if err := r.PutManifest(m); err != nil {
				return err
			}
			for what, err := range map[string]error{
				"CreateRepository duplicate": r.CreateRepository(repository(acctA, "app")),
				"PutManifest, missing repo":  r.PutManifest(image(acctA, "nope", "x")),
				"PutTag, missing manifest":   r.PutTag(acctA, "app", tag("bad", dgst("missing"))),
				"DeleteTag, missing":         r.DeleteTag(acctA, "app", "bad"),
				"UnlinkBlob, missing":        r.UnlinkBlob(acctA, "app", dgst("x")),
			} {
				if err == nil {
					h.t.Errorf("%s: succeeded", what)
				}
			}
			return r.PutTag(acctA, "app", tag("latest", m.Digest))
		})
		check(h.t, "GetManifest", getManifest(h, acctA, "app", m.Digest), m)
		ts, _ := listPage(h, tagLister(acctA, "app"), store.Page{})
		checkNames(h.t, "ListTags", ts, []string{"latest"})
	}},
}

// aliasTests are the accounts' registry aliases; they run with accountTests.
var aliasTests = []test{
	{"GetByAlias", func(h *harness) {
		got := get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().GetByAlias("alias-" + acctB) })
		check(h.t, "GetByAlias", got, store.Account{ID: acctB, Alias: "alias-" + acctB, CreatedAt: t0})
		for _, alias := range []string{"", "alias", "ALIAS-" + acctB, "alias-" + acctB + " "} {
			h.failsAs(fmt.Sprintf("GetByAlias(%q)", alias), store.ErrNotFound, func(tx store.Tx) error {
				_, err := tx.Accounts().GetByAlias(alias)
				return err
			})
		}
	}},
	{"SetAlias", func(h *harness) {
		h.do(func(tx store.Tx) error { return tx.Accounts().SetAlias(acctA, "acme") })
		h.do(func(tx store.Tx) error { return tx.Accounts().SetAlias(acctA, "acme") }) // to its own alias again
		got := get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().GetByAlias("acme") })
		check(h.t, "GetByAlias", got, store.Account{ID: acctA, Alias: "acme", CreatedAt: t0})
		check(h.t, "Get", get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().Get(acctA) }), got)
		// The old alias is free.
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Accounts().GetByAlias("alias-" + acctA); return err })
		h.do(func(tx store.Tx) error { return tx.Accounts().SetAlias(acctB, "alias-"+acctA) })
		h.failsAs("SetAlias taken", store.ErrAlreadyExists, func(tx store.Tx) error { return tx.Accounts().SetAlias(acctB, "acme") })
		h.failsAs("Create with an alias taken", store.ErrAlreadyExists, func(tx store.Tx) error {
			return tx.Accounts().Create(store.Account{ID: "333333333333", Alias: "acme"})
		})
		h.failsAs("SetAlias of a missing account", store.ErrNotFound, func(tx store.Tx) error {
			return tx.Accounts().SetAlias("999999999999", "free")
		})
	}},
	{"AliasCaseSensitive", func(h *harness) {
		h.do(func(tx store.Tx) error { return tx.Accounts().SetAlias(acctA, "acme") })
		h.do(func(tx store.Tx) error { return tx.Accounts().SetAlias(acctB, "Acme") })
		got := get(h, func(tx store.Tx) (store.Account, error) { return tx.Accounts().GetByAlias("Acme") })
		if got.ID != acctB {
			h.t.Errorf("GetByAlias(Acme) = %s, want %s", got.ID, acctB)
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Accounts().GetByAlias("ACME"); return err })
	}},
	{"AliasCleared", func(h *harness) {
		// Any number of accounts have no alias.
		h.do(func(tx store.Tx) error {
			if err := tx.Accounts().Create(store.Account{ID: "333333333333"}); err != nil {
				return err
			}
			if err := tx.Accounts().Create(store.Account{ID: "444444444444"}); err != nil {
				return err
			}
			if err := tx.Accounts().SetAlias(acctA, ""); err != nil {
				return err
			}
			return tx.Accounts().SetAlias(acctB, "")
		})
		got := get(h, func(tx store.Tx) ([]store.Account, error) { return tx.Accounts().List() })
		for _, a := range got {
			if a.Alias != "" {
				h.t.Errorf("account %s: alias %q, want none", a.ID, a.Alias)
			}
		}
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Accounts().GetByAlias("alias-" + acctA); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.Accounts().GetByAlias(""); return err })
	}},
}
