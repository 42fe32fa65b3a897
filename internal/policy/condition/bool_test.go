package condition_test

import "testing"

// IAM User Guide: Boolean conditions compare a key to true or false;
// BinaryEquals compares the key byte for byte against a base-64 encoded
// representation of the binary value in the policy.
func TestBool(t *testing.T) {
	const k = "aws:SecureTransport"
	runEval(t, []evalCase{
		{"true true", "Bool", k, []string{"true"}, false, one(k, "true"), true},
		{"true false", "Bool", k, []string{"true"}, false, one(k, "false"), false},
		{"false false", "Bool", k, []string{"false"}, false, one(k, "false"), true},
		{"false true", "Bool", k, []string{"false"}, false, one(k, "true"), false},
		{"true or false", "Bool", k, []string{"true", "false"}, false, one(k, "false"), true},
		{"request not a bool", "Bool", k, []string{"true"}, false, one(k, "yes"), false},
		{"request not a bool with false", "Bool", k, []string{"false"}, false, one(k, ""), false},
		{"missing", "Bool", k, []string{"false"}, false, req{}, false},
		{"if exists missing", "BoolIfExists", "aws:MultiFactorAuthPresent", []string{"false"}, false, req{}, true},
		{"if exists present true", "BoolIfExists", "aws:MultiFactorAuthPresent", []string{"false"}, false, one("aws:MultiFactorAuthPresent", "true"), false},
		{"if exists present false", "BoolIfExists", "aws:MultiFactorAuthPresent", []string{"false"}, false, one("aws:MultiFactorAuthPresent", "false"), true},
	})
}

func TestBinaryEquals(t *testing.T) {
	const k = "key"
	runEval(t, []evalCase{
		{"same", "BinaryEquals", k, []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, false, one(k, "QmluYXJ5VmFsdWVJbkJhc2U2NA=="), true},
		{"different bytes", "BinaryEquals", k, []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, false, one(k, "QmluYXJ5VmFsdWVJbkJhc2U2NQ=="), false},
		{"prefix bytes", "BinaryEquals", k, []string{"AQID"}, false, one(k, "AQI="), false},
		{"empty", "BinaryEquals", k, []string{""}, false, one(k, ""), true},
		{"request not base64", "BinaryEquals", k, []string{"AQID"}, false, one(k, "!!!"), false},
		{"binary zero bytes", "BinaryEquals", k, []string{"AAAA"}, false, one(k, "AAAA"), true},
		{"missing", "BinaryEquals", k, []string{"AQID"}, false, req{}, false},
		{"if exists missing", "BinaryEqualsIfExists", k, []string{"AQID"}, false, req{}, true},
	})
}
