package e2e

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func ecrClient(srv *Server, keyID, secret, token string) *ecrpublic.Client {
	return ecrpublic.NewFromConfig(sdkConfig(keyID, secret, token), func(o *ecrpublic.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.Region = "us-east-1"
	})
}

// loginPassword does what `aws ecr-public get-login-password` does.
func loginPassword(t testing.TB, c *ecrpublic.Client) string {
	t.Helper()
	out, err := c.GetAuthorizationToken(context.Background(), &ecrpublic.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatalf("GetAuthorizationToken: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(out.AuthorizationData.AuthorizationToken))
	if err != nil {
		t.Fatal(err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user != "AWS" || strings.Contains(pass, ":") {
		t.Fatalf("authorization token %q is not base64 of AWS:<password>", raw)
	}
	return pass
}

// TestPushPullWithTutorialPolicy: the tutorial's goal. Root creates
// my-public-repo; github-actions, holding the tutorial's policy with the
// right ARN, logs in with a GetAuthorizationToken password and pushes with
// go-containerregistry (crane); an anonymous client pulls; pushing elsewhere
// is denied; the tutorial's policy as written (ecr ARN) is denied with the
// ARN mismatch explained; DescribeImages shows the image.
func TestPushPullWithTutorialPolicy(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	acct := srv.AccountID
	root := ecrClient(srv, srv.RootKeyID, srv.RootKey, "")
	created, err := root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String("my-public-repo")})
	if err != nil {
		t.Fatalf("CreateRepository: %v", err)
	}
	if arn := aws.ToString(created.Repository.RepositoryArn); arn != "arn:aws:ecr-public::"+acct+":repository/my-public-repo" {
		t.Fatalf("repository ARN %s", arn)
	}
	uri := aws.ToString(created.Repository.RepositoryUri)
	host := strings.TrimPrefix(srv.URL, "http://")
	if !strings.HasPrefix(uri, host+"/") {
		t.Fatalf("repository URI %s does not start with %s/", uri, host)
	}
	if _, err := root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String("other-repo")}); err != nil {
		t.Fatal(err)
	}

	// github-actions with the tutorial's policy, ARN corrected, plus the
	// bearer-token permission GetAuthorizationToken needs.
	admin := rootIAM(srv)
	must[*iam.CreateUserOutput](t, "CreateUser")(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("github-actions")}))
	key := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("github-actions")}))
	fixed := strings.ReplaceAll(tutorialPolicy, "arn:aws:ecr:us-east-1:123456789012:repository/my-public-repo", "arn:aws:ecr-public::"+acct+":repository/my-public-repo")
	fixed = strings.Replace(fixed, `"ecr-public:GetAuthorizationToken"`, `"ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"`, 1)
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("github-actions"), PolicyName: aws.String("ECRPublicAccessPolicy"), PolicyDocument: aws.String(fixed)}))

	user := ecrClient(srv, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
	password := loginPassword(t, user)
	auth := crane.WithAuth(&authn.Basic{Username: "AWS", Password: password})
	img, err := random.Image(1024, 3)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	ref := uri + ":v1"
	if err := crane.Push(img, ref, auth, crane.Insecure); err != nil {
		t.Fatalf("push as github-actions: %v", err)
	}
	// Anonymous pull.
	got, err := crane.Pull(ref, crane.Insecure)
	if err != nil {
		t.Fatalf("anonymous pull: %v", err)
	}
	if d, _ := got.Digest(); d != want {
		t.Fatalf("pulled %s, pushed %s", d, want)
	}
	if _, err := crane.Digest(ref, crane.Insecure); err != nil {
		t.Fatalf("anonymous HEAD: %v", err)
	}

	// A repository the policy does not name.
	otherURI := strings.TrimSuffix(uri, "my-public-repo") + "other-repo"
	err = crane.Push(img, otherURI+":v1", auth, crane.Insecure)
	assertDenied(t, "push to other-repo", err, "ecr-public:")

	// An anonymous push is refused too.
	err = crane.Push(img, uri+":anon", crane.Insecure)
	if err == nil {
		t.Fatal("anonymous push succeeded")
	}

	// The tutorial's policy exactly as written: the ecr ARN never matches.
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy (as written)")(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("github-actions"), PolicyName: aws.String("ECRPublicAccessPolicy"),
		PolicyDocument: aws.String(strings.Replace(tutorialPolicy, `"ecr-public:GetAuthorizationToken"`, `"ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"`, 1))}))
	img2, _ := random.Image(512, 1)
	err = crane.Push(img2, uri+":v2", auth, crane.Insecure)
	assertDenied(t, "push with the policy as written", err, `service \"ecr\" is not \"ecr-public\"`)

	// DescribeImages lists the pushed image.
	imgs, err := root.DescribeImages(ctx, &ecrpublic.DescribeImagesInput{RepositoryName: aws.String("my-public-repo")})
	if err != nil {
		t.Fatalf("DescribeImages: %v", err)
	}
	if len(imgs.ImageDetails) != 1 {
		t.Fatalf("DescribeImages: %d images", len(imgs.ImageDetails))
	}
	d := imgs.ImageDetails[0]
	if aws.ToString(d.ImageDigest) != want.String() || len(d.ImageTags) != 1 || d.ImageTags[0] != "v1" || aws.ToInt64(d.ImageSizeInBytes) <= 3*1024 || d.ImagePushedAt == nil {
		t.Errorf("image detail: digest %s tags %v size %d pushedAt %v", aws.ToString(d.ImageDigest), d.ImageTags, aws.ToInt64(d.ImageSizeInBytes), d.ImagePushedAt)
	}

	// Deleting the user takes effect on the next request, password in hand.
	must[*iam.DeleteUserPolicyOutput](t, "DeleteUserPolicy")(admin.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("github-actions"), PolicyName: aws.String("ECRPublicAccessPolicy")}))
	must[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey")(admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("github-actions"), AccessKeyId: key.AccessKey.AccessKeyId}))
	err = crane.Push(img2, uri+":v3", auth, crane.Insecure)
	if err == nil {
		t.Fatal("push with a deleted key's password succeeded")
	}
}

func assertDenied(t *testing.T, what string, err error, explanation string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want DENIED", what)
	}
	var te *transport.Error
	if !errors.As(err, &te) {
		t.Fatalf("%s: %v (not a registry error)", what, err)
	}
	found := false
	for _, d := range te.Errors {
		if d.Code == transport.DeniedErrorCode {
			found = true
		}
	}
	if !found || !strings.Contains(fmt.Sprint(err), "not authorized") || !strings.Contains(fmt.Sprintf("%q", err.Error()), explanation) {
		t.Errorf("%s: want DENIED explaining %q, got %v", what, explanation, err)
	}
}

// tutorialPolicy is the seed tutorial's policy, as written.
const tutorialPolicy = `{
   "Version":"2012-10-17",
   "Statement":[
      {"Sid":"ListImagesInRepository","Effect":"Allow","Action":["ecr-public:ListImages"],
       "Resource":"arn:aws:ecr:us-east-1:123456789012:repository/my-public-repo"},
      {"Sid":"GetAuthorizationToken","Effect":"Allow","Action":["ecr-public:GetAuthorizationToken"],"Resource":"*"},
      {"Sid":"ManageRepositoryContents","Effect":"Allow",
       "Action":["ecr-public:BatchCheckLayerAvailability","ecr-public:GetDownloadUrlForLayer","ecr-public:GetRepositoryPolicy",
                 "ecr-public:DescribeRepositories","ecr-public:ListImages","ecr-public:DescribeImages","ecr-public:BatchGetImage",
                 "ecr-public:InitiateLayerUpload","ecr-public:UploadLayerPart","ecr-public:CompleteLayerUpload","ecr-public:PutImage"],
       "Resource":"arn:aws:ecr:us-east-1:123456789012:repository/my-public-repo"}
   ]
}`
