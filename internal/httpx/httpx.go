// Package httpx is the HTTP plumbing every route shares and no business rule
// lives in: request IDs (x-amzn-RequestId on every response and log line),
// panic recovery, access logs, body limits and Prometheus metrics.
package httpx

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wharf-project/wharf/internal/secrets"
)

type requestIDKey struct{}

// RequestID returns the request's ID.
func RequestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// NewRequestID returns a random ID in UUID form, as AWS's request IDs are.
func NewRequestID() string { return secrets.NewUUID() }

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// WriteHeader records the status. A 503 (the database or the blob store is
// unreachable) gets a Retry-After hint unless the handler set one: the AWS
// SDKs and docker retry on their own, and every protocol answers the same.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	if code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Wrap adds request IDs, recovery, access logging and metrics to h. route
// names the request for metrics (a small fixed set: "iam", "sts", "health"…).
func Wrap(h http.Handler, log *slog.Logger, m *Metrics, route func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := NewRequestID()
		w.Header().Set("x-amzn-RequestId", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic", "request_id", id, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					http.Error(sw, "internal error; request ID "+id, http.StatusInternalServerError)
				}
			}
			rt := route(r)
			d := time.Since(start)
			m.observe(rt, sw.status, d)
			log.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path, "route", rt,
				"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
		}()
		h.ServeHTTP(sw, r)
	})
}

// Metrics counts requests by route and status and times them.
type Metrics struct {
	mu      sync.Mutex
	counts  map[[2]string]uint64 // route, status → count
	buckets map[string][]uint64  // route → cumulative histogram counts
	sums    map[string]float64
	totals  map[string]uint64
}

var bounds = [...]float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{counts: map[[2]string]uint64{}, buckets: map[string][]uint64{}, sums: map[string]float64{}, totals: map[string]uint64{}}
}

func (m *Metrics) observe(route string, status int, d time.Duration) {
	if status == 0 {
		status = 200
	}
	s := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[[2]string{route, fmt.Sprint(status)}]++
	b := m.buckets[route]
	if b == nil {
		b = make([]uint64, len(bounds))
		m.buckets[route] = b
	}
	for i, le := range bounds {
		if s <= le {
			b[i]++
		}
	}
	m.sums[route] += s
	m.totals[route]++
}

// ServeHTTP writes the Prometheus text exposition format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var b strings.Builder
	b.WriteString("# HELP wharf_http_requests_total HTTP requests by route and status.\n# TYPE wharf_http_requests_total counter\n")
	keys := make([][2]string, 0, len(m.counts))
	for k := range m.counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "wharf_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.counts[k])
	}
	b.WriteString("# HELP wharf_http_request_duration_seconds HTTP request latency by route.\n# TYPE wharf_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.totals))
	for r := range m.totals {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		for i, le := range bounds {
			fmt.Fprintf(&b, "wharf_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", r, le, m.buckets[r][i])
		}
		fmt.Fprintf(&b, "wharf_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, m.totals[r])
		fmt.Fprintf(&b, "wharf_http_request_duration_seconds_sum{route=%q} %g\n", r, m.sums[r])
		fmt.Fprintf(&b, "wharf_http_request_duration_seconds_count{route=%q} %d\n", r, m.totals[r])
	}
	_, _ = w.Write([]byte(b.String()))
}

// RemoteIP is the client's address without its port.
func RemoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
