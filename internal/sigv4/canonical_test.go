package sigv4_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/sigv4"
)

func TestCanonicalURI(t *testing.T) {
	cases := []struct {
		path     string
		s3       bool
		want     string
		ruleName string
	}{
		{"", false, "/", "empty path is /"},
		{"/", false, "/", ""},
		{"/iam/", false, "/iam/", ""},
		{"/a%20b", false, "/a%2520b", "the path as sent is encoded once more"},
		{"/%E1%88%B4", false, "/%25E1%2588%25B4", ""},
		{"/ሴ", false, "/%E1%88%B4", "raw bytes are encoded"},
		{"/a b", false, "/a%20b", ""},
		{"/-._~AZaz09", false, "/-._~AZaz09", "unreserved stay"},
		{"/!$&'()*+,;=:@", false, "/%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40", "reserved are encoded"},
		{"//example//", false, "/example/", "repeated slashes collapse"},
		{"/example/..", false, "/", ""},
		{"/a/b/../c/./d/", false, "/a/c/d/", ""},
		{"/a/b/..", false, "/a", ""},
		{"/../..", false, "/", ""},
		{"/.hidden/x", false, "/.hidden/x", ""},
		{"/./", false, "/", ""},
		{"//", true, "//", "S3: no normalization"},
		{"/a/../b", true, "/a/../b", ""},
		{"/a%20b", true, "/a%20b", "S3: decoded and encoded once"},
		{"/a%2Bb+c", true, "/a%2Bb%2Bc", ""},
		{"/%zz", true, "/%25zz", "S3: a bad escape is taken literally"},
	}
	for _, c := range cases {
		if got := sigv4.CanonicalURI(c.path, c.s3); got != c.want {
			t.Errorf("CanonicalURI(%q, s3=%v) = %q, want %q (%s)", c.path, c.s3, got, c.want, c.ruleName)
		}
	}
}

func canonicalLine(t *testing.T, r *http.Request, signed []string, opt sigv4.CanonicalOptions, line int) string {
	t.Helper()
	lines := strings.Split(sigv4.CanonicalRequest(r, signed, "PAYLOAD", opt), "\n")
	return lines[line]
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"Param2=value2&Param1=value1", false, "Param1=value1&Param2=value2"},
		{"a=2&a=10&a=1", false, "a=1&a=10&a=2"},
		{"b&a=&c=", false, "a=&b=&c="},
		{"x=a%20b&y=a+b&z=a%2Bb", false, "x=a%20b&y=a%20b&z=a%2Bb"},
		{"k=%2F%7E%2a", false, "k=%2F~%2A"},
		{"%E1%88%B4=1&Param=2&Param-3=3", false, "%E1%88%B4=1&Param=2&Param-3=3"},
		{"ሴ=bar", false, "%E1%88%B4=bar"},
		{"a=1&&b=2&", false, "a=1&b=2"},
		{"bad=%zz", false, "bad=%25zz"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fsts%2Faws4_request", true, "X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fsts%2Faws4_request"},
	}
	for _, c := range cases {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/", RawQuery: c.raw}, Host: "h", Header: http.Header{}}
		if got := canonicalLine(t, r, []string{"host"}, sigv4.CanonicalOptions{Presigned: c.presigned}, 2); got != c.want {
			t.Errorf("query %q (presigned=%v) = %q, want %q", c.raw, c.presigned, got, c.want)
		}
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r := &http.Request{Method: "POST", URL: &url.URL{Path: "/"}, Host: "wharf.example:8443", Header: http.Header{}, ContentLength: 13}
	r.Header["My-Header"] = []string{"  a   b  ", "c\t", "d  e"}
	r.Header["x-lower"] = []string{"set by hand"}
	r.Header.Set("X-Amz-Date", "20240101T000000Z")
	creq := sigv4.CanonicalRequest(r, []string{"content-length", "host", "my-header", "x-absent", "x-amz-date", "x-lower"}, "PAYLOAD", sigv4.CanonicalOptions{})
	want := "POST\n/\n\n" +
		"content-length:13\n" +
		"host:wharf.example:8443\n" +
		"my-header:a b,c,d e\n" +
		"x-absent:\n" +
		"x-amz-date:20240101T000000Z\n" +
		"x-lower:set by hand\n" +
		"\ncontent-length;host;my-header;x-absent;x-amz-date;x-lower\nPAYLOAD"
	if creq != want {
		t.Fatalf("got\n%q\nwant\n%q", creq, want)
	}
	// The header, when the request came off the wire, wins over ContentLength.
	r.Header.Set("Content-Length", "14")
	if got := canonicalLine(t, r, []string{"content-length"}, sigv4.CanonicalOptions{}, 3); got != "content-length:14" {
		t.Fatal(got)
	}
	// Host falls back to the URL's.
	r.Host, r.URL.Host = "", "from-url"
	if got := canonicalLine(t, r, []string{"host"}, sigv4.CanonicalOptions{}, 3); got != "host:from-url" {
		t.Fatal(got)
	}
	// The method defaults to GET, as net/http's client does.
	r.Method = ""
	if got := canonicalLine(t, r, []string{"host"}, sigv4.CanonicalOptions{}, 0); got != "GET" {
		t.Fatal(got)
	}
}

func TestRequestPath(t *testing.T) {
	// A server request's path comes from the request line as sent; an
	// absolute-form request line (through a proxy) loses scheme and host.
	for _, c := range []struct{ requestURI, want string }{
		{"/a%2Fb?x=1", "/a%252Fb"},
		{"http://wharf.example:8080/v2/?x", "/v2/"},
		{"http://wharf.example", "/"},
		{"*", "/from-url"},
	} {
		r := &http.Request{Method: "GET", RequestURI: c.requestURI, URL: &url.URL{Path: "/from-url"}, Host: "h", Header: http.Header{}}
		if got := canonicalLine(t, r, []string{"host"}, sigv4.CanonicalOptions{}, 1); got != c.want {
			t.Errorf("RequestURI %q: %q, want %q", c.requestURI, got, c.want)
		}
	}
	// A client request's path is the URL's escaped path, or its Opaque.
	r := &http.Request{Method: "GET", URL: &url.URL{Opaque: "//host/x%20y"}, Host: "h", Header: http.Header{}}
	if got := canonicalLine(t, r, []string{"host"}, sigv4.CanonicalOptions{}, 1); got != "/x%2520y" {
		t.Errorf("opaque: %q", got)
	}
}

func TestSigningKey(t *testing.T) {
	// AWS General Reference, "Examples of how to derive a signing key for
	// Signature Version 4": secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
	// 20120215, us-east-1, iam.
	got := sigv4.SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
	const want = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	if h := hexString(got); h != want {
		t.Fatalf("signing key %s, want %s", h, want)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
