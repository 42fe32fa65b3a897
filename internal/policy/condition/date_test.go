package condition_test

import (
	"testing"
	"time"

	"github.com/wharf-project/wharf/internal/policy/condition"
)

// IAM User Guide, Date condition operators: "You must specify date/time values
// with one of the W3C implementations of the ISO 8601 date formats or in epoch
// (UNIX) time." Used with aws:CurrentTime and aws:EpochTime.
func TestDate(t *testing.T) {
	const k = "aws:CurrentTime"
	runEval(t, []evalCase{
		{"equals same", "DateEquals", k, []string{"2024-06-01T12:00:00Z"}, false, one(k, "2024-06-01T12:00:00Z"), true},
		{"equals other zone same instant", "DateEquals", k, []string{"2024-06-01T12:00:00Z"}, false, one(k, "2024-06-01T14:00:00+02:00"), true},
		{"equals fractional seconds", "DateEquals", k, []string{"2024-06-01T12:00:00Z"}, false, one(k, "2024-06-01T12:00:00.000Z"), true},
		{"equals one nanosecond later", "DateEquals", k, []string{"2024-06-01T12:00:00Z"}, false, one(k, "2024-06-01T12:00:00.000000001Z"), false},
		{"equals epoch request vs ISO policy", "DateEquals", k, []string{"2024-06-01T00:00:00Z"}, false, one(k, "1717200000"), true},
		{"equals ISO request vs epoch policy", "DateEquals", k, []string{"1717200000"}, false, one(k, "2024-06-01T00:00:00Z"), true},
		{"equals date only is midnight UTC", "DateEquals", k, []string{"2024-06-01"}, false, one(k, "2024-06-01T00:00:00Z"), true},
		{"equals epoch zero", "DateEquals", k, []string{"0"}, false, one(k, "1970-01-01T00:00:00Z"), true},
		{"not equals differs", "DateNotEquals", k, []string{"2024-06-01T00:00:00Z"}, false, one(k, "1717200001"), true},
		{"not equals same via epoch", "DateNotEquals", k, []string{"2024-06-01T00:00:00Z"}, false, one(k, "1717200000"), false},
		{"not equals missing", "DateNotEquals", k, []string{"2024-06-01T00:00:00Z"}, false, req{}, true},
		{"less than before", "DateLessThan", k, []string{"2024-06-01T00:00:00Z"}, false, one(k, "2024-05-31T23:59:59Z"), true},
		{"less than same", "DateLessThan", k, []string{"2024-06-01T00:00:00Z"}, false, one(k, "2024-06-01T00:00:00Z"), false},
		{"less than epoch policy", "DateLessThan", k, []string{"1717200000"}, false, one(k, "2024-05-31T23:59:59Z"), true},
		{"less than epoch request", "DateLessThan", k, []string{"2024-06-01T00:00:00Z"}, false, one(k, "1717199999"), true},
		{"less than offset request is later", "DateLessThan", k, []string{"2024-06-01T00:00:00Z"}, false, one(k, "2024-05-31T23:30:00-01:00"), false},
		{"less than equals same", "DateLessThanEquals", k, []string{"2024-06-01T00:00:00Z"}, false, one(k, "1717200000"), true},
		{"less than equals after", "DateLessThanEquals", k, []string{"2024-06-01T00:00:00Z"}, false, one(k, "1717200001"), false},
		{"greater than after", "DateGreaterThan", k, []string{"2020-01-01T00:00:00Z"}, false, one(k, "2024-06-01T00:00:00Z"), true},
		{"greater than before", "DateGreaterThan", k, []string{"2030-01-01T00:00:00Z"}, false, one(k, "2024-06-01T00:00:00Z"), false},
		{"greater than equals same", "DateGreaterThanEquals", k, []string{"2024-06-01"}, false, one(k, "2024-06-01T00:00:00Z"), true},
		{"greater than equals before", "DateGreaterThanEquals", k, []string{"2024-06-01"}, false, one(k, "2024-05-31T23:59:59Z"), false},
		{"request not a date", "DateGreaterThan", k, []string{"2020-01-01T00:00:00Z"}, false, one(k, "tomorrow"), false},
		{"range with two clauses low", "DateGreaterThan", k, []string{"2024-01-01T00:00:00Z", "2030-01-01T00:00:00Z"}, false, one(k, "2025-01-01T00:00:00Z"), true},
		{"if exists missing", "DateLessThanIfExists", "aws:TokenIssueTime", []string{"2024-06-01T00:00:00Z"}, false, req{}, true},
		{"if exists present late", "DateLessThanIfExists", "aws:TokenIssueTime", []string{"2024-06-01T00:00:00Z"}, false, one("aws:TokenIssueTime", "2024-07-01T00:00:00Z"), false},
	})
}

func TestParseDate(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	cases := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-06-01T12:30:45Z", utc(2024, 6, 1, 12, 30, 45), true},
		{"2024-06-01T14:30:45+02:00", utc(2024, 6, 1, 12, 30, 45), true},
		{"2024-06-01", utc(2024, 6, 1, 0, 0, 0), true},
		{"1717200000", utc(2024, 6, 1, 0, 0, 0), true},
		{"0", utc(1970, 1, 1, 0, 0, 0), true},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"2024-02-30", time.Time{}, false},
		{"2024-06-01T25:00:00Z", time.Time{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := condition.ParseDate(tc.in)
			if ok != tc.ok || (ok && !got.Equal(tc.want)) {
				t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
