package sigv4_test

import (
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/sigv4"
)

// BenchmarkVerify measures a header-signed IAM Query-protocol POST (form
// body, session token), as received by a Wharf handler: hashing the body,
// Parse, and Verify (with the signing key derived, and with it cached).
func BenchmarkVerify(b *testing.B) {
	req := newReq(b, "POST", "http://localhost:8080/", iamBody)
	req.Header.Set("Content-Type", formType)
	sdkSign(b, req, iamBody, "iam", "us-east-1", creds(sdkToken), sdkTime)
	sr, body := toServer(b, req)
	now := sdkTime.Add(time.Minute)

	b.Run("HashParseVerify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sig, err := sigv4.Parse(sr)
			if err != nil {
				b.Fatal(err)
			}
			if err := sig.Verify(sr, sdkSecret, sigv4.HashPayload(body), now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseVerifyCachedKey", func(b *testing.B) {
		key := sigv4.SigningKey(sdkSecret, "20240101", "us-east-1", "iam")
		hash := sigv4.HashPayload(body)
		b.ReportAllocs()
		for b.Loop() {
			sig, err := sigv4.Parse(sr)
			if err != nil {
				b.Fatal(err)
			}
			if err := sig.VerifyWithKey(sr, key, hash, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}
