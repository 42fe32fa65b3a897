// Package condition implements the Condition element of IAM policies: the closed
// set of condition operators AWS documents (String, Numeric, Date, Bool,
// BinaryEquals, IpAddress, Arn and Null families, their …IfExists forms and the
// ForAnyValue:/ForAllValues: set qualifiers) and the request context they read.
//
// Every operator and every policy value is checked when a policy is compiled: an
// unknown operator or a value of the wrong type is an error, never a condition
// that silently evaluates to false. Evaluation is pure and allocation-free.
//
// Semantics, from the IAM User Guide (reference_policies_elements_condition_operators,
// reference_policies_multi-value-conditions):
//   - operators and keys within one Condition element are ANDed; the values
//     given for one key are ORed (for negated operators: the request value must
//     differ from all of them);
//   - a key missing from the request makes a condition false, except for the
//     negated operators (true), …IfExists (true), Null, and ForAllValues (true);
//   - ForAnyValue is false on a missing or empty key.
package condition

import (
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/internal/policy/pattern"
)

// Qualifier is a set operator prefix for multivalued keys.
type Qualifier uint8

const (
	// Single is no qualifier.
	Single Qualifier = iota
	// ForAnyValue: at least one request value must satisfy the operator.
	ForAnyValue
	// ForAllValues: every request value must satisfy the operator.
	ForAllValues
)

func (q Qualifier) String() string {
	switch q {
	case ForAnyValue:
		return "ForAnyValue:"
	case ForAllValues:
		return "ForAllValues:"
	}
	return ""
}

// Clause is one operator applied to one key with its policy values.
type Clause struct {
	operator  string // as written
	base      operator
	qualifier Qualifier
	ifExists  bool
	key       string // as written
	lowerKey  string
	written   []string
	values    matcher // nil for Null
	nullWants []bool  // Null: the presence states that satisfy it
}

// Error is a condition that cannot be compiled. Rule is the sentence for a person.
type Error struct {
	Operator string
	Key      string
	Value    string
	Rule     string
}

func (e *Error) Error() string { return e.Rule }

// Options control compilation.
type Options struct {
	// Variables enables ${…} policy variables in String and Arn values (policies
	// of Version 2012-10-17).
	Variables bool
}

// NewClause compiles one operator, key and its values.
func NewClause(op, key string, values []string, opts Options) (*Clause, error) {
	c := &Clause{operator: op, key: key, lowerKey: strings.ToLower(key), written: values}
	name := op
	switch {
	case hasPrefixFold(name, "ForAnyValue:"):
		c.qualifier = ForAnyValue
		name = name[len("ForAnyValue:"):]
	case hasPrefixFold(name, "ForAllValues:"):
		c.qualifier = ForAllValues
		name = name[len("ForAllValues:"):]
	}
	if len(name) > len("IfExists") && strings.EqualFold(name[len(name)-len("IfExists"):], "IfExists") {
		c.ifExists = true
		name = name[:len(name)-len("IfExists")]
	}
	base, ok := lookupOperator(name)
	if !ok {
		return nil, &Error{Operator: op, Key: key, Rule: fmt.Sprintf("Invalid Condition type : %s (not a condition operator of the IAM policy language)", op)}
	}
	c.base = base
	if key == "" {
		return nil, &Error{Operator: op, Rule: fmt.Sprintf("Condition operator %s names an empty condition key", op)}
	}
	if len(values) == 0 {
		return nil, &Error{Operator: op, Key: key, Rule: fmt.Sprintf("Condition %s for key %s has no values", op, key)}
	}
	if base.family == familyNull {
		if c.ifExists {
			return nil, &Error{Operator: op, Key: key, Rule: "The Null operator cannot take IfExists: Null already tests whether the key exists"}
		}
		for _, v := range values {
			b, ok := parseBool(v)
			if !ok {
				return nil, &Error{Operator: op, Key: key, Value: v, Rule: fmt.Sprintf("Null takes true or false, not %q", v)}
			}
			c.nullWants = append(c.nullWants, b)
		}
		return c, nil
	}
	m, err := base.compile(values, opts)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Operator, e.Key = op, key
			return nil, e
		}
		return nil, &Error{Operator: op, Key: key, Rule: err.Error()}
	}
	c.values = m
	return c, nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Operator returns the operator as written. Key returns the key as written.
func (c *Clause) Operator() string { return c.operator }

// Key returns the condition key as written in the policy.
func (c *Clause) Key() string { return c.key }

// Values returns the policy values as written.
func (c *Clause) Values() []string { return c.written }

// BaseOperator returns the canonical operator name without qualifier or IfExists.
func (c *Clause) BaseOperator() string { return c.base.name }

// Qualifier returns the set qualifier.
func (c *Clause) Qualifier() Qualifier { return c.qualifier }

// IfExists reports whether the operator carries the …IfExists suffix.
func (c *Clause) IfExists() bool { return c.ifExists }

// Negated reports whether the operator is a negated one (StringNotEquals, …).
func (c *Clause) Negated() bool { return c.base.negated }

// IsNull reports whether this is the Null operator.
func (c *Clause) IsNull() bool { return c.base.family == familyNull }

// Family names the operator family: "String", "Numeric", "Date", "Bool",
// "Binary", "IpAddress", "Arn" or "Null".
func (c *Clause) Family() string { return familyNames[c.base.family] }

// Like reports whether the operator interprets * and ? as wildcards.
func (c *Clause) Like() bool { return c.base.like }

// Eval evaluates the clause against a request context.
func (c *Clause) Eval(ctx *Context) bool {
	var r pattern.Resolver = ctx
	vals, _ := ctx.lookup(c.lowerKey)
	present := len(vals) > 0
	if c.nullWants != nil {
		for _, want := range c.nullWants {
			if want != present { // Null:true ⇔ absent
				return true
			}
		}
		return false
	}
	if !present {
		if c.ifExists {
			return true
		}
		switch c.qualifier {
		case ForAllValues:
			return true
		case ForAnyValue:
			return false
		}
		return c.base.negated
	}
	neg := c.base.negated
	switch c.qualifier {
	case ForAnyValue:
		for _, v := range vals {
			if c.values.match(v, r) != neg {
				return true
			}
		}
		return false
	case ForAllValues:
		for _, v := range vals {
			if c.values.match(v, r) == neg {
				return false
			}
		}
		return true
	}
	// No qualifier: a positive operator holds when some request value matches;
	// a negated one when none does.
	for _, v := range vals {
		if c.values.match(v, r) {
			return !neg
		}
	}
	return neg
}

// Block is a whole Condition element: every clause must hold.
type Block []*Clause

// Eval reports whether every clause holds.
func (b Block) Eval(ctx *Context) bool {
	for _, c := range b {
		if !c.Eval(ctx) {
			return false
		}
	}
	return true
}

// Keys returns the condition keys the block reads, as written, without duplicates.
func (b Block) Keys() []string {
	var keys []string
	seen := map[string]bool{}
	for _, c := range b {
		if !seen[c.lowerKey] {
			seen[c.lowerKey] = true
			keys = append(keys, c.key)
		}
	}
	return keys
}

// Failure explains why one clause did not hold.
type Failure struct {
	Operator      string
	Key           string
	PolicyValues  []string
	RequestValues []string
	Missing       bool // the key is absent from the request
	Text          string
}

// Explain returns a Failure for every clause of the block that does not hold.
func (b Block) Explain(ctx *Context) []Failure {
	var out []Failure
	for _, c := range b {
		if c.Eval(ctx) {
			continue
		}
		out = append(out, c.explain(ctx))
	}
	return out
}

func (c *Clause) explain(ctx *Context) Failure {
	vals, _ := ctx.lookup(c.lowerKey)
	f := Failure{Operator: c.operator, Key: c.key, PolicyValues: c.resolvedValues(ctx), RequestValues: vals, Missing: len(vals) == 0}
	want := quoteList(f.PolicyValues)
	switch {
	case c.nullWants != nil:
		if f.Missing {
			f.Text = fmt.Sprintf("condition %s %s=%s failed: the key is absent from the request", c.operator, c.key, want)
		} else {
			f.Text = fmt.Sprintf("condition %s %s=%s failed: the request has %s", c.operator, c.key, want, quoteList(vals))
		}
	case f.Missing && c.qualifier == ForAnyValue:
		f.Text = fmt.Sprintf("condition %s failed: key %s is absent from the request (ForAnyValue is false on a missing key)", c.operator, c.key)
	case f.Missing:
		f.Text = fmt.Sprintf("condition %s failed: key %s is absent from the request (it must be present and match %s)", c.operator, c.key, want)
	case c.base.negated:
		f.Text = fmt.Sprintf("condition %s failed: %s is %s, which matches %s", c.operator, c.key, quoteList(vals), want)
	case c.qualifier == ForAllValues:
		f.Text = fmt.Sprintf("condition %s failed: not every value of %s (%s) matches %s", c.operator, c.key, quoteList(vals), want)
	case c.base.family == familyString || c.base.family == familyARN || c.base.family == familyIP:
		f.Text = fmt.Sprintf("condition %s failed: %s is %s, which does not match %s", c.operator, c.key, quoteList(vals), want)
	default:
		f.Text = fmt.Sprintf("condition %s failed: %s is %s, which does not satisfy %s %s", c.operator, c.key, quoteList(vals), c.base.name, want)
	}
	return f
}

// resolvedValues shows String and Arn values with their variables resolved.
func (c *Clause) resolvedValues(r *Context) []string {
	out := make([]string, len(c.written))
	for i, v := range c.written {
		out[i] = v
		if rv, ok := c.values.(resolvable); ok {
			if s, ok := rv.resolved(i, r); ok && s != v {
				out[i] = v + " (= " + s + ")"
			}
		}
	}
	return out
}

func quoteList(vs []string) string {
	if len(vs) == 1 {
		return fmt.Sprintf("%q", vs[0])
	}
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
