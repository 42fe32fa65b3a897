package iamquery

import (
	"context"
	"encoding/base64"

	"github.com/wharf-project/wharf/internal/api/awsquery"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/store"
)

// The shapes of the account-wide operations, with botocore's member names.

type xLoginProfile struct {
	UserName              string        `xml:"UserName"`
	CreateDate            awsquery.Time `xml:"CreateDate"`
	PasswordResetRequired bool          `xml:"PasswordResetRequired"`
}

func loginProfile(lp iam.LoginProfile) xLoginProfile {
	return xLoginProfile{lp.UserName, awsquery.Time(lp.CreateDate), lp.PasswordResetRequired}
}

// xPolicyDetail is an inline policy (PolicyDetail).
type xPolicyDetail struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func policyDetails(ps []store.InlinePolicy) []xPolicyDetail {
	out := []xPolicyDetail{}
	for _, p := range ps {
		out = append(out, xPolicyDetail{p.Name, awsquery.EncodePolicy(p.Document)})
	}
	return out
}

func attachedPolicies(ps []store.ManagedPolicy) []xAttachedPolicy {
	out := []xAttachedPolicy{}
	for _, p := range ps {
		out = append(out, xAttachedPolicy{p.Name, p.ARN})
	}
	return out
}

// xAttachedBoundary is AttachedPermissionsBoundary, whose type's only
// value is PermissionsBoundaryPolicy.
type xAttachedBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

func attachedBoundary(arn string) *xAttachedBoundary {
	if arn == "" {
		return nil
	}
	return &xAttachedBoundary{"PermissionsBoundaryPolicy", arn}
}

func allTags(ts []store.Tag) []xTag { return append([]xTag{}, tags(ts)...) }

type xUserDetail struct {
	Path                    string             `xml:"Path"`
	UserName                string             `xml:"UserName"`
	UserId                  string             `xml:"UserId"`
	Arn                     string             `xml:"Arn"`
	CreateDate              awsquery.Time      `xml:"CreateDate"`
	UserPolicyList          []xPolicyDetail    `xml:"UserPolicyList>member"`
	GroupList               []string           `xml:"GroupList>member"`
	AttachedManagedPolicies []xAttachedPolicy  `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary     *xAttachedBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                    []xTag             `xml:"Tags>member"`
}

type xGroupDetail struct {
	Path                    string            `xml:"Path"`
	GroupName               string            `xml:"GroupName"`
	GroupId                 string            `xml:"GroupId"`
	Arn                     string            `xml:"Arn"`
	CreateDate              awsquery.Time     `xml:"CreateDate"`
	GroupPolicyList         []xPolicyDetail   `xml:"GroupPolicyList>member"`
	AttachedManagedPolicies []xAttachedPolicy `xml:"AttachedManagedPolicies>member"`
}

// xInstanceProfile stands for InstanceProfile: Wharf has none, so the list
// is always empty.
type xInstanceProfile struct{}

type xRoleDetail struct {
	Path                     string             `xml:"Path"`
	RoleName                 string             `xml:"RoleName"`
	RoleId                   string             `xml:"RoleId"`
	Arn                      string             `xml:"Arn"`
	CreateDate               awsquery.Time      `xml:"CreateDate"`
	AssumeRolePolicyDocument string             `xml:"AssumeRolePolicyDocument"`
	InstanceProfileList      []xInstanceProfile `xml:"InstanceProfileList>member"`
	RolePolicyList           []xPolicyDetail    `xml:"RolePolicyList>member"`
	AttachedManagedPolicies  []xAttachedPolicy  `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary      *xAttachedBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                     []xTag             `xml:"Tags>member"`
	RoleLastUsed             xRoleLastUsed      `xml:"RoleLastUsed"`
}

// xManagedPolicyDetail is botocore's ManagedPolicyDetail: a Policy (whose
// Tags it lacks; they are never set here) with its versions.
type xManagedPolicyDetail struct {
	xPolicy
	PolicyVersionList []xPolicyVersion `xml:"PolicyVersionList>member"`
}

type xAuthorizationDetails struct {
	UserDetailList  []xUserDetail          `xml:"UserDetailList>member"`
	GroupDetailList []xGroupDetail         `xml:"GroupDetailList>member"`
	RoleDetailList  []xRoleDetail          `xml:"RoleDetailList>member"`
	Policies        []xManagedPolicyDetail `xml:"Policies>member"`
	IsTruncated     bool                   `xml:"IsTruncated"`
}

func authorizationDetails(s *iam.Service, d iam.AuthorizationDetails) xAuthorizationDetails {
	x := xAuthorizationDetails{UserDetailList: []xUserDetail{}, GroupDetailList: []xGroupDetail{}, RoleDetailList: []xRoleDetail{}, Policies: []xManagedPolicyDetail{}}
	for _, u := range d.Users {
		x.UserDetailList = append(x.UserDetailList, xUserDetail{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: s.UserARN(u.User), CreateDate: awsquery.Time(u.CreatedAt),
			UserPolicyList: policyDetails(u.InlinePolicies), GroupList: append([]string{}, u.Groups...), AttachedManagedPolicies: attachedPolicies(u.Attached),
			PermissionsBoundary: attachedBoundary(u.PermissionsBoundary), Tags: allTags(u.Tags)})
	}
	for _, g := range d.Groups {
		x.GroupDetailList = append(x.GroupDetailList, xGroupDetail{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: s.GroupARN(g.Group), CreateDate: awsquery.Time(g.CreatedAt),
			GroupPolicyList: policyDetails(g.InlinePolicies), AttachedManagedPolicies: attachedPolicies(g.Attached)})
	}
	for _, r := range d.Roles {
		x.RoleDetailList = append(x.RoleDetailList, xRoleDetail{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: s.RoleARN(r.Role), CreateDate: awsquery.Time(r.CreatedAt),
			AssumeRolePolicyDocument: awsquery.EncodePolicy(r.AssumeRolePolicy), InstanceProfileList: []xInstanceProfile{},
			RolePolicyList: policyDetails(r.InlinePolicies), AttachedManagedPolicies: attachedPolicies(r.Attached),
			PermissionsBoundary: attachedBoundary(r.PermissionsBoundary), Tags: allTags(r.Tags),
			RoleLastUsed: xRoleLastUsed{LastUsedDate: awsquery.TimePtr(r.LastUsedAt), Region: r.LastUsedRegion}})
	}
	for _, p := range d.Policies {
		versions := []xPolicyVersion{}
		for _, v := range p.Versions {
			versions = append(versions, xPolicyVersion{Document: awsquery.EncodePolicy(v.Document), VersionId: v.VersionID,
				IsDefaultVersion: v.VersionID == p.DefaultVersionID, CreateDate: awsquery.Time(v.CreatedAt)})
		}
		mp := managed(p.ManagedPolicy, p.AttachmentCount, p.PermissionsBoundaryUsageCount)
		mp.Tags = nil
		x.Policies = append(x.Policies, xManagedPolicyDetail{xPolicy: mp, PolicyVersionList: versions})
	}
	return x
}

// tagPage renders ListRoleTags' and ListPolicyTags' result.
func tagPage(ts []store.Tag, marker string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return struct {
		Tags        []xTag `xml:"Tags>member"`
		IsTruncated bool   `xml:"IsTruncated"`
		Marker      string `xml:"Marker,omitempty"`
	}{allTags(ts), marker != "", marker}, nil
}

// optionalBool reads a boxed boolean: nil when absent.
func optionalBool(f awsquery.Form, name string) (*bool, error) {
	if _, ok := f.Values[name]; !ok {
		return nil, nil
	}
	b, err := f.Bool(name)
	return &b, err
}

// accountOps adds the account-wide operations: login profiles, credential
// reports, authorization details, and tags of roles and policies.
func (h *Handler) accountOps(t map[string]op) {
	s := h.svc
	t["CreateLoginProfile"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		reset, err := f.Bool("PasswordResetRequired")
		if err != nil {
			return nil, err
		}
		lp, err := s.CreateLoginProfile(ctx, c, iam.CreateLoginProfileInput{UserName: f.Get("UserName"), Password: f.Get("Password"), PasswordResetRequired: reset})
		if err != nil {
			return nil, err
		}
		return struct {
			LoginProfile xLoginProfile `xml:"LoginProfile"`
		}{loginProfile(lp)}, nil
	}
	t["GetLoginProfile"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		lp, err := s.GetLoginProfile(ctx, c, f.Get("UserName"))
		if err != nil {
			return nil, err
		}
		return struct {
			LoginProfile xLoginProfile `xml:"LoginProfile"`
		}{loginProfile(lp)}, nil
	}
	t["UpdateLoginProfile"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		name, err := f.Required("UserName")
		if err != nil {
			return nil, err
		}
		in := iam.UpdateLoginProfileInput{UserName: name}
		if v, ok := f.Values["Password"]; ok && len(v) > 0 {
			in.Password = &v[0]
		}
		if in.PasswordResetRequired, err = optionalBool(f, "PasswordResetRequired"); err != nil {
			return nil, err
		}
		return nil, s.UpdateLoginProfile(ctx, c, in)
	}
	t["DeleteLoginProfile"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		return nil, s.DeleteLoginProfile(ctx, c, f.Get("UserName"))
	}
	t["ChangePassword"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		oldPw, err := f.Required("OldPassword")
		if err != nil {
			return nil, err
		}
		newPw, err := f.Required("NewPassword")
		if err != nil {
			return nil, err
		}
		return nil, s.ChangePassword(ctx, c, oldPw, newPw)
	}

	t["GenerateCredentialReport"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		st, err := s.GenerateCredentialReport(ctx, c)
		if err != nil {
			return nil, err
		}
		return struct {
			State       string `xml:"State"`
			Description string `xml:"Description,omitempty"`
		}{st.State, st.Description}, nil
	}
	t["GetCredentialReport"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		r, err := s.GetCredentialReport(ctx, c)
		if err != nil {
			return nil, err
		}
		// Content is a blob: the Query protocol carries blobs base64-encoded.
		return struct {
			Content       string        `xml:"Content"`
			ReportFormat  string        `xml:"ReportFormat"`
			GeneratedTime awsquery.Time `xml:"GeneratedTime"`
		}{base64.StdEncoding.EncodeToString(r.Content), "text/csv", awsquery.Time(r.GeneratedTime)}, nil
	}

	t["GetAccountAuthorizationDetails"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		p, err := page(f)
		if err != nil {
			return nil, err
		}
		d, err := s.GetAccountAuthorizationDetails(ctx, c, f.List("Filter"), p)
		if err != nil {
			return nil, err
		}
		return authorizationDetails(s, d), nil
	}

	t["TagRole"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		name, err := f.Required("RoleName")
		if err != nil {
			return nil, err
		}
		return nil, s.TagRole(ctx, c, name, formTags(f))
	}
	t["UntagRole"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		name, err := f.Required("RoleName")
		if err != nil {
			return nil, err
		}
		return nil, s.UntagRole(ctx, c, name, f.List("TagKeys"))
	}
	t["ListRoleTags"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		name, err := f.Required("RoleName")
		if err != nil {
			return nil, err
		}
		p, err := page(f)
		if err != nil {
			return nil, err
		}
		return tagPage(s.ListRoleTags(ctx, c, name, p))
	}
	t["TagPolicy"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		arn, err := f.Required("PolicyArn")
		if err != nil {
			return nil, err
		}
		return nil, s.TagPolicy(ctx, c, arn, formTags(f))
	}
	t["UntagPolicy"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		arn, err := f.Required("PolicyArn")
		if err != nil {
			return nil, err
		}
		return nil, s.UntagPolicy(ctx, c, arn, f.List("TagKeys"))
	}
	t["ListPolicyTags"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		arn, err := f.Required("PolicyArn")
		if err != nil {
			return nil, err
		}
		p, err := page(f)
		if err != nil {
			return nil, err
		}
		return tagPage(s.ListPolicyTags(ctx, c, arn, p))
	}
}
