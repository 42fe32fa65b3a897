package e2e

// Online garbage collection against the real binary: sweeps run — on the
// server's schedule, and as `wharf admin gc` processes — while clients push,
// delete and push again; afterwards every image left pulls whole, blob by
// blob, and the blob store holds exactly their blobs.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/wharf-project/wharf/internal/testenv"
)

// gcReport is wharf admin gc --output json's report.
type gcReport struct {
	DryRun           bool  `json:"dryRun"`
	Repositories     int   `json:"repositories"`
	Records          int   `json:"records"`
	ManifestsRemoved int   `json:"manifestsRemoved"`
	LinksRemoved     int   `json:"linksRemoved"`
	BlobsDeleted     int   `json:"blobsDeleted"`
	BytesFreed       int64 `json:"bytesFreed"`
	MissingContent   int   `json:"missingContent"`
	DurationNs       int64 `json:"durationNs"`
}

// adminGC runs wharf admin gc with args (and env) and decodes its report.
func adminGC(t *testing.T, env []string, args ...string) (gcReport, error) {
	cmd := exec.Command(Binary(t), append([]string{"admin", "gc", "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	var rep gcReport
	if err := cmd.Run(); err != nil {
		return rep, fmt.Errorf("wharf admin gc %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		return rep, fmt.Errorf("wharf admin gc: output %q: %v", out.String(), err)
	}
	return rep, nil
}

func mustAdminGC(t *testing.T, env []string, args ...string) gcReport {
	t.Helper()
	rep, err := adminGC(t, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// gcClient is root's way to push: repositories created through the ECR
// Public API, crane with a GetAuthorizationToken password.
type gcClient struct {
	t    *testing.T
	srvs []*Server // replicas, used in turn
	auth crane.Option
	next atomic.Int64
}

func newGCClient(t *testing.T, srvs ...*Server) *gcClient {
	root := ecrClient(srvs[0], srvs[0].RootKeyID, srvs[0].RootKey, "")
	return &gcClient{t: t, srvs: srvs, auth: crane.WithAuth(&authn.Basic{Username: "AWS", Password: loginPassword(t, root)})}
}

// repo creates a repository and returns its name under the registry
// ("alias/name").
func (c *gcClient) repo(name string) string {
	c.t.Helper()
	root := ecrClient(c.srvs[0], c.srvs[0].RootKeyID, c.srvs[0].RootKey, "")
	out, err := root.CreateRepository(context.Background(), &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String(name)})
	if err != nil {
		c.t.Fatalf("CreateRepository %s: %v", name, err)
	}
	_, path, _ := strings.Cut(aws.ToString(out.Repository.RepositoryUri), "/")
	return path
}

// server returns the replicas in turn.
func (c *gcClient) server() *Server {
	return c.srvs[int(c.next.Add(1))%len(c.srvs)]
}

// retryable tells a push that failed cleanly because a sweep took a blob
// between the client's check or upload and its manifest.
var retryable = regexp.MustCompile(`MANIFEST_BLOB_UNKNOWN|BLOB_UNKNOWN|TOOMANYREQUESTS`)

// push pushes img as name:tag, again while it fails that way; it returns
// how many attempts failed.
func (c *gcClient) push(img v1.Image, name, tag string) (int, error) {
	for failed := 0; ; failed++ {
		err := crane.Push(img, hostOf(c.server())+"/"+name+":"+tag, c.auth, crane.Insecure)
		if err == nil || failed == 20 || !retryable.MatchString(err.Error()) {
			return failed, err
		}
	}
}

// gcImage is a two-layer image whose first layer every such image shares.
func gcImage(t *testing.T, base v1.Layer, size int64) v1.Image {
	l, err := random.Layer(size, types.DockerLayer)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, base, l)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// imageBlobs returns the digests and sizes of an image's config and layers.
func imageBlobs(t *testing.T, img v1.Image) map[string]int64 {
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{m.Config.Digest.String(): m.Config.Size}
	for _, l := range m.Layers {
		out[l.Digest.String()] = l.Size
	}
	return out
}

// pullWhole fetches name:tag's manifest from srv and then every blob it
// names, anonymously, checking each one's digest. It returns the blobs.
func pullWhole(srv *Server, name, tag string) (map[string]int64, error) {
	get := func(path string, accept string) ([]byte, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: HTTP %d: %s", path, resp.StatusCode, b)
		}
		return b, err
	}
	mb, err := get("/v2/"+name+"/manifests/"+tag, string(types.DockerManifestSchema2)+","+string(types.OCIManifestSchema1))
	if err != nil {
		return nil, err
	}
	var m v1.Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, d := range append([]v1.Descriptor{m.Config}, m.Layers...) {
		b, err := get("/v2/"+name+"/blobs/"+d.Digest.String(), "")
		if err != nil {
			return nil, fmt.Errorf("blob %s: %w", d.Digest, err)
		}
		if sum := sha256.Sum256(b); "sha256:"+hex.EncodeToString(sum[:]) != d.Digest.String() || int64(len(b)) != d.Size {
			return nil, fmt.Errorf("blob %s: %d bytes that are not it", d.Digest, len(b))
		}
		out[d.Digest.String()] = d.Size
	}
	return out, nil
}

// fsBlobs lists the blobs in a data directory's blob store, with sizes.
func fsBlobs(t *testing.T, dataDir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	root := filepath.Join(dataDir, "blobs", "blobs")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p) // sha256/xx/hex
		parts := strings.Split(filepath.ToSlash(rel), "/")
		out[parts[0]+":"+parts[len(parts)-1]] = fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func total(m map[string]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

// sameBlobs reports how got (what the store holds) differs from want.
func sameBlobs(t *testing.T, what string, got, want map[string]int64) {
	t.Helper()
	for d, n := range want {
		if g, ok := got[d]; !ok {
			t.Errorf("%s: blob %s of a live image is missing", what, d)
		} else if g != n {
			t.Errorf("%s: blob %s holds %d bytes, want %d", what, d, g, n)
		}
	}
	for d := range got {
		if _, ok := want[d]; !ok {
			t.Errorf("%s: blob %s no live image uses is still stored", what, d)
		}
	}
}

// churn is the concurrent workload: workers push images (sharing a base
// layer, and a repository with their neighbour), delete every other one
// (by digest, or by tag, which leaves an untagged manifest), and push
// deleted ones again. It returns the images that should be there, by
// "name:tag", and how many pushes had to be retried.
func churn(t *testing.T, c *gcClient, repos []string, workers, rounds int) (map[string]v1.Image, int) {
	base, err := random.Layer(64<<10, types.DockerLayer)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		live    = map[string]v1.Image{}
		retried atomic.Int64
		wg      sync.WaitGroup
		errc    = make(chan error, workers)
	)
	type pushed struct {
		name, tag string
		img       v1.Image
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var deleted []pushed
			for i := range rounds {
				p := pushed{repos[(w+i%2)%len(repos)], fmt.Sprintf("w%d-%d", w, i), gcImage(t, base, int64(4<<10+1000*i+w))}
				if i%3 == 2 && len(deleted) > 0 {
					p, deleted = deleted[0], deleted[1:] // the same image again
				}
				n, err := c.push(p.img, p.name, p.tag)
				retried.Add(int64(n))
				if err != nil {
					errc <- fmt.Errorf("push %s:%s: %w", p.name, p.tag, err)
					return
				}
				if i%2 == 0 {
					mu.Lock()
					live[p.name+":"+p.tag] = p.img
					mu.Unlock()
					continue
				}
				ref := hostOf(c.server()) + "/" + p.name + ":" + p.tag
				if i%4 == 1 {
					d, err := p.img.Digest()
					if err != nil {
						errc <- err
						return
					}
					ref = hostOf(c.server()) + "/" + p.name + "@" + d.String()
				}
				if err := crane.Delete(ref, c.auth, crane.Insecure); err != nil {
					errc <- fmt.Errorf("delete %s: %w", ref, err)
					return
				}
				deleted = append(deleted, p)
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	return live, int(retried.Load())
}

// verifyLive pulls every live image whole from srv and returns the blobs
// they use.
func verifyLive(t *testing.T, srv *Server, live map[string]v1.Image) map[string]int64 {
	t.Helper()
	want := map[string]int64{}
	missing := 0
	for ref, img := range live {
		name, tag, _ := strings.Cut(ref, ":")
		got, err := pullWhole(srv, name, tag)
		if err != nil {
			missing++
			t.Errorf("%s: %v", ref, err)
			continue
		}
		for d, n := range imageBlobs(t, img) {
			if got[d] != n {
				t.Errorf("%s: blob %s pulled with %d bytes, want %d", ref, d, got[d], n)
			}
			want[d] = n
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d images are missing blobs", missing, len(live))
	}
	return want
}

// sweptFromLogs sums the bytes the server's scheduled sweeps freed, and
// counts those sweeps, from its JSON log.
func sweptFromLogs(s *Server) (sweeps int, freed int64) {
	for _, line := range strings.Split(s.Logs(), "\n") {
		var rec struct {
			Msg   string `json:"msg"`
			Bytes int64  `json:"bytes_freed"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "garbage collection" {
			sweeps++
			freed += rec.Bytes
		}
	}
	return sweeps, freed
}

// TestGCConcurrent is the test on the embedded deployment: four
// clients push, delete and push again while the server sweeps on its
// schedule and `wharf admin gc` processes sweep back to back (one at a time:
// they share a lock), with a grace period of 2s — and every third admin
// sweep with none. Then every image left
// pulls whole, blob by blob; a last sweep with no grace period leaves
// exactly their blobs in the data directory; and the sweeps freed space.
func TestGCConcurrent(t *testing.T) {
	srv := Start(t, "--gc-interval", "300ms", "--gc-grace", "2s", "--gc-delete-untagged", "true", "--log-level", "debug")
	c := newGCClient(t, srv)
	repos := []string{c.repo("gc/a"), c.repo("gc/b"), c.repo("gc/c")}

	ctx, stop := context.WithCancel(context.Background())
	var adminSweeps atomic.Int64
	var adminFreed atomic.Int64
	adminDone := make(chan error, 1)
	go func() {
		for i := 0; ctx.Err() == nil; i++ {
			// Every third sweep without a grace period: pushes may then
			// fail (cleanly) and be retried, but nothing referenced goes.
			grace := []string{"2s", "2s", "0s"}[i%3]
			rep, err := adminGC(t, nil, "--data-dir", srv.DataDir, "--grace", grace, "--delete-untagged", "--wait", "1m")
			if err != nil {
				adminDone <- err
				return
			}
			adminSweeps.Add(1)
			adminFreed.Add(rep.BytesFreed)
		}
		adminDone <- nil
	}()
	began := time.Now()
	live, retried := churn(t, c, repos, 4, 40)
	stop()
	if err := <-adminDone; err != nil {
		t.Fatal(err)
	}
	want := verifyLive(t, srv, live)

	// Everything unreferenced goes with a last sweep without grace period,
	// and nothing else.
	last := mustAdminGC(t, nil, "--data-dir", srv.DataDir, "--grace", "0s", "--delete-untagged")
	sameBlobs(t, "after the last sweep", fsBlobs(t, srv.DataDir), want)
	verifyLive(t, srv, live)
	sweeps, freed := sweptFromLogs(srv)
	freed += adminFreed.Load() + last.BytesFreed
	t.Logf("%d images (%d blobs, %d bytes) live after %v; %d pushes retried; %d admin sweeps and %d scheduled ones that removed something, with the last sweep, freed %d bytes",
		len(live), len(want), total(want), time.Since(began).Round(time.Millisecond), retried, adminSweeps.Load(), sweeps, freed)
	if freed <= 0 {
		t.Errorf("the sweeps freed %d bytes", freed)
	}
	if adminSweeps.Load() == 0 {
		t.Errorf("no admin sweep ran during the pushes")
	}
}

// TestGCExact: on a server that does not sweep by itself, what a dry run
// reports is what the sweep then does, and the bytes it reports freed are
// the bytes that left the data directory — the deleted images' blobs, not
// one of the live ones'.
func TestGCExact(t *testing.T) {
	srv := Start(t, "--gc-interval", "0")
	c := newGCClient(t, srv)
	app, web := c.repo("exact/app"), c.repo("exact/web")
	base, err := random.Layer(32<<10, types.DockerLayer)
	if err != nil {
		t.Fatal(err)
	}
	imgs := map[string]v1.Image{}
	for i, ref := range []string{app + ":1", app + ":2", app + ":3", web + ":1", web + ":2"} {
		imgs[ref] = gcImage(t, base, int64(8<<10+i*1000))
		name, tag, _ := strings.Cut(ref, ":")
		if _, err := c.push(imgs[ref], name, tag); err != nil {
			t.Fatal(err)
		}
	}
	if rep := mustAdminGC(t, nil, "--data-dir", srv.DataDir, "--grace", "0s", "--delete-untagged"); rep != (gcReport{Repositories: 2, Records: rep.Records, DurationNs: rep.DurationNs}) {
		t.Errorf("a sweep with nothing to collect: %+v", rep)
	}
	// Delete app:2 by digest, app:3 and web:2 by tag (untagged manifests
	// stay without --delete-untagged, and are pullable by digest).
	doomed := map[string]int64{}
	for _, ref := range []string{app + ":2", app + ":3", web + ":2"} {
		target := hostOf(srv) + "/" + ref
		if ref == app+":2" {
			d, _ := imgs[ref].Digest()
			target = hostOf(srv) + "/" + app + "@" + d.String()
		}
		if err := crane.Delete(target, c.auth, crane.Insecure); err != nil {
			t.Fatal(err)
		}
		for d, n := range imageBlobs(t, imgs[ref]) {
			doomed[d] = n
		}
		delete(imgs, ref)
	}
	kept := verifyLive(t, srv, imgs)
	for d := range kept {
		delete(doomed, d) // the base layer
	}
	before := fsBlobs(t, srv.DataDir)

	keep := mustAdminGC(t, nil, "--data-dir", srv.DataDir, "--grace", "0s", "--dry-run")
	if keep.LinksRemoved != 2 || keep.BlobsDeleted != 2 || keep.ManifestsRemoved != 0 || !keep.DryRun {
		t.Errorf("dry run without --delete-untagged: %+v; want app:2's two blobs", keep)
	}
	dry := mustAdminGC(t, nil, "--data-dir", srv.DataDir, "--grace", "0s", "--delete-untagged", "--dry-run")
	if got := fsBlobs(t, srv.DataDir); len(got) != len(before) {
		t.Fatalf("the dry run changed the blob store: %d blobs, then %d", len(before), len(got))
	}
	real := mustAdminGC(t, nil, "--data-dir", srv.DataDir, "--grace", "0s", "--delete-untagged")
	after := fsBlobs(t, srv.DataDir)
	if dry.ManifestsRemoved != real.ManifestsRemoved || dry.LinksRemoved != real.LinksRemoved || dry.BlobsDeleted != real.BlobsDeleted || dry.BytesFreed != real.BytesFreed {
		t.Errorf("the dry run reported %+v, the sweep did %+v", dry, real)
	}
	if real.ManifestsRemoved != 2 || real.LinksRemoved != 6 || real.BlobsDeleted != len(doomed) || real.BytesFreed != total(doomed) || real.MissingContent != 0 {
		t.Errorf("sweep: %+v; want 2 manifests, 6 links, %d blobs, %d bytes", real, len(doomed), total(doomed))
	}
	if freed := total(before) - total(after); freed != real.BytesFreed {
		t.Errorf("the data directory's blobs shrank by %d bytes; the sweep reported %d", freed, real.BytesFreed)
	}
	sameBlobs(t, "after the sweep", after, kept)
	verifyLive(t, srv, imgs)
	t.Logf("freed %d bytes in %d blobs (%+v); %d bytes in %d blobs left", real.BytesFreed, real.BlobsDeleted, real, total(after), len(after))

	// Deleting a repository leaves its blobs to the next sweep.
	root := ecrClient(srv, srv.RootKeyID, srv.RootKey, "")
	if _, err := root.DeleteRepository(context.Background(), &ecrpublic.DeleteRepositoryInput{RepositoryName: aws.String("exact/web"), Force: true}); err != nil {
		t.Fatal(err)
	}
	rep := mustAdminGC(t, nil, "--data-dir", srv.DataDir, "--grace", "0s")
	delete(imgs, web+":1")
	sameBlobs(t, "after deleting a repository", fsBlobs(t, srv.DataDir), verifyLive(t, srv, imgs))
	if rep.BlobsDeleted != 2 || rep.LinksRemoved != 0 {
		t.Errorf("sweep after DeleteRepository: %+v; want web:1's own two blobs", rep)
	}
}

// TestGCScaleOut: the concurrent test on two replicas sharing PostgreSQL
// and S3, both sweeping on a schedule (one at a time, under PostgreSQL's
// advisory lock) while clients push through both.
func TestGCScaleOut(t *testing.T) {
	bucket := testenv.S3(t)
	d := newScaleOut(t, "--gc-interval", "300ms", "--gc-grace", "2s", "--gc-delete-untagged", "true", "--log-level", "debug")
	// The deployment's own bucket, not the one newScaleOut made.
	for i := range d.args {
		if d.args[i] == "--blob-store" {
			d.args[i+1] = bucket.BlobStore()
		}
	}
	d.env = bucket.Env()
	Binary(t)
	rs := d.start(t, 2)
	c := newGCClient(t, rs...)
	repos := []string{c.repo("gc/a"), c.repo("gc/b"), c.repo("gc/c")}
	live, retried := churn(t, c, repos, 4, 24)
	want := verifyLive(t, rs[1], live)

	args := []string{"--grace", "0s", "--delete-untagged"}
	for i := 0; i+1 < len(d.args); i += 2 {
		if d.args[i] == "--database-url" || d.args[i] == "--blob-store" {
			args = append(args, d.args[i], d.args[i+1])
		}
	}
	last := mustAdminGC(t, d.env, args...)
	verifyLive(t, rs[0], live)
	sameBlobs(t, "after the last sweep", s3Blobs(t, bucket), want)
	var sweeps [2]int
	var freed int64
	for i, r := range rs {
		n, f := sweptFromLogs(r)
		sweeps[i], freed = n, freed+f
	}
	freed += last.BytesFreed
	t.Logf("%d images live (%d blobs); %d pushes retried; sweeps that removed something: %d on replica 1, %d on replica 2; %d bytes freed",
		len(live), len(want), retried, sweeps[0], sweeps[1], freed)
	if freed <= 0 {
		t.Errorf("the sweeps freed %d bytes", freed)
	}
}

// s3Blobs lists the blobs in a bucket's blob store, with sizes.
func s3Blobs(t *testing.T, b testenv.S3Server) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(b.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(b.Bucket), Prefix: aws.String(b.Prefix + "blobs/")})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			parts := strings.Split(strings.TrimPrefix(aws.ToString(o.Key), b.Prefix+"blobs/"), "/")
			out[parts[0]+":"+parts[len(parts)-1]] = aws.ToInt64(o.Size)
		}
	}
	return out
}
