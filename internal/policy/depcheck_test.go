package policy_test

import (
	"go/build"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/wharf-project/wharf/"

// TestDependencies fences the policy engine: policy, condition, pattern,
// catalog and arn import only the standard library and each other, so the
// engine stays pure (no I/O libraries, no storage, no HTTP) and easy to audit.
func TestDependencies(t *testing.T) {
	allowed := map[string]bool{
		"internal/policy":           true,
		"internal/policy/condition": true,
		"internal/policy/pattern":   true,
		"internal/policy/catalog":   true,
		"internal/arn":              true,
	}
	forbiddenStd := []string{"os", "net", "net/http", "os/exec", "database/sql", "unsafe", "time/tzdata"}
	root := filepath.Join("..", "..")
	seen := map[string]bool{}
	var visit func(rel string)
	visit = func(rel string) {
		if seen[rel] {
			return
		}
		seen[rel] = true
		pkg, err := build.ImportDir(filepath.Join(root, filepath.FromSlash(rel)), 0)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		for _, imp := range pkg.Imports {
			switch {
			case strings.HasPrefix(imp, module):
				dep := strings.TrimPrefix(imp, module)
				if !allowed[dep] {
					t.Errorf("%s imports %s, which is outside the policy engine", rel, dep)
					continue
				}
				visit(dep)
			case strings.Contains(strings.SplitN(imp, "/", 2)[0], "."):
				t.Errorf("%s imports %s: the policy engine takes no third-party dependency", rel, imp)
			default:
				for _, f := range forbiddenStd {
					if imp == f {
						t.Errorf("%s imports %s: the policy engine does no I/O", rel, imp)
					}
				}
			}
		}
	}
	for rel := range allowed {
		visit(rel)
	}
	if len(seen) != len(allowed) {
		t.Errorf("visited %d packages, want %d", len(seen), len(allowed))
	}
}
