package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecrpublic/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/opencontainers/go-digest"
)

// ociErrorCodes are the codes distribution-spec v1.1 allows in an error
// body ("The `code` field MUST be one of the following").
var ociErrorCodes = map[string]bool{
	"BLOB_UNKNOWN": true, "BLOB_UPLOAD_INVALID": true, "BLOB_UPLOAD_UNKNOWN": true, "DIGEST_INVALID": true,
	"MANIFEST_BLOB_UNKNOWN": true, "MANIFEST_INVALID": true, "MANIFEST_UNKNOWN": true, "NAME_INVALID": true,
	"NAME_UNKNOWN": true, "SIZE_INVALID": true, "UNAUTHORIZED": true, "DENIED": true, "UNSUPPORTED": true,
	"TOOMANYREQUESTS": true,
}

const (
	ociManifestType = "application/vnd.oci.image.manifest.v1+json"
	ociConfigType   = "application/vnd.oci.image.config.v1+json"
	ociLayerType    = "application/vnd.oci.image.layer.v1.tar"
)

// ociClient sends hand-made /v2/ requests — the path goes on the wire
// byte for byte, redirects are not followed — and checks what every answer
// must have.
type ociClient struct {
	t    *testing.T
	base string
	hc   *http.Client
	auth string // the Authorization header, "" for none
	// reported holds the non-spec error codes already reported, so that
	// one such code is one failure, not one per request.
	reported map[string]bool
}

func newOCIClient(t *testing.T, srv *Server, auth string) *ociClient {
	return &ociClient{t: t, base: srv.URL, auth: auth, reported: map[string]bool{}, hc: &http.Client{
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// with returns a client sending another Authorization header.
func (c *ociClient) with(auth string) *ociClient {
	cc := *c
	cc.auth = auth
	return &cc
}

type ociResp struct {
	Status  int
	Header  http.Header
	Body    []byte
	Code    string // the first error's code
	Message string
}

// do sends method target (a raw path with an optional query) with body and
// header pairs (an empty value removes the header).
func (c *ociClient) do(what, method, target string, body []byte, kv ...string) ociResp {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, c.base+"/", rd)
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
	p, q, _ := strings.Cut(target, "?")
	r.URL.Opaque, r.URL.RawQuery = p, q
	if c.auth != "" {
		r.Header.Set("Authorization", c.auth)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/octet-stream")
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			r.Header.Del(kv[i])
		} else {
			r.Header.Set(kv[i], kv[i+1])
		}
	}
	resp, err := c.hc.Do(r)
	if err != nil {
		c.t.Fatalf("%s: %s %s: %v", what, method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s: reading the body: %v", what, err)
	}
	return c.check(what, method, resp.StatusCode, resp.Header, b)
}

// check verifies the envelope: never 5xx, always x-amzn-RequestId, every
// error an OCI error body with a spec code, every 401 a Bearer challenge.
func (c *ociClient) check(what, method string, status int, h http.Header, b []byte) ociResp {
	c.t.Helper()
	out := ociResp{Status: status, Header: h, Body: b}
	if status >= 500 {
		c.t.Errorf("%s: HTTP %d (a server error for a client's mistake): %s", what, status, b)
	}
	if h.Get("x-amzn-RequestId") == "" {
		c.t.Errorf("%s: HTTP %d without an x-amzn-RequestId header", what, status)
	}
	if status == http.StatusUnauthorized {
		if ch := h.Get("WWW-Authenticate"); !strings.HasPrefix(ch, `Bearer realm="`) {
			c.t.Errorf("%s: 401 with WWW-Authenticate %q, want a Bearer realm challenge", what, ch)
		}
	}
	if status < 400 || method == http.MethodHead {
		return out
	}
	var env struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.t.Errorf("%s: HTTP %d error with Content-Type %q, want application/json", what, status, ct)
	}
	if err := json.Unmarshal(b, &env); err != nil || len(env.Errors) == 0 {
		c.t.Errorf("%s: HTTP %d body is not an OCI error body {\"errors\":[{\"code\",\"message\"}]}: %s", what, status, b)
		return out
	}
	out.Code, out.Message = env.Errors[0].Code, env.Errors[0].Message
	for _, e := range env.Errors {
		if !ociErrorCodes[e.Code] && !c.reported[e.Code] {
			c.reported[e.Code] = true
			c.t.Errorf("%s: HTTP %d error code %q is not one of distribution-spec v1.1's error codes: %s", what, status, e.Code, b)
		}
		if e.Message == "" {
			c.t.Errorf("%s: HTTP %d error %s without a message", what, status, e.Code)
		}
	}
	return out
}

// want sends a request and checks its status and (unless "") error code.
func (c *ociClient) want(what, method, target string, body []byte, status int, code string, kv ...string) ociResp {
	c.t.Helper()
	res := c.do(what, method, target, body, kv...)
	if res.Status != status || (code != "" && res.Code != code) {
		c.t.Errorf("%s: %s %s: HTTP %d %s, want %d %s: %s", what, method, target, res.Status, res.Code, status, code, res.Body)
	}
	return res
}

// wantClientError sends a request and accepts any of the statuses, with
// any of the codes.
func (c *ociClient) wantClientError(what, method, target string, body []byte, statuses []int, codes []string, kv ...string) ociResp {
	c.t.Helper()
	res := c.do(what, method, target, body, kv...)
	if !slices.Contains(statuses, res.Status) || (method != http.MethodHead && len(codes) > 0 && !slices.Contains(codes, res.Code)) {
		c.t.Errorf("%s: %s %s: HTTP %d %s (Location %q), want one of %v with one of %v: %s", what, method, target, res.Status, res.Code, res.Header.Get("Location"), statuses, codes, res.Body)
	}
	return res
}

// raw sends a hand-written HTTP/1.1 request over a fresh connection:
// contentLength may promise more than body holds. The write side is closed
// after body, so the server sees the body end early. ok is false when the
// server hung up without answering.
func (c *ociClient) raw(what, method, target string, contentLength int, body []byte, kv ...string) (ociResp, bool) {
	c.t.Helper()
	u, err := url.Parse(c.base)
	if err != nil {
		c.t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nConnection: close\r\n", method, target, u.Host, contentLength)
	if c.auth != "" {
		fmt.Fprintf(&head, "Authorization: %s\r\n", c.auth)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&head, "%s: %s\r\n", kv[i], kv[i+1])
	}
	head.WriteString("\r\n")
	if _, err := conn.Write(append([]byte(head.String()), body...)); err != nil {
		c.t.Fatalf("%s: writing: %v", what, err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		// Hanging up on a request whose body never arrived is an answer too.
		c.t.Logf("%s: no response (%v)", what, err)
		return ociResp{}, false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.t.Logf("%s: HTTP %d %s", what, resp.StatusCode, bytes.TrimSpace(b))
	return c.check(what, method, resp.StatusCode, resp.Header, b), true
}

// startUpload opens an upload session in repo and returns its location.
func (c *ociClient) startUpload(what, repo string) string {
	c.t.Helper()
	res := c.want(what, http.MethodPost, "/v2/"+repo+"/blobs/uploads/", nil, http.StatusAccepted, "")
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/v2/"+repo+"/blobs/uploads/") {
		c.t.Fatalf("%s: upload Location %q", what, loc)
	}
	return loc
}

// pushBlob uploads content to repo monolithically.
func (c *ociClient) pushBlob(what, repo string, content []byte) digest.Digest {
	c.t.Helper()
	d := digest.FromBytes(content)
	c.want(what, http.MethodPost, "/v2/"+repo+"/blobs/uploads/?digest="+d.String(), content, http.StatusCreated, "")
	return d
}

// absent checks that a blob is not visible in repo.
func (c *ociClient) absent(what, repo string, d digest.Digest) {
	c.t.Helper()
	c.want(what+" (HEAD)", http.MethodHead, "/v2/"+repo+"/blobs/"+d.String(), nil, http.StatusNotFound, "")
	c.want(what+" (GET)", http.MethodGet, "/v2/"+repo+"/blobs/"+d.String(), nil, http.StatusNotFound, "BLOB_UNKNOWN")
}

// manifestAbsent checks that a manifest reference resolves to nothing.
func (c *ociClient) manifestAbsent(what, repo, reference string) {
	c.t.Helper()
	c.want(what+" (HEAD)", http.MethodHead, "/v2/"+repo+"/manifests/"+reference, nil, http.StatusNotFound, "")
	c.want(what+" (GET)", http.MethodGet, "/v2/"+repo+"/manifests/"+reference, nil, http.StatusNotFound, "MANIFEST_UNKNOWN")
}

func ociDescriptor(mediaType string, content []byte) map[string]any {
	return map[string]any{"mediaType": mediaType, "digest": digest.FromBytes(content).String(), "size": len(content)}
}

// ociImageManifest is an OCI image manifest of a config and layers, with
// annotations when given.
func ociImageManifest(t *testing.T, config []byte, annotations map[string]string, layers ...[]byte) []byte {
	t.Helper()
	ls := []map[string]any{}
	for _, l := range layers {
		ls = append(ls, ociDescriptor(ociLayerType, l))
	}
	m := map[string]any{"schemaVersion": 2, "mediaType": ociManifestType, "config": ociDescriptor(ociConfigType, config), "layers": ls}
	if annotations != nil {
		m["annotations"] = annotations
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var linkNextRE = regexp.MustCompile(`^<([^>]+)>;\s*rel="next"$`)

// ecrRequestID checks that an SDK error carries the response's request ID.
func ecrRequestID(t *testing.T, what string, err error) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Errorf("%s: %T is not an HTTP response error: %v", what, err, err)
		return
	}
	if re.ServiceRequestID() == "" {
		t.Errorf("%s: the error response has no x-amzn-RequestId", what)
	}
	if re.HTTPStatusCode() >= 500 {
		t.Errorf("%s: HTTP %d (a server error for a client's mistake): %v", what, re.HTTPStatusCode(), err)
	}
}

// TestRegistryBadInput drives /v2/ and the ECR Public JSON API with bad
// input: every mistake is a 4xx in the protocol's error shape, nothing half
// done becomes visible, and uploads survive the mistakes they can.
func TestRegistryBadInput(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	acct := srv.AccountID
	root := ecrClient(srv, srv.RootKeyID, srv.RootKey, "")
	var alias string
	for _, name := range []string{"badinput-a", "badinput-b", "badinput-c"} {
		out, err := root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String(name)})
		if err != nil {
			t.Fatalf("CreateRepository %s: %v", name, err)
		}
		parts := strings.Split(aws.ToString(out.Repository.RepositoryUri), "/")
		if len(parts) != 3 || parts[2] != name {
			t.Fatalf("repository URI %s", aws.ToString(out.Repository.RepositoryUri))
		}
		alias = parts[1]
	}
	repoA, repoB := alias+"/badinput-a", alias+"/badinput-b"
	password := loginPassword(t, root)

	anon := newOCIClient(t, srv, "")
	basic := anon.with("Basic " + basicCredentials("AWS", password))
	res := basic.want("GET /token with Basic AWS:<password>", http.MethodGet, "/token?service=x&scope=repository:"+repoA+":push,pull", nil, http.StatusOK, "")
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(res.Body, &tok); err != nil || tok.Token == "" {
		t.Fatalf("GET /token: %s", res.Body)
	}
	c := anon.with("Bearer " + tok.Token)

	t.Run("DigestMismatch", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		content := []byte("the content that was really uploaded")
		claimed := digest.FromString("something else")

		// POST then PUT: the monolithic body does not hash to the digest.
		loc := c.startUpload("POST (mismatch)", repoA)
		c.want("PUT with a mismatching digest", http.MethodPut, loc+"?digest="+claimed.String(), content, http.StatusBadRequest, "DIGEST_INVALID")
		c.absent("mismatched blob under the claimed digest", repoA, claimed)
		c.absent("mismatched blob under its real digest", repoA, digest.FromBytes(content))
		c.wantClientError("the failed upload after the mismatch", http.MethodPut, loc+"?digest="+digest.FromBytes(content).String(), nil, []int{404}, []string{"BLOB_UPLOAD_UNKNOWN"})
		c.absent("the failed upload cannot be completed later", repoA, digest.FromBytes(content))

		// Chunked: PATCH everything, then PUT with the wrong digest.
		loc = c.startUpload("POST (chunked mismatch)", repoA)
		c.want("PATCH the content", http.MethodPatch, loc, content, http.StatusAccepted, "", "Content-Range", fmt.Sprintf("0-%d", len(content)-1))
		c.want("PUT closing with a mismatching digest", http.MethodPut, loc+"?digest="+claimed.String(), nil, http.StatusBadRequest, "DIGEST_INVALID")
		c.absent("chunked mismatch under the claimed digest", repoA, claimed)
		c.absent("chunked mismatch under the real digest", repoA, digest.FromBytes(content))

		// Single POST.
		c.want("single POST with a mismatching digest", http.MethodPost, "/v2/"+repoA+"/blobs/uploads/?digest="+claimed.String(), content, http.StatusBadRequest, "DIGEST_INVALID")
		c.absent("single POST mismatch", repoA, claimed)
		c.absent("single POST mismatch under the real digest", repoA, digest.FromBytes(content))

		// sha512 is a digest Wharf knows; a mismatch is the same mistake.
		c.want("PUT with a mismatching sha512 digest", http.MethodPost, "/v2/"+repoA+"/blobs/uploads/?digest="+digest.SHA512.FromString("other").String(), content, http.StatusBadRequest, "DIGEST_INVALID")
	})

	t.Run("TruncatedBody", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		full := bytes.Repeat([]byte("0123456789abcdef"), 256) // 4 KiB
		d := digest.FromBytes(full)
		half := full[:len(full)/2]

		loc := c.startUpload("POST (truncated PUT)", repoA)
		if res, ok := c.raw("PUT with half the promised body", http.MethodPut, loc+"?digest="+d.String(), len(full), half); ok && (res.Status < 400 || res.Status >= 500) {
			t.Errorf("PUT with half the promised body: HTTP %d, want a client error: %s", res.Status, res.Body)
		}
		c.absent("blob of a truncated PUT", repoA, d)
		c.absent("the half that arrived", repoA, digest.FromBytes(half))

		loc = c.startUpload("POST (truncated PATCH)", repoA)
		res, ok := c.raw("PATCH with half the promised body", http.MethodPatch, loc, len(full), half)
		if ok && (res.Status < 400 || res.Status >= 500) {
			t.Errorf("PATCH with half the promised body: HTTP %d, want a client error: %s", res.Status, res.Body)
		}
		// Whatever the upload kept, a Range the answer gives must say so.
		status := c.want("GET the upload after the truncated PATCH", http.MethodGet, loc, nil, http.StatusNoContent, "")
		if r := res.Header.Get("Range"); ok && r != "" && r != status.Header.Get("Range") {
			t.Errorf("the truncated PATCH's %d says Range %q, but the upload then holds Range %q", res.Status, r, status.Header.Get("Range"))
		}
		c.want("closing the truncated upload with the full digest", http.MethodPut, loc+"?digest="+d.String(), nil, http.StatusBadRequest, "DIGEST_INVALID")
		c.absent("blob of a truncated PATCH", repoA, d)
		c.absent("the half of a truncated PATCH", repoA, digest.FromBytes(half))

		if res, ok := c.raw("single POST with half the promised body", http.MethodPost, "/v2/"+repoA+"/blobs/uploads/?digest="+d.String(), len(full), half); ok && (res.Status < 400 || res.Status >= 500) {
			t.Errorf("single POST with half the promised body: HTTP %d, want a client error: %s", res.Status, res.Body)
		}
		c.absent("blob of a truncated single POST", repoA, d)

		// The digest matching what did arrive must not rescue a request
		// whose body was cut short.
		loc = c.startUpload("POST (truncated PUT, digest of the half)", repoA)
		if res, ok := c.raw("PUT with half the promised body and the half's digest", http.MethodPut, loc+"?digest="+digest.FromBytes(half).String(), len(full), half); ok && (res.Status < 400 || res.Status >= 500) {
			t.Errorf("PUT with half the promised body and the half's digest: HTTP %d, want a client error: %s", res.Status, res.Body)
		}
		c.absent("the half whose request was cut short", repoA, digest.FromBytes(half))

		// A manifest cut short.
		cfg := []byte(`{"truncated":"manifest"}`)
		c.pushBlob("push a config", repoA, cfg)
		m := ociImageManifest(t, cfg, nil)
		if res, ok := c.raw("PUT manifest with half the promised body", http.MethodPut, "/v2/"+repoA+"/manifests/truncated", len(m), m[:len(m)/2], "Content-Type", ociManifestType); ok && (res.Status < 400 || res.Status >= 500) {
			t.Errorf("PUT manifest with half the promised body: HTTP %d, want a client error: %s", res.Status, res.Body)
		}
		c.manifestAbsent("a truncated manifest", repoA, "truncated")
	})

	t.Run("OutOfOrderChunk", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		content := []byte("0123456789ABCDEFGHIJabcdefghij")
		loc := c.startUpload("POST (chunks)", repoA)
		res := c.want("PATCH 0-9", http.MethodPatch, loc, content[:10], http.StatusAccepted, "", "Content-Range", "0-9")
		if r := res.Header.Get("Range"); r != "0-9" {
			t.Errorf("PATCH 0-9: Range %q, want 0-9", r)
		}
		for _, cr := range []string{"20-29", "5-14", "0-9", "11-20"} {
			lo, hi := 0, 0
			fmt.Sscanf(cr, "%d-%d", &lo, &hi)
			res := c.want("PATCH out of order "+cr, http.MethodPatch, loc, content[lo:hi+1], http.StatusRequestedRangeNotSatisfiable, "", "Content-Range", cr)
			if r := res.Header.Get("Range"); r != "0-9" {
				t.Errorf("PATCH out of order %s: 416 with Range %q, want 0-9 (what was received)", cr, r)
			}
		}
		// A closing PUT whose chunk is out of order is the same mistake.
		res = c.want("PUT closing with an out-of-order chunk", http.MethodPut, loc+"?digest="+digest.FromBytes(content).String(), content[20:], http.StatusRequestedRangeNotSatisfiable, "", "Content-Range", "20-29")
		if r := res.Header.Get("Range"); r != "0-9" {
			// The spec asks for no Range on a 416 (a GET tells the offset);
			// the PATCH 416 has one, so say so when this one does not.
			t.Logf("note: the closing PUT's 416 has Range %q, the PATCH 416s have 0-9", r)
		}
		res = c.want("GET the upload after the 416s", http.MethodGet, loc, nil, http.StatusNoContent, "")
		if r := res.Header.Get("Range"); r != "0-9" {
			t.Errorf("GET upload status after the 416s: Range %q, want 0-9", r)
		}
		res = c.want("PATCH 10-19 (in order)", http.MethodPatch, loc, content[10:20], http.StatusAccepted, "", "Content-Range", "10-19")
		if r := res.Header.Get("Range"); r != "0-19" {
			t.Errorf("PATCH 10-19: Range %q, want 0-19", r)
		}
		d := digest.FromBytes(content)
		c.want("PUT closing with the last chunk", http.MethodPut, loc+"?digest="+d.String(), content[20:], http.StatusCreated, "", "Content-Range", "20-29")
		res = c.want("HEAD the blob", http.MethodHead, "/v2/"+repoA+"/blobs/"+d.String(), nil, http.StatusOK, "")
		if res.Header.Get("Content-Length") != "30" || res.Header.Get("Docker-Content-Digest") != d.String() {
			t.Errorf("HEAD the blob: Content-Length %q Docker-Content-Digest %q", res.Header.Get("Content-Length"), res.Header.Get("Docker-Content-Digest"))
		}
		res = c.want("GET the blob", http.MethodGet, "/v2/"+repoA+"/blobs/"+d.String(), nil, http.StatusOK, "")
		if !bytes.Equal(res.Body, content) {
			t.Errorf("GET the blob: %q, want %q", res.Body, content)
		}
	})

	t.Run("MalformedContentRange", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		loc := c.startUpload("POST (malformed ranges)", repoA)
		c.want("PATCH 0-3", http.MethodPatch, loc, []byte("abcd"), http.StatusAccepted, "", "Content-Range", "0-3")
		for _, cr := range []string{"bogus", "4-x", "x-7", "4-", "-7", "7-4", "4-7-9", "4 7", "bytes 4-7/*", "99999999999999999999-7", "4-99999999999999999999", "4-99"} {
			res := c.do("PATCH with Content-Range "+cr, http.MethodPatch, loc, []byte("efgh"), "Content-Range", cr)
			if res.Status < 400 || res.Status >= 500 {
				t.Errorf("PATCH with Content-Range %q: HTTP %d, want a client error: %s", cr, res.Status, res.Body)
			}
		}
		res := c.want("GET the upload after the malformed ranges", http.MethodGet, loc, nil, http.StatusNoContent, "")
		if r := res.Header.Get("Range"); r != "0-3" {
			t.Errorf("upload status after malformed ranges: Range %q, want 0-3 (nothing appended)", r)
		}
		c.want("PATCH 4-7 after the malformed ranges", http.MethodPatch, loc, []byte("efgh"), http.StatusAccepted, "", "Content-Range", "4-7")
		d := digest.FromString("abcdefgh")
		c.want("PUT closing", http.MethodPut, loc+"?digest="+d.String(), nil, http.StatusCreated, "")
		c.want("HEAD the blob", http.MethodHead, "/v2/"+repoA+"/blobs/"+d.String(), nil, http.StatusOK, "")
	})

	cfg := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	cfgDigest := c.pushBlob("push the config blob", repoA, cfg)

	t.Run("OversizeManifest", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		big := ociImageManifest(t, cfg, map[string]string{"pad": strings.Repeat("x", 4<<20)})
		res := c.wantClientError("PUT a manifest over 4 MiB", http.MethodPut, "/v2/"+repoA+"/manifests/big", big, []int{413, 400}, nil, "Content-Type", ociManifestType)
		if res.Status == 400 && !slices.Contains([]string{"SIZE_INVALID", "MANIFEST_INVALID"}, res.Code) {
			t.Errorf("PUT a manifest over 4 MiB: 400 %s, want SIZE_INVALID or MANIFEST_INVALID", res.Code)
		}
		c.manifestAbsent("the oversize manifest by tag", repoA, "big")
		c.manifestAbsent("the oversize manifest by digest", repoA, digest.FromBytes(big).String())
		c.wantClientError("PUT a manifest over 4 MiB by digest", http.MethodPut, "/v2/"+repoA+"/manifests/"+digest.FromBytes(big).String(), big, []int{413, 400}, nil, "Content-Type", ociManifestType)
		c.manifestAbsent("the oversize manifest pushed by digest", repoA, digest.FromBytes(big).String())
	})

	t.Run("ManifestBlobUnknown", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		m := ociImageManifest(t, cfg, nil, []byte("a layer nobody uploaded"))
		c.want("PUT a manifest with a missing layer", http.MethodPut, "/v2/"+repoA+"/manifests/missing-layer", m, http.StatusBadRequest, "MANIFEST_BLOB_UNKNOWN", "Content-Type", ociManifestType)
		c.manifestAbsent("manifest with a missing layer by tag", repoA, "missing-layer")
		c.manifestAbsent("manifest with a missing layer by digest", repoA, digest.FromBytes(m).String())

		m = ociImageManifest(t, []byte(`{"config":"nobody uploaded"}`), nil)
		c.want("PUT a manifest with a missing config", http.MethodPut, "/v2/"+repoA+"/manifests/"+digest.FromBytes(m).String(), m, http.StatusBadRequest, "MANIFEST_BLOB_UNKNOWN", "Content-Type", ociManifestType)
		c.manifestAbsent("manifest with a missing config", repoA, digest.FromBytes(m).String())

		// A blob of another repository is not in this one.
		layer := []byte("a layer only repository b holds")
		c.pushBlob("push a layer to b", repoB, layer)
		m = ociImageManifest(t, cfg, nil, layer)
		c.want("PUT a manifest whose layer is in another repository", http.MethodPut, "/v2/"+repoA+"/manifests/other-repo-layer", m, http.StatusBadRequest, "MANIFEST_BLOB_UNKNOWN", "Content-Type", ociManifestType)
		c.manifestAbsent("manifest whose layer is in another repository", repoA, "other-repo-layer")
	})

	t.Run("InvalidManifest", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		good := ociImageManifest(t, cfg, nil)
		cases := []struct{ name, body string }{
			{"not JSON", `{"schemaVersion": 2, `},
			{"empty", ``},
			{"null", `null`},
			{"an array", `[]`},
			{"a string", `"manifest"`},
			{"schemaVersion 1", `{"schemaVersion":1,"mediaType":"` + ociManifestType + `","config":{"mediaType":"` + ociConfigType + `","digest":"` + cfgDigest.String() + `","size":` + fmt.Sprint(len(cfg)) + `},"layers":[]}`},
			{"schemaVersion a string", `{"schemaVersion":"2","mediaType":"` + ociManifestType + `"}`},
			{"no config", `{"schemaVersion":2,"mediaType":"` + ociManifestType + `","layers":[]}`},
			{"a bad descriptor digest", `{"schemaVersion":2,"mediaType":"` + ociManifestType + `","config":{"mediaType":"` + ociConfigType + `","digest":"sha256:xyz","size":1},"layers":[]}`},
			{"a negative size", `{"schemaVersion":2,"mediaType":"` + ociManifestType + `","config":{"mediaType":"` + ociConfigType + `","digest":"` + cfgDigest.String() + `","size":-1},"layers":[]}`},
			{"trailing garbage", string(good) + `}`},
			{"a second document", string(good) + string(good)},
		}
		for i, tc := range cases {
			tag := fmt.Sprintf("invalid-%d", i)
			c.want("PUT a manifest that is "+tc.name, http.MethodPut, "/v2/"+repoA+"/manifests/"+tag, []byte(tc.body), http.StatusBadRequest, "MANIFEST_INVALID", "Content-Type", ociManifestType)
			c.manifestAbsent("the manifest that is "+tc.name, repoA, tag)
		}
		c.want("PUT a manifest whose Content-Type contradicts its mediaType", http.MethodPut, "/v2/"+repoA+"/manifests/contradiction", good, http.StatusBadRequest, "MANIFEST_INVALID", "Content-Type", "application/vnd.oci.image.index.v1+json")
		c.manifestAbsent("the contradicting manifest", repoA, "contradiction")
	})

	t.Run("ManifestDigestMismatch", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		m := ociImageManifest(t, cfg, map[string]string{"case": "digest mismatch"})
		other := digest.FromString("not this manifest")
		c.want("PUT a manifest under another digest", http.MethodPut, "/v2/"+repoA+"/manifests/"+other.String(), m, http.StatusBadRequest, "DIGEST_INVALID", "Content-Type", ociManifestType)
		c.manifestAbsent("the mismatched manifest under the claimed digest", repoA, other.String())
		c.manifestAbsent("the mismatched manifest under its own digest", repoA, digest.FromBytes(m).String())
		sha512 := digest.SHA512.FromString("not this manifest")
		c.want("PUT a manifest under another sha512 digest", http.MethodPut, "/v2/"+repoA+"/manifests/"+sha512.String(), m, http.StatusBadRequest, "DIGEST_INVALID", "Content-Type", ociManifestType)
		c.manifestAbsent("the mismatched sha512 manifest", repoA, digest.FromBytes(m).String())
		// The manifest itself is fine.
		c.want("PUT the manifest under its own digest", http.MethodPut, "/v2/"+repoA+"/manifests/"+digest.FromBytes(m).String(), m, http.StatusCreated, "", "Content-Type", ociManifestType)
	})

	t.Run("InvalidNames", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		d := cfgDigest.String()
		long := strings.Repeat("a", 300)
		invalid := []string{
			alias + "/Badinput-A",
			alias + "/BADINPUT-A",
			alias + "/badinput..a",
			alias + "/-badinput-a",
			alias + "/badinput-a-",
			alias + "/badinput_a_",
			alias + "/" + long,
			alias + "/" + strings.Repeat("ab/", 100) + "c",
			strings.ToUpper(alias) + "/badinput-a",
			"badinput-a", // no alias
			"x/badinput-a",
			alias + "/a",
			alias + "/badinput-a%21",
			alias + "/bad%20input",
		}
		for _, name := range invalid {
			for _, req := range []struct{ method, target string }{
				{http.MethodGet, "/v2/" + name + "/tags/list"},
				{http.MethodGet, "/v2/" + name + "/manifests/latest"},
				{http.MethodGet, "/v2/" + name + "/blobs/" + d},
				{http.MethodPost, "/v2/" + name + "/blobs/uploads/"},
				{http.MethodPut, "/v2/" + name + "/manifests/latest"},
			} {
				var body []byte
				if req.method == http.MethodPut {
					body = ociImageManifest(t, cfg, nil)
				}
				c.want("invalid name "+name, req.method, req.target, body, http.StatusBadRequest, "NAME_INVALID")
			}
		}
		unknown := []string{"nosuchalias/badinput-a", alias + "/no-such-repository", alias + "/badinput-a/nested"}
		for _, name := range unknown {
			c.want("unknown name "+name, http.MethodGet, "/v2/"+name+"/tags/list", nil, http.StatusNotFound, "NAME_UNKNOWN")
			c.want("unknown name "+name, http.MethodPost, "/v2/"+name+"/blobs/uploads/", nil, http.StatusNotFound, "NAME_UNKNOWN")
		}

		// Path tricks: never a repository other than the one named, never
		// 5xx, never a redirect to somewhere else.
		tricks := []string{
			"/v2/" + alias + "/../badinput-a/blobs/" + d,
			"/v2/" + alias + "/badinput-b/../badinput-a/blobs/" + d,
			"/v2/" + alias + "/%2e%2e/badinput-a/blobs/" + d,
			"/v2/" + alias + "/badinput-b/%2E%2E/badinput-a/blobs/" + d,
			"/v2/" + alias + "/./badinput-a/blobs/" + d,
			"/v2/" + alias + "//badinput-a/blobs/" + d,
			"/v2//" + alias + "/badinput-a/blobs/" + d,
			"/v2/" + alias + "%2Fbadinput-a/blobs/" + d,
			"/v2/" + alias + "/badinput-a%2Fblobs%2F" + d,
			"/v2/" + alias + "/badinput-a/blobs%2F" + d,
			"/v2/" + alias + "%2fbadinput-a/tags/list",
			"/v2/" + alias + "/badinput-a%2F..%2Fbadinput-b/tags/list",
			"/v2/" + alias + "/badinput-a%00/tags/list",
			"/v2/" + alias + "/badinput-a%5C..%5Cbadinput-b/tags/list",
		}
		for _, target := range tricks {
			c.wantClientError("path trick", http.MethodGet, target, nil, []int{400, 404}, []string{"NAME_INVALID", "NAME_UNKNOWN"})
			if post := strings.Replace(strings.Replace(target, "/blobs/"+d, "/blobs/uploads/", 1), "/tags/list", "/blobs/uploads/", 1); post != target {
				c.wantClientError("path trick", http.MethodPost, post, nil, []int{400, 404}, []string{"NAME_INVALID", "NAME_UNKNOWN"})
			}
		}
		c.wantClientError("unknown endpoint", http.MethodGet, "/v2/"+repoA+"/nothing-here", nil, []int{400, 404}, []string{"NAME_INVALID", "NAME_UNKNOWN"})
	})

	t.Run("InvalidTags", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		m := ociImageManifest(t, cfg, nil)
		for _, tag := range []string{"-bad", ".bad", strings.Repeat("t", 129), strings.Repeat("t", 200), "bad%21tag", "bad%20tag", "b%C3%A4d"} {
			c.wantClientError("PUT manifest with invalid tag "+tag, http.MethodPut, "/v2/"+repoA+"/manifests/"+tag, m, []int{400}, nil, "Content-Type", ociManifestType)
			c.wantClientError("GET manifest with invalid tag "+tag, http.MethodGet, "/v2/"+repoA+"/manifests/"+tag, nil, []int{400, 404}, nil)
			c.wantClientError("DELETE manifest with invalid tag "+tag, http.MethodDelete, "/v2/"+repoA+"/manifests/"+tag, nil, []int{400, 404}, nil)
		}
		c.want("a 128-character tag is valid", http.MethodPut, "/v2/"+repoA+"/manifests/"+strings.Repeat("t", 128), m, http.StatusCreated, "", "Content-Type", ociManifestType)
	})

	t.Run("InvalidDigests", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		bad := []string{
			"sha256:xyz",
			"sha256:" + strings.Repeat("a", 63),
			"sha256:" + strings.Repeat("A", 64),
			"sha256:" + strings.Repeat("a", 65),
			"md5:d41d8cd98f00b204e9800998ecf8427e",
			"sha384:" + strings.Repeat("a", 96),
			"sha512:" + strings.Repeat("a", 64),
			":" + strings.Repeat("a", 64),
			"sha256:" + strings.Repeat("a", 64) + "%00",
		}
		loc := c.startUpload("POST (invalid digests)", repoA)
		c.want("PATCH a chunk", http.MethodPatch, loc, []byte("chunk"), http.StatusAccepted, "", "Content-Range", "0-4")
		for _, d := range bad {
			c.want("GET blob "+d, http.MethodGet, "/v2/"+repoA+"/blobs/"+d, nil, http.StatusBadRequest, "DIGEST_INVALID")
			c.want("HEAD blob "+d, http.MethodHead, "/v2/"+repoA+"/blobs/"+d, nil, http.StatusBadRequest, "")
			c.want("DELETE blob "+d, http.MethodDelete, "/v2/"+repoA+"/blobs/"+d, nil, http.StatusBadRequest, "DIGEST_INVALID")
			c.want("GET manifest "+d, http.MethodGet, "/v2/"+repoA+"/manifests/"+d, nil, http.StatusBadRequest, "DIGEST_INVALID")
			c.want("PUT manifest "+d, http.MethodPut, "/v2/"+repoA+"/manifests/"+d, ociImageManifest(t, cfg, nil), http.StatusBadRequest, "DIGEST_INVALID", "Content-Type", ociManifestType)
			c.want("GET referrers "+d, http.MethodGet, "/v2/"+repoA+"/referrers/"+d, nil, http.StatusBadRequest, "DIGEST_INVALID")
			c.want("PUT closing with digest "+d, http.MethodPut, loc+"?digest="+d, nil, http.StatusBadRequest, "DIGEST_INVALID")
			c.want("single POST with digest "+d, http.MethodPost, "/v2/"+repoA+"/blobs/uploads/?digest="+d, []byte("x"), http.StatusBadRequest, "DIGEST_INVALID")
			c.want("mount with digest "+d, http.MethodPost, "/v2/"+repoA+"/blobs/uploads/?mount="+d+"&from="+repoB, nil, http.StatusBadRequest, "DIGEST_INVALID")
		}
		// Without a colon it is no digest (for manifests, a tag).
		c.want("GET blob sha256", http.MethodGet, "/v2/"+repoA+"/blobs/sha256", nil, http.StatusBadRequest, "DIGEST_INVALID")
		c.want("PUT closing with digest sha256", http.MethodPut, loc+"?digest=sha256", nil, http.StatusBadRequest, "DIGEST_INVALID")
		c.want("PUT closing without a digest", http.MethodPut, loc, nil, http.StatusBadRequest, "DIGEST_INVALID")
		res := c.want("the upload survives the invalid digests", http.MethodGet, loc, nil, http.StatusNoContent, "")
		if r := res.Header.Get("Range"); r != "0-4" {
			t.Errorf("upload after invalid digests: Range %q, want 0-4", r)
		}
		c.want("close it properly", http.MethodPut, loc+"?digest="+digest.FromString("chunk").String(), nil, http.StatusCreated, "")
	})

	t.Run("UnknownUploads", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		d := digest.FromString("x").String()
		ids := []string{
			"0b4c3c1e-5a4e-4e2b-9d3c-1f2e3d4c5b6a",
			"not-an-upload",
			"..%2Fx",
			"..%2F..%2F..%2Fblobs%2Fsha256",
			"%2E%2E",
			"x%00y",
			"x%5C..%5Cy",
			strings.Repeat("u", 300),
		}
		for _, id := range ids {
			loc := "/v2/" + repoA + "/blobs/uploads/" + id
			c.want("GET upload "+id, http.MethodGet, loc, nil, http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN")
			c.want("PATCH upload "+id, http.MethodPatch, loc, []byte("data"), http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "Content-Range", "0-3")
			c.want("PUT upload "+id, http.MethodPut, loc+"?digest="+d, []byte("x"), http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN")
			c.want("DELETE upload "+id, http.MethodDelete, loc, nil, http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN")
		}
		// "../x" as written: the server must not take it for another path.
		c.wantClientError("PATCH upload ../x", http.MethodPatch, "/v2/"+repoA+"/blobs/uploads/../x", []byte("data"), []int{400, 404}, []string{"BLOB_UPLOAD_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN"})

		// An upload of repository a, used through repository b's path.
		loc := c.startUpload("POST to a", repoA)
		id := loc[strings.LastIndex(loc, "/")+1:]
		other := "/v2/" + repoB + "/blobs/uploads/" + id
		c.want("PATCH a's upload via b", http.MethodPatch, other, []byte("data"), http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "Content-Range", "0-3")
		c.want("GET a's upload via b", http.MethodGet, other, nil, http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN")
		c.want("PUT a's upload via b", http.MethodPut, other+"?digest="+digest.FromString("data").String(), []byte("data"), http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN")
		c.want("DELETE a's upload via b", http.MethodDelete, other, nil, http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN")
		c.absent("nothing reached b", repoB, digest.FromString("data"))
		res := c.want("a's upload is untouched", http.MethodGet, loc, nil, http.StatusNoContent, "")
		if r := res.Header.Get("Range"); r != "0-0" {
			t.Errorf("a's upload after b's attempts: Range %q, want 0-0 (empty)", r)
		}
		c.want("PATCH a's upload via a", http.MethodPatch, loc, []byte("data"), http.StatusAccepted, "", "Content-Range", "0-3")
		c.want("close a's upload via a", http.MethodPut, loc+"?digest="+digest.FromString("data").String(), nil, http.StatusCreated, "")
		c.absent("the blob is a's, not b's", repoB, digest.FromString("data"))
		c.want("closing a finished upload", http.MethodPut, loc+"?digest="+digest.FromString("data").String(), nil, http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN")
	})

	t.Run("Authentication", func(t *testing.T) {
		a := anon.with("")
		a.t = t
		m := ociImageManifest(t, cfg, nil)
		content := []byte("anonymous content")
		d := digest.FromBytes(content)
		writes := []struct {
			method, target string
			body           []byte
		}{
			{http.MethodPost, "/v2/" + repoA + "/blobs/uploads/", nil},
			{http.MethodPost, "/v2/" + repoA + "/blobs/uploads/?digest=" + d.String(), content},
			{http.MethodPost, "/v2/" + repoA + "/blobs/uploads/?mount=" + cfgDigest.String() + "&from=" + repoA, nil},
			{http.MethodPut, "/v2/" + repoA + "/manifests/anon", m},
			{http.MethodDelete, "/v2/" + repoA + "/manifests/" + digest.FromBytes(m).String(), nil},
			{http.MethodDelete, "/v2/" + repoA + "/blobs/" + cfgDigest.String(), nil},
		}
		var tokenAnon struct {
			Token string `json:"token"`
		}
		res := a.want("GET /token anonymously", http.MethodGet, "/token?service=x&scope=repository:"+repoA+":pull", nil, http.StatusOK, "")
		if err := json.Unmarshal(res.Body, &tokenAnon); err != nil || tokenAnon.Token == "" {
			t.Fatalf("anonymous token: %s", res.Body)
		}
		for _, auth := range []struct{ what, header string }{
			{"anonymous", ""},
			{"anonymous bearer token", "Bearer " + tokenAnon.Token},
			{"garbage bearer token", "Bearer garbage.garbage.garbage"},
			{"empty bearer token", "Bearer "},
			{"a password as a bearer token", "Bearer " + password},
			{"a bearer token tampered with", "Bearer " + tok.Token[:len(tok.Token)-2] + flipChars(tok.Token[len(tok.Token)-2:])},
			{"wrong Basic password", "Basic " + basicCredentials("AWS", password+"x")},
			{"garbage Basic password", "Basic " + basicCredentials("AWS", "garbage")},
			{"a bearer token as the Basic password", "Basic " + basicCredentials("AWS", tok.Token)},
			{"Basic user other than AWS", "Basic " + basicCredentials("admin", password)},
			{"Basic with the root key", "Basic " + basicCredentials(srv.RootKeyID, srv.RootKey)},
			{"Basic not base64", "Basic !!!"},
			{"an unknown scheme", "Digest username=AWS"},
		} {
			a := a.with(auth.header)
			for _, w := range writes {
				a.want(auth.what+" "+w.method, w.method, w.target, w.body, http.StatusUnauthorized, "UNAUTHORIZED", "Content-Type", ociManifestType)
			}
		}
		res = a.want("anonymous GET /v2/", http.MethodGet, "/v2/", nil, http.StatusUnauthorized, "UNAUTHORIZED")
		if v := res.Header.Get("Docker-Distribution-API-Version"); v != "registry/2.0" {
			t.Errorf("anonymous GET /v2/: Docker-Distribution-API-Version %q, want registry/2.0", v)
		}
		realm := regexp.MustCompile(`realm="([^"]+)"`).FindStringSubmatch(res.Header.Get("WWW-Authenticate"))
		if realm == nil || !strings.HasPrefix(realm[1], srv.URL+"/token") {
			t.Errorf("challenge %q: realm is not %s/token", res.Header.Get("WWW-Authenticate"), srv.URL)
		}
		a.absent("nothing anonymous arrived", repoA, d)
		a.manifestAbsent("no anonymous manifest", repoA, "anon")
		a.want("the config blob is still there", http.MethodHead, "/v2/"+repoA+"/blobs/"+cfgDigest.String(), nil, http.StatusOK, "")

		for _, h := range []string{"Basic " + basicCredentials("AWS", "wrong"), "Bearer garbage", "Basic " + basicCredentials("nobody", password)} {
			a.with(h).want("GET /token with "+h, http.MethodGet, "/token?service=x", nil, http.StatusUnauthorized, "UNAUTHORIZED")
		}
		// Pulls are public, but bad credentials are still bad.
		a.with("Bearer garbage").want("pull with a garbage token", http.MethodGet, "/v2/"+repoA+"/tags/list", nil, http.StatusUnauthorized, "UNAUTHORIZED")
		a.want("anonymous pull", http.MethodGet, "/v2/"+repoA+"/tags/list", nil, http.StatusOK, "")
		b := basic.with(basic.auth)
		b.t = t
		b.want("push with Basic AWS:<password>", http.MethodPost, "/v2/"+repoA+"/blobs/uploads/", nil, http.StatusAccepted, "")
	})

	t.Run("Denied", func(t *testing.T) {
		admin := rootIAM(srv)
		const user = "badinput-nopolicy"
		_, _, key := newUserWithKey(t, srv, admin, user)
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("login"),
			PolicyDocument: aws.String(allowDoc("ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"))}))
		ecrUser := ecrClient(srv, aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), "")
		pw := loginPassword(t, ecrUser)
		u := anon.with("Basic " + basicCredentials("AWS", pw))
		u.t = t
		res := u.want("GET /token as the user", http.MethodGet, "/token?service=x", nil, http.StatusOK, "")
		var ut struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(res.Body, &ut); err != nil || ut.Token == "" {
			t.Fatalf("user token: %s", res.Body)
		}
		// Now the user has no policy at all.
		must[*iam.DeleteUserPolicyOutput](t, "DeleteUserPolicy")(admin.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("login")}))
		userARN := "arn:aws:iam::" + acct + ":user/" + user
		repoARN := "arn:aws:ecr-public::" + acct + ":repository/badinput-a"
		want := "is not authorized to perform: ecr-public:InitiateLayerUpload on resource: " + repoARN
		for _, h := range []string{"Basic " + basicCredentials("AWS", pw), "Bearer " + ut.Token} {
			res := u.with(h).want("push without a policy", http.MethodPost, "/v2/"+repoA+"/blobs/uploads/", nil, http.StatusForbidden, "DENIED")
			if !strings.Contains(res.Message, want) || !strings.HasPrefix(res.Message, "User: "+userARN+" ") {
				t.Errorf("DENIED message %q, want %q", res.Message, "User: "+userARN+" "+want+" …")
			}
			res = u.with(h).want("manifest push without a policy", http.MethodPut, "/v2/"+repoA+"/manifests/denied", ociImageManifest(t, cfg, nil), http.StatusForbidden, "DENIED", "Content-Type", ociManifestType)
			if !strings.Contains(res.Message, "is not authorized to perform: ecr-public:PutImage on resource: "+repoARN) {
				t.Errorf("DENIED message %q does not name ecr-public:PutImage on %s", res.Message, repoARN)
			}
		}
		u.manifestAbsent("no denied manifest", repoA, "denied")

		_, err := ecrUser.InitiateLayerUpload(ctx, &ecrpublic.InitiateLayerUploadInput{RepositoryName: aws.String("badinput-a")})
		wantCode(t, "InitiateLayerUpload without a policy", err, "AccessDeniedException")
		ecrRequestID(t, "InitiateLayerUpload without a policy", err)
		if err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("AccessDeniedException %v does not say %q", err, want)
		}
	})

	t.Run("Pagination", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		for _, q := range []string{"n=-1", "n=abc", "n=1.5", "n=99999999999999999999", "n=0x10"} {
			c.want("tags/list?"+q, http.MethodGet, "/v2/"+repoA+"/tags/list?"+q, nil, http.StatusBadRequest, "")
			c.want("_catalog?"+q, http.MethodGet, "/v2/_catalog?"+q, nil, http.StatusBadRequest, "")
		}
		res := c.want("tags/list?n=0", http.MethodGet, "/v2/"+repoA+"/tags/list?n=0", nil, http.StatusOK, "")
		var tl struct {
			Tags []string `json:"tags"`
		}
		if err := json.Unmarshal(res.Body, &tl); err != nil || len(tl.Tags) != 0 || res.Header.Get("Link") != "" {
			t.Errorf("tags/list?n=0: %s Link %q, want an empty list and no Link", res.Body, res.Header.Get("Link"))
		}

		res = c.want("the whole catalog", http.MethodGet, "/v2/_catalog", nil, http.StatusOK, "")
		var whole struct {
			Repositories []string `json:"repositories"`
		}
		if err := json.Unmarshal(res.Body, &whole); err != nil {
			t.Fatalf("catalog: %s", res.Body)
		}
		for _, r := range []string{repoA, repoB, alias + "/badinput-c"} {
			if !slices.Contains(whole.Repositories, r) {
				t.Errorf("catalog %v lacks %s", whole.Repositories, r)
			}
		}
		var paged []string
		next := "/v2/_catalog?n=1"
		for pages := 0; next != ""; pages++ {
			if pages > len(whole.Repositories)+1 {
				t.Fatalf("catalog pagination does not end: %v", paged)
			}
			res := c.want("catalog page "+next, http.MethodGet, next, nil, http.StatusOK, "")
			var page struct {
				Repositories []string `json:"repositories"`
			}
			if err := json.Unmarshal(res.Body, &page); err != nil {
				t.Fatalf("catalog page: %s", res.Body)
			}
			if len(page.Repositories) > 1 {
				t.Errorf("catalog page %s has %d repositories, n=1", next, len(page.Repositories))
			}
			paged = append(paged, page.Repositories...)
			next = ""
			if link := res.Header.Get("Link"); link != "" {
				m := linkNextRE.FindStringSubmatch(link)
				if m == nil {
					t.Fatalf("catalog Link %q is not <…>; rel=\"next\"", link)
				}
				next = m[1]
				if u, err := url.Parse(next); err != nil || (u.Host != "" && "http://"+u.Host != srv.URL) {
					t.Fatalf("catalog Link %q", link)
				} else {
					next = u.RequestURI()
				}
				if len(page.Repositories) == 0 {
					t.Errorf("catalog page %s is empty but has a Link", next)
				}
			}
		}
		if !slices.Equal(paged, whole.Repositories) {
			t.Errorf("catalog pages %v, whole catalog %v", paged, whole.Repositories)
		}
	})

	t.Run("Methods", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		c.want("POST tags/list", http.MethodPost, "/v2/"+repoA+"/tags/list", nil, http.StatusMethodNotAllowed, "UNSUPPORTED")
		c.want("PATCH a manifest", http.MethodPatch, "/v2/"+repoA+"/manifests/latest", nil, http.StatusMethodNotAllowed, "UNSUPPORTED")
		c.want("PUT a blob", http.MethodPut, "/v2/"+repoA+"/blobs/"+cfgDigest.String(), []byte("x"), http.StatusMethodNotAllowed, "UNSUPPORTED")
		c.want("PUT the upload collection", http.MethodPut, "/v2/"+repoA+"/blobs/uploads/", nil, http.StatusMethodNotAllowed, "UNSUPPORTED")
	})

	t.Run("ECRPublic", func(t *testing.T) {
		c := c.with(c.auth)
		c.t = t
		repo := aws.String("badinput-a")
		up := must[*ecrpublic.InitiateLayerUploadOutput](t, "InitiateLayerUpload")(root.InitiateLayerUpload(ctx, &ecrpublic.InitiateLayerUploadInput{RepositoryName: repo}))
		id := up.UploadId
		part := []byte("0123456789")
		out := must[*ecrpublic.UploadLayerPartOutput](t, "UploadLayerPart 0-9")(root.UploadLayerPart(ctx, &ecrpublic.UploadLayerPartInput{RepositoryName: repo, UploadId: id, PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(9), LayerPartBlob: part}))
		if aws.ToInt64(out.LastByteReceived) != 9 {
			t.Errorf("UploadLayerPart 0-9: lastByteReceived %d", aws.ToInt64(out.LastByteReceived))
		}

		// Out-of-order part.
		for _, r := range [][2]int64{{20, 29}, {5, 14}, {0, 9}} {
			_, err := root.UploadLayerPart(ctx, &ecrpublic.UploadLayerPartInput{RepositoryName: repo, UploadId: id, PartFirstByte: aws.Int64(r[0]), PartLastByte: aws.Int64(r[1]), LayerPartBlob: part})
			e := wantType[*ecrtypes.InvalidLayerPartException](t, fmt.Sprintf("UploadLayerPart %d-%d out of order", r[0], r[1]), err)
			ecrRequestID(t, "UploadLayerPart out of order", err)
			if e != nil && (e.LastValidByteReceived == nil || *e.LastValidByteReceived != 9 || aws.ToString(e.UploadId) != aws.ToString(id)) {
				t.Errorf("InvalidLayerPartException: lastValidByteReceived %v uploadId %q, want 9 and %q", e.LastValidByteReceived, aws.ToString(e.UploadId), aws.ToString(id))
			}
		}
		// A part whose bytes are not first..last.
		_, err := root.UploadLayerPart(ctx, &ecrpublic.UploadLayerPartInput{RepositoryName: repo, UploadId: id, PartFirstByte: aws.Int64(10), PartLastByte: aws.Int64(30), LayerPartBlob: part})
		if e := wantType[*ecrtypes.InvalidLayerPartException](t, "UploadLayerPart 10-30 of 10 bytes", err); e != nil && aws.ToInt64(e.LastValidByteReceived) != 9 {
			t.Errorf("InvalidLayerPartException: lastValidByteReceived %d, want 9", aws.ToInt64(e.LastValidByteReceived))
		}
		// Still usable.
		must[*ecrpublic.UploadLayerPartOutput](t, "UploadLayerPart 10-19")(root.UploadLayerPart(ctx, &ecrpublic.UploadLayerPartInput{RepositoryName: repo, UploadId: id, PartFirstByte: aws.Int64(10), PartLastByte: aws.Int64(19), LayerPartBlob: []byte("abcdefghij")}))
		layer := digest.FromString("0123456789abcdefghij")

		// Invalid digests.
		for _, d := range []string{"sha256:xyz", "md5:d41d8cd98f00b204e9800998ecf8427e"} {
			_, err = root.CompleteLayerUpload(ctx, &ecrpublic.CompleteLayerUploadInput{RepositoryName: repo, UploadId: id, LayerDigests: []string{d}})
			wantCode(t, "CompleteLayerUpload "+d, err, "InvalidParameterException")
			ecrRequestID(t, "CompleteLayerUpload "+d, err)
		}
		// Digest mismatch.
		_, err = root.CompleteLayerUpload(ctx, &ecrpublic.CompleteLayerUploadInput{RepositoryName: repo, UploadId: id, LayerDigests: []string{digest.FromString("other").String()}})
		wantType[*ecrtypes.InvalidLayerException](t, "CompleteLayerUpload with a mismatching digest", err)
		ecrRequestID(t, "CompleteLayerUpload mismatch", err)
		c.absent("the mismatched ECR layer", repoA, layer)
		c.absent("the mismatched ECR layer under the claimed digest", repoA, digest.FromString("other"))
		avail := must[*ecrpublic.BatchCheckLayerAvailabilityOutput](t, "BatchCheckLayerAvailability")(root.BatchCheckLayerAvailability(ctx, &ecrpublic.BatchCheckLayerAvailabilityInput{RepositoryName: repo, LayerDigests: []string{layer.String()}}))
		for _, l := range avail.Layers {
			if l.LayerAvailability == ecrtypes.LayerAvailabilityAvailable {
				t.Errorf("the mismatched layer %s is AVAILABLE", layer)
			}
		}

		// Unknown uploads, and a's upload through b.
		up2 := must[*ecrpublic.InitiateLayerUploadOutput](t, "InitiateLayerUpload")(root.InitiateLayerUpload(ctx, &ecrpublic.InitiateLayerUploadInput{RepositoryName: repo}))
		for _, u := range []struct{ repo, id string }{{"badinput-a", "0b4c3c1e-5a4e-4e2b-9d3c-1f2e3d4c5b6a"}, {"badinput-a", "../x"}, {"badinput-b", aws.ToString(up2.UploadId)}} {
			_, err = root.UploadLayerPart(ctx, &ecrpublic.UploadLayerPartInput{RepositoryName: aws.String(u.repo), UploadId: aws.String(u.id), PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(9), LayerPartBlob: part})
			if code := apiCode(err); code != "UploadNotFoundException" && code != "InvalidParameterException" {
				t.Errorf("UploadLayerPart %s in %s: %v, want UploadNotFoundException", u.id, u.repo, err)
			}
			ecrRequestID(t, "UploadLayerPart unknown upload", err)
		}
		must[*ecrpublic.UploadLayerPartOutput](t, "a's upload is still usable through a")(root.UploadLayerPart(ctx, &ecrpublic.UploadLayerPartInput{RepositoryName: repo, UploadId: up2.UploadId, PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(9), LayerPartBlob: part}))

		// PutImage: oversize, missing layer, invalid JSON, digest mismatch, invalid tag, invalid name.
		big := ociImageManifest(t, cfg, map[string]string{"pad": strings.Repeat("x", 4<<20)})
		_, err = root.PutImage(ctx, &ecrpublic.PutImageInput{RepositoryName: repo, ImageManifest: aws.String(string(big)), ImageTag: aws.String("big-ecr")})
		wantCode(t, "PutImage over 4 MiB", err, "InvalidParameterException")
		ecrRequestID(t, "PutImage over 4 MiB", err)
		c.manifestAbsent("the oversize ECR manifest", repoA, "big-ecr")

		missing := ociImageManifest(t, cfg, nil, []byte("no such ECR layer"))
		_, err = root.PutImage(ctx, &ecrpublic.PutImageInput{RepositoryName: repo, ImageManifest: aws.String(string(missing)), ImageTag: aws.String("missing-ecr")})
		wantCode(t, "PutImage with a missing layer", err, "LayersNotFoundException")
		c.manifestAbsent("the ECR manifest with a missing layer", repoA, "missing-ecr")

		for i, body := range []string{`{"schemaVersion": 2, `, string(ociImageManifest(t, cfg, map[string]string{"case": "trailing"})) + "}"} {
			tag := fmt.Sprintf("invalid-ecr-%d", i)
			_, err = root.PutImage(ctx, &ecrpublic.PutImageInput{RepositoryName: repo, ImageManifest: aws.String(body), ImageTag: aws.String(tag)})
			wantCode(t, "PutImage with invalid JSON "+body[len(body)-20:], err, "InvalidParameterException")
			c.manifestAbsent("the invalid ECR manifest "+tag, repoA, tag)
		}

		good := ociImageManifest(t, cfg, map[string]string{"case": "ecr"})
		_, err = root.PutImage(ctx, &ecrpublic.PutImageInput{RepositoryName: repo, ImageManifest: aws.String(string(good)), ImageDigest: aws.String(digest.FromString("other").String()), ImageTag: aws.String("mismatch-ecr")})
		wantCode(t, "PutImage with a mismatching imageDigest", err, "ImageDigestDoesNotMatchException")
		c.manifestAbsent("the mismatched ECR manifest", repoA, "mismatch-ecr")
		c.manifestAbsent("the mismatched ECR manifest by digest", repoA, digest.FromBytes(good).String())

		for _, tag := range []string{"-bad", strings.Repeat("t", 200)} {
			_, err = root.PutImage(ctx, &ecrpublic.PutImageInput{RepositoryName: repo, ImageManifest: aws.String(string(good)), ImageTag: aws.String(tag)})
			wantCode(t, "PutImage with tag "+tag, err, "InvalidParameterException")
		}
		c.manifestAbsent("the ECR manifest with invalid tags", repoA, digest.FromBytes(good).String())

		for _, name := range []string{"Badinput-A", "../badinput-a", strings.Repeat("a", 300)} {
			_, err = root.PutImage(ctx, &ecrpublic.PutImageInput{RepositoryName: aws.String(name), ImageManifest: aws.String(string(good)), ImageTag: aws.String("v1")})
			wantCode(t, "PutImage into "+name, err, "InvalidParameterException")
			ecrRequestID(t, "PutImage into "+name, err)
		}
	})

	if logs := srv.Logs(); strings.Contains(logs, `"level":"ERROR"`) {
		var lines []string
		for _, l := range strings.Split(logs, "\n") {
			if strings.Contains(l, `"level":"ERROR"`) {
				lines = append(lines, l)
			}
		}
		t.Errorf("the server logged errors for bad input:\n%s", strings.Join(lines, "\n"))
	}
}

// basicCredentials is the credentials part of a Basic Authorization header.
func basicCredentials(user, pass string) string {
	r, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// flipChars changes every character of s (keeping it printable).
func flipChars(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}
