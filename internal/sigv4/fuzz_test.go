package sigv4_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/sigv4"
)

// checkAuthError fails unless err is nil or an *Error with a 4xx status and
// a code and message.
func checkAuthError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *sigv4.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not *sigv4.Error", err, err)
	}
	if e.Status < 400 || e.Status > 499 || e.Code == "" || e.Message == "" {
		t.Fatalf("error %+v", e)
	}
}

// FuzzParseAuthorization: no Authorization header value makes Parse (or
// Verify after it) panic, and every refusal is an *Error with a 4xx status.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		goodAuthz,
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,SignedHeaders=host,Signature=",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/, SignedHeaders=, Signature=x",
		"AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature==",
		"AWS4-HMAC-SHA256 Credential= AKID/20150830/us-east-1/service/aws4_request",
		"AWS4-HMAC-SHA256",
		"AWS4-",
		"AWS4-HMAC-SHA512 Credential=x, SignedHeaders=host, Signature=y",
		"aws4-hmac-sha256 credential=x",
		"Bearer token",
		"AWS AKIDEXAMPLE:sig",
		"",
		"\x00\xff, ,, = ==",
		"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=HOST;X-AMZ-DATE, Signature=00, Signature=01, Extra=1",
	} {
		f.Add(s, "20150830T123600Z")
	}
	f.Add(goodAuthz, "Mon, 30 Aug 2015 12:36:00 GMT")
	f.Add(goodAuthz, "")
	f.Add(goodAuthz, "99999999T999999Z")
	now := time.Date(2015, 8, 30, 12, 40, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, authz, date string) {
		r := &http.Request{
			Method: "GET",
			URL:    &url.URL{Path: "/", RawQuery: "a=1"},
			Host:   "example.amazonaws.com",
			Header: http.Header{"Authorization": {authz}},
		}
		if date != "" {
			if date[0] >= '0' && date[0] <= '9' {
				r.Header.Set("X-Amz-Date", date)
			} else {
				r.Header.Set("Date", date)
			}
		}
		sig, err := sigv4.Parse(r)
		checkAuthError(t, err)
		if err != nil {
			if sig != nil {
				t.Fatal("signature and error")
			}
			return
		}
		if sig.AccessKeyID == "" && sig.Date == "" && len(sig.SignedHeaders) == 0 {
			t.Fatalf("empty signature accepted: %+v", sig)
		}
		checkAuthError(t, sig.CheckService("service"))
		checkAuthError(t, sig.Verify(r, suiteSecret, "", now))
	})
}

// FuzzParsePresigned does the same for presigned query strings.
func FuzzParsePresigned(f *testing.F) {
	f.Add(presignQuery)
	f.Add(presignQuery + "&X-Amz-Expires=3600&X-Amz-Security-Token=tok")
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1")
	f.Add("X-Amz-Algorithm=%zz&X-Amz-Credential=%&X-Amz-Date=&&&=")
	f.Add("Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00")
	now := time.Date(2015, 8, 30, 12, 40, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := &http.Request{
			Method: "GET",
			URL:    &url.URL{Path: "/", RawQuery: rawQuery},
			Host:   "example.amazonaws.com",
			Header: http.Header{},
		}
		sig, err := sigv4.Parse(r)
		checkAuthError(t, err)
		if err != nil {
			return
		}
		checkAuthError(t, sig.Verify(r, suiteSecret, sigv4.EmptyPayloadHash, now))
		_ = sigv4.CanonicalRequest(r, sig.SignedHeaders, sigv4.EmptyPayloadHash, sigv4.CanonicalOptions{S3: true, Presigned: true})
	})
}
