package condition

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/policy/pattern"
)

type family uint8

const (
	familyString family = iota
	familyNumeric
	familyDate
	familyBool
	familyBinary
	familyIP
	familyARN
	familyNull
)

var familyNames = [...]string{"String", "Numeric", "Date", "Bool", "Binary", "IpAddress", "Arn", "Null"}

type comparison uint8

const (
	eq comparison = iota
	lt
	le
	gt
	ge
)

// operator is one base operator. The set is closed: lookupOperator is the only
// source of operators.
type operator struct {
	name    string
	family  family
	negated bool
	cmp     comparison
	fold    bool // StringEqualsIgnoreCase and its negation
	like    bool // * and ? are wildcards
}

// lookupOperator maps a base operator name (no qualifier, no IfExists) to its
// definition. Names are matched case-insensitively.
func lookupOperator(name string) (operator, bool) {
	ops := [...]operator{
		{name: "StringEquals", family: familyString},
		{name: "StringNotEquals", family: familyString, negated: true},
		{name: "StringEqualsIgnoreCase", family: familyString, fold: true},
		{name: "StringNotEqualsIgnoreCase", family: familyString, fold: true, negated: true},
		{name: "StringLike", family: familyString, like: true},
		{name: "StringNotLike", family: familyString, like: true, negated: true},
		{name: "NumericEquals", family: familyNumeric},
		{name: "NumericNotEquals", family: familyNumeric, negated: true},
		{name: "NumericLessThan", family: familyNumeric, cmp: lt},
		{name: "NumericLessThanEquals", family: familyNumeric, cmp: le},
		{name: "NumericGreaterThan", family: familyNumeric, cmp: gt},
		{name: "NumericGreaterThanEquals", family: familyNumeric, cmp: ge},
		{name: "DateEquals", family: familyDate},
		{name: "DateNotEquals", family: familyDate, negated: true},
		{name: "DateLessThan", family: familyDate, cmp: lt},
		{name: "DateLessThanEquals", family: familyDate, cmp: le},
		{name: "DateGreaterThan", family: familyDate, cmp: gt},
		{name: "DateGreaterThanEquals", family: familyDate, cmp: ge},
		{name: "Bool", family: familyBool},
		{name: "BinaryEquals", family: familyBinary},
		{name: "IpAddress", family: familyIP},
		{name: "NotIpAddress", family: familyIP, negated: true},
		// ArnEquals and ArnLike behave the same: both take wildcards per segment.
		{name: "ArnEquals", family: familyARN, like: true},
		{name: "ArnLike", family: familyARN, like: true},
		{name: "ArnNotEquals", family: familyARN, like: true, negated: true},
		{name: "ArnNotLike", family: familyARN, like: true, negated: true},
		{name: "Null", family: familyNull},
	}
	for _, op := range ops {
		if strings.EqualFold(op.name, name) {
			return op, true
		}
	}
	return operator{}, false
}

// matcher holds compiled policy values. match reports, in the positive sense of
// the operator (equals, less than, like…), whether a request value matches any
// of them; negation is applied by the Clause.
type matcher interface {
	match(v string, r pattern.Resolver) bool
}

// resolvable is a matcher whose values may hold policy variables.
type resolvable interface {
	resolved(i int, r pattern.Resolver) (string, bool)
}

func (op operator) compile(values []string, opts Options) (matcher, error) {
	switch op.family {
	case familyString:
		syn := pattern.Syntax(0)
		if op.like {
			syn |= pattern.Wildcards
		}
		if opts.Variables {
			syn |= pattern.Variables
		}
		m := stringValues{fold: op.fold}
		for _, v := range values {
			p, err := pattern.Compile(v, syn)
			if err != nil {
				return nil, &Error{Value: v, Rule: fmt.Sprintf("%s: %v", op.name, err)}
			}
			m.patterns = append(m.patterns, p)
		}
		return m, nil
	case familyARN:
		syn := pattern.Wildcards
		if opts.Variables {
			syn |= pattern.Variables
		}
		var m arnValues
		for _, v := range values {
			if v != "*" && !strings.HasPrefix(v, "arn:") && !strings.HasPrefix(v, "${") {
				return nil, &Error{Value: v, Rule: fmt.Sprintf("%s takes ARNs (arn:partition:service:region:account:resource), not %q", op.name, v)}
			}
			p, err := pattern.CompileARN(v, syn)
			if err != nil {
				return nil, &Error{Value: v, Rule: fmt.Sprintf("%s: %v", op.name, err)}
			}
			m = append(m, p)
		}
		return m, nil
	case familyNumeric:
		m := numericValues{cmp: op.cmp}
		for _, v := range values {
			f, ok := parseNumber(v)
			if !ok {
				return nil, &Error{Value: v, Rule: fmt.Sprintf("%s takes numbers, not %q", op.name, v)}
			}
			m.values = append(m.values, f)
		}
		return m, nil
	case familyDate:
		m := dateValues{cmp: op.cmp}
		for _, v := range values {
			t, ok := ParseDate(v)
			if !ok {
				return nil, &Error{Value: v, Rule: fmt.Sprintf("%s takes an ISO 8601 date (2024-06-01T00:00:00Z) or epoch seconds, not %q", op.name, v)}
			}
			m.values = append(m.values, t)
		}
		return m, nil
	case familyBool:
		var m boolValues
		for _, v := range values {
			b, ok := parseBool(v)
			if !ok {
				return nil, &Error{Value: v, Rule: fmt.Sprintf("Bool takes true or false, not %q", v)}
			}
			m = append(m, b)
		}
		return m, nil
	case familyBinary:
		var m binaryValues
		for _, v := range values {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, &Error{Value: v, Rule: fmt.Sprintf("BinaryEquals takes base64-encoded values, not %q", v)}
			}
			m = append(m, b)
		}
		return m, nil
	case familyIP:
		var m ipValues
		for _, v := range values {
			p, ok := parsePrefix(v)
			if !ok {
				return nil, &Error{Value: v, Rule: fmt.Sprintf("%s takes an IPv4 or IPv6 address or CIDR block (203.0.113.0/24, 2001:db8::/32), not %q", op.name, v)}
			}
			m = append(m, p)
		}
		return m, nil
	}
	return nil, fmt.Errorf("operator %s takes no values", op.name)
}

type stringValues struct {
	patterns []pattern.String
	fold     bool
}

func (m stringValues) match(v string, r pattern.Resolver) bool {
	for i := range m.patterns {
		if m.fold {
			if m.patterns[i].MatchFold(v, r) {
				return true
			}
		} else if m.patterns[i].Match(v, r) {
			return true
		}
	}
	return false
}

func (m stringValues) resolved(i int, r pattern.Resolver) (string, bool) {
	return m.patterns[i].Resolve(r)
}

type arnValues []pattern.ARN

func (m arnValues) match(v string, r pattern.Resolver) bool {
	for i := range m {
		if m[i].Match(v, r) {
			return true
		}
	}
	return false
}

func (m arnValues) resolved(i int, r pattern.Resolver) (string, bool) {
	if !m[i].HasVariables() {
		return m[i].Source(), true
	}
	var parts []string
	for _, s := range m[i].Segments() {
		v, ok := s.Resolve(r)
		if !ok {
			return "", false
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, ":"), true
}

type numericValues struct {
	values []float64
	cmp    comparison
}

func (m numericValues) match(v string, _ pattern.Resolver) bool {
	x, ok := parseNumber(v)
	if !ok {
		return false
	}
	for _, p := range m.values {
		if compare(m.cmp, cmpFloat(x, p)) {
			return true
		}
	}
	return false
}

type dateValues struct {
	values []time.Time
	cmp    comparison
}

func (m dateValues) match(v string, _ pattern.Resolver) bool {
	t, ok := ParseDate(v)
	if !ok {
		return false
	}
	for _, p := range m.values {
		if compare(m.cmp, t.Compare(p)) {
			return true
		}
	}
	return false
}

type boolValues []bool

func (m boolValues) match(v string, _ pattern.Resolver) bool {
	b, ok := parseBool(v)
	if !ok {
		return false
	}
	for _, p := range m {
		if b == p {
			return true
		}
	}
	return false
}

type binaryValues [][]byte

func (m binaryValues) match(v string, _ pattern.Resolver) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return false
	}
	for _, p := range m {
		if bytes.Equal(b, p) {
			return true
		}
	}
	return false
}

type ipValues []netip.Prefix

func (m ipValues) match(v string, _ pattern.Resolver) bool {
	a, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range m {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func compare(c comparison, sign int) bool {
	switch c {
	case lt:
		return sign < 0
	case le:
		return sign <= 0
	case gt:
		return sign > 0
	case ge:
		return sign >= 0
	}
	return sign == 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			bits := p.Bits() - 96
			if bits < 0 {
				return netip.Prefix{}, false
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), bits)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// dateLayouts are the W3C profile of ISO 8601 that IAM accepts.
var dateLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

// ParseDate parses a date as IAM's Date operators take it: an ISO 8601 date or
// date-time (UTC when no zone is given) or a count of seconds since the epoch.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if isDigits(s) && len(s) != 4 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
