package sigv4_test

import (
	"errors"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/sigv4"
)

const goodAuthz = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"

func suiteRequest(authz string, headers map[string]string, rawQuery string) *http.Request {
	r := &http.Request{
		Method: "GET",
		URL:    &url.URL{Path: "/", RawQuery: rawQuery},
		Host:   "example.amazonaws.com",
		Header: http.Header{},
	}
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	for k, v := range headers {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	return r
}

const presignQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00"

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name    string
		authz   string
		headers map[string]string
		query   string
		code    string
		status  int
		msg     string
	}{
		{name: "nothing", code: "MissingAuthenticationToken", status: 403, msg: "Request is missing Authentication Token"},
		{name: "bearer", authz: "Bearer abc.def", code: "MissingAuthenticationToken", status: 403},
		{name: "sigv2", authz: "AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=", code: "MissingAuthenticationToken", status: 403},
		{name: "presign without algorithm", query: "X-Amz-Signature=00&X-Amz-Credential=x", code: "MissingAuthenticationToken", status: 403},
		{name: "algorithm only", authz: "AWS4-HMAC-SHA256", code: "IncompleteSignature", status: 400,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256"},
		{name: "no date", authz: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request", headers: map[string]string{"X-Amz-Date": ""},
			code: "IncompleteSignature", status: 400,
			msg: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"},
		{name: "empty signature", authz: strings.Replace(goodAuthz, "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", "Signature=", 1),
			code: "IncompleteSignature", status: 400,
			msg: "Authorization header requires 'Signature' parameter. Authorization=" + strings.Replace(goodAuthz, "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", "Signature=", 1)},
		{name: "missing equal sign", authz: "AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host, Signature=00",
			code: "IncompleteSignature", status: 400,
			msg: "'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host, Signature=00'."},
		{name: "algorithm", authz: strings.Replace(goodAuthz, "SHA256", "SHA512", 1), code: "IncompleteSignature", status: 400,
			msg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "},
		{name: "credential parts", authz: strings.Replace(goodAuthz, "/service/aws4_request", "/aws4_request", 1), code: "IncompleteSignature", status: 400,
			msg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/aws4_request'"},
		{name: "credential extra part", authz: strings.Replace(goodAuthz, "/service/", "/service/x/", 1), code: "IncompleteSignature", status: 400},
		{name: "amz date", headers: map[string]string{"X-Amz-Date": "20150830T12360Z"}, authz: goodAuthz, code: "IncompleteSignature", status: 400,
			msg: "Date must be in ISO-8601 'basic format'. Got '20150830T12360Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "amz date impossible", headers: map[string]string{"X-Amz-Date": "20150230T123600Z"}, authz: goodAuthz, code: "IncompleteSignature", status: 400},
		{name: "http date", headers: map[string]string{"X-Amz-Date": "", "Date": "yesterday"}, authz: goodAuthz, code: "IncompleteSignature", status: 400,
			msg: "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "host not signed", authz: strings.Replace(goodAuthz, "host;", "", 1), code: "SignatureDoesNotMatch", status: 403,
			msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "scope", authz: strings.Replace(strings.Replace(goodAuthz, "/20150830/us-east-1/", "/20150831//", 1), "aws4_request", "aws5_request", 1),
			code: "SignatureDoesNotMatch", status: 403,
			msg: "Credential should be scoped to a valid region, not ''. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'."},
		{name: "empty access key", authz: strings.Replace(goodAuthz, "AKIDEXAMPLE", "", 1), code: "InvalidClientTokenId", status: 403,
			msg: "The security token included in the request is invalid."},
		{name: "both mechanisms", authz: goodAuthz, query: presignQuery, code: "IncompleteSignature", status: 400,
			msg: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{name: "presign missing", query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a", code: "IncompleteSignature", status: 400,
			msg: "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{name: "presign algorithm", query: strings.Replace(presignQuery, "SHA256", "SHA1", 1), code: "IncompleteSignature", status: 400},
		{name: "presign expires number", query: presignQuery + "&X-Amz-Expires=soon", code: "IncompleteSignature", status: 400,
			msg: "X-Amz-Expires should be a number"},
		{name: "presign expires week", query: presignQuery + "&X-Amz-Expires=604801", code: "IncompleteSignature", status: 400,
			msg: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{name: "presign expires huge", query: presignQuery + "&X-Amz-Expires=99999999999999999999", code: "IncompleteSignature", status: 400,
			msg: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{name: "presign date", query: strings.Replace(presignQuery, "20150830T123600Z", "20150830", 1), code: "IncompleteSignature", status: 400},
		{name: "presign scope date", query: strings.Replace(presignQuery, "20150830T123600Z", "20150831T000000Z", 1), code: "SignatureDoesNotMatch", status: 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig, err := sigv4.Parse(suiteRequest(c.authz, c.headers, c.query))
			var e *sigv4.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %+v, %v; want %s", sig, err, c.code)
			}
			if sig != nil {
				t.Fatalf("signature %+v with an error", sig)
			}
			if e.Code != c.code || e.Status != c.status {
				t.Fatalf("got %s/%d (%s), want %s/%d", e.Code, e.Status, e.Message, c.code, c.status)
			}
			if c.msg != "" && e.Message != c.msg {
				t.Fatalf("message\n got %q\nwant %q", e.Message, c.msg)
			}
			if e.Error() != e.Code+": "+e.Message {
				t.Fatalf("Error() = %q", e.Error())
			}
		})
	}
}

func TestParseHeader(t *testing.T) {
	// Components may be separated by commas, spaces or both; trailing slashes
	// on the credential are ignored; names are lower-cased; the token is
	// read.
	r := suiteRequest("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request/,SignedHeaders=Host;X-Amz-Date  Signature=abc",
		map[string]string{"X-Amz-Security-Token": "tok"}, "")
	sig, err := sigv4.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	want := &sigv4.Signature{
		AccessKeyID: "AKIDEXAMPLE", Date: "20150830", Region: "us-east-1", Service: "service",
		SignedHeaders: []string{"host", "x-amz-date"}, Signature: "abc",
		Time: time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC), SecurityToken: "tok",
	}
	if !reflect.DeepEqual(sig, want) {
		t.Fatalf("got  %+v\nwant %+v", sig, want)
	}
	if sig.Scope() != "20150830/us-east-1/service/aws4_request" {
		t.Fatal(sig.Scope())
	}
	if err := sig.CheckService("service"); err != nil {
		t.Fatal(err)
	}
	if err := sig.CheckService("iam"); !isCode(err, "SignatureDoesNotMatch") || err.(*sigv4.Error).Message != "Credential should be scoped to correct service: 'iam'." {
		t.Fatal(err)
	}
}

// TestDateHeader: without X-Amz-Date, the Date header (RFC 1123) dates the
// request, and the string to sign carries it in ISO 8601 basic format.
func TestDateHeader(t *testing.T) {
	secret := suiteSecret
	at := time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)
	r := suiteRequest("", map[string]string{"X-Amz-Date": "", "Date": at.Format(http.TimeFormat)}, "Action=ListUsers")
	key := sigv4.SigningKey(secret, "20240229", "us-east-1", "iam")
	creq := sigv4.CanonicalRequest(r, []string{"date", "host"}, sigv4.EmptyPayloadHash, sigv4.CanonicalOptions{})
	if !strings.Contains(creq, "\ndate:Thu, 29 Feb 2024 23:59:59 GMT\n") {
		t.Fatalf("canonical request %q", creq)
	}
	sts := sigv4.StringToSign(at, "20240229/us-east-1/iam/aws4_request", creq)
	if !strings.HasPrefix(sts, "AWS4-HMAC-SHA256\n20240229T235959Z\n") {
		t.Fatalf("string to sign %q", sts)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240229/us-east-1/iam/aws4_request, SignedHeaders=date;host, Signature="+
		sigv4.ComputeSignature(key, sts))
	sig, err := sigv4.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if !sig.Time.Equal(at) {
		t.Fatalf("time %v", sig.Time)
	}
	if err := sig.Verify(r, secret, "", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := sig.VerifyWithKey(r, key, sigv4.EmptyPayloadHash, at); err != nil {
		t.Fatal(err)
	}
	// X-Amz-Date wins over Date.
	r.Header.Set("X-Amz-Date", "20240301T000000Z")
	if sig, err := sigv4.Parse(r); !isCode(err, "SignatureDoesNotMatch") {
		t.Fatalf("X-Amz-Date ignored: %+v %v", sig, err)
	}
}

func TestErrorConstructors(t *testing.T) {
	for _, c := range []struct {
		err       *sigv4.Error
		code, msg string
		status    int
	}{
		{sigv4.InvalidClientTokenID(), "InvalidClientTokenId", "The security token included in the request is invalid.", 403},
		{sigv4.ExpiredToken(), "ExpiredToken", "The security token included in the request is expired", 403},
		{sigv4.AccessDenied("User is disabled"), "AccessDenied", "User is disabled", 403},
	} {
		if c.err.Code != c.code || c.err.Message != c.msg || c.err.Status != c.status {
			t.Errorf("%+v", c.err)
		}
	}
}

// TestPayloadHash covers x-amz-content-sha256 and UNSIGNED-PAYLOAD.
func TestPayloadHash(t *testing.T) {
	body := sigv4.HashPayload([]byte("Param1=value1"))
	cases := []struct {
		name, header, query, service, bodyHash, want, code string
	}{
		{name: "body", bodyHash: body, want: body},
		{name: "none", want: sigv4.EmptyPayloadHash},
		{name: "header matches", header: strings.ToUpper(body), bodyHash: body, want: strings.ToUpper(body)},
		{name: "header mismatch", header: sigv4.EmptyPayloadHash, bodyHash: body, code: "XAmzContentSHA256Mismatch"},
		{name: "header, body not hashed", header: body, want: body},
		{name: "unsigned", header: "UNSIGNED-PAYLOAD", bodyHash: body, want: "UNSIGNED-PAYLOAD"},
		{name: "streaming", header: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", bodyHash: body, want: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
		{name: "presigned s3", query: presignQuery, service: "s3", bodyHash: body, want: "UNSIGNED-PAYLOAD"},
		{name: "presigned sts", query: presignQuery, service: "sts", bodyHash: sigv4.EmptyPayloadHash, want: sigv4.EmptyPayloadHash},
		{name: "presigned query hash", query: presignQuery + "&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD", service: "sts", bodyHash: body, want: "UNSIGNED-PAYLOAD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := suiteRequest("", map[string]string{"X-Amz-Content-Sha256": c.header}, c.query)
			s := &sigv4.Signature{Service: c.service, Presigned: c.query != ""}
			got, err := s.PayloadHash(r, c.bodyHash)
			if c.code != "" {
				if !isCode(err, c.code) || err.(*sigv4.Error).Status != 400 {
					t.Fatalf("got %q, %v; want %s", got, err, c.code)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// TestStandardLibraryOnly fences the package: no third-party imports, no
// I/O packages, and no package-level variables.
func TestStandardLibraryOnly(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := map[string]bool{"os": true, "os/exec": true, "io/fs": true, "io/ioutil": true, "net": true,
		"syscall": true, "unsafe": true, "log": true, "log/slog": true, "math/rand": true, "math/rand/v2": true, "crypto/rand": true}
	for _, imp := range pkg.Imports {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
			t.Errorf("imports %s: sigv4 uses only the standard library", imp)
		}
		if forbidden[imp] {
			t.Errorf("imports %s: sigv4 does no I/O and keeps no state", imp)
		}
	}
	fset := token.NewFileSet()
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(".", name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				t.Errorf("%s: package-level var at %v", name, fset.Position(g.Pos()))
			}
		}
	}
}

// TestPayloadHashIdempotent: Verify may be given PayloadHash's result
// instead of the body's hash (internal/authn does).
func TestPayloadHashIdempotent(t *testing.T) {
	body := sigv4.HashPayload([]byte("x"))
	for _, c := range []struct{ header, query, service, bodyHash string }{
		{"", "", "iam", body}, {"", "", "iam", ""}, {body, "", "iam", body}, {"UNSIGNED-PAYLOAD", "", "s3", body},
		{"", presignQuery, "s3", body}, {"", presignQuery, "sts", ""},
	} {
		r := suiteRequest("", map[string]string{"X-Amz-Content-Sha256": c.header}, c.query)
		s := &sigv4.Signature{Service: c.service, Presigned: c.query != ""}
		once, err := s.PayloadHash(r, c.bodyHash)
		if err != nil {
			t.Fatal(err)
		}
		if twice, err := s.PayloadHash(r, once); err != nil || twice != once {
			t.Fatalf("%+v: %q then %q, %v", c, once, twice, err)
		}
	}
}
