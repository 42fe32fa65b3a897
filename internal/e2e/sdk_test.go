package e2e

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// sdkRegion is the region the SDK clients sign for: IAM is global, so any
// region must do.
const sdkRegion = "eu-central-1"

// sdkConfig is an aws.Config with static credentials and no retries (a
// retried 5xx would hide a server bug behind a slow test).
func sdkConfig(keyID, secret, token string) aws.Config {
	return aws.Config{
		Region: sdkRegion,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, SessionToken: token, Source: "e2e"}, nil
		}),
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func iamClient(srv *Server, keyID, secret, token string) *iam.Client {
	return iam.NewFromConfig(sdkConfig(keyID, secret, token), func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

func stsClient(srv *Server, keyID, secret, token string) *sts.Client {
	return sts.NewFromConfig(sdkConfig(keyID, secret, token), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

// rootIAM and rootSTS are clients signed with the account's root key.
func rootIAM(srv *Server) *iam.Client { return iamClient(srv, srv.RootKeyID, srv.RootKey, "") }
func rootSTS(srv *Server) *sts.Client { return stsClient(srv, srv.RootKeyID, srv.RootKey, "") }

// must fails the test on err.
func must[T any](t *testing.T, what string) func(T, error) T {
	t.Helper()
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// apiCode is the AWS error code of err ("" when err is not an API error).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// wantCode fails unless err is an API error with the given code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s succeeded, want %s", what, code)
		return
	}
	if got := apiCode(err); got != code {
		t.Errorf("%s: want %s, got %s (%v)", what, code, got, err)
	}
}

// wantType fails unless err unwraps to *E.
func wantType[E error](t *testing.T, what string, err error) E {
	t.Helper()
	var e E
	if err == nil {
		t.Errorf("%s succeeded, want %T", what, e)
		return e
	}
	if !errors.As(err, &e) {
		t.Errorf("%s: want %T, got %T: %v", what, e, err, err)
	}
	return e
}

// decodeDoc undoes the URL encoding IAM applies to policy documents (the
// Go SDK, unlike botocore, hands the encoded text through).
func decodeDoc(t *testing.T, s *string) string {
	t.Helper()
	d, err := url.QueryUnescape(aws.ToString(s))
	if err != nil {
		t.Fatalf("policy document %q is not URL-encoded: %v", aws.ToString(s), err)
	}
	return d
}

func allowDoc(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

// newUserWithKey creates a user with an access key and returns its clients.
func newUserWithKey(t *testing.T, srv *Server, root *iam.Client, name string) (*iam.Client, *sts.Client, types.AccessKey) {
	t.Helper()
	ctx := context.Background()
	must[*iam.CreateUserOutput](t, "CreateUser "+name)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey "+name)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	return iamClient(srv, *k.AccessKeyId, *k.SecretAccessKey, ""), stsClient(srv, *k.AccessKeyId, *k.SecretAccessKey, ""), *k
}

func TestSDKUsersPaginationAndKeys(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	root := rootIAM(srv)
	acct := srv.AccountID

	for _, n := range []string{"alice", "bob", "carol"} {
		u := must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)})).User
		if aws.ToString(u.Arn) != "arn:aws:iam::"+acct+":user/"+n || !strings.HasPrefix(aws.ToString(u.UserId), "AIDA") ||
			aws.ToString(u.Path) != "/" || u.CreateDate == nil || time.Since(*u.CreateDate) > time.Hour {
			t.Errorf("CreateUser %s: %+v", n, u)
		}
	}
	g := must[*iam.GetUserOutput](t, "GetUser")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})).User
	if aws.ToString(g.UserName) != "bob" || aws.ToString(g.Arn) != "arn:aws:iam::"+acct+":user/bob" {
		t.Errorf("GetUser bob: %+v", g)
	}
	// GetUser without a name, signed by root, describes the root user.
	me := must[*iam.GetUserOutput](t, "GetUser (root)")(root.GetUser(ctx, &iam.GetUserInput{})).User
	if aws.ToString(me.Arn) != "arn:aws:iam::"+acct+":root" {
		t.Errorf("GetUser as root: %+v", me)
	}

	// MaxItems=1 over three users: follow IsTruncated/Marker by hand.
	var names []string
	var marker *string
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatalf("ListUsers does not end: %v", names)
		}
		out := must[*iam.ListUsersOutput](t, "ListUsers")(root.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1), Marker: marker}))
		if len(out.Users) != 1 {
			t.Fatalf("ListUsers page %d: %d users, want 1", page, len(out.Users))
		}
		names = append(names, aws.ToString(out.Users[0].UserName))
		if !out.IsTruncated {
			if out.Marker != nil {
				t.Errorf("last page has Marker %q", *out.Marker)
			}
			break
		}
		if aws.ToString(out.Marker) == "" {
			t.Fatalf("page %d is truncated without a Marker", page)
		}
		marker = out.Marker
	}
	if !slices.Equal(names, []string{"alice", "bob", "carol"}) {
		t.Errorf("ListUsers pages gave %v, want [alice bob carol]", names)
	}
	// The SDK's paginator agrees.
	var viaPaginator []string
	p := iam.NewListUsersPaginator(root, &iam.ListUsersInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		out := must[*iam.ListUsersOutput](t, "ListUsers paginator")(p.NextPage(ctx))
		for _, u := range out.Users {
			viaPaginator = append(viaPaginator, aws.ToString(u.UserName))
		}
	}
	if !slices.Equal(viaPaginator, names) {
		t.Errorf("ListUsersPaginator gave %v", viaPaginator)
	}

	// Access keys.
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	if id := aws.ToString(k.AccessKeyId); !strings.HasPrefix(id, "AKIA") || len(id) != 20 || len(aws.ToString(k.SecretAccessKey)) != 40 ||
		k.Status != types.StatusTypeActive || aws.ToString(k.UserName) != "alice" {
		t.Errorf("CreateAccessKey: %+v", k)
	}
	keys := must[*iam.ListAccessKeysOutput](t, "ListAccessKeys")(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))
	if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != aws.ToString(k.AccessKeyId) {
		t.Errorf("ListAccessKeys: %+v", keys.AccessKeyMetadata)
	}
	alice := stsClient(srv, *k.AccessKeyId, *k.SecretAccessKey, "")
	id := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as alice")(alice.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Arn) != "arn:aws:iam::"+acct+":user/alice" || aws.ToString(id.Account) != acct || !strings.HasPrefix(aws.ToString(id.UserId), "AIDA") {
		t.Errorf("GetCallerIdentity as alice: %+v", id)
	}
	// A user with no policy is denied everything IAM, with a typed-less AccessDenied.
	aliceIAM := iamClient(srv, *k.AccessKeyId, *k.SecretAccessKey, "")
	_, err := aliceIAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers as alice", err, "AccessDenied")
	var ae smithy.APIError
	if errors.As(err, &ae) && !strings.Contains(ae.ErrorMessage(), "arn:aws:iam::"+acct+":user/alice is not authorized to perform: iam:ListUsers") {
		t.Errorf("AccessDenied message: %q", ae.ErrorMessage())
	}
	// Deleting alice needs her key gone first.
	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantType[*types.DeleteConflictException](t, "DeleteUser with a key", err)
	must[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey")(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}))
	must[*iam.DeleteUserOutput](t, "DeleteUser")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))
	_, err = root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	wantType[*types.NoSuchEntityException](t, "GetUser after DeleteUser", err)
}

func TestSDKManagedPolicyVersions(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	root := rootIAM(srv)
	acct := srv.AccountID

	doc := func(n int) string {
		return `{"Version": "2012-10-17", "Statement": [{"Sid": "V` + string(rune('0'+n)) + `", "Effect": "Allow", "Action": "ecr-public:DescribeImages", "Resource": "arn:aws:ecr-public::` + acct + `:repository/app+web v` + string(rune('0'+n)) + `"}]}`
	}
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName: aws.String("Versioned"), PolicyDocument: aws.String(doc(1)), Description: aws.String("five versions"),
	})).Policy
	arn := aws.ToString(p.Arn)
	if arn != "arn:aws:iam::"+acct+":policy/Versioned" || aws.ToString(p.DefaultVersionId) != "v1" || !p.IsAttachable || !strings.HasPrefix(aws.ToString(p.PolicyId), "ANPA") {
		t.Fatalf("CreatePolicy: %+v", p)
	}
	for n := 2; n <= 5; n++ {
		v := must[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion")(root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
			PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc(n)), SetAsDefault: true,
		})).PolicyVersion
		if want := "v" + string(rune('0'+n)); aws.ToString(v.VersionId) != want || !v.IsDefaultVersion {
			t.Errorf("CreatePolicyVersion %d: %+v", n, v)
		}
	}
	_, err := root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc(6)), SetAsDefault: true})
	wantType[*types.LimitExceededException](t, "sixth CreatePolicyVersion", err)

	vs := must[*iam.ListPolicyVersionsOutput](t, "ListPolicyVersions")(root.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})).Versions
	var defaults []string
	for _, v := range vs {
		if v.IsDefaultVersion {
			defaults = append(defaults, aws.ToString(v.VersionId))
		}
	}
	if len(vs) != 5 || !slices.Equal(defaults, []string{"v5"}) {
		t.Errorf("ListPolicyVersions: %d versions, defaults %v", len(vs), defaults)
	}
	gp := must[*iam.GetPolicyOutput](t, "GetPolicy")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})).Policy
	if aws.ToString(gp.DefaultVersionId) != "v5" || aws.ToString(gp.Description) != "five versions" {
		t.Errorf("GetPolicy: %+v", gp)
	}
	for _, n := range []int{1, 3, 5} {
		v := must[*iam.GetPolicyVersionOutput](t, "GetPolicyVersion")(root.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{
			PolicyArn: aws.String(arn), VersionId: aws.String("v" + string(rune('0'+n))),
		})).PolicyVersion
		if got := decodeDoc(t, v.Document); got != doc(n) {
			t.Errorf("GetPolicyVersion v%d document:\n got %s\nwant %s", n, got, doc(n))
		}
		if v.IsDefaultVersion != (n == 5) {
			t.Errorf("GetPolicyVersion v%d IsDefaultVersion=%v", n, v.IsDefaultVersion)
		}
	}
	_, err = root.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	wantType[*types.NoSuchEntityException](t, "GetPolicyVersion v9", err)

	// The default version cannot be deleted; another one can, making room for v6.
	_, err = root.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")})
	wantType[*types.DeleteConflictException](t, "DeletePolicyVersion of the default", err)
	must[*iam.DeletePolicyVersionOutput](t, "DeletePolicyVersion v1")(root.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}))
	v6 := must[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion after delete")(root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
		PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc(6)),
	})).PolicyVersion
	if aws.ToString(v6.VersionId) != "v6" || v6.IsDefaultVersion {
		t.Errorf("CreatePolicyVersion without SetAsDefault: %+v", v6)
	}
	must[*iam.SetDefaultPolicyVersionOutput](t, "SetDefaultPolicyVersion")(root.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")}))
	gp = must[*iam.GetPolicyOutput](t, "GetPolicy")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})).Policy
	if aws.ToString(gp.DefaultVersionId) != "v2" {
		t.Errorf("after SetDefaultPolicyVersion v2: default %s", aws.ToString(gp.DefaultVersionId))
	}
	// A policy with several versions cannot be deleted.
	_, err = root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantType[*types.DeleteConflictException](t, "DeletePolicy with versions", err)
	// Errors.
	_, err = root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("versioned"), PolicyDocument: aws.String(doc(1))})
	wantType[*types.EntityAlreadyExistsException](t, "CreatePolicy with a taken name (case-insensitively)", err)
	_, err = root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("NoResource"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*"}]}`)})
	wantType[*types.MalformedPolicyDocumentException](t, "CreatePolicy without Resource", err)
	_, err = root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[`)})
	wantType[*types.MalformedPolicyDocumentException](t, "CreatePolicyVersion with broken JSON", err)
	_, err = root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + acct + ":policy/Nope")})
	wantType[*types.NoSuchEntityException](t, "GetPolicy of a missing policy", err)
}

func TestSDKAttachAndInlinePolicies(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	root := rootIAM(srv)
	acct := srv.AccountID

	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u1")}))
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g1")}))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	r := must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trust)})).Role
	if got := decodeDoc(t, r.AssumeRolePolicyDocument); got != trust {
		t.Errorf("CreateRole AssumeRolePolicyDocument: %s", got)
	}
	pol := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Shared"), PolicyDocument: aws.String(allowDoc("ecr-public:DescribeImages"))})).Policy
	arn := pol.Arn
	const awsManaged = "arn:aws:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"

	type entity struct {
		kind     string
		attach   func(string) error
		detach   func(string) error
		attached func() ([]types.AttachedPolicy, error)
		put      func(name, doc string) error
		get      func(name string) (*string, error)
		list     func() ([]string, error)
		del      func(name string) error
	}
	u, g, rn := aws.String("u1"), aws.String("g1"), aws.String("r1")
	entities := []entity{
		{"user",
			func(a string) error {
				_, err := root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: u, PolicyArn: &a})
				return err
			},
			func(a string) error {
				_, err := root.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: u, PolicyArn: &a})
				return err
			},
			func() ([]types.AttachedPolicy, error) {
				o, err := root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: u})
				if err != nil {
					return nil, err
				}
				return o.AttachedPolicies, nil
			},
			func(n, d string) error {
				_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: u, PolicyName: &n, PolicyDocument: &d})
				return err
			},
			func(n string) (*string, error) {
				o, err := root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: u, PolicyName: &n})
				if err != nil {
					return nil, err
				}
				if aws.ToString(o.UserName) != "u1" || aws.ToString(o.PolicyName) != n {
					t.Errorf("GetUserPolicy names: %q %q", aws.ToString(o.UserName), aws.ToString(o.PolicyName))
				}
				return o.PolicyDocument, nil
			},
			func() ([]string, error) {
				o, err := root.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: u})
				if err != nil {
					return nil, err
				}
				return o.PolicyNames, nil
			},
			func(n string) error {
				_, err := root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: u, PolicyName: &n})
				return err
			}},
		{"group",
			func(a string) error {
				_, err := root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: g, PolicyArn: &a})
				return err
			},
			func(a string) error {
				_, err := root.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: g, PolicyArn: &a})
				return err
			},
			func() ([]types.AttachedPolicy, error) {
				o, err := root.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: g})
				if err != nil {
					return nil, err
				}
				return o.AttachedPolicies, nil
			},
			func(n, d string) error {
				_, err := root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: g, PolicyName: &n, PolicyDocument: &d})
				return err
			},
			func(n string) (*string, error) {
				o, err := root.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: g, PolicyName: &n})
				if err != nil {
					return nil, err
				}
				if aws.ToString(o.GroupName) != "g1" || aws.ToString(o.PolicyName) != n {
					t.Errorf("GetGroupPolicy names: %q %q", aws.ToString(o.GroupName), aws.ToString(o.PolicyName))
				}
				return o.PolicyDocument, nil
			},
			func() ([]string, error) {
				o, err := root.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: g})
				if err != nil {
					return nil, err
				}
				return o.PolicyNames, nil
			},
			func(n string) error {
				_, err := root.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: g, PolicyName: &n})
				return err
			}},
		{"role",
			func(a string) error {
				_, err := root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: rn, PolicyArn: &a})
				return err
			},
			func(a string) error {
				_, err := root.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: rn, PolicyArn: &a})
				return err
			},
			func() ([]types.AttachedPolicy, error) {
				o, err := root.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: rn})
				if err != nil {
					return nil, err
				}
				return o.AttachedPolicies, nil
			},
			func(n, d string) error {
				_, err := root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: rn, PolicyName: &n, PolicyDocument: &d})
				return err
			},
			func(n string) (*string, error) {
				o, err := root.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: rn, PolicyName: &n})
				if err != nil {
					return nil, err
				}
				if aws.ToString(o.RoleName) != "r1" || aws.ToString(o.PolicyName) != n {
					t.Errorf("GetRolePolicy names: %q %q", aws.ToString(o.RoleName), aws.ToString(o.PolicyName))
				}
				return o.PolicyDocument, nil
			},
			func() ([]string, error) {
				o, err := root.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: rn})
				if err != nil {
					return nil, err
				}
				return o.PolicyNames, nil
			},
			func(n string) error {
				_, err := root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: rn, PolicyName: &n})
				return err
			}},
	}
	arnsOf := func(ps []types.AttachedPolicy) []string {
		var out []string
		for _, p := range ps {
			out = append(out, aws.ToString(p.PolicyArn))
		}
		slices.Sort(out)
		return out
	}

	// Managed policies: attach, list, detach.
	for _, e := range entities {
		for _, a := range []string{*arn, awsManaged} {
			if err := e.attach(a); err != nil {
				t.Fatalf("attach %s to %s: %v", a, e.kind, err)
			}
		}
		// Attaching twice is a no-op, as in AWS.
		if err := e.attach(*arn); err != nil {
			t.Errorf("attach %s to %s again: %v", *arn, e.kind, err)
		}
		got, err := e.attached()
		if err != nil {
			t.Fatalf("list attached %s policies: %v", e.kind, err)
		}
		if want := []string{*arn, awsManaged}; !slices.Equal(arnsOf(got), want) {
			t.Errorf("%s attached %v, want %v", e.kind, arnsOf(got), want)
		}
		if err := e.attach("arn:aws:iam::" + acct + ":policy/Missing"); apiCode(err) != "NoSuchEntity" {
			t.Errorf("attach a missing policy to %s: %v", e.kind, err)
		}
	}
	gp := must[*iam.GetPolicyOutput](t, "GetPolicy")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})).Policy
	if aws.ToInt32(gp.AttachmentCount) != 3 {
		t.Errorf("AttachmentCount %d, want 3", aws.ToInt32(gp.AttachmentCount))
	}
	ents := must[*iam.ListEntitiesForPolicyOutput](t, "ListEntitiesForPolicy")(root.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn}))
	if len(ents.PolicyUsers) != 1 || aws.ToString(ents.PolicyUsers[0].UserName) != "u1" ||
		len(ents.PolicyGroups) != 1 || aws.ToString(ents.PolicyGroups[0].GroupName) != "g1" ||
		len(ents.PolicyRoles) != 1 || aws.ToString(ents.PolicyRoles[0].RoleName) != "r1" {
		t.Errorf("ListEntitiesForPolicy: %+v", ents)
	}
	_, err := root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	wantType[*types.DeleteConflictException](t, "DeletePolicy while attached", err)
	_, err = root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: rn})
	wantType[*types.DeleteConflictException](t, "DeleteRole with attached policies", err)
	_, err = root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: g})
	wantType[*types.DeleteConflictException](t, "DeleteGroup with attached policies", err)
	for _, e := range entities {
		for _, a := range []string{*arn, awsManaged} {
			if err := e.detach(a); err != nil {
				t.Errorf("detach %s from %s: %v", a, e.kind, err)
			}
		}
		if err := e.detach(*arn); err == nil {
			t.Errorf("detach %s from %s twice succeeded", *arn, e.kind)
		} else {
			wantType[*types.NoSuchEntityException](t, "detach twice from "+e.kind, err)
		}
		if got, err := e.attached(); err != nil || len(got) != 0 {
			t.Errorf("%s attached after detach: %v %v", e.kind, arnsOf(got), err)
		}
	}

	// Inline policies: put, get (URL-encoded), list, replace, delete.
	for _, e := range entities {
		d1 := `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::` + acct + `:user/${aws:username}"}}`
		d2 := allowDoc("iam:ListUsers", "iam:ListGroups")
		for _, p := range [][2]string{{"SelfRead", d1}, {"Lister", d2}} {
			if err := e.put(p[0], p[1]); err != nil {
				t.Fatalf("put %s policy %s: %v", e.kind, p[0], err)
			}
		}
		doc, err := e.get("SelfRead")
		if err != nil {
			t.Fatalf("get %s policy: %v", e.kind, err)
		}
		if got := decodeDoc(t, doc); got != d1 {
			t.Errorf("get %s policy document:\n got %s\nwant %s", e.kind, got, d1)
		}
		names, err := e.list()
		if err != nil || !slices.Equal(names, []string{"Lister", "SelfRead"}) {
			t.Errorf("list %s policies: %v %v", e.kind, names, err)
		}
		// Put with an existing name replaces the document.
		if err := e.put("Lister", allowDoc("iam:ListRoles")); err != nil {
			t.Errorf("replace %s policy: %v", e.kind, err)
		}
		if doc, err := e.get("Lister"); err != nil || decodeDoc(t, doc) != allowDoc("iam:ListRoles") {
			t.Errorf("replaced %s policy: %v", e.kind, err)
		}
		if err := e.put("Bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}`); err == nil {
			t.Errorf("put a malformed %s policy succeeded", e.kind)
		} else {
			wantType[*types.MalformedPolicyDocumentException](t, "put malformed "+e.kind+" policy", err)
		}
		for _, n := range []string{"SelfRead", "Lister"} {
			if err := e.del(n); err != nil {
				t.Errorf("delete %s policy %s: %v", e.kind, n, err)
			}
		}
		_, err = e.get("SelfRead")
		wantType[*types.NoSuchEntityException](t, "get deleted "+e.kind+" policy", err)
		wantType[*types.NoSuchEntityException](t, "delete deleted "+e.kind+" policy", e.del("SelfRead"))
		if names, err := e.list(); err != nil || len(names) != 0 {
			t.Errorf("list %s policies after delete: %v %v", e.kind, names, err)
		}
	}
	must[*iam.DeleteRoleOutput](t, "DeleteRole")(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: rn}))
	must[*iam.DeleteGroupOutput](t, "DeleteGroup")(root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: g}))
	must[*iam.DeletePolicyOutput](t, "DeletePolicy")(root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn}))
}

func TestSDKGroupsAndMembership(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	root := rootIAM(srv)
	acct := srv.AccountID

	grp := must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("publishers"), Path: aws.String("/ci/")})).Group
	if aws.ToString(grp.Arn) != "arn:aws:iam::"+acct+":group/ci/publishers" || !strings.HasPrefix(aws.ToString(grp.GroupId), "AGPA") {
		t.Errorf("CreateGroup: %+v", grp)
	}
	_, err := root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Publishers")})
	wantType[*types.EntityAlreadyExistsException](t, "CreateGroup with a taken name", err)

	// The member acts with the group's policies.
	memberIAM, _, _ := newUserWithKey(t, srv, root, "dev")
	_, err = memberIAM.ListGroups(ctx, &iam.ListGroupsInput{})
	wantCode(t, "ListGroups before joining", err, "AccessDenied")
	must[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("publishers"), PolicyName: aws.String("list"), PolicyDocument: aws.String(allowDoc("iam:ListGroups", "iam:GetGroup"))}))
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("publishers"), UserName: aws.String("dev")}))
	_, err = root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("publishers"), UserName: aws.String("ghost")})
	wantType[*types.NoSuchEntityException](t, "AddUserToGroup of a missing user", err)
	_, err = root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ghosts"), UserName: aws.String("dev")})
	wantType[*types.NoSuchEntityException](t, "AddUserToGroup to a missing group", err)

	gs := must[*iam.ListGroupsOutput](t, "ListGroups as member")(memberIAM.ListGroups(ctx, &iam.ListGroupsInput{})).Groups
	if len(gs) != 1 || aws.ToString(gs[0].GroupName) != "publishers" {
		t.Errorf("ListGroups: %+v", gs)
	}
	gg := must[*iam.GetGroupOutput](t, "GetGroup")(root.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("publishers")}))
	if len(gg.Users) != 1 || aws.ToString(gg.Users[0].UserName) != "dev" || aws.ToString(gg.Group.GroupName) != "publishers" {
		t.Errorf("GetGroup: %+v", gg)
	}
	fu := must[*iam.ListGroupsForUserOutput](t, "ListGroupsForUser")(root.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("dev")})).Groups
	if len(fu) != 1 || aws.ToString(fu[0].GroupName) != "publishers" {
		t.Errorf("ListGroupsForUser: %+v", fu)
	}
	_, err = root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("publishers")})
	wantType[*types.DeleteConflictException](t, "DeleteGroup with members", err)

	must[*iam.RemoveUserFromGroupOutput](t, "RemoveUserFromGroup")(root.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("publishers"), UserName: aws.String("dev")}))
	_, err = memberIAM.ListGroups(ctx, &iam.ListGroupsInput{})
	wantCode(t, "ListGroups after leaving", err, "AccessDenied")
	if fu := must[*iam.ListGroupsForUserOutput](t, "ListGroupsForUser")(root.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("dev")})).Groups; len(fu) != 0 {
		t.Errorf("ListGroupsForUser after removal: %+v", fu)
	}
	_, err = root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("publishers")})
	wantType[*types.DeleteConflictException](t, "DeleteGroup with an inline policy", err)
	must[*iam.DeleteGroupPolicyOutput](t, "DeleteGroupPolicy")(root.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("publishers"), PolicyName: aws.String("list")}))
	must[*iam.DeleteGroupOutput](t, "DeleteGroup")(root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("publishers")}))
	_, err = root.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("publishers")})
	wantType[*types.NoSuchEntityException](t, "GetGroup after DeleteGroup", err)
}

func TestSDKRolesAndSTS(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	root := rootIAM(srv)
	acct := srv.AccountID

	// GetCallerIdentity as root.
	rid := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as root")(rootSTS(srv).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(rid.Arn) != "arn:aws:iam::"+acct+":root" || aws.ToString(rid.Account) != acct || aws.ToString(rid.UserId) != acct {
		t.Errorf("root identity: %+v", rid)
	}

	builderIAM, builderSTS, _ := newUserWithKey(t, srv, root, "builder")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/builder"},"Action":"sts:AssumeRole"}]}`
	role := must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("deployer"), AssumeRolePolicyDocument: aws.String(trust), Description: aws.String("CI deployer"), MaxSessionDuration: aws.Int32(7200),
	})).Role
	roleARN := aws.ToString(role.Arn)
	if roleARN != "arn:aws:iam::"+acct+":role/deployer" || !strings.HasPrefix(aws.ToString(role.RoleId), "AROA") {
		t.Fatalf("CreateRole: %+v", role)
	}
	gr := must[*iam.GetRoleOutput](t, "GetRole")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})).Role
	if decodeDoc(t, gr.AssumeRolePolicyDocument) != trust || aws.ToInt32(gr.MaxSessionDuration) != 7200 || aws.ToString(gr.Description) != "CI deployer" {
		t.Errorf("GetRole: %+v", gr)
	}
	_, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Deployer"), AssumeRolePolicyDocument: aws.String(trust)})
	wantType[*types.EntityAlreadyExistsException](t, "CreateRole with a taken name", err)
	_, err = root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("noprincipal"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
	wantType[*types.MalformedPolicyDocumentException](t, "CreateRole with a trust policy without Principal", err)

	// The role may list users and groups and read users.
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(allowDoc("iam:ListUsers", "iam:ListGroups", "iam:GetUser"))}))

	// Only builder is trusted: root is not.
	_, err = rootSTS(srv).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("root-try")})
	wantCode(t, "AssumeRole by root (not in the trust policy)", err, "AccessDenied")

	// Without a session policy the session has the role's permissions.
	full := must[*sts.AssumeRoleOutput](t, "AssumeRole")(builderSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("full")}))
	if aws.ToString(full.AssumedRoleUser.Arn) != "arn:aws:sts::"+acct+":assumed-role/deployer/full" ||
		!strings.HasPrefix(aws.ToString(full.Credentials.AccessKeyId), "ASIA") || aws.ToString(full.Credentials.SessionToken) == "" ||
		full.Credentials.Expiration == nil || time.Until(*full.Credentials.Expiration) < 50*time.Minute || time.Until(*full.Credentials.Expiration) > 61*time.Minute {
		t.Fatalf("AssumeRole: %+v %+v", full.AssumedRoleUser, full.Credentials)
	}
	fc := full.Credentials
	fullIAM := iamClient(srv, *fc.AccessKeyId, *fc.SecretAccessKey, *fc.SessionToken)
	must[*iam.ListUsersOutput](t, "ListUsers in a full session")(fullIAM.ListUsers(ctx, &iam.ListUsersInput{}))
	must[*iam.ListGroupsOutput](t, "ListGroups in a full session")(fullIAM.ListGroups(ctx, &iam.ListGroupsInput{}))
	_, err = fullIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	wantCode(t, "CreateUser in a full session", err, "AccessDenied")

	// A session policy narrows the session to iam:ListUsers.
	narrow := must[*sts.AssumeRoleOutput](t, "AssumeRole with a session policy")(builderSTS.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("build-42"), DurationSeconds: aws.Int32(900),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:CreateUser"],"Resource":"*"}]}`),
	}))
	//lint:ignore SA1019 botocore's STS model (the wire truth) still carries PackedPolicySize, and Wharf returns it.
	if packed := narrow.PackedPolicySize; packed == nil || *packed <= 0 {
		t.Errorf("PackedPolicySize with a session policy: %v", packed)
	}
	nc := narrow.Credentials
	sessIAM := iamClient(srv, *nc.AccessKeyId, *nc.SecretAccessKey, *nc.SessionToken)
	sessSTS := stsClient(srv, *nc.AccessKeyId, *nc.SecretAccessKey, *nc.SessionToken)
	sid := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity in a session")(sessSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(sid.Arn) != "arn:aws:sts::"+acct+":assumed-role/deployer/build-42" || aws.ToString(sid.UserId) != aws.ToString(role.RoleId)+":build-42" || aws.ToString(sid.Account) != acct {
		t.Errorf("session identity: %+v", sid)
	}
	// Inside both the role's policy and the session policy: allowed.
	lu := must[*iam.ListUsersOutput](t, "ListUsers in a narrowed session")(sessIAM.ListUsers(ctx, &iam.ListUsersInput{}))
	if len(lu.Users) != 1 || aws.ToString(lu.Users[0].UserName) != "builder" {
		t.Errorf("ListUsers in a narrowed session: %+v", lu.Users)
	}
	// Allowed by the role, outside the session policy: denied.
	_, err = sessIAM.ListGroups(ctx, &iam.ListGroupsInput{})
	wantCode(t, "ListGroups outside the session policy", err, "AccessDenied")
	var ae smithy.APIError
	if errors.As(err, &ae) && !strings.Contains(ae.ErrorMessage(), "no session policy allows the iam:ListGroups action") {
		t.Errorf("AccessDenied outside the session policy does not name the session policy: %q", ae.ErrorMessage())
	}
	// In the session policy but not the role's: a session policy grants nothing.
	_, err = sessIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	wantCode(t, "CreateUser allowed only by the session policy", err, "AccessDenied")
	// Role sessions cannot get session tokens.
	_, err = sessSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantCode(t, "GetSessionToken with role credentials", err, "AccessDenied")
	// A tampered session token is refused.
	bad := stsClient(srv, *nc.AccessKeyId, *nc.SecretAccessKey, (*nc.SessionToken)[:len(*nc.SessionToken)-4]+"AAAA")
	_, err = bad.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, "GetCallerIdentity with a tampered token", err, "InvalidClientTokenId")
	_, err = builderSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("long"), DurationSeconds: aws.Int32(7201)})
	wantCode(t, "AssumeRole beyond MaxSessionDuration", err, "ValidationError")
	_, err = builderSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("bad"), Policy: aws.String(`{"Statement":`)})
	wantCode(t, "AssumeRole with a malformed session policy", err, "MalformedPolicyDocument")

	// GetSessionToken for a user: the same identity, temporary keys.
	st := must[*sts.GetSessionTokenOutput](t, "GetSessionToken")(builderSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})).Credentials
	if !strings.HasPrefix(aws.ToString(st.AccessKeyId), "ASIA") || st.Expiration == nil || time.Until(*st.Expiration) > 16*time.Minute {
		t.Errorf("GetSessionToken: %+v", st)
	}
	tid := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity with session-token credentials")(
		stsClient(srv, *st.AccessKeyId, *st.SecretAccessKey, *st.SessionToken).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(tid.Arn) != "arn:aws:iam::"+acct+":user/builder" {
		t.Errorf("identity with GetSessionToken credentials: %+v", tid)
	}
	// The user's own identity, and what it may not do.
	bid := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as builder")(builderSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(bid.Arn) != "arn:aws:iam::"+acct+":user/builder" {
		t.Errorf("builder identity: %+v", bid)
	}
	_, err = builderIAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers as builder", err, "AccessDenied")

	// Root may get a session token with the default duration: AWS caps the
	// root's session at one hour instead of refusing ("If the duration is
	// longer than one hour, the session for AWS account owners defaults to
	// one hour", STS API reference, GetSessionToken DurationSeconds).
	if rt, err := rootSTS(srv).GetSessionToken(ctx, &sts.GetSessionTokenInput{}); err != nil {
		t.Errorf("GetSessionToken as root without DurationSeconds: %v (AWS answers with a one-hour session)", err)
	} else if e := rt.Credentials.Expiration; e == nil || time.Until(*e) > 61*time.Minute {
		t.Errorf("root session token expires %v, want within one hour", e)
	}
	rt := must[*sts.GetSessionTokenOutput](t, "GetSessionToken as root (1h)")(rootSTS(srv).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(3600)})).Credentials
	rtid := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as a root session")(
		stsClient(srv, *rt.AccessKeyId, *rt.SecretAccessKey, *rt.SessionToken).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(rtid.Arn) != "arn:aws:iam::"+acct+":root" {
		t.Errorf("identity with root session-token credentials: %+v", rtid)
	}

	// Deleting the role ends its sessions.
	must[*iam.DeleteRolePolicyOutput](t, "DeleteRolePolicy")(root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("read")}))
	must[*iam.DeleteRoleOutput](t, "DeleteRole")(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deployer")}))
	_, err = sessSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, "GetCallerIdentity after DeleteRole", err, "InvalidClientTokenId")
	_, err = root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})
	wantType[*types.NoSuchEntityException](t, "GetRole after DeleteRole", err)
}

func TestSDKErrorTypes(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	root := rootIAM(srv)

	_, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	if e := wantType[*types.NoSuchEntityException](t, "GetUser nobody", err); e != nil {
		if e.ErrorCode() != "NoSuchEntity" || !strings.Contains(e.ErrorMessage(), "nobody") {
			t.Errorf("NoSuchEntity: code %q message %q", e.ErrorCode(), e.ErrorMessage())
		}
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() != 404 {
		t.Errorf("NoSuchEntity HTTP status %d, want 404", re.HTTPStatusCode())
	}
	var rid interface{ ServiceRequestID() string }
	if !errors.As(err, &rid) || rid.ServiceRequestID() == "" {
		t.Errorf("NoSuchEntity carries no request ID: %v", err)
	}
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("github-actions")}))
	_, err = root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("GitHub-Actions")})
	wantType[*types.EntityAlreadyExistsException](t, "CreateUser with another case", err)
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("github-actions"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowDoc("iam:GetUser"))}))
	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("github-actions")})
	wantType[*types.DeleteConflictException](t, "DeleteUser with an inline policy", err)
	_, err = root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Bad"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*"}]}`)})
	wantType[*types.MalformedPolicyDocumentException](t, "CreatePolicy without Resource", err)
	_, err = root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("has space")})
	wantCode(t, "CreateUser with a space", err, "ValidationError")
	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("nobody")})
	wantType[*types.NoSuchEntityException](t, "DeleteUser nobody", err)
	_, err = root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("github-actions"), AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA"), Status: types.StatusTypeInactive})
	wantType[*types.NoSuchEntityException](t, "UpdateAccessKey of a missing key", err)
	// A wrong secret: SignatureDoesNotMatch; an unknown key: InvalidClientTokenId.
	_, err = iamClient(srv, srv.RootKeyID, strings.Repeat("x", 40), "").ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers with a wrong secret", err, "SignatureDoesNotMatch")
	_, err = stsClient(srv, "AKIAIOSFODNN7EXAMPLE", strings.Repeat("x", 40), "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, "GetCallerIdentity with an unknown key", err, "InvalidClientTokenId")
}

func TestSDKPermissionsBoundary(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	root := rootIAM(srv)
	acct := srv.AccountID

	userIAM, _, _ := newUserWithKey(t, srv, root, "bounded")
	// Identity: everything in IAM. Boundary: read only.
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bounded"), PolicyName: aws.String("admin"), PolicyDocument: aws.String(allowDoc("iam:*"))}))
	b := must[*iam.CreatePolicyOutput](t, "CreatePolicy boundary")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ReadOnlyBoundary"),
		PolicyDocument: aws.String(allowDoc("iam:Get*", "iam:List*", "ecr-public:*"))})).Policy

	must[*iam.CreateUserOutput](t, "CreateUser as unbounded admin")(userIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("before")}))
	must[*iam.PutUserPermissionsBoundaryOutput](t, "PutUserPermissionsBoundary")(root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: b.Arn}))
	u := must[*iam.GetUserOutput](t, "GetUser")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bounded")})).User
	if u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(b.Arn) || u.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy {
		// AttachedPermissionsBoundary.PermissionsBoundaryType: "Valid Values:
		// PermissionsBoundaryPolicy" (IAM API reference).
		t.Errorf("GetUser PermissionsBoundary: type %q ARN %q, want type %q ARN %q", u.PermissionsBoundary.PermissionsBoundaryType, aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn),
			types.PermissionsBoundaryAttachmentTypePolicy, aws.ToString(b.Arn))
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	must[*iam.CreateRoleOutput](t, "CreateRole with a boundary")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bounded-role"), AssumeRolePolicyDocument: aws.String(trust), PermissionsBoundary: b.Arn}))
	if r := must[*iam.GetRoleOutput](t, "GetRole")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bounded-role")})).Role; r.PermissionsBoundary == nil ||
		r.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy || aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(b.Arn) {
		t.Errorf("GetRole PermissionsBoundary: %+v, want type %q", r.PermissionsBoundary, types.PermissionsBoundaryAttachmentTypePolicy)
	}
	must[*iam.DeleteRoleOutput](t, "DeleteRole")(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("bounded-role")}))
	// Inside identity ∩ boundary: allowed.
	must[*iam.ListUsersOutput](t, "ListUsers inside the boundary")(userIAM.ListUsers(ctx, &iam.ListUsersInput{}))
	must[*iam.GetUserOutput](t, "GetUser inside the boundary")(userIAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("before")}))
	// Allowed by identity, outside the boundary: denied, and the message says why.
	_, err := userIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("after")})
	wantCode(t, "CreateUser outside the boundary", err, "AccessDenied")
	var ae smithy.APIError
	if errors.As(err, &ae) && !strings.Contains(ae.ErrorMessage(), "because no permissions boundary allows the iam:CreateUser action") {
		t.Errorf("AccessDenied message does not name the boundary: %q", ae.ErrorMessage())
	}
	// Allowed by the boundary but not by identity: still denied (a boundary grants nothing).
	must[*iam.DeleteUserPolicyOutput](t, "DeleteUserPolicy")(root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bounded"), PolicyName: aws.String("admin")}))
	_, err = userIAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers with only a boundary", err, "AccessDenied")
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bounded"), PolicyName: aws.String("admin"), PolicyDocument: aws.String(allowDoc("iam:*"))}))

	// The boundary policy is in use: it counts as such and cannot be deleted.
	gp := must[*iam.GetPolicyOutput](t, "GetPolicy boundary")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: b.Arn})).Policy
	if aws.ToInt32(gp.PermissionsBoundaryUsageCount) != 1 || aws.ToInt32(gp.AttachmentCount) != 0 {
		t.Errorf("boundary policy: PermissionsBoundaryUsageCount %d AttachmentCount %d, want 1 and 0 (IAM API reference, Policy data type)",
			aws.ToInt32(gp.PermissionsBoundaryUsageCount), aws.ToInt32(gp.AttachmentCount))
	}
	_, err = root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: b.Arn})
	wantType[*types.DeleteConflictException](t, "DeletePolicy of a boundary in use", err)
	// A boundary that is not a managed policy is refused.
	_, err = root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String("arn:aws:iam::" + acct + ":policy/Missing")})
	wantType[*types.NoSuchEntityException](t, "PutUserPermissionsBoundary with a missing policy", err)

	// Removing the boundary restores the identity policy's reach.
	must[*iam.DeleteUserPermissionsBoundaryOutput](t, "DeleteUserPermissionsBoundary")(root.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")}))
	must[*iam.CreateUserOutput](t, "CreateUser after removing the boundary")(userIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("after")}))
	if u := must[*iam.GetUserOutput](t, "GetUser")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bounded")})).User; u.PermissionsBoundary != nil {
		t.Errorf("boundary still set: %+v", u.PermissionsBoundary)
	}

	// A user created with a boundary is bounded from the start.
	must[*iam.CreateUserOutput](t, "CreateUser with a boundary")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("born-bounded"), PermissionsBoundary: b.Arn}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("born-bounded"), PolicyName: aws.String("admin"), PolicyDocument: aws.String(allowDoc("iam:*"))}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("born-bounded")})).AccessKey
	bb := iamClient(srv, *k.AccessKeyId, *k.SecretAccessKey, "")
	must[*iam.ListUsersOutput](t, "ListUsers as born-bounded")(bb.ListUsers(ctx, &iam.ListUsersInput{}))
	_, err = bb.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("after")})
	wantCode(t, "DeleteUser as born-bounded", err, "AccessDenied")
}
