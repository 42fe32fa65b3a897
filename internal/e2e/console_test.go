package e2e

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

const consoleRootPassword = "Tutorial-Root-Passw0rd!"

// fixedTutorialPolicy is the seed's policy as the console's validation
// leads a user to fix it: ecr-public ARNs have no region, ListImages,
// GetDownloadUrlForLayer and BatchGetImage are private-ECR actions, and
// GetAuthorizationToken needs sts:GetServiceBearerToken.
const fixedTutorialPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "GetAuthorizationToken", "Effect": "Allow",
     "Action": ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], "Resource": "*"},
    {"Sid": "ManageRepositoryContents", "Effect": "Allow",
     "Action": ["ecr-public:BatchCheckLayerAvailability", "ecr-public:GetRepositoryPolicy",
                "ecr-public:DescribeRepositories", "ecr-public:DescribeImages",
                "ecr-public:InitiateLayerUpload", "ecr-public:UploadLayerPart",
                "ecr-public:CompleteLayerUpload", "ecr-public:PutImage"],
     "Resource": "arn:aws:ecr-public::123456789012:repository/my-public-repo"}
  ]
}`

// TestConsoleTutorial walks the seed tutorial in a real browser: the root
// user signs in, creates github-actions with programmatic access and
// downloads its key as a CSV (used right away with the aws CLI), writes
// ECRPublicAccessPolicy in the JSON editor — the seed's policy shows its
// findings and is refused until fixed — attaches it, creates the
// repository; then the key pushes an image, the repository page shows it,
// and an anonymous browser finds it in the gallery. Screenshots of each
// main page land in screenshots/ (see ScreenshotDir).
func TestConsoleTutorial(t *testing.T) {
	needAWSCLI(t)
	srv := startWithEnv(t, []string{"WHARF_ROOT_PASSWORD=" + consoleRootPassword})
	b := NewBrowser(t)
	b.SignIn(t, srv, "root", consoleRootPassword)
	b.Screenshot(t, "console-home")

	// 1. IAM → Users → Create user: programmatic access.
	b.Navigate(t, srv.URL+"/console/iam/users")
	b.ClickNav(t, "#create-user")
	b.Type(t, "#user-name", "github-actions")
	b.Check(t, "#access-programmatic")
	b.Screenshot(t, "iam-user-new")
	b.ClickNav(t, "#create-user-submit")
	keyID := strings.TrimSpace(b.Text(t, "#access-key-id"))
	b.Screenshot(t, "iam-user-created")
	b.Click(t, "#download-csv")
	name, content := b.WaitDownload(t, DefaultWait)
	if name != "github-actions_accessKeys.csv" {
		t.Errorf("downloaded file is named %q, want github-actions_accessKeys.csv", name)
	}
	if !strings.HasPrefix(string(content), "\ufeffAccess key ID,Secret access key\r\n") {
		t.Fatalf("the CSV is not in the AWS console's format (BOM, header, CRLF):\n%q", content)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(content), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 || len(rows[1]) != 2 {
		t.Fatalf("CSV %q: %v", content, err)
	}
	csvKeyID, csvSecret := rows[1][0], rows[1][1]
	if csvKeyID != keyID {
		t.Fatalf("CSV key %s, page shows %s", csvKeyID, keyID)
	}
	// The downloaded key works with the real aws CLI.
	cli := awsCLI{t: t, srv: srv, keyID: csvKeyID, secret: csvSecret, region: "us-east-1"}
	if arn := get(cli.ok("sts", "get-caller-identity"), "Arn"); arn != "arn:aws:iam::"+srv.AccountID+":user/github-actions" {
		t.Fatalf("get-caller-identity with the downloaded key: %s", arn)
	}
	// Without a policy it may not push yet: the CLI shows the denial.
	cli.fails("AccessDenied", "iam", "list-users")

	// 2. Policies → Create policy → JSON: the seed's policy first.
	b.Navigate(t, srv.URL+"/console/iam/create/policy")
	b.Type(t, "#policy-name", "ECRPublicAccessPolicy")
	b.SetValue(t, "#policy-document", tutorialPolicy)
	b.WaitVisible(t, `[data-code="INVALID_ACTION"]`)
	b.WaitVisible(t, `[data-code="RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE"]`)
	findings := b.Text(t, "#policy-document-findings")
	for _, want := range []string{"ecr-public:ListImages", "Ln "} {
		if !strings.Contains(findings, want) {
			t.Errorf("the editor's findings do not mention %q:\n%s", want, findings)
		}
	}
	b.Screenshot(t, "policy-editor-findings")
	b.ClickNav(t, "#create-policy-submit")
	b.WaitVisible(t, "[data-testid=error]")
	b.Screenshot(t, "policy-editor-refused")
	// Fixed, it has no errors left and is created.
	b.SetValue(t, "#policy-document", strings.ReplaceAll(fixedTutorialPolicy, "123456789012", srv.AccountID))
	b.WaitGone(t, `[data-code="INVALID_ACTION"]`)
	if b.Exists(`.finding-ERROR`) {
		t.Fatalf("the fixed policy still has errors:\n%s", b.Text(t, "#policy-document-findings"))
	}
	b.ClickNav(t, "#create-policy-submit")
	b.WaitVisible(t, "#policy-document-view")
	b.Screenshot(t, "policy")

	// 3. Attach it to github-actions.
	b.ClickNav(t, "#attach-entities")
	b.Check(t, `input[name="entity"][value="user:github-actions"]`)
	b.ClickNav(t, "#attach-entities-submit")
	b.WaitText(t, "#policy-entities-table", "github-actions")

	// 4. ECR Public → Create repository.
	b.Navigate(t, srv.URL+"/console/ecr/create/repository")
	b.Type(t, "#repository-name", "my-public-repo")
	b.Type(t, "#catalog-description", "The tutorial's repository")
	b.SetValue(t, "#catalog-about", "# my-public-repo\n\nBuilt by **GitHub Actions**.\n\n<script>alert(1)</script>")
	b.ClickNav(t, "#create-repository-submit")
	b.Click(t, "#view-push-commands")
	cmds := b.WaitText(t, "#push-commands", "get-login-password")
	host := strings.TrimPrefix(srv.URL, "http://")
	if !strings.Contains(cmds, "docker login --username AWS --password-stdin "+host) {
		t.Errorf("push commands lack the docker login for %s:\n%s", host, cmds)
	}
	b.Screenshot(t, "repository-push-commands")

	// 5. The downloaded key pushes an image.
	ctx := context.Background()
	user := ecrClient(srv, csvKeyID, csvSecret, "")
	repos, err := user.DescribeRepositories(ctx, &ecrpublic.DescribeRepositoriesInput{RepositoryNames: []string{"my-public-repo"}})
	if err != nil {
		t.Fatalf("DescribeRepositories as github-actions: %v", err)
	}
	uri := aws.ToString(repos.Repositories[0].RepositoryUri)
	img, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	dig, _ := img.Digest()
	auth := crane.WithAuth(&authn.Basic{Username: "AWS", Password: loginPassword(t, user)})
	if err := crane.Push(img, uri+":latest", auth, crane.Insecure); err != nil {
		t.Fatalf("push as github-actions: %v", err)
	}
	b.Navigate(t, srv.URL+"/console/ecr/repositories/my-public-repo")
	b.WaitText(t, "#images-table", "latest")
	if got := b.HTML(t, "#images-table"); !strings.Contains(got, dig.String()) {
		t.Errorf("the images table does not show digest %s:\n%s", dig, got)
	}
	b.Screenshot(t, "repository-images")

	// The simulator says why github-actions may push here and not elsewhere.
	b.Navigate(t, srv.URL+"/console/simulator")
	b.SetValue(t, "#sim-principal", "user:github-actions")
	b.SetValue(t, "#sim-actions", "ecr-public:PutImage")
	repoARN := "arn:aws:ecr-public::" + srv.AccountID + ":repository/"
	b.SetValue(t, "#sim-resources", repoARN+"my-public-repo\n"+repoARN+"other-repo")
	b.ClickNav(t, "#sim-run")
	decisions := b.Texts(t, "#sim-results .sim-decision")
	if strings.Join(decisions, ",") != "allowed,implicitDeny" {
		t.Errorf("simulator decisions %v, want allowed for my-public-repo and implicitDeny for other-repo", decisions)
	}
	b.Screenshot(t, "simulator")
	b.Click(t, "#sim-why-0 summary")
	b.Click(t, "#sim-why-1 summary")
	b.WaitVisible(t, "#sim-why-0 .hl")
	b.Screenshot(t, "simulator-why")

	// The other main pages, for a reviewer to look at.
	for _, pg := range []struct{ path, name string }{
		{"/console/iam/users", "iam-users"},
		{"/console/iam/users/github-actions?tab=security", "iam-user-security"},
		{"/console/iam/users/github-actions?tab=permissions", "iam-user-permissions"},
		{"/console/iam/groups", "iam-groups"},
		{"/console/iam/create/role", "iam-role-new"},
		{"/console/iam/policies", "iam-policies"},
		{"/console/ecr/repositories", "ecr-repositories"},
		{"/console/ecr/repositories/my-public-repo?tab=catalog", "ecr-catalog-data"},
		{"/console/ecr/repositories/my-public-repo?tab=policy", "ecr-repository-policy"},
		{"/console/ecr/registry", "ecr-registry-settings"},
	} {
		b.Navigate(t, srv.URL+pg.path)
		b.Screenshot(t, pg.name)
	}
	b.PhoneScreenshot(t, "ecr-registry-settings-phone")
	b.Navigate(t, srv.URL+"/console/iam/credential-report")
	b.ClickNav(t, "#generate-report")
	b.WaitVisible(t, "#credential-report-table")
	b.Screenshot(t, "iam-credential-report")
	b.NoJSErrors(t)

	// 6. An anonymous browser finds it in the gallery.
	anon := NewBrowser(t)
	anon.Navigate(t, srv.URL+"/")
	anon.WaitText(t, "main", "my-public-repo")
	anon.Screenshot(t, "gallery")
	anon.PhoneScreenshot(t, "gallery-phone")
	anon.Navigate(t, srv.URL+"/gallery/"+strings.TrimPrefix(uri, host+"/"))
	pull := anon.WaitText(t, "#pull-command", uri)
	if !strings.Contains(pull, "docker pull "+uri) {
		t.Errorf("gallery pull command %q", pull)
	}
	if html := anon.HTML(t, "main"); strings.Contains(html, "<script>alert") {
		t.Errorf("the gallery page renders the about text's script:\n%s", html)
	}
	anon.Screenshot(t, "gallery-repository")
	anon.NoJSErrors(t)
}
