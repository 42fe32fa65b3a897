package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/blob"
	"github.com/wharf-project/wharf/internal/blob/blobtest"
	blobfs "github.com/wharf-project/wharf/internal/blob/fs"
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

// TestAdminGCScanStore: --scan-store adopts content the blob store holds
// without a record (a dry run only counts it); a later sweep deletes it.
func TestAdminGCScanStore(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "wharf.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("stored before blob records existed")
	blobtest.Put(t, ctx, blobs, "orphan", content)
	code, out, errOut := wharf(t, "", "admin", "gc", "--data-dir", dir, "--scan-store", "--dry-run", "--output", "json")
	var rep map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep["adopted"] != float64(1) {
		t.Errorf("dry run: exit %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = wharf(t, "", "admin", "gc", "--data-dir", dir, "--scan-store", "--grace", "0s")
	if code != 0 || !strings.Contains(out, "removed 0 untagged manifests, 0 blob links and 0 blobs") || !strings.Contains(out, "adopted 1 blobs") {
		t.Errorf("sweep with --scan-store: exit %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = wharf(t, "", "admin", "gc", "--data-dir", dir, "--grace", "0s")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("removed 0 untagged manifests, 0 blob links and 1 blobs (%d bytes)", len(content))) {
		t.Errorf("the sweep after: exit %d, %q, %q", code, out, errOut)
	}
	if _, err := blobs.Stat(ctx, digest.FromBytes(content)); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("the adopted content after the sweep after: %v", err)
	}
}
