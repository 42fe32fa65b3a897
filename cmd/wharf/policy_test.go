package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// wharf runs the CLI in-process and returns its exit code, stdout and stderr.
func wharf(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, env{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		now:    func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) },
	})
	return code, out.String(), errOut.String()
}

const seed = "../../testdata/seed-policy.json"

func TestValidateSeed(t *testing.T) {
	code, out, _ := wharf(t, "", "policy", "validate", seed)
	if code != 1 {
		t.Errorf("exit code %d, want 1 (the seed policy has ERROR findings)\n%s", code, out)
	}
	for _, want := range []string{
		"INVALID_ACTION at Statement[0].Action[0]",
		"The action ecr-public:ListImages does not exist",
		"The action ecr-public:GetDownloadUrlForLayer does not exist",
		"The action ecr-public:BatchGetImage does not exist",
		"RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE at Statement[2].Resource",
		`service "ecr" can never be "ecr-public"`,
		`region "us-east-1"`,
		"MISSING_REQUIRED_ACTION",
		"sts:GetServiceBearerToken",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestValidateJSON(t *testing.T) {
	code, out, _ := wharf(t, "", "policy", "validate", "--output", "json", seed)
	if code != 1 {
		t.Fatalf("exit code %d", code)
	}
	var got struct {
		File     string `json:"file"`
		Findings []struct {
			FindingType, IssueCode, FindingDetails string
			Locations                              []struct {
				Path []map[string]any
				Span struct {
					Start, End struct{ Line, Column, Offset int }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	codes := map[string]int{}
	for _, f := range got.Findings {
		codes[f.IssueCode]++
		if len(f.Locations) != 1 || len(f.Locations[0].Path) == 0 || f.Locations[0].Span.Start.Line == 0 {
			t.Errorf("finding %s has no location: %+v", f.IssueCode, f.Locations)
		}
	}
	if codes["INVALID_ACTION"] != 4 || codes["RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE"] != 1 || codes["MISSING_REQUIRED_ACTION"] != 1 {
		t.Errorf("issue codes = %v", codes)
	}
}

func TestValidateClean(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"Login","Effect":"Allow","Action":["ecr-public:GetAuthorizationToken","sts:GetServiceBearerToken"],"Resource":"*"},
	  {"Sid":"Push","Effect":"Allow","Action":["ecr-public:BatchCheckLayerAvailability","ecr-public:InitiateLayerUpload","ecr-public:UploadLayerPart","ecr-public:CompleteLayerUpload","ecr-public:PutImage"],
	   "Resource":"arn:aws:ecr-public::123456789012:repository/my-public-repo"}]}`
	code, out, errOut := wharf(t, doc, "policy", "validate", "-")
	if code != 0 || !strings.Contains(out, "no findings") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}

func TestSimulateSeed(t *testing.T) {
	code, out, errOut := wharf(t, "", "policy", "simulate", "--policy", seed,
		"--action", "ecr-public:PutImage", "--resource", "arn:aws:ecr-public::123456789012:repository/my-public-repo",
		"--caller", "arn:aws:iam::123456789012:user/github-actions")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"implicitDeny", "ManageRepositoryContents", `service "ecr" is not "ecr-public"`, `region "us-east-1" is given, but ecr-public ARNs have no region`,
		"User: arn:aws:iam::123456789012:user/github-actions is not authorized to perform: ecr-public:PutImage"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSimulateJSON(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.json")
	os.WriteFile(p, []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"FromOffice","Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`), 0o600)
	code, out, errOut := wharf(t, "", "policy", "simulate", "--output", "json", "--policy", p,
		"--action", "ecr-public:PutImage ecr-public:DescribeImages", "--resource", "arn:aws:ecr-public::123456789012:repository/r",
		"--context", "ContextKeyName=aws:SourceIp,ContextKeyValues=10.1.2.3,ContextKeyType=ip")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		EvaluationResults []struct {
			EvalActionName, EvalResourceName, EvalDecision string
			MatchedStatements                              []struct {
				SourcePolicyId, SourcePolicyType string
				StartPosition                    struct{ Line, Column int }
			}
			MissingContextValues []string
			Explanation          string
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.EvaluationResults) != 2 {
		t.Fatalf("%d results, want 2", len(got.EvaluationResults))
	}
	for _, r := range got.EvaluationResults {
		if r.EvalDecision != "allowed" || len(r.MatchedStatements) != 1 || r.MatchedStatements[0].SourcePolicyId != p || r.MatchedStatements[0].StartPosition.Line != 1 || r.Explanation == "" {
			t.Errorf("result %+v", r)
		}
	}

	code, out, _ = wharf(t, "", "policy", "simulate", "--output", "json", "--policy", p, "--action", "ecr-public:PutImage",
		"--context", "key=aws:SourceIp,values=192.0.2.1,type=ip")
	if code != 0 || !strings.Contains(out, `"EvalDecision": "implicitDeny"`) || !strings.Contains(out, `IpAddress failed: aws:SourceIp is \"192.0.2.1\"`) {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestSimulateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"policy", "simulate"},
		{"policy", "simulate", "--policy", seed},
		{"policy", "simulate", "--policy", seed, "--action", "a:b", "--context", "nonsense"},
		{"policy", "simulate", "--policy", seed, "--action", "a:b", "--context", "ContextKeyName=k,ContextKeyValues=1,2,ContextKeyType=numeric"},
		{"policy", "simulate", "--policy", "no-such-file.json", "--action", "a:b"},
		{"policy", "simulate", "--policy", seed, "--action", "a:b", "--caller", "bob"},
		{"policy", "validate"},
		{"policy", "validate", "--output", "yaml", seed},
		{"policy", "nope"},
		{"nope"},
		{},
	} {
		if code, _, errOut := wharf(t, "", args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

func TestPolicyTestCommand(t *testing.T) {
	code, out, errOut := wharf(t, "", "policy", "test", "../../testdata/iam-cases/cases.jsonl")
	if code != 0 || !strings.Contains(out, "62 passed, 0 failed") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	failing := `{"id":"wrong","identityPolicies":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr-public:*","Resource":"*"}}],"action":"ecr-public:PutImage","resource":"*","principal":"arn:aws:iam::123456789012:user/a","expect":"implicitDeny"}
{"id":"right","identityPolicies":[],"action":"ecr-public:PutImage","resource":"*","principal":"arn:aws:iam::123456789012:user/a","expect":"implicitDeny"}`
	code, out, _ = wharf(t, failing, "policy", "test", "-")
	if code != 1 || !strings.Contains(out, "FAIL  wrong: got allowed, want implicitDeny") || !strings.Contains(out, "1 passed, 1 failed") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _ = wharf(t, failing, "policy", "test", "--output", "json", "-")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || len(lines) != 2 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first["id"] != "wrong" || first["decision"] != "allowed" || first["explanation"] == "" {
		t.Errorf("%v %v", err, first)
	}
	if code, _, _ := wharf(t, "{not json", "policy", "test", "-"); code != 2 {
		t.Errorf("malformed case file: exit %d, want 2", code)
	}
}

// TestBinary builds the real binary and runs it, so exit codes and wiring are
// checked as a user's shell sees them.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "wharf")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "policy", "validate", seed)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("wharf policy validate seed: %v, want exit status 1", err)
	}
	if !bytes.Contains(out, []byte("INVALID_ACTION")) {
		t.Errorf("output:\n%s", out)
	}
	out, err = exec.Command(bin, "policy", "test", "../../testdata/iam-cases/cases.jsonl").Output()
	if err != nil || !bytes.Contains(out, []byte("62 passed, 0 failed")) {
		t.Errorf("wharf policy test: %v\n%s", err, out)
	}
}
