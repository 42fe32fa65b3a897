package sigv4

import "net/http"

// AWS error codes returned by this package (and the constructors below).
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeInvalidClientTokenID       = "InvalidClientTokenId"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeRequestExpired             = "RequestExpired"
	CodeExpiredToken               = "ExpiredToken"
	CodeAccessDenied               = "AccessDenied"
	CodeXAmzContentSHA256Mismatch  = "XAmzContentSHA256Mismatch"
)

// AWS's wording, reproduced verbatim.
const (
	msgMissingAuthenticationToken = "Request is missing Authentication Token"
	msgSignatureDoesNotMatch      = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidClientTokenID       = "The security token included in the request is invalid."
	msgExpiredToken               = "The security token included in the request is expired"
	msgHostNotSigned              = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgBothAuthMechanisms         = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
	msgContentSHA256Mismatch      = "The provided 'x-amz-content-sha256' header does not match what was computed."
	msgPresignExpired             = "Request has expired"
)

// Error is an authentication failure in AWS's terms: the error code an AWS
// SDK switches on, the message it shows, and the HTTP status to answer with.
type Error struct {
	Code    string
	Message string
	Status  int

	// CanonicalRequest and StringToSign are what the server computed, set
	// only on the SignatureDoesNotMatch raised by the final comparison. Some
	// AWS services (STS among them) append them to the message so that a
	// client author can diff them against their own; the caller decides.
	CanonicalRequest string
	StringToSign     string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(code string, status int, msg string) *Error {
	return &Error{Code: code, Message: msg, Status: status}
}

func missingAuthenticationToken() *Error {
	return newError(CodeMissingAuthenticationToken, http.StatusForbidden, msgMissingAuthenticationToken)
}

func incompleteSignature(msg string) *Error {
	return newError(CodeIncompleteSignature, http.StatusBadRequest, msg)
}

func signatureDoesNotMatch(msg string) *Error {
	return newError(CodeSignatureDoesNotMatch, http.StatusForbidden, msg)
}

func requestExpired(msg string) *Error {
	return newError(CodeRequestExpired, http.StatusBadRequest, msg)
}

// InvalidClientTokenID is the error for an access key ID (or session token)
// the caller does not recognise: 403 InvalidClientTokenId, "The security
// token included in the request is invalid."
func InvalidClientTokenID() *Error {
	return newError(CodeInvalidClientTokenID, http.StatusForbidden, msgInvalidClientTokenID)
}

// ExpiredToken is the error for temporary credentials whose session has
// ended: 403 ExpiredToken, "The security token included in the request is
// expired".
func ExpiredToken() *Error {
	return newError(CodeExpiredToken, http.StatusForbidden, msgExpiredToken)
}

// AccessDenied is a 403 AccessDenied with the given message, for a
// well-signed request the caller refuses (a disabled key, a policy denial).
func AccessDenied(message string) *Error {
	return newError(CodeAccessDenied, http.StatusForbidden, message)
}
