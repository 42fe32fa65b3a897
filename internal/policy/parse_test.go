package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/policy"
)

// This file is a compatibility promise, in the spirit of minio's
// resource_corpus_test.go: every document form below is one that IAM accepts
// (IAM User Guide, "Grammar of the IAM JSON policy language",
// reference_policies_grammar, and "IAM JSON policy elements reference",
// reference_policies_elements) and Wharf must keep accepting it, with the same
// meaning. Removing a case needs a reason from AWS documentation.

// acceptCase is one document Parse must accept, and what it must compile to.
type acceptCase struct {
	name  string
	kind  policy.Kind
	doc   string
	check func(t *testing.T, p *policy.Policy)
}

func TestParseAcceptsCorpus(t *testing.T) {
	const repo = "arn:aws:ecr-public::123456789012:repository/app"
	cases := []acceptCase{
		// Version element.
		{name: "version-2012", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantEq(t, "Version", p.Version, "2012-10-17")
				wantEq(t, "Variables", p.Variables(), true)
			}},
		{name: "version-2008", kind: policy.IdentityPolicy, doc: `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantEq(t, "Version", p.Version, "2008-10-17")
				wantEq(t, "Variables", p.Variables(), false)
			}},
		{name: "version-absent", kind: policy.IdentityPolicy, doc: `{"Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantEq(t, "Version", p.Version, "")
				wantEq(t, "Variables", p.Variables(), false)
			}},
		{name: "id-element", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Id":"my-policy-1","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) { wantEq(t, "ID", p.ID, "my-policy-1") }},
		{name: "elements-in-any-order", kind: policy.IdentityPolicy, doc: `{"Statement":{"Resource":"*","Action":"ecr-public:PutImage","Effect":"Deny","Sid":"Last"},"Version":"2012-10-17"}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "Effect", st.Effect, policy.Deny)
				wantEq(t, "Sid", st.Sid, "Last")
			}},

		// Statement as an object and as an array.
		{name: "statement-object", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"}}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "Index", st.Index, 0)
				wantEq(t, "Label", st.Label(), "#0")
			}},
		{name: "statement-array-of-three", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[
			{"Sid":"A","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"},
			{"Effect":"Deny","Action":"ecr-public:DeleteRepository","Resource":"*"},
			{"Sid":"C","Effect":"Allow","Action":"ecr-public:DescribeImages","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantEq(t, "statements", len(p.Statements), 3)
				for i, st := range p.Statements {
					wantEq(t, "Index", st.Index, i)
					if st.Policy() != p {
						t.Errorf("statement %d: Policy() does not return its policy", i)
					}
				}
				wantEq(t, "Label 0", p.Statements[0].Label(), "A")
				wantEq(t, "Label 1", p.Statements[1].Label(), "#1")
				wantEq(t, "Effect 1", p.Statements[1].Effect, policy.Deny)
			}},
		{name: "statement-empty-array", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[]}`,
			check: func(t *testing.T, p *policy.Policy) { wantEq(t, "statements", len(p.Statements), 0) }},

		// Action and Resource as a string or a list; NotAction and NotResource.
		{name: "action-string", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"` + repo + `"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantActions(t, st, "ecr-public:PutImage")
				wantEq(t, "NotAction", st.NotAction, false)
				wantEq(t, "Actions[0].Service", st.Actions[0].Service, "ecr-public")
				wantEq(t, "Actions[0].IsLiteral", st.Actions[0].IsLiteral(), true)
				wantEq(t, "Actions[0].Name", st.Actions[0].Name(), "putimage")
				wantResources(t, st, repo)
			}},
		{name: "action-list", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:PutImage","ecr-public:Describe*","sts:GetServiceBearerToken"],"Resource":["` + repo + `","arn:aws:ecr-public::123456789012:repository/other"]}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantActions(t, st, "ecr-public:PutImage", "ecr-public:Describe*", "sts:GetServiceBearerToken")
				wantEq(t, "Actions[1].IsLiteral", st.Actions[1].IsLiteral(), false)
				wantResources(t, st, repo, "arn:aws:ecr-public::123456789012:repository/other")
			}},
		{name: "action-star", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "IsAny", st.Actions[0].IsAny(), true)
				wantEq(t, "Resources[0].IsAny", st.Resources[0].IsAny(), true)
			}},
		{name: "action-service-wildcard", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-*:Describe*","ecr-public:*"],"Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "Service", st.Actions[0].Service, "ecr-*")
				wantEq(t, "matches ecr-public:DescribeImages", st.Actions[0].Match("ecr-public", "describeimages"), true)
				wantEq(t, "matches ecr:DescribeImages", st.Actions[0].Match("ecr", "describeimages"), false) // "ecr-*" needs the dash
				wantEq(t, "ecr-public:* matches putimage", st.Actions[1].Match("ecr-public", "putimage"), true)
			}},
		{name: "action-mixed-case", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ECR-Public:putIMAGE","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantActions(t, st, "ECR-Public:putIMAGE") // Source keeps the text as written
				wantEq(t, "Service", st.Actions[0].Service, "ecr-public")
				wantEq(t, "Match", st.Actions[0].Match("ecr-public", "putimage"), true)
			}},
		{name: "notaction", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["ecr-public:Describe*","ecr-public:Get*"],"Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "NotAction", st.NotAction, true)
				wantActions(t, st, "ecr-public:Describe*", "ecr-public:Get*")
			}},
		{name: "notresource", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr-public:*","NotResource":"` + repo + `"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "NotResource", st.NotResource, true)
				wantResources(t, st, repo)
			}},
		{name: "notaction-and-notresource", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":["arn:aws:iam::123456789012:role/*"]}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "NotAction", st.NotAction, true)
				wantEq(t, "NotResource", st.NotResource, true)
			}},
		{name: "resource-with-variable-2012", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:username}/*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantEq(t, "HasVariables", only(t, p).Resources[0].HasVariables(), true)
			}},
		{name: "resource-with-variable-2008-is-literal", kind: policy.IdentityPolicy, doc: `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:username}/*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantEq(t, "HasVariables", only(t, p).Resources[0].HasVariables(), false)
			}},
		{name: "resource-short-arn-ending-in-star", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"arn:aws:ecr-public:*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantResources(t, only(t, p), "arn:aws:ecr-public:*")
			}},
		{name: "resource-colons-in-resource-part", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"arn:aws:logs:us-east-1:123456789012:log-group:my-group:*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "segments", len(st.Resources[0].Segments()), 6)
			}},

		// Principal forms (resource policies).
		{name: "principal-star", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantPrincipals(t, st, pr(policy.PrincipalEveryone, "*", ""))
				wantEq(t, "HasPrincipal", st.HasPrincipal, true)
				wantEq(t, "NotPrincipal", st.NotPrincipal, false)
			}},
		{name: "principal-aws-star", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalEveryone, "*", ""))
			}},
		{name: "principal-account-id", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalAccount, "123456789012", "123456789012"))
			}},
		{name: "principal-account-root-arn", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalAccount, "arn:aws:iam::123456789012:root", "123456789012"))
			}},
		{name: "principal-user-arn", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/division/alice"},"Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalUser, "arn:aws:iam::123456789012:user/division/alice", "123456789012"))
			}},
		{name: "principal-role-arn", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/ci/pusher"},"Action":"ecr-public:PutImage"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantPrincipals(t, st, pr(policy.PrincipalRole, "arn:aws:iam::123456789012:role/ci/pusher", "123456789012"))
				wantEq(t, "role Name (without path)", st.Principals[0].Name, "pusher")
			}},
		{name: "principal-assumed-role-arn", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/pusher/build-42"},"Action":"ecr-public:PutImage"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalRoleSession, "arn:aws:sts::123456789012:assumed-role/pusher/build-42", "123456789012"))
			}},
		{name: "principal-federated-user-arn", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::123456789012:federated-user/bob"},"Action":"ecr-public:PutImage"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalFederatedUser, "arn:aws:sts::123456789012:federated-user/bob", "123456789012"))
			}},
		{name: "principal-unique-id", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"AIDAJQABLZS4A3QDU576Q"},"Action":"ecr-public:PutImage"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalUniqueID, "AIDAJQABLZS4A3QDU576Q", ""))
			}},
		{name: "principal-aws-list", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::999999999999:user/carol","arn:aws:iam::999999999999:role/r"]},"Action":"ecr-public:PutImage"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p),
					pr(policy.PrincipalAccount, "123456789012", "123456789012"),
					pr(policy.PrincipalUser, "arn:aws:iam::999999999999:user/carol", "999999999999"),
					pr(policy.PrincipalRole, "arn:aws:iam::999999999999:role/r", "999999999999"))
			}},
		{name: "principal-service", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalService, "ecs-tasks.amazonaws.com", ""))
			}},
		{name: "principal-service-list", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","codebuild.amazonaws.com"]},"Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p),
					pr(policy.PrincipalService, "ecs-tasks.amazonaws.com", ""),
					pr(policy.PrincipalService, "codebuild.amazonaws.com", ""))
			}},
		{name: "principal-federated", kind: policy.TrustPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalFederated, "cognito-identity.amazonaws.com", ""))
			}},
		{name: "principal-canonical-user", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalCanonicalUser, "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", ""))
			}},
		{name: "principal-mixed-types", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012","Service":"ecs-tasks.amazonaws.com"},"Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p),
					pr(policy.PrincipalAccount, "123456789012", "123456789012"),
					pr(policy.PrincipalService, "ecs-tasks.amazonaws.com", ""))
			}},
		{name: "principal-china-partition", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::123456789012:root"},"Action":"ecr-public:DescribeImages"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantPrincipals(t, only(t, p), pr(policy.PrincipalAccount, "arn:aws-cn:iam::123456789012:root", "123456789012"))
			}},
		{name: "notprincipal-deny", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:root"]},"Action":"ecr-public:*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "NotPrincipal", st.NotPrincipal, true)
				wantEq(t, "HasPrincipal", st.HasPrincipal, true)
				wantEq(t, "principals", len(st.Principals), 2)
			}},

		// ECR repository policies: Principal, no Resource.
		{name: "ecr-repository-policy-without-resource", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Sid":"AllowPush","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/pusher"},"Action":["ecr-public:BatchCheckLayerAvailability","ecr-public:PutImage","ecr-public:InitiateLayerUpload","ecr-public:UploadLayerPart","ecr-public:CompleteLayerUpload"]}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "Kind", p.Kind, policy.ResourcePolicy)
				wantEq(t, "resources", len(st.Resources), 0)
				wantEq(t, "actions", len(st.Actions), 5)
			}},
		{name: "resource-policy-with-resource", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr-public:DescribeImages","Resource":"` + repo + `"}]}`,
			check: func(t *testing.T, p *policy.Policy) { wantResources(t, only(t, p), repo) }},
		{name: "trust-policy-without-resource", kind: policy.TrustPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			check: func(t *testing.T, p *policy.Policy) { wantEq(t, "Kind", p.Kind, policy.TrustPolicy) }},

		// Condition values: string, number, boolean and lists of them.
		{name: "condition-string", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"alice"}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "StringEquals", "aws:username", "alice")
			}},
		{name: "condition-number", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "NumericLessThan", "aws:MultiFactorAuthAge", "3600")
			}},
		{name: "condition-float-number", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"NumericGreaterThanEquals":{"s3:max-keys":1.5e1}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "NumericGreaterThanEquals", "s3:max-keys", "1.5e1") // as written
			}},
		{name: "condition-number-as-string", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "NumericLessThan", "aws:MultiFactorAuthAge", "3600")
			}},
		{name: "condition-boolean", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "Bool", "aws:SecureTransport", "false")
			}},
		{name: "condition-boolean-as-string", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "Bool", "aws:SecureTransport", "true")
			}},
		{name: "condition-list", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16","2001:db8::/32"]}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "IpAddress", "aws:SourceIp", "10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32")
			}},
		{name: "condition-list-of-numbers", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"NumericEquals":{"aws:MultiFactorAuthAge":[1,2,3]}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "NumericEquals", "aws:MultiFactorAuthAge", "1", "2", "3")
			}},
		{name: "condition-several-operators-and-keys", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{
			"StringEquals":{"aws:username":"alice","aws:PrincipalTag/team":"red"},
			"ForAnyValue:StringLike":{"aws:TagKeys":["env*","team"]},
			"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},
			"StringNotEqualsIfExists":{"aws:RequestTag/env":"prod"},
			"Null":{"aws:RequestTag/owner":"false"},
			"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ci-*"}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				st := only(t, p)
				wantEq(t, "clauses", len(st.Condition), 7)
				wantCondition(t, st, 0, "StringEquals", "aws:username", "alice")
				wantCondition(t, st, 1, "StringEquals", "aws:PrincipalTag/team", "red")
				wantCondition(t, st, 2, "ForAnyValue:StringLike", "aws:TagKeys", "env*", "team")
				wantCondition(t, st, 6, "ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/ci-*")
			}},
		{name: "condition-operator-case-insensitive-qualifier", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "ForAllValues:StringEquals", "aws:TagKeys", "env", "team")
			}},
		{name: "condition-variable-in-value-2012", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"StringLike":{"aws:RequestTag/owner":"${aws:username}"}}}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				wantCondition(t, only(t, p), 0, "StringLike", "aws:RequestTag/owner", "${aws:username}")
			}},
		{name: "condition-empty-object", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{}}]}`,
			check: func(t *testing.T, p *policy.Policy) { wantEq(t, "clauses", len(only(t, p).Condition), 0) }},

		// Sid forms.
		{name: "sid-alphanumeric", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Sid":"AllowPush2024","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) { wantEq(t, "Sid", only(t, p).Sid, "AllowPush2024") }},
		{name: "sid-empty", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"},{"Sid":"","Effect":"Allow","Action":"ecr-public:DescribeImages","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) {
				// Empty Sids are not duplicates of each other.
				wantEq(t, "statements", len(p.Statements), 2)
				wantEq(t, "Label", p.Statements[1].Label(), "#1")
			}},
		{name: "sid-with-spaces-in-resource-policy", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Sid":"Allow public pull (anyone)","Effect":"Allow","Principal":"*","Action":"ecr-public:BatchGetImage"}]}`,
			check: func(t *testing.T, p *policy.Policy) { wantEq(t, "Sid", only(t, p).Sid, "Allow public pull (anyone)") }},
		{name: "sids-differ-in-case", kind: policy.IdentityPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Sid":"Push","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"},{"Sid":"push","Effect":"Allow","Action":"ecr-public:DescribeImages","Resource":"*"}]}`,
			check: func(t *testing.T, p *policy.Policy) { wantEq(t, "statements", len(p.Statements), 2) }},

		// JSON details.
		{name: "whitespace-and-unicode-escapes", kind: policy.IdentityPolicy, doc: "\n\t {\r\n \"Version\" : \"2012-10-17\" ,\n \"Statement\" : [ { \"Effect\" : \"Allow\" , \"Action\" : \"ecr-public:Put\\u0049mage\" , \"Resource\" : \"*\" } ] }\n\n",
			check: func(t *testing.T, p *policy.Policy) { wantActions(t, only(t, p), "ecr-public:PutImage") }},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %s", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			p, err := policy.ParseString(c.doc, c.kind)
			if err != nil {
				t.Fatalf("Parse rejected an accepted form: %v", err)
			}
			if string(p.Source()) != c.doc {
				t.Errorf("Source() does not return the document")
			}
			wantEq(t, "Kind", p.Kind, c.kind)
			for _, st := range p.Statements {
				if st.Effect != policy.Allow && st.Effect != policy.Deny {
					t.Errorf("statement %d: Effect %v", st.Index, st.Effect)
				}
				if len(st.Actions) == 0 {
					t.Errorf("statement %d: no actions", st.Index)
				}
				if st.Start.Line < 1 || st.Start.Column < 1 || st.End.Offset <= st.Start.Offset {
					t.Errorf("statement %d: bad span %+v..%+v", st.Index, st.Start, st.End)
				}
				if c.doc[st.Start.Offset] != '{' || c.doc[st.End.Offset-1] != '}' {
					t.Errorf("statement %d: span %d..%d is not the statement object: %q", st.Index, st.Start.Offset, st.End.Offset, c.doc[st.Start.Offset:st.End.Offset])
				}
			}
			if c.check != nil {
				c.check(t, p)
			}
		})
	}
}

// TestParseStatementPositions pins Start/End to the statement's braces, 1-based,
// as SimulatePrincipalPolicy's StartPosition/EndPosition report them.
func TestParseStatementPositions(t *testing.T) {
	doc := "{\n" +
		"  \"Version\": \"2012-10-17\",\n" +
		"  \"Statement\": [\n" +
		"    {\"Sid\": \"One\", \"Effect\": \"Allow\", \"Action\": \"ecr-public:PutImage\", \"Resource\": \"*\"},\n" +
		"    {\n" +
		"      \"Sid\": \"Two\", \"Effect\": \"Deny\", \"Action\": \"ecr-public:*\", \"Resource\": \"*\"\n" +
		"    }\n" +
		"  ]\n" +
		"}\n"
	p, err := policy.ParseString(doc, policy.IdentityPolicy)
	if err != nil {
		t.Fatal(err)
	}
	one, two := p.Statements[0], p.Statements[1]
	wantEq(t, "One.Start", [2]int{one.Start.Line, one.Start.Column}, [2]int{4, 5})
	wantEq(t, "One.End", [2]int{one.End.Line, one.End.Column}, [2]int{4, 88})
	wantEq(t, "Two.Start", [2]int{two.Start.Line, two.Start.Column}, [2]int{5, 5})
	wantEq(t, "Two.End", [2]int{two.End.Line, two.End.Column}, [2]int{7, 6})
}

// rejectCase is one document Parse must reject, with the Access Analyzer issue
// code and JSON path IAM would report.
type rejectCase struct {
	name string
	kind policy.Kind
	doc  string
	code string
	path string
	// line and column, when not zero, are where the error must point.
	line, column int
	// rule, when not empty, must appear in the error text.
	rule string
}

// malformedCases are documents IAM rejects; TestValidateSyntaxErrors reuses them.
func malformedCases() []rejectCase {
	const stmtTail = `"Action":"ecr-public:PutImage","Resource":"*"`
	cases := []rejectCase{
		// Document level.
		{name: "not-an-object", doc: `["Version"]`, code: "INVALID_POLICY_ELEMENT", path: ""},
		{name: "string-document", doc: `"2012-10-17"`, code: "INVALID_POLICY_ELEMENT", path: ""},
		{name: "missing-statement", doc: `{"Version":"2012-10-17"}`, code: "MISSING_STATEMENT", path: ""},
		{name: "statement-null", doc: `{"Version":"2012-10-17","Statement":null}`, code: "INVALID_POLICY_ELEMENT", path: "Statement"},
		{name: "statement-string", doc: `{"Version":"2012-10-17","Statement":"Allow"}`, code: "INVALID_POLICY_ELEMENT", path: "Statement"},
		{name: "statement-item-not-object", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `}, 42]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[1]"},
		{name: "unknown-top-level-element", doc: `{"Version":"2012-10-17","Statements":[]}`, code: "INVALID_POLICY_ELEMENT", path: "Statements", line: 1, column: 25},
		{name: "top-level-element-wrong-case", doc: `{"version":"2012-10-17","Statement":[]}`, code: "INVALID_POLICY_ELEMENT", path: "version"},
		{name: "id-not-string", doc: `{"Version":"2012-10-17","Id":7,"Statement":[]}`, code: "INVALID_POLICY_ELEMENT", path: "Id"},
		{name: "invalid-version", doc: `{"Version":"2020-01-01","Statement":[]}`, code: "INVALID_VERSION", path: "Version", line: 1, column: 12, rule: "2020-01-01"},
		{name: "version-number", doc: `{"Version":2012,"Statement":[]}`, code: "INVALID_VERSION", path: "Version"},
		{name: "version-padded", doc: `{"Version":" 2012-10-17","Statement":[]}`, code: "INVALID_VERSION", path: "Version"},

		// Effect.
		{name: "missing-effect", doc: `{"Version":"2012-10-17","Statement":[{` + stmtTail + `}]}`, code: "MISSING_EFFECT", path: "Statement[0]", line: 1, column: 38},
		{name: "missing-effect-single-statement", doc: `{"Version":"2012-10-17","Statement":{` + stmtTail + `}}`, code: "MISSING_EFFECT", path: "Statement"},
		{name: "missing-effect-second", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `},{` + stmtTail + `}]}`, code: "MISSING_EFFECT", path: "Statement[1]"},
		{name: "effect-lowercase", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"allow",` + stmtTail + `}]}`, code: "INVALID_EFFECT", path: "Statement[0].Effect", line: 1, column: 48, rule: `"allow"`},
		{name: "effect-uppercase", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"DENY",` + stmtTail + `}]}`, code: "INVALID_EFFECT", path: "Statement[0].Effect"},
		{name: "effect-list", doc: `{"Version":"2012-10-17","Statement":[{"Effect":["Allow"],` + stmtTail + `}]}`, code: "INVALID_EFFECT", path: "Statement[0].Effect"},
		{name: "effect-bool", doc: `{"Version":"2012-10-17","Statement":[{"Effect":true,` + stmtTail + `}]}`, code: "INVALID_EFFECT", path: "Statement[0].Effect"},

		// Statement elements.
		{name: "unknown-statement-element", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Actions":"x"}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Actions"},
		{name: "statement-element-wrong-case", doc: `{"Version":"2012-10-17","Statement":[{"effect":"Allow",` + stmtTail + `}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].effect"},
		{name: "sid-not-string", doc: `{"Version":"2012-10-17","Statement":[{"Sid":1,"Effect":"Allow",` + stmtTail + `}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Sid"},
		{name: "sid-not-alphanumeric-in-identity-policy", doc: `{"Version":"2012-10-17","Statement":[{"Sid":"allow push","Effect":"Allow",` + stmtTail + `}]}`, code: "UNSUPPORTED_SID", path: "Statement[0].Sid"},
		{name: "duplicate-sid", doc: `{"Version":"2012-10-17","Statement":[{"Sid":"Push","Effect":"Allow",` + stmtTail + `},{"Sid":"Push","Effect":"Deny",` + stmtTail + `}]}`, code: "UNIQUE_SIDS_REQUIRED", path: "Statement[1].Sid", rule: `"Push"`},

		// Action / NotAction.
		{name: "action-and-notaction", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","NotAction":"ecr-public:DeleteRepository","Resource":"*"}]}`, code: "UNSUPPORTED_ELEMENT_COMBINATION", path: "Statement[0]"},
		{name: "missing-action", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, code: "MISSING_ACTION", path: "Statement[0]"},
		{name: "empty-action-list", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, code: "MISSING_ACTION", path: "Statement[0].Action"},
		{name: "empty-notaction-list", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":[],"Resource":"*"}]}`, code: "MISSING_ACTION", path: "Statement[0].NotAction"},
		{name: "action-without-colon", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"PutImage","Resource":"*"}]}`, code: "INVALID_ACTION", path: "Statement[0].Action", line: 1, column: 65},
		{name: "action-without-colon-in-list", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:PutImage","ecr-public-PutImage"],"Resource":"*"}]}`, code: "INVALID_ACTION", path: "Statement[0].Action[1]"},
		{name: "action-empty-service", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":":PutImage","Resource":"*"}]}`, code: "INVALID_ACTION", path: "Statement[0].Action"},
		{name: "action-empty-name", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:","Resource":"*"}]}`, code: "INVALID_ACTION", path: "Statement[0].Action"},
		{name: "action-two-colons", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:Put:Image","Resource":"*"}]}`, code: "INVALID_ACTION", path: "Statement[0].Action"},
		{name: "action-empty-string", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"","Resource":"*"}]}`, code: "INVALID_ACTION", path: "Statement[0].Action"},
		{name: "action-number", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":42,"Resource":"*"}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Action"},
		{name: "action-list-with-number", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:PutImage",42],"Resource":"*"}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Action[1]"},

		// Resource / NotResource.
		{name: "resource-and-notresource", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","NotResource":"arn:aws:ecr-public::123456789012:repository/x"}]}`, code: "UNSUPPORTED_ELEMENT_COMBINATION", path: "Statement[0]"},
		{name: "missing-resource-in-identity-policy", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage"}]}`, code: "MISSING_RESOURCE", path: "Statement[0]"},
		{name: "empty-resource-list", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":[]}]}`, code: "MISSING_RESOURCE", path: "Statement[0].Resource"},
		{name: "resource-not-arn", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"foo"}]}`, code: "INVALID_ARN_PREFIX", path: "Statement[0].Resource", line: 1, column: 98, rule: "foo"},
		{name: "resource-not-arn-in-list", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":["*","my-repo"]}]}`, code: "INVALID_ARN_PREFIX", path: "Statement[0].Resource[1]"},
		{name: "notresource-not-arn", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr-public:PutImage","NotResource":"repository/x"}]}`, code: "INVALID_ARN_PREFIX", path: "Statement[0].NotResource"},
		{name: "resource-arn-uppercase-prefix", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"ARN:aws:ecr-public::123456789012:repository/x"}]}`, code: "INVALID_ARN_PREFIX", path: "Statement[0].Resource"},
		{name: "resource-too-few-fields", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public::123456789012"}]}`, code: "MISSING_ARN_FIELD", path: "Statement[0].Resource"},
		{name: "resource-object", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":{"arn":"x"}}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Resource"},

		// Principal / NotPrincipal.
		{name: "principal-in-identity-policy", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",` + stmtTail + `}]}`, code: "UNSUPPORTED_PRINCIPAL", path: "Statement[0].Principal"},
		{name: "notprincipal-in-identity-policy", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},` + stmtTail + `}]}`, code: "UNSUPPORTED_PRINCIPAL", path: "Statement[0].NotPrincipal"},
		{name: "missing-principal-in-resource-policy", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:DescribeImages"}]}`, code: "MISSING_PRINCIPAL", path: "Statement[0]"},
		{name: "missing-principal-in-trust-policy", kind: policy.TrustPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, code: "MISSING_PRINCIPAL", path: "Statement[0]"},
		{name: "principal-and-notprincipal", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"123456789012"},"Action":"ecr-public:*"}]}`, code: "UNSUPPORTED_ELEMENT_COMBINATION", path: "Statement[0]"},
		{name: "notprincipal-in-trust-policy", kind: policy.TrustPolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`, code: "UNSUPPORTED_ELEMENT_COMBINATION", path: "Statement[0].NotPrincipal"},
		{name: "principal-partial-wildcard-arn", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal.AWS"},
		{name: "principal-partial-wildcard-account", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012","1234567890*"]},"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal.AWS[1]"},
		{name: "principal-partial-wildcard-service", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal.Service"},
		{name: "principal-string-not-star", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"123456789012","Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal"},
		{name: "principal-unknown-type", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"IAM":"123456789012"},"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal.IAM"},
		{name: "principal-empty-object", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{},"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal"},
		{name: "principal-empty-list", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[]},"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal.AWS"},
		{name: "principal-not-an-arn", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal.AWS"},
		{name: "principal-arn-with-region", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam:us-east-1:123456789012:user/alice"},"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal.AWS"},
		{name: "principal-group-arn", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:group/admins"},"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal.AWS"},
		{name: "principal-number", kind: policy.ResourcePolicy, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":123456789012,"Action":"ecr-public:*"}]}`, code: "INVALID_PRINCIPAL", path: "Statement[0].Principal"},

		// Condition.
		{name: "condition-not-object", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":"aws:SecureTransport"}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Condition"},
		{name: "condition-operator-not-object", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"Bool":true}}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Condition.Bool"},
		{name: "condition-operator-empty", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"Bool":{}}}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Condition.Bool"},
		{name: "unknown-operator", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"StringEqualz":{"aws:username":"alice"}}}]}`, code: "INVALID_CONDITION_OPERATOR", path: "Statement[0].Condition.StringEqualz"},
		{name: "unknown-qualifier", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"ForSomeValues:StringEquals":{"aws:TagKeys":"a"}}}]}`, code: "INVALID_CONDITION_OPERATOR", path: "Statement[0].Condition.ForSomeValues:StringEquals"},
		{name: "numeric-value-not-number", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"an hour"}}}]}`, code: "INVALID_CONDITION_VALUE", path: "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge"},
		{name: "bool-value-not-bool", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"Bool":{"aws:SecureTransport":"yes"}}}]}`, code: "INVALID_CONDITION_VALUE", path: "Statement[0].Condition.Bool.aws:SecureTransport"},
		{name: "date-value-not-date", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}]}`, code: "INVALID_CONDITION_VALUE", path: "Statement[0].Condition.DateLessThan.aws:CurrentTime"},
		{name: "ip-value-not-ip", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}`, code: "INVALID_CONDITION_VALUE", path: "Statement[0].Condition.IpAddress.aws:SourceIp"},
		{name: "condition-value-object", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"StringEquals":{"aws:username":{"v":"alice"}}}}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Condition.StringEquals.aws:username"},
		{name: "condition-value-null", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"StringEquals":{"aws:username":null}}}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Condition.StringEquals.aws:username"},
		{name: "condition-value-empty-list", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"StringEquals":{"aws:username":[]}}}]}`, code: "INVALID_POLICY_ELEMENT", path: "Statement[0].Condition.StringEquals.aws:username"},
		{name: "null-with-ifexists", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` + stmtTail + `,"Condition":{"NullIfExists":{"aws:RequestTag/owner":"true"}}}]}`, code: "NULL_WITH_IF_EXISTS", path: "Statement[0].Condition.NullIfExists.aws:RequestTag/owner"},
		{name: "null-value-not-bool", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` + stmtTail + `,"Condition":{"Null":{"aws:RequestTag/owner":"maybe"}}}]}`, code: "INVALID_CONDITION_VALUE", path: "Statement[0].Condition.Null.aws:RequestTag/owner"},

		// JSON syntax.
		{name: "invalid-json-trailing-comma", doc: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [],\n}", code: "JSON_SYNTAX_ERROR", line: 4, column: 1},
		{name: "invalid-json-unterminated", doc: "{\"Version\": \"2012-10-17\", \"Statement\": [", code: "JSON_SYNTAX_ERROR", line: 1},
		{name: "invalid-json-empty", doc: "", code: "JSON_SYNTAX_ERROR", line: 1, column: 1},
		{name: "invalid-json-garbage", doc: "Version: 2012-10-17", code: "JSON_SYNTAX_ERROR", line: 1, column: 1},
		{name: "invalid-json-single-quotes", doc: "{'Version': '2012-10-17'}", code: "JSON_SYNTAX_ERROR", line: 1, column: 2},
		{name: "invalid-json-trailing-data", doc: `{"Version":"2012-10-17","Statement":[]} {}`, code: "JSON_SYNTAX_ERROR", line: 1},
		{name: "duplicate-top-level-key", doc: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [],\n  \"Version\": \"2008-10-17\"\n}", code: "JSON_SYNTAX_ERROR", line: 4, column: 3, rule: `duplicate key "Version"`},
		{name: "duplicate-statement-key", doc: "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Effect\":\"Deny\"," + stmtTail + "}]}", code: "JSON_SYNTAX_ERROR", line: 1, column: 56, rule: `duplicate key "Effect"`},
		{name: "duplicate-condition-key", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + stmtTail + `,"Condition":{"StringEquals":{"aws:username":"a","aws:username":"b"}}}]}`, code: "JSON_SYNTAX_ERROR", line: 1, rule: "duplicate key"},
		{name: "too-deep", doc: strings.Repeat("[", 100) + strings.Repeat("]", 100), code: "JSON_SYNTAX_ERROR", line: 1},
	}
	return cases
}

func TestParseRejects(t *testing.T) {
	for _, c := range malformedCases() {
		t.Run(c.name, func(t *testing.T) {
			p, err := policy.ParseString(c.doc, c.kind)
			if err == nil {
				t.Fatalf("Parse accepted a malformed document (%d statements)", len(p.Statements))
			}
			var se *policy.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *policy.SyntaxError", err, err)
			}
			if se.Code != c.code {
				t.Errorf("Code = %s, want %s (%v)", se.Code, c.code, err)
			}
			if se.Path != c.path {
				t.Errorf("Path = %q, want %q (%v)", se.Path, c.path, err)
			}
			if se.JSON != (c.code == "JSON_SYNTAX_ERROR") {
				t.Errorf("JSON = %v for code %s", se.JSON, se.Code)
			}
			if c.line != 0 && se.Line != c.line {
				t.Errorf("Line = %d, want %d (%v)", se.Line, c.line, err)
			}
			if c.column != 0 && se.Column != c.column {
				t.Errorf("Column = %d, want %d (%v)", se.Column, c.column, err)
			}
			if se.Line < 1 || se.Column < 1 {
				t.Errorf("position %d:%d is not 1-based", se.Line, se.Column)
			}
			if se.Offset < 0 || se.Offset > len(c.doc) {
				t.Errorf("Offset %d outside the document (len %d)", se.Offset, len(c.doc))
			}
			if c.rule != "" && !strings.Contains(se.Error(), c.rule) {
				t.Errorf("Error() = %q, want it to mention %q", se.Error(), c.rule)
			}
			if se.Rule == "" {
				t.Error("empty Rule")
			}
			if c.path != "" && !strings.Contains(se.Error(), " at "+c.path) {
				t.Errorf("Error() = %q does not name the path %s", se.Error(), c.path)
			}
		})
	}
}

// TestParseJSONErrorPointsAtOffendingByte: a JSON_SYNTAX_ERROR's Line/Column
// name the byte that breaks the JSON grammar (or the end of the document when
// it ends too early), wherever in the document it is.
func TestParseJSONErrorPointsAtOffendingByte(t *testing.T) {
	cases := []struct {
		doc          string
		line, column int
	}{
		{"Version: 2012-10-17", 1, 1},
		{"x", 1, 1},
		{"  Version", 1, 3},
		{"\n\n   nope", 3, 5},
		{"{'Version': 1}", 1, 2},
		{`{"Version":"2012-10-17",}`, 1, 25},
		{`{"Version":"2012-10-17","Statement":[1,,2]}`, 1, 40},
		{`{"Version" "2012-10-17"}`, 1, 12},
		{`{"Version":"2012-10-17","Statement":tru}`, 1, 40},
		{`{"Version":"2012-10-17","Statement":[01]}`, 1, 39},
		{"{\"Version\":\"2012-10-17\",\n\"Statement\":[{\"Sid\":\"a\\qb\"}]}", 2, 24},
		{`{"Version":"2012-10-17","Statement":[]} {}`, 1, 41},
		{`{"Version":"2012-10-17"`, 1, 24},
		{"", 1, 1},
	}
	for _, c := range cases {
		_, err := policy.ParseString(c.doc, policy.IdentityPolicy)
		var se *policy.SyntaxError
		if !errors.As(err, &se) || se.Code != "JSON_SYNTAX_ERROR" {
			t.Errorf("%q: got %v, want JSON_SYNTAX_ERROR", c.doc, err)
			continue
		}
		if se.Line != c.line || se.Column != c.column {
			t.Errorf("%q: error at %d:%d, want %d:%d (%v)", c.doc, se.Line, se.Column, c.line, c.column, err)
		}
	}
}

// TestParseErrorPositionPointsAtElement checks that Line/Column point at the
// offending text itself, on a multi-line document.
func TestParseErrorPositionPointsAtElement(t *testing.T) {
	doc := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Push",
      "Effect": "Allow",
      "Action": [
        "ecr-public:PutImage",
        "PutImage"
      ],
      "Resource": "*"
    }
  ]
}`
	_, err := policy.ParseString(doc, policy.IdentityPolicy)
	var se *policy.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("got %v", err)
	}
	wantEq(t, "Code", se.Code, "INVALID_ACTION")
	wantEq(t, "Path", se.Path, "Statement[0].Action[1]")
	wantEq(t, "Line", se.Line, 9)
	wantEq(t, "Column", se.Column, 9)
	wantEq(t, "text at Offset", doc[se.Offset:se.Offset+10], `"PutImage"`)
	wantEq(t, "Error()", se.Error(), se.Rule+" at Statement[0].Action[1] (line 9, column 9)")
}

// TestParseDoesNotRetainCallerMutations: Source returns the bytes parsed; the
// compiled policy must not change when the caller reuses its buffer.
func TestParseCompiledPolicyIndependentOfBuffer(t *testing.T) {
	buf := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public::123456789012:repository/app"}]}`)
	p, err := policy.Parse(buf, policy.IdentityPolicy)
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = ' '
	}
	st := p.Statements[0]
	wantActions(t, st, "ecr-public:PutImage")
	wantResources(t, st, "arn:aws:ecr-public::123456789012:repository/app")
}

// --- helpers shared by the package's tests ---

func wantEq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func only(t *testing.T, p *policy.Policy) *policy.Statement {
	t.Helper()
	if len(p.Statements) != 1 {
		t.Fatalf("%d statements, want 1", len(p.Statements))
	}
	return p.Statements[0]
}

func wantActions(t *testing.T, st *policy.Statement, want ...string) {
	t.Helper()
	var got []string
	for _, a := range st.Actions {
		got = append(got, a.Source)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Actions = %q, want %q", got, want)
	}
}

func wantResources(t *testing.T, st *policy.Statement, want ...string) {
	t.Helper()
	var got []string
	for _, r := range st.Resources {
		got = append(got, r.Source())
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Resources = %q, want %q", got, want)
	}
}

func pr(kind policy.PrincipalKind, value, account string) policy.Principal {
	return policy.Principal{Kind: kind, Value: value, Account: account}
}

func wantPrincipals(t *testing.T, st *policy.Statement, want ...policy.Principal) {
	t.Helper()
	if len(st.Principals) != len(want) {
		t.Fatalf("Principals = %+v, want %+v", st.Principals, want)
	}
	for i, w := range want {
		g := st.Principals[i]
		if g.Kind != w.Kind || g.Value != w.Value || g.Account != w.Account {
			t.Errorf("Principals[%d] = %+v, want %+v", i, g, w)
		}
	}
}

func wantCondition(t *testing.T, st *policy.Statement, i int, op, key string, values ...string) {
	t.Helper()
	if i >= len(st.Condition) {
		t.Fatalf("condition %d missing (%d clauses)", i, len(st.Condition))
	}
	c := st.Condition[i]
	if c.Operator() != op || c.Key() != key || strings.Join(c.Values(), "|") != strings.Join(values, "|") {
		t.Errorf("Condition[%d] = %s %s %q, want %s %s %q", i, c.Operator(), c.Key(), c.Values(), op, key, values)
	}
}
