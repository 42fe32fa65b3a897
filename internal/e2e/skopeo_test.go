package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/google/go-containerregistry/pkg/crane"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func needSkopeo(t *testing.T) {
	if _, err := exec.LookPath("skopeo"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("skopeo is not installed; .ci/run must install it (Debian package skopeo)")
		}
		t.Skip("skopeo is not installed (apt-get install -y skopeo)")
	}
}

// runSkopeo runs skopeo with a private HOME, so that no credentials of the
// machine's user take part, and without a signature policy.
func runSkopeo(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command("skopeo", append([]string{"--insecure-policy"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_RUNTIME_DIR=" + home, "REGISTRY_AUTH_FILE=" + filepath.Join(home, "auth.json")}
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

func skopeo(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := runSkopeo(t, args...)
	if err != nil {
		t.Fatalf("skopeo %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// ociImage is a random image with OCI media types throughout (manifest,
// config and layers), so that an oci: layout destination keeps it as it is.
func ociImage(t *testing.T) v1.Image {
	t.Helper()
	src, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := src.Layers()
	if err != nil {
		t.Fatal(err)
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	var adds []mutate.Addendum
	for _, l := range layers {
		adds = append(adds, mutate.Addendum{Layer: l, MediaType: types.OCILayer})
	}
	img, err := mutate.Append(base, adds...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestSkopeo copies an OCI layout image into Wharf with skopeo, logged in
// with a GetAuthorizationToken password, copies it back anonymously, and
// inspects it.
func TestSkopeo(t *testing.T) {
	needSkopeo(t)
	srv := Start(t)
	ctx := context.Background()
	root := ecrClient(srv, srv.RootKeyID, srv.RootKey, "")
	created, err := root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String("tools/skopeo")})
	if err != nil {
		t.Fatalf("CreateRepository: %v", err)
	}
	uri := aws.ToString(created.Repository.RepositoryUri) // host/alias/tools/skopeo
	password := loginPassword(t, root)

	img := ociImage(t)
	want, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "src")
	p, err := layout.Write(src, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "v1"})); err != nil {
		t.Fatal(err)
	}

	// A wrong password is refused; so is no password.
	for _, creds := range [][]string{{"--dest-creds", "AWS:" + password + "x"}, {"--dest-no-creds"}} {
		args := append(append([]string{"copy", "--dest-tls-verify=false"}, creds...), "oci:"+src+":v1", "docker://"+uri+":denied")
		out, errOut, err := runSkopeo(t, args...)
		if err == nil {
			t.Errorf("skopeo copy %s succeeded:\n%s", creds[0], out)
		} else if !strings.Contains(errOut, "unauthorized") && !strings.Contains(errOut, "denied") {
			t.Errorf("skopeo copy %s failed, but not for want of authorization:\n%s", creds[0], errOut)
		} else {
			t.Logf("skopeo copy %s: %s", creds[0], strings.TrimSpace(errOut))
		}
	}
	skopeo(t, "copy", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", "AWS:"+password,
		"oci:"+src+":v1", "docker://"+uri+":v1")
	if d, err := crane.Digest(uri+":v1", crane.Insecure); err != nil || d != want.String() {
		t.Fatalf("after skopeo copy, the registry has %s (%v), want %s", d, err, want)
	}
	imgs, err := root.DescribeImages(ctx, &ecrpublic.DescribeImagesInput{RepositoryName: aws.String("tools/skopeo")})
	if err != nil {
		t.Fatalf("DescribeImages: %v", err)
	}
	if len(imgs.ImageDetails) != 1 || aws.ToString(imgs.ImageDetails[0].ImageDigest) != want.String() ||
		!slices.Equal(imgs.ImageDetails[0].ImageTags, []string{"v1"}) || aws.ToString(imgs.ImageDetails[0].ImageManifestMediaType) != string(types.OCIManifestSchema1) {
		t.Errorf("DescribeImages after skopeo copy: %+v", imgs.ImageDetails)
	}

	// Back, anonymously, into a new layout.
	dst := filepath.Join(t.TempDir(), "dst")
	skopeo(t, "copy", "--preserve-digests", "--src-tls-verify=false", "--src-no-creds", "docker://"+uri+":v1", "oci:"+dst+":v1")
	back, err := layout.ImageIndexFromPath(dst)
	if err != nil {
		t.Fatal(err)
	}
	im, err := back.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Digest != want || im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "v1" {
		t.Fatalf("the layout skopeo wrote holds %+v, want %s tagged v1", im.Manifests, want)
	}
	got, err := back.Image(want)
	if err != nil {
		t.Fatal(err)
	}
	gotLayers, _ := got.Layers()
	wantLayers, _ := img.Layers()
	if len(gotLayers) != len(wantLayers) {
		t.Fatalf("copied back %d layers, pushed %d", len(gotLayers), len(wantLayers))
	}
	for i := range wantLayers {
		if g, w := compressedBytes(t, gotLayers[i]), compressedBytes(t, wantLayers[i]); string(g) != string(w) {
			t.Errorf("layer %d differs after the round trip", i)
		}
	}

	// skopeo inspect reads the manifest and lists the tags.
	var info struct {
		Name     string
		Digest   string
		RepoTags []string
		Layers   []string
	}
	out := skopeo(t, "inspect", "--tls-verify=false", "--no-creds", "docker://"+uri+":v1")
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("skopeo inspect: %v\n%s", err, out)
	}
	if info.Digest != want.String() || !slices.Contains(info.RepoTags, "v1") || len(info.Layers) != 2 || info.Name != uri {
		t.Errorf("skopeo inspect: %+v, want digest %s, tag v1, 2 layers, name %s", info, want, uri)
	}
}
