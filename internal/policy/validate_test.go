package policy_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/policy/catalog"
)

// The checks follow IAM Access Analyzer's policy validation
// (IAM User Guide, access-analyzer-reference-policy-checks): issue codes,
// finding types and locations (a path of keys and indexes into the document).

var testCatalog = catalog.MustLoad()

// want is one finding a document must produce.
type want struct {
	typ     policy.FindingType
	code    string
	path    string
	details []string // substrings of the finding's details
}

func findingsString(fs []policy.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\n  " + string(f.Type) + " " + f.IssueCode + " at " + f.Locations[0].PathString() + ": " + f.Details)
	}
	return b.String()
}

func hasFinding(fs []policy.Finding, w want) bool {
	for _, f := range fs {
		if f.IssueCode != w.code || f.Type != w.typ || f.Locations[0].PathString() != w.path {
			continue
		}
		ok := true
		for _, d := range w.details {
			ok = ok && strings.Contains(f.Details, d)
		}
		if ok {
			return true
		}
	}
	return false
}

func codes(fs []policy.Finding) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[f.IssueCode]++
	}
	return m
}

func TestValidateChecks(t *testing.T) {
	cases := []struct {
		name string
		kind policy.Kind
		doc  string
		want []want
		// not are issue codes that must not be reported.
		not []string
	}{
		{name: "invalid-action-did-you-mean",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:PutImage","ecr-public:PutImages"],"Resource":"*"}]}`,
			want: []want{{policy.FindingError, "INVALID_ACTION", "Statement[0].Action[1]", []string{"ecr-public:PutImages does not exist", "Did you mean ecr-public:PutImage?"}}}},
		{name: "invalid-action-case-of-did-you-mean",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:describeimage","Resource":"*"}]}`,
			want: []want{{policy.FindingError, "INVALID_ACTION", "Statement[0].Action", []string{"Did you mean ecr-public:DescribeImages?"}}}},
		{name: "invalid-action-sibling-service",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:BatchGetImage","Resource":"*"}]}`,
			want: []want{{policy.FindingError, "INVALID_ACTION", "Statement[0].Action", []string{"ecr:BatchGetImage is an action of ecr"}}}},
		{name: "invalid-action-pattern-matches-nothing",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:Pull*","Resource":"*"}]}`,
			want: []want{{policy.FindingError, "INVALID_ACTION", "Statement[0].Action", []string{"The action pattern ecr-public:Pull* matches no action of ecr-public"}}}},
		{name: "valid-action-pattern",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:Describe*","ecr-public:*Image*"],"Resource":"arn:aws:ecr-public::123456789012:repository/app"}]}`,
			not: []string{"INVALID_ACTION"}},
		{name: "action-name-case-insensitive",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ECR-PUBLIC:putimage","Resource":"arn:aws:ecr-public::123456789012:repository/app"}]}`,
			not: []string{"INVALID_ACTION", "INVALID_SERVICE_IN_ACTION"}},
		{name: "invalid-service-in-action",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:PutImage","ecrpublic:PutImage"],"Resource":"*"}]}`,
			want: []want{{policy.FindingError, "INVALID_SERVICE_IN_ACTION", "Statement[0].Action[1]", []string{"The service ecrpublic in action ecrpublic:PutImage does not exist"}}}},
		{name: "known-service-without-detail-is-not-flagged",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`,
			not: []string{"INVALID_ACTION", "INVALID_SERVICE_IN_ACTION", "RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE"}},
		{name: "wildcard-in-service-name",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr*:Describe*","Resource":"*"}]}`,
			want: []want{{policy.FindingSuggestion, "WILDCARD_IN_SERVICE_NAME", "Statement[0].Action", nil}}},
		{name: "resource-arn-matches-no-resource-type",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":["arn:aws:ecr-public::123456789012:repository/app","arn:aws:ecr-public::123456789012:registry/app"]}]}`,
			want: []want{{policy.FindingError, "RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE", "Statement[0].Resource[1]", []string{"arn:aws:ecr-public::123456789012:registry/app", "ecr-public repository"}}}},
		{name: "resource-arn-for-action-without-resource-types",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:GetAuthorizationToken","sts:GetServiceBearerToken"],"Resource":"arn:aws:ecr-public::123456789012:repository/app"}]}`,
			want: []want{{policy.FindingError, "RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE", "Statement[0].Resource", []string{`take no resource, so they are granted only with Resource "*"`}}}},
		{name: "resource-arn-wrong-service",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr:us-east-1:123456789012:repository/app"}]}`,
			want: []want{{policy.FindingError, "RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE", "Statement[0].Resource", []string{`service "ecr" can never be "ecr-public"`, `region "us-east-1"`}}}},
		{name: "resource-arn-wildcards-fine",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":["arn:aws:ecr-public::*:repository/*","arn:aws:ecr-public:*","arn:*:ecr-public::123456789012:repository/team-?"]}]}`,
			not: []string{"RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE", "INVALID_ARN_REGION", "INVALID_ARN_ACCOUNT"}},
		{name: "invalid-arn-region",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public:us-east-1:123456789012:repository/app"}]}`,
			want: []want{{policy.FindingError, "INVALID_ARN_REGION", "Statement[0].Resource", []string{"us-east-1", "ecr-public resource ARNs have no Region", "arn:aws:ecr-public::123456789012:repository/"}}}},
		{name: "missing-arn-region",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:PutImage","Resource":["arn:aws:ecr:us-east-1:123456789012:repository/app","arn:aws:ecr::123456789012:repository/app"]}]}`,
			want: []want{{policy.FindingError, "MISSING_ARN_REGION", "Statement[0].Resource[1]", []string{"Add a Region to the ecr resource ARN", "arn:aws:ecr:us-east-1:123456789012:repository/"}}}},
		{name: "invalid-arn-account",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public::12345678901:repository/app"}]}`,
			want: []want{{policy.FindingError, "INVALID_ARN_ACCOUNT", "Statement[0].Resource", []string{"12345678901"}}}},
		{name: "arn-account-variable-and-wildcard-fine",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":["arn:aws:ecr-public::${aws:PrincipalAccount}:repository/app","arn:aws:ecr-public::1234*:repository/app"]}]}`,
			not: []string{"INVALID_ARN_ACCOUNT"}},
		{name: "missing-required-action",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:GetAuthorizationToken","Resource":"*"}]}`,
			want: []want{{policy.FindingWarning, "MISSING_REQUIRED_ACTION", "Statement[0].Action", []string{"ecr-public:GetAuthorizationToken also needs sts:GetServiceBearerToken"}}}},
		{name: "required-action-present-in-other-statement",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:GetAuthorizationToken","Resource":"*"},{"Effect":"Allow","Action":"sts:GetServiceBearerToken","Resource":"*"}]}`,
			not: []string{"MISSING_REQUIRED_ACTION"}},
		{name: "required-action-present-by-wildcard",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:GetAuthorizationToken","sts:Get*"],"Resource":"*"}]}`,
			not: []string{"MISSING_REQUIRED_ACTION"}},
		{name: "required-action-denied-only",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:GetAuthorizationToken","Resource":"*"},{"Effect":"Deny","Action":"sts:GetServiceBearerToken","Resource":"*"}]}`,
			want: []want{{policy.FindingWarning, "MISSING_REQUIRED_ACTION", "Statement[0].Action", []string{"sts:GetServiceBearerToken"}}}},
		{name: "required-action-on-wrong-resource",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:GetAuthorizationToken","Resource":"*"},{"Effect":"Allow","Action":"sts:GetServiceBearerToken","Resource":"arn:aws:sts::123456789012:self"}]}`,
			want: []want{{policy.FindingWarning, "MISSING_REQUIRED_ACTION", "Statement[0].Action", []string{"sts:GetServiceBearerToken"}}}},
		{name: "allow-with-not-action",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`,
			want: []want{{policy.FindingSecurityWarning, "ALLOW_WITH_NOT_ACTION", "Statement[0].NotAction", nil}}},
		{name: "deny-with-not-action-is-fine",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"ecr-public:Describe*","Resource":"*"}]}`,
			not: []string{"ALLOW_WITH_NOT_ACTION"}},
		{name: "allow-with-not-resource",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","NotResource":"arn:aws:ecr-public::123456789012:repository/prod"}]}`,
			want: []want{{policy.FindingSecurityWarning, "ALLOW_WITH_NOT_RESOURCE", "Statement[0].NotResource", nil}}},
		{name: "allow-with-not-principal", kind: policy.ResourcePolicy,
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/mallory"},"Action":"ecr-public:DescribeImages"}]}`,
			want: []want{{policy.FindingSecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL", "Statement[0].NotPrincipal", nil}}},
		{name: "deny-with-not-principal-is-fine", kind: policy.ResourcePolicy,
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:root"]},"Action":"ecr-public:DeleteRepository"}]}`,
			not: []string{"ALLOW_WITH_NOT_PRINCIPAL"}},
		{name: "full-administrative-access",
			doc:  `{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Action":"*","Resource":"*"}]}`,
			want: []want{{policy.FindingSecurityWarning, "FULL_ADMINISTRATIVE_ACCESS", "Statement[0]", nil}}},
		{name: "full-administrative-access-in-resource-policy-without-resource", kind: policy.ResourcePolicy,
			doc:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*"}}`,
			want: []want{{policy.FindingSecurityWarning, "FULL_ADMINISTRATIVE_ACCESS", "Statement", nil}}},
		{name: "admin-with-condition-is-not-flagged",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`,
			not: []string{"FULL_ADMINISTRATIVE_ACCESS"}},
		{name: "pass-role-with-star-in-resource",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/*"}]}`,
			want: []want{{policy.FindingSecurityWarning, "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Statement[0].Resource", []string{"iam:PassedToService"}}}},
		{name: "pass-role-with-star-and-passed-to-service",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}`,
			not: []string{"PASS_ROLE_WITH_STAR_IN_RESOURCE"}},
		{name: "pass-role-named-role",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ecsTaskExecutionRole"}]}`,
			not: []string{"PASS_ROLE_WITH_STAR_IN_RESOURCE", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"}},
		{name: "pass-role-with-star-in-action-and-resource",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Pass*","Resource":"*"}]}`,
			want: []want{{policy.FindingSecurityWarning, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "Statement[0].Resource", nil}}},
		{name: "pass-role-with-not-resource",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::123456789012:role/admin"}]}`,
			want: []want{{policy.FindingSecurityWarning, "PASS_ROLE_WITH_NOT_RESOURCE", "Statement[0].NotResource", nil}}},
		{name: "invalid-global-condition-key",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012","aws:PrincipalTeam":"red"}}}]}`,
			want: []want{{policy.FindingError, "INVALID_GLOBAL_CONDITION_KEY", "Statement[0].Condition.StringEquals.aws:PrincipalTeam", []string{"aws:PrincipalTeam does not exist"}}}},
		{name: "global-condition-key-case-insensitive-and-tag-keys",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringEquals":{"AWS:SOURCEACCOUNT":"123456789012","aws:PrincipalTag/team":"red","aws:ResourceTag/env":"prod"}}}]}`,
			not: []string{"INVALID_GLOBAL_CONDITION_KEY"}},
		{name: "invalid-service-condition-key",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringEquals":{"ecr-public:ResourceTag/env":"prod","ecr-public:RepositoryName":"app"}}}]}`,
			want: []want{{policy.FindingError, "INVALID_SERVICE_CONDITION_KEY", "Statement[0].Condition.StringEquals.ecr-public:RepositoryName", []string{"ecr-public:RepositoryName does not exist in the service ecr-public"}}}},
		{name: "invalid-service-condition-key-unknown-service",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringEquals":{"nosuchservice:Key":"x"}}}]}`,
			want: []want{{policy.FindingError, "INVALID_SERVICE_CONDITION_KEY", "Statement[0].Condition.StringEquals.nosuchservice:Key", []string{"nosuchservice is not a service prefix"}}}},
		{name: "missing-qualifier",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:TagResource","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":["env","team"]}}}]}`,
			want: []want{{policy.FindingError, "MISSING_QUALIFIER", "Statement[0].Condition.StringEquals.aws:TagKeys", []string{"ForAllValues:", "ForAnyValue:"}}}},
		{name: "qualifier-present",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:TagResource","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]},"Null":{"aws:TagKeys":"false"}}}]}`,
			not: []string{"MISSING_QUALIFIER"}},
		{name: "forallvalues-with-single-valued-key",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:PrincipalTag/team":"red"}}}]}`,
			want: []want{{policy.FindingSecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", "Statement[0].Condition.ForAllValues:StringEquals.aws:PrincipalTag/team", nil}}},
		{name: "foranyvalue-with-single-valued-key",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:username":"alice"}}}]}`,
			want: []want{{policy.FindingWarning, "FORANYVALUE_WITH_SINGLE_VALUED_KEY", "Statement[0].Condition.ForAnyValue:StringEquals.aws:username", nil}}},
		{name: "wildcard-without-like-operator",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":["red","blue*"]}}}]}`,
			want: []want{{policy.FindingWarning, "WILDCARD_WITHOUT_LIKE_OPERATOR", "Statement[0].Condition.StringEquals.aws:PrincipalTag/team", []string{`"blue*"`, "StringLike"}}}},
		{name: "wildcard-with-like-operator",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/team":"blue*"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ci-*"}}}]}`,
			not: []string{"WILDCARD_WITHOUT_LIKE_OPERATOR", "TYPE_MISMATCH"}},
		{name: "type-mismatch",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringEquals":{"aws:SourceIp":"10.0.0.1"},"NumericLessThan":{"aws:username":"3"}}}]}`,
			want: []want{{policy.FindingWarning, "TYPE_MISMATCH", "Statement[0].Condition.StringEquals.aws:SourceIp", []string{"IPAddress", "IpAddress"}}, {policy.FindingWarning, "TYPE_MISMATCH", "Statement[0].Condition.NumericLessThan.aws:username", []string{"String"}}}},
		{name: "type-match-arn-with-string-and-epoch-numeric",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/alice"},"NumericLessThan":{"aws:EpochTime":"2000000000"},"DateLessThan":{"aws:EpochTime":"2000000000"},"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}}]}`,
			not: []string{"TYPE_MISMATCH"}},
		{name: "redundant-statement",
			doc:  `{"Version":"2012-10-17","Statement":[{"Sid":"Broad","Effect":"Allow","Action":"ecr-public:*","Resource":"*"},{"Sid":"Narrow","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public::123456789012:repository/app"}]}`,
			want: []want{{policy.FindingSuggestion, "REDUNDANT_STATEMENT", "Statement[1]", []string{"Narrow", "Broad"}}}},
		{name: "duplicate-statement-reports-the-second",
			doc:  `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"},{"Sid":"B","Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"}]}`,
			want: []want{{policy.FindingSuggestion, "REDUNDANT_STATEMENT", "Statement[1]", []string{"The statement B is redundant: statement A"}}}},
		{name: "not-redundant-different-effect-or-condition",
			doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"},{"Effect":"Deny","Action":"ecr-public:PutImage","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
			not: []string{"REDUNDANT_STATEMENT"}},
		{name: "redundant-action",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:Describe*","ecr-public:DescribeImages","ecr-public:PutImage"],"Resource":"*"}]}`,
			want: []want{{policy.FindingSuggestion, "REDUNDANT_ACTION", "Statement[0].Action[1]", []string{"ecr-public:DescribeImages", "ecr-public:Describe*"}}}},
		{name: "redundant-action-duplicate-in-other-case",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr-public:PutImage","ECR-PUBLIC:putimage"],"Resource":"*"}]}`,
			want: []want{{policy.FindingSuggestion, "REDUNDANT_ACTION", "Statement[0].Action[1]", nil}}},
		{name: "redundant-resource",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":["arn:aws:ecr-public::123456789012:repository/team/app","arn:aws:ecr-public::123456789012:repository/team/*"]}]}`,
			want: []want{{policy.FindingSuggestion, "REDUNDANT_RESOURCE", "Statement[0].Resource[0]", []string{"repository/team/app", "repository/team/*"}}}},
		{name: "missing-version",
			doc:  `{"Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*"}]}`,
			want: []want{{policy.FindingWarning, "MISSING_VERSION", "", []string{`"Version": "2012-10-17"`}}}},
		{name: "variable-unsupported-in-version-2008",
			doc:  `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"arn:aws:ecr-public::123456789012:repository/${aws:username}"}]}`,
			want: []want{{policy.FindingError, "VARIABLE_UNSUPPORTED_IN_VERSION", "Statement[0]", []string{"${aws:username}"}}},
			not:  []string{"MISSING_VERSION"}},
		{name: "variable-unsupported-without-version-in-condition",
			doc: `{"Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}}]}`,
			want: []want{{policy.FindingError, "VARIABLE_UNSUPPORTED_IN_VERSION", "Statement[0]", []string{"${aws:username}"}},
				{policy.FindingWarning, "MISSING_VERSION", "", nil}}},
		{name: "policy-size-exceeds-identity-quota",
			doc:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr-public:PutImage","Resource":[` + strings.TrimSuffix(strings.Repeat(`"arn:aws:ecr-public::123456789012:repository/a-very-long-repository-name-that-takes-space-",`, 80), ",") + `]}]}`,
			want: []want{{policy.FindingWarning, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "", []string{"6,144"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := policy.Validate([]byte(c.doc), c.kind, testCatalog)
			for _, w := range c.want {
				if !hasFinding(fs, w) {
					t.Errorf("missing %s %s at %q (details %q); got:%s", w.typ, w.code, w.path, w.details, findingsString(fs))
				}
			}
			got := codes(fs)
			for _, code := range c.not {
				if got[code] > 0 {
					t.Errorf("unexpected %s:%s", code, findingsString(fs))
				}
			}
			checkFindingsWellFormed(t, c.doc, fs)
		})
	}
}

// checkFindingsWellFormed: every finding has a known type, a code, details, the
// learn-more link, a location whose span lies in the document and whose path
// leads to that span; findings are sorted by severity.
func checkFindingsWellFormed(t *testing.T, doc string, fs []policy.Finding) {
	t.Helper()
	rank := map[policy.FindingType]int{policy.FindingError: 0, policy.FindingSecurityWarning: 1, policy.FindingWarning: 2, policy.FindingSuggestion: 3}
	prev := -1
	for _, f := range fs {
		r, ok := rank[f.Type]
		if !ok {
			t.Errorf("finding type %q", f.Type)
		}
		if r < prev {
			t.Errorf("findings not sorted by severity:%s", findingsString(fs))
		}
		prev = r
		if f.IssueCode == "" || f.Details == "" || !strings.HasPrefix(f.LearnMoreLink, "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks") {
			t.Errorf("incomplete finding %+v", f)
		}
		if len(f.Locations) == 0 {
			t.Errorf("%s: no location", f.IssueCode)
			continue
		}
		sp := f.Locations[0].Span
		if sp.Start.Offset < 0 || sp.End.Offset > len(doc) || sp.Start.Offset > sp.End.Offset || sp.Start.Line < 1 || sp.Start.Column < 0 {
			t.Errorf("%s: bad span %+v (len %d)", f.IssueCode, sp, len(doc))
		}
	}
}

// TestValidateLocationSpan: spans use Access Analyzer's convention (lines
// from 1, columns and offsets from 0) and cover the offending text; the path
// is a list of keys and indexes.
func TestValidateLocationSpan(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": [\"ecr-public:PutImage\", \"ecr-public:PutImages\"], \"Resource\": \"*\"}\n  ]\n}"
	fs := policy.Validate([]byte(doc), policy.IdentityPolicy, testCatalog)
	var f *policy.Finding
	for i := range fs {
		if fs[i].IssueCode == "INVALID_ACTION" {
			f = &fs[i]
		}
	}
	if f == nil {
		t.Fatalf("no INVALID_ACTION:%s", findingsString(fs))
	}
	loc := f.Locations[0]
	sp := loc.Span
	wantEq(t, "text", doc[sp.Start.Offset:sp.End.Offset], `"ecr-public:PutImages"`)
	wantEq(t, "start line", sp.Start.Line, 4)
	wantEq(t, "start column (0-based)", sp.Start.Column, strings.Index(strings.Split(doc, "\n")[3], `"ecr-public:PutImages"`))
	b, err := json.Marshal(loc.Path)
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "path JSON", string(b), `[{"key":"Statement"},{"index":0},{"key":"Action"},{"index":1}]`)
	fb, _ := json.Marshal(f)
	for _, member := range []string{`"findingType":"ERROR"`, `"issueCode":"INVALID_ACTION"`, `"findingDetails":`, `"learnMoreLink":`, `"locations":[{"path":`, `"span":{"start":{"line":4,`} {
		if !strings.Contains(string(fb), member) {
			t.Errorf("finding JSON lacks %s: %s", member, fb)
		}
	}
}

// TestValidateCleanPolicies: least-privilege policies that follow AWS's
// guidance produce no findings at all.
func TestValidateCleanPolicies(t *testing.T) {
	clean := []struct {
		name string
		kind policy.Kind
		doc  string
	}{
		{"ecr-public-push", policy.IdentityPolicy, `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "GetAuthorizationToken",
      "Effect": "Allow",
      "Action": ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"],
      "Resource": "*"
    },
    {
      "Sid": "PushToMyRepository",
      "Effect": "Allow",
      "Action": [
        "ecr-public:BatchCheckLayerAvailability",
        "ecr-public:InitiateLayerUpload",
        "ecr-public:UploadLayerPart",
        "ecr-public:CompleteLayerUpload",
        "ecr-public:PutImage"
      ],
      "Resource": "arn:aws:ecr-public::123456789012:repository/my-app"
    }
  ]
}`},
		{"ecr-public-read-own-repositories", policy.IdentityPolicy, `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["ecr-public:DescribeImages","ecr-public:DescribeImageTags","ecr-public:DescribeRepositories"],"Resource":"arn:aws:ecr-public::123456789012:repository/${aws:username}/*"}]}`},
		{"repository-policy", policy.ResourcePolicy, `{"Version":"2012-10-17","Statement":[{"Sid":"AllowPushFromCI","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/ci"},"Action":["ecr-public:BatchCheckLayerAvailability","ecr-public:InitiateLayerUpload","ecr-public:UploadLayerPart","ecr-public:CompleteLayerUpload","ecr-public:PutImage"]}]}`},
		{"deny-insecure-transport", policy.IdentityPolicy, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyHTTP","Effect":"Deny","Action":"ecr-public:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`},
		{"tag-on-create", policy.IdentityPolicy, `{"Version":"2012-10-17","Statement":[{"Sid":"CreateTagged","Effect":"Allow","Action":["ecr-public:CreateRepository","ecr-public:TagResource"],"Resource":"arn:aws:ecr-public::123456789012:repository/*","Condition":{"StringEquals":{"aws:RequestTag/team":"${aws:PrincipalTag/team}"},"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}}]}`},
	}
	for _, c := range clean {
		t.Run(c.name, func(t *testing.T) {
			if fs := policy.Validate([]byte(c.doc), c.kind, testCatalog); len(fs) != 0 {
				t.Errorf("want no findings, got:%s", findingsString(fs))
			}
		})
	}
}

// TestValidateSyntaxErrors: a document Parse rejects gives exactly one ERROR
// finding, with the SyntaxError's code, pointing where the error does.
func TestValidateSyntaxErrors(t *testing.T) {
	for _, c := range malformedCases() {
		t.Run(c.name, func(t *testing.T) {
			_, err := policy.ParseString(c.doc, c.kind)
			var se *policy.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse: %v", err)
			}
			fs := policy.Validate([]byte(c.doc), c.kind, testCatalog)
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1:%s", len(fs), findingsString(fs))
			}
			f := fs[0]
			wantEq(t, "type", f.Type, policy.FindingError)
			wantEq(t, "code", f.IssueCode, se.Code)
			wantEq(t, "details", f.Details, se.Rule)
			wantEq(t, "path", f.Locations[0].PathString(), se.Path)
			wantEq(t, "line", f.Locations[0].Span.Start.Line, se.Line)
			wantEq(t, "column (0-based)", f.Locations[0].Span.Start.Column, se.Column-1)
			wantEq(t, "offset", f.Locations[0].Span.Start.Offset, se.Offset)
			checkFindingsWellFormed(t, c.doc, fs)
		})
	}
}

// TestValidateSeedPolicy: the tutorial policy Wharf was seeded with uses ECR
// (private) action names and ARNs for ECR Public.
func TestValidateSeedPolicy(t *testing.T) {
	seed, err := os.ReadFile("../../testdata/seed-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	fs := policy.Validate(seed, policy.IdentityPolicy, testCatalog)
	for _, w := range []want{
		{policy.FindingError, "INVALID_ACTION", "Statement[0].Action[0]", []string{"ecr-public:ListImages does not exist"}},
		{policy.FindingError, "INVALID_ACTION", "Statement[2].Action[1]", []string{"ecr-public:GetDownloadUrlForLayer does not exist"}},
		{policy.FindingError, "INVALID_ACTION", "Statement[2].Action[4]", []string{"ecr-public:ListImages does not exist"}},
		{policy.FindingError, "INVALID_ACTION", "Statement[2].Action[6]", []string{"ecr-public:BatchGetImage does not exist"}},
		{policy.FindingError, "RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE", "Statement[2].Resource", []string{`"ecr"`, "us-east-1", "arn:aws:ecr:us-east-1:123456789012:repository/my-public-repo"}},
		{policy.FindingWarning, "MISSING_REQUIRED_ACTION", "Statement[1].Action[0]", []string{"sts:GetServiceBearerToken"}},
	} {
		if !hasFinding(fs, w) {
			t.Errorf("missing %s %s at %s %q:%s", w.typ, w.code, w.path, w.details, findingsString(fs))
		}
	}
	got := codes(fs)
	wantEq(t, "INVALID_ACTION count", got["INVALID_ACTION"], 4)
	wantEq(t, "MISSING_REQUIRED_ACTION count", got["MISSING_REQUIRED_ACTION"], 1)
	if fs[0].Type != policy.FindingError {
		t.Errorf("first finding is %s, want the errors first", fs[0].Type)
	}
	checkFindingsWellFormed(t, string(seed), fs)

	// The corrected policy (ECR Public names and ARNs, with the bearer token
	// permission) is clean.
	fixed := strings.NewReplacer(
		`"ecr-public:ListImages"`, `"ecr-public:DescribeImageTags"`,
		`"ecr-public:GetDownloadUrlForLayer",`, ``,
		`"ecr-public:BatchGetImage",`, ``,
		`"arn:aws:ecr:us-east-1:123456789012:repository/my-public-repo"`, `"arn:aws:ecr-public::123456789012:repository/my-public-repo"`,
		`"ecr-public:GetAuthorizationToken"`, `"ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"`,
	).Replace(string(seed))
	fs = policy.Validate([]byte(fixed), policy.IdentityPolicy, testCatalog)
	for _, f := range fs {
		if f.Type == policy.FindingError || f.Type == policy.FindingSecurityWarning || f.IssueCode == "MISSING_REQUIRED_ACTION" {
			t.Errorf("fixed seed policy still has %s %s at %s: %s", f.Type, f.IssueCode, f.Locations[0].PathString(), f.Details)
		}
	}
}
