// Package server is Wharf's one listening port: it routes each request to its
// protocol's adapter (the table in ARCHITECTURE.md), authenticates it, and
// wraps everything in httpx's request IDs, logs and metrics.
//
//	/v2/…, /token                           OCI Distribution + Docker token auth   api/oci
//	POST X-Amz-Target: SpencerFrontendService.*   ECR Public (AWS JSON 1.1)   api/ecrpublic
//	POST form Action=…&Version=2010-05-08   IAM (AWS Query)      api/iamquery
//	POST form Action=…&Version=2011-06-15   STS (AWS Query)      api/stsquery
//	/console/…, /gallery/…                  web console and public gallery   api/console
//	/healthz, /readyz, /metrics             operations
package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/api/awsquery"
	"github.com/wharf-project/wharf/internal/api/iamquery"
	"github.com/wharf-project/wharf/internal/api/oci"
	"github.com/wharf-project/wharf/internal/api/stsquery"
	"github.com/wharf-project/wharf/internal/authn"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/httpx"
)

// maxQueryBody bounds a Query-protocol request body. IAM's largest input is
// a policy document of 131,072 characters, URL-encoded at most three times as long.
const maxQueryBody = 1 << 20

// ECRHandler serves one authenticated ECR Public JSON request.
type ECRHandler interface {
	Serve(ctx context.Context, call *authz.Call, target string, body []byte, requestID string) (int, []byte)
}

// Server routes requests.
type Server struct {
	Auth *authn.Authenticator
	IAM  *iamquery.Handler
	STS  *stsquery.Handler
	OCI  *oci.Handler
	ECR  ECRHandler
	// Console serves the web console (/console/…) and the public gallery
	// (/gallery/…); nil serves neither.
	Console http.Handler
	Log     *slog.Logger
	Metrics *httpx.Metrics
	Ready   func() error
	Now     func() time.Time
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := s.Ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", s.Metrics)
	if s.OCI != nil {
		mux.HandleFunc("GET /token", s.OCI.Token)
		mux.HandleFunc("GET /token/", s.OCI.Token)
	}
	if s.Console != nil {
		mux.Handle("/console/", s.Console)
		mux.Handle("/console", s.Console)
		mux.Handle("/gallery/", s.Console)
		mux.HandleFunc("GET /gallery", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/gallery/", http.StatusFound) })
	}
	mux.HandleFunc("/", s.root)
	// /v2/ paths bypass ServeMux, which would clean "..", "." and "//" and
	// redirect a write to another repository's path; the OCI adapter checks
	// names itself.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.OCI != nil && strings.HasPrefix(r.URL.Path, "/v2/") {
			s.OCI.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
	return httpx.Wrap(h, s.Log, s.Metrics, route)
}

// route names a request for metrics.
func route(r *http.Request) string {
	switch r.URL.Path {
	case "/healthz", "/readyz", "/metrics":
		return strings.TrimPrefix(r.URL.Path, "/")
	case "/token", "/token/":
		return "token"
	}
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		return "oci"
	}
	if strings.HasPrefix(r.URL.Path, "/console") {
		return "console"
	}
	if strings.HasPrefix(r.URL.Path, "/gallery") {
		return "gallery"
	}
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "SpencerFrontendService.") {
		return "ecr-public"
	}
	switch v := r.URL.Query().Get("Version"); v {
	case iamquery.Version:
		return "iam"
	case stsquery.Version:
		return "sts"
	}
	if r.Method == http.MethodPost {
		return "query"
	}
	return "other"
}

// root serves AWS Query requests (POST form bodies, or GET with the
// parameters in the query string, as AWS accepts both).
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	id := httpx.RequestID(r)
	if target := r.Header.Get("X-Amz-Target"); r.Method == http.MethodPost && strings.HasPrefix(target, "SpencerFrontendService.") && s.ECR != nil {
		s.ecrPublic(w, r, target)
		return
	}
	var body []byte
	if r.Method == http.MethodPost {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "application/x-www-form-urlencoded" {
			writeQueryError(w, iamquery.Namespace, "InvalidAction", "POST / takes AWS Query requests (IAM, STS: Content-Type application/x-www-form-urlencoded) and ECR Public requests (X-Amz-Target: SpencerFrontendService.*); the registry API is under /v2/.", id, 400)
			return
		}
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxQueryBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeQueryError(w, iamquery.Namespace, "ValidationError", "The request body is larger than 1 MiB.", id, http.StatusRequestEntityTooLarge)
				return
			}
			writeQueryError(w, iamquery.Namespace, "IncompleteBody", "The request body ended before Content-Length bytes: "+err.Error(), id, 400)
			return
		}
	} else if r.Method == http.MethodGet && r.URL.Path == "/" && r.URL.RawQuery == "" && s.Console != nil {
		// A browser at the root: the public gallery, as public.ecr.aws sends
		// visitors to gallery.ecr.aws.
		http.Redirect(w, r, "/gallery/", http.StatusFound)
		return
	} else if r.Method != http.MethodGet || r.URL.RawQuery == "" {
		http.NotFound(w, r)
		return
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeQueryError(w, iamquery.Namespace, "MalformedQueryString", "The query string is malformed: "+err.Error(), id, 400)
		return
	}
	if len(body) > 0 {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			writeQueryError(w, iamquery.Namespace, "MalformedQueryString", "The form body is malformed: "+err.Error(), id, 400)
			return
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	f := awsquery.Form{Values: params}
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])
	var service, ns string
	switch f.Get("Version") {
	case iamquery.Version:
		service, ns = "iam", iamquery.Namespace
	case stsquery.Version:
		service, ns = "sts", stsquery.Namespace
	case "":
		writeQueryError(w, iamquery.Namespace, "MissingParameter", "The request must contain the parameter Version.", id, 400)
		return
	default:
		writeQueryError(w, iamquery.Namespace, "InvalidParameterValue", "Version "+f.Get("Version")+" is not an API version Wharf serves (IAM 2010-05-08, STS 2011-06-15).", id, 400)
		return
	}
	res, err := s.Auth.Authenticate(r.Context(), r, bodyHash, service)
	if err != nil {
		code, status, msg := awsquery.CodeOf(err)
		if errs.KindOf(err) == errs.Internal {
			s.Log.Error("authentication failed", "request_id", id, "err", err)
		}
		writeQueryError(w, ns, code, msg, id, status)
		return
	}
	call := &authz.Call{Subject: res.Subject, SourceIP: httpx.RemoteIP(r), SecureTransport: r.TLS != nil, Region: res.Region, UserAgent: r.UserAgent(), Now: s.Now()}
	var status int
	var out []byte
	if service == "iam" {
		status, out = s.IAM.Serve(r.Context(), call, f, id)
	} else {
		status, out = s.STS.Serve(r.Context(), call, f, id)
	}
	if status >= 500 {
		s.Log.Error("request failed", "request_id", id, "action", f.Get("Action"), "status", status)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// maxECRBody bounds an ECR Public request: UploadLayerPart carries up to
// 20 MiB of layer, base64-encoded.
const maxECRBody = 30 << 20

// jsonAuthErrors are the AWS JSON protocol's names for authentication errors.
var jsonAuthErrors = map[string]struct {
	code   string
	status int
}{
	"InvalidClientTokenId":       {"UnrecognizedClientException", 400},
	"SignatureDoesNotMatch":      {"InvalidSignatureException", 400},
	"IncompleteSignature":        {"IncompleteSignatureException", 400},
	"MissingAuthenticationToken": {"MissingAuthenticationTokenException", 403},
	"RequestExpired":             {"InvalidSignatureException", 400},
	"ExpiredToken":               {"ExpiredTokenException", 400},
}

// ecrPublic serves an AWS JSON 1.1 request of the ECR Public API.
func (s *Server) ecrPublic(w http.ResponseWriter, r *http.Request, target string) {
	id := httpx.RequestID(r)
	jsonErr := func(status int, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		b, _ := json.Marshal(map[string]string{"__type": typ, "message": msg})
		_, _ = w.Write(b)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxECRBody))
	if err != nil {
		jsonErr(400, "InvalidParameterException", "The request body could not be read whole (at most 30 MiB): "+err.Error())
		return
	}
	sum := sha256.Sum256(body)
	res, err := s.Auth.Authenticate(r.Context(), r, hex.EncodeToString(sum[:]), "ecr-public")
	if err != nil {
		code, status, msg := awsquery.CodeOf(err)
		if errs.KindOf(err) == errs.Internal {
			s.Log.Error("authentication failed", "request_id", id, "err", err)
		}
		// AWS JSON services name authentication failures differently from
		// the Query ones.
		if j, ok := jsonAuthErrors[code]; ok {
			code, status = j.code, j.status
		}
		jsonErr(status, code, msg)
		return
	}
	call := &authz.Call{Subject: res.Subject, SourceIP: httpx.RemoteIP(r), SecureTransport: r.TLS != nil, Region: res.Region, UserAgent: r.UserAgent(), Now: s.Now()}
	status, out := s.ECR.Serve(r.Context(), call, strings.TrimPrefix(target, "SpencerFrontendService."), body, id)
	if status >= 500 {
		s.Log.Error("request failed", "request_id", id, "target", target, "status", status)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

func writeQueryError(w http.ResponseWriter, ns, code, msg, id string, status int) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(awsquery.ErrorXML(ns, code, msg, id, status))
}
