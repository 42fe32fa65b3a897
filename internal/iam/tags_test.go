// The tag operations, and the account-wide operations through the Query
// adapter: an external test package, as internal/api/iamquery imports iam.
package iam_test

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/api/awsquery"
	"github.com/wharf-project/wharf/internal/api/iamquery"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/sqlite"
)

const tagsAccount = "123456789012"

func tagsService(t *testing.T) (context.Context, *iam.Service, *authz.Call) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := secrets.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	svc := iam.New(st, authz.New(), box, catalog.MustLoad(), time.Now)
	if _, _, err := svc.BootstrapAccount(ctx, tagsAccount, iam.RootKey{}); err != nil {
		t.Fatal(err)
	}
	if err := svc.EnsureAWSManaged(ctx); err != nil {
		t.Fatal(err)
	}
	root := &authz.Call{Subject: &authz.Subject{Caller: policy.Caller{Kind: policy.CallerRoot, ARN: "arn:aws:iam::" + tagsAccount + ":root",
		Account: tagsAccount, UserID: tagsAccount}}, Now: time.Now()}
	return ctx, svc, root
}

func userCall(svc *iam.Service, u store.User) *authz.Call {
	return &authz.Call{Subject: &authz.Subject{Caller: policy.Caller{Kind: policy.CallerUser, ARN: svc.UserARN(u),
		Account: u.AccountID, UserID: u.ID, UserName: u.Name}}, Now: time.Now()}
}

func code(t *testing.T, err error, want string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != want {
		t.Fatalf("error = %v, want code %s", err, want)
	}
}

func codeIn(t *testing.T, err error, want ...string) {
	t.Helper()
	var e *errs.Error
	if errors.As(err, &e) {
		for _, c := range want {
			if e.Code == c {
				return
			}
		}
	}
	t.Fatalf("error = %v, want one of the codes %v", err, want)
}

func tagString(ts []store.Tag) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, t.Key+"="+t.Value)
	}
	return strings.Join(parts, ",")
}

const trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
const allowDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*"}]}`

func TestRoleTags(t *testing.T) {
	ctx, svc, root := tagsService(t)
	if _, err := svc.CreateRole(ctx, root, iam.CreateRoleInput{RoleName: "builder", AssumeRolePolicyDocument: trustDoc}); err != nil {
		t.Fatal(err)
	}
	list := func() string {
		t.Helper()
		ts, marker, err := svc.ListRoleTags(ctx, root, "builder", iam.Page{})
		if err != nil || marker != "" {
			t.Fatalf("ListRoleTags: %v, marker %q", err, marker)
		}
		return tagString(ts)
	}
	if got := list(); got != "" {
		t.Fatalf("new role has tags %s", got)
	}
	if err := svc.TagRole(ctx, root, "builder", []store.Tag{{Key: "Env", Value: "prod"}, {Key: "team", Value: "a"}, {Key: "empty", Value: ""}}); err != nil {
		t.Fatal(err)
	}
	// Keys are case-insensitive: env replaces Env.
	if err := svc.TagRole(ctx, root, "BUILDER", []store.Tag{{Key: "env", Value: "dev"}}); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "env=dev,team=a,empty=" {
		t.Fatalf("tags = %s", got)
	}
	r, err := svc.GetRole(ctx, root, "builder")
	if err != nil || tagString(r.Tags) != "env=dev,team=a,empty=" {
		t.Fatalf("GetRole tags = %v, %v", r.Tags, err)
	}

	// Paging.
	ts, marker, err := svc.ListRoleTags(ctx, root, "builder", iam.Page{MaxItems: 2})
	if err != nil || tagString(ts) != "env=dev,team=a" || marker == "" {
		t.Fatalf("page 1 = %v, %q, %v", ts, marker, err)
	}
	ts, marker, err = svc.ListRoleTags(ctx, root, "builder", iam.Page{MaxItems: 2, Marker: marker})
	if err != nil || tagString(ts) != "empty=" || marker != "" {
		t.Fatalf("page 2 = %v, %q, %v", ts, marker, err)
	}
	_, _, err = svc.ListRoleTags(ctx, root, "builder", iam.Page{Marker: "x"})
	code(t, err, "InvalidInput")

	if err := svc.UntagRole(ctx, root, "builder", []string{"TEAM", "absent"}); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "env=dev,empty=" {
		t.Fatalf("after UntagRole: %s", got)
	}

	code(t, svc.TagRole(ctx, root, "builder", nil), "ValidationError")
	code(t, svc.TagRole(ctx, root, "builder", []store.Tag{{Key: "a", Value: "1"}, {Key: "A", Value: "2"}}), "InvalidInput")
	code(t, svc.TagRole(ctx, root, "builder", []store.Tag{{Key: "bad*key", Value: "1"}}), "InvalidInput")
	var many []store.Tag
	for i := 0; i < 49; i++ {
		many = append(many, store.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
	}
	code(t, svc.TagRole(ctx, root, "builder", many), "LimitExceeded") // 2 + 49 > 50
	code(t, svc.UntagRole(ctx, root, "builder", nil), "ValidationError")
	code(t, svc.UntagRole(ctx, root, "builder", []string{"bad*key"}), "ValidationError")
	code(t, svc.TagRole(ctx, root, "nobody", []store.Tag{{Key: "a", Value: "1"}}), "NoSuchEntity")
	_, _, err = svc.ListRoleTags(ctx, root, "nobody", iam.Page{})
	code(t, err, "NoSuchEntity")

	u, err := svc.CreateUser(ctx, root, iam.CreateUserInput{UserName: "hank"})
	if err != nil {
		t.Fatal(err)
	}
	code(t, svc.TagRole(ctx, userCall(svc, u), "builder", []store.Tag{{Key: "a", Value: "1"}}), "AccessDenied")
	code(t, svc.UntagRole(ctx, userCall(svc, u), "builder", []string{"env"}), "AccessDenied")
	_, _, err = svc.ListRoleTags(ctx, userCall(svc, u), "builder", iam.Page{})
	code(t, err, "AccessDenied")
}

func TestPolicyTags(t *testing.T) {
	ctx, svc, root := tagsService(t)
	p, err := svc.CreatePolicy(ctx, root, iam.CreatePolicyInput{PolicyName: "shared", PolicyDocument: allowDoc, Tags: []store.Tag{{Key: "owner", Value: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.TagPolicy(ctx, root, p.ARN, []store.Tag{{Key: "Owner", Value: "y"}, {Key: "cost", Value: "1"}}); err != nil {
		t.Fatal(err)
	}
	ts, marker, err := svc.ListPolicyTags(ctx, root, p.ARN, iam.Page{})
	if err != nil || marker != "" || tagString(ts) != "Owner=y,cost=1" {
		t.Fatalf("ListPolicyTags = %v, %q, %v", ts, marker, err)
	}
	if err := svc.UntagPolicy(ctx, root, p.ARN, []string{"owner"}); err != nil {
		t.Fatal(err)
	}
	if ts, _, err := svc.ListPolicyTags(ctx, root, p.ARN, iam.Page{}); err != nil || tagString(ts) != "cost=1" {
		t.Fatalf("after UntagPolicy: %v, %v", ts, err)
	}

	// AWS-managed policies cannot be tagged. The refusal is AccessDenied
	// while authorization treats the "aws" account of their ARNs as another
	// account, InvalidInput once it does not.
	aws := "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	codeIn(t, svc.TagPolicy(ctx, root, aws, []store.Tag{{Key: "a", Value: "1"}}), "InvalidInput", "AccessDenied")
	codeIn(t, svc.UntagPolicy(ctx, root, aws, []string{"a"}), "InvalidInput", "AccessDenied")
	if ts, _, err := svc.ListPolicyTags(ctx, root, aws, iam.Page{}); len(ts) != 0 {
		t.Fatalf("AWS-managed policy tags = %v, %v", ts, err)
	}
	missing := "arn:aws:iam::123456789012:policy/missing"
	code(t, svc.TagPolicy(ctx, root, missing, []store.Tag{{Key: "a", Value: "1"}}), "NoSuchEntity")
	_, _, err = svc.ListPolicyTags(ctx, root, missing, iam.Page{})
	code(t, err, "NoSuchEntity")
	code(t, svc.TagPolicy(ctx, root, "not-an-arn", []store.Tag{{Key: "a", Value: "1"}}), "InvalidInput")
	code(t, svc.TagPolicy(ctx, root, p.ARN, nil), "ValidationError")
	code(t, svc.UntagPolicy(ctx, root, p.ARN, nil), "ValidationError")

	u, err := svc.CreateUser(ctx, root, iam.CreateUserInput{UserName: "ivy"})
	if err != nil {
		t.Fatal(err)
	}
	code(t, svc.TagPolicy(ctx, userCall(svc, u), p.ARN, []store.Tag{{Key: "a", Value: "1"}}), "AccessDenied")
	_, _, err = svc.ListPolicyTags(ctx, userCall(svc, u), p.ARN, iam.Page{})
	code(t, err, "AccessDenied")
}

func TestListUserTags(t *testing.T) {
	ctx, svc, root := tagsService(t)
	u, err := svc.CreateUser(ctx, root, iam.CreateUserInput{UserName: "jo", Tags: []store.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}})
	if err != nil {
		t.Fatal(err)
	}
	ts, marker, err := svc.ListUserTags(ctx, root, "jo", iam.Page{MaxItems: 1})
	if err != nil || tagString(ts) != "a=1" || marker == "" {
		t.Fatalf("ListUserTags = %v, %q, %v", ts, marker, err)
	}
	// ListUserTags is its own action: iam:GetUser does not grant it.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	if err := svc.PutInlinePolicy(ctx, root, store.KindUser, "jo", "get", doc); err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.ListUserTags(ctx, userCall(svc, u), "jo", iam.Page{})
	code(t, err, "AccessDenied")
}

// --- Through the Query adapter ---

type querier struct {
	t    *testing.T
	ctx  context.Context
	h    *iamquery.Handler
	call *authz.Call
}

func (q querier) do(action string, params ...string) (int, string) {
	q.t.Helper()
	v := url.Values{"Action": {action}, "Version": {iamquery.Version}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	status, body := q.h.Serve(q.ctx, q.call, awsquery.Form{Values: v}, "req-1")
	return status, string(body)
}

// ok runs an action that must succeed and decodes its Result into out.
func (q querier) ok(out any, action string, params ...string) string {
	q.t.Helper()
	status, body := q.do(action, params...)
	if status != 200 {
		q.t.Fatalf("%s: %d %s", action, status, body)
	}
	if out != nil {
		if err := xml.Unmarshal([]byte(body), out); err != nil {
			q.t.Fatalf("%s: %v\n%s", action, err, body)
		}
	}
	return body
}

func (q querier) fails(wantStatus int, wantCode, action string, params ...string) {
	q.t.Helper()
	status, body := q.do(action, params...)
	if status != wantStatus || !strings.Contains(body, "<Code>"+wantCode+"</Code>") || !strings.Contains(body, "<RequestId>req-1</RequestId>") {
		q.t.Fatalf("%s: %d %s; want %d %s", action, status, body, wantStatus, wantCode)
	}
}

func TestQueryLoginProfile(t *testing.T) {
	ctx, svc, root := tagsService(t)
	q := querier{t, ctx, iamquery.New(svc), root}
	q.ok(nil, "CreateUser", "UserName", "alice")

	body := q.ok(nil, "CreateLoginProfile", "UserName", "alice", "Password", "Corr3ct-horse", "PasswordResetRequired", "true")
	for _, want := range []string{
		`<CreateLoginProfileResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateLoginProfileResult><LoginProfile><UserName>alice</UserName><CreateDate>`,
		`Z</CreateDate><PasswordResetRequired>true</PasswordResetRequired></LoginProfile></CreateLoginProfileResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></CreateLoginProfileResponse>`,
	} {
		if !strings.Contains(body, want) {
			t.Fatalf("CreateLoginProfile body:\n%s\nwant %s", body, want)
		}
	}
	if strings.Contains(body, "Corr3ct-horse") {
		t.Fatal("the password is echoed")
	}
	var got struct {
		LoginProfile struct {
			UserName              string
			CreateDate            time.Time
			PasswordResetRequired bool
		} `xml:"GetLoginProfileResult>LoginProfile"`
	}
	q.ok(&got, "GetLoginProfile", "UserName", "alice")
	if got.LoginProfile.UserName != "alice" || !got.LoginProfile.PasswordResetRequired || got.LoginProfile.CreateDate.IsZero() {
		t.Fatalf("GetLoginProfile = %+v", got)
	}
	q.fails(409, "EntityAlreadyExists", "CreateLoginProfile", "UserName", "alice", "Password", "Corr3ct-horse")
	q.fails(400, "PasswordPolicyViolation", "UpdateLoginProfile", "UserName", "alice", "Password", "weak")
	q.fails(400, "ValidationError", "UpdateLoginProfile", "PasswordResetRequired", "false")
	q.fails(400, "ValidationError", "UpdateLoginProfile", "UserName", "alice", "PasswordResetRequired", "maybe")
	q.ok(nil, "UpdateLoginProfile", "UserName", "alice", "PasswordResetRequired", "false")
	q.ok(&got, "GetLoginProfile", "UserName", "alice")
	if got.LoginProfile.PasswordResetRequired {
		t.Fatal("PasswordResetRequired still true")
	}
	if body := q.ok(nil, "DeleteLoginProfile", "UserName", "alice"); !strings.Contains(body, "<DeleteLoginProfileResponse") || strings.Contains(body, "Result") {
		t.Fatalf("DeleteLoginProfile body %s", body)
	}
	q.fails(404, "NoSuchEntity", "GetLoginProfile", "UserName", "alice")
}

func TestQueryCredentialReport(t *testing.T) {
	ctx, svc, root := tagsService(t)
	q := querier{t, ctx, iamquery.New(svc), root}
	q.fails(410, "ReportNotPresent", "GetCredentialReport")
	q.ok(nil, "CreateUser", "UserName", "bob")

	var gen struct {
		State       string `xml:"GenerateCredentialReportResult>State"`
		Description string `xml:"GenerateCredentialReportResult>Description"`
	}
	q.ok(&gen, "GenerateCredentialReport")
	if gen.State != "COMPLETE" || gen.Description == "" {
		t.Fatalf("GenerateCredentialReport = %+v", gen)
	}
	var rep struct {
		Content       string    `xml:"GetCredentialReportResult>Content"`
		ReportFormat  string    `xml:"GetCredentialReportResult>ReportFormat"`
		GeneratedTime time.Time `xml:"GetCredentialReportResult>GeneratedTime"`
	}
	q.ok(&rep, "GetCredentialReport")
	content, err := base64.StdEncoding.DecodeString(rep.Content)
	if err != nil {
		t.Fatalf("Content is not base64: %v", err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(content))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rep.ReportFormat != "text/csv" || rep.GeneratedTime.IsZero() || len(rows) != 3 || rows[1][0] != "<root_account>" || rows[2][0] != "bob" ||
		strings.Join(rows[0], ",") != "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated" {
		t.Fatalf("report = %+v\n%s", rep, content)
	}
}

// The GetAccountAuthorizationDetails result, decoded with botocore's member names.
type xmlDetails struct {
	Users []struct {
		UserName       string   `xml:"UserName"`
		Arn            string   `xml:"Arn"`
		GroupList      []string `xml:"GroupList>member"`
		UserPolicyList []struct {
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		} `xml:"UserPolicyList>member"`
		AttachedManagedPolicies []struct {
			PolicyName string `xml:"PolicyName"`
			PolicyArn  string `xml:"PolicyArn"`
		} `xml:"AttachedManagedPolicies>member"`
		PermissionsBoundary struct {
			PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
			PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
		} `xml:"PermissionsBoundary"`
		Tags []struct{ Key, Value string } `xml:"Tags>member"`
	} `xml:"GetAccountAuthorizationDetailsResult>UserDetailList>member"`
	Groups []struct {
		GroupName       string `xml:"GroupName"`
		GroupPolicyList []struct {
			PolicyName string `xml:"PolicyName"`
		} `xml:"GroupPolicyList>member"`
	} `xml:"GetAccountAuthorizationDetailsResult>GroupDetailList>member"`
	Roles []struct {
		RoleName                 string `xml:"RoleName"`
		AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
		RolePolicyList           []struct {
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		} `xml:"RolePolicyList>member"`
		Tags []struct{ Key, Value string } `xml:"Tags>member"`
	} `xml:"GetAccountAuthorizationDetailsResult>RoleDetailList>member"`
	Policies []struct {
		PolicyName        string `xml:"PolicyName"`
		Arn               string `xml:"Arn"`
		DefaultVersionId  string `xml:"DefaultVersionId"`
		AttachmentCount   int    `xml:"AttachmentCount"`
		IsAttachable      bool   `xml:"IsAttachable"`
		PolicyVersionList []struct {
			Document         string `xml:"Document"`
			VersionId        string `xml:"VersionId"`
			IsDefaultVersion bool   `xml:"IsDefaultVersion"`
		} `xml:"PolicyVersionList>member"`
	} `xml:"GetAccountAuthorizationDetailsResult>Policies>member"`
	IsTruncated *bool `xml:"GetAccountAuthorizationDetailsResult>IsTruncated"`
}

func TestQueryAuthorizationDetailsAndTags(t *testing.T) {
	ctx, svc, root := tagsService(t)
	q := querier{t, ctx, iamquery.New(svc), root}
	var created struct {
		Arn string `xml:"CreatePolicyResult>Policy>Arn"`
	}
	q.ok(&created, "CreatePolicy", "PolicyName", "limits", "PolicyDocument", allowDoc)
	q.ok(nil, "CreateUser", "UserName", "alice", "PermissionsBoundary", created.Arn, "Tags.member.1.Key", "team", "Tags.member.1.Value", "a")
	q.ok(nil, "CreateGroup", "GroupName", "devs")
	q.ok(nil, "AddUserToGroup", "GroupName", "devs", "UserName", "alice")
	q.ok(nil, "PutGroupPolicy", "GroupName", "devs", "PolicyName", "g", "PolicyDocument", allowDoc)
	q.ok(nil, "PutUserPolicy", "UserName", "alice", "PolicyName", "u", "PolicyDocument", allowDoc)
	q.ok(nil, "AttachUserPolicy", "UserName", "alice", "PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
	q.ok(nil, "CreateRole", "RoleName", "builder", "AssumeRolePolicyDocument", trustDoc)
	q.ok(nil, "PutRolePolicy", "RoleName", "builder", "PolicyName", "r", "PolicyDocument", allowDoc)

	// Role tags.
	q.ok(nil, "TagRole", "RoleName", "builder", "Tags.member.1.Key", "env", "Tags.member.1.Value", "ci", "Tags.member.2.Key", "team", "Tags.member.2.Value", "b")
	body := q.ok(nil, "ListRoleTags", "RoleName", "builder", "MaxItems", "1")
	if !strings.Contains(body, "<ListRoleTagsResult><Tags><member><Key>env</Key><Value>ci</Value></member></Tags><IsTruncated>true</IsTruncated><Marker>1</Marker></ListRoleTagsResult>") {
		t.Fatalf("ListRoleTags page 1:\n%s", body)
	}
	body = q.ok(nil, "ListRoleTags", "RoleName", "builder", "Marker", "1")
	if !strings.Contains(body, "<ListRoleTagsResult><Tags><member><Key>team</Key><Value>b</Value></member></Tags><IsTruncated>false</IsTruncated></ListRoleTagsResult>") {
		t.Fatalf("ListRoleTags page 2:\n%s", body)
	}
	q.ok(nil, "UntagRole", "RoleName", "builder", "TagKeys.member.1", "team")
	q.fails(400, "ValidationError", "TagRole", "RoleName", "builder")
	q.fails(400, "ValidationError", "UntagRole", "RoleName", "builder")
	q.fails(400, "ValidationError", "ListRoleTags")
	q.fails(404, "NoSuchEntity", "ListRoleTags", "RoleName", "nobody")

	// Policy tags.
	q.ok(nil, "TagPolicy", "PolicyArn", created.Arn, "Tags.member.1.Key", "owner", "Tags.member.1.Value", "sec")
	body = q.ok(nil, "ListPolicyTags", "PolicyArn", created.Arn)
	if !strings.Contains(body, "<ListPolicyTagsResult><Tags><member><Key>owner</Key><Value>sec</Value></member></Tags><IsTruncated>false</IsTruncated></ListPolicyTagsResult>") {
		t.Fatalf("ListPolicyTags:\n%s", body)
	}
	q.ok(nil, "UntagPolicy", "PolicyArn", created.Arn, "TagKeys.member.1", "owner")
	if body := q.ok(nil, "ListPolicyTags", "PolicyArn", created.Arn); !strings.Contains(body, "<ListPolicyTagsResult><Tags></Tags><IsTruncated>false</IsTruncated></ListPolicyTagsResult>") {
		t.Fatalf("ListPolicyTags after UntagPolicy:\n%s", body)
	}
	q.fails(400, "ValidationError", "TagPolicy", "PolicyArn", created.Arn)
	q.fails(404, "NoSuchEntity", "TagPolicy", "PolicyArn", "arn:aws:iam::123456789012:policy/missing", "Tags.member.1.Key", "a", "Tags.member.1.Value", "b")

	// Authorization details.
	var d xmlDetails
	body = q.ok(&d, "GetAccountAuthorizationDetails")
	if len(d.Users) != 1 || len(d.Groups) != 1 || len(d.Roles) != 1 || d.IsTruncated == nil || *d.IsTruncated {
		t.Fatalf("details:\n%s", body)
	}
	u := d.Users[0]
	if u.UserName != "alice" || u.Arn != "arn:aws:iam::123456789012:user/alice" || strings.Join(u.GroupList, ",") != "devs" || len(u.UserPolicyList) != 1 ||
		u.UserPolicyList[0].PolicyDocument != awsquery.EncodePolicy(allowDoc) || len(u.AttachedManagedPolicies) != 1 ||
		u.AttachedManagedPolicies[0].PolicyName != "IAMReadOnlyAccess" || u.PermissionsBoundary.PermissionsBoundaryType != "PermissionsBoundaryPolicy" ||
		u.PermissionsBoundary.PermissionsBoundaryArn != created.Arn || len(u.Tags) != 1 {
		t.Errorf("user detail %+v\n%s", u, body)
	}
	if g := d.Groups[0]; g.GroupName != "devs" || len(g.GroupPolicyList) != 1 || g.GroupPolicyList[0].PolicyName != "g" {
		t.Errorf("group detail %+v", g)
	}
	if r := d.Roles[0]; r.RoleName != "builder" || r.AssumeRolePolicyDocument != awsquery.EncodePolicy(trustDoc) || len(r.RolePolicyList) != 1 ||
		r.RolePolicyList[0].PolicyDocument != awsquery.EncodePolicy(allowDoc) || len(r.Tags) != 1 || r.Tags[0].Key != "env" {
		t.Errorf("role detail %+v", r)
	}
	if len(d.Policies) != 2 {
		t.Fatalf("policies: %+v", d.Policies)
	}
	for _, p := range d.Policies {
		if !p.IsAttachable || len(p.PolicyVersionList) != 1 || !p.PolicyVersionList[0].IsDefaultVersion || p.PolicyVersionList[0].VersionId != p.DefaultVersionId {
			t.Errorf("policy %+v", p)
		}
		doc, err := url.PathUnescape(p.PolicyVersionList[0].Document)
		if err != nil || !strings.HasPrefix(strings.TrimSpace(doc), "{") || strings.Contains(p.PolicyVersionList[0].Document, "{") {
			t.Errorf("%s: the document is not URL-encoded JSON: %q", p.PolicyName, p.PolicyVersionList[0].Document)
		}
	}
	if d.Policies[0].PolicyName != "IAMReadOnlyAccess" || d.Policies[0].AttachmentCount != 1 || d.Policies[1].PolicyName != "limits" || d.Policies[1].AttachmentCount != 0 {
		t.Errorf("policies %+v", d.Policies)
	}
	for _, want := range []string{"<InstanceProfileList></InstanceProfileList>", "<RoleLastUsed></RoleLastUsed>", "<PermissionsBoundaryUsageCount>1</PermissionsBoundaryUsageCount>"} {
		if !strings.Contains(body, want) {
			t.Errorf("details lack %s:\n%s", want, body)
		}
	}

	// A filter: every list is still there, empty.
	body = q.ok(nil, "GetAccountAuthorizationDetails", "Filter.member.1", "Role")
	if !strings.Contains(body, "<GetAccountAuthorizationDetailsResult><UserDetailList></UserDetailList><GroupDetailList></GroupDetailList><RoleDetailList><member><Path>/</Path><RoleName>builder</RoleName>") ||
		!strings.Contains(body, "</RoleDetailList><Policies></Policies><IsTruncated>false</IsTruncated></GetAccountAuthorizationDetailsResult>") {
		t.Fatalf("filtered details:\n%s", body)
	}
	q.fails(400, "ValidationError", "GetAccountAuthorizationDetails", "Filter.member.1", "Everything")
	q.fails(400, "ValidationError", "GetAccountAuthorizationDetails", "MaxItems", "many")
}
