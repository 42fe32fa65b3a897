package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Protocol constants.
const (
	// Algorithm is the only signing algorithm SigV4 defines.
	Algorithm = "AWS4-HMAC-SHA256"
	// TimeFormat is the ISO 8601 basic format of X-Amz-Date.
	TimeFormat = "20060102T150405Z"
	// DateFormat is the credential-scope date.
	DateFormat = "20060102"
	// MaxSkew is how far X-Amz-Date may be from the server's clock.
	MaxSkew = 15 * time.Minute
	// MaxExpires is the longest X-Amz-Expires a presigned request may carry.
	MaxExpires = 7 * 24 * time.Hour

	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// UnsignedPayload is the x-amz-content-sha256 value of a request whose
	// body is not covered by the signature (S3, presigned URLs).
	UnsignedPayload = "UNSIGNED-PAYLOAD"

	terminator = "aws4_request"
)

// Query parameter and header names.
const (
	paramAlgorithm     = "X-Amz-Algorithm"
	paramCredential    = "X-Amz-Credential"
	paramDate          = "X-Amz-Date"
	paramExpires       = "X-Amz-Expires"
	paramSignedHeaders = "X-Amz-SignedHeaders"
	paramSignature     = "X-Amz-Signature"
	paramSecurityToken = "X-Amz-Security-Token"
	paramContentSHA256 = "X-Amz-Content-Sha256"

	headerAuthorization = "Authorization"
	headerDate          = "Date"
)

// Signature is the signature a request carries, in the Authorization header
// or in presigned query parameters, as Parse found it.
type Signature struct {
	AccessKeyID string
	// Date, Region and Service are the credential scope
	// (AKID/Date/Region/Service/aws4_request). Date is yyyymmdd and always
	// equals Time's date; any Region is accepted; the caller checks Service
	// (see CheckService).
	Date    string
	Region  string
	Service string
	// SignedHeaders are the lower-cased header names the client signed, in
	// the order it listed them (always including "host").
	SignedHeaders []string
	// Signature is the hex signature the client sent.
	Signature string
	// Time is X-Amz-Date, or the Date header when X-Amz-Date is absent.
	Time time.Time
	// SecurityToken is X-Amz-Security-Token (header or query), if any: the
	// caller validates it against the access key.
	SecurityToken string
	// Presigned reports query-string authentication.
	Presigned bool
	// Expires is X-Amz-Expires of a presigned request (0 when absent).
	Expires time.Duration

	hasExpires bool
}

// Parse extracts the signature from a request: the Authorization header
// ("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/iam/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=…") or the presigned query
// parameters (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders, X-Amz-Signature, X-Amz-Security-Token).
//
// Parse checks everything that needs neither the secret key nor the clock:
// the required parts are present and well formed, the algorithm is
// AWS4-HMAC-SHA256, the credential has five parts ending in aws4_request,
// its date is X-Amz-Date's, and "host" is signed. The error is always an
// *Error.
func Parse(r *http.Request) (*Signature, error) {
	s, err := parse(r)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func parse(r *http.Request) (*Signature, *Error) {
	auth, hasAuth := firstHeader(r.Header, headerAuthorization)
	var rawQuery string
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	presigned := strings.Contains(rawQuery, paramAlgorithm) && queryHas(rawQuery, paramAlgorithm)

	switch {
	case hasAuth && presigned:
		return nil, incompleteSignature(msgBothAuthMechanisms)
	case presigned:
		return parsePresigned(r, rawQuery)
	case !hasAuth || !strings.HasPrefix(strings.TrimLeft(auth, " \t"), "AWS4-"):
		return nil, missingAuthenticationToken()
	}
	return parseHeader(r, auth)
}

func parseHeader(r *http.Request, auth string) (*Signature, *Error) {
	rest := strings.TrimLeft(auth, " \t")
	algorithm := rest
	if i := strings.IndexAny(rest, " \t,"); i >= 0 {
		algorithm, rest = rest[:i], rest[i:]
	} else {
		rest = ""
	}

	var credential, signedHeaders, signature string
	var haveSignedHeaders bool
	for len(rest) > 0 {
		i := strings.IndexAny(rest, " \t,")
		if i == 0 {
			rest = rest[1:]
			continue
		}
		part := rest
		if i > 0 {
			part, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, incompleteSignature("'" + part + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + auth + "'.")
		}
		switch key {
		case "Credential":
			credential = value
		case "SignedHeaders":
			signedHeaders, haveSignedHeaders = value, true
		case "Signature":
			signature = value
		}
	}

	amzDate, hasAmzDate := firstHeader(r.Header, paramDate)
	date, hasDate := firstHeader(r.Header, headerDate)

	var msg strings.Builder
	if credential == "" {
		msg.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if signature == "" {
		msg.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if !haveSignedHeaders {
		msg.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if !hasAmzDate && !hasDate {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		msg.WriteString("Authorization=")
		msg.WriteString(auth)
		return nil, incompleteSignature(msg.String())
	}

	var t time.Time
	var ok bool
	if hasAmzDate {
		t, ok = parseAmzDate(amzDate)
	} else {
		amzDate = date
		t, ok = parseHTTPDate(date)
	}
	if !ok {
		return nil, badDate(amzDate)
	}

	s := &Signature{Signature: signature, Time: t}
	s.SecurityToken, _ = firstHeader(r.Header, paramSecurityToken)
	if err := s.finish(algorithm, credential, signedHeaders); err != nil {
		return nil, err
	}
	return s, nil
}

func parsePresigned(r *http.Request, rawQuery string) (*Signature, *Error) {
	presignedParams := [...]string{paramAlgorithm, paramCredential, paramSignature, paramSignedHeaders, paramDate}
	var vals [len(presignedParams)]string
	var have [len(presignedParams)]bool
	var expires, token string
	var hasExpires bool
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, v, _ := strings.Cut(pair, "=")
		if !strings.HasPrefix(k, "X-Amz-") {
			continue
		}
		v = unescapeQuery(v)
		for i, name := range presignedParams {
			if k == name && !have[i] {
				vals[i], have[i] = v, true
			}
		}
		switch {
		case k == paramExpires && !hasExpires:
			expires, hasExpires = v, true
		case k == paramSecurityToken && token == "":
			token = v
		}
	}

	var msg strings.Builder
	for i, name := range presignedParams {
		if vals[i] == "" {
			msg.WriteString("AWS query-string parameters must include '" + name + "'. ")
		}
	}
	if msg.Len() > 0 {
		msg.WriteString("Re-examine the query-string parameters.")
		return nil, incompleteSignature(msg.String())
	}
	algorithm, credential, signature, signedHeaders, amzDate := vals[0], vals[1], vals[2], vals[3], vals[4]

	t, ok := parseAmzDate(amzDate)
	if !ok {
		return nil, badDate(amzDate)
	}
	if token == "" {
		// A presigned request may carry its token as a (signed) header.
		token, _ = firstHeader(r.Header, paramSecurityToken)
	}
	s := &Signature{Signature: signature, Time: t, SecurityToken: token, Presigned: true}
	if hasExpires {
		n, err := strconv.ParseUint(expires, 10, 32)
		switch {
		case err != nil && isDigits(expires):
			return nil, incompleteSignature("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		case err != nil:
			return nil, incompleteSignature("X-Amz-Expires should be a number")
		case time.Duration(n)*time.Second > MaxExpires:
			return nil, incompleteSignature("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		s.Expires, s.hasExpires = time.Duration(n)*time.Second, true
	}
	if err := s.finish(algorithm, credential, signedHeaders); err != nil {
		return nil, err
	}
	return s, nil
}

// finish checks the algorithm, splits the credential and the signed headers,
// and checks the scope.
func (s *Signature) finish(algorithm, credential, signedHeaders string) *Error {
	if algorithm != Algorithm {
		return incompleteSignature("Unsupported AWS 'algorithm': '" + algorithm + "' (only AWS4-HMAC-SHA256 for now). ")
	}

	parts := strings.Split(strings.TrimRight(credential, "/"), "/")
	if len(parts) != 5 {
		return incompleteSignature("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + credential + "'")
	}
	s.AccessKeyID, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]

	s.SignedHeaders = splitSignedHeaders(signedHeaders)
	hostSigned := false
	for _, h := range s.SignedHeaders {
		if h == "host" || h == ":authority" {
			hostSigned = true
			break
		}
	}
	if !hostSigned {
		return signatureDoesNotMatch(msgHostNotSigned)
	}

	var msgs []string
	if s.Region == "" {
		msgs = append(msgs, "Credential should be scoped to a valid region, not ''.")
	}
	if parts[4] != terminator {
		msgs = append(msgs, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+parts[4]+"'.")
	}
	if want := s.Time.Format(DateFormat); s.Date != want {
		msgs = append(msgs, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			s.Date+"' != '"+want+"', from '"+s.Time.Format(TimeFormat)+"'.")
	}
	if len(msgs) > 0 {
		return signatureDoesNotMatch(strings.Join(msgs, " "))
	}
	if s.AccessKeyID == "" {
		return InvalidClientTokenID() // no key can match; spare the caller a lookup
	}
	return nil
}

// CheckService reports whether the credential is scoped to service (for
// example "iam", "sts" or "ecr-public"), with AWS's SignatureDoesNotMatch.
func (s *Signature) CheckService(service string) error {
	if s.Service != service {
		return signatureDoesNotMatch("Credential should be scoped to correct service: '" + service + "'.")
	}
	return nil
}

// CheckTime checks the request time against now: X-Amz-Date may be at most
// MaxSkew (15 minutes) away from now, and a presigned request expires
// X-Amz-Expires after X-Amz-Date. The error is RequestExpired.
func (s *Signature) CheckTime(now time.Time) error {
	if err := s.checkTime(now); err != nil {
		return err
	}
	return nil
}

func (s *Signature) checkTime(now time.Time) *Error {
	now = now.UTC()
	if late := now.Add(MaxSkew); s.Time.After(late) {
		return requestExpired("Signature not yet current: " + s.Time.Format(TimeFormat) + " is still later than " +
			late.Format(TimeFormat) + " (" + now.Format(TimeFormat) + " + 15 min.)")
	}
	if s.Presigned && s.hasExpires {
		if now.After(s.Time.Add(s.Expires)) {
			return requestExpired(msgPresignExpired)
		}
		return nil
	}
	if early := now.Add(-MaxSkew); s.Time.Before(early) {
		return requestExpired("Signature expired: " + s.Time.Format(TimeFormat) + " is now earlier than " +
			early.Format(TimeFormat) + " (" + now.Format(TimeFormat) + " - 15 min.)")
	}
	return nil
}

func badDate(got string) *Error {
	return incompleteSignature("Date must be in ISO-8601 'basic format'. Got '" + got + "'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// parseAmzDate parses exactly yyyymmddThhmmssZ.
func parseAmzDate(v string) (time.Time, bool) {
	if len(v) != len(TimeFormat) || v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, j int) int {
		n := 0
		for ; i < j; i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d := num(0, 4), num(4, 6), num(6, 8)
	h, mi, sec := num(9, 11), num(11, 13), num(13, 15)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // 31 April and the like
		return time.Time{}, false
	}
	return t, true
}

// parseHTTPDate parses the Date header (RFC 1123, and the two obsolete HTTP
// date forms http.ParseTime accepts).
func parseHTTPDate(v string) (time.Time, bool) {
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

func splitSignedHeaders(v string) []string {
	names := strings.Split(v, ";")
	for i, n := range names {
		names[i] = strings.ToLower(n)
	}
	return names
}

func firstHeader(h http.Header, key string) (string, bool) {
	vs := h[key]
	if len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// queryHas reports whether the raw query has a parameter named exactly key.
func queryHas(rawQuery, key string) bool {
	for rawQuery != "" {
		var pair string
		pair, rawQuery, _ = strings.Cut(rawQuery, "&")
		k, _, _ := strings.Cut(pair, "=")
		if k == key {
			return true
		}
	}
	return false
}

// unescapeQuery decodes a query component the way form decoding does ('+'
// is a space); a malformed escape leaves the component as sent.
func unescapeQuery(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return u
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
