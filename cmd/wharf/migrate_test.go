package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrateUsage: wharf admin migrate refuses bad or missing targets
// before touching anything, and never echoes a database URL's password.
// (The migration itself runs against real servers in internal/e2e and
// internal/migrate.)
func TestMigrateUsage(t *testing.T) {
	for _, v := range []string{"WHARF_DATABASE_URL", "WHARF_BLOB_STORE", "WHARF_S3_ACCESS_KEY_ID", "WHARF_S3_SECRET_ACCESS_KEY", "WHARF_SECRET_KEY_FILE"} {
		t.Setenv(v, "")
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"help", []string{"-h"}, 0, []string{"wharf admin migrate --data-dir DIR"}},
		{"no target", []string{"--data-dir", dir}, 2, []string{"--to-database-url", "--to-blob-store s3://"}},
		{"not postgres", []string{"--data-dir", dir, "--to-database-url", "mysql://u:hunter2@h/db", "--to-blob-store", "s3://b"}, 2, []string{"database-url must be a postgres:// URL"}},
		{"not s3", []string{"--data-dir", dir, "--to-database-url", "postgres://u:hunter2@h/db", "--to-blob-store", "file:///x"}, 2, []string{"--to-blob-store s3://"}},
		{"bad s3 parameter", []string{"--data-dir", dir, "--to-database-url", "postgres://u:hunter2@h/db", "--to-blob-store", "s3://b?colour=red"}, 2, []string{`unknown parameter "colour"`}},
		{"extra argument", []string{"--data-dir", dir, "now"}, 2, []string{`unexpected argument "now"`}},
		{"bad jobs", []string{"--data-dir", dir, "--to-database-url", "postgres://u:hunter2@h/db", "--to-blob-store", "s3://b", "--jobs", "0"}, 2, []string{"--jobs must be at least 1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := wharf(t, "", append([]string{"admin", "migrate"}, c.args...)...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q:\n%s%s", w, out, errOut)
				}
			}
			if strings.Contains(out+errOut, "hunter2") {
				t.Error("the output shows the database password")
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the data directory was written to: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); err == nil {
		t.Error("a key file was made")
	}
}
