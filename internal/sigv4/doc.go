// Package sigv4 verifies (and, for tests and Wharf's own presigned URLs,
// produces) AWS Signature Version 4 request signatures, the way AWS services
// check them.
//
// A request is authenticated in three steps, and the caller owns the middle
// one:
//
//	sig, err := sigv4.Parse(r)            // structure, scope, algorithm
//	secret, ok := keys.Lookup(sig.AccessKeyID)
//	if !ok { return sigv4.InvalidClientTokenID() }
//	if err := sig.CheckService("iam"); err != nil { ... }
//	err = sig.Verify(r, secret, sigv4.HashPayload(body), time.Now())
//
// Every error is an *Error carrying AWS's error code, message and HTTP status
// (MissingAuthenticationToken, IncompleteSignature, SignatureDoesNotMatch,
// RequestExpired, ...), so a handler can render it as the Query/JSON error
// document the AWS SDKs expect.
//
// Canonicalization follows AWS's rules for services other than Amazon S3
// (the path is normalized and URI-encoded once more, as sent); S3's rules are
// used when the credential scope names the "s3" service. The package uses
// only the standard library, keeps no global state and never reads the
// clock: the caller passes "now".
package sigv4
