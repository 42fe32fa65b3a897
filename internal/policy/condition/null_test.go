package condition_test

import (
	"testing"

	"github.com/wharf-project/wharf/internal/policy/condition"
)

// IAM User Guide, Condition operator to check existence of condition keys: "use
// either true (the key doesn't exist — it is null) or false (the key exists and
// its value is not null)". You can add IfExists to any operator except Null.
func TestNull(t *testing.T) {
	const k = "aws:TokenIssueTime"
	runEval(t, []evalCase{
		{"true absent", "Null", k, []string{"true"}, false, req{}, true},
		{"true present", "Null", k, []string{"true"}, false, one(k, "2024-06-01T00:00:00Z"), false},
		{"true no values", "Null", k, []string{"true"}, false, req{k: {}}, true},
		{"false absent", "Null", k, []string{"false"}, false, req{}, false},
		{"false present", "Null", k, []string{"false"}, false, one(k, "2024-06-01T00:00:00Z"), true},
		{"false no values", "Null", k, []string{"false"}, false, req{k: {}}, false},
		{"false present multivalued", "Null", "aws:TagKeys", []string{"false"}, false, req{"aws:TagKeys": {"a", "b"}}, true},
		{"true and false absent", "Null", k, []string{"true", "false"}, false, req{}, true},
		{"true and false present", "Null", k, []string{"true", "false"}, false, one(k, "x"), true},
		{"key case-insensitive", "Null", "AWS:TokenIssueTime", []string{"false"}, false, one("aws:tokenissuetime", "x"), true},
		{"other key does not count", "Null", k, []string{"true"}, false, one("aws:CurrentTime", "x"), true},
	})
}

func TestNullClause(t *testing.T) {
	c := mustClause(t, "Null", "aws:TokenIssueTime", []string{"true"}, condition.Options{})
	if !c.IsNull() || c.Family() != "Null" || c.BaseOperator() != "Null" || c.Negated() || c.IfExists() {
		t.Errorf("IsNull=%v Family=%q BaseOperator=%q Negated=%v IfExists=%v", c.IsNull(), c.Family(), c.BaseOperator(), c.Negated(), c.IfExists())
	}
}

func TestNullIfExistsIsAnError(t *testing.T) {
	for _, v := range []string{"true", "false"} {
		e := compileError(t, "NullIfExists", "aws:TokenIssueTime", []string{v}, condition.Options{})
		if e.Operator != "NullIfExists" || e.Key != "aws:TokenIssueTime" {
			t.Errorf("Error{Operator: %q, Key: %q}", e.Operator, e.Key)
		}
	}
}
