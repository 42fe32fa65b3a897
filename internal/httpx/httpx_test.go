package httpx

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Every 503 carries a retry hint, whichever adapter wrote it; a handler's
// own hint is kept; other statuses get none.
func TestRetryAfterOn503(t *testing.T) {
	for _, tc := range []struct {
		status int
		own    string
		want   string
	}{
		{http.StatusServiceUnavailable, "", "1"},
		{http.StatusServiceUnavailable, "30", "30"},
		{http.StatusOK, "", ""},
		{http.StatusInternalServerError, "", ""},
	} {
		h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.own != "" {
				w.Header().Set("Retry-After", tc.own)
			}
			w.WriteHeader(tc.status)
		}), slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics(), func(*http.Request) string { return "test" })
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if got := rec.Header().Get("Retry-After"); got != tc.want {
			t.Errorf("status %d, handler's hint %q: Retry-After %q, want %q", tc.status, tc.own, got, tc.want)
		}
	}
}
