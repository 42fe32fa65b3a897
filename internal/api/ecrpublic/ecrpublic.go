// Package ecrpublic is the ECR Public wire adapter: AWS JSON 1.1 requests
// (POST /, X-Amz-Target: SpencerFrontendService.<Op>) decoded into
// internal/registry calls, results rendered in botocore's shapes
// (data/ecr-public/2020-10-30/service-2.json, member names exactly),
// timestamps as epoch seconds, errors as {"__type": "…Exception",
// "message": …} through one table. The router authenticates (SigV4,
// service ecr-public) before Serve. No business rules live here.
package ecrpublic

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/wharf-project/wharf/internal/authn"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/registry"
	"github.com/wharf-project/wharf/internal/store"
)

// TargetPrefix is the X-Amz-Target prefix of ECR Public operations.
const TargetPrefix = "SpencerFrontendService."

// Handler serves ECR Public operations.
type Handler struct {
	reg  *registry.Service
	auth *authn.Authenticator
	ops  map[string]op
	// Log receives the causes of internal errors (which callers see only
	// as ServerException with the request ID); nil uses slog.Default().
	Log *slog.Logger
}

type op func(ctx context.Context, call *authz.Call, body []byte) (any, error)

// New returns the ECR Public adapter.
func New(reg *registry.Service, auth *authn.Authenticator) *Handler {
	h := &Handler{reg: reg, auth: auth}
	h.ops = h.table()
	return h
}

// Has reports whether op (without the target prefix) is an operation this
// adapter serves.
func (h *Handler) Has(op string) bool { _, ok := h.ops[op]; return ok }

// Serve runs one authenticated request. target is the operation name, with
// or without the "SpencerFrontendService." prefix. It returns the HTTP status
// and the JSON body.
func (h *Handler) Serve(ctx context.Context, call *authz.Call, target string, body []byte, requestID string) (int, []byte) {
	name := target
	if len(name) > len(TargetPrefix) && name[:len(TargetPrefix)] == TargetPrefix {
		name = name[len(TargetPrefix):]
	}
	o, ok := h.ops[name]
	if !ok {
		return h.render(errs.Coded(errs.Invalid, codeUnknownOperation, "Unknown operation %s", target), name, requestID)
	}
	out, err := o(ctx, call, body)
	if err != nil {
		return h.render(err, name, requestID)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return h.render(err, name, requestID)
	}
	return 200, b
}

// Adapter-level codes (the protocol's own errors), in the table with the
// registry's.
const (
	codeSerialization      = "Serialization"
	codeUnknownOperation   = "UnknownOperation"
	codeUnsupportedCommand = "UnsupportedCommand"
)

type wireError struct {
	typ    string
	status int
}

// errorTable maps every error code that reaches the adapter — the registry
// service's, authorization's and the protocol's own — to the ECR Public
// exception and HTTP status. The model gives no statuses: client errors are
// 400, as AWS JSON services answer (AccessDeniedException included).
var errorTable = map[string]wireError{
	registry.CodeRepositoryNotFound:       {"RepositoryNotFoundException", 400},
	registry.CodeRepositoryAlreadyExists:  {"RepositoryAlreadyExistsException", 400},
	registry.CodeRepositoryNotEmpty:       {"RepositoryNotEmptyException", 400},
	registry.CodePolicyNotFound:           {"RepositoryPolicyNotFoundException", 400},
	registry.CodeCatalogDataNotFound:      {"RepositoryCatalogDataNotFoundException", 400},
	registry.CodeRegistryNotFound:         {"RegistryNotFoundException", 400},
	registry.CodeNameInvalid:              {"InvalidParameterException", 400},
	registry.CodeTagInvalid:               {"InvalidParameterException", 400},
	registry.CodeDigestInvalid:            {"InvalidParameterException", 400},
	registry.CodeBlobUnknown:              {"LayersNotFoundException", 400},
	registry.CodeUploadUnknown:            {"UploadNotFoundException", 400},
	registry.CodeUploadInvalid:            {"InvalidLayerPartException", 400},
	registry.CodeUploadBusy:               {"ThrottlingException", 400}, // the SDKs retry it
	registry.CodeDigestMismatch:           {"InvalidLayerException", 400},
	registry.CodeManifestUnknown:          {"ImageNotFoundException", 400},
	registry.CodeManifestInvalid:          {"InvalidParameterException", 400},
	registry.CodeManifestBlobUnknown:      {"LayersNotFoundException", 400},
	registry.CodeManifestTooLarge:         {"InvalidParameterException", 400},
	registry.CodeImageReferenced:          {"InvalidParameterException", 400},
	registry.CodeInvalidParameter:         {"InvalidParameterException", 400},
	registry.CodeTooManyTags:              {"TooManyTagsException", 400},
	registry.CodeInvalidTagParameter:      {"InvalidTagParameterException", 400},
	registry.CodeImageAlreadyExists:       {"ImageAlreadyExistsException", 400},
	registry.CodeImageDigestDoesNotMatch:  {"ImageDigestDoesNotMatchException", 400},
	registry.CodeImageNotFound:            {"ImageNotFoundException", 400},
	registry.CodeReferencedImagesNotFound: {"ReferencedImagesNotFoundException", 400},
	registry.CodeLayerAlreadyExists:       {"LayerAlreadyExistsException", 400},
	registry.CodeEmptyUpload:              {"EmptyUploadException", 400},
	"AccessDenied":                        {"AccessDeniedException", 400},
	"MissingAuthenticationToken":          {"MissingAuthenticationTokenException", 403},
	"UNAUTHORIZED":                        {"MissingAuthenticationTokenException", 403},
	"InvalidClientTokenId":                {"UnrecognizedClientException", 400},
	"ExpiredToken":                        {"ExpiredTokenException", 400},
	codeSerialization:                     {"SerializationException", 400},
	codeUnknownOperation:                  {"UnknownOperationException", 400},
	codeUnsupportedCommand:                {"UnsupportedCommandException", 400},
}

// kindTable answers for errors that carry a kind but no code the table knows.
var kindTable = map[errs.Kind]wireError{
	errs.Invalid:         {"InvalidParameterException", 400},
	errs.NotFound:        {"InvalidParameterException", 400},
	errs.AlreadyExists:   {"InvalidParameterException", 400},
	errs.Conflict:        {"InvalidParameterException", 400},
	errs.LimitExceeded:   {"LimitExceededException", 400},
	errs.Denied:          {"AccessDeniedException", 400},
	errs.Unauthenticated: {"UnrecognizedClientException", 400},
	errs.Unavailable:     {"ServerException", 503},
	errs.Internal:        {"ServerException", 500},
}

// withFields is an error whose wire form carries members besides the
// message (InvalidLayerPartException's lastValidByteReceived and friends).
type withFields struct {
	error
	fields map[string]any
}

func (w withFields) Unwrap() error { return w.error }

// render turns an error into the __type JSON and its status.
func (h *Handler) render(err error, opName, requestID string) (int, []byte) {
	we := kindTable[errs.Internal]
	msg := "An internal error occurred. The request ID " + requestID + " identifies it in the server's log."
	var e *errs.Error
	if errors.As(err, &e) && e.Kind != errs.Internal {
		if t, ok := errorTable[e.Code]; ok {
			we = t
		} else {
			we = kindTable[e.Kind]
		}
		msg = e.Message
	}
	if we.status >= 500 {
		log := h.Log
		if log == nil {
			log = slog.Default()
		}
		log.Error("ecr-public request failed", "request_id", requestID, "operation", opName, "err", err)
	}
	body := map[string]any{"__type": we.typ, "message": msg}
	var wf withFields
	if errors.As(err, &wf) {
		for k, v := range wf.fields {
			body[k] = v
		}
	}
	b, _ := json.Marshal(body)
	return we.status, b
}

// decode reads a request body into v; an empty body is {}.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return errs.Coded(errs.Invalid, codeSerialization, "The value of member '%s' is a JSON %s, not a %s", te.Field, te.Value, jsonType(te.Type.Kind().String()))
		}
		return errs.Coded(errs.Invalid, codeSerialization, "The request body is not a valid JSON object of the operation's input: %v", err)
	}
	return nil
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "int", "int64", "int32":
		return "number"
	case "bool":
		return "boolean"
	case "slice":
		return "list or base64 string"
	case "struct", "map", "ptr":
		return "structure"
	}
	return goKind
}

func invalid(format string, args ...any) error {
	return errs.Coded(errs.Invalid, registry.CodeInvalidParameter, format, args...)
}

// missing is the error for a required member that is absent.
// uploadIDRE is the model's UploadId pattern.
var uploadIDRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func badUploadID(id string) error {
	return invalid("1 validation error detected: Value '%s' at 'uploadId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", id)
}

func missing(member string) error {
	return invalid("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

// listLength checks a list member's length against the model's bounds.
func listLength(member string, n, lo, hi int) error {
	if n < lo || n > hi {
		return invalid("Invalid parameter at '%s' failed to satisfy constraint: 'Member must have length between %d and %d'", member, lo, hi)
	}
	return nil
}

// epoch is a timestamp on the wire: epoch seconds as a JSON number,
// fractional to the millisecond.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(t).UnixMilli())/1000, 'f', -1, 64)), nil
}

func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

// Pagination. Tokens are opaque to clients: base64url of the operation
// and the position after which the next page starts.

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

type pageToken struct {
	Op     string `json:"o"`
	Marker string `json:"m"`
}

func nextToken(opName, marker string) string {
	b, _ := json.Marshal(pageToken{Op: opName, Marker: marker})
	return base64.RawURLEncoding.EncodeToString(b)
}

// page reads nextToken and maxResults.
func page(opName, token string, maxResults *int) (store.Page, error) {
	p := store.Page{Max: defaultPageSize}
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > maxPageSize {
			return p, invalid("Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and %d'", maxPageSize)
		}
		p.Max = *maxResults
	}
	if token != "" {
		var t pageToken
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || json.Unmarshal(b, &t) != nil || t.Op != opName || t.Marker == "" {
			return p, invalid("Invalid parameter at 'nextToken' failed to satisfy constraint: 'the token is not one this operation returned'")
		}
		p.Marker = t.Marker
	}
	return p, nil
}

// noPaging rejects nextToken and maxResults next to an explicit list.
func noPaging(list, token string, maxResults *int) error {
	if token != "" || maxResults != nil {
		return invalid("Invalid parameter: nextToken and maxResults cannot be specified together with %s", list)
	}
	return nil
}

// ExceptionName is the ECR Public exception a registry service error code
// is answered with (RepositoryNotFound → RepositoryNotFoundException), for
// other adapters that show registry errors (the console).
func ExceptionName(code string) (string, bool) {
	w, ok := errorTable[code]
	return w.typ, ok
}
