package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
)

var countLine = regexp.MustCompile(`^(OCI Conformance Result:.*|\s+[A-Za-z ]+\.{2,}:\s+\d+)$`)

// TestOCIConformance runs the OCI distribution-spec conformance suite (a Go
// tool dependency of this module) against a fresh wharf serve, logged in
// with a password from GetAuthorizationToken, and requires every check to pass.
func TestOCIConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole conformance suite")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	bin := filepath.Join(t.TempDir(), "conformance")
	build := exec.Command("go", "build", "-o", bin, "github.com/opencontainers/distribution-spec/conformance")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the conformance suite: %v\n%s", err, out)
	}

	srv := Start(t)
	ctx := context.Background()
	admin := ecrClient(srv, srv.RootKeyID, srv.RootKey, "")
	var alias string
	for _, name := range []string{"conformance/repo1", "conformance/repo2"} {
		out, err := admin.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String(name)})
		if err != nil {
			t.Fatalf("CreateRepository %s: %v", name, err)
		}
		uri := aws.ToString(out.Repository.RepositoryUri) // host/alias/name
		parts := strings.SplitN(uri, "/", 3)
		alias = parts[1]
	}
	password := loginPassword(t, admin)

	results := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Dir = results
	cmd.Env = append(os.Environ(),
		"OCI_REGISTRY="+strings.TrimPrefix(srv.URL, "http://"),
		"OCI_TLS=disabled",
		"OCI_REPO1="+alias+"/conformance/repo1",
		"OCI_REPO2="+alias+"/conformance/repo2",
		"OCI_USERNAME=AWS",
		"OCI_PASSWORD="+password,
		"OCI_RESULTS_DIR="+results,
		"OCI_VERSION=1.1",
		"OCI_API_BLOBS_UPLOAD_CANCEL=true",
	)
	out, err := cmd.CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var counts []string
	for _, l := range lines {
		if countLine.MatchString(l) {
			counts = append(counts, l)
		}
	}
	t.Logf("conformance suite: %s", strings.Join(counts, "; "))
	for _, l := range lines {
		if strings.Contains(l, ": Fail") || strings.Contains(l, ": Error") {
			t.Log(l)
		}
	}
	if err != nil {
		yaml, _ := os.ReadFile(filepath.Join(results, "results.yaml"))
		t.Fatalf("the conformance suite failed: %v\n%s\n--- results.yaml (head) ---\n%.6000s", err, out, yaml)
	}
}
