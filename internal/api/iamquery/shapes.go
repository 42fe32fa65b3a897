package iamquery

import (
	"github.com/wharf-project/wharf/internal/api/awsquery"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// The XML shapes below carry botocore's member names (iam 2010-05-08 model).

type xTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func tags(ts []store.Tag) []xTag {
	var out []xTag
	for _, t := range ts {
		out = append(out, xTag{t.Key, t.Value})
	}
	return out
}

// xTagList is an entity's Tags member, omitted when the entity has no tags
// (as IAM omits it).
type xTagList struct {
	Member []xTag `xml:"member"`
}

func tagList(ts []store.Tag) *xTagList {
	if len(ts) == 0 {
		return nil
	}
	return &xTagList{tags(ts)}
}

type xBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

func boundary(arn string) *xBoundary {
	if arn == "" {
		return nil
	}
	return &xBoundary{"PermissionsBoundaryPolicy", arn}
}

type xUser struct {
	Path                string         `xml:"Path"`
	UserName            string         `xml:"UserName"`
	UserId              string         `xml:"UserId"`
	Arn                 string         `xml:"Arn"`
	CreateDate          awsquery.Time  `xml:"CreateDate"`
	PasswordLastUsed    *awsquery.Time `xml:"PasswordLastUsed,omitempty"`
	PermissionsBoundary *xBoundary     `xml:"PermissionsBoundary,omitempty"`
	Tags                *xTagList      `xml:"Tags,omitempty"`
}

func user(s *iam.Service, u store.User) xUser {
	return xUser{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: s.UserARN(u), CreateDate: awsquery.Time(u.CreatedAt),
		PasswordLastUsed: awsquery.TimePtr(u.PasswordLastUsed), PermissionsBoundary: boundary(u.PermissionsBoundary), Tags: tagList(u.Tags)}
}

type xGroup struct {
	Path       string        `xml:"Path"`
	GroupName  string        `xml:"GroupName"`
	GroupId    string        `xml:"GroupId"`
	Arn        string        `xml:"Arn"`
	CreateDate awsquery.Time `xml:"CreateDate"`
}

func group(s *iam.Service, g store.Group) xGroup {
	return xGroup{g.Path, g.Name, g.ID, s.GroupARN(g), awsquery.Time(g.CreatedAt)}
}

type xRoleLastUsed struct {
	LastUsedDate *awsquery.Time `xml:"LastUsedDate,omitempty"`
	Region       string         `xml:"Region,omitempty"`
}

type xRole struct {
	Path                     string         `xml:"Path"`
	RoleName                 string         `xml:"RoleName"`
	RoleId                   string         `xml:"RoleId"`
	Arn                      string         `xml:"Arn"`
	CreateDate               awsquery.Time  `xml:"CreateDate"`
	AssumeRolePolicyDocument string         `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string         `xml:"Description,omitempty"`
	MaxSessionDuration       int            `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *xBoundary     `xml:"PermissionsBoundary,omitempty"`
	Tags                     *xTagList      `xml:"Tags,omitempty"`
	RoleLastUsed             *xRoleLastUsed `xml:"RoleLastUsed,omitempty"`
}

func role(s *iam.Service, r store.Role) xRole {
	x := xRole{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: s.RoleARN(r), CreateDate: awsquery.Time(r.CreatedAt),
		AssumeRolePolicyDocument: awsquery.EncodePolicy(r.AssumeRolePolicy), Description: r.Description, MaxSessionDuration: r.MaxSessionDuration,
		PermissionsBoundary: boundary(r.PermissionsBoundary), Tags: tagList(r.Tags)}
	return x
}

type xPolicy struct {
	PolicyName                    string        `xml:"PolicyName"`
	PolicyId                      string        `xml:"PolicyId"`
	Arn                           string        `xml:"Arn"`
	Path                          string        `xml:"Path"`
	DefaultVersionId              string        `xml:"DefaultVersionId"`
	AttachmentCount               int           `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int           `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool          `xml:"IsAttachable"`
	Description                   string        `xml:"Description,omitempty"`
	CreateDate                    awsquery.Time `xml:"CreateDate"`
	UpdateDate                    awsquery.Time `xml:"UpdateDate"`
	Tags                          *xTagList     `xml:"Tags,omitempty"`
}

func managed(p store.ManagedPolicy, attachments, boundaryUses int) xPolicy {
	return xPolicy{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersionID, AttachmentCount: attachments, PermissionsBoundaryUsageCount: boundaryUses,
		IsAttachable: true, Description: p.Description, CreateDate: awsquery.Time(p.CreatedAt), UpdateDate: awsquery.Time(p.UpdatedAt), Tags: tagList(p.Tags)}
}

type xPolicyVersion struct {
	Document         string        `xml:"Document,omitempty"`
	VersionId        string        `xml:"VersionId"`
	IsDefaultVersion bool          `xml:"IsDefaultVersion"`
	CreateDate       awsquery.Time `xml:"CreateDate"`
}

type xAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type xAccessKeyMetadata struct {
	UserName    string        `xml:"UserName"`
	AccessKeyId string        `xml:"AccessKeyId"`
	Status      string        `xml:"Status"`
	CreateDate  awsquery.Time `xml:"CreateDate"`
}

type xAccessKey struct {
	UserName        string        `xml:"UserName"`
	AccessKeyId     string        `xml:"AccessKeyId"`
	Status          string        `xml:"Status"`
	SecretAccessKey string        `xml:"SecretAccessKey"`
	CreateDate      awsquery.Time `xml:"CreateDate"`
}

type xPosition struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

type xStatement struct {
	SourcePolicyId   string    `xml:"SourcePolicyId"`
	SourcePolicyType string    `xml:"SourcePolicyType"`
	StartPosition    xPosition `xml:"StartPosition"`
	EndPosition      xPosition `xml:"EndPosition"`
}

type xEvaluationResult struct {
	EvalActionName              string       `xml:"EvalActionName"`
	EvalResourceName            string       `xml:"EvalResourceName"`
	EvalDecision                string       `xml:"EvalDecision"`
	MatchedStatements           []xStatement `xml:"MatchedStatements>member"`
	MissingContextValues        []string     `xml:"MissingContextValues>member"`
	OrganizationsDecisionDetail *struct {
		AllowedByOrganizations bool `xml:"AllowedByOrganizations"`
	} `xml:"OrganizationsDecisionDetail,omitempty"`
	PermissionsBoundaryDecisionDetail *struct {
		AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
	} `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
}

func evaluation(r policy.EvaluationResult) xEvaluationResult {
	x := xEvaluationResult{EvalActionName: r.EvalActionName, EvalResourceName: r.EvalResourceName, EvalDecision: r.EvalDecision,
		MissingContextValues: r.MissingContextValues}
	for _, m := range r.MatchedStatements {
		x.MatchedStatements = append(x.MatchedStatements, xStatement{m.SourcePolicyId, m.SourcePolicyType,
			xPosition{m.StartPosition.Line, m.StartPosition.Column}, xPosition{m.EndPosition.Line, m.EndPosition.Column}})
	}
	if d := r.OrganizationsDecisionDetail; d != nil {
		x.OrganizationsDecisionDetail = &struct {
			AllowedByOrganizations bool `xml:"AllowedByOrganizations"`
		}{d.AllowedByOrganizations}
	}
	if d := r.PermissionsBoundaryDecisionDetail; d != nil {
		x.PermissionsBoundaryDecisionDetail = &struct {
			AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
		}{d.AllowedByPermissionsBoundary}
	}
	return x
}
