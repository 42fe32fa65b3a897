package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wharf-project/wharf/internal/testenv"
)

// TestMain stops the PostgreSQL and S3 servers the scale-out tests started
// (testenv starts them on first use only) and removes the conformance
// suite's build.
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.Shutdown()
	if conformanceBin != "" {
		_ = os.RemoveAll(filepath.Dir(conformanceBin))
	}
	os.Exit(code)
}
