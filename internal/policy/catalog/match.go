package catalog

import (
	"strings"
	"unicode/utf8"
)

// This file holds the small pattern engine shared by action matching,
// templated condition keys and ARN checks. A pattern is a list of tokens:
// a literal character, "any one character" or "any run of characters". Two
// patterns intersect when some string matches both; that test is a
// reachability search over pairs of positions (a product of the two
// automata), linear in the product of the pattern lengths.

type tokKind uint8

const (
	tokLit  tokKind = iota // one specific character
	tokOne                 // any single character
	tokMany                // any run of characters, possibly empty
)

type token struct {
	kind tokKind
	r    rune
}

// compile modes.
type mode uint8

const (
	// modeLiteral: every character is literal.
	modeLiteral mode = iota
	// modeWildcard: * and ? are wildcards, everything else is literal.
	modeWildcard
	// modePolicy: a value from a policy. * and ? are wildcards; a policy
	// variable ${…} stands for any text, except the escapes ${*}, ${?} and
	// ${$}, which stand for the literal characters *, ? and $.
	modePolicy
	// modeFormat: a SAR template. A placeholder ${…} stands for one or more
	// arbitrary characters; everything else is literal.
	modeFormat
)

func compile(s string, m mode) []token {
	var out []token
	for i := 0; i < len(s); {
		if (m == modePolicy || m == modeFormat) && strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				name := s[i+2 : i+end]
				i += end + 1
				switch {
				case m == modeFormat:
					out = append(out, token{kind: tokOne}, token{kind: tokMany})
				case name == "*" || name == "?" || name == "$":
					out = append(out, token{kind: tokLit, r: rune(name[0])})
				default:
					out = append(out, token{kind: tokMany})
				}
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case m != modeLiteral && m != modeFormat && r == '*':
			if n := len(out); n == 0 || out[n-1].kind != tokMany {
				out = append(out, token{kind: tokMany})
			}
		case m != modeLiteral && m != modeFormat && r == '?':
			out = append(out, token{kind: tokOne})
		default:
			out = append(out, token{kind: tokLit, r: r})
		}
	}
	return out
}

// intersects reports whether some string matches both a and b.
func intersects(a, b []token) bool {
	w := len(b) + 1
	seen := make([]bool, (len(a)+1)*w)
	stack := []int{0}
	seen[0] = true
	push := func(i, j int) {
		if k := i*w + j; !seen[k] {
			seen[k] = true
			stack = append(stack, k)
		}
	}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, j := k/w, k%w
		if i == len(a) && j == len(b) {
			return true
		}
		// A run may match nothing.
		if i < len(a) && a[i].kind == tokMany {
			push(i+1, j)
		}
		if j < len(b) && b[j].kind == tokMany {
			push(i, j+1)
		}
		if i == len(a) || j == len(b) {
			continue
		}
		ai, bj := a[i], b[j]
		switch {
		case ai.kind == tokMany && bj.kind != tokMany:
			push(i, j+1) // the run in a absorbs b's character
		case bj.kind == tokMany && ai.kind != tokMany:
			push(i+1, j)
		case ai.kind == tokMany && bj.kind == tokMany:
			// Both runs may absorb the same characters; the epsilon moves
			// above already cover every useful case.
		case ai.kind == tokOne || bj.kind == tokOne || ai.r == bj.r:
			push(i+1, j+1)
		}
	}
	return false
}
