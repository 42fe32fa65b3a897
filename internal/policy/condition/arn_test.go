package condition_test

import "testing"

// IAM User Guide, Amazon Resource Name (ARN) condition operators: ArnEquals and
// ArnLike are case-sensitive matching of the ARN; each of the six
// colon-delimited components is checked separately and each can include
// multi-character (*) or single-character (?) wildcards. ArnNotEquals and
// ArnNotLike are the negated forms.
func TestArn(t *testing.T) {
	const k = "aws:PrincipalArn"
	const role = "arn:aws:iam::123456789012:role/team/deployer"
	runEval(t, []evalCase{
		{"equals literal", "ArnEquals", k, []string{role}, false, one(k, role), true},
		{"equals case-sensitive", "ArnEquals", k, []string{role}, false, one(k, "arn:aws:iam::123456789012:role/team/Deployer"), false},
		{"equals takes wildcards", "ArnEquals", k, []string{"arn:aws:iam::123456789012:role/*"}, false, one(k, role), true},
		{"like resource star spans slash", "ArnLike", k, []string{"arn:aws:iam::123456789012:role/*"}, false, one(k, role), true},
		{"like resource type differs", "ArnLike", k, []string{"arn:aws:iam::123456789012:user/*"}, false, one(k, role), false},
		{"like account star", "ArnLike", k, []string{"arn:aws:iam::*:role/team/*"}, false, one(k, role), true},
		{"like account question", "ArnLike", k, []string{"arn:aws:iam::12345678901?:role/team/*"}, false, one(k, role), true},
		{"like account differs", "ArnLike", k, []string{"arn:aws:iam::999999999999:role/*"}, false, one(k, role), false},
		{"like service star does not cross colons", "ArnLike", k, []string{"arn:aws:*:role/*"}, false, one(k, role), false},
		{"like region star matches empty", "ArnLike", k, []string{"arn:aws:iam:*:123456789012:role/*"}, false, one(k, role), true},
		{"like all segments", "ArnLike", k, []string{"arn:*:*:*:*:*"}, false, one(k, role), true},
		{"like star", "ArnLike", k, []string{"*"}, false, one(k, role), true},
		{"like short pattern", "ArnLike", k, []string{"arn:aws:iam:*"}, false, one(k, role), true},
		{"like resource with colons", "ArnLike", "aws:SourceArn", []string{"arn:aws:logs:us-east-1:123456789012:log-group:*"}, false, one("aws:SourceArn", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/x:log-stream:y"), true},
		{"like not an ARN request", "ArnLike", k, []string{"arn:aws:iam::*:role/*"}, false, one(k, "role/team/deployer"), false},
		{"like case-sensitive service", "ArnLike", k, []string{"arn:aws:IAM::*:role/*"}, false, one(k, role), false},
		{"not like matching", "ArnNotLike", k, []string{"arn:aws:iam::*:role/team/*"}, false, one(k, role), false},
		{"not like other", "ArnNotLike", k, []string{"arn:aws:iam::*:role/other/*"}, false, one(k, role), true},
		{"not like missing", "ArnNotLike", k, []string{"arn:aws:iam::*:role/*"}, false, req{}, true},
		{"not equals same", "ArnNotEquals", k, []string{role}, false, one(k, role), false},
		{"not equals other", "ArnNotEquals", k, []string{role}, false, one(k, "arn:aws:iam::123456789012:role/x"), true},
		{"not equals missing", "ArnNotEquals", k, []string{role}, false, req{}, true},
		{"like missing", "ArnLike", k, []string{"*"}, false, req{}, false},
		{"like if exists missing", "ArnLikeIfExists", k, []string{"arn:aws:iam::*:role/*"}, false, req{}, true},
		{"variable account", "ArnLike", k, []string{"arn:aws:iam::${aws:PrincipalAccount}:role/*"}, true, req{k: {role}, "aws:PrincipalAccount": {"123456789012"}}, true},
		{"variable account other", "ArnLike", k, []string{"arn:aws:iam::${aws:PrincipalAccount}:role/*"}, true, req{k: {role}, "aws:PrincipalAccount": {"111111111111"}}, false},
		{"variable missing", "ArnLike", k, []string{"arn:aws:iam::${aws:PrincipalAccount}:role/*"}, true, one(k, role), false},
		{"variable missing negated", "ArnNotLike", k, []string{"arn:aws:iam::${aws:PrincipalAccount}:role/*"}, true, one(k, role), true},
		{"variable with colon in resource", "ArnLike", "aws:SourceArn", []string{"arn:aws:ecr-public::123456789012:repository/${aws:username}/*"}, true, req{"aws:SourceArn": {"arn:aws:ecr-public::123456789012:repository/alice/app"}, "aws:username": {"alice"}}, true},
		{"whole value is a variable", "ArnEquals", k, []string{"${aws:SourceArn}"}, true, req{k: {role}, "aws:SourceArn": {role}}, true},
		{"variables off", "ArnLike", k, []string{"arn:aws:iam::${aws:PrincipalAccount}:role/*"}, false, req{k: {"arn:aws:iam::${aws:PrincipalAccount}:role/x"}, "aws:PrincipalAccount": {"123456789012"}}, true},
		{"variables off not resolved", "ArnLike", k, []string{"arn:aws:iam::${aws:PrincipalAccount}:role/*"}, false, req{k: {role}, "aws:PrincipalAccount": {"123456789012"}}, false},
		{"ForAnyValue multivalued", "ForAnyValue:ArnLike", "aws:SourceArn", []string{"arn:aws:sns:*:123456789012:*"}, false, req{"aws:SourceArn": {"arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:sns:us-east-1:123456789012:t"}}, true},
	})
}
