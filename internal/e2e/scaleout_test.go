package e2e

// Scale-out: several wharf serve replicas sharing one PostgreSQL database,
// one S3 bucket and one key file (testenv starts the servers). Anything one
// replica acknowledged — an account, a user, a policy change, a password, a
// bearer token, an upload's bytes, a blob, a manifest — must hold on every
// other one at once, and survive the replica's crash.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/testenv"
)

const fullAccessPolicy = "arn:aws:iam::aws:policy/AmazonElasticContainerRegistryPublicFullAccess"

// scaleOut is what every replica of one deployment shares: the database,
// the bucket and the key file, as wharf serve's flags and environment.
type scaleOut struct {
	env  []string
	args []string
}

// newScaleOut makes a fresh database, bucket and key file for t; extra
// flags go to every replica.
func newScaleOut(t testing.TB, extra ...string) scaleOut {
	t.Helper()
	dsn := testenv.Postgres(t)
	bucket := testenv.S3(t)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--database-url", dsn, "--blob-store", bucket.BlobStore(), "--secret-key-file", keyFile}
	return scaleOut{env: bucket.Env(), args: append(args, extra...)}
}

// start starts n replicas, one after another: the first creates the
// account and writes root-credentials.csv, the others find it.
func (d scaleOut) start(t testing.TB, n int) []*Server {
	t.Helper()
	rs := []*Server{startWithEnv(t, d.env, d.args...)}
	for len(rs) < n {
		rs = append(rs, StartReplica(t, rs[0], d.env, d.args...))
	}
	logTailsOnFailure(t, rs)
	return rs
}

// logTailsOnFailure logs the end of each replica's log should t fail.
func logTailsOnFailure(t testing.TB, rs []*Server) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for i, r := range rs {
			lines := strings.Split(strings.TrimSpace(r.Logs()), "\n")
			if len(lines) > 30 {
				lines = lines[len(lines)-30:]
			}
			t.Logf("--- replica %d (%s), end of its log ---\n%s", i+1, r.URL, strings.Join(lines, "\n"))
		}
	})
}

func hostOf(s *Server) string { return strings.TrimPrefix(s.URL, "http://") }

// bearerToken asks srv's token endpoint for a token with Basic
// AWS:<password>, as docker login's client does.
func bearerToken(t *testing.T, srv *Server, name, password string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/token?service="+hostOf(srv)+"&scope=repository:"+name+":push,pull", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("AWS", password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s/token: %v", srv.URL, err)
	}
	defer resp.Body.Close()
	var body struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.Token == "" {
		t.Fatalf("GET %s/token: HTTP %d, token %q, %v", srv.URL, resp.StatusCode, body.Token, err)
	}
	return body.Token
}

// withDigest adds ?digest= to an upload location.
func withDigest(loc string, d digest.Digest) string {
	sep := "?"
	if strings.Contains(loc, "?") {
		sep = "&"
	}
	return loc + sep + "digest=" + d.String()
}

// location returns an answer's Location as a path (with its query) that
// any replica serves: the Location may be absolute, naming the replica
// that answered.
func location(t *testing.T, what string, res ociResp) string {
	t.Helper()
	loc := res.Header.Get("Location")
	if i := strings.Index(loc, "://"); i >= 0 {
		if j := strings.Index(loc[i+3:], "/"); j >= 0 {
			loc = loc[i+3+j:]
		}
	}
	if !strings.HasPrefix(loc, "/v2/") {
		t.Fatalf("%s: Location %q", what, res.Header.Get("Location"))
	}
	return loc
}

// patch sends content[from:to] of an upload to c and checks that the
// upload then holds content[:to].
func patch(t *testing.T, c *ociClient, what, loc string, content []byte, from, to int) string {
	t.Helper()
	res := c.want(what, http.MethodPatch, loc, content[from:to], http.StatusAccepted, "", "Content-Range", fmt.Sprintf("%d-%d", from, to-1))
	if r := res.Header.Get("Range"); r != fmt.Sprintf("0-%d", to-1) {
		t.Fatalf("%s: Range %q, want 0-%d", what, r, to-1)
	}
	return location(t, what, res)
}

// uploadStatus checks that the upload at loc holds n bytes, asking c.
func uploadStatus(t *testing.T, c *ociClient, what, loc string, n int) {
	t.Helper()
	res := c.want(what, http.MethodGet, loc, nil, http.StatusNoContent, "")
	if r := res.Header.Get("Range"); r != fmt.Sprintf("0-%d", n-1) {
		t.Fatalf("%s: Range %q, want 0-%d", what, r, n-1)
	}
}

// blobIs fetches blob d of name from c and compares it with want.
func blobIs(t *testing.T, c *ociClient, what, name string, want []byte) {
	t.Helper()
	d := digest.FromBytes(want)
	res := c.want(what, http.MethodGet, "/v2/"+name+"/blobs/"+d.String(), nil, http.StatusOK, "")
	if res.Status != http.StatusOK {
		return
	}
	if got := digest.FromBytes(res.Body); got != d || len(res.Body) != len(want) {
		t.Errorf("%s: got %d bytes, %s; want %d bytes, %s", what, len(res.Body), got, len(want), d)
	}
	if h := res.Header.Get("Docker-Content-Digest"); h != "" && h != d.String() {
		t.Errorf("%s: Docker-Content-Digest %s, want %s", what, h, d)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestScaleOutReplicas runs three replicas of one deployment and hands a
// client's work from one to the next mid-way: IAM changes made through
// one, credentials issued by another and uploads continued on a third —
// also after the replica that took the first bytes was killed.
func TestScaleOutReplicas(t *testing.T) {
	d := newScaleOut(t)
	Binary(t)
	began := time.Now()
	rs := d.start(t, 3)
	r1, r2, r3 := rs[0], rs[1], rs[2]
	t.Logf("3 replicas serving in %v: %s %s %s", time.Since(began).Round(time.Millisecond), r1.URL, r2.URL, r3.URL)
	ctx := context.Background()

	// 1. Root, with the key from replica 1's root-credentials.csv, creates
	// a repository and a user with full ECR Public access through replica 1.
	root := ecrClient(r1, r1.RootKeyID, r1.RootKey, "")
	created := must[*ecrpublic.CreateRepositoryOutput](t, "CreateRepository via replica 1")(root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String("scale/app")}))
	uri := aws.ToString(created.Repository.RepositoryUri)
	_, name, ok := strings.Cut(uri, "/") // alias/scale/app
	if !ok || !strings.HasSuffix(name, "/scale/app") {
		t.Fatalf("repository URI %q", uri)
	}
	admin := rootIAM(r1)
	must[*iam.CreateUserOutput](t, "CreateUser via replica 1")(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("pusher")}))
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy via replica 1")(admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("pusher"), PolicyArn: aws.String(fullAccessPolicy)}))
	key := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey via replica 1")(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("pusher")}))
	keyID, secret := aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)

	// The other replicas see all of it at once: root's key and the
	// repository on replica 2, the user's key and policy on replica 3.
	repos := must[*ecrpublic.DescribeRepositoriesOutput](t, "DescribeRepositories via replica 2")(ecrClient(r2, r2.RootKeyID, r2.RootKey, "").DescribeRepositories(ctx, &ecrpublic.DescribeRepositoriesInput{}))
	if len(repos.Repositories) != 1 || aws.ToString(repos.Repositories[0].RepositoryName) != "scale/app" {
		t.Errorf("DescribeRepositories via replica 2: %d repositories", len(repos.Repositories))
	}

	// 2. One blob upload across all three replicas: a password from
	// replica 3, a bearer token for it from replica 2; POST on 1, PATCH on
	// 2, PATCH on 3, PUT on 1.
	password := loginPassword(t, ecrClient(r3, keyID, secret, ""))
	token := bearerToken(t, r2, name, password)
	bearer := "Bearer " + token
	c1, c2, c3 := newOCIClient(t, r1, bearer), newOCIClient(t, r2, bearer), newOCIClient(t, r3, bearer)

	const mib = 1 << 20
	layer := randomBytes(t, 9*mib+9*mib+4321) // more than a part (8 MiB) per PATCH
	cut1, cut2 := 9*mib, 18*mib
	res := c1.want("POST on replica 1", http.MethodPost, "/v2/"+name+"/blobs/uploads/", nil, http.StatusAccepted, "")
	loc := location(t, "POST on replica 1", res)
	loc = patch(t, c2, "PATCH chunk 1 on replica 2", loc, layer, 0, cut1)
	loc = patch(t, c3, "PATCH chunk 2 on replica 3", loc, layer, cut1, cut2)
	uploadStatus(t, c1, "upload status on replica 1", loc, cut2)
	layerDigest := digest.FromBytes(layer)
	res = c1.want("PUT (last chunk) on replica 1", http.MethodPut, withDigest(loc, layerDigest), layer[cut2:], http.StatusCreated, "")
	if h := res.Header.Get("Docker-Content-Digest"); h != layerDigest.String() {
		t.Errorf("PUT on replica 1: Docker-Content-Digest %q, want %s", h, layerDigest)
	}
	config := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["` + layerDigest.String() + `"]}}`)
	c2.want("monolithic config upload on replica 2", http.MethodPost, withDigest("/v2/"+name+"/blobs/uploads/", digest.FromBytes(config)), config, http.StatusCreated, "")
	manifest := ociImageManifest(t, config, nil, layer)
	manifestDigest := digest.FromBytes(manifest)
	res = c3.want("manifest PUT on replica 3", http.MethodPut, "/v2/"+name+"/manifests/v1", manifest, http.StatusCreated, "", "Content-Type", ociManifestType)
	if h := res.Header.Get("Docker-Content-Digest"); h != manifestDigest.String() {
		t.Errorf("manifest PUT on replica 3: Docker-Content-Digest %q, want %s", h, manifestDigest)
	}
	// Anonymous pulls from every replica.
	for i, r := range rs {
		ref := hostOf(r) + "/" + name + ":v1"
		img, err := crane.Pull(ref, crane.Insecure)
		if err != nil {
			t.Errorf("anonymous pull from replica %d: %v", i+1, err)
			continue
		}
		if got, err := img.Digest(); err != nil || got.String() != manifestDigest.String() {
			t.Errorf("pull from replica %d: digest %v (%v), pushed %s", i+1, got, err, manifestDigest)
		}
		anon := newOCIClient(t, r, "")
		blobIs(t, anon, fmt.Sprintf("layer from replica %d", i+1), name, layer)
		blobIs(t, anon, fmt.Sprintf("config from replica %d", i+1), name, config)
	}

	// 3. Killing a replica mid-upload loses nothing it acknowledged: POST
	// and PATCH on replica 2, SIGKILL it, resume and finish on replica 3.
	blob := randomBytes(t, 9*mib+5*mib+77)
	cut := 9*mib + 12345
	res = c2.want("POST on replica 2", http.MethodPost, "/v2/"+name+"/blobs/uploads/", nil, http.StatusAccepted, "")
	loc = location(t, "POST on replica 2", res)
	loc = patch(t, c2, "PATCH chunk 1 on replica 2", loc, blob, 0, cut)
	r2.Kill(t)
	uploadStatus(t, c3, "upload status on replica 3 after replica 2's crash", loc, cut)
	loc = patch(t, c3, "PATCH chunk 2 on replica 3", loc, blob, cut, len(blob)-100)
	blobDigest := digest.FromBytes(blob)
	c3.want("PUT (last chunk) on replica 3", http.MethodPut, withDigest(loc, blobDigest), blob[len(blob)-100:], http.StatusCreated, "")
	blobIs(t, newOCIClient(t, r1, ""), "the resumed blob from replica 1", name, blob)
	blobIs(t, newOCIClient(t, r3, ""), "the resumed blob from replica 3", name, blob)

	// 4. Detaching the policy through replica 1 denies the next push
	// through replica 3, with the password and with the bearer token
	// issued (by the dead replica 2) before.
	must[*iam.DetachUserPolicyOutput](t, "DetachUserPolicy via replica 1")(admin.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("pusher"), PolicyArn: aws.String(fullAccessPolicy)}))
	img, err := random.Image(1024, 1)
	if err != nil {
		t.Fatal(err)
	}
	err = crane.Push(img, hostOf(r3)+"/"+name+":denied", crane.WithAuth(&authn.Basic{Username: "AWS", Password: password}), crane.Insecure)
	assertDenied(t, "push via replica 3 after DetachUserPolicy via replica 1", err, "ecr-public:")
	res = c3.want("POST with the old bearer token on replica 3 after DetachUserPolicy", http.MethodPost, "/v2/"+name+"/blobs/uploads/", nil, http.StatusForbidden, "DENIED")
	t.Logf("denied: %s", res.Message)
	t.Logf("TestScaleOutReplicas: %v after the replicas started", time.Since(began).Round(time.Millisecond))
}

// TestScaleOutConcurrentStart starts three replicas on an empty database
// at once, as an orchestrator would: exactly one creates the account (and
// writes root-credentials.csv), all of them serve, and root's key from
// that one works on every replica.
func TestScaleOutConcurrentStart(t *testing.T) {
	d := newScaleOut(t)
	Binary(t)
	began := time.Now()
	var (
		wg   sync.WaitGroup
		rs   = make([]*Server, 3)
		errs = make([]error, 3)
	)
	for i := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs[i], errs[i] = launch(t, d.env, d.args...)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i+1, err)
		}
	}
	logTailsOnFailure(t, rs)
	t.Logf("3 replicas started at once, serving in %v", time.Since(began).Round(time.Millisecond))
	var creator *Server
	for _, r := range rs {
		if _, err := os.Stat(filepath.Join(r.DataDir, "root-credentials.csv")); err == nil {
			if creator != nil {
				t.Fatalf("two replicas wrote root-credentials.csv: %s and %s", creator.URL, r.URL)
			}
			creator = r
		}
	}
	if creator == nil {
		t.Fatal("no replica wrote root-credentials.csv")
	}
	b, err := os.ReadFile(filepath.Join(creator.DataDir, "root-credentials.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.NewReplacer("\ufeff", "", "\r", "").Replace(string(b))), "\n")
	keyID, secret, ok := strings.Cut(lines[len(lines)-1], ",")
	if len(lines) != 2 || !ok {
		t.Fatalf("root-credentials.csv:\n%s", b)
	}
	ctx := context.Background()
	for i, r := range rs {
		out, err := iamClient(r, keyID, secret, "").ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil {
			t.Errorf("ListUsers as root via replica %d: %v", i+1, err)
		} else if len(out.Users) != 0 {
			t.Errorf("ListUsers as root via replica %d: %d users", i+1, len(out.Users))
		}
	}
}

// TestScaleOutConformance runs the OCI distribution-spec conformance suite
// against one replica in scale-out mode (PostgreSQL and S3).
func TestScaleOutConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole conformance suite")
	}
	bin := conformanceBinary(t)
	d := newScaleOut(t)
	rs := d.start(t, 1)
	runConformance(t, bin, rs[0], hostOf(rs[0]))
}

// TestScaleOutConformanceRoundRobin runs the conformance suite through a
// load balancer that sends each request to the next of three replicas, so
// that every upload, manifest and tag crosses replicas request by request.
// The replicas' public URL is the load balancer's.
func TestScaleOutConformanceRoundRobin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole conformance suite")
	}
	bin := conformanceBinary(t)
	lb, hits := newRoundRobin(t)
	d := newScaleOut(t, "--public-url", lb.URL)
	rs := d.start(t, 3)
	lb.targets.Store(&rs)
	runConformance(t, bin, rs[0], strings.TrimPrefix(lb.URL, "http://"))
	t.Logf("requests per replica: %v", hits())
}

// roundRobin is a reverse proxy sending each request to the next target.
type roundRobin struct {
	*httptest.Server
	targets atomic.Pointer[[]*Server]
}

// newRoundRobin starts a round-robin proxy (its targets set later) and
// returns it with a function counting the requests each target got.
func newRoundRobin(t *testing.T) (*roundRobin, func() []int64) {
	lb := &roundRobin{}
	var next atomic.Uint64
	var counts [16]atomic.Int64
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			rs := *lb.targets.Load()
			i := int((next.Add(1) - 1) % uint64(len(rs)))
			counts[i].Add(1)
			u, _ := url.Parse(rs[i].URL)
			r.SetURL(u)
			r.Out.Host = r.In.Host // the replicas know the balancer's name
		},
		FlushInterval: -1,
	}
	lb.Server = httptest.NewServer(proxy)
	t.Cleanup(lb.Close)
	return lb, func() []int64 {
		n := len(*lb.targets.Load())
		out := make([]int64, n)
		for i := range out {
			out[i] = counts[i].Load()
		}
		return out
	}
}

var (
	conformanceOnce sync.Once
	conformanceBin  string
	conformanceErr  error
)

// conformanceBinary builds the conformance suite once per test binary.
func conformanceBinary(t *testing.T) string {
	t.Helper()
	conformanceOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wharf-e2e-conformance")
		if err != nil {
			conformanceErr = err
			return
		}
		conformanceBin = filepath.Join(dir, "conformance")
		_, file, _, _ := runtime.Caller(0)
		build := exec.Command("go", "build", "-o", conformanceBin, "github.com/opencontainers/distribution-spec/conformance")
		build.Dir = filepath.Join(filepath.Dir(file), "..", "..")
		if out, err := build.CombinedOutput(); err != nil {
			conformanceErr = fmt.Errorf("building the conformance suite: %v\n%s", err, out)
		}
	})
	if conformanceErr != nil {
		t.Fatal(conformanceErr)
	}
	return conformanceBin
}

// runConformance creates the suite's two repositories through admin (as
// root) and runs the suite against registry (host:port), logged in with a
// root password, requiring every check to pass.
func runConformance(t *testing.T, bin string, admin *Server, registry string) {
	t.Helper()
	ctx := context.Background()
	root := ecrClient(admin, admin.RootKeyID, admin.RootKey, "")
	var alias string
	for _, name := range []string{"conformance/repo1", "conformance/repo2"} {
		out := must[*ecrpublic.CreateRepositoryOutput](t, "CreateRepository "+name)(root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String(name)}))
		alias = strings.SplitN(aws.ToString(out.Repository.RepositoryUri), "/", 3)[1]
	}
	password := loginPassword(t, root)
	results := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Dir = results
	cmd.Env = append(os.Environ(),
		"OCI_REGISTRY="+registry,
		"OCI_TLS=disabled",
		"OCI_REPO1="+alias+"/conformance/repo1",
		"OCI_REPO2="+alias+"/conformance/repo2",
		"OCI_USERNAME=AWS",
		"OCI_PASSWORD="+password,
		"OCI_RESULTS_DIR="+results,
		"OCI_VERSION=1.1",
		"OCI_API_BLOBS_UPLOAD_CANCEL=true",
	)
	began := time.Now()
	out, err := cmd.CombinedOutput()
	var counts []string
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, l := range lines {
		if countLine.MatchString(l) {
			counts = append(counts, strings.TrimSpace(l))
		}
	}
	t.Logf("conformance suite (%v): %s", time.Since(began).Round(time.Millisecond), strings.Join(counts, "; "))
	for _, l := range lines {
		if strings.Contains(l, ": Fail") || strings.Contains(l, ": Error") {
			t.Log(l)
		}
	}
	if err != nil {
		yaml, _ := os.ReadFile(filepath.Join(results, "results.yaml"))
		t.Fatalf("the conformance suite failed: %v\n%s\n--- results.yaml (head) ---\n%.6000s", err, bytes.TrimSpace(out), yaml)
	}
}
