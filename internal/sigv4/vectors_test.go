package sigv4_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/sigv4"
)

// The AWS SigV4 test suite's fixed inputs.
const (
	suiteAccessKey = "AKIDEXAMPLE"
	suiteSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteRegion    = "us-east-1"
	suiteService   = "service"
)

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

const vectorDir = "../../testdata/sigv4"

// vector is one directory of testdata/sigv4 (see its README).
type vector struct {
	name                        string
	req, creq, sts, authz, qreq string
	hasCreq, hasSts, hasQreq    bool
	service, token              string
	t                           time.Time
	s3Rules                     bool
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	dirs, err := os.ReadDir(vectorDir)
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		v := vector{name: d.Name(), service: suiteService, t: suiteTime}
		read := func(f string) (string, bool) {
			b, err := os.ReadFile(filepath.Join(vectorDir, d.Name(), f))
			if errors.Is(err, os.ErrNotExist) {
				return "", false
			}
			if err != nil {
				t.Fatal(err)
			}
			return string(b), true
		}
		var ok bool
		if v.req, ok = read("req"); !ok {
			t.Fatalf("%s: no req", v.name)
		}
		if v.authz, ok = read("authz"); !ok {
			t.Fatalf("%s: no authz", v.name)
		}
		v.creq, v.hasCreq = read("creq")
		v.sts, v.hasSts = read("sts")
		v.qreq, v.hasQreq = read("qreq")
		if ctx, ok := read("context"); ok {
			for _, line := range strings.Split(strings.TrimSpace(ctx), "\n") {
				k, val, _ := strings.Cut(line, "=")
				switch k {
				case "service":
					v.service = val
				case "token":
					v.token = val
				case "normalize":
					v.s3Rules = val == "false"
				default:
					t.Fatalf("%s: unknown context key %q", v.name, k)
				}
			}
		}
		if v.service == "host" { // the 2011 suite
			v.t = time.Date(2011, 9, 9, 23, 36, 0, 0, time.UTC)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	return vs
}

// parseRawRequest turns a suite .req file into the *http.Request a Go server
// would hand a handler: the request line is kept verbatim in RequestURI (the
// suite writes paths like "/example space/" and "/ሴ" as the bytes on the
// wire), header names are canonicalized, values trimmed, Host moved to
// r.Host.
func parseRawRequest(t *testing.T, raw string) (*http.Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	if !sc.Scan() {
		t.Fatal("empty request")
	}
	line := sc.Text()
	method, rest, _ := strings.Cut(line, " ")
	i := strings.LastIndex(rest, " HTTP/")
	if i < 0 {
		t.Fatalf("bad request line %q", line)
	}
	uri := rest[:i]
	p, q, _ := strings.Cut(uri, "?")
	r := &http.Request{
		Method:     method,
		RequestURI: uri,
		URL:        &url.URL{Path: p, RawQuery: q},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{},
	}
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			t.Fatalf("bad header line %q", sc.Text())
		}
		v = strings.Trim(v, " \t")
		if strings.EqualFold(k, "host") {
			r.Host = v
			continue
		}
		r.Header.Add(k, v)
	}
	r.ContentLength = int64(len(body))
	r.Body = io.NopCloser(strings.NewReader(body))
	return r, []byte(body)
}

func authzSignature(t *testing.T, authz string) string {
	t.Helper()
	i := strings.LastIndex(authz, "Signature=")
	if i < 0 {
		t.Fatalf("no Signature= in %q", authz)
	}
	return authz[i+len("Signature="):]
}

// TestSuiteVectors checks, for every vector, the canonical request and the
// string to sign (where the suite provides them), the signature against the
// suite's Authorization header, and that Parse+Verify accept the request.
func TestSuiteVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			r, body := parseRawRequest(t, v.req)
			r.Header.Set("Authorization", v.authz)

			sig, err := sigv4.Parse(r)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if sig.AccessKeyID != suiteAccessKey || sig.Region != suiteRegion || sig.Service != v.service ||
				!sig.Time.Equal(v.t) || sig.Presigned || sig.SecurityToken != v.token {
				t.Fatalf("Parse = %+v", sig)
			}

			ph, err := sig.PayloadHash(r, sigv4.HashPayload(body))
			if err != nil {
				t.Fatalf("PayloadHash: %v", err)
			}
			opt := sigv4.CanonicalOptions{S3: v.s3Rules}
			creq := sigv4.CanonicalRequest(r, sig.SignedHeaders, ph, opt)
			if v.hasCreq && creq != v.creq {
				t.Errorf("canonical request:\n got %q\nwant %q", creq, v.creq)
			}
			sts := sig.StringToSign(creq)
			if v.hasSts && sts != v.sts {
				t.Errorf("string to sign:\n got %q\nwant %q", sts, v.sts)
			}
			got := sigv4.ComputeSignature(sigv4.SigningKey(suiteSecret, sig.Date, sig.Region, sig.Service), sts)
			if want := authzSignature(t, v.authz); got != want {
				t.Fatalf("signature %s, want %s\ncanonical request:\n%s", got, want, creq)
			}
			wantAuthz := "AWS4-HMAC-SHA256 Credential=" + suiteAccessKey + "/" + sig.Scope() +
				", SignedHeaders=" + strings.Join(sig.SignedHeaders, ";") + ", Signature=" + got
			if wantAuthz != v.authz {
				t.Errorf("authorization %q, want %q", wantAuthz, v.authz)
			}

			if v.s3Rules {
				return // the "unnormalized" variants only exist for S3's rules
			}
			if err := sig.Verify(r, suiteSecret, sigv4.HashPayload(body), v.t.Add(5*time.Minute)); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if err := sig.Verify(r, suiteSecret+"x", sigv4.HashPayload(body), v.t); !isCode(err, sigv4.CodeSignatureDoesNotMatch) {
				t.Fatalf("Verify with the wrong secret: %v", err)
			}
		})
	}
}

// TestSuitePresignedVectors verifies the suite's query-signed requests
// (X-Amz-Expires=3600).
func TestSuitePresignedVectors(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		if !v.hasQreq {
			continue
		}
		n++
		t.Run(v.name, func(t *testing.T) {
			r, body := parseRawRequest(t, v.qreq)
			sig, err := sigv4.Parse(r)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !sig.Presigned || sig.Expires != time.Hour || sig.AccessKeyID != suiteAccessKey || !sig.Time.Equal(v.t) ||
				sig.SecurityToken != v.token {
				t.Fatalf("Parse = %+v", sig)
			}
			if err := sig.Verify(r, suiteSecret, sigv4.HashPayload(body), v.t.Add(59*time.Minute)); err != nil {
				t.Fatalf("Verify: %v\ncanonical request:\n%s", err, err.(*sigv4.Error).CanonicalRequest)
			}
			if err := sig.Verify(r, suiteSecret, sigv4.HashPayload(body), v.t.Add(61*time.Minute)); !isCode(err, sigv4.CodeRequestExpired) {
				t.Fatalf("Verify after X-Amz-Expires: %v", err)
			}
		})
	}
	if n == 0 {
		t.Fatal("no presigned vectors")
	}
}

func isCode(err error, code string) bool {
	var e *sigv4.Error
	return errors.As(err, &e) && e.Code == code
}

func TestSuiteVectorFilesAreTidy(t *testing.T) {
	// creq/sts/authz files carry no trailing newline: they are compared
	// byte for byte.
	for _, v := range loadVectors(t) {
		for _, s := range []string{v.creq, v.sts, v.authz} {
			if bytes.HasSuffix([]byte(s), []byte("\n")) {
				t.Errorf("%s: trailing newline", v.name)
			}
		}
	}
}
