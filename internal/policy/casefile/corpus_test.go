package casefile_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/policy/casefile"
)

// TestCorpus runs every case of testdata/iam-cases, whose answers were checked
// against an independent IAM simulator, and requires agreement on each, from
// both the explaining and the hot-path evaluation.
func TestCorpus(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "..", "testdata", "iam-cases", "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := casefile.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 62 {
		t.Fatalf("corpus has %d cases, want at least 62", len(cases))
	}
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			o := casefile.Run(c, now)
			if !o.Agrees() {
				t.Error(o.Line())
			}
			if o.Result != nil && o.Result.Explanation() == "" {
				t.Error("empty explanation")
			}
		})
	}
}
