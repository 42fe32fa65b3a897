package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// awsErr runs a command that must fail, and checks that the CLI printed
// botocore's rendering of an AWS error: "An error occurred (<code>) when
// calling the <op> operation: <message>". It returns that text.
func (c awsCLI) awsErr(code, op string, args ...string) string {
	c.t.Helper()
	errOut := c.fails(code, args...)
	want := "An error occurred (" + code + ") when calling the " + op + " operation: "
	if !strings.Contains(errOut, want) {
		c.t.Fatalf("aws %s: want %q, got:\n%s", strings.Join(args, " "), want, errOut)
	}
	msg := strings.TrimSpace(errOut[strings.Index(errOut, want)+len(want):])
	if msg == "" {
		c.t.Errorf("aws %s: %s has no message", strings.Join(args, " "), code)
	}
	return msg
}

// cliAs converts the CLI's JSON output into a typed value.
func cliAs[T any](t *testing.T, m map[string]any) T {
	t.Helper()
	var v T
	b, _ := json.Marshal(m)
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("output %s does not have the expected shape: %v", b, err)
	}
	return v
}

// The output shapes the test reads (botocore's member names).
type (
	cliRepository struct {
		RepositoryArn  string  `json:"repositoryArn"`
		RegistryID     string  `json:"registryId"`
		RepositoryName string  `json:"repositoryName"`
		RepositoryURI  string  `json:"repositoryUri"`
		CreatedAt      cliTime `json:"createdAt"`
	}
	cliCatalogData struct {
		Description      string   `json:"description"`
		Architectures    []string `json:"architectures"`
		OperatingSystems []string `json:"operatingSystems"`
		AboutText        string   `json:"aboutText"`
		UsageText        string   `json:"usageText"`
	}
	cliRepositories struct {
		Repositories []cliRepository `json:"repositories"`
		NextToken    string          `json:"NextToken"`
	}
	cliPolicy struct {
		RegistryID     string `json:"registryId"`
		RepositoryName string `json:"repositoryName"`
		PolicyText     string `json:"policyText"`
	}
	cliImageID struct {
		ImageDigest string `json:"imageDigest,omitempty"`
		ImageTag    string `json:"imageTag,omitempty"`
	}
	cliImageDetail struct {
		RegistryID             string   `json:"registryId"`
		RepositoryName         string   `json:"repositoryName"`
		ImageDigest            string   `json:"imageDigest"`
		ImageTags              []string `json:"imageTags"`
		ImageSizeInBytes       int64    `json:"imageSizeInBytes"`
		ImagePushedAt          cliTime  `json:"imagePushedAt"`
		ImageManifestMediaType string   `json:"imageManifestMediaType"`
	}
	cliTag struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	}
)

// cliTime is a timestamp as the CLI prints it: with v1's default
// cli_timestamp_format (none), the wire's epoch seconds as they are; an
// ISO 8601 string otherwise.
type cliTime time.Time

func (c *cliTime) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case float64:
		*c = cliTime(time.UnixMilli(int64(x * 1000)))
	case string:
		tm, err := time.Parse(time.RFC3339, x)
		if err != nil {
			return err
		}
		*c = cliTime(tm)
	}
	return nil
}

func (c cliTime) MarshalJSON() ([]byte, error) { return json.Marshal(time.Time(c).UnixMilli()) }

func (c cliTime) IsZero() bool { return time.Time(c).IsZero() }

func repoNames(rs []cliRepository) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.RepositoryName)
	}
	slices.Sort(out)
	return out
}

// sameJSONText reports whether two JSON texts hold the same value.
func sameJSONText(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return mustJSON(x) == mustJSON(y)
}

func writeTestFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestECRPublicCLI drives every `aws ecr-public` command of the real aws CLI
// (v1) against a fresh server: each succeeds once and fails once with an
// AWS-shaped error, as botocore renders it.
func TestECRPublicCLI(t *testing.T) {
	needAWSCLI(t)
	srv := Start(t)
	acct := srv.AccountID
	host := strings.TrimPrefix(srv.URL, "http://")
	root := awsCLI{t: t, srv: srv, keyID: srv.RootKeyID, secret: srv.RootKey, region: "us-east-1"}
	_, _, k := newUserWithKey(t, srv, rootIAM(srv), "no-perms")
	nobody := awsCLI{t: t, srv: srv, keyID: *k.AccessKeyId, secret: *k.SecretAccessKey, region: "us-east-1"}
	dir := t.TempDir()
	repoARN := func(name string) string { return "arn:aws:ecr-public::" + acct + ":repository/" + name }

	// create-repository, with catalog data and tags.
	catalog := `{"description":"Wharf CLI test","architectures":["x86-64","ARM 64"],"operatingSystems":["Linux"],` +
		`"aboutText":"# About\nA test repository.","usageText":"docker pull it"}`
	created := cliAs[struct {
		Repository  cliRepository  `json:"repository"`
		CatalogData cliCatalogData `json:"catalogData"`
	}](t, root.ok("ecr-public", "create-repository", "--repository-name", "cli/app", "--catalog-data", catalog,
		"--tags", "Key=team,Value=core", "Key=env,Value=dev"))
	repo := created.Repository
	if repo.RepositoryArn != repoARN("cli/app") || repo.RegistryID != acct || repo.RepositoryName != "cli/app" || repo.CreatedAt.IsZero() {
		t.Errorf("create-repository: repository %+v", repo)
	}
	alias, ok := strings.CutPrefix(strings.TrimSuffix(repo.RepositoryURI, "/cli/app"), host+"/")
	if !ok || alias == "" || strings.Contains(alias, "/") || !strings.HasSuffix(repo.RepositoryURI, "/cli/app") {
		t.Fatalf("create-repository: repositoryUri %q is not %s/<alias>/cli/app", repo.RepositoryURI, host)
	}
	wantCatalog := cliCatalogData{Description: "Wharf CLI test", Architectures: []string{"x86-64", "ARM 64"}, OperatingSystems: []string{"Linux"},
		AboutText: "# About\nA test repository.", UsageText: "docker pull it"}
	if mustJSON(created.CatalogData) != mustJSON(wantCatalog) {
		t.Errorf("create-repository: catalogData %+v, want %+v", created.CatalogData, wantCatalog)
	}
	root.awsErr("RepositoryAlreadyExistsException", "CreateRepository", "ecr-public", "create-repository", "--repository-name", "cli/app")
	root.awsErr("InvalidParameterException", "CreateRepository", "ecr-public", "create-repository", "--repository-name", "Bad_Name!")
	root.ok("ecr-public", "create-repository", "--repository-name", "cli/second")
	root.ok("ecr-public", "create-repository", "--repository-name", "cli/third")
	all := []string{"cli/app", "cli/second", "cli/third"}

	// describe-repositories: by name, a missing name, and paginated.
	byName := cliAs[cliRepositories](t, root.ok("ecr-public", "describe-repositories", "--repository-names", "cli/app", "cli/third"))
	if got := repoNames(byName.Repositories); !slices.Equal(got, []string{"cli/app", "cli/third"}) {
		t.Errorf("describe-repositories --repository-names: %v", got)
	}
	for _, r := range byName.Repositories {
		if r.RepositoryName == "cli/app" && mustJSON(r) != mustJSON(repo) {
			t.Errorf("describe-repositories: %+v, create-repository said %+v", r, repo)
		}
	}
	root.awsErr("RepositoryNotFoundException", "DescribeRepositories", "ecr-public", "describe-repositories", "--repository-names", "cli/app", "cli/nope")
	page1 := cliAs[cliRepositories](t, root.ok("ecr-public", "describe-repositories", "--max-items", "2", "--page-size", "1"))
	if len(page1.Repositories) != 2 || page1.NextToken == "" {
		t.Fatalf("describe-repositories --max-items 2 --page-size 1: %+v", page1)
	}
	page2 := cliAs[cliRepositories](t, root.ok("ecr-public", "describe-repositories", "--page-size", "1", "--starting-token", page1.NextToken))
	if page2.NextToken != "" {
		t.Errorf("describe-repositories: the last page has NextToken %q", page2.NextToken)
	}
	if got := repoNames(append(page1.Repositories, page2.Repositories...)); !slices.Equal(got, all) {
		t.Errorf("describe-repositories pages: %v, want %v", got, all)
	}

	// Repository policies.
	root.awsErr("RepositoryPolicyNotFoundException", "GetRepositoryPolicy", "ecr-public", "get-repository-policy", "--repository-name", "cli/app")
	root.awsErr("InvalidParameterException", "SetRepositoryPolicy", "ecr-public", "set-repository-policy", "--repository-name", "cli/app",
		"--policy-text", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*"`)
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Push","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/no-perms"},` +
		`"Action":["ecr-public:BatchCheckLayerAvailability","ecr-public:PutImage","ecr-public:InitiateLayerUpload","ecr-public:UploadLayerPart","ecr-public:CompleteLayerUpload"]}]}`
	set := cliAs[cliPolicy](t, root.ok("ecr-public", "set-repository-policy", "--repository-name", "cli/app", "--policy-text", policy))
	if set.RegistryID != acct || set.RepositoryName != "cli/app" || !sameJSONText(set.PolicyText, policy) {
		t.Errorf("set-repository-policy: %+v", set)
	}
	if got := cliAs[cliPolicy](t, root.ok("ecr-public", "get-repository-policy", "--repository-name", "cli/app")); !sameJSONText(got.PolicyText, policy) || got.RepositoryName != "cli/app" {
		t.Errorf("get-repository-policy: %+v", got)
	}
	if got := cliAs[cliPolicy](t, root.ok("ecr-public", "delete-repository-policy", "--repository-name", "cli/app")); !sameJSONText(got.PolicyText, policy) {
		t.Errorf("delete-repository-policy did not return the deleted text: %+v", got)
	}
	root.awsErr("RepositoryPolicyNotFoundException", "DeleteRepositoryPolicy", "ecr-public", "delete-repository-policy", "--repository-name", "cli/app")

	// Repository catalog data.
	type catalogOut struct {
		CatalogData cliCatalogData `json:"catalogData"`
	}
	if got := cliAs[catalogOut](t, root.ok("ecr-public", "get-repository-catalog-data", "--repository-name", "cli/app")); mustJSON(got.CatalogData) != mustJSON(wantCatalog) {
		t.Errorf("get-repository-catalog-data: %+v, want %+v", got.CatalogData, wantCatalog)
	}
	root.awsErr("RepositoryNotFoundException", "GetRepositoryCatalogData", "ecr-public", "get-repository-catalog-data", "--repository-name", "cli/nope")
	put := cliAs[catalogOut](t, root.ok("ecr-public", "put-repository-catalog-data", "--repository-name", "cli/app",
		"--catalog-data", `{"description":"Updated","operatingSystems":["Linux","Windows"]}`))
	if put.CatalogData.Description != "Updated" || !slices.Equal(put.CatalogData.OperatingSystems, []string{"Linux", "Windows"}) {
		t.Errorf("put-repository-catalog-data: %+v", put.CatalogData)
	}
	root.awsErr("InvalidParameterException", "PutRepositoryCatalogData", "ecr-public", "put-repository-catalog-data", "--repository-name", "cli/app",
		"--catalog-data", `{"description":"`+strings.Repeat("d", 1025)+`"}`)

	// Registry catalog data and registries.
	type registryCatalog struct {
		RegistryCatalogData struct {
			DisplayName string `json:"displayName"`
		} `json:"registryCatalogData"`
	}
	if got := cliAs[registryCatalog](t, root.ok("ecr-public", "put-registry-catalog-data", "--display-name", "Wharf CLI")); got.RegistryCatalogData.DisplayName != "Wharf CLI" {
		t.Errorf("put-registry-catalog-data: %+v", got)
	}
	root.awsErr("InvalidParameterException", "PutRegistryCatalogData", "ecr-public", "put-registry-catalog-data", "--display-name", strings.Repeat("n", 101))
	if got := cliAs[registryCatalog](t, root.ok("ecr-public", "get-registry-catalog-data")); got.RegistryCatalogData.DisplayName != "Wharf CLI" {
		t.Errorf("get-registry-catalog-data: %+v", got)
	}
	denied := nobody.awsErr("AccessDeniedException", "GetRegistryCatalogData", "ecr-public", "get-registry-catalog-data")
	if !strings.Contains(denied, "ecr-public:GetRegistryCatalogData") {
		t.Errorf("get-registry-catalog-data as no-perms: the message does not name the action: %s", denied)
	}
	regs := cliAs[struct {
		Registries []struct {
			RegistryID  string `json:"registryId"`
			RegistryArn string `json:"registryArn"`
			RegistryURI string `json:"registryUri"`
			Verified    *bool  `json:"verified"`
			Aliases     []struct {
				Name                 string `json:"name"`
				Status               string `json:"status"`
				PrimaryRegistryAlias bool   `json:"primaryRegistryAlias"`
				DefaultRegistryAlias bool   `json:"defaultRegistryAlias"`
			} `json:"aliases"`
		} `json:"registries"`
	}](t, root.ok("ecr-public", "describe-registries"))
	if len(regs.Registries) != 1 {
		t.Fatalf("describe-registries: %+v", regs)
	}
	if r := regs.Registries[0]; r.RegistryID != acct || r.RegistryArn != "arn:aws:ecr-public::"+acct+":registry/"+acct || r.RegistryURI != host+"/"+alias ||
		r.Verified == nil || len(r.Aliases) != 1 || r.Aliases[0].Name != alias || r.Aliases[0].Status != "ACTIVE" || !r.Aliases[0].PrimaryRegistryAlias || !r.Aliases[0].DefaultRegistryAlias {
		t.Errorf("describe-registries: %+v", r)
	}
	// A starting token botocore cannot decode goes to the server as it is.
	root.awsErr("InvalidParameterException", "DescribeRegistries", "ecr-public", "describe-registries", "--starting-token", "not-a-token")

	// get-authorization-token and get-login-password; the password logs
	// crane in.
	tok := cliAs[struct {
		AuthorizationData struct {
			AuthorizationToken string  `json:"authorizationToken"`
			ExpiresAt          cliTime `json:"expiresAt"`
		} `json:"authorizationData"`
	}](t, root.ok("ecr-public", "get-authorization-token"))
	raw, err := base64.StdEncoding.DecodeString(tok.AuthorizationData.AuthorizationToken)
	if user, pass, ok := strings.Cut(string(raw), ":"); err != nil || !ok || user != "AWS" || pass == "" || strings.Contains(pass, ":") {
		t.Errorf("get-authorization-token: token %q is not base64 of AWS:<password>", tok.AuthorizationData.AuthorizationToken)
	}
	if exp := time.Time(tok.AuthorizationData.ExpiresAt); !exp.After(time.Now().Add(time.Hour)) || exp.After(time.Now().Add(13*time.Hour)) {
		t.Errorf("get-authorization-token: expiresAt %v, want within 1h to 13h from now", exp)
	}
	west := root
	west.region = "eu-west-1"
	west.awsErr("UnsupportedCommandException", "GetAuthorizationToken", "ecr-public", "get-authorization-token")
	out, errOut, err := root.run("ecr-public", "get-login-password")
	if err != nil {
		t.Fatalf("get-login-password: %v\n%s", err, errOut)
	}
	password := strings.TrimSpace(out)
	if password == "" || strings.ContainsAny(password, ": \n") {
		t.Fatalf("get-login-password printed %q", out)
	}
	west.awsErr("UnsupportedCommandException", "GetAuthorizationToken", "ecr-public", "get-login-password")

	auth := crane.WithAuth(&authn.Basic{Username: "AWS", Password: password})
	imgA, _ := random.Image(2048, 2)
	imgB, _ := random.Image(1024, 1)
	digestA, _ := imgA.Digest()
	digestB, _ := imgB.Digest()
	uri := repo.RepositoryURI
	if err := crane.Push(imgA, uri+":v1", auth, crane.Insecure); err != nil {
		t.Fatalf("crane push with the get-login-password password: %v", err)
	}
	if err := crane.Tag(uri+":v1", "v2", auth, crane.Insecure); err != nil {
		t.Fatalf("crane tag: %v", err)
	}
	if err := crane.Push(imgB, uri+":latest", auth, crane.Insecure); err != nil {
		t.Fatalf("crane push: %v", err)
	}
	if err := crane.Push(imgB, uri+":nope", crane.WithAuth(&authn.Basic{Username: "AWS", Password: password + "x"}), crane.Insecure); err == nil {
		t.Errorf("crane push with a corrupted password succeeded")
	}

	// describe-images (all pages, one image a page), describe-image-tags.
	imgs := cliAs[struct {
		ImageDetails []cliImageDetail `json:"imageDetails"`
	}](t, root.ok("ecr-public", "describe-images", "--repository-name", "cli/app", "--page-size", "1"))
	want := map[string][]string{digestA.String(): {"v1", "v2"}, digestB.String(): {"latest"}}
	if len(imgs.ImageDetails) != 2 {
		t.Fatalf("describe-images --page-size 1: %+v", imgs)
	}
	for _, d := range imgs.ImageDetails {
		tags := slices.Clone(d.ImageTags)
		slices.Sort(tags)
		if !slices.Equal(tags, want[d.ImageDigest]) || d.RegistryID != acct || d.RepositoryName != "cli/app" || d.ImageSizeInBytes <= 1024 ||
			d.ImagePushedAt.IsZero() || d.ImageManifestMediaType != string(types.DockerManifestSchema2) {
			t.Errorf("describe-images: %+v (want tags %v)", d, want[d.ImageDigest])
		}
	}
	msg := root.awsErr("ImageNotFoundException", "DescribeImages", "ecr-public", "describe-images", "--repository-name", "cli/app", "--image-ids", "imageTag=missing")
	if !strings.Contains(msg, "missing") {
		t.Errorf("describe-images ImageNotFoundException does not name the tag: %s", msg)
	}
	tagDetails := cliAs[struct {
		ImageTagDetails []struct {
			ImageTag    string  `json:"imageTag"`
			CreatedAt   cliTime `json:"createdAt"`
			ImageDetail struct {
				ImageDigest      string `json:"imageDigest"`
				ImageSizeInBytes int64  `json:"imageSizeInBytes"`
			} `json:"imageDetail"`
		} `json:"imageTagDetails"`
	}](t, root.ok("ecr-public", "describe-image-tags", "--repository-name", "cli/app", "--page-size", "1"))
	gotTags := map[string]string{}
	for _, d := range tagDetails.ImageTagDetails {
		gotTags[d.ImageTag] = d.ImageDetail.ImageDigest
		if d.CreatedAt.IsZero() || d.ImageDetail.ImageSizeInBytes <= 1024 {
			t.Errorf("describe-image-tags: %+v", d)
		}
	}
	if wantTags := map[string]string{"v1": digestA.String(), "v2": digestA.String(), "latest": digestB.String()}; mustJSON(gotTags) != mustJSON(wantTags) {
		t.Errorf("describe-image-tags: %v, want %v", gotTags, wantTags)
	}
	root.awsErr("RepositoryNotFoundException", "DescribeImageTags", "ecr-public", "describe-image-tags", "--repository-name", "cli/nope")

	// batch-delete-image: one tag goes, a missing one is a failure.
	del := cliAs[struct {
		ImageIDs []cliImageID `json:"imageIds"`
		Failures []struct {
			ImageID       cliImageID `json:"imageId"`
			FailureCode   string     `json:"failureCode"`
			FailureReason string     `json:"failureReason"`
		} `json:"failures"`
	}](t, root.ok("ecr-public", "batch-delete-image", "--repository-name", "cli/app", "--image-ids", "imageTag=v2", "imageTag=missing"))
	if len(del.ImageIDs) != 1 || del.ImageIDs[0] != (cliImageID{digestA.String(), "v2"}) {
		t.Errorf("batch-delete-image: imageIds %+v", del.ImageIDs)
	}
	if len(del.Failures) != 1 || del.Failures[0].ImageID.ImageTag != "missing" || del.Failures[0].FailureCode != "ImageNotFound" || del.Failures[0].FailureReason == "" {
		t.Errorf("batch-delete-image: failures %+v", del.Failures)
	}
	root.awsErr("RepositoryNotFoundException", "BatchDeleteImage", "ecr-public", "batch-delete-image", "--repository-name", "cli/nope", "--image-ids", "imageTag=v1")

	// batch-check-layer-availability.
	layersA, _ := imgA.Layers()
	layerA, _ := layersA[0].Digest()
	sizeA, _ := layersA[0].Size()
	absent := "sha256:" + strings.Repeat("0", 64)
	check := cliAs[struct {
		Layers []struct {
			LayerDigest       string `json:"layerDigest"`
			LayerAvailability string `json:"layerAvailability"`
			LayerSize         int64  `json:"layerSize"`
		} `json:"layers"`
		Failures []struct {
			LayerDigest string `json:"layerDigest"`
			FailureCode string `json:"failureCode"`
		} `json:"failures"`
	}](t, root.ok("ecr-public", "batch-check-layer-availability", "--repository-name", "cli/app", "--layer-digests", layerA.String(), absent))
	if len(check.Layers) != 1 || check.Layers[0].LayerDigest != layerA.String() || check.Layers[0].LayerAvailability != "AVAILABLE" || check.Layers[0].LayerSize != sizeA {
		t.Errorf("batch-check-layer-availability: layers %+v", check.Layers)
	}
	if len(check.Failures) != 1 || check.Failures[0].LayerDigest != absent || check.Failures[0].FailureCode != "MissingLayerDigest" {
		t.Errorf("batch-check-layer-availability: failures %+v", check.Failures)
	}
	root.awsErr("RepositoryNotFoundException", "BatchCheckLayerAvailability", "ecr-public", "batch-check-layer-availability", "--repository-name", "cli/nope", "--layer-digests", layerA.String())

	// The push API: an image into cli/second, layer in two parts, config
	// in one, then put-image; an anonymous crane pull reads it back.
	layer, _ := random.Layer(4096, types.DockerLayer)
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	layerBytes := compressedBytes(t, layer)
	layerDigest, _ := layer.Digest()
	configBytes, _ := img.RawConfigFile()
	configDigest, _ := img.ConfigName()
	manifest, _ := img.RawManifest()
	imgDigest, _ := img.Digest()
	half := len(layerBytes) / 2
	part1 := writeTestFile(t, dir, "part1", layerBytes[:half])
	part2 := writeTestFile(t, dir, "part2", layerBytes[half:])
	configFile := writeTestFile(t, dir, "config", configBytes)
	manifestFile := writeTestFile(t, dir, "manifest.json", manifest)
	itoa := strconv.Itoa

	type upload struct {
		UploadID         string `json:"uploadId"`
		PartSize         int64  `json:"partSize"`
		LastByteReceived *int64 `json:"lastByteReceived"`
		LayerDigest      string `json:"layerDigest"`
		RepositoryName   string `json:"repositoryName"`
		RegistryID       string `json:"registryId"`
	}
	initiate := func() string {
		t.Helper()
		u := cliAs[upload](t, root.ok("ecr-public", "initiate-layer-upload", "--repository-name", "cli/second"))
		if u.UploadID == "" || u.PartSize <= 0 {
			t.Fatalf("initiate-layer-upload: %+v", u)
		}
		return u.UploadID
	}
	uploadPart := func(id, file string, first, last int) {
		t.Helper()
		u := cliAs[upload](t, root.ok("ecr-public", "upload-layer-part", "--repository-name", "cli/second", "--upload-id", id,
			"--part-first-byte", itoa(first), "--part-last-byte", itoa(last), "--layer-part-blob", "fileb://"+file))
		if u.UploadID != id || u.LastByteReceived == nil || *u.LastByteReceived != int64(last) || u.RepositoryName != "cli/second" || u.RegistryID != acct {
			t.Errorf("upload-layer-part %d-%d: %+v", first, last, u)
		}
	}
	root.awsErr("RepositoryNotFoundException", "InitiateLayerUpload", "ecr-public", "initiate-layer-upload", "--repository-name", "cli/nope")
	layerUpload := initiate()
	uploadPart(layerUpload, part1, 0, half-1)
	// A part that does not start where the upload ends.
	root.awsErr("InvalidLayerPartException", "UploadLayerPart", "ecr-public", "upload-layer-part", "--repository-name", "cli/second", "--upload-id", layerUpload,
		"--part-first-byte", itoa(half+1), "--part-last-byte", itoa(len(layerBytes)), "--layer-part-blob", "fileb://"+part2)
	uploadPart(layerUpload, part2, half, len(layerBytes)-1)
	if done := cliAs[upload](t, root.ok("ecr-public", "complete-layer-upload", "--repository-name", "cli/second", "--upload-id", layerUpload,
		"--layer-digests", layerDigest.String())); done.LayerDigest != layerDigest.String() || done.UploadID != layerUpload {
		t.Errorf("complete-layer-upload: %+v", done)
	}
	configUpload := initiate()
	uploadPart(configUpload, configFile, 0, len(configBytes)-1)
	// The config's bytes under the layer's digest: a digest mismatch.
	root.awsErr("InvalidLayerException", "CompleteLayerUpload", "ecr-public", "complete-layer-upload", "--repository-name", "cli/second",
		"--upload-id", configUpload, "--layer-digests", "sha256:"+strings.Repeat("ab", 32))
	configUpload = initiate()
	uploadPart(configUpload, configFile, 0, len(configBytes)-1)
	if done := cliAs[upload](t, root.ok("ecr-public", "complete-layer-upload", "--repository-name", "cli/second", "--upload-id", configUpload,
		"--layer-digests", configDigest.String())); done.LayerDigest != configDigest.String() {
		t.Errorf("complete-layer-upload (config): %+v", done)
	}

	putImg := cliAs[struct {
		Image struct {
			RegistryID             string     `json:"registryId"`
			RepositoryName         string     `json:"repositoryName"`
			ImageID                cliImageID `json:"imageId"`
			ImageManifest          string     `json:"imageManifest"`
			ImageManifestMediaType string     `json:"imageManifestMediaType"`
		} `json:"image"`
	}](t, root.ok("ecr-public", "put-image", "--repository-name", "cli/second", "--image-tag", "cli", "--image-manifest", "file://"+manifestFile))
	if im := putImg.Image; im.ImageID != (cliImageID{imgDigest.String(), "cli"}) || im.RepositoryName != "cli/second" || im.RegistryID != acct ||
		im.ImageManifest != string(manifest) || im.ImageManifestMediaType != string(types.DockerManifestSchema2) {
		t.Errorf("put-image: %+v (want digest %s)", im, imgDigest)
	}
	otherLayer, _ := random.Layer(512, types.DockerLayer)
	otherDigest, _ := otherLayer.Digest()
	missingManifest := bytes.Replace(manifest, []byte(layerDigest.String()), []byte(otherDigest.String()), 1)
	msg = root.awsErr("LayersNotFoundException", "PutImage", "ecr-public", "put-image", "--repository-name", "cli/second", "--image-tag", "broken",
		"--image-manifest", "file://"+writeTestFile(t, dir, "missing.json", missingManifest))
	if !strings.Contains(msg, otherDigest.String()) {
		t.Errorf("put-image LayersNotFoundException does not name the missing layer %s: %s", otherDigest, msg)
	}
	secondURI := strings.TrimSuffix(uri, "cli/app") + "cli/second"
	pulled, err := crane.Pull(secondURI+":cli", crane.Insecure)
	if err != nil {
		t.Fatalf("anonymous pull of the put-image image: %v", err)
	}
	if d, _ := pulled.Digest(); d != imgDigest {
		t.Errorf("pulled %s, put %s", d, imgDigest)
	}
	if ls, _ := pulled.Layers(); len(ls) != 1 || !bytes.Equal(compressedBytes(t, ls[0]), layerBytes) {
		t.Errorf("the pulled layer is not the uploaded one")
	}

	// Resource tags.
	type tagsOut struct {
		Tags []cliTag `json:"tags"`
	}
	sortTags := func(ts []cliTag) []cliTag {
		slices.SortFunc(ts, func(a, b cliTag) int { return strings.Compare(a.Key, b.Key) })
		return ts
	}
	if got := sortTags(cliAs[tagsOut](t, root.ok("ecr-public", "list-tags-for-resource", "--resource-arn", repoARN("cli/app"))).Tags); mustJSON(got) != mustJSON([]cliTag{{"env", "dev"}, {"team", "core"}}) {
		t.Errorf("list-tags-for-resource after create-repository --tags: %v", got)
	}
	root.ok("ecr-public", "tag-resource", "--resource-arn", repoARN("cli/app"), "--tags", "Key=env,Value=prod", "Key=owner,Value=wharf")
	root.ok("ecr-public", "untag-resource", "--resource-arn", repoARN("cli/app"), "--tag-keys", "team", "absent")
	if got := sortTags(cliAs[tagsOut](t, root.ok("ecr-public", "list-tags-for-resource", "--resource-arn", repoARN("cli/app"))).Tags); mustJSON(got) != mustJSON([]cliTag{{"env", "prod"}, {"owner", "wharf"}}) {
		t.Errorf("list-tags-for-resource after tag-resource and untag-resource: %v", got)
	}
	// The private-ECR ARN form (with a region) is not a repository ARN of
	// ECR Public; a well-formed ARN of a missing repository is not found.
	root.awsErr("InvalidParameterException", "TagResource", "ecr-public", "tag-resource", "--resource-arn", "arn:aws:ecr:us-east-1:"+acct+":repository/cli/app", "--tags", "Key=k,Value=v")
	root.awsErr("RepositoryNotFoundException", "UntagResource", "ecr-public", "untag-resource", "--resource-arn", repoARN("cli/nope"), "--tag-keys", "env")
	root.awsErr("InvalidParameterException", "ListTagsForResource", "ecr-public", "list-tags-for-resource", "--resource-arn", "not-an-arn")

	// delete-repository: not empty without --force; --force; then gone.
	root.awsErr("RepositoryNotEmptyException", "DeleteRepository", "ecr-public", "delete-repository", "--repository-name", "cli/app")
	gone := cliAs[struct {
		Repository cliRepository `json:"repository"`
	}](t, root.ok("ecr-public", "delete-repository", "--repository-name", "cli/app", "--force"))
	if mustJSON(gone.Repository) != mustJSON(repo) {
		t.Errorf("delete-repository --force: %+v, want %+v", gone.Repository, repo)
	}
	root.awsErr("RepositoryNotFoundException", "DeleteRepository", "ecr-public", "delete-repository", "--repository-name", "cli/app")
	root.ok("ecr-public", "delete-repository", "--repository-name", "cli/third")
	if left := cliAs[cliRepositories](t, root.ok("ecr-public", "describe-repositories")); !slices.Equal(repoNames(left.Repositories), []string{"cli/second"}) {
		t.Errorf("describe-repositories after the deletes: %v", repoNames(left.Repositories))
	}
	if _, err := crane.Digest(uri+":v1", crane.Insecure); err == nil {
		t.Errorf("cli/app:v1 is still served after delete-repository --force")
	}
}

// compressedBytes reads a layer's compressed bytes.
func compressedBytes(t *testing.T, l v1.Layer) []byte {
	t.Helper()
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
