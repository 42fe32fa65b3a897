package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// TestBlobRedirect: with redirect=… in the S3 blob-store URL, a blob GET is
// answered with a 307 to a presigned URL of the object, which serves the
// exact bytes; HEAD and ranged GETs stay on the registry; a blob the
// repository does not hold is never redirected; crane pulls through it.
func TestBlobRedirect(t *testing.T) {
	d := newScaleOut(t)
	args := append([]string(nil), d.args...)
	for i, a := range args {
		if strings.HasPrefix(a, "s3://") {
			sep := "?"
			if strings.Contains(a, "?") {
				sep = "&"
			}
			args[i] = a + sep + "redirect=5m"
		}
	}
	srv := startWithEnv(t, d.env, args...)
	ctx := context.Background()
	root := ecrClient(srv, srv.RootKeyID, srv.RootKey, "")
	created, err := root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String("redirected")})
	if err != nil {
		t.Fatal(err)
	}
	uri := aws.ToString(created.Repository.RepositoryUri)
	img, err := random.Image(64<<10, 2)
	if err != nil {
		t.Fatal(err)
	}
	auth := crane.WithAuth(&authn.Basic{Username: "AWS", Password: loginPassword(t, root)})
	if err := crane.Push(img, uri+":v1", auth, crane.Insecure); err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(uri, hostOf(srv)+"/")
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	token := anonymousToken(t, srv, name)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(c *http.Client, method, digest string, hdr ...string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+"/v2/"+name+"/blobs/"+digest, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get(noFollow, http.MethodGet, ld.String())
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusTemporaryRedirect || !strings.Contains(loc, "X-Amz-Signature=") || strings.HasPrefix(loc, srv.URL) {
		t.Fatalf("GET blob: %d, Location %q; want 307 to a presigned object-store URL", resp.StatusCode, loc)
	}
	resp = get(http.DefaultClient, http.MethodGet, ld.String())
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(b)
	if resp.StatusCode != 200 || "sha256:"+hex.EncodeToString(sum[:]) != ld.String() {
		t.Fatalf("following the redirect: %d, %d bytes of digest sha256:%x, want %s", resp.StatusCode, len(b), sum, ld)
	}
	for _, tc := range []struct {
		method string
		hdr    []string
	}{{http.MethodHead, nil}, {http.MethodGet, []string{"Range", "bytes=0-9"}}} {
		resp = get(noFollow, tc.method, ld.String(), tc.hdr...)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Errorf("%s %v: %d, want it served by the registry", tc.method, tc.hdr, resp.StatusCode)
		}
	}
	resp = get(noFollow, http.MethodGet, "sha256:"+strings.Repeat("ab", 32))
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET of a blob the repository does not hold: %d, want 404 (never a redirect)", resp.StatusCode)
	}
	pulled, err := crane.Pull(uri+":v1", crane.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := crane.Digest(uri+":v1", crane.Insecure); err != nil {
		t.Fatal(err)
	}
	pl, _ := pulled.Layers()
	for _, l := range pl {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatalf("reading a pulled layer through the redirect: %v", err)
		}
		rc.Close()
	}
}
