package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CanonicalOptions selects the service-specific canonicalization rules.
type CanonicalOptions struct {
	// S3 selects Amazon S3's path rule: the path is decoded and URI-encoded
	// once, without normalization. Otherwise (every other service) the path
	// as sent is normalized (dot segments and repeated slashes removed) and
	// URI-encoded once more.
	S3 bool
	// Presigned leaves X-Amz-Signature out of the canonical query string.
	Presigned bool
}

// CanonicalRequest returns the canonical request of r for the given signed
// headers (lower-case names, in the order the client listed them) and
// payload hash:
//
//	Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
func CanonicalRequest(r *http.Request, signedHeaders []string, payloadHash string, opt CanonicalOptions) string {
	var b strings.Builder
	b.Grow(256 + len(payloadHash))
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(CanonicalURI(requestPath(r), opt.S3))
	b.WriteByte('\n')
	var rawQuery string
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	writeCanonicalQuery(&b, rawQuery, opt.Presigned)
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range headerValues(r, name) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeTrimmed(&b, v)
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	for i, name := range signedHeaders {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(name)
	}
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// StringToSign returns the string to sign for a canonical request signed at
// t within the credential scope (see Scope).
func StringToSign(t time.Time, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	var b strings.Builder
	b.Grow(len(Algorithm) + len(TimeFormat) + len(scope) + 3 + 2*len(sum))
	b.WriteString(Algorithm)
	b.WriteByte('\n')
	b.WriteString(t.UTC().Format(TimeFormat))
	b.WriteByte('\n')
	b.WriteString(scope)
	b.WriteByte('\n')
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	b.Write(h[:])
	return b.String()
}

// Scope returns the credential scope date/region/service/aws4_request.
func Scope(date, region, service string) string {
	return date + "/" + region + "/" + service + "/" + terminator
}

// SigningKey derives the signing key from the secret access key:
// HMAC chained over "AWS4"+secret, date (yyyymmdd), region, service and
// "aws4_request". The key is valid for one day, region and service, so a
// caller may cache it.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

// ComputeSignature returns the hex HMAC-SHA256 of stringToSign under the
// signing key.
func ComputeSignature(signingKey []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(signingKey, stringToSign))
}

// HashPayload returns the hex SHA-256 of a request body, the payloadHash
// Verify and Sign take.
func HashPayload(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// CanonicalURI returns the canonical URI of an escaped path (the path as
// sent on the wire). For services other than S3, the path is normalized
// (RFC 3986 dot-segment removal; repeated slashes collapse) and then
// URI-encoded, which encodes it a second time relative to the raw path:
// "/a%20b" becomes "/a%2520b". For S3 the path is decoded and encoded once.
// An empty path is "/".
func CanonicalURI(escapedPath string, s3 bool) string {
	if escapedPath == "" {
		return "/"
	}
	if s3 {
		if p, err := url.PathUnescape(escapedPath); err == nil {
			escapedPath = p
		}
		return uriEncode(escapedPath, false)
	}
	return uriEncode(normalizePath(escapedPath), false)
}

// requestPath is the escaped path as sent: from the request line when the
// request came off the wire, else from the URL (a request being sent).
func requestPath(r *http.Request) string {
	if uri := r.RequestURI; uri != "" && uri != "*" {
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			uri = uri[:i]
		}
		if strings.HasPrefix(uri, "/") {
			return uri
		}
		// absolute-form (a proxy request): scheme://authority/path
		if _, rest, ok := strings.Cut(uri, "://"); ok {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				return rest[i:]
			}
			return "/"
		}
	}
	if r.URL == nil {
		return "/"
	}
	if r.URL.Opaque != "" {
		// "//host/path" or "/path", as aws-sdk-go-v2 reads it.
		o := strings.TrimPrefix(r.URL.Opaque, "//")
		if i := strings.IndexByte(o, '/'); i >= 0 {
			return o[i:]
		}
		return "/"
	}
	return r.URL.EscapedPath()
}

// normalizePath removes "." and ".." segments and empty segments, keeping a
// leading slash and a trailing one (when anything remains), the way the
// AWS SDKs' signers (and the SigV4 test suite's normalize-path cases) do.
func normalizePath(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") && p[0] == '/' {
		return p // the common case: nothing to do
	}
	segs := strings.Split(p, "/")
	out := segs[:0]
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	var b strings.Builder
	if p[0] == '/' {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(out, "/"))
	if p[len(p)-1] == '/' && len(out) > 0 {
		b.WriteByte('/')
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

const upperhex = "0123456789ABCDEF"

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// uriEncode is AWS's UriEncode: every byte but the RFC 3986 unreserved
// characters (and '/', unless encodeSlash) becomes %XX with upper-case hex.
func uriEncode(s string, encodeSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved(c) && (encodeSlash || c != '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (!encodeSlash && c == '/') {
			b = append(b, c)
		} else {
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return string(b)
}

type queryParam struct{ k, v string }

// writeCanonicalQuery writes the canonical query string: every parameter
// decoded and re-encoded with uriEncode, sorted by encoded name then value.
func writeCanonicalQuery(b *strings.Builder, rawQuery string, presigned bool) {
	if rawQuery == "" {
		return
	}
	var stack [16]queryParam
	params := stack[:0]
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k = unescapeQuery(k)
		if presigned && k == paramSignature {
			continue
		}
		params = append(params, queryParam{uriEncode(k, true), uriEncode(unescapeQuery(v), true)})
	}
	slices.SortFunc(params, func(a, b queryParam) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
}

// headerValues returns the values of a signed header, in order.
func headerValues(r *http.Request, name string) []string {
	switch name {
	case "host", ":authority":
		h := r.Host
		if h == "" && r.URL != nil {
			h = r.URL.Host
		}
		return []string{h}
	case "content-length":
		if vs := r.Header["Content-Length"]; len(vs) > 0 {
			return vs
		}
		if r.ContentLength > 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	case "transfer-encoding":
		if vs := r.Header["Transfer-Encoding"]; len(vs) > 0 {
			return vs
		}
		return r.TransferEncoding
	}
	if vs, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
		return vs
	}
	// A header map filled in by hand may hold non-canonical keys.
	for k, vs := range r.Header {
		if strings.EqualFold(k, name) {
			return vs
		}
	}
	return nil
}

// writeTrimmed writes a header value with leading and trailing whitespace
// removed and runs of spaces collapsed to one.
func writeTrimmed(b *strings.Builder, v string) {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		b.WriteString(v)
		return
	}
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(c)
	}
}

// CanonicalRequest returns the canonical request of r under this
// signature's signed headers and service rules, with the given payload hash
// (see PayloadHash).
func (s *Signature) CanonicalRequest(r *http.Request, payloadHash string) string {
	return CanonicalRequest(r, s.SignedHeaders, payloadHash, s.options())
}

// StringToSign returns the string to sign for a canonical request.
func (s *Signature) StringToSign(canonicalRequest string) string {
	return StringToSign(s.Time, s.Scope(), canonicalRequest)
}

// Scope returns the credential scope date/region/service/aws4_request.
func (s *Signature) Scope() string { return Scope(s.Date, s.Region, s.Service) }

func (s *Signature) options() CanonicalOptions {
	return CanonicalOptions{S3: s.Service == "s3", Presigned: s.Presigned}
}
