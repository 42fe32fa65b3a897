package pattern_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wharf-project/wharf/internal/policy/pattern"
)

// refGlob is a reference implementation of IAM wildcard matching written from
// the documentation: '*' matches any run of characters (possibly empty), '?'
// exactly one character, everything else itself. It is a plain recursive
// backtracking matcher, memoised on (pattern offset, value offset) so that it
// stays polynomial. Characters are UTF-8 runes (for invalid UTF-8, single
// bytes, as utf8.DecodeRuneInString reports them).
func refGlob(p, v string) bool {
	memo := make(map[[2]int]bool)
	var match func(i, j int) bool
	match = func(i, j int) bool {
		key := [2]int{i, j}
		if r, ok := memo[key]; ok {
			return r
		}
		var r bool
		switch {
		case i == len(p):
			r = j == len(v)
		case p[i] == '*':
			// The star takes nothing, or one more character and stays.
			r = match(i+1, j)
			if !r && j < len(v) {
				_, size := utf8.DecodeRuneInString(v[j:])
				r = match(i, j+size)
			}
		case p[i] == '?':
			if j < len(v) {
				_, size := utf8.DecodeRuneInString(v[j:])
				r = match(i+1, j+size)
			}
		default:
			r = j < len(v) && v[j] == p[i] && match(i+1, j+1)
		}
		memo[key] = r
		return r
	}
	return match(0, 0)
}

// refBudget bounds the work of refGlob in the fuzzer (quadratic time and
// recursion depth).
func refBudget(p, v string) bool {
	return len(v) <= 512 && len(p) <= 512
}

func TestRefGlob(t *testing.T) {
	// The reference must itself be right before it judges anything.
	cases := []struct {
		p, v string
		want bool
	}{
		{"", "", true}, {"", "a", false}, {"*", "", true}, {"*", "abc", true},
		{"a*b*c", "aXbYbZc", true}, {"a*b*c", "acb", false}, {"?", "é", true},
		{"??", "é", false}, {"a?c", "abc", true}, {"*aab", "aaab", true},
		{"**", "x", true}, {"a**", "a", true}, {"*?*", "", false},
	}
	for _, tc := range cases {
		if got := refGlob(tc.p, tc.v); got != tc.want {
			t.Errorf("refGlob(%q, %q) = %v, want %v", tc.p, tc.v, got, tc.want)
		}
	}
}

// closedVariablesWithoutWildcards reports whether every ${ in s is closed by a }
// and no variable body contains '*' or '?'. For such patterns the text that
// Resolve returns holds '*' and '?' only where the pattern has wildcards.
func closedVariablesWithoutWildcards(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) || s[i+1] != '{' {
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return false
		}
		if strings.ContainsAny(s[i+2:i+end], "*?") {
			return false
		}
		i += end
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

var fuzzSyntaxes = []pattern.Syntax{0, pattern.Wildcards, pattern.Variables, pattern.Wildcards | pattern.Variables}

func FuzzCompileMatch(f *testing.F) {
	seeds := []struct{ p, v string }{
		{"ecr-public:*", "ecr-public:GetAuthorizationToken"},
		{"ecr-public:Get*", "ecr-public:GetRepositoryPolicy"},
		{"ecr-public:*Layer*", "ecr-public:UploadLayerPart"},
		{"a*b*c", "aXbYbZc"},
		{"*a*a*a*b", "aaaaaaaaaaaaaab"},
		{"caf?", "café"},
		{"??", "日本"},
		{"home/${aws:username}/*", "home/alice/x"},
		{"${aws:PrincipalTag/team, 'company-wide'}", "company-wide"},
		{"a${*}b${?}c${$}", "a*b?c$"},
		{"${aws:username", "${aws:username"},
		{"${}", ""},
		{"${aws:username, 'x'}*${aws:userid}?", "xabc:d"},
		{"arn:aws:ecr-public::123456789012:repository/${aws:username}/*", "arn:aws:ecr-public::123456789012:repository/alice/app"},
		{"", ""},
		{"*", ""},
		{"\xff*\xfe", "\xff\xfe"},
	}
	for _, s := range seeds {
		f.Add(s.p, s.v)
	}
	r := vars{"aws:username": "alice", "aws:principaltag/team": "blue", "aws:userid": "AIDA:x"}
	f.Fuzz(func(t *testing.T, p, v string) {
		compiled := map[pattern.Syntax]pattern.String{}
		for _, syn := range fuzzSyntaxes {
			c, err := pattern.Compile(p, syn)
			if err != nil {
				if syn&pattern.Variables == 0 {
					t.Fatalf("Compile(%q, %d) without Variables failed: %v", p, syn, err)
				}
				continue
			}
			compiled[syn] = c
			// None of these may panic.
			m := c.Match(v, r)
			c.Match(v, nil)
			c.MatchFold(v, r)
			c.Resolve(r)
			c.Resolve(nil)
			_ = c.Variables()
			if c.Match(v, nil) && c.HasVariables() {
				// A pattern whose variables are unresolved can only match when
				// they all have defaults.
				if _, ok := c.Resolve(nil); !ok {
					t.Fatalf("Compile(%q, %d).Match(%q, nil) = true although a variable has no value", p, syn, v)
				}
			}
			if m && !c.MatchFold(v, r) {
				t.Fatalf("Compile(%q, %d): Match(%q) = true but MatchFold = false", p, syn, v)
			}
			if c.IsLiteral() && c.Match(c.Source(), nil) != true {
				t.Fatalf("literal pattern %q does not match its source %q", p, c.Source())
			}
		}

		// Without any syntax every pattern is literal text.
		if c := compiled[0]; c.Match(v, r) != (v == p) || !c.Match(p, r) {
			t.Fatalf("Compile(%q, 0).Match(%q) = %v", p, v, c.Match(v, r))
		}

		// A pattern with no special characters matches exactly itself, under
		// every syntax.
		if !strings.ContainsAny(p, "*?") && !strings.Contains(p, "${") {
			for syn, c := range compiled {
				if !c.Match(p, r) {
					t.Fatalf("Compile(%q, %d) does not match itself", p, syn)
				}
				if c.Match(v, r) != (v == p) {
					t.Fatalf("Compile(%q, %d).Match(%q) = %v, want %v", p, syn, v, c.Match(v, r), v == p)
				}
				if !c.IsLiteral() {
					t.Fatalf("Compile(%q, %d).IsLiteral() = false", p, syn)
				}
			}
		}

		// Variables alone: without ${ the pattern is literal text.
		if !strings.Contains(p, "${") {
			if c, ok := compiled[pattern.Variables]; !ok || c.Match(v, r) != (v == p) {
				t.Fatalf("Compile(%q, Variables).Match(%q) wrong", p, v)
			}
		}

		if !refBudget(p, v) {
			return
		}
		wildOnly := compiled[pattern.Wildcards]
		// Wildcards agree with the reference glob (on valid UTF-8: with invalid
		// bytes "one character" is not well defined).
		if utf8.ValidString(p) && utf8.ValidString(v) {
			want := refGlob(p, v)
			if got := wildOnly.Match(v, r); got != want {
				t.Fatalf("Compile(%q, Wildcards).Match(%q) = %v, reference says %v", p, v, got, want)
			}
			if !strings.Contains(p, "${") {
				if c, ok := compiled[pattern.Wildcards|pattern.Variables]; !ok || c.Match(v, r) != want {
					t.Fatalf("Compile(%q, Wildcards|Variables).Match(%q) != reference %v", p, v, want)
				}
			}
			// Case folding, on ASCII, is matching the lower-cased strings.
			if isASCII(p) && isASCII(v) {
				wantFold := refGlob(strings.ToLower(p), strings.ToLower(v))
				if got := wildOnly.MatchFold(v, r); got != wantFold {
					t.Fatalf("Compile(%q, Wildcards).MatchFold(%q) = %v, reference says %v", p, v, got, wantFold)
				}
			}
			// With variables: once resolved, the pattern behaves as the
			// reference glob of its resolution (variable values contain no
			// wildcard characters, and ${*}/${?} are excluded).
			if c, ok := compiled[pattern.Wildcards|pattern.Variables]; ok && closedVariablesWithoutWildcards(p) {
				if resolved, ok := c.Resolve(r); ok {
					if got, want := c.Match(v, r), refGlob(resolved, v); got != want {
						t.Fatalf("Compile(%q, all).Match(%q) = %v; reference on resolution %q says %v", p, v, got, resolved, want)
					}
				} else if c.Match(v, r) {
					t.Fatalf("Compile(%q, all).Match(%q) = true although Resolve fails", p, v)
				}
			}
		}
	})
}

// refARN implements the documented ARN rules on top of refGlob, for patterns
// without policy variables.
func refARN(p, v string) bool {
	if p == "*" {
		return true
	}
	ps := strings.SplitN(p, ":", 6)
	n := len(ps)
	if n == 6 {
		vs, ok := pattern.Split(v)
		if !ok {
			return false
		}
		for i := range 6 {
			if !refGlob(ps[i], vs[i]) {
				return false
			}
		}
		return true
	}
	// A short pattern: the first n-1 segments are matched one by one; the last
	// takes the rest of the ARN if it ends with '*', else exactly one segment.
	vs := strings.SplitN(v, ":", n)
	if len(vs) < n {
		return false
	}
	for i := 0; i < n-1; i++ {
		if !refGlob(ps[i], vs[i]) {
			return false
		}
	}
	last := vs[n-1]
	if !strings.HasSuffix(ps[n-1], "*") && strings.Contains(last, ":") {
		return false
	}
	return refGlob(ps[n-1], last)
}

func FuzzCompileARN(f *testing.F) {
	seeds := []struct{ p, v string }{
		{"*", "arn:aws:ecr-public::123456789012:repository/app"},
		{"arn:aws:ecr-public::123456789012:repository/*", "arn:aws:ecr-public::123456789012:repository/app"},
		{"arn:aws:ecr-public:*:*:repository/team-?/*", "arn:aws:ecr-public:us-east-1:123456789012:repository/team-a/x:y"},
		{"arn:aws:ecr-public:*", "arn:aws:ecr-public::123456789012:repository/app"},
		{"arn:aws:*", "arn:aws:s3:::bucket"},
		{"arn:aws:ecr-public::123456789012:repository/${aws:username}/*", "arn:aws:ecr-public::123456789012:repository/alice/app"},
		{"arn:aws:ecr-public::${aws:PrincipalAccount}:repository/*", "arn:aws:ecr-public::123456789012:repository/app"},
		{"arn:aws:ecr-public::123456789012:repository/${aws:PrincipalTag/team, 'shared'}/*", "arn:aws:ecr-public::123456789012:repository/shared/x"},
		{"arn:*:*:*:*:*", "arn:aws:ecr-public::1:r"},
		{"arn:aws:ecr-public:${*}:1:${?}", "arn:aws:ecr-public:*:1:?"},
		{":::::", ":::::"},
		{"arn:aws:ecr*:repository/app", "arn:aws:ecr-public::123456789012:repository/app"},
		{"", ""},
		{"${aws:sourcearn}", "arn:aws:ecr-public::123456789012:repository/app"},
		{"arn:${aws:userid}?", "arn:AROA:sessionX"},
		{"arn:aws:ecr-public::123456789012:repository/${aws:userid, 'a:b'}", "arn:aws:ecr-public::123456789012:repository/AROA:session"},
	}
	for _, s := range seeds {
		f.Add(s.p, s.v)
	}
	r := vars{"aws:username": "alice", "aws:principalaccount": "123456789012", "aws:userid": "AROA:session", "aws:sourcearn": "arn:aws:ecr-public::123456789012:repository/app"}
	f.Fuzz(func(t *testing.T, p, v string) {
		segs, ok := pattern.Split(v)
		if ok && strings.Join(segs[:], ":") != v {
			t.Fatalf("Split(%q) = %q does not rejoin", v, segs)
		}
		if !ok && strings.Count(v, ":") >= 5 {
			t.Fatalf("Split(%q) failed with %d colons", v, strings.Count(v, ":"))
		}
		for _, syn := range fuzzSyntaxes {
			c, err := pattern.CompileARN(p, syn)
			if err != nil {
				if syn&pattern.Variables == 0 {
					t.Fatalf("CompileARN(%q, %d) without Variables failed: %v", p, syn, err)
				}
				continue
			}
			c.Match(v, r)
			c.Match(v, nil)
			if n := len(c.Segments()); !c.IsAny() && (n < 1 || n > 6) {
				t.Fatalf("CompileARN(%q, %d) has %d segments", p, syn, n)
			}
			if c.Source() != p {
				t.Fatalf("CompileARN(%q).Source() = %q", p, c.Source())
			}
			// Literal patterns (no wildcards in effect, no variables) with six
			// segments match exactly themselves.
			if syn&pattern.Wildcards == 0 && !strings.Contains(p, "${") && strings.Count(p, ":") >= 5 {
				if !c.Match(p, r) {
					t.Fatalf("CompileARN(%q, %d) does not match itself", p, syn)
				}
				if c.Match(v, r) != (v == p) {
					t.Fatalf("CompileARN(%q, %d).Match(%q) = %v, want %v", p, syn, v, c.Match(v, r), v == p)
				}
			}
		}
		if !utf8.ValidString(p) || !utf8.ValidString(v) || !refBudget(p, v) {
			return
		}
		if strings.Contains(p, "${") {
			checkARNVariables(t, p, v, r)
			return
		}
		want := refARN(p, v)
		for _, syn := range []pattern.Syntax{pattern.Wildcards, pattern.Wildcards | pattern.Variables} {
			c, err := pattern.CompileARN(p, syn)
			if err != nil {
				t.Fatalf("CompileARN(%q, %d): %v", p, syn, err)
			}
			if got := c.Match(v, r); got != want {
				t.Fatalf("CompileARN(%q, %d).Match(%q) = %v, reference says %v", p, syn, v, got, want)
			}
		}
	})
}

// checkARNVariables cross-checks an ARN pattern with policy variables against
// the reference: variables are placeholders replaced by their values before the
// ARN is matched, so the pattern must behave as refARN of its resolution. Skipped
// where that resolution is ambiguous: ${*} and ${?} (their resolution is a
// wildcard character), wildcards inside variables, unclosed ${, colons that a
// variable puts into one of the first five segments, and short patterns whose
// variables supply enough colons to reach the resource segment.
func checkARNVariables(t *testing.T, p, v string, r pattern.Resolver) {
	c, err := pattern.CompileARN(p, pattern.Wildcards|pattern.Variables)
	if err != nil || c.IsAny() || !closedVariablesWithoutWildcards(p) {
		return
	}
	segs := c.Segments()
	parts := make([]string, len(segs))
	for i := range segs {
		s, ok := segs[i].Resolve(r)
		if !ok {
			if c.Match(v, r) {
				t.Fatalf("CompileARN(%q).Match(%q) = true although a variable has no value", p, v)
			}
			return
		}
		if i < len(segs)-1 && strings.Contains(s, ":") {
			return
		}
		parts[i] = s
	}
	resolved := strings.Join(parts, ":")
	if len(segs) < 6 && strings.Count(resolved, ":") >= 5 {
		return
	}
	if got, want := c.Match(v, r), refARN(resolved, v); got != want {
		t.Fatalf("CompileARN(%q).Match(%q) = %v; reference on resolution %q says %v", p, v, got, resolved, want)
	}
}
