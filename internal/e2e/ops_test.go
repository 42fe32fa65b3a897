package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOperations checks the operational endpoints, request IDs, the files a
// first start leaves behind, and a clean stop.
func TestOperations(t *testing.T) {
	srv := Start(t)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
		if resp.Header.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s: no x-amzn-RequestId", path)
		}
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `wharf_http_requests_total{route="healthz",status="200"} 1`) || !strings.Contains(string(body), "wharf_http_request_duration_seconds_bucket") {
		t.Errorf("/metrics:\n%s", body)
	}

	// First start: the credentials file in the console's format, mode 0600;
	// the secret key file; the secret is never logged.
	for _, f := range []string{"root-credentials.csv", "secret.key", "wharf.db"} {
		st, err := os.Stat(filepath.Join(srv.DataDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	if strings.Contains(srv.Logs(), srv.RootKey) {
		t.Error("the root secret access key appears in the log")
	}
	if !strings.Contains(srv.Logs(), srv.RootKeyID) || !strings.Contains(srv.Logs(), "root-credentials.csv") {
		t.Error("the log does not say where the root credentials are")
	}
	// The database alone holds no usable secret.
	db, err := os.ReadFile(filepath.Join(srv.DataDir, "wharf.db"))
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(filepath.Join(srv.DataDir, "wharf.db-wal"))
	if strings.Contains(string(db)+string(wal), srv.RootKey) {
		t.Error("the root secret is stored in clear text in the database")
	}

	srv.Stop(t)
	if srv.cmd.ProcessState.ExitCode() != 0 {
		t.Errorf("wharf serve exited with %d after SIGINT", srv.cmd.ProcessState.ExitCode())
	}
	if !strings.Contains(srv.Logs(), "shutting down") {
		t.Errorf("no shutdown log line:\n%s", srv.Logs())
	}
}

// TestPresetRootKey: WHARF_ROOT_ACCESS_KEY_ID / WHARF_ROOT_SECRET_ACCESS_KEY
// preset the first account's root key, and a restart keeps the data.
func TestPresetRootKey(t *testing.T) {
	srv := startWithEnv(t, []string{"WHARF_ROOT_ACCESS_KEY_ID=AKIAPRESETKEY0000001", "WHARF_ROOT_SECRET_ACCESS_KEY=presetsecretpresetsecretpresetsecret1234"}, "--account-id", "210987654321")
	if srv.RootKeyID != "AKIAPRESETKEY0000001" || srv.RootKey != "presetsecretpresetsecretpresetsecret1234" {
		t.Fatalf("root key %s/%s", srv.RootKeyID, srv.RootKey)
	}
}
