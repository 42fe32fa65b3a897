package condition_test

import "testing"

// IAM User Guide, Numeric condition operators: NumericEquals, NumericNotEquals,
// NumericLessThan, NumericLessThanEquals, NumericGreaterThan,
// NumericGreaterThanEquals. Values are integers or decimals; wildcards are not
// allowed.
func TestNumeric(t *testing.T) {
	const k = "s3:max-keys"
	runEval(t, []evalCase{
		{"equals int", "NumericEquals", k, []string{"10"}, false, one(k, "10"), true},
		{"equals decimal forms", "NumericEquals", k, []string{"10"}, false, one(k, "10.0"), true},
		{"equals decimal policy", "NumericEquals", k, []string{"1.50"}, false, one(k, "1.5"), true},
		{"equals negative", "NumericEquals", k, []string{"-3"}, false, one(k, "-3.0"), true},
		{"equals leading zero", "NumericEquals", k, []string{"7"}, false, one(k, "007"), true},
		{"equals differs", "NumericEquals", k, []string{"10"}, false, one(k, "10.01"), false},
		{"equals not a number", "NumericEquals", k, []string{"10"}, false, one(k, "ten"), false},
		{"equals empty request value", "NumericEquals", k, []string{"10"}, false, one(k, ""), false},
		{"not equals differs", "NumericNotEquals", k, []string{"10"}, false, one(k, "9.99"), true},
		{"not equals same", "NumericNotEquals", k, []string{"10"}, false, one(k, "10.000"), false},
		{"not equals missing", "NumericNotEquals", k, []string{"10"}, false, req{}, true},
		{"less than below", "NumericLessThan", k, []string{"10"}, false, one(k, "9.999"), true},
		{"less than equal", "NumericLessThan", k, []string{"10"}, false, one(k, "10"), false},
		{"less than above", "NumericLessThan", k, []string{"10"}, false, one(k, "10.5"), false},
		{"less than negative", "NumericLessThan", k, []string{"0"}, false, one(k, "-1"), true},
		{"less than equals equal", "NumericLessThanEquals", k, []string{"1.5"}, false, one(k, "1.5"), true},
		{"less than equals below", "NumericLessThanEquals", k, []string{"1.5"}, false, one(k, "1.4"), true},
		{"less than equals above", "NumericLessThanEquals", k, []string{"1.5"}, false, one(k, "1.51"), false},
		{"greater than above", "NumericGreaterThan", k, []string{"100"}, false, one(k, "100.1"), true},
		{"greater than equal", "NumericGreaterThan", k, []string{"100"}, false, one(k, "100"), false},
		{"greater than below", "NumericGreaterThan", k, []string{"100"}, false, one(k, "99"), false},
		{"greater than equals equal", "NumericGreaterThanEquals", k, []string{"100"}, false, one(k, "100.0"), true},
		{"greater than equals below", "NumericGreaterThanEquals", k, []string{"100"}, false, one(k, "99.9"), false},
		{"greater than big", "NumericGreaterThan", k, []string{"4294967296"}, false, one(k, "4294967297"), true},
		{"decimal precision", "NumericLessThan", k, []string{"0.3"}, false, one(k, "0.29"), true},
		{"less than missing", "NumericLessThan", k, []string{"10"}, false, req{}, false},
		{"less than if exists missing", "NumericLessThanIfExists", k, []string{"10"}, false, req{}, true},
		{"less than if exists present", "NumericLessThanIfExists", k, []string{"10"}, false, one(k, "11"), false},
		{"policy value with spaces", "NumericEquals", k, []string{" 10 "}, false, one(k, "10"), true},
	})
}
