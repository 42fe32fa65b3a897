package condition_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wharf-project/wharf/internal/policy/condition"
)

// negations pairs every positive operator that has a documented negation.
var negations = map[string]string{
	"StringEquals":           "StringNotEquals",
	"StringEqualsIgnoreCase": "StringNotEqualsIgnoreCase",
	"StringLike":             "StringNotLike",
	"NumericEquals":          "NumericNotEquals",
	"DateEquals":             "DateNotEquals",
	"IpAddress":              "NotIpAddress",
	"ArnEquals":              "ArnNotEquals",
	"ArnLike":                "ArnNotLike",
}

// FuzzClause compiles any operator with any policy value and evaluates it on
// any request value. Nothing may panic, every compile error is a
// *condition.Error, and the documented relations between operators hold:
//   - …IfExists is the operator itself on a present key and true on a missing one;
//   - a negated operator is the opposite of its positive form on a present,
//     single-valued key, and true on a missing one;
//   - on a single-valued key, ForAnyValue: and ForAllValues: are the operator
//     itself.
func FuzzClause(f *testing.F) {
	seeds := []struct{ op, value, request string }{
		{"StringEquals", "prod", "prod"},
		{"StringLike", "home/${aws:username}/*", "home/alice/x"},
		{"StringEqualsIgnoreCase", "Blue", "BLUE"},
		{"NumericLessThan", "10.5", "10.49"},
		{"NumericEquals", "1e3", "1000"},
		{"DateGreaterThan", "2024-06-01T00:00:00Z", "1717200001"},
		{"DateEquals", "2024-06-01", "2024-06-01T02:00:00+02:00"},
		{"Bool", "true", "TRUE"},
		{"BinaryEquals", "AQID", "AQID"},
		{"IpAddress", "203.0.113.0/24", "::ffff:203.0.113.9"},
		{"IpAddress", "2001:DB8::/32", "2001:db8::1"},
		{"ArnLike", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/x"},
		{"ArnEquals", "${aws:username}", "arn:aws:iam::1:user/alice"},
		{"Null", "true", ""},
		{"ForAllValues:StringNotLike", "key1*", "key2"},
		{"StringEqualsIfExists", "x", "x"},
		{"NullIfExists", "true", "x"},
		{"Bogus", "x", "x"},
	}
	for _, s := range seeds {
		f.Add(s.op, s.value, s.request)
	}
	const key = "wharf:FuzzKey"
	f.Fuzz(func(t *testing.T, op, value, request string) {
		present := condition.NewContext()
		present.Set(key, request)
		present.Set("aws:username", "alice")
		twoValues := condition.NewContext()
		twoValues.Set(key, request, value)
		missing := condition.NewContext()
		missing.Set("aws:username", "alice")

		for _, opts := range []condition.Options{{}, {Variables: true}} {
			c, err := condition.NewClause(op, key, []string{value}, opts)
			if err != nil {
				var ce *condition.Error
				if !errors.As(err, &ce) {
					t.Fatalf("NewClause(%q, %q) error %T is not a *condition.Error", op, value, err)
				}
				continue
			}
			got := c.Eval(present)
			c.Eval(twoValues)
			onMissing := c.Eval(missing)
			for _, ctx := range []*condition.Context{present, twoValues, missing} {
				for _, fl := range (condition.Block{c}).Explain(ctx) {
					if fl.Text == "" || !strings.Contains(fl.Text, key) {
						t.Fatalf("Explain text %q does not name the key", fl.Text)
					}
				}
			}
			if c.IsNull() {
				// Null true holds only on a missing key, Null false only on a
				// present one.
				if got == onMissing {
					t.Fatalf("Null %q gives %v whether the key is present or not", value, got)
				}
				continue
			}
			if c.IfExists() || c.Qualifier() != condition.Single {
				continue
			}
			base := c.BaseOperator()

			if ie, err := condition.NewClause(op+"IfExists", key, []string{value}, opts); err != nil {
				t.Fatalf("%s compiles but %sIfExists does not: %v", op, op, err)
			} else {
				if ie.Eval(present) != got {
					t.Fatalf("%sIfExists %q on %q = %v, %s = %v", op, value, request, ie.Eval(present), op, got)
				}
				if !ie.Eval(missing) {
					t.Fatalf("%sIfExists on a missing key = false", op)
				}
			}

			for _, q := range []string{"ForAnyValue:", "ForAllValues:"} {
				qc, err := condition.NewClause(q+op, key, []string{value}, opts)
				if err != nil {
					t.Fatalf("%s compiles but %s%s does not: %v", op, q, op, err)
				}
				if qc.Eval(present) != got {
					t.Fatalf("%s%s %q on single value %q = %v, %s = %v", q, op, value, request, qc.Eval(present), op, got)
				}
			}

			if c.Negated() {
				if !onMissing {
					t.Fatalf("negated %s on a missing key = false", op)
				}
			} else if onMissing {
				t.Fatalf("%s on a missing key = true", op)
			}
			if neg, ok := negations[base]; ok {
				nc, err := condition.NewClause(neg, key, []string{value}, opts)
				if err != nil {
					t.Fatalf("%s compiles but %s does not: %v", base, neg, err)
				}
				if nc.Eval(present) == got {
					t.Fatalf("%s and %s %q agree (%v) on %q", base, neg, value, got, request)
				}
			}
		}
	})
}
