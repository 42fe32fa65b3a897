package condition_test

import (
	"errors"
	"testing"

	"github.com/wharf-project/wharf/internal/policy/condition"
)

// req describes a request context: key → values. A key mapped to an empty
// (non-nil) slice is present with no values; a key not in the map is absent.
type req map[string][]string

func (r req) context() *condition.Context {
	ctx := condition.NewContext()
	for k, v := range r {
		ctx.Set(k, v...)
	}
	return ctx
}

// one is a request with a single key and value.
func one(key, value string) req { return req{key: {value}} }

// evalCase is one operator, key and policy values evaluated against a request.
type evalCase struct {
	name   string
	op     string
	key    string
	values []string
	vars   bool // Options.Variables
	req    req
	want   bool
}

func runEval(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustClause(t, tc.op, tc.key, tc.values, condition.Options{Variables: tc.vars})
			if got := c.Eval(tc.req.context()); got != tc.want {
				t.Errorf("%s {%q: %q} on %v = %v, want %v", tc.op, tc.key, tc.values, tc.req, got, tc.want)
			}
		})
	}
}

func mustClause(t *testing.T, op, key string, values []string, opts condition.Options) *condition.Clause {
	t.Helper()
	c, err := condition.NewClause(op, key, values, opts)
	if err != nil {
		t.Fatalf("NewClause(%q, %q, %q): %v", op, key, values, err)
	}
	if c == nil {
		t.Fatalf("NewClause(%q, %q, %q) returned nil without error", op, key, values)
	}
	return c
}

// compileError asserts that NewClause rejects the condition with a *condition.Error.
func compileError(t *testing.T, op, key string, values []string, opts condition.Options) *condition.Error {
	t.Helper()
	c, err := condition.NewClause(op, key, values, opts)
	if err == nil {
		t.Fatalf("NewClause(%q, %q, %q) = %v, want an error", op, key, values, c)
	}
	var ce *condition.Error
	if !errors.As(err, &ce) {
		t.Fatalf("NewClause(%q, %q, %q) error %T %v is not a *condition.Error", op, key, values, err, err)
	}
	if ce.Error() == "" || ce.Rule == "" {
		t.Errorf("error for %s has no text", op)
	}
	return ce
}

var (
	optsVars   = condition.Options{Variables: true}
	optsNoVars = condition.Options{}
)
