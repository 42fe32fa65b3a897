package ecrpublic

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/authn"
	"github.com/wharf-project/wharf/internal/authz"
	blobfs "github.com/wharf-project/wharf/internal/blob/fs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/registry"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/sqlite"
	"github.com/wharf-project/wharf/internal/sts"
)

const (
	acct  = "123456789012"
	other = "210987654321"
	host  = "registry.example"
)

// env is one Wharf over a fresh SQLite store and filesystem blob store.
type env struct {
	t     *testing.T
	ctx   context.Context
	h     *Handler
	reg   *registry.Service
	auth  *authn.Authenticator
	iam   *iam.Service
	root  *authz.Call
	nobdy *authz.Call // an IAM user without policies
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "wharf.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	az := authz.New()
	iamSvc := iam.New(st, az, box, catalog.MustLoad(), time.Now)
	stsSvc := sts.New(st, az, iamSvc, box, time.Now)
	if err := iamSvc.EnsureAWSManaged(ctx); err != nil {
		t.Fatal(err)
	}
	key, _, err := iamSvc.BootstrapAccount(ctx, acct, iam.RootKey{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := iamSvc.BootstrapAccount(ctx, other, iam.RootKey{}); err != nil {
		t.Fatal(err)
	}
	auth := authn.New(iamSvc, stsSvc, box, time.Now)
	reg := registry.New(st, blobs, az, host, time.Now)
	e := &env{t: t, ctx: ctx, h: New(reg, auth), reg: reg, auth: auth, iam: iamSvc}
	e.root = &authz.Call{Subject: &authz.Subject{AccessKeyID: key.AccessKeyID, Caller: policy.Caller{Kind: policy.CallerRoot,
		ARN: "arn:aws:iam::" + acct + ":root", Account: acct, UserID: acct}}, Region: "us-east-1", Now: time.Now()}
	e.nobdy = e.user("nobody")
	return e
}

// user creates an IAM user of acct and returns a call signed by it.
func (e *env) user(name string, managed ...string) *authz.Call {
	e.t.Helper()
	u, err := e.iam.CreateUser(e.ctx, e.root, iam.CreateUserInput{UserName: name})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, arn := range managed {
		if err := e.iam.AttachPolicy(e.ctx, e.root, store.KindUser, name, arn); err != nil {
			e.t.Fatal(err)
		}
	}
	return &authz.Call{Subject: &authz.Subject{Caller: policy.Caller{Kind: policy.CallerUser, ARN: e.iam.UserARN(u),
		Account: acct, UserID: u.ID, UserName: u.Name}}, Region: "us-east-1", Now: time.Now()}
}

// raw serves a request body as the router would.
func (e *env) raw(c *authz.Call, op string, body []byte) (int, map[string]any) {
	e.t.Helper()
	status, out := e.h.Serve(e.ctx, c, op, body, "req-1")
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		e.t.Fatalf("%s: response is not a JSON object: %v\n%s", op, err, out)
	}
	return status, m
}

func (e *env) do(c *authz.Call, op string, in any) (int, map[string]any) {
	e.t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.raw(c, op, b)
}

// ok runs op as root and wants 200.
func (e *env) ok(op string, in any) map[string]any {
	e.t.Helper()
	return e.okAs(e.root, op, in)
}

func (e *env) okAs(c *authz.Call, op string, in any) map[string]any {
	e.t.Helper()
	status, m := e.do(c, op, in)
	if status != 200 {
		e.t.Fatalf("%s: status %d, want 200: %v", op, status, m)
	}
	return m
}

// fail runs op as root and wants an AWS-shaped error of type typ.
func (e *env) fail(op string, in any, typ string) map[string]any {
	e.t.Helper()
	return e.failAs(e.root, op, in, typ)
}

func (e *env) failAs(c *authz.Call, op string, in any, typ string) map[string]any {
	e.t.Helper()
	status, m := e.do(c, op, in)
	checkError(e.t, op, status, m, typ)
	return m
}

func checkError(t *testing.T, op string, status int, m map[string]any, typ string) {
	t.Helper()
	want := 400
	if typ == "ServerException" {
		want = 500
	}
	if status != want || m["__type"] != typ {
		t.Fatalf("%s: status %d %v, want %d %s", op, status, m, want, typ)
	}
	if msg, _ := m["message"].(string); msg == "" {
		t.Fatalf("%s: error without a message: %v", op, m)
	}
}

type obj = map[string]any

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (e *env) createRepo(name string) map[string]any {
	e.t.Helper()
	return e.ok("CreateRepository", obj{"repositoryName": name})
}

// pushBlob uploads content as a layer through the JSON API, in parts of at
// most partSize bytes.
func (e *env) pushBlob(repo string, content []byte, partSize int) string {
	e.t.Helper()
	id := e.ok("InitiateLayerUpload", obj{"repositoryName": repo})["uploadId"].(string)
	for off := 0; off < len(content); off += partSize {
		end := min(off+partSize, len(content))
		e.ok("UploadLayerPart", obj{"repositoryName": repo, "uploadId": id, "partFirstByte": off, "partLastByte": end - 1, "layerPartBlob": content[off:end]})
	}
	d := digestOf(content)
	e.ok("CompleteLayerUpload", obj{"repositoryName": repo, "uploadId": id, "layerDigests": []string{d}})
	return d
}

// image pushes a config and a layer and returns a Docker v2 manifest naming them.
func (e *env) image(repo, seed string) []byte {
	e.t.Helper()
	cfg := []byte(`{"architecture":"amd64","os":"linux","seed":"` + seed + `"}`)
	layer := bytes.Repeat([]byte(seed), 3000)
	cd := e.pushBlob(repo, cfg, 1<<20)
	ld := e.pushBlob(repo, layer, 4096)
	return []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",`+
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":"%s"},`+
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":"%s"}]}`, len(cfg), cd, len(layer), ld))
}

func (e *env) putImage(repo string, manifest []byte, tag string) string {
	e.t.Helper()
	in := obj{"repositoryName": repo, "imageManifest": string(manifest)}
	if tag != "" {
		in["imageTag"] = tag
	}
	m := e.ok("PutImage", in)
	return m["image"].(obj)["imageId"].(obj)["imageDigest"].(string)
}

func TestOperationTable(t *testing.T) {
	// botocore ecr-public 2020-10-30's operations, all 23.
	want := []string{"BatchCheckLayerAvailability", "BatchDeleteImage", "CompleteLayerUpload", "CreateRepository", "DeleteRepository",
		"DeleteRepositoryPolicy", "DescribeImageTags", "DescribeImages", "DescribeRegistries", "DescribeRepositories",
		"GetAuthorizationToken", "GetRegistryCatalogData", "GetRepositoryCatalogData", "GetRepositoryPolicy", "InitiateLayerUpload",
		"ListTagsForResource", "PutImage", "PutRegistryCatalogData", "PutRepositoryCatalogData", "SetRepositoryPolicy", "TagResource",
		"UntagResource", "UploadLayerPart"}
	h := New(nil, nil)
	var got []string
	for k := range h.ops {
		got = append(got, k)
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("operations:\n got %v\nwant %v", got, want)
	}
}

func TestProtocolErrors(t *testing.T) {
	e := newEnv(t)
	status, m := e.raw(e.root, "SpencerFrontendService.ListImages", []byte(`{}`))
	checkError(t, "ListImages", status, m, "UnknownOperationException")
	status, m = e.raw(e.root, "CreateRepository", []byte(`{"repositoryName":`))
	checkError(t, "CreateRepository", status, m, "SerializationException")
	status, m = e.raw(e.root, "DescribeRepositories", []byte(`{"maxResults":"ten"}`))
	checkError(t, "DescribeRepositories", status, m, "SerializationException")
	status, m = e.raw(e.root, "CreateRepository", []byte(`[]`))
	checkError(t, "CreateRepository", status, m, "SerializationException")
	// The prefixed target works like the bare name; an empty body is {}.
	status, m = e.raw(e.root, "SpencerFrontendService.DescribeRepositories", nil)
	if status != 200 || m["repositories"] == nil {
		t.Fatalf("DescribeRepositories with an empty body: %d %v", status, m)
	}
	// A required member missing.
	e.fail("CreateRepository", obj{}, "InvalidParameterException")
	// Denials are AccessDeniedException, 400.
	e.failAs(e.nobdy, "CreateRepository", obj{"repositoryName": "denied"}, "AccessDeniedException")
}

func TestRepositories(t *testing.T) {
	e := newEnv(t)
	logo := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 100)
	m := e.ok("CreateRepository", obj{"repositoryName": "project-a/nginx-web-app",
		"catalogData": obj{"description": "My repo", "architectures": []string{"ARM", "x86-64"}, "operatingSystems": []string{"Linux"},
			"logoImageBlob": logo, "aboutText": "# About", "usageText": "# Usage"},
		"tags": []obj{{"Key": "team", "Value": "a"}}})
	r := m["repository"].(obj)
	if r["repositoryArn"] != "arn:aws:ecr-public::"+acct+":repository/project-a/nginx-web-app" || r["registryId"] != acct ||
		r["repositoryName"] != "project-a/nginx-web-app" {
		t.Fatalf("repository = %v", r)
	}
	if _, isNum := r["createdAt"].(float64); !isNum {
		t.Fatalf("createdAt is not epoch seconds: %v", r["createdAt"])
	}
	uri, _ := r["repositoryUri"].(string)
	alias := strings.Split(uri, "/")[1]
	if uri != host+"/"+alias+"/project-a/nginx-web-app" || alias == "" {
		t.Fatalf("repositoryUri = %q", uri)
	}
	cd := m["catalogData"].(obj)
	if cd["description"] != "My repo" || cd["usageText"] != "# Usage" || len(cd["architectures"].([]any)) != 2 || cd["logoImageBlob"] != nil {
		t.Fatalf("catalogData = %v", cd)
	}
	if want := "https://" + host + "/v2/" + alias + "/project-a/nginx-web-app/blobs/" + digestOf(logo); cd["logoUrl"] != want {
		t.Fatalf("logoUrl = %v, want %s", cd["logoUrl"], want)
	}
	// The logo is served like a blob of the repository.
	rd, err := e.reg.OpenBlob(e.ctx, registry.Ref{Alias: alias, Name: "project-a/nginx-web-app"}, mustDigest(t, digestOf(logo)))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rd)
	rd.Close()
	if !bytes.Equal(got, logo) {
		t.Fatal("the logo blob does not hold the logo")
	}

	e.fail("CreateRepository", obj{"repositoryName": "project-a/nginx-web-app"}, "RepositoryAlreadyExistsException")
	e.fail("CreateRepository", obj{"repositoryName": "XY_bad!"}, "InvalidParameterException")
	e.fail("CreateRepository", obj{"repositoryName": "tagged", "tags": []obj{{"Key": strings.Repeat("k", 129), "Value": "v"}}}, "InvalidTagParameterException")
	var many []obj
	for i := range 51 {
		many = append(many, obj{"Key": fmt.Sprint("k", i), "Value": "v"})
	}
	e.fail("CreateRepository", obj{"repositoryName": "tagged", "tags": many}, "TooManyTagsException")
	e.fail("CreateRepository", obj{"repositoryName": "big", "catalogData": obj{"logoImageBlob": make([]byte, 512001)}}, "InvalidParameterException")

	// DescribeRepositories: by name, by pages, and the errors.
	for _, n := range []string{"b-repo", "c-repo", "d-repo"} {
		e.createRepo(n)
	}
	m = e.ok("DescribeRepositories", obj{"repositoryNames": []string{"b-repo", "project-a/nginx-web-app"}})
	if rs := m["repositories"].([]any); len(rs) != 2 || m["nextToken"] != nil {
		t.Fatalf("DescribeRepositories by name = %v", m)
	}
	var names []string
	token := ""
	for pages := 0; ; pages++ {
		in := obj{"maxResults": 2}
		if token != "" {
			in["nextToken"] = token
		}
		m = e.ok("DescribeRepositories", in)
		for _, r := range m["repositories"].([]any) {
			names = append(names, r.(obj)["repositoryName"].(string))
		}
		token, _ = m["nextToken"].(string)
		if token == "" {
			if pages != 1 {
				t.Fatalf("4 repositories in pages of 2 took %d pages", pages+1)
			}
			break
		}
	}
	if strings.Join(names, ",") != "b-repo,c-repo,d-repo,project-a/nginx-web-app" {
		t.Fatalf("paged names = %v", names)
	}
	m = e.ok("DescribeRepositories", obj{"registryId": acct})
	if len(m["repositories"].([]any)) != 4 {
		t.Fatalf("DescribeRepositories = %v", m)
	}
	e.fail("DescribeRepositories", obj{"repositoryNames": []string{"nope"}}, "RepositoryNotFoundException")
	e.fail("DescribeRepositories", obj{"repositoryNames": []string{"b-repo"}, "maxResults": 1}, "InvalidParameterException")
	e.fail("DescribeRepositories", obj{"nextToken": "garbage"}, "InvalidParameterException")
	e.fail("DescribeRepositories", obj{"maxResults": 1001}, "InvalidParameterException")
	e.fail("DescribeRepositories", obj{"registryId": "999999999999"}, "RegistryNotFoundException")
	e.fail("DescribeRepositories", obj{"registryId": "not-an-id"}, "InvalidParameterException")
	e.failAs(e.nobdy, "DescribeRepositories", obj{"repositoryNames": []string{"b-repo"}}, "AccessDeniedException")

	// DeleteRepository: not empty without force, then with force.
	e.putImage("c-repo", e.image("c-repo", "c"), "v1")
	e.fail("DeleteRepository", obj{"repositoryName": "c-repo"}, "RepositoryNotEmptyException")
	m = e.ok("DeleteRepository", obj{"repositoryName": "c-repo", "force": true})
	if m["repository"].(obj)["repositoryName"] != "c-repo" {
		t.Fatalf("DeleteRepository = %v", m)
	}
	e.fail("DeleteRepository", obj{"repositoryName": "c-repo"}, "RepositoryNotFoundException")
	e.ok("DeleteRepository", obj{"repositoryName": "d-repo"})
}

func mustDigest(t *testing.T, s string) digest.Digest {
	t.Helper()
	d, err := registry.ParseDigest(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRepositoryPolicy(t *testing.T) {
	e := newEnv(t)
	e.createRepo("app")
	repo := obj{"repositoryName": "app"}
	e.fail("GetRepositoryPolicy", repo, "RepositoryPolicyNotFoundException")
	e.fail("DeleteRepositoryPolicy", repo, "RepositoryPolicyNotFoundException")
	e.fail("GetRepositoryPolicy", obj{"repositoryName": "nope"}, "RepositoryNotFoundException")

	m := e.fail("SetRepositoryPolicy", obj{"repositoryName": "app", "policyText": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*"}]}`}, "InvalidParameterException")
	if !strings.Contains(m["message"].(string), "Principal") {
		t.Fatalf("the message does not carry the engine's reason: %v", m["message"])
	}
	e.fail("SetRepositoryPolicy", obj{"repositoryName": "app", "policyText": "not json"}, "InvalidParameterException")
	e.fail("SetRepositoryPolicy", obj{"repositoryName": "app"}, "InvalidParameterException")
	e.fail("SetRepositoryPolicy", obj{"repositoryName": "app", "policyText": strings.Repeat(" ", 10241)}, "InvalidParameterException")

	// Before any policy, the user without IAM policies may not check layers.
	e.failAs(e.nobdy, "BatchCheckLayerAvailability", obj{"repositoryName": "app", "layerDigests": []string{digestOf([]byte("x"))}}, "AccessDeniedException")
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/nobody"},` +
		`"Action":["ecr-public:BatchCheckLayerAvailability"]}]}`
	m = e.ok("SetRepositoryPolicy", obj{"repositoryName": "app", "policyText": doc})
	if m["registryId"] != acct || m["repositoryName"] != "app" || m["policyText"] != doc {
		t.Fatalf("SetRepositoryPolicy = %v", m)
	}
	if m = e.ok("GetRepositoryPolicy", repo); m["policyText"] != doc {
		t.Fatalf("GetRepositoryPolicy = %v", m)
	}
	// The stored policy takes part in decisions.
	e.okAs(e.nobdy, "BatchCheckLayerAvailability", obj{"repositoryName": "app", "layerDigests": []string{digestOf([]byte("x"))}})
	e.failAs(e.nobdy, "SetRepositoryPolicy", obj{"repositoryName": "app", "policyText": doc}, "AccessDeniedException")

	// A policy that locks the caller out needs force.
	lockout := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr-public:SetRepositoryPolicy"}]}`
	e.fail("SetRepositoryPolicy", obj{"repositoryName": "app", "policyText": lockout}, "InvalidParameterException")
	e.ok("SetRepositoryPolicy", obj{"repositoryName": "app", "policyText": lockout, "force": true})
	e.fail("SetRepositoryPolicy", obj{"repositoryName": "app", "policyText": doc}, "AccessDeniedException")

	m = e.ok("DeleteRepositoryPolicy", repo)
	if m["policyText"] != lockout {
		t.Fatalf("DeleteRepositoryPolicy returned %v, want the deleted text", m)
	}
	e.fail("GetRepositoryPolicy", repo, "RepositoryPolicyNotFoundException")
	e.failAs(e.nobdy, "BatchCheckLayerAvailability", obj{"repositoryName": "app", "layerDigests": []string{digestOf([]byte("x"))}}, "AccessDeniedException")
}

func TestCatalogData(t *testing.T) {
	e := newEnv(t)
	e.createRepo("app")
	m := e.ok("GetRepositoryCatalogData", obj{"repositoryName": "app"})
	if cd := m["catalogData"].(obj); len(cd) != 0 {
		t.Fatalf("catalog data of a new repository = %v", cd)
	}
	logo1, logo2 := []byte("logo-one"), []byte("logo-two")
	m = e.ok("PutRepositoryCatalogData", obj{"repositoryName": "app", "catalogData": obj{"description": "d1", "logoImageBlob": logo1}})
	if cd := m["catalogData"].(obj); cd["description"] != "d1" || !strings.HasSuffix(cd["logoUrl"].(string), digestOf(logo1)) {
		t.Fatalf("PutRepositoryCatalogData = %v", m)
	}
	if m = e.ok("PutRepositoryCatalogData", obj{"repositoryName": "app", "catalogData": obj{"aboutText": "about", "operatingSystems": []string{"Linux"}, "logoImageBlob": logo2}}); m["catalogData"] == nil {
		t.Fatalf("PutRepositoryCatalogData = %v", m)
	}
	m = e.ok("GetRepositoryCatalogData", obj{"repositoryName": "app"})
	cd := m["catalogData"].(obj)
	if cd["description"] != nil || cd["aboutText"] != "about" || !strings.HasSuffix(cd["logoUrl"].(string), digestOf(logo2)) {
		t.Fatalf("GetRepositoryCatalogData = %v", m)
	}
	// The replaced logo is unlinked from the repository.
	m = e.ok("BatchCheckLayerAvailability", obj{"repositoryName": "app", "layerDigests": []string{digestOf(logo1), digestOf(logo2)}})
	if len(m["layers"].([]any)) != 1 || len(m["failures"].([]any)) != 1 {
		t.Fatalf("logo blobs after replacing the logo: %v", m)
	}
	e.fail("GetRepositoryCatalogData", obj{"repositoryName": "nope"}, "RepositoryNotFoundException")
	e.fail("PutRepositoryCatalogData", obj{"repositoryName": "app"}, "InvalidParameterException")
	e.fail("PutRepositoryCatalogData", obj{"repositoryName": "app", "catalogData": obj{"description": strings.Repeat("x", 1025)}}, "InvalidParameterException")
	e.fail("PutRepositoryCatalogData", obj{"repositoryName": "app", "catalogData": obj{"architectures": []string{""}}}, "InvalidParameterException")
	e.fail("PutRepositoryCatalogData", obj{"repositoryName": "nope", "catalogData": obj{}}, "RepositoryNotFoundException")
	e.failAs(e.nobdy, "PutRepositoryCatalogData", obj{"repositoryName": "app", "catalogData": obj{}}, "AccessDeniedException")

	// Registry catalog data.
	m = e.ok("GetRegistryCatalogData", obj{})
	if m["registryCatalogData"].(obj)["displayName"] != "" {
		t.Fatalf("GetRegistryCatalogData = %v", m)
	}
	m = e.ok("PutRegistryCatalogData", obj{"displayName": "Team A"})
	if m["registryCatalogData"].(obj)["displayName"] != "Team A" {
		t.Fatalf("PutRegistryCatalogData = %v", m)
	}
	if m = e.ok("GetRegistryCatalogData", obj{}); m["registryCatalogData"].(obj)["displayName"] != "Team A" {
		t.Fatalf("GetRegistryCatalogData = %v", m)
	}
	e.fail("PutRegistryCatalogData", obj{"displayName": strings.Repeat("n", 101)}, "InvalidParameterException")
	e.failAs(e.nobdy, "GetRegistryCatalogData", obj{}, "AccessDeniedException")
}

func TestDescribeRegistries(t *testing.T) {
	e := newEnv(t)
	m := e.ok("DescribeRegistries", obj{})
	rs := m["registries"].([]any)
	if len(rs) != 1 || rs[0].(obj)["registryUri"] != "" || len(rs[0].(obj)["aliases"].([]any)) != 0 {
		t.Fatalf("DescribeRegistries before any repository = %v", m)
	}
	uri := e.createRepo("app")["repository"].(obj)["repositoryUri"].(string)
	alias := strings.Split(uri, "/")[1]
	m = e.ok("DescribeRegistries", obj{"maxResults": 10})
	r := m["registries"].([]any)[0].(obj)
	want := obj{"registryId": acct, "registryArn": "arn:aws:ecr-public::" + acct + ":registry/" + acct, "registryUri": host + "/" + alias,
		"verified": false, "aliases": []any{obj{"name": alias, "status": "ACTIVE", "primaryRegistryAlias": true, "defaultRegistryAlias": true}}}
	if fmt.Sprint(r) != fmt.Sprint(want) {
		t.Fatalf("registry =\n%v\nwant\n%v", r, want)
	}
	if m["nextToken"] != nil {
		t.Fatalf("nextToken with one registry: %v", m)
	}
	e.fail("DescribeRegistries", obj{"maxResults": 0}, "InvalidParameterException")
	e.failAs(e.nobdy, "DescribeRegistries", obj{}, "AccessDeniedException")
}

func TestLayerUpload(t *testing.T) {
	e := newEnv(t)
	uri := e.createRepo("app")["repository"].(obj)["repositoryUri"].(string)
	alias := strings.Split(uri, "/")[1]
	repo := obj{"repositoryName": "app"}

	m := e.ok("InitiateLayerUpload", repo)
	id := m["uploadId"].(string)
	if m["partSize"] != float64(registry.LayerPartSize) || len(id) != 36 {
		t.Fatalf("InitiateLayerUpload = %v", m)
	}
	e.fail("InitiateLayerUpload", obj{"repositoryName": "nope"}, "RepositoryNotFoundException")
	e.fail("InitiateLayerUpload", obj{"repositoryName": "app", "registryId": "nosuchalias"}, "RegistryNotFoundException")
	e.failAs(e.nobdy, "InitiateLayerUpload", repo, "AccessDeniedException")

	// Nothing uploaded yet.
	layer := []byte(strings.Repeat("layer-bytes ", 1000))
	d := digestOf(layer)
	e.fail("CompleteLayerUpload", obj{"repositoryName": "app", "uploadId": id, "layerDigests": []string{d}}, "EmptyUploadException")

	part := func(first, last int, b []byte) obj {
		return obj{"repositoryName": "app", "uploadId": id, "partFirstByte": first, "partLastByte": last, "layerPartBlob": b}
	}
	m = e.ok("UploadLayerPart", part(0, 4999, layer[:5000]))
	if m["lastByteReceived"] != float64(4999) || m["registryId"] != acct || m["repositoryName"] != "app" || m["uploadId"] != id {
		t.Fatalf("UploadLayerPart = %v", m)
	}
	// A part that does not start where the upload ends.
	m = e.fail("UploadLayerPart", part(6000, 6999, layer[6000:7000]), "InvalidLayerPartException")
	if m["lastValidByteReceived"] != float64(4999) || m["uploadId"] != id || m["registryId"] != acct || m["repositoryName"] != "app" {
		t.Fatalf("InvalidLayerPartException = %v", m)
	}
	// A part whose bytes do not match its range.
	e.fail("UploadLayerPart", part(5000, 5009, layer[5000:6000]), "InvalidLayerPartException")
	e.fail("UploadLayerPart", obj{"repositoryName": "app", "uploadId": id, "partFirstByte": 5000, "partLastByte": 5001}, "InvalidParameterException")
	e.fail("UploadLayerPart", obj{"repositoryName": "app", "uploadId": "00000000-0000-4000-8000-000000000000", "partFirstByte": 0, "partLastByte": 0, "layerPartBlob": []byte("x")}, "UploadNotFoundException")
	// The registry named by alias.
	e.ok("UploadLayerPart", obj{"registryId": alias, "repositoryName": "app", "uploadId": id, "partFirstByte": 5000, "partLastByte": len(layer) - 1, "layerPartBlob": layer[5000:]})

	m = e.ok("CompleteLayerUpload", obj{"registryId": acct, "repositoryName": "app", "uploadId": id, "layerDigests": []string{d}})
	if m["layerDigest"] != d || m["uploadId"] != id || m["registryId"] != acct {
		t.Fatalf("CompleteLayerUpload = %v", m)
	}
	e.fail("CompleteLayerUpload", obj{"repositoryName": "app", "uploadId": id, "layerDigests": []string{d}}, "UploadNotFoundException")
	e.fail("CompleteLayerUpload", obj{"repositoryName": "app", "uploadId": id}, "InvalidParameterException")

	// The same layer again.
	id2 := e.ok("InitiateLayerUpload", repo)["uploadId"].(string)
	e.ok("UploadLayerPart", obj{"repositoryName": "app", "uploadId": id2, "partFirstByte": 0, "partLastByte": len(layer) - 1, "layerPartBlob": layer})
	e.fail("CompleteLayerUpload", obj{"repositoryName": "app", "uploadId": id2, "layerDigests": []string{d}}, "LayerAlreadyExistsException")

	// Content that does not match its digest.
	id3 := e.ok("InitiateLayerUpload", repo)["uploadId"].(string)
	e.ok("UploadLayerPart", obj{"repositoryName": "app", "uploadId": id3, "partFirstByte": 0, "partLastByte": 2, "layerPartBlob": []byte("abc")})
	e.fail("CompleteLayerUpload", obj{"repositoryName": "app", "uploadId": id3, "layerDigests": []string{digestOf([]byte("abd"))}}, "InvalidLayerException")
	e.fail("CompleteLayerUpload", obj{"repositoryName": "app", "uploadId": id3, "layerDigests": []string{digestOf([]byte("abc"))}}, "UploadNotFoundException")

	// BatchCheckLayerAvailability.
	missingD := digestOf([]byte("missing"))
	m = e.ok("BatchCheckLayerAvailability", obj{"repositoryName": "app", "layerDigests": []string{d, missingD, "sha256:xyz"}})
	layers, failures := m["layers"].([]any), m["failures"].([]any)
	if len(layers) != 1 || len(failures) != 2 {
		t.Fatalf("BatchCheckLayerAvailability = %v", m)
	}
	if l := layers[0].(obj); l["layerDigest"] != d || l["layerAvailability"] != "AVAILABLE" || l["layerSize"] != float64(len(layer)) ||
		l["mediaType"] != "application/vnd.docker.image.rootfs.diff.tar.gzip" {
		t.Fatalf("layer = %v", l)
	}
	if f := failures[0].(obj); f["layerDigest"] != missingD || f["failureCode"] != "MissingLayerDigest" || f["failureReason"] == "" {
		t.Fatalf("failure = %v", f)
	}
	if f := failures[1].(obj); f["failureCode"] != "InvalidLayerDigest" {
		t.Fatalf("failure = %v", f)
	}
	e.fail("BatchCheckLayerAvailability", obj{"repositoryName": "nope", "layerDigests": []string{d}}, "RepositoryNotFoundException")
	e.fail("BatchCheckLayerAvailability", obj{"repositoryName": "app", "layerDigests": []string{}}, "InvalidParameterException")
}

func TestImages(t *testing.T) {
	e := newEnv(t)
	uri := e.createRepo("app")["repository"].(obj)["repositoryUri"].(string)
	alias := strings.Split(uri, "/")[1]

	// PutImage.
	man := e.image("app", "a")
	m := e.ok("PutImage", obj{"registryId": alias, "repositoryName": "app", "imageManifest": string(man), "imageTag": "v1"})
	img := m["image"].(obj)
	dA := digestOf(man)
	if img["registryId"] != acct || img["repositoryName"] != "app" || img["imageManifest"] != string(man) ||
		img["imageManifestMediaType"] != "application/vnd.docker.distribution.manifest.v2+json" ||
		fmt.Sprint(img["imageId"]) != fmt.Sprint(obj{"imageDigest": dA, "imageTag": "v1"}) {
		t.Fatalf("PutImage = %v", m)
	}
	e.fail("PutImage", obj{"repositoryName": "app", "imageManifest": string(man), "imageTag": "v1"}, "ImageAlreadyExistsException")
	e.putImage("app", man, "latest") // a second tag for the same image
	e.fail("PutImage", obj{"repositoryName": "app", "imageManifest": string(man), "imageTag": "v2", "imageDigest": digestOf([]byte("other"))}, "ImageDigestDoesNotMatchException")
	noBlobs := `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":3,"digest":"` +
		digestOf([]byte("nope")) + `"},"layers":[]}`
	e.fail("PutImage", obj{"repositoryName": "app", "imageManifest": noBlobs, "imageTag": "broken"}, "LayersNotFoundException")
	e.fail("PutImage", obj{"repositoryName": "app", "imageManifest": "{not json", "imageTag": "broken"}, "InvalidParameterException")
	e.fail("PutImage", obj{"repositoryName": "app", "imageManifest": string(man), "registryId": "nosuchalias"}, "RegistryNotFoundException")
	e.failAs(e.nobdy, "PutImage", obj{"repositoryName": "app", "imageManifest": string(man), "imageTag": "x"}, "AccessDeniedException")

	// An index over a second image, which is pushed untagged.
	manB := e.image("app", "b")
	dB := e.putImage("app", manB, "")
	index := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"` +
		dB + `","size":` + fmt.Sprint(len(manB)) + `}]}`
	dIdx := e.putImage("app", []byte(index), "multi")
	e.fail("PutImage", obj{"repositoryName": "app", "imageManifest": strings.Replace(index, dB, digestOf([]byte("gone")), 1), "imageTag": "multi2"}, "ReferencedImagesNotFoundException")

	// DescribeImages.
	m = e.ok("DescribeImages", obj{"repositoryName": "app"})
	details := m["imageDetails"].([]any)
	if len(details) != 3 {
		t.Fatalf("DescribeImages = %v", m)
	}
	byDigest := map[string]obj{}
	for _, d := range details {
		byDigest[d.(obj)["imageDigest"].(string)] = d.(obj)
	}
	a := byDigest[dA]
	if a["registryId"] != acct || a["repositoryName"] != "app" || fmt.Sprint(a["imageTags"]) != "[latest v1]" ||
		a["imageManifestMediaType"] != "application/vnd.docker.distribution.manifest.v2+json" ||
		a["artifactMediaType"] != "application/vnd.docker.container.image.v1+json" || a["imageSizeInBytes"].(float64) <= float64(len(man)) {
		t.Fatalf("image detail = %v", a)
	}
	if _, isNum := a["imagePushedAt"].(float64); !isNum {
		t.Fatalf("imagePushedAt = %v", a["imagePushedAt"])
	}
	if idx := byDigest[dIdx]; idx["imageManifestMediaType"] != "application/vnd.oci.image.index.v1+json" || idx["imageSizeInBytes"] != byDigest[dB]["imageSizeInBytes"] {
		t.Fatalf("index detail = %v (member %v)", idx, byDigest[dB])
	}
	m = e.ok("DescribeImages", obj{"repositoryName": "app", "imageIds": []obj{{"imageTag": "multi"}, {"imageDigest": dA}}})
	if ds := m["imageDetails"].([]any); len(ds) != 2 || ds[0].(obj)["imageDigest"] != dIdx {
		t.Fatalf("DescribeImages by id = %v", m)
	}
	// Paging.
	var seen []string
	token := ""
	for {
		in := obj{"repositoryName": "app", "maxResults": 2}
		if token != "" {
			in["nextToken"] = token
		}
		m = e.ok("DescribeImages", in)
		for _, d := range m["imageDetails"].([]any) {
			seen = append(seen, d.(obj)["imageDigest"].(string))
		}
		if token, _ = m["nextToken"].(string); token == "" {
			break
		}
	}
	if len(seen) != 3 || !sort.StringsAreSorted(seen) {
		t.Fatalf("paged digests = %v", seen)
	}
	e.fail("DescribeImages", obj{"repositoryName": "app", "imageIds": []obj{{"imageTag": "nope"}}}, "ImageNotFoundException")
	e.fail("DescribeImages", obj{"repositoryName": "app", "imageIds": []obj{{"imageTag": "v1"}}, "maxResults": 5}, "InvalidParameterException")
	e.fail("DescribeImages", obj{"repositoryName": "app", "nextToken": nextToken("DescribeImageTags", "v1")}, "InvalidParameterException")
	e.fail("DescribeImages", obj{"repositoryName": "nope"}, "RepositoryNotFoundException")

	// DescribeImageTags.
	m = e.ok("DescribeImageTags", obj{"repositoryName": "app"})
	tags := m["imageTagDetails"].([]any)
	if len(tags) != 3 {
		t.Fatalf("DescribeImageTags = %v", m)
	}
	latest := tags[0].(obj)
	if latest["imageTag"] != "latest" || latest["imageDetail"].(obj)["imageDigest"] != dA ||
		latest["imageDetail"].(obj)["artifactMediaType"] != "application/vnd.docker.container.image.v1+json" {
		t.Fatalf("tag detail = %v", latest)
	}
	if _, isNum := latest["createdAt"].(float64); !isNum {
		t.Fatalf("createdAt = %v", latest["createdAt"])
	}
	m = e.ok("DescribeImageTags", obj{"repositoryName": "app", "maxResults": 2})
	m = e.ok("DescribeImageTags", obj{"repositoryName": "app", "nextToken": m["nextToken"]})
	if ts := m["imageTagDetails"].([]any); len(ts) != 1 || ts[0].(obj)["imageTag"] != "v1" || m["nextToken"] != nil {
		t.Fatalf("second page of tags = %v", m)
	}
	e.fail("DescribeImageTags", obj{"repositoryName": "nope"}, "RepositoryNotFoundException")
	e.failAs(e.nobdy, "DescribeImageTags", obj{"repositoryName": "app"}, "AccessDeniedException")

	// BatchDeleteImage.
	m = e.ok("BatchDeleteImage", obj{"repositoryName": "app", "imageIds": []obj{
		{"imageTag": "latest"},                   // A keeps v1
		{"imageDigest": dB},                      // listed by the index
		{"imageTag": "nope"},                     // not there
		{},                                       // neither
		{"imageDigest": "sha256:zz"},             // malformed
		{"imageDigest": dA, "imageTag": "multi"}, // the tag names another image
	}})
	if fmt.Sprint(m["imageIds"]) != fmt.Sprint([]any{obj{"imageDigest": dA, "imageTag": "latest"}}) {
		t.Fatalf("deleted = %v", m["imageIds"])
	}
	var codes []string
	for _, f := range m["failures"].([]any) {
		codes = append(codes, f.(obj)["failureCode"].(string))
	}
	if strings.Join(codes, ",") != "ImageReferencedByManifestList,ImageNotFound,MissingDigestAndTag,InvalidImageDigest,ImageTagDoesNotMatchDigest" {
		t.Fatalf("failure codes = %v", codes)
	}
	// Deleting the index, then its member, then A by its last tag.
	m = e.ok("BatchDeleteImage", obj{"repositoryName": "app", "imageIds": []obj{{"imageDigest": dIdx}, {"imageDigest": dB}, {"imageTag": "v1"}}})
	if len(m["imageIds"].([]any)) != 3 || len(m["failures"].([]any)) != 0 {
		t.Fatalf("BatchDeleteImage = %v", m)
	}
	if m = e.ok("DescribeImages", obj{"repositoryName": "app"}); len(m["imageDetails"].([]any)) != 0 {
		t.Fatalf("images left: %v", m)
	}
	e.fail("BatchDeleteImage", obj{"repositoryName": "nope", "imageIds": []obj{{"imageTag": "v1"}}}, "RepositoryNotFoundException")
	e.fail("BatchDeleteImage", obj{"repositoryName": "app"}, "InvalidParameterException")
	e.failAs(e.nobdy, "BatchDeleteImage", obj{"repositoryName": "app", "imageIds": []obj{{"imageTag": "v1"}}}, "AccessDeniedException")
}

func TestResourceTags(t *testing.T) {
	e := newEnv(t)
	e.ok("CreateRepository", obj{"repositoryName": "app", "tags": []obj{{"Key": "team", "Value": "a"}}})
	arn := "arn:aws:ecr-public::" + acct + ":repository/app"
	m := e.ok("ListTagsForResource", obj{"resourceArn": arn})
	if fmt.Sprint(m["tags"]) != fmt.Sprint([]any{obj{"Key": "team", "Value": "a"}}) {
		t.Fatalf("ListTagsForResource = %v", m)
	}
	m = e.ok("TagResource", obj{"resourceArn": arn, "tags": []obj{{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "prod"}}})
	if len(m) != 0 {
		t.Fatalf("TagResource = %v, want {}", m)
	}
	m = e.ok("ListTagsForResource", obj{"resourceArn": arn})
	if fmt.Sprint(m["tags"]) != fmt.Sprint([]any{obj{"Key": "team", "Value": "b"}, obj{"Key": "env", "Value": "prod"}}) {
		t.Fatalf("after TagResource = %v", m)
	}
	e.ok("UntagResource", obj{"resourceArn": arn, "tagKeys": []string{"team", "absent"}})
	m = e.ok("ListTagsForResource", obj{"resourceArn": arn})
	if fmt.Sprint(m["tags"]) != fmt.Sprint([]any{obj{"Key": "env", "Value": "prod"}}) {
		t.Fatalf("after UntagResource = %v", m)
	}

	e.fail("ListTagsForResource", obj{"resourceArn": "arn:aws:ecr:us-east-1:" + acct + ":repository/app"}, "InvalidParameterException")
	e.fail("ListTagsForResource", obj{"resourceArn": "arn:aws:ecr-public::" + acct + ":repository/nope"}, "RepositoryNotFoundException")
	e.fail("ListTagsForResource", obj{}, "InvalidParameterException")
	var many []obj
	for i := range 50 {
		many = append(many, obj{"Key": fmt.Sprint("k", i), "Value": "v"})
	}
	e.fail("TagResource", obj{"resourceArn": arn, "tags": many}, "TooManyTagsException")
	e.fail("TagResource", obj{"resourceArn": arn, "tags": []obj{{"Key": "aws:reserved", "Value": "v"}}}, "InvalidTagParameterException")
	e.fail("TagResource", obj{"resourceArn": arn, "tags": []obj{{"Key": "k", "Value": strings.Repeat("v", 257)}}}, "InvalidTagParameterException")
	e.fail("TagResource", obj{"resourceArn": arn}, "InvalidParameterException")
	e.fail("UntagResource", obj{"resourceArn": arn, "tagKeys": []string{""}}, "InvalidTagParameterException")
	e.fail("UntagResource", obj{"resourceArn": "arn:aws:ecr-public::" + acct + ":repository/nope", "tagKeys": []string{"k"}}, "RepositoryNotFoundException")
	e.failAs(e.nobdy, "TagResource", obj{"resourceArn": arn, "tags": []obj{{"Key": "k", "Value": "v"}}}, "AccessDeniedException")

	// Tag conditions: a user allowed to describe only repositories tagged env=prod.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:ListTagsForResource","Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`
	if err := e.iam.PutInlinePolicy(e.ctx, e.root, store.KindUser, "nobody", "tagged", doc); err != nil {
		t.Fatal(err)
	}
	e.okAs(e.nobdy, "ListTagsForResource", obj{"resourceArn": arn})
	e.ok("UntagResource", obj{"resourceArn": arn, "tagKeys": []string{"env"}})
	e.failAs(e.nobdy, "ListTagsForResource", obj{"resourceArn": arn}, "AccessDeniedException")
}

func TestGetAuthorizationToken(t *testing.T) {
	e := newEnv(t)
	m := e.ok("GetAuthorizationToken", obj{})
	ad := m["authorizationData"].(obj)
	raw, err := base64.StdEncoding.DecodeString(ad["authorizationToken"].(string))
	if err != nil {
		t.Fatal(err)
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok || user != "AWS" || strings.Contains(password, ":") {
		t.Fatalf("token decodes to %q, want AWS:<password>", raw)
	}
	sub, err := e.auth.FromPassword(e.ctx, password)
	if err != nil || sub.Caller.ARN != e.root.Subject.Caller.ARN {
		t.Fatalf("the password resolves to %v, %v", sub, err)
	}
	exp, _ := ad["expiresAt"].(float64)
	if d := time.Until(time.Unix(int64(exp), 0)); d < 11*time.Hour || d > 13*time.Hour {
		t.Fatalf("expiresAt is %v from now, want 12h", d)
	}
	e.failAs(e.nobdy, "GetAuthorizationToken", obj{}, "AccessDeniedException")
	// A user with the power-user policy gets one.
	pusher := e.user("pusher", "arn:aws:iam::aws:policy/AmazonElasticContainerRegistryPublicPowerUser")
	e.okAs(pusher, "GetAuthorizationToken", obj{})
	west := *e.root
	west.Region = "eu-west-1"
	e.failAs(&west, "GetAuthorizationToken", obj{}, "UnsupportedCommandException")
}

// TestCrossAccount: another account's registry is reached by its ID, and
// only what a repository policy grants is allowed.
func TestCrossAccount(t *testing.T) {
	e := newEnv(t)
	e.createRepo("shared")
	otherRoot := &authz.Call{Subject: &authz.Subject{Caller: policy.Caller{Kind: policy.CallerRoot, ARN: "arn:aws:iam::" + other + ":root",
		Account: other, UserID: other}}, Region: "us-east-1", Now: time.Now()}
	in := obj{"registryId": acct, "repositoryName": "shared"}
	e.failAs(otherRoot, "InitiateLayerUpload", in, "AccessDeniedException")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":"ecr-public:InitiateLayerUpload"}]}`
	e.ok("SetRepositoryPolicy", obj{"repositoryName": "shared", "policyText": doc})
	e.okAs(otherRoot, "InitiateLayerUpload", in)
	e.failAs(otherRoot, "InitiateLayerUpload", obj{"repositoryName": "shared"}, "RepositoryNotFoundException")
}

// TestUploadIDPattern: upload IDs that break the model's UUID pattern are
// InvalidParameterException before any lookup, as AWS validates members first.
func TestUploadIDPattern(t *testing.T) {
	e := newEnv(t)
	e.ok("CreateRepository", obj{"repositoryName": "app"})
	for _, id := range []string{"not-a-uuid", "../x", "0000000-0000-0000-0000-000000000000"} {
		e.fail("UploadLayerPart", obj{"repositoryName": "app", "uploadId": id, "partFirstByte": 0, "partLastByte": 0, "layerPartBlob": []byte("x")}, "InvalidParameterException")
		e.fail("CompleteLayerUpload", obj{"repositoryName": "app", "uploadId": id, "layerDigests": []string{"sha256:" + strings.Repeat("0", 64)}}, "InvalidParameterException")
	}
	e.fail("UploadLayerPart", obj{"repositoryName": "app", "uploadId": "00000000-0000-4000-8000-000000000000", "partFirstByte": 0, "partLastByte": 0, "layerPartBlob": []byte("x")}, "UploadNotFoundException")
}
