package condition_test

import (
	"testing"

	"github.com/wharf-project/wharf/internal/policy/condition"
)

// opSample is one base operator with policy values, a request value that
// satisfies the operator and one that does not.
type opSample struct {
	op      string
	family  string
	negated bool
	like    bool
	values  []string
	yes, no string
}

// allOperators lists every condition operator of the IAM policy language
// (IAM User Guide, reference_policies_elements_condition_operators) except Null.
var allOperators = []opSample{
	{"StringEquals", "String", false, false, []string{"prod"}, "prod", "Prod"},
	{"StringNotEquals", "String", true, false, []string{"prod"}, "dev", "prod"},
	{"StringEqualsIgnoreCase", "String", false, false, []string{"prod"}, "PROD", "prods"},
	{"StringNotEqualsIgnoreCase", "String", true, false, []string{"prod"}, "dev", "PrOd"},
	{"StringLike", "String", false, true, []string{"team-*"}, "team-a", "teams"},
	{"StringNotLike", "String", true, true, []string{"team-*"}, "teams", "team-a"},
	{"NumericEquals", "Numeric", false, false, []string{"10"}, "10", "11"},
	{"NumericNotEquals", "Numeric", true, false, []string{"10"}, "11", "10"},
	{"NumericLessThan", "Numeric", false, false, []string{"10"}, "9", "10"},
	{"NumericLessThanEquals", "Numeric", false, false, []string{"10"}, "10", "11"},
	{"NumericGreaterThan", "Numeric", false, false, []string{"10"}, "11", "10"},
	{"NumericGreaterThanEquals", "Numeric", false, false, []string{"10"}, "10", "9"},
	{"DateEquals", "Date", false, false, []string{"2024-06-01T00:00:00Z"}, "2024-06-01T00:00:00Z", "2024-06-01T00:00:01Z"},
	{"DateNotEquals", "Date", true, false, []string{"2024-06-01T00:00:00Z"}, "2024-06-02T00:00:00Z", "2024-06-01T00:00:00Z"},
	{"DateLessThan", "Date", false, false, []string{"2024-06-01T00:00:00Z"}, "2024-05-31T23:59:59Z", "2024-06-01T00:00:00Z"},
	{"DateLessThanEquals", "Date", false, false, []string{"2024-06-01T00:00:00Z"}, "2024-06-01T00:00:00Z", "2024-06-01T00:00:01Z"},
	{"DateGreaterThan", "Date", false, false, []string{"2024-06-01T00:00:00Z"}, "2024-06-01T00:00:01Z", "2024-06-01T00:00:00Z"},
	{"DateGreaterThanEquals", "Date", false, false, []string{"2024-06-01T00:00:00Z"}, "2024-06-01T00:00:00Z", "2024-05-31T23:59:59Z"},
	{"Bool", "Bool", false, false, []string{"true"}, "true", "false"},
	{"BinaryEquals", "Binary", false, false, []string{"QmluYXJ5VmFsdWU="}, "QmluYXJ5VmFsdWU=", "T3RoZXJWYWx1ZQ=="},
	{"IpAddress", "IpAddress", false, false, []string{"203.0.113.0/24"}, "203.0.113.7", "198.51.100.7"},
	{"NotIpAddress", "IpAddress", true, false, []string{"203.0.113.0/24"}, "198.51.100.7", "203.0.113.7"},
	{"ArnEquals", "Arn", false, true, []string{"arn:aws:iam::123456789012:role/admin"}, "arn:aws:iam::123456789012:role/admin", "arn:aws:iam::123456789012:role/Admin"},
	{"ArnLike", "Arn", false, true, []string{"arn:aws:iam::123456789012:role/*"}, "arn:aws:iam::123456789012:role/x", "arn:aws:iam::123456789012:user/x"},
	{"ArnNotEquals", "Arn", true, true, []string{"arn:aws:iam::123456789012:role/admin"}, "arn:aws:iam::123456789012:role/dev", "arn:aws:iam::123456789012:role/admin"},
	{"ArnNotLike", "Arn", true, true, []string{"arn:aws:iam::123456789012:role/*"}, "arn:aws:iam::123456789012:user/x", "arn:aws:iam::123456789012:role/x"},
}

const testKey = "wharf:TestKey"

// Every operator: a matching request value makes it true and a non-matching one
// false; a missing key makes positive operators false and negated ones true
// ("If the key that you specify in a policy condition is not present in the
// request context, the values do not match and the condition is false. If the
// policy condition requires that the key is not matched, such as StringNotLike or
// ArnNotLike, and the right key is not present, the condition is true.").
func TestEveryOperator(t *testing.T) {
	for _, s := range allOperators {
		t.Run(s.op, func(t *testing.T) {
			c := mustClause(t, s.op, testKey, s.values, condition.Options{})
			if got := c.Eval(one(testKey, s.yes).context()); !got {
				t.Errorf("%s %q on %q = false, want true", s.op, s.values, s.yes)
			}
			if got := c.Eval(one(testKey, s.no).context()); got {
				t.Errorf("%s %q on %q = true, want false", s.op, s.values, s.no)
			}
			if got := c.Eval(req{}.context()); got != s.negated {
				t.Errorf("%s on a missing key = %v, want %v", s.op, got, s.negated)
			}
			if got := c.Eval(req{"other:Key": {s.yes}}.context()); got != s.negated {
				t.Errorf("%s with only another key = %v, want %v", s.op, got, s.negated)
			}
			if got := c.Eval(req{testKey: {}}.context()); got != s.negated {
				t.Errorf("%s on a key with no values = %v, want %v", s.op, got, s.negated)
			}
			if got := c.Eval(nil); got != s.negated {
				t.Errorf("%s on a nil context = %v, want %v", s.op, got, s.negated)
			}
			if c.BaseOperator() != s.op || c.Operator() != s.op || c.Negated() != s.negated || c.Family() != s.family ||
				c.Like() != s.like || c.IsNull() || c.IfExists() || c.Qualifier() != condition.Single {
				t.Errorf("accessors: base=%q op=%q negated=%v family=%q like=%v null=%v ifexists=%v qualifier=%v",
					c.BaseOperator(), c.Operator(), c.Negated(), c.Family(), c.Like(), c.IsNull(), c.IfExists(), c.Qualifier())
			}
			if c.Key() != testKey || len(c.Values()) != len(s.values) {
				t.Errorf("Key()=%q Values()=%q", c.Key(), c.Values())
			}
		})
	}
}

// …IfExists: "If the policy key is present in the context of the request,
// process the key as specified in the policy. If the key is not present,
// evaluate the condition element as true."
func TestEveryOperatorIfExists(t *testing.T) {
	for _, s := range allOperators {
		op := s.op + "IfExists"
		t.Run(op, func(t *testing.T) {
			c := mustClause(t, op, testKey, s.values, condition.Options{})
			if !c.IfExists() || c.BaseOperator() != s.op || c.Operator() != op {
				t.Errorf("IfExists()=%v BaseOperator()=%q Operator()=%q", c.IfExists(), c.BaseOperator(), c.Operator())
			}
			if !c.Eval(req{}.context()) {
				t.Errorf("%s on a missing key = false, want true", op)
			}
			if !c.Eval(req{testKey: {}}.context()) {
				t.Errorf("%s on a key with no values = false, want true", op)
			}
			if !c.Eval(one(testKey, s.yes).context()) {
				t.Errorf("%s on %q = false, want true", op, s.yes)
			}
			if c.Eval(one(testKey, s.no).context()) {
				t.Errorf("%s on %q = true: a present key must be evaluated", op, s.no)
			}
		})
	}
}

// Set operators (IAM User Guide, "Multivalued context keys"): ForAnyValue is
// true when at least one request value matches and false for a missing key or
// an empty set; ForAllValues is true when every request value matches and also
// when the key is missing or has no values.
func TestEveryOperatorWithSetOperators(t *testing.T) {
	for _, s := range allOperators {
		t.Run("ForAnyValue:"+s.op, func(t *testing.T) {
			op := "ForAnyValue:" + s.op
			c := mustClause(t, op, testKey, s.values, condition.Options{})
			if c.Qualifier() != condition.ForAnyValue || c.BaseOperator() != s.op {
				t.Errorf("Qualifier()=%v BaseOperator()=%q", c.Qualifier(), c.BaseOperator())
			}
			cases := []struct {
				name string
				req  req
				want bool
			}{
				{"missing", req{}, false},
				{"empty", req{testKey: {}}, false},
				{"one yes", req{testKey: {s.yes}}, true},
				{"one no", req{testKey: {s.no}}, false},
				{"no then yes", req{testKey: {s.no, s.yes}}, true},
				{"yes then no", req{testKey: {s.yes, s.no}}, true},
				{"no no", req{testKey: {s.no, s.no}}, false},
			}
			for _, tc := range cases {
				if got := c.Eval(tc.req.context()); got != tc.want {
					t.Errorf("%s on %s %v = %v, want %v", op, tc.name, tc.req, got, tc.want)
				}
			}
		})
		t.Run("ForAllValues:"+s.op, func(t *testing.T) {
			op := "ForAllValues:" + s.op
			c := mustClause(t, op, testKey, s.values, condition.Options{})
			if c.Qualifier() != condition.ForAllValues || c.BaseOperator() != s.op {
				t.Errorf("Qualifier()=%v BaseOperator()=%q", c.Qualifier(), c.BaseOperator())
			}
			cases := []struct {
				name string
				req  req
				want bool
			}{
				{"missing", req{}, true},
				{"empty", req{testKey: {}}, true},
				{"one yes", req{testKey: {s.yes}}, true},
				{"one no", req{testKey: {s.no}}, false},
				{"yes yes", req{testKey: {s.yes, s.yes}}, true},
				{"no then yes", req{testKey: {s.no, s.yes}}, false},
				{"yes then no", req{testKey: {s.yes, s.no}}, false},
			}
			for _, tc := range cases {
				if got := c.Eval(tc.req.context()); got != tc.want {
					t.Errorf("%s on %s %v = %v, want %v", op, tc.name, tc.req, got, tc.want)
				}
			}
		})
		t.Run("ForAnyValue:"+s.op+"IfExists", func(t *testing.T) {
			op := "ForAnyValue:" + s.op + "IfExists"
			c := mustClause(t, op, testKey, s.values, condition.Options{})
			if !c.Eval(req{}.context()) {
				t.Errorf("%s on a missing key = false, want true", op)
			}
			if c.Eval(one(testKey, s.no).context()) {
				t.Errorf("%s on %q = true, want false", op, s.no)
			}
			if !c.Eval(one(testKey, s.yes).context()) {
				t.Errorf("%s on %q = false, want true", op, s.yes)
			}
		})
	}
}

// The values given for one key are ORed: the condition holds when the request
// value matches any of them. For a negated operator the request value must
// differ from every one of them.
func TestEveryOperatorSeveralValues(t *testing.T) {
	runEval(t, []evalCase{
		{"StringEquals second value", "StringEquals", "aws:PrincipalTag/env", []string{"prod", "staging"}, false, one("aws:PrincipalTag/env", "staging"), true},
		{"StringEquals no value", "StringEquals", "aws:PrincipalTag/env", []string{"prod", "staging"}, false, one("aws:PrincipalTag/env", "dev"), false},
		{"StringNotEquals differs from all", "StringNotEquals", "aws:PrincipalTag/env", []string{"prod", "staging"}, false, one("aws:PrincipalTag/env", "dev"), true},
		{"StringNotEquals equals the second", "StringNotEquals", "aws:PrincipalTag/env", []string{"prod", "staging"}, false, one("aws:PrincipalTag/env", "staging"), false},
		{"StringNotEquals equals the first", "StringNotEquals", "aws:PrincipalTag/env", []string{"prod", "staging"}, false, one("aws:PrincipalTag/env", "prod"), false},
		{"StringNotLike matches one pattern", "StringNotLike", "s3:prefix", []string{"home/*", "tmp/*"}, false, one("s3:prefix", "tmp/x"), false},
		{"StringNotLike matches none", "StringNotLike", "s3:prefix", []string{"home/*", "tmp/*"}, false, one("s3:prefix", "var/x"), true},
		{"NumericEquals second", "NumericEquals", "k", []string{"1", "2"}, false, one("k", "2"), true},
		{"NumericNotEquals equals one", "NumericNotEquals", "k", []string{"1", "2"}, false, one("k", "2"), false},
		{"NumericNotEquals differs from all", "NumericNotEquals", "k", []string{"1", "2"}, false, one("k", "3"), true},
		{"NumericLessThan any value", "NumericLessThan", "k", []string{"1", "100"}, false, one("k", "50"), true},
		{"NumericGreaterThan any value", "NumericGreaterThan", "k", []string{"1", "100"}, false, one("k", "50"), true},
		{"NumericGreaterThan none", "NumericGreaterThan", "k", []string{"60", "100"}, false, one("k", "50"), false},
		{"DateNotEquals equals one", "DateNotEquals", "aws:CurrentTime", []string{"2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z"}, false, one("aws:CurrentTime", "2024-06-01T00:00:00Z"), false},
		{"DateNotEquals differs from all", "DateNotEquals", "aws:CurrentTime", []string{"2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z"}, false, one("aws:CurrentTime", "2024-03-01T00:00:00Z"), true},
		{"DateEquals second", "DateEquals", "aws:CurrentTime", []string{"2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z"}, false, one("aws:CurrentTime", "2024-06-01T00:00:00Z"), true},
		{"IpAddress second range", "IpAddress", "aws:SourceIp", []string{"192.0.2.0/24", "203.0.113.0/24"}, false, one("aws:SourceIp", "203.0.113.9"), true},
		{"NotIpAddress in second range", "NotIpAddress", "aws:SourceIp", []string{"192.0.2.0/24", "203.0.113.0/24"}, false, one("aws:SourceIp", "203.0.113.9"), false},
		{"NotIpAddress outside all", "NotIpAddress", "aws:SourceIp", []string{"192.0.2.0/24", "203.0.113.0/24"}, false, one("aws:SourceIp", "198.51.100.9"), true},
		{"ArnLike second", "ArnLike", "aws:SourceArn", []string{"arn:aws:sns:*:1:a", "arn:aws:sqs:*:1:b"}, false, one("aws:SourceArn", "arn:aws:sqs:us-east-1:1:b"), true},
		{"ArnNotLike matches one", "ArnNotLike", "aws:SourceArn", []string{"arn:aws:sns:*:1:a", "arn:aws:sqs:*:1:b"}, false, one("aws:SourceArn", "arn:aws:sqs:us-east-1:1:b"), false},
		{"ArnNotLike matches none", "ArnNotLike", "aws:SourceArn", []string{"arn:aws:sns:*:1:a", "arn:aws:sqs:*:1:b"}, false, one("aws:SourceArn", "arn:aws:sqs:us-east-1:1:c"), true},
		{"BinaryEquals second", "BinaryEquals", "k", []string{"AQID", "BAUG"}, false, one("k", "BAUG"), true},
		{"StringEqualsIgnoreCase second", "StringEqualsIgnoreCase", "k", []string{"a", "B"}, false, one("k", "b"), true},
		{"StringNotEqualsIgnoreCase equals second ignoring case", "StringNotEqualsIgnoreCase", "k", []string{"a", "B"}, false, one("k", "b"), false},
	})
}

// Operator names without IfExists or qualifiers that are not operators.
func TestUnknownOperators(t *testing.T) {
	for _, op := range []string{
		"StringEqual",
		"StringContains",
		"NumberEquals",
		"DateBefore",
		"BoolEquals",
		"BinaryNotEquals",
		"IpAddressLike",
		"ArnMatches",
		"IfExists",
		"ForAnyValue:",
		"ForAllValues:",
		"ForAnyValue:IfExists",
		"ForSomeValues:StringEquals",
		"ForAnyValue:ForAllValues:StringEquals",
		"StringEqualsIfExistsIfExists",
		"StringEquals ",
		" StringEquals",
		"",
	} {
		t.Run(op, func(t *testing.T) {
			e := compileError(t, op, testKey, []string{"x"}, condition.Options{})
			if e.Operator != op {
				t.Errorf("Error.Operator = %q, want %q", e.Operator, op)
			}
		})
	}
}

func TestClauseStructuralErrors(t *testing.T) {
	t.Run("empty key", func(t *testing.T) {
		compileError(t, "StringEquals", "", []string{"x"}, condition.Options{})
	})
	t.Run("no values", func(t *testing.T) {
		e := compileError(t, "StringEquals", testKey, nil, condition.Options{})
		if e.Key != testKey {
			t.Errorf("Error.Key = %q", e.Key)
		}
		compileError(t, "StringEquals", testKey, []string{}, condition.Options{})
		compileError(t, "Null", testKey, []string{}, condition.Options{})
	})
}

// Values of the wrong type are rejected when the policy is compiled.
func TestWrongTypedValues(t *testing.T) {
	cases := []struct {
		op    string
		value string
	}{
		{"NumericEquals", "abc"},
		{"NumericEquals", ""},
		{"NumericEquals", "*"},
		{"NumericEquals", "1,000"},
		{"NumericEquals", "NaN"},
		{"NumericEquals", "Inf"},
		{"NumericLessThan", "ten"},
		{"NumericNotEqualsIfExists", "12abc"},
		{"ForAnyValue:NumericGreaterThan", "x"},
		{"DateLessThan", "yesterday"},
		{"DateEquals", ""},
		{"DateEquals", "2024-13-01T00:00:00Z"},
		{"DateEquals", "2024-06-31"},
		{"DateGreaterThan", "01/06/2024"},
		{"DateNotEqualsIfExists", "now"},
		{"Bool", "yes"},
		{"Bool", "1"},
		{"Bool", ""},
		{"BoolIfExists", "no"},
		{"BinaryEquals", "!!!"},
		{"BinaryEquals", "QQ"}, // missing padding
		{"IpAddress", "10.0.0.300"},
		{"IpAddress", "10.0.0.0/33"},
		{"IpAddress", "2001:db8::/129"},
		{"IpAddress", "10.0.0"},
		{"IpAddress", "example.com"},
		{"IpAddress", ""},
		{"NotIpAddress", "10.0.0.0/8/8"},
		{"NotIpAddress", "::ffff:10.0.0.0/64"}, // mapped IPv4 prefix shorter than 96
		{"ArnLike", "notanarn"},
		{"ArnEquals", ""},
		{"ArnNotLike", "aws:iam::123456789012:role/x"},
		{"ArnNotEquals", "role/x"},
		{"Null", "yes"},
		{"Null", ""},
	}
	for _, tc := range cases {
		t.Run(tc.op+" "+tc.value, func(t *testing.T) {
			e := compileError(t, tc.op, testKey, []string{tc.value}, condition.Options{})
			if e.Operator != tc.op || e.Key != testKey {
				t.Errorf("Error{Operator: %q, Key: %q}, want %q, %q", e.Operator, e.Key, tc.op, testKey)
			}
			if e.Value != tc.value {
				t.Errorf("Error.Value = %q, want %q", e.Value, tc.value)
			}
			// A bad value among good ones is still an error.
			good := map[string]string{"Numeric": "1", "Date": "2024-01-01", "Bool": "true", "Binary": "AQID", "IpAddr": "10.0.0.0/8", "NotIpA": "10.0.0.0/8", "ArnLik": "*", "ArnEqu": "*", "ArnNot": "*", "Null": "true"}
			for prefix, v := range good {
				if len(tc.op) >= len(prefix) && tc.op[:len(prefix)] == prefix {
					compileError(t, tc.op, testKey, []string{v, tc.value}, condition.Options{})
				}
			}
		})
	}
}

// String operators accept any text, whatever it looks like.
func TestStringValuesNeverRejected(t *testing.T) {
	for _, op := range []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"} {
		for _, v := range []string{"", "*", "?", "${", "}", "abc", "10.0.0.300", "日本語", "a*b?c"} {
			mustClause(t, op, testKey, []string{v}, condition.Options{})
			mustClause(t, op, testKey, []string{v}, condition.Options{Variables: true})
		}
	}
}
