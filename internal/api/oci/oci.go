// Package oci is the OCI Distribution API adapter (/v2/, distribution-spec
// v1.1) and Docker's token endpoint (/token), over internal/registry. Image
// names are <registry alias>/<repository>, as on ECR Public. Reads are
// public; writes need credentials — a bearer token from /token, or Basic
// AWS:<password> from GetAuthorizationToken — and pass the same
// authorization as the ECR Public API. No business rules live here.
package oci

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/authn"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/httpx"
	"github.com/wharf-project/wharf/internal/registry"
)

// Handler serves /v2/ and /token.
type Handler struct {
	Registry  *registry.Service
	Auth      *authn.Authenticator
	PublicURL string // scheme://host[:port], for the token realm
	Log       *slog.Logger
	Now       func() time.Time
}

// errorTable maps service codes to OCI error codes and statuses.
var errorTable = map[string]struct {
	code   string
	status int
}{
	registry.CodeRepositoryNotFound:  {"NAME_UNKNOWN", 404},
	registry.CodeNameInvalid:         {"NAME_INVALID", 400},
	registry.CodeTagInvalid:          {"MANIFEST_INVALID", 400}, // the spec's closed list has no TAG_INVALID
	registry.CodeDigestInvalid:       {"DIGEST_INVALID", 400},
	registry.CodeDigestMismatch:      {"DIGEST_INVALID", 400},
	registry.CodeBlobUnknown:         {"BLOB_UNKNOWN", 404},
	registry.CodeBlobReferenced:      {"DENIED", 409}, // DELETE of a blob an image uses
	registry.CodeUploadUnknown:       {"BLOB_UPLOAD_UNKNOWN", 404},
	registry.CodeUploadInvalid:       {"BLOB_UPLOAD_INVALID", 416},
	registry.CodeUploadBusy:          {"TOOMANYREQUESTS", 429},
	registry.CodeManifestUnknown:     {"MANIFEST_UNKNOWN", 404},
	registry.CodeManifestInvalid:     {"MANIFEST_INVALID", 400},
	registry.CodeManifestBlobUnknown: {"MANIFEST_BLOB_UNKNOWN", 400},
	registry.CodeManifestTooLarge:    {"SIZE_INVALID", 413},
	registry.CodeInvalidParameter:    {"UNSUPPORTED", 400},
}

type ociError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Detail  any    `json:"detail,omitempty"`
}

func (h *Handler) challenge(w http.ResponseWriter) {
	host := h.PublicURL
	if u, err := url.Parse(h.PublicURL); err == nil {
		host = u.Host
	}
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service=%q,scope="aws"`, strings.TrimRight(h.PublicURL, "/")+"/token", host))
}

// writeError renders err as the OCI error JSON with its status.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, status, msg := "UNKNOWN", 500, "internal error; request ID "+httpx.RequestID(r)
	var e *errs.Error
	if errors.As(err, &e) {
		msg = e.Message
		if t, ok := errorTable[e.Code]; ok {
			code, status = t.code, t.status
		} else {
			switch e.Kind {
			case errs.Denied:
				code, status = "DENIED", 403
			case errs.Unauthenticated:
				code, status = "UNAUTHORIZED", 401
			case errs.NotFound:
				code, status = "NAME_UNKNOWN", 404
			case errs.Invalid:
				code, status = "UNSUPPORTED", 400
			case errs.Internal:
				code, status, msg = "UNKNOWN", 500, "internal error; request ID "+httpx.RequestID(r)
			case errs.Unavailable:
				code, status = "UNAVAILABLE", 503
			default:
				code, status = "DENIED", 400
			}
		}
	}
	if status == 500 {
		h.Log.Error("registry request failed", "request_id", httpx.RequestID(r), "err", err)
	}
	if status == 401 {
		h.challenge(w)
	}
	if status == 429 {
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string][]ociError{"errors": {{Code: code, Message: msg}}})
}

// authenticate reads the request's credentials: a bearer token, Basic
// AWS:<password>, or none (anonymous, nil subject).
func (h *Handler) authenticate(r *http.Request) (*authz.Subject, error) {
	a := r.Header.Get("Authorization")
	switch {
	case a == "":
		return nil, nil
	case strings.HasPrefix(a, "Bearer "):
		sub, err := h.Auth.FromBearer(r.Context(), strings.TrimPrefix(a, "Bearer "))
		if err != nil {
			return nil, errs.Coded(errs.Unauthenticated, "UNAUTHORIZED", "%s", errMessage(err))
		}
		return sub, nil
	case strings.HasPrefix(a, "Basic "):
		user, pass, ok := r.BasicAuth()
		if !ok || user != "AWS" {
			return nil, errs.Coded(errs.Unauthenticated, "UNAUTHORIZED", "use the user name AWS and a password from aws ecr-public get-login-password")
		}
		sub, err := h.Auth.FromPassword(r.Context(), pass)
		if err != nil {
			return nil, errs.Coded(errs.Unauthenticated, "UNAUTHORIZED", "%s", errMessage(err))
		}
		return sub, nil
	}
	return nil, errs.Coded(errs.Unauthenticated, "UNAUTHORIZED", "unsupported Authorization scheme")
}

func errMessage(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "invalid credentials"
}

func (h *Handler) call(r *http.Request, sub *authz.Subject) *authz.Call {
	return &authz.Call{Subject: sub, SourceIP: httpx.RemoteIP(r), SecureTransport: r.TLS != nil, Region: "us-east-1", UserAgent: r.UserAgent(), Now: h.Now()}
}

// Token serves Docker's token endpoint: anonymous tokens for pulls, and
// tokens bound to the caller for Basic AWS:<password>.
func (h *Handler) Token(w http.ResponseWriter, r *http.Request) {
	var sub *authz.Subject
	if r.Header.Get("Authorization") != "" {
		var err error
		if sub, err = h.authenticate(r); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	tok, exp, err := h.Auth.IssueBearer(sub)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	now := h.Now().UTC()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token": tok, "access_token": tok, "expires_in": int(exp.Sub(now).Seconds()), "issued_at": now.Format(time.RFC3339)})
}

// ServeHTTP serves /v2/….
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	sub, err := h.authenticate(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// Paths are split as sent: an encoded slash is not a separator, and dot
	// or empty segments are never cleaned into another repository's path.
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/v2/")
	if path == "" {
		if sub == nil {
			h.writeError(w, r, errs.Coded(errs.Unauthenticated, "UNAUTHORIZED", "authentication required"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
		return
	}
	if path == "_catalog" {
		h.catalog(w, r)
		return
	}
	name, kind, rawRest, ok := splitPath(path)
	if !ok {
		h.writeError(w, r, errs.Coded(errs.NotFound, registry.CodeRepositoryNotFound, "no such endpoint: %s", r.URL.Path))
		return
	}
	if strings.Contains(name, "%") || hasDotOrEmptySegment(name) {
		h.writeError(w, r, errs.Coded(errs.Invalid, registry.CodeNameInvalid, "invalid repository name %q: no escapes, dot segments or empty segments", name))
		return
	}
	rest, err := url.PathUnescape(rawRest)
	if err != nil || strings.Contains(rest, "/") || rest == "." || rest == ".." {
		if kind == "uploads" {
			h.writeError(w, r, errs.Coded(errs.NotFound, registry.CodeUploadUnknown, "upload %q is unknown", rawRest))
		} else {
			h.writeError(w, r, errs.Coded(errs.Invalid, registry.CodeNameInvalid, "invalid path %q", r.URL.EscapedPath()))
		}
		return
	}
	ref, err := registry.ParseImageName(name)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	c := h.call(r, sub)
	switch kind {
	case "blobs":
		h.blobs(w, r, c, name, ref, rest)
	case "uploads":
		h.uploads(w, r, c, name, ref, rest)
	case "manifests":
		h.manifests(w, r, c, name, ref, rest)
	case "tags":
		h.tags(w, r, name, ref)
	case "referrers":
		h.referrers(w, r, ref, rest)
	}
}

func hasDotOrEmptySegment(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// splitPath divides "<name>/<kind>/<rest>" where kind is blobs, blobs/uploads,
// manifests, tags/list or referrers; names may contain slashes.
func splitPath(p string) (name, kind, rest string, ok bool) {
	for _, m := range []struct{ marker, kind string }{
		{"/blobs/uploads/", "uploads"}, {"/blobs/", "blobs"}, {"/manifests/", "manifests"}, {"/referrers/", "referrers"},
	} {
		if i := strings.LastIndex(p, m.marker); i > 0 {
			return p[:i], m.kind, p[i+len(m.marker):], true
		}
	}
	if strings.HasSuffix(p, "/blobs/uploads") {
		return strings.TrimSuffix(p, "/blobs/uploads"), "uploads", "", true
	}
	if strings.HasSuffix(p, "/tags/list") {
		return strings.TrimSuffix(p, "/tags/list"), "tags", "", true
	}
	return "", "", "", false
}

func (h *Handler) blobs(w http.ResponseWriter, r *http.Request, c *authz.Call, name string, ref registry.Ref, rest string) {
	d, err := registry.ParseDigest(rest)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	switch r.Method {
	case http.MethodHead, http.MethodGet:
		if r.Method == http.MethodGet && r.Header.Get("Range") == "" {
			// With redirects on, the bytes come from the object store.
			if u, ok, err := h.Registry.BlobRedirect(r.Context(), ref, d); err != nil {
				h.writeError(w, r, err)
				return
			} else if ok {
				w.Header().Set("Docker-Content-Digest", d.String())
				http.Redirect(w, r, u, http.StatusTemporaryRedirect)
				return
			}
		}
		rd, err := h.Registry.OpenBlob(r.Context(), ref, d)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		defer rd.Close()
		w.Header().Set("Docker-Content-Digest", d.String())
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Accept-Ranges", "bytes")
		w.Header().Set("ETag", `"`+d.String()+`"`)
		http.ServeContent(w, r, "", time.Time{}, rd)
	case http.MethodDelete:
		if err := h.Registry.DeleteBlob(r.Context(), c, ref, d); err != nil {
			h.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		methodNotAllowed(w)
	}
}

func methodNotAllowed(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusMethodNotAllowed)
	_, _ = io.WriteString(w, `{"errors":[{"code":"UNSUPPORTED","message":"method not allowed"}]}`)
}

func uploadLocation(name, id string) string { return "/v2/" + name + "/blobs/uploads/" + id }

func setRange(w http.ResponseWriter, size int64) {
	end := size - 1
	if end < 0 {
		end = 0
	}
	w.Header().Set("Range", fmt.Sprintf("0-%d", end))
}

// contentRange parses "start-end" (also "bytes=start-end"); -1 when absent.
func contentRange(r *http.Request) (int64, error) {
	v := r.Header.Get("Content-Range")
	if v == "" {
		return -1, nil
	}
	v = strings.TrimPrefix(strings.TrimPrefix(v, "bytes="), "bytes ")
	start, end, ok := strings.Cut(v, "-")
	a, err1 := strconv.ParseInt(start, 10, 64)
	b, err2 := strconv.ParseInt(end, 10, 64)
	if !ok || err1 != nil || err2 != nil || a < 0 || b < a-1 {
		return 0, errs.Coded(errs.Invalid, registry.CodeUploadInvalid, "malformed Content-Range %q", r.Header.Get("Content-Range"))
	}
	if r.ContentLength >= 0 && r.ContentLength != b-a+1 {
		return 0, errs.Coded(errs.Invalid, registry.CodeUploadInvalid, "Content-Range %q does not match Content-Length %d", r.Header.Get("Content-Range"), r.ContentLength)
	}
	return a, nil
}

func (h *Handler) uploads(w http.ResponseWriter, r *http.Request, c *authz.Call, name string, ref registry.Ref, id string) {
	ctx := r.Context()
	if id == "" {
		if r.Method != http.MethodPost {
			methodNotAllowed(w)
			return
		}
		q := r.URL.Query()
		if m := q.Get("mount"); m != "" {
			d, err := registry.ParseDigest(m)
			if err != nil {
				h.writeError(w, r, err)
				return
			}
			if from, err := registry.ParseImageName(q.Get("from")); err == nil {
				ok, err := h.Registry.MountBlob(ctx, c, ref, from, d)
				if err != nil {
					h.writeError(w, r, err)
					return
				}
				if ok {
					w.Header().Set("Location", "/v2/"+name+"/blobs/"+d.String())
					w.Header().Set("Docker-Content-Digest", d.String())
					w.WriteHeader(http.StatusCreated)
					return
				}
			}
		}
		newID, err := h.Registry.StartUpload(ctx, c, ref)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if dg := q.Get("digest"); dg != "" {
			h.complete(w, r, c, name, ref, newID, dg, -1)
			return
		}
		w.Header().Set("Location", uploadLocation(name, newID))
		w.Header().Set("Docker-Upload-UUID", newID)
		w.Header().Set("Range", "0-0")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusAccepted)
		return
	}
	switch r.Method {
	case http.MethodGet:
		size, err := h.Registry.UploadStatus(ctx, c, ref, id)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		w.Header().Set("Location", uploadLocation(name, id))
		w.Header().Set("Docker-Upload-UUID", id)
		setRange(w, size)
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPatch:
		off, err := contentRange(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		size, err := h.Registry.AppendUpload(ctx, c, ref, id, off, r.Body)
		if err != nil {
			if errs.KindOf(err) == errs.Invalid {
				w.Header().Set("Location", uploadLocation(name, id))
				setRange(w, size)
			}
			h.writeError(w, r, err)
			return
		}
		w.Header().Set("Location", uploadLocation(name, id))
		w.Header().Set("Docker-Upload-UUID", id)
		setRange(w, size)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusAccepted)
	case http.MethodPut:
		off, err := contentRange(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		h.complete(w, r, c, name, ref, id, r.URL.Query().Get("digest"), off)
	case http.MethodDelete:
		if err := h.Registry.CancelUpload(ctx, c, ref, id); err != nil {
			h.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(w)
	}
}

func (h *Handler) complete(w http.ResponseWriter, r *http.Request, c *authz.Call, name string, ref registry.Ref, id, dg string, off int64) {
	d, err := registry.ParseDigest(dg)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var body io.Reader
	if r.ContentLength != 0 {
		body = r.Body
	}
	if _, err := h.Registry.CompleteUpload(r.Context(), c, ref, id, d, off, body); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v2/"+name+"/blobs/"+d.String())
	w.Header().Set("Docker-Content-Digest", d.String())
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

func (h *Handler) manifests(w http.ResponseWriter, r *http.Request, c *authz.Call, name string, ref registry.Ref, reference string) {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		m, err := h.Registry.GetManifest(ctx, ref, reference)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", m.MediaType)
		w.Header().Set("Docker-Content-Digest", m.Digest)
		w.Header().Set("ETag", `"`+m.Digest+`"`)
		w.Header().Set("Content-Length", strconv.Itoa(len(m.Content)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(m.Content)
		}
	case http.MethodPut:
		body, err := io.ReadAll(io.LimitReader(r.Body, registry.MaxManifestSize+1))
		if err != nil {
			h.writeError(w, r, errs.Coded(errs.Invalid, registry.CodeManifestInvalid, "the manifest did not arrive whole: %v", err))
			return
		}
		res, err := h.Registry.PutManifest(ctx, c, ref, reference, r.Header.Get("Content-Type"), body)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		w.Header().Set("Location", "/v2/"+name+"/manifests/"+res.Digest.String())
		w.Header().Set("Docker-Content-Digest", res.Digest.String())
		if res.Subject != "" {
			w.Header().Set("OCI-Subject", res.Subject)
		}
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusCreated)
	case http.MethodDelete:
		if err := h.Registry.DeleteManifest(ctx, c, ref, reference); err != nil {
			h.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		methodNotAllowed(w)
	}
}

// pageParams reads n and last; n < 0 or junk is an error.
func pageParams(r *http.Request) (int, string, error) {
	q := r.URL.Query()
	n := 0
	if v := q.Get("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 {
			return 0, "", errs.Coded(errs.Invalid, registry.CodeInvalidParameter, "n must be a non-negative integer")
		}
		if n == 0 {
			n = -1 // n=0: an empty page
		}
	}
	return n, q.Get("last"), nil
}

func (h *Handler) tags(w http.ResponseWriter, r *http.Request, name string, ref registry.Ref) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w)
		return
	}
	n, last, err := pageParams(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	tags := []string{}
	more := false
	if n >= 0 {
		if tags, more, err = h.Registry.ListTags(r.Context(), ref, last, n); err != nil {
			h.writeError(w, r, err)
			return
		}
	} else if _, _, err := h.Registry.ListTags(r.Context(), ref, "", 1); err != nil {
		h.writeError(w, r, err)
		return
	}
	if tags == nil {
		tags = []string{}
	}
	if more && len(tags) > 0 {
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?n=%d&last=%s>; rel="next"`, name, n, url.QueryEscape(tags[len(tags)-1])))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"name": name, "tags": tags})
}

func (h *Handler) catalog(w http.ResponseWriter, r *http.Request) {
	n, last, err := pageParams(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	repos := []string{}
	more := false
	if n >= 0 {
		if repos, more, err = h.Registry.Catalog(r.Context(), last, n); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	if repos == nil {
		repos = []string{}
	}
	if more && len(repos) > 0 {
		w.Header().Set("Link", fmt.Sprintf(`</v2/_catalog?n=%d&last=%s>; rel="next"`, n, url.QueryEscape(repos[len(repos)-1])))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"repositories": repos})
}

func (h *Handler) referrers(w http.ResponseWriter, r *http.Request, ref registry.Ref, rest string) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w)
		return
	}
	d, err := registry.ParseDigest(rest)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	at := r.URL.Query().Get("artifactType")
	descs, err := h.Registry.Referrers(r.Context(), ref, d, at)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if descs == nil {
		descs = []registry.Descriptor{}
	}
	if at != "" {
		w.Header().Set("OCI-Filters-Applied", "artifactType")
	}
	w.Header().Set("Content-Type", registry.MediaTypeOCIIndex)
	_ = json.NewEncoder(w).Encode(map[string]any{"schemaVersion": 2, "mediaType": registry.MediaTypeOCIIndex, "manifests": descs})
}
