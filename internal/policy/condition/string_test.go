package condition_test

import "testing"

// IAM User Guide, String condition operators:
//   - StringEquals: exact matching, case sensitive;
//   - StringNotEquals: negated matching;
//   - StringEqualsIgnoreCase: exact matching, ignoring case;
//   - StringLike: case-sensitive matching; the values can include a
//     multi-character match wildcard (*) and a single-character match wildcard
//     (?) anywhere in the string;
//   - policy variables may be used in String values (Version 2012-10-17).
func TestStringEquals(t *testing.T) {
	const k = "aws:PrincipalTag/job-category"
	runEval(t, []evalCase{
		{"equal", "StringEquals", k, []string{"iamuser-admin"}, false, one(k, "iamuser-admin"), true},
		{"case-sensitive", "StringEquals", k, []string{"iamuser-admin"}, false, one(k, "IAMUser-Admin"), false},
		{"no prefix match", "StringEquals", k, []string{"iamuser"}, false, one(k, "iamuser-admin"), false},
		{"star is literal", "StringEquals", k, []string{"iamuser-*"}, false, one(k, "iamuser-admin"), false},
		{"star matches itself", "StringEquals", k, []string{"iamuser-*"}, false, one(k, "iamuser-*"), true},
		{"question is literal", "StringEquals", k, []string{"a?c"}, false, one(k, "abc"), false},
		{"empty value", "StringEquals", k, []string{""}, false, one(k, ""), true},
		{"empty value vs text", "StringEquals", k, []string{""}, false, one(k, "x"), false},
		{"unicode", "StringEquals", k, []string{"café"}, false, one(k, "café"), true},
		{"trailing space", "StringEquals", k, []string{"prod"}, false, one(k, "prod "), false},
		{"not equals differs", "StringNotEquals", k, []string{"iamuser-admin"}, false, one(k, "dev"), true},
		{"not equals case differs", "StringNotEquals", k, []string{"iamuser-admin"}, false, one(k, "IAMUSER-ADMIN"), true},
		{"not equals same", "StringNotEquals", k, []string{"iamuser-admin"}, false, one(k, "iamuser-admin"), false},
		{"not equals missing key", "StringNotEquals", k, []string{"iamuser-admin"}, false, req{}, true},
		{"not equals star literal", "StringNotEquals", k, []string{"*"}, false, one(k, "anything"), true},
	})
}

func TestStringEqualsIgnoreCase(t *testing.T) {
	const k = "aws:PrincipalTag/team"
	runEval(t, []evalCase{
		{"same", "StringEqualsIgnoreCase", k, []string{"Blue"}, false, one(k, "Blue"), true},
		{"lower", "StringEqualsIgnoreCase", k, []string{"Blue"}, false, one(k, "blue"), true},
		{"upper", "StringEqualsIgnoreCase", k, []string{"Blue"}, false, one(k, "BLUE"), true},
		{"different", "StringEqualsIgnoreCase", k, []string{"Blue"}, false, one(k, "Green"), false},
		{"prefix only", "StringEqualsIgnoreCase", k, []string{"Blue"}, false, one(k, "blues"), false},
		{"star literal", "StringEqualsIgnoreCase", k, []string{"B*"}, false, one(k, "blue"), false},
		{"star literal matches itself", "StringEqualsIgnoreCase", k, []string{"B*"}, false, one(k, "b*"), true},
		{"not: same ignoring case", "StringNotEqualsIgnoreCase", k, []string{"Blue"}, false, one(k, "bLUE"), false},
		{"not: different", "StringNotEqualsIgnoreCase", k, []string{"Blue"}, false, one(k, "green"), true},
		{"not: missing", "StringNotEqualsIgnoreCase", k, []string{"Blue"}, false, req{}, true},
		{"variable value ignoring case", "StringEqualsIgnoreCase", k, []string{"${aws:username}"}, true, req{k: {"ALICE"}, "aws:username": {"alice"}}, true},
		{"variable value different", "StringEqualsIgnoreCase", k, []string{"${aws:username}"}, true, req{k: {"bob"}, "aws:username": {"alice"}}, false},
	})
}

func TestStringLike(t *testing.T) {
	const k = "s3:prefix"
	runEval(t, []evalCase{
		{"star suffix", "StringLike", k, []string{"home/*"}, false, one(k, "home/alice/notes"), true},
		{"star suffix empty", "StringLike", k, []string{"home/*"}, false, one(k, "home/"), true},
		{"star suffix mismatch", "StringLike", k, []string{"home/*"}, false, one(k, "Home/alice"), false},
		{"star needs prefix", "StringLike", k, []string{"home/*"}, false, one(k, "home"), false},
		{"star middle", "StringLike", k, []string{"home/*/notes"}, false, one(k, "home/alice/x/notes"), true},
		{"star only", "StringLike", k, []string{"*"}, false, one(k, ""), true},
		{"question", "StringLike", k, []string{"team-?"}, false, one(k, "team-a"), true},
		{"question too many", "StringLike", k, []string{"team-?"}, false, one(k, "team-ab"), false},
		{"question multibyte", "StringLike", k, []string{"caf?"}, false, one(k, "café"), true},
		{"no wildcard is exact", "StringLike", k, []string{"home"}, false, one(k, "home/x"), false},
		{"backtracking", "StringLike", k, []string{"a*b*c"}, false, one(k, "aXbYbZc"), true},
		{"case-sensitive", "StringLike", k, []string{"Home/*"}, false, one(k, "home/x"), false},
		{"one of several patterns", "StringLike", k, []string{"", "home/", "home/${aws:username}/*"}, true, req{k: {"home/alice/x"}, "aws:username": {"alice"}}, true},
		{"not like matches", "StringNotLike", k, []string{"home/*"}, false, one(k, "home/x"), false},
		{"not like does not match", "StringNotLike", k, []string{"home/*"}, false, one(k, "tmp/x"), true},
		{"not like missing", "StringNotLike", k, []string{"home/*"}, false, req{}, true},
	})
}

// reference_policies_variables: ${aws:username} and friends are replaced by the
// request's values; key names are case-insensitive; a variable without a value
// matches nothing; ${key, 'default'} supplies a default; ${*}, ${?} and ${$}
// stand for the literal characters. Multivalued keys cannot be policy variables.
func TestStringPolicyVariables(t *testing.T) {
	const k = "s3:prefix"
	alice := func(v string) req { return req{k: {v}, "aws:username": {"alice"}} }
	runEval(t, []evalCase{
		{"like with variable", "StringLike", k, []string{"home/${aws:username}/*"}, true, alice("home/alice/x"), true},
		{"like with variable other user", "StringLike", k, []string{"home/${aws:username}/*"}, true, alice("home/bob/x"), false},
		{"equals with variable", "StringEquals", k, []string{"${aws:username}"}, true, alice("alice"), true},
		{"equals with variable no wildcard", "StringEquals", k, []string{"${aws:username}*"}, true, alice("alice-x"), false},
		{"equals with variable and literal star", "StringEquals", k, []string{"${aws:username}*"}, true, alice("alice*"), true},
		{"variable key case-insensitive in policy", "StringEquals", k, []string{"${AWS:UserName}"}, true, alice("alice"), true},
		{"variable key case-insensitive in context", "StringEquals", k, []string{"${aws:username}"}, true, req{k: {"alice"}, "AWS:UserName": {"alice"}}, true},
		{"variable value case-sensitive", "StringEquals", k, []string{"${aws:username}"}, true, alice("Alice"), false},
		{"variable missing", "StringLike", k, []string{"home/${aws:username}/*"}, true, one(k, "home/alice/x"), false},
		{"variable missing literal text", "StringLike", k, []string{"home/${aws:username}/*"}, true, one(k, "home/${aws:username}/x"), false},
		{"variable missing negated is true", "StringNotLike", k, []string{"home/${aws:username}/*"}, true, one(k, "home/alice/x"), true},
		{"variable multivalued is not a variable", "StringEquals", k, []string{"${aws:username}"}, true, req{k: {"alice"}, "aws:username": {"alice", "bob"}}, false},
		{"variable default", "StringEquals", k, []string{"${aws:PrincipalTag/team, 'company-wide'}"}, true, one(k, "company-wide"), true},
		{"variable default not used", "StringEquals", k, []string{"${aws:PrincipalTag/team, 'company-wide'}"}, true, req{k: {"company-wide"}, "aws:PrincipalTag/team": {"yellow"}}, false},
		{"variable value used over default", "StringEquals", k, []string{"${aws:PrincipalTag/team, 'company-wide'}"}, true, req{k: {"yellow"}, "aws:PrincipalTag/team": {"yellow"}}, true},
		{"variable is the clause key itself", "StringEquals", "aws:username", []string{"${aws:username}"}, true, one("aws:username", "alice"), true},
		{"literal star", "StringEquals", k, []string{"a${*}"}, true, one(k, "a*"), true},
		{"literal star in like", "StringLike", k, []string{"a${*}"}, true, one(k, "ab"), false},
		{"literal question in like", "StringLike", k, []string{"a${?}"}, true, one(k, "a?"), true},
		{"literal question in like not a wildcard", "StringLike", k, []string{"a${?}"}, true, one(k, "ab"), false},
		{"literal dollar", "StringEquals", k, []string{"${$}{aws:username}"}, true, alice("${aws:username}"), true},
		// Without Variables (Version 2008-10-17) ${…} is literal text.
		{"variables off: literal text", "StringEquals", k, []string{"${aws:username}"}, false, alice("${aws:username}"), true},
		{"variables off: not resolved", "StringEquals", k, []string{"${aws:username}"}, false, alice("alice"), false},
		{"variables off: like literal text", "StringLike", k, []string{"home/${aws:username}/*"}, false, alice("home/${aws:username}/x"), true},
		{"variables off: like not resolved", "StringLike", k, []string{"home/${aws:username}/*"}, false, alice("home/alice/x"), false},
		{"variables off: ${*} star still wildcard in like", "StringLike", k, []string{"a${*}"}, false, one(k, "a${xyz}"), true},
	})
}

func TestStringVariableSyntaxErrors(t *testing.T) {
	for _, v := range []string{"${}", "home/${aws:username, guest}", "${aws:user name}"} {
		for _, op := range []string{"StringEquals", "StringLike", "StringNotLike"} {
			t.Run(op+" "+v, func(t *testing.T) {
				e := compileError(t, op, "s3:prefix", []string{v}, optsVars)
				if e.Value != v {
					t.Errorf("Error.Value = %q, want %q", e.Value, v)
				}
				// Literal text when variables are off.
				mustClause(t, op, "s3:prefix", []string{v}, optsNoVars)
			})
		}
	}
}
