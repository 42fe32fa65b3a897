package condition_test

import "testing"

// IAM User Guide, Multivalued context keys and their examples:
//   - ForAllValues: true if every value in the request matches at least one
//     value in the policy; also true when the key is missing (or has no values);
//   - ForAnyValue: true if at least one request value matches one policy value;
//     false for a missing key or an empty set;
//   - negated operators under a set operator: ForAllValues:StringNotEquals is true
//     when no request value equals any policy value; ForAnyValue:StringNotEquals
//     is true when at least one request value differs from every policy value.
func TestSetOperators(t *testing.T) {
	const k = "aws:TagKeys"
	allowed := []string{"environment", "cost-center"}
	tags := func(v ...string) req { return req{k: v} }
	runEval(t, []evalCase{
		{"all: subset", "ForAllValues:StringEquals", k, allowed, false, tags("environment"), true},
		{"all: equal set", "ForAllValues:StringEquals", k, allowed, false, tags("cost-center", "environment"), true},
		{"all: extra key", "ForAllValues:StringEquals", k, allowed, false, tags("environment", "owner"), false},
		{"all: only other key", "ForAllValues:StringEquals", k, allowed, false, tags("owner"), false},
		{"all: missing", "ForAllValues:StringEquals", k, allowed, false, req{}, true},
		{"all: empty", "ForAllValues:StringEquals", k, allowed, false, tags(), true},
		{"all: case-sensitive", "ForAllValues:StringEquals", k, allowed, false, tags("Environment"), false},
		{"all: ignore case", "ForAllValues:StringEqualsIgnoreCase", k, allowed, false, tags("Environment", "COST-CENTER"), true},
		{"all: like", "ForAllValues:StringLike", k, []string{"Created*"}, false, tags("CreatedBy", "CreatedAt"), true},
		{"all: like one fails", "ForAllValues:StringLike", k, []string{"Created*"}, false, tags("CreatedBy", "Owner"), false},
		{"all: not like none matches", "ForAllValues:StringNotLike", k, []string{"key1*"}, false, tags("key2", "key3"), true},
		{"all: not like one matches", "ForAllValues:StringNotLike", k, []string{"key1*"}, false, tags("key2", "key1a"), false},
		{"all: not equals none equal", "ForAllValues:StringNotEquals", k, allowed, false, tags("owner", "project"), true},
		{"all: not equals one equal", "ForAllValues:StringNotEquals", k, allowed, false, tags("owner", "environment"), false},
		{"all: not equals missing", "ForAllValues:StringNotEquals", k, allowed, false, req{}, true},
		{"any: one matches", "ForAnyValue:StringEquals", k, allowed, false, tags("owner", "environment"), true},
		{"any: none matches", "ForAnyValue:StringEquals", k, allowed, false, tags("owner", "project"), false},
		{"any: missing", "ForAnyValue:StringEquals", k, allowed, false, req{}, false},
		{"any: empty", "ForAnyValue:StringEquals", k, allowed, false, tags(), false},
		{"any: like", "ForAnyValue:StringLike", k, []string{"key1*"}, false, tags("key2", "key1-x"), true},
		{"any: not equals one differs", "ForAnyValue:StringNotEquals", k, allowed, false, tags("environment", "owner"), true},
		{"any: not equals all equal", "ForAnyValue:StringNotEquals", k, allowed, false, tags("environment", "cost-center"), false},
		{"any: not equals missing", "ForAnyValue:StringNotEquals", k, allowed, false, req{}, false},
		{"any: not like one differs", "ForAnyValue:StringNotLike", k, []string{"key1*"}, false, tags("key1a", "key2"), true},
		{"any: not like all match", "ForAnyValue:StringNotLike", k, []string{"key1*"}, false, tags("key1a", "key1b"), false},
		{"any: if exists missing", "ForAnyValue:StringEqualsIfExists", k, allowed, false, req{}, true},
		{"all: if exists missing", "ForAllValues:StringEqualsIfExists", k, allowed, false, req{}, true},
		{"all: if exists extra key", "ForAllValues:StringEqualsIfExists", k, allowed, false, tags("owner"), false},
		{"any: numeric", "ForAnyValue:NumericGreaterThan", "k", []string{"10"}, false, req{"k": {"1", "20"}}, true},
		{"all: numeric", "ForAllValues:NumericGreaterThan", "k", []string{"10"}, false, req{"k": {"11", "20"}}, true},
		{"all: numeric one fails", "ForAllValues:NumericGreaterThan", "k", []string{"10"}, false, req{"k": {"11", "2"}}, false},
		{"any: ip", "ForAnyValue:IpAddress", "k", []string{"10.0.0.0/8"}, false, req{"k": {"192.0.2.1", "10.1.1.1"}}, true},
		{"all: ip one outside", "ForAllValues:IpAddress", "k", []string{"10.0.0.0/8"}, false, req{"k": {"192.0.2.1", "10.1.1.1"}}, false},
		{"all: variables", "ForAllValues:StringLike", k, []string{"${aws:username}-*"}, true, req{k: {"alice-a", "alice-b"}, "aws:username": {"alice"}}, true},
		{"all: variables missing", "ForAllValues:StringLike", k, []string{"${aws:username}-*"}, true, req{k: {"alice-a"}}, false},
	})
}

// Without a set operator the values of the request are ORed for a positive
// operator, and a negated operator holds only when none of them matches.
func TestNoQualifierMultivaluedRequest(t *testing.T) {
	const k = "k"
	runEval(t, []evalCase{
		{"positive one of several", "StringEquals", k, []string{"a"}, false, req{k: {"b", "a"}}, true},
		{"positive none", "StringEquals", k, []string{"a"}, false, req{k: {"b", "c"}}, false},
		{"negated one matches", "StringNotEquals", k, []string{"a"}, false, req{k: {"b", "a"}}, false},
		{"negated none matches", "StringNotEquals", k, []string{"a"}, false, req{k: {"b", "c"}}, true},
	})
}
