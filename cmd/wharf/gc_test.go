package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/store/sqlite"
)

// TestAdminGC: wharf admin gc's usage, its refusal of a data directory
// without a database, and a sweep of an empty one, as text and as JSON.
func TestAdminGC(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := wharf(t, "", "admin", "gc", "--output", "xml", "--data-dir", dir); code != 2 || !strings.Contains(errOut, "wharf admin gc [--dry-run]") {
		t.Errorf("--output xml: exit %d, %q", code, errOut)
	}
	if code, _, errOut := wharf(t, "", "admin", "gc", "--grace", "-1s", "--data-dir", dir); code != 2 {
		t.Errorf("--grace -1s: exit %d, %q", code, errOut)
	}
	if code, _, errOut := wharf(t, "", "admin", "gc", "--data-dir", dir); code != 1 || !strings.Contains(errOut, "no Wharf database") {
		t.Errorf("no database: exit %d, %q", code, errOut)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "wharf.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errOut := wharf(t, "", "admin", "gc", "--data-dir", dir, "--dry-run")
	if code != 0 || !strings.HasPrefix(out, "garbage collection: would remove 0 untagged manifests, 0 blob links and 0 blobs (0 bytes)") {
		t.Errorf("dry run: exit %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = wharf(t, "", "admin", "gc", "--data-dir", dir, "--grace", "0s", "--delete-untagged", "--output", "json")
	var rep map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep["dryRun"] != false || rep["bytesFreed"] != float64(0) {
		t.Errorf("sweep: exit %d, %q, %q", code, out, errOut)
	}
	if code, _, errOut := wharf(t, "", "admin", "gc", "--data-dir", dir, "--blob-store", "ftp://x"); code != 1 || !strings.Contains(errOut, "blob-store") {
		t.Errorf("bad --blob-store: exit %d, %q", code, errOut)
	}
}
