// Package server is Wharf's one listening port: it routes each request to its
// protocol's adapter (the table in ARCHITECTURE.md), authenticates it, and
// wraps everything in httpx's request IDs, logs and metrics.
//
//	POST form Action=…&Version=2010-05-08   IAM (AWS Query)      api/iamquery
//	POST form Action=…&Version=2011-06-15   STS (AWS Query)      api/stsquery
//	/healthz, /readyz, /metrics             operations
package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/api/awsquery"
	"github.com/wharf-project/wharf/internal/api/iamquery"
	"github.com/wharf-project/wharf/internal/api/stsquery"
	"github.com/wharf-project/wharf/internal/authn"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/httpx"
)

// maxQueryBody bounds a Query-protocol request body. IAM's largest input is
// a policy document of 131,072 characters, URL-encoded at most three times as long.
const maxQueryBody = 1 << 20

// Server routes requests.
type Server struct {
	Auth    *authn.Authenticator
	IAM     *iamquery.Handler
	STS     *stsquery.Handler
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
	mux.HandleFunc("/", s.root)
	return httpx.Wrap(mux, s.Log, s.Metrics, route)
}

// route names a request for metrics.
func route(r *http.Request) string {
	switch r.URL.Path {
	case "/healthz", "/readyz", "/metrics":
		return strings.TrimPrefix(r.URL.Path, "/")
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
	var body []byte
	if r.Method == http.MethodPost {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct != "application/x-www-form-urlencoded" {
			writeQueryError(w, iamquery.Namespace, "InvalidAction", "Wharf answers AWS Query requests (Content-Type application/x-www-form-urlencoded) here; ECR Public and the registry API come later.", id, 400)
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
	call := &authz.Call{Subject: res.Subject, SourceIP: remoteIP(r), SecureTransport: r.TLS != nil, Region: res.Region, UserAgent: r.UserAgent(), Now: s.Now()}
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

func writeQueryError(w http.ResponseWriter, ns, code, msg, id string, status int) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(awsquery.ErrorXML(ns, code, msg, id, status))
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
