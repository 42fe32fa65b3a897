package e2e

// Moving up from the embedded deployment: wharf admin migrate copies a
// stopped `wharf serve`'s data directory (SQLite and blob files) into
// PostgreSQL and S3, and scale-out replicas started on them with the same
// secret key file serve the same images, users, policies and keys.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecrpublic/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/jackc/pgx/v5"
	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/testenv"
)

// runMigrate runs wharf admin migrate and returns its output and exit code.
func runMigrate(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(Binary(t), append([]string{"admin", "migrate"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	began := time.Now()
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatalf("wharf admin migrate: %v", err)
	}
	t.Logf("wharf admin migrate (%v, exit %d):\n%s%s", time.Since(began).Round(time.Millisecond), code, o.String(), e.String())
	return o.String(), e.String(), code
}

// pushIndex pushes a random multi-platform index of n images to ref.
func pushIndex(t *testing.T, ref string, n int, auth authn.Authenticator) v1.ImageIndex {
	t.Helper()
	idx, err := random.Index(2048, 2, int64(n))
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx, remote.WithAuth(auth)); err != nil {
		t.Fatalf("push index %s: %v", ref, err)
	}
	return idx
}

// pullAll pulls ref anonymously, reading every layer (go-containerregistry
// checks each blob's digest as it reads), and returns the manifest digest.
func pullAll(t *testing.T, ref string) string {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(r)
	if err != nil {
		t.Errorf("pull %s: %v", ref, err)
		return ""
	}
	var imgs []v1.Image
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			t.Fatal(err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range im.Manifests {
			img, err := idx.Image(m.Digest)
			if err != nil {
				t.Errorf("pull %s, child %s: %v", ref, m.Digest, err)
				continue
			}
			imgs = append(imgs, img)
		}
	} else {
		img, err := desc.Image()
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	for _, img := range imgs {
		if _, err := img.RawConfigFile(); err != nil {
			t.Errorf("pull %s: config: %v", ref, err)
		}
		layers, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range layers {
			rc, err := l.Compressed()
			if err == nil {
				_, err = io.Copy(io.Discard, rc)
				rc.Close()
			}
			if err != nil {
				d, _ := l.Digest()
				t.Errorf("pull %s: layer %s: %v", ref, d, err)
			}
		}
	}
	return desc.Digest.String()
}

// deploymentView is what a deployment lists, as JSON per listing, with the
// server's address replaced (repository URIs and logo URLs name it).
func deploymentView(t *testing.T, srv *Server) map[string]string {
	t.Helper()
	ctx := context.Background()
	admin := rootIAM(srv)
	ecr := ecrClient(srv, srv.RootKeyID, srv.RootKey, "")
	view := map[string]string{}
	put := func(k string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		view[k] = strings.ReplaceAll(string(b), hostOf(srv), "HOST")
	}
	put("users", must[*iam.ListUsersOutput](t, "ListUsers")(admin.ListUsers(ctx, &iam.ListUsersInput{})).Users)
	put("groups", must[*iam.ListGroupsOutput](t, "ListGroups")(admin.ListGroups(ctx, &iam.ListGroupsInput{})).Groups)
	put("group devs", must[*iam.GetGroupOutput](t, "GetGroup")(admin.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")})).Users)
	put("group devs inline", must[*iam.GetGroupPolicyOutput](t, "GetGroupPolicy")(admin.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("describe")})).PolicyDocument)
	put("local policies", must[*iam.ListPoliciesOutput](t, "ListPolicies")(admin.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})).Policies)
	put("policy versions", must[*iam.ListPolicyVersionsOutput](t, "ListPolicyVersions")(admin.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String("arn:aws:iam::" + srv.AccountID + ":policy/pull-only")})).Versions)
	put("pusher attached", must[*iam.ListAttachedUserPoliciesOutput](t, "ListAttachedUserPolicies")(admin.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("pusher")})).AttachedPolicies)
	put("devs attached", must[*iam.ListAttachedGroupPoliciesOutput](t, "ListAttachedGroupPolicies")(admin.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")})).AttachedPolicies)
	put("pusher keys", must[*iam.ListAccessKeysOutput](t, "ListAccessKeys")(admin.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("pusher")})).AccessKeyMetadata)
	repos := must[*ecrpublic.DescribeRepositoriesOutput](t, "DescribeRepositories")(ecr.DescribeRepositories(ctx, &ecrpublic.DescribeRepositoriesInput{})).Repositories
	put("repositories", repos)
	for _, r := range repos {
		n := aws.ToString(r.RepositoryName)
		imgs := must[*ecrpublic.DescribeImagesOutput](t, "DescribeImages "+n)(ecr.DescribeImages(ctx, &ecrpublic.DescribeImagesInput{RepositoryName: r.RepositoryName})).ImageDetails
		slices.SortFunc(imgs, func(a, b ecrtypes.ImageDetail) int {
			return strings.Compare(aws.ToString(a.ImageDigest), aws.ToString(b.ImageDigest))
		})
		put("images "+n, imgs)
		put("tags "+n, must[*ecrpublic.DescribeImageTagsOutput](t, "DescribeImageTags "+n)(ecr.DescribeImageTags(ctx, &ecrpublic.DescribeImageTagsInput{RepositoryName: r.RepositoryName})).ImageTagDetails)
		put("catalog data "+n, must[*ecrpublic.GetRepositoryCatalogDataOutput](t, "GetRepositoryCatalogData "+n)(ecr.GetRepositoryCatalogData(ctx, &ecrpublic.GetRepositoryCatalogDataInput{RepositoryName: r.RepositoryName})).CatalogData)
	}
	put("policy team/app", aws.ToString(must[*ecrpublic.GetRepositoryPolicyOutput](t, "GetRepositoryPolicy")(ecr.GetRepositoryPolicy(ctx, &ecrpublic.GetRepositoryPolicyInput{RepositoryName: aws.String("team/app")})).PolicyText))
	return view
}

// TestMigrateEmbeddedToScaleOut: populate an embedded server, stop it,
// migrate it, and start two scale-out replicas on the result with the same
// key file: the same listings, every image pulls with its digest, the IAM
// user's key still signs, and both old and new data can be written.
func TestMigrateEmbeddedToScaleOut(t *testing.T) {
	dsn := testenv.Postgres(t)
	bucket := testenv.S3(t)
	src := Start(t)
	ctx := context.Background()
	acct := src.AccountID

	// IAM: a user with a key, a managed policy of AWS's attached and an
	// inline one; a group with a member, a customer policy of two versions
	// attached, and an inline policy.
	admin := rootIAM(src)
	must[*iam.CreateUserOutput](t, "CreateUser")(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("pusher"), Path: aws.String("/ci/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("pusher"), PolicyArn: aws.String(fullAccessPolicy)}))
	key := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("pusher")})).AccessKey
	keyID, secret := aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey)
	must[*iam.CreateGroupOutput](t, "CreateGroup")(admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("pusher")}))
	must[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(admin.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("describe"),
		PolicyDocument: aws.String(allowDoc("ecr-public:DescribeRepositories"))}))
	pol := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("pull-only"),
		PolicyDocument: aws.String(allowDoc("ecr-public:DescribeImages"))})).Policy
	must[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion")(admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Arn,
		PolicyDocument: aws.String(allowDoc("ecr-public:DescribeImages", "ecr-public:DescribeImageTags")), SetAsDefault: true}))
	must[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Arn}))

	// The registry: three repositories, catalog data with a logo, a
	// repository policy; two images, a multi-platform index.
	root := ecrClient(src, src.RootKeyID, src.RootKey, "")
	var alias string
	for _, n := range []string{"team/app", "team/multi", "tools/cli"} {
		out := must[*ecrpublic.CreateRepositoryOutput](t, "CreateRepository "+n)(root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String(n)}))
		alias = strings.SplitN(aws.ToString(out.Repository.RepositoryUri), "/", 3)[1]
	}
	logo := append([]byte("\x89PNG\r\n\x1a\n"), randomBytes(t, 300)...)
	must[*ecrpublic.PutRepositoryCatalogDataOutput](t, "PutRepositoryCatalogData")(root.PutRepositoryCatalogData(ctx, &ecrpublic.PutRepositoryCatalogDataInput{
		RepositoryName: aws.String("team/app"),
		CatalogData: &ecrtypes.RepositoryCatalogDataInput{Description: aws.String("the app"), AboutText: aws.String("# About"), UsageText: aws.String("docker run it"),
			Architectures: []string{"x86-64"}, OperatingSystems: []string{"Linux"}, LogoImageBlob: logo},
	}))
	must[*ecrpublic.SetRepositoryPolicyOutput](t, "SetRepositoryPolicy")(root.SetRepositoryPolicy(ctx, &ecrpublic.SetRepositoryPolicyInput{RepositoryName: aws.String("team/app"),
		PolicyText: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Pusher","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/ci/pusher"},"Action":["ecr-public:BatchCheckLayerAvailability"]}]}`)}))

	auth := &authn.Basic{Username: "AWS", Password: loginPassword(t, ecrClient(src, keyID, secret, ""))}
	refs := map[string]string{} // path (alias/repo:tag) → digest
	for _, p := range []struct {
		repo, tag   string
		size, count int64
	}{{"team/app", "v1", 4096, 2}, {"team/app", "v2", 3 << 20, 1}, {"tools/cli", "latest", 1024, 3}} {
		img, err := random.Image(p.size, p.count)
		if err != nil {
			t.Fatal(err)
		}
		path := alias + "/" + p.repo + ":" + p.tag
		if err := crane.Push(img, hostOf(src)+"/"+path, crane.WithAuth(auth), crane.Insecure); err != nil {
			t.Fatalf("push %s: %v", path, err)
		}
		d, _ := img.Digest()
		refs[path] = d.String()
	}
	idx := pushIndex(t, hostOf(src)+"/"+alias+"/team/multi:latest", 3, auth)
	d, _ := idx.Digest()
	refs[alias+"/team/multi:latest"] = d.String()

	before := deploymentView(t, src)
	for path, d := range refs { // the listings compared below hold what was pushed
		repo := strings.TrimPrefix(path[:strings.LastIndex(path, ":")], alias+"/")
		if !strings.Contains(before["images "+repo], d) {
			t.Fatalf("DescribeImages %s does not list %s: %s", repo, d, before["images "+repo])
		}
	}
	src.Stop(t)

	// Migrate: every blob copied and verified, every table copied.
	keyFile := filepath.Join(src.DataDir, "secret.key")
	out, errOut, code := runMigrate(t, bucket.Env(), "--data-dir", src.DataDir, "--to-database-url", dsn, "--to-blob-store", bucket.BlobStore())
	if code != 0 {
		t.Fatalf("wharf admin migrate failed (exit %d): %s", code, errOut)
	}
	for _, want := range []string{"copied table accounts", "copied table manifests", "already in the target", "NOT copied", keyFile} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q", want)
		}
	}
	if strings.Contains(out+errOut, secret) || strings.Contains(out+errOut, src.RootKey) {
		t.Error("the output shows a secret access key")
	}

	// Two replicas on PostgreSQL and S3, with the embedded server's key.
	args := []string{"--database-url", dsn, "--blob-store", bucket.BlobStore(), "--secret-key-file", keyFile}
	r1 := StartReplica(t, src, bucket.Env(), args...)
	r2 := StartReplica(t, src, bucket.Env(), args...)
	logTailsOnFailure(t, []*Server{r1, r2})

	after := deploymentView(t, r1)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s differs after the migration:\nbefore %s\nafter  %s", k, v, after[k])
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d listings before, %d after", len(before), len(after))
	}

	// Every image pulls, anonymously, from both replicas, with its digest.
	for _, r := range []*Server{r1, r2} {
		for path, want := range refs {
			if got := pullAll(t, hostOf(r)+"/"+path); got != want {
				t.Errorf("pull %s from %s: digest %s, pushed %s", path, r.URL, got, want)
			}
			if got, err := crane.Digest(hostOf(r)+"/"+path, crane.Insecure); err != nil || got != want {
				t.Errorf("crane digest %s from %s: %s, %v; pushed %s", path, r.URL, got, err, want)
			}
		}
	}
	// The logo blob came along.
	res, err := http.Get(r2.URL + "/v2/" + alias + "/team/app/blobs/" + digest.FromBytes(logo).String())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, logo) {
		t.Errorf("logo from replica 2: HTTP %d, %d bytes", res.StatusCode, len(got))
	}

	// The user's key still signs (its secret opens with the same key
	// file): it pushes a new image through replica 2, pulled from 1.
	user := ecrClient(r2, keyID, secret, "")
	must[*ecrpublic.DescribeRepositoriesOutput](t, "DescribeRepositories with the migrated user's key")(user.DescribeRepositories(ctx, &ecrpublic.DescribeRepositoriesInput{}))
	img, err := random.Image(2048, 1)
	if err != nil {
		t.Fatal(err)
	}
	auth2 := &authn.Basic{Username: "AWS", Password: loginPassword(t, user)}
	if err := crane.Push(img, hostOf(r2)+"/"+alias+"/team/app:v3", crane.WithAuth(auth2), crane.Insecure); err != nil {
		t.Fatalf("push after the migration: %v", err)
	}
	want, _ := img.Digest()
	if got := pullAll(t, hostOf(r1)+"/"+alias+"/team/app:v3"); got != want.String() {
		t.Errorf("pull of the image pushed after the migration: %s, pushed %s", got, want)
	}
	// New IAM rows get keys of their own (the sequences moved past the
	// copied keys).
	admin1 := rootIAM(r1)
	must[*iam.CreateUserOutput](t, "CreateUser after the migration")(admin1.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("newcomer")}))
	must[*iam.CreatePolicyOutput](t, "CreatePolicy after the migration")(admin1.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("later"), PolicyDocument: aws.String(allowDoc("ecr-public:DescribeImages"))}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy after the migration")(admin1.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("newcomer"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowDoc("ecr-public:DescribeImages"))}))
	must[*ecrpublic.CreateRepositoryOutput](t, "CreateRepository after the migration")(ecrClient(r2, r2.RootKeyID, r2.RootKey, "").CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String("team/later")}))
	must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey after the migration")(admin1.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("newcomer")}))

	// A second run into the now used database is refused.
	_, errOut, code = runMigrate(t, bucket.Env(), "--data-dir", src.DataDir, "--to-database-url", dsn, "--to-blob-store", bucket.BlobStore())
	if code != 1 || !strings.Contains(errOut, "not empty") {
		t.Errorf("a second migration into the used database: exit %d, %s", code, errOut)
	}
}

// TestMigrateCorruptBlob: a blob file whose bytes no longer match its
// digest stops the migration, naming the digest, and the target database
// holds no account afterwards.
func TestMigrateCorruptBlob(t *testing.T) {
	dsn := testenv.Postgres(t)
	bucket := testenv.S3(t)
	src := Start(t)
	ctx := context.Background()
	root := ecrClient(src, src.RootKeyID, src.RootKey, "")
	out := must[*ecrpublic.CreateRepositoryOutput](t, "CreateRepository")(root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String("team/app")}))
	alias := strings.SplitN(aws.ToString(out.Repository.RepositoryUri), "/", 3)[1]
	img, err := random.Image(8192, 2)
	if err != nil {
		t.Fatal(err)
	}
	auth := &authn.Basic{Username: "AWS", Password: loginPassword(t, root)}
	if err := crane.Push(img, hostOf(src)+"/"+alias+"/team/app:v1", crane.WithAuth(auth), crane.Insecure); err != nil {
		t.Fatal(err)
	}
	src.Stop(t)

	layers, _ := img.Layers()
	ld, _ := layers[1].Digest()
	file := filepath.Join(src.DataDir, "blobs", "blobs", "sha256", ld.Hex[:2], ld.Hex)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0x20
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o444); err != nil {
		t.Fatal(err)
	}

	_, errOut, code := runMigrate(t, bucket.Env(), "--data-dir", src.DataDir, "--to-database-url", dsn, "--to-blob-store", bucket.BlobStore())
	if code != 1 || !strings.Contains(errOut, ld.String()) || !strings.Contains(errOut, "does not match") {
		t.Errorf("exit %d, stderr %q: want 1 and a digest mismatch naming %s", code, errOut, ld)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the target database has %d accounts after the failed migration", n)
	}
}
