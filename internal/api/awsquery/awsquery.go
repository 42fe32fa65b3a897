// Package awsquery is the AWS Query protocol shared by the IAM and STS
// adapters: form-encoded requests (Action, Version, Name.member.N lists) and
// XML responses (<OpResponse><OpResult>…</OpResult><ResponseMetadata>) and
// errors (<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>),
// with one table from error codes to HTTP statuses.
package awsquery

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/errs"
)

// statuses maps AWS error codes to HTTP statuses (botocore's models and the
// IAM API reference's Common Errors).
var statuses = map[string]int{
	"AccessDenied":                  403,
	"AccessDeniedException":         403,
	"DeleteConflict":                409,
	"EntityAlreadyExists":           409,
	"EntityTemporarilyUnmodifiable": 409,
	"ConcurrentModification":        409,
	"ExpiredToken":                  403,
	"ExpiredTokenException":         400,
	"IncompleteSignature":           400,
	"InvalidAction":                 400,
	"InvalidClientTokenId":          403,
	"InvalidInput":                  400,
	"InvalidUserType":               400,
	"PasswordPolicyViolation":       400,
	"InvalidParameterCombination":   400,
	"InvalidParameterValue":         400,
	"LimitExceeded":                 409,
	"MalformedPolicyDocument":       400,
	"MissingAction":                 400,
	"MissingAuthenticationToken":    403,
	"MissingParameter":              400,
	"NoSuchEntity":                  404,
	"PackedPolicyTooLarge":          400,
	"PolicyNotAttachable":           400,
	"RequestExpired":                400,
	"ServiceFailure":                500,
	"ServiceUnavailable":            503,
	"SignatureDoesNotMatch":         403,
	"UnmodifiableEntity":            400,
	"ValidationError":               400,
	"InternalFailure":               500,
	"RegionDisabledException":       403,
	"ReportNotPresent":              410,
	"ReportInProgress":              404,
	"Throttling":                    400,
}

// kindCodes is the code for an error that names only its kind.
var kindCodes = map[errs.Kind]string{
	errs.Invalid:         "InvalidInput",
	errs.NotFound:        "NoSuchEntity",
	errs.AlreadyExists:   "EntityAlreadyExists",
	errs.Conflict:        "DeleteConflict",
	errs.LimitExceeded:   "LimitExceeded",
	errs.Denied:          "AccessDenied",
	errs.Unauthenticated: "InvalidClientTokenId",
	errs.Unavailable:     "ServiceUnavailable",
	errs.Internal:        "ServiceFailure",
}

// Status returns the HTTP status of an AWS error code.
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return 400
}

// CodeOf returns the AWS error code, HTTP status and message for err.
// Internal errors get a generic message: causes are for logs only.
func CodeOf(err error) (code string, status int, message string) {
	var e *errs.Error
	if !errors.As(err, &e) {
		return "ServiceFailure", 500, "An internal error occurred. The request ID in this response identifies it in the server's log."
	}
	code = e.Code
	if code == "" {
		code = kindCodes[e.Kind]
	}
	message = e.Message
	if e.Kind == errs.Internal {
		message = "An internal error occurred. The request ID in this response identifies it in the server's log."
	}
	return code, Status(code), message
}

// ErrorXML renders an error response.
func ErrorXML(ns, code, message, requestID string, status int) []byte {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<ErrorResponse xmlns="` + ns + `"><Error><Type>` + typ + `</Type><Code>`)
	xml.EscapeText(&b, []byte(code))
	b.WriteString(`</Code><Message>`)
	xml.EscapeText(&b, []byte(message))
	b.WriteString(`</Message></Error><RequestId>`)
	xml.EscapeText(&b, []byte(requestID))
	b.WriteString(`</RequestId></ErrorResponse>`)
	return b.Bytes()
}

// ResponseXML renders <ActionResponse><ActionResult>result</ActionResult>
// <ResponseMetadata>; result nil renders no Result element (operations
// without output).
func ResponseXML(ns, action string, result any, requestID string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<` + action + `Response xmlns="` + ns + `">`)
	if result != nil {
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return nil, err
		}
		if err := enc.Flush(); err != nil {
			return nil, err
		}
	}
	b.WriteString(`<ResponseMetadata><RequestId>`)
	xml.EscapeText(&b, []byte(requestID))
	b.WriteString(`</RequestId></ResponseMetadata></` + action + `Response>`)
	return b.Bytes(), nil
}

// Time is a timestamp rendered as ISO 8601 UTC, as the Query protocol does.
type Time time.Time

// MarshalText renders the time.
func (t Time) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05Z")), nil
}

// TimePtr returns nil for the zero time, so the element is omitted.
func TimePtr(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	x := Time(t)
	return &x
}

// EncodePolicy URL-encodes a policy document as IAM returns them (RFC 3986,
// spaces as %20: botocore unquotes without treating + as space).
func EncodePolicy(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// Form is a decoded Query request.
type Form struct {
	url.Values
}

// Bool reads a boolean parameter ("true"/"false"); absent is false.
func (f Form) Bool(name string) (bool, error) {
	v := f.Get(name)
	switch v {
	case "":
		return false, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be true or false", v, lowerFirst(name))
}

// Int reads an integer parameter; absent is 0.
func (f Form) Int(name string) (int, error) {
	v := f.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be an integer", v, lowerFirst(name))
	}
	return n, nil
}

// Required reads a parameter that must be present.
func (f Form) Required(name string) (string, error) {
	v, ok := f.Values[name]
	if !ok || len(v) == 0 {
		return "", errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return v[0], nil
}

// List reads Name.member.1, Name.member.2, … in order.
func (f Form) List(name string) []string {
	prefix := name + ".member."
	type item struct {
		n int
		v string
	}
	var items []item
	for k, v := range f.Values {
		if !strings.HasPrefix(k, prefix) || len(v) == 0 {
			continue
		}
		n, err := strconv.Atoi(k[len(prefix):])
		if err != nil {
			continue
		}
		items = append(items, item{n, v[0]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// Structs reads Name.member.N.Field parameters into one map per member, in order.
func (f Form) Structs(name string) []map[string]string {
	prefix := name + ".member."
	byN := map[int]map[string]string{}
	for k, v := range f.Values {
		if !strings.HasPrefix(k, prefix) || len(v) == 0 {
			continue
		}
		rest := k[len(prefix):]
		dot := strings.IndexByte(rest, '.')
		if dot < 0 {
			continue
		}
		n, err := strconv.Atoi(rest[:dot])
		if err != nil {
			continue
		}
		if byN[n] == nil {
			byN[n] = map[string]string{}
		}
		byN[n][rest[dot+1:]] = v[0]
	}
	ns := make([]int, 0, len(byN))
	for n := range byN {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	out := make([]map[string]string, len(ns))
	for i, n := range ns {
		out[i] = byN[n]
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
