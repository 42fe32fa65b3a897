package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// aws runs the real aws CLI against the server with the given credentials.
type awsCLI struct {
	t      *testing.T
	srv    *Server
	keyID  string
	secret string
	token  string
	region string
}

func (c awsCLI) run(args ...string) (string, string, error) {
	c.t.Helper()
	full := append([]string{"--endpoint-url", c.srv.URL, "--output", "json"}, args...)
	cmd := exec.Command("aws", full...)
	// HOME stays (pyenv's shims find their root through it); the aws CLI's
	// own config and credentials files point at an empty directory.
	home := c.t.TempDir()
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"AWS_ACCESS_KEY_ID=" + c.keyID, "AWS_SECRET_ACCESS_KEY=" + c.secret,
		"AWS_DEFAULT_REGION=" + c.region, "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"), "AWS_PAGER=",
	}
	if c.token != "" {
		cmd.Env = append(cmd.Env, "AWS_SESSION_TOKEN="+c.token)
	}
	for _, k := range []string{"PYENV_ROOT", "PYENV_VERSION", "LANG"} {
		if v := os.Getenv(k); v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

func (c awsCLI) ok(args ...string) map[string]any {
	c.t.Helper()
	out, errOut, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	var m map[string]any
	if strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			c.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return m
}

func (c awsCLI) fails(wantCode string, args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run(args...)
	if err == nil {
		c.t.Fatalf("aws %s succeeded, want %s:\n%s", strings.Join(args, " "), wantCode, out)
	}
	if !strings.Contains(errOut, "("+wantCode+")") {
		c.t.Fatalf("aws %s: want error %s, got:\n%s", strings.Join(args, " "), wantCode, errOut)
	}
	return errOut
}

func get(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}

func needAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the aws CLI is not installed; .ci/run must install it")
		}
		t.Skip("the aws CLI is not installed")
	}
}

// TestTutorialWithAWSCLI drives the seed tutorial with the real aws CLI:
// create a user with programmatic access, a customer-managed policy from
// JSON, attach it to the user, a group and a role, assume the role, then act
// as the user.
func TestTutorialWithAWSCLI(t *testing.T) {
	needAWSCLI(t)
	srv := Start(t)
	root := awsCLI{t: t, srv: srv, keyID: srv.RootKeyID, secret: srv.RootKey, region: "us-east-1"}
	acct := srv.AccountID

	id := root.ok("sts", "get-caller-identity")
	if get(id, "Arn") != "arn:aws:iam::"+acct+":root" || get(id, "Account") != acct {
		t.Fatalf("root identity: %v", id)
	}
	u := root.ok("iam", "create-user", "--user-name", "github-actions")
	if get(u, "User", "Arn") != "arn:aws:iam::"+acct+":user/github-actions" || !strings.HasPrefix(get(u, "User", "UserId"), "AIDA") {
		t.Fatalf("create-user: %v", u)
	}
	root.fails("EntityAlreadyExists", "iam", "create-user", "--user-name", "GitHub-Actions")
	k := root.ok("iam", "create-access-key", "--user-name", "github-actions")
	keyID, secret := get(k, "AccessKey", "AccessKeyId"), get(k, "AccessKey", "SecretAccessKey")
	if !strings.HasPrefix(keyID, "AKIA") || len(keyID) != 20 || len(secret) != 40 {
		t.Fatalf("create-access-key: %v", k)
	}

	doc := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(doc, []byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "GetAuthorizationToken", "Effect": "Allow",
     "Action": ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], "Resource": "*"},
    {"Sid": "ManageRepositoryContents", "Effect": "Allow",
     "Action": ["ecr-public:BatchCheckLayerAvailability", "ecr-public:InitiateLayerUpload", "ecr-public:UploadLayerPart",
                "ecr-public:CompleteLayerUpload", "ecr-public:PutImage", "ecr-public:DescribeImages"],
     "Resource": "arn:aws:ecr-public::`+acct+`:repository/my-public-repo"}
  ]
}`), 0o600)
	p := root.ok("iam", "create-policy", "--policy-name", "ECRPublicAccessPolicy", "--policy-document", "file://"+doc)
	policyARN := get(p, "Policy", "Arn")
	if policyARN != "arn:aws:iam::"+acct+":policy/ECRPublicAccessPolicy" || get(p, "Policy", "DefaultVersionId") != "v1" {
		t.Fatalf("create-policy: %v", p)
	}
	root.ok("iam", "attach-user-policy", "--user-name", "github-actions", "--policy-arn", policyARN)
	attached := root.ok("iam", "list-attached-user-policies", "--user-name", "github-actions")
	if !strings.Contains(mustJSON(attached), "ECRPublicAccessPolicy") {
		t.Fatalf("list-attached-user-policies: %v", attached)
	}
	v := root.ok("iam", "get-policy-version", "--policy-arn", policyARN, "--version-id", "v1")
	if !strings.Contains(mustJSON(v), "ManageRepositoryContents") {
		t.Fatalf("get-policy-version did not return the document (URL-decoded by botocore): %v", v)
	}

	root.ok("iam", "create-group", "--group-name", "publishers")
	root.ok("iam", "add-user-to-group", "--group-name", "publishers", "--user-name", "github-actions")
	root.ok("iam", "attach-group-policy", "--group-name", "publishers", "--policy-arn", "arn:aws:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly")
	if aws := root.ok("iam", "get-policy", "--policy-arn", "arn:aws:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"); get(aws, "Policy", "PolicyName") != "AmazonElasticContainerRegistryPublicReadOnly" {
		t.Fatalf("get-policy of an AWS-managed policy: %v", aws)
	}
	g := root.ok("iam", "get-group", "--group-name", "publishers")
	if !strings.Contains(mustJSON(g), "github-actions") {
		t.Fatalf("get-group: %v", g)
	}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/github-actions"},"Action":"sts:AssumeRole"}]}`
	r := root.ok("iam", "create-role", "--role-name", "pusher", "--assume-role-policy-document", trust)
	if !strings.HasPrefix(get(r, "Role", "RoleId"), "AROA") {
		t.Fatalf("create-role: %v", r)
	}
	root.ok("iam", "attach-role-policy", "--role-name", "pusher", "--policy-arn", policyARN)
	ents := root.ok("iam", "list-entities-for-policy", "--policy-arn", policyARN)
	if s := mustJSON(ents); !strings.Contains(s, "github-actions") || !strings.Contains(s, "pusher") {
		t.Fatalf("list-entities-for-policy: %v", ents)
	}

	// As github-actions: who am I, and what may I not do.
	user := awsCLI{t: t, srv: srv, keyID: keyID, secret: secret, region: "eu-west-1"}
	me := user.ok("sts", "get-caller-identity")
	if get(me, "Arn") != "arn:aws:iam::"+acct+":user/github-actions" {
		t.Fatalf("user identity: %v", me)
	}
	denied := user.fails("AccessDenied", "iam", "create-user", "--user-name", "eve")
	for _, want := range []string{
		"User: arn:aws:iam::" + acct + ":user/github-actions is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::" + acct + ":user/eve because no identity-based policy allows the iam:CreateUser action",
		"nearest miss",
	} {
		if !strings.Contains(denied, want) {
			t.Errorf("AccessDenied message lacks %q:\n%s", want, denied)
		}
	}

	// The trust policy names github-actions, so it may assume the role.
	as := user.ok("sts", "assume-role", "--role-arn", "arn:aws:iam::"+acct+":role/pusher", "--role-session-name", "build-42")
	if get(as, "AssumedRoleUser", "Arn") != "arn:aws:sts::"+acct+":assumed-role/pusher/build-42" || !strings.HasPrefix(get(as, "Credentials", "AccessKeyId"), "ASIA") {
		t.Fatalf("assume-role: %v", as)
	}
	session := awsCLI{t: t, srv: srv, keyID: get(as, "Credentials", "AccessKeyId"), secret: get(as, "Credentials", "SecretAccessKey"), token: get(as, "Credentials", "SessionToken"), region: "us-east-1"}
	sid := session.ok("sts", "get-caller-identity")
	if get(sid, "Arn") != "arn:aws:sts::"+acct+":assumed-role/pusher/build-42" || !strings.HasSuffix(get(sid, "UserId"), ":build-42") {
		t.Fatalf("session identity: %v", sid)
	}
	session.fails("AccessDenied", "iam", "list-users")
	// Root may not assume a role whose trust policy names only github-actions.
	root.fails("AccessDenied", "sts", "assume-role", "--role-arn", "arn:aws:iam::"+acct+":role/pusher", "--role-session-name", "x1")

	// Deactivated keys stop working on the next request.
	root.ok("iam", "update-access-key", "--user-name", "github-actions", "--access-key-id", keyID, "--status", "Inactive")
	user.fails("InvalidClientTokenId", "sts", "get-caller-identity")
	wrong := user
	wrong.secret = strings.Repeat("x", 40)
	wrong.fails("InvalidClientTokenId", "sts", "get-caller-identity")
	root.ok("iam", "update-access-key", "--user-name", "github-actions", "--access-key-id", keyID, "--status", "Active")
	wrong.fails("SignatureDoesNotMatch", "sts", "get-caller-identity")
	user.ok("sts", "get-caller-identity")
	root.ok("iam", "delete-access-key", "--user-name", "github-actions", "--access-key-id", keyID)
	user.fails("InvalidClientTokenId", "sts", "get-caller-identity")

	// DeleteConflict while the user still has policies and groups.
	root.fails("DeleteConflict", "iam", "delete-user", "--user-name", "github-actions")
	root.fails("MalformedPolicyDocument", "iam", "create-policy", "--policy-name", "Bad", "--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*"}]}`)
	root.fails("NoSuchEntity", "iam", "get-user", "--user-name", "nobody")
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
