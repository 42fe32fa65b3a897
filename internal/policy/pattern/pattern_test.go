package pattern_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/wharf-project/wharf/internal/policy/pattern"
)

// vars is a Resolver backed by a map. Keys must be given in lower case, as the
// pattern package asks for them in lower case.
type vars map[string]string

func (m vars) Variable(key string) (string, bool) {
	v, ok := m[key]
	return v, ok
}

const (
	wild = pattern.Wildcards
	all  = pattern.Wildcards | pattern.Variables
)

type matchCase struct {
	name    string
	pattern string
	syntax  pattern.Syntax
	vars    vars
	value   string
	want    bool
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := pattern.Compile(tc.pattern, tc.syntax)
			if err != nil {
				t.Fatalf("Compile(%q, %v): %v", tc.pattern, tc.syntax, err)
			}
			var r pattern.Resolver
			if tc.vars != nil {
				r = tc.vars
			}
			if got := p.Match(tc.value, r); got != tc.want {
				t.Errorf("Compile(%q).Match(%q, %v) = %v, want %v", tc.pattern, tc.value, tc.vars, got, tc.want)
			}
		})
	}
}

// The IAM User Guide (reference_policies_elements_condition_operators, String
// condition operators): StringLike is case-sensitive matching where the values can
// include a multi-character match wildcard (*) and a single-character match
// wildcard (?) anywhere in the string.
func TestMatchLiteral(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"equal", "ecr-public:GetAuthorizationToken", wild, nil, "ecr-public:GetAuthorizationToken", true},
		{"prefix of value", "ecr-public:Get", wild, nil, "ecr-public:GetAuthorizationToken", false},
		{"value is prefix", "ecr-public:GetAuthorizationToken", wild, nil, "ecr-public:Get", false},
		{"case differs", "ecr-public:getauthorizationtoken", wild, nil, "ecr-public:GetAuthorizationToken", false},
		{"empty pattern empty value", "", wild, nil, "", true},
		{"empty pattern nonempty value", "", wild, nil, "x", false},
		{"nonempty pattern empty value", "x", wild, nil, "", false},
		{"trailing space", "abc ", wild, nil, "abc", false},
		{"unicode literal", "répertoire/日本", wild, nil, "répertoire/日本", true},
		{"unicode literal mismatch", "répertoire/日本", wild, nil, "repertoire/日本", false},
		{"no syntax star is literal", "a*c", 0, nil, "a*c", true},
		{"no syntax star is not a wildcard", "a*c", 0, nil, "abc", false},
		{"no syntax question is literal", "a?c", 0, nil, "a?c", true},
		{"no syntax question is not a wildcard", "a?c", 0, nil, "abc", false},
	})
}

func TestMatchStar(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"star alone matches empty", "*", wild, nil, "", true},
		{"star alone matches anything", "*", wild, nil, "arn:aws:ecr-public::1:repository/x", true},
		{"trailing star", "ecr-public:*", wild, nil, "ecr-public:BatchCheckLayerAvailability", true},
		{"trailing star matches empty rest", "ecr-public:*", wild, nil, "ecr-public:", true},
		{"trailing star needs prefix", "ecr-public:*", wild, nil, "ecr:BatchCheckLayerAvailability", false},
		{"leading star", "*Layer", wild, nil, "ecr-public:UploadLayer", true},
		{"leading star wrong end", "*Layer", wild, nil, "ecr-public:UploadLayerPart", false},
		{"leading star suffix", "*LayerPart", wild, nil, "ecr-public:UploadLayerPart", true},
		{"leading star wrong suffix", "*LayerPart", wild, nil, "ecr-public:UploadLayerParts", false},
		{"middle star", "ecr-public:*Image", wild, nil, "ecr-public:PutImage", true},
		{"middle star empty", "ecr-public:*Image", wild, nil, "ecr-public:Image", true},
		{"middle star no match", "ecr-public:*Image", wild, nil, "ecr-public:PutImages", false},
		{"star spans slash", "home/*", wild, nil, "home/alice/projects/x", true},
		{"star spans colon", "a*z", wild, nil, "a:b:c/d:z", true},
		{"consecutive stars", "a**b", wild, nil, "ab", true},
		{"consecutive stars long", "a***b", wild, nil, "a123b", true},
		{"consecutive stars mismatch", "a**b", wild, nil, "a123c", false},
		{"star matches multibyte", "日*語", wild, nil, "日本語", true},
		{"star matches multibyte empty", "日*本", wild, nil, "日本", true},
		{"prefix star suffix overlap", "ab*ba", wild, nil, "aba", false},
		{"prefix star suffix exact", "ab*ba", wild, nil, "abba", true},
		{"prefix star suffix longer", "ab*ba", wild, nil, "abXba", true},
	})
}

func TestMatchMultipleStarsBacktracking(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"a*b*c vs aXbYbZc", "a*b*c", wild, nil, "aXbYbZc", true},
		{"a*b*c vs abc", "a*b*c", wild, nil, "abc", true},
		{"a*b*c vs acb", "a*b*c", wild, nil, "acb", false},
		{"a*b*c vs abcb", "a*b*c", wild, nil, "abcb", false},
		{"a*b*c vs abcbc", "a*b*c", wild, nil, "abcbc", true},
		{"a*b*c vs aXbYbZ", "a*b*c", wild, nil, "aXbYbZ", false},
		{"*a*b* vs bab", "*a*b*", wild, nil, "bab", true},
		{"*a*b* vs bba", "*a*b*", wild, nil, "bba", false},
		{"repeated literal needs backtrack", "*aab", wild, nil, "aaab", true},
		{"repeated literal fails", "*aab", wild, nil, "aaaba", false},
		{"late suffix", "*abc*abc", wild, nil, "abcabcabc", true},
		{"late suffix mismatch", "*abc*abd", wild, nil, "abcabcabc", false},
		{"star question mix", "*?b?*", wild, nil, "xbx", true},
		{"star question mix too short", "*?b?*", wild, nil, "bx", false},
		{"path like", "repository/*/team-*/*", wild, nil, "repository/x/team-a/b", true},
		{"path like missing part", "repository/*/team-*/*", wild, nil, "repository/x/team-a", false},
		{"many stars", "*a*a*a*a*a*a*b", wild, nil, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"many stars match", "*a*a*a*a*a*a*b", wild, nil, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true},
	})
}

func TestMatchQuestion(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"one char", "a?c", wild, nil, "abc", true},
		{"needs exactly one", "a?c", wild, nil, "ac", false},
		{"not two", "a?c", wild, nil, "abbc", false},
		{"matches slash", "a?c", wild, nil, "a/c", true},
		{"matches colon", "a?c", wild, nil, "a:c", true},
		{"only question", "?", wild, nil, "x", true},
		{"only question empty", "?", wild, nil, "", false},
		{"double question", "??", wild, nil, "xy", true},
		{"double question short", "??", wild, nil, "x", false},
		{"two-byte rune", "caf?", wild, nil, "café", true},
		{"three-byte rune", "?本", wild, nil, "日本", true},
		{"four-byte rune", "a?b", wild, nil, "a😀b", true},
		{"multibyte is one character", "a??b", wild, nil, "a😀b", false},
		{"two multibyte runes", "??", wild, nil, "日本", true},
		{"question star question", "?*?", wild, nil, "日", false},
		{"question star question two runes", "?*?", wild, nil, "日本", true},
		{"question after star", "*?", wild, nil, "", false},
		{"question after star one", "*?", wild, nil, "é", true},
	})
}

// reference_policies_variables: variables are marked with a $ prefix followed by
// a pair of curly braces that include the variable name of the value from the
// request. Key names are case-insensitive. When a variable has no value the
// element does not match. ${*}, ${?} and ${$} stand for the literal characters.
func TestMatchVariables(t *testing.T) {
	alice := vars{"aws:username": "alice"}
	runMatchCases(t, []matchCase{
		{"resolved", "home/${aws:username}/*", all, alice, "home/alice/x", true},
		{"resolved other user", "home/${aws:username}/*", all, alice, "home/bob/x", false},
		{"resolved exactly", "${aws:username}", all, alice, "alice", true},
		{"resolved no partial", "${aws:username}", all, alice, "alic", false},
		{"resolved no extra", "${aws:username}", all, alice, "alice2", false},
		{"key case-insensitive", "home/${AWS:UserName}/*", all, alice, "home/alice/x", true},
		{"value case-sensitive", "home/${aws:username}/*", all, alice, "home/Alice/x", false},
		{"missing variable", "home/${aws:username}/*", all, vars{}, "home/alice/x", false},
		{"missing variable nil resolver", "home/${aws:username}/*", all, nil, "home/alice/x", false},
		{"missing variable never matches literal text", "home/${aws:username}/*", all, vars{}, "home/${aws:username}/x", false},
		{"missing variable with star", "${aws:username}*", all, vars{}, "", false},
		{"empty value", "home/${aws:username}/*", all, vars{"aws:username": ""}, "home//x", true},
		{"value with star is literal", "${aws:username}", all, vars{"aws:username": "a*"}, "abc", false},
		{"value with star matches itself", "${aws:username}", all, vars{"aws:username": "a*"}, "a*", true},
		{"value with question is literal", "x${aws:username}", all, vars{"aws:username": "?"}, "xy", false},
		{"two variables", "${aws:principaltag/team}-${aws:username}", all, vars{"aws:principaltag/team": "blue", "aws:username": "alice"}, "blue-alice", true},
		{"two variables one missing", "${aws:principaltag/team}-${aws:username}", all, vars{"aws:username": "alice"}, "blue-alice", false},
		{"variable then star backtracking", "*${aws:username}*${aws:username}", all, alice, "xalicealiceyalice", true},
		{"variable then star backtracking fails", "*${aws:username}*${aws:username}", all, alice, "xaliceyalic", false},
		{"tag key with slash", "${aws:PrincipalTag/team}", all, vars{"aws:principaltag/team": "blue"}, "blue", true},
		{"variables only no wildcards", "home/${aws:username}/*", pattern.Variables, alice, "home/alice/*", true},
		{"variables only star literal", "home/${aws:username}/*", pattern.Variables, alice, "home/alice/x", false},
		{"whitespace inside braces", "${ aws:username }", all, alice, "alice", true},
	})
}

// reference_policies_variables, "Specifying default values": a default value is
// surrounded by single quotes and separated from the variable by a comma and a
// space, e.g. ${aws:PrincipalTag/team, 'company-wide'}.
func TestMatchDefaults(t *testing.T) {
	const p = "bucket-${aws:PrincipalTag/team, 'company-wide'}"
	runMatchCases(t, []matchCase{
		{"value wins over default", p, all, vars{"aws:principaltag/team": "yellow"}, "bucket-yellow", true},
		{"value wins default does not match", p, all, vars{"aws:principaltag/team": "yellow"}, "bucket-company-wide", false},
		{"default used", p, all, vars{}, "bucket-company-wide", true},
		{"default used nil resolver", p, all, nil, "bucket-company-wide", true},
		{"default used other no match", p, all, vars{}, "bucket-yellow", false},
		{"default is case-sensitive", p, all, vars{}, "bucket-Company-Wide", false},
		{"empty default", "x${aws:username, ''}y", all, nil, "xy", true},
		{"default with star is literal", "${aws:username, 'a*'}", all, nil, "abc", false},
		{"default with star matches itself", "${aws:username, 'a*'}", all, nil, "a*", true},
		{"default with colon", "${aws:username, 'a:b'}", all, nil, "a:b", true},
		{"no space after comma", "${aws:username,'guest'}", all, nil, "guest", true},
		{"default then star", "home/${aws:username, 'guest'}/*", all, nil, "home/guest/x/y", true},
	})
}

func TestMatchSpecialCharacters(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"${*} is a literal star", "a${*}b", all, nil, "a*b", true},
		{"${*} is not a wildcard", "a${*}b", all, nil, "aXb", false},
		{"${?} is a literal question mark", "a${?}b", all, nil, "a?b", true},
		{"${?} is not a wildcard", "a${?}b", all, nil, "aXb", false},
		{"${$} is a dollar", "a${$}b", all, nil, "a$b", true},
		{"${$}{...} is literal text", "${$}{aws:username}", all, vars{"aws:username": "alice"}, "${aws:username}", true},
		{"${$}{...} is not a variable", "${$}{aws:username}", all, vars{"aws:username": "alice"}, "alice", false},
		{"literal star then wildcard", "${*}*", all, nil, "*anything", true},
		{"literal star then wildcard needs star", "${*}*", all, nil, "anything", false},
		{"wildcard then literal star", "*${*}", all, nil, "abc*", true},
		{"wildcard then literal star mismatch", "*${*}", all, nil, "abc", false},
		{"only literal specials", "${*}${?}${$}", all, nil, "*?$", true},
		{"dollar without brace", "a$b", all, nil, "a$b", true},
		{"lone dollar at end", "ab$", all, nil, "ab$", true},
		{"brace without dollar", "a{b}", all, nil, "a{b}", true},
	})
}

// Variables disabled (policies of Version 2008-10-17): ${…} is plain text.
func TestMatchVariablesDisabled(t *testing.T) {
	alice := vars{"aws:username": "alice"}
	runMatchCases(t, []matchCase{
		{"literal text matches itself", "home/${aws:username}/*", wild, alice, "home/${aws:username}/x", true},
		{"not resolved", "home/${aws:username}/*", wild, alice, "home/alice/x", false},
		{"${*} is not special", "a${*}b", wild, nil, "a${*}b", true},
		{"${*} star still a wildcard", "a${*}b", wild, nil, "a${xyz}b", true},
		{"${*} no literal star", "a${*}b", wild, nil, "a*b", false},
		{"no syntax at all", "${aws:username}", 0, alice, "${aws:username}", true},
		{"no syntax at all not resolved", "${aws:username}", 0, alice, "alice", false},
	})
}

func TestMatchFold(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		syntax  pattern.Syntax
		vars    vars
		value   string
		want    bool
	}{
		{"literal same", "Production", 0, nil, "Production", true},
		{"literal lower", "Production", 0, nil, "production", true},
		{"literal upper", "Production", 0, nil, "PRODUCTION", true},
		{"literal differs", "Production", 0, nil, "Prod", false},
		{"wildcard folded", "Prod*", wild, nil, "pRODuction", true},
		{"question folded", "pro?uction", wild, nil, "PRODUCTION", true},
		{"variable value folded", "${aws:username}-*", all, vars{"aws:username": "Alice"}, "ALICE-x", true},
		{"variable missing still false", "${aws:username}-*", all, vars{}, "alice-x", false},
		{"default folded", "${aws:username, 'Guest'}", all, nil, "guest", true},
		{"literal star folded", "A${*}", all, nil, "a*", true},
		{"literal star folded not wildcard", "A${*}", all, nil, "ab", false},
		{"non-letter not folded", "a-b", 0, nil, "a_b", false},
		{"latin-1 same length", "ÉTÉ", 0, nil, "été", true},
		{"latin-1 with wildcard", "ÉT*", wild, nil, "été", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := pattern.Compile(tc.pattern, tc.syntax)
			if err != nil {
				t.Fatal(err)
			}
			var r pattern.Resolver
			if tc.vars != nil {
				r = tc.vars
			}
			if got := p.MatchFold(tc.value, r); got != tc.want {
				t.Errorf("MatchFold(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
			}
			// Match stays case-sensitive.
			if tc.want && tc.value != tc.pattern && !p.HasVariables() && p.IsLiteral() {
				if p.Match(tc.value, r) {
					t.Errorf("Match(%q, %q) = true, want case-sensitive false", tc.pattern, tc.value)
				}
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, s := range []string{
		"${}",
		"${ }",
		"a${aws:username, guest}",     // default not in quotes
		"a${aws:username, 'guest}",    // unbalanced quote
		"a${aws:username, guest'}",    // unbalanced quote
		"a${, 'x'}",                   // no key
		"${aws:user name}",            // space inside the key
		"${aws:${aws:username}}",      // nested variable
		"${aws:username, 'x'} ${a b}", // second variable bad
	} {
		t.Run(s, func(t *testing.T) {
			_, err := pattern.Compile(s, all)
			if err == nil {
				t.Fatalf("Compile(%q) succeeded, want an error", s)
			}
			if !errors.Is(err, pattern.ErrBadVariable) {
				t.Errorf("Compile(%q) error %v does not wrap ErrBadVariable", s, err)
			}
			// Without Variables the same text is a valid (literal) pattern.
			p, err := pattern.Compile(s, wild)
			if err != nil {
				t.Fatalf("Compile(%q, Wildcards): %v", s, err)
			}
			if !p.Match(s, nil) {
				t.Errorf("Compile(%q, Wildcards) does not match itself", s)
			}
		})
	}
}

func TestUnclosedVariableIsLiteral(t *testing.T) {
	for _, s := range []string{"${aws:username", "home/${", "a${b", "$"} {
		t.Run(s, func(t *testing.T) {
			p, err := pattern.Compile(s, all)
			if err != nil {
				t.Fatalf("Compile(%q): %v", s, err)
			}
			if p.HasVariables() {
				t.Errorf("HasVariables() = true for %q", s)
			}
			if !p.Match(s, vars{"aws:username": "alice"}) {
				t.Errorf("%q does not match itself", s)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	cases := []struct {
		src      string
		syntax   pattern.Syntax
		literal  bool
		hasVars  bool
		varsList []string
		source   string
	}{
		{"abc", all, true, false, nil, "abc"},
		{"a*c", all, false, false, nil, "a*c"},
		{"a?c", all, false, false, nil, "a?c"},
		{"a*c", 0, true, false, nil, "a*c"},
		{"a${*}c", all, true, false, nil, "a*c"},
		{"${?}${$}", all, true, false, nil, "?$"},
		{"${AWS:UserName}/${aws:PrincipalTag/Team, 'x'}", all, false, true, []string{"aws:username", "aws:principaltag/team"}, "${AWS:UserName}/${aws:PrincipalTag/Team, 'x'}"},
		{"${aws:username}", wild, true, false, nil, "${aws:username}"},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			p, err := pattern.Compile(tc.src, tc.syntax)
			if err != nil {
				t.Fatal(err)
			}
			if p.IsLiteral() != tc.literal {
				t.Errorf("IsLiteral() = %v, want %v", p.IsLiteral(), tc.literal)
			}
			if p.HasVariables() != tc.hasVars {
				t.Errorf("HasVariables() = %v, want %v", p.HasVariables(), tc.hasVars)
			}
			if got := p.Variables(); !slices.Equal(got, tc.varsList) {
				t.Errorf("Variables() = %q, want %q", got, tc.varsList)
			}
			if p.Source() != tc.source {
				t.Errorf("Source() = %q, want %q", p.Source(), tc.source)
			}
			if tc.literal && !p.Match(tc.source, nil) {
				t.Errorf("literal pattern does not match its Source %q", tc.source)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	cases := []struct {
		src  string
		vars vars
		want string
		ok   bool
	}{
		{"home/${aws:username}/*", vars{"aws:username": "alice"}, "home/alice/*", true},
		{"home/${aws:username}/?", vars{}, "", false},
		{"home/${aws:username, 'guest'}/*", vars{}, "home/guest/*", true},
		{"plain", nil, "plain", true},
		{"a${*}b", nil, "a*b", true},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			p, err := pattern.Compile(tc.src, all)
			if err != nil {
				t.Fatal(err)
			}
			var r pattern.Resolver
			if tc.vars != nil {
				r = tc.vars
			}
			got, ok := p.Resolve(r)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Resolve = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	p, err := pattern.Compile("home/${aws:username}/*/team-?/*", all)
	if err != nil {
		t.Fatal(err)
	}
	var r pattern.Resolver = vars{"aws:username": "alice"}
	allocs := testing.AllocsPerRun(1000, func() {
		if !p.Match("home/alice/projects/team-a/x/y", r) {
			t.Fatal("no match")
		}
		if p.MatchFold("HOME/ALICE/x/TEAM-b/y", r) != true {
			t.Fatal("no fold match")
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocates %v times per run, want 0", allocs)
	}
}
