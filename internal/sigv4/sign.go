package sigv4

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sign signs r in place with an Authorization header, as an AWS SDK would:
// it sets X-Amz-Date (and X-Amz-Security-Token when sessionToken is set) and
// signs host, content-type, content-md5 and every x-amz-* header present.
// payloadHash is the hex SHA-256 of the body ("" for an empty body); an
// x-amz-content-sha256 header, when set, is used instead.
//
// Sign is meant for tests and for Wharf's internal requests; r must be an
// outgoing request (r.URL set, r.Header non-nil).
func Sign(r *http.Request, accessKeyID, secret, sessionToken, region, service, payloadHash string, now time.Time) {
	t := now.UTC()
	r.Header.Set(paramDate, t.Format(TimeFormat))
	if sessionToken != "" {
		r.Header.Set(paramSecurityToken, sessionToken)
	}
	s := &Signature{
		AccessKeyID: accessKeyID,
		Date:        t.Format(DateFormat),
		Region:      region,
		Service:     service,
		Time:        t,
	}
	s.SignedHeaders = headersToSign(r)
	ph, _ := firstHeader(r.Header, paramContentSHA256)
	if ph == "" {
		ph = payloadHash
	}
	if ph == "" {
		ph = EmptyPayloadHash
	}
	sig := ComputeSignature(SigningKey(secret, s.Date, region, service), s.StringToSign(s.CanonicalRequest(r, ph)))
	r.Header.Set(headerAuthorization, Algorithm+" Credential="+accessKeyID+"/"+s.Scope()+
		", SignedHeaders="+strings.Join(s.SignedHeaders, ";")+", Signature="+sig)
}

// Presign signs r with query parameters, valid for expires after now (at
// most MaxExpires), and returns the signed URL. It signs host and every
// x-amz-* header present (the recipient must send those). payloadHash is
// the hex SHA-256 of the body ("" for an empty body); for service "s3" the
// payload is UNSIGNED-PAYLOAD, as S3 presigned URLs are.
func Presign(r *http.Request, accessKeyID, secret, sessionToken, region, service, payloadHash string, now time.Time, expires time.Duration) string {
	t := now.UTC()
	s := &Signature{
		AccessKeyID: accessKeyID,
		Date:        t.Format(DateFormat),
		Region:      region,
		Service:     service,
		Time:        t,
		Presigned:   true,
		Expires:     expires,
		hasExpires:  true,
	}
	s.SignedHeaders = headersToSign(r)

	var q strings.Builder
	q.WriteString(r.URL.RawQuery)
	add := func(k, v string) {
		if q.Len() > 0 {
			q.WriteByte('&')
		}
		q.WriteString(k)
		q.WriteByte('=')
		q.WriteString(uriEncode(v, true))
	}
	add(paramAlgorithm, Algorithm)
	add(paramCredential, accessKeyID+"/"+s.Scope())
	add(paramDate, t.Format(TimeFormat))
	add(paramExpires, strconv.FormatInt(int64(expires/time.Second), 10))
	if sessionToken != "" {
		add(paramSecurityToken, sessionToken)
	}
	add(paramSignedHeaders, strings.Join(s.SignedHeaders, ";"))
	r.URL.RawQuery = q.String()

	ph, err := s.payloadHash(r, payloadHash)
	if err != nil || ph == "" {
		ph = EmptyPayloadHash
	}
	sig := ComputeSignature(SigningKey(secret, s.Date, region, service), s.StringToSign(s.CanonicalRequest(r, ph)))
	add(paramSignature, sig)
	r.URL.RawQuery = q.String()
	return r.URL.String()
}

// headersToSign lists host, content-type, content-md5 and the x-amz-*
// headers of r, sorted.
func headersToSign(r *http.Request) []string {
	names := []string{"host"}
	for k := range r.Header {
		lk := strings.ToLower(k)
		if lk == "content-type" || lk == "content-md5" || strings.HasPrefix(lk, "x-amz-") {
			if !slices.Contains(names, lk) {
				names = append(names, lk)
			}
		}
	}
	slices.Sort(names)
	return names
}
