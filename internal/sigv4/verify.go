package sigv4

import (
	"crypto/hmac"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// Verify checks the signature against the request with the secret access
// key of s.AccessKeyID (the caller looks it up, answering
// InvalidClientTokenID when it is unknown). payloadHash is the hex SHA-256
// of the body as received (HashPayload); see PayloadHash for how the
// x-amz-content-sha256 header and UNSIGNED-PAYLOAD are honoured. Passing
// PayloadHash's result instead is equivalent (the mapping is idempotent).
//
// Verify checks the time first (RequestExpired), then computes the
// signature and compares it in constant time (SignatureDoesNotMatch). The
// error is always an *Error.
func (s *Signature) Verify(r *http.Request, secret, payloadHash string, now time.Time) error {
	return s.VerifyWithKey(r, SigningKey(secret, s.Date, s.Region, s.Service), payloadHash, now)
}

// VerifyWithKey is Verify with a signing key already derived (SigningKey),
// for callers that cache keys per access key, date, region and service.
func (s *Signature) VerifyWithKey(r *http.Request, signingKey []byte, payloadHash string, now time.Time) error {
	if err := s.checkTime(now); err != nil {
		return err
	}
	ph, err := s.payloadHash(r, payloadHash)
	if err != nil {
		return err
	}
	creq := s.CanonicalRequest(r, ph)
	sts := s.StringToSign(creq)
	var want [64]byte
	hex.Encode(want[:], hmacSHA256(signingKey, sts))
	if !hmac.Equal(want[:], []byte(s.Signature)) {
		e := signatureDoesNotMatch(msgSignatureDoesNotMatch)
		e.CanonicalRequest, e.StringToSign = creq, sts
		return e
	}
	return nil
}

// PayloadHash returns the payload hash that goes into the canonical
// request, given bodyHash, the hex SHA-256 of the body as received:
//
//   - when the client sent x-amz-content-sha256 (or, presigned, the
//     X-Amz-Content-Sha256 query parameter), its value: UNSIGNED-PAYLOAD and
//     STREAMING-* are taken as is, and a hash must equal bodyHash
//     (XAmzContentSHA256Mismatch) unless bodyHash is "";
//   - a presigned S3 request without one is UNSIGNED-PAYLOAD;
//   - otherwise bodyHash, or the empty body's hash when bodyHash is "".
//
// A caller that streams the body instead of hashing it first passes "" and
// must then check the body against the header itself.
func (s *Signature) PayloadHash(r *http.Request, bodyHash string) (string, error) {
	ph, err := s.payloadHash(r, bodyHash)
	if err != nil {
		return "", err
	}
	return ph, nil
}

func (s *Signature) payloadHash(r *http.Request, bodyHash string) (string, *Error) {
	h, _ := firstHeader(r.Header, paramContentSHA256)
	if h == "" && s.Presigned && r.URL != nil {
		h = queryValue(r.URL.RawQuery, paramContentSHA256)
	}
	switch {
	case h == UnsignedPayload || strings.HasPrefix(h, "STREAMING-"):
		return h, nil
	case h != "":
		if bodyHash != "" && !strings.EqualFold(h, bodyHash) {
			return "", newError(CodeXAmzContentSHA256Mismatch, http.StatusBadRequest, msgContentSHA256Mismatch)
		}
		return h, nil
	case s.Presigned && s.Service == "s3":
		return UnsignedPayload, nil
	case bodyHash == "":
		return EmptyPayloadHash, nil
	}
	return bodyHash, nil
}

// queryValue returns the first (decoded) value of key in a raw query.
func queryValue(rawQuery, key string) string {
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k == key {
			return unescapeQuery(v)
		}
	}
	return ""
}
