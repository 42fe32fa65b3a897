// Package pattern matches the strings IAM policies are made of: action names,
// resource ARNs and the values of String and ARN conditions. It understands the
// `*` and `?` wildcards and, for policies of Version 2012-10-17, the `${…}`
// policy variables (with `${*}`, `${?}`, `${$}` and `${key, 'default'}`).
//
// Patterns are compiled once, when a policy is parsed, into a token list; matching
// walks the tokens without regular expressions and without allocating, so it is
// fit for the per-request hot path. The package does no I/O and keeps no state.
package pattern

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Resolver supplies the values of policy variables. Keys are given in lower case;
// a variable resolves only to a key with exactly one value.
type Resolver interface {
	Variable(key string) (string, bool)
}

// Syntax selects what a pattern's special characters mean.
type Syntax uint8

const (
	// Wildcards makes `*` match any run of characters and `?` any one character.
	Wildcards Syntax = 1 << iota
	// Variables makes `${key}` a policy variable (Version 2012-10-17 only).
	Variables
)

type tokenKind uint8

const (
	literal tokenKind = iota
	star
	question
	variable
)

type token struct {
	kind tokenKind
	text string // literal text; for a variable, the lower-cased key
	def  string // a variable's default value
	hasD bool
}

// String is a compiled pattern for one string.
type String struct {
	src    string
	tokens []token
	exact  bool // no wildcard and no variable: compare src directly
	vars   bool
	// Fast paths for the commonest shapes: "*" and "prefix*".
	any    bool
	prefix string
	isPref bool
}

// ErrBadVariable reports a `${` that does not form a policy variable.
var ErrBadVariable = errors.New("malformed policy variable")

// Compile compiles s under the given syntax.
func Compile(s string, syn Syntax) (String, error) {
	toks, err := tokenize(s, syn)
	if err != nil {
		return String{}, err
	}
	return fromTokens(s, toks), nil
}

func fromTokens(src string, toks []token) String {
	p := String{src: src, tokens: toks, exact: true}
	for _, t := range toks {
		switch t.kind {
		case variable:
			p.vars = true
			p.exact = false
		case star, question:
			p.exact = false
		}
	}
	switch {
	case len(toks) == 1 && toks[0].kind == star:
		p.any = true
	case len(toks) == 2 && toks[0].kind == literal && toks[1].kind == star:
		p.isPref, p.prefix = true, toks[0].text
	}
	if p.exact {
		// Literal tokens only: the text to compare is their concatenation, which
		// differs from src when it held ${*}, ${?} or ${$}.
		var b strings.Builder
		for _, t := range toks {
			b.WriteString(t.text)
		}
		p.src = b.String()
		p.tokens = nil
	}
	return p
}

// Source is the text the pattern was compiled from, as written in the policy
// (or, for a literal pattern, the text it compares against).
func (p String) Source() string { return p.src }

// HasVariables reports whether the pattern contains policy variables.
func (p String) HasVariables() bool { return p.vars }

// IsLiteral reports whether the pattern matches exactly one string.
func (p String) IsLiteral() bool { return p.exact }

// Variables returns the lower-cased keys of the pattern's variables.
func (p String) Variables() []string {
	var keys []string
	for _, t := range p.tokens {
		if t.kind == variable {
			keys = append(keys, t.text)
		}
	}
	return keys
}

// Match reports whether v matches the pattern, resolving variables through r.
// A variable without a value (and without a default) makes the pattern match
// nothing, as AWS documents.
func (p *String) Match(v string, r Resolver) bool {
	switch {
	case p.exact:
		return v == p.src
	case p.any:
		return true
	case p.isPref:
		return strings.HasPrefix(v, p.prefix)
	}
	return matchTokens(p.tokens, v, r, false)
}

// MatchFold is Match with ASCII case folding of literal text and variable values.
func (p String) MatchFold(v string, r Resolver) bool {
	if p.exact {
		return strings.EqualFold(v, p.src)
	}
	return matchTokens(p.tokens, v, r, true)
}

// Resolve returns the pattern with its variables replaced by their values; ok is
// false when a variable has no value. Wildcards are kept as written. It is meant
// for explanations, not for matching.
func (p String) Resolve(r Resolver) (string, bool) {
	if p.exact {
		return p.src, true
	}
	var b strings.Builder
	for _, t := range p.tokens {
		switch t.kind {
		case literal:
			b.WriteString(t.text)
		case star:
			b.WriteByte('*')
		case question:
			b.WriteByte('?')
		case variable:
			v, ok := resolve(t, r)
			if !ok {
				return "", false
			}
			b.WriteString(v)
		}
	}
	return b.String(), true
}

func resolve(t token, r Resolver) (string, bool) {
	if r != nil {
		if v, ok := r.Variable(t.text); ok {
			return v, true
		}
	}
	if t.hasD {
		return t.def, true
	}
	return "", false
}

// matchTokens is the classic single-backtrack glob match, generalised to
// multi-character literal tokens (variables match as literals).
func matchTokens(toks []token, v string, r Resolver, fold bool) bool {
	ti, vi := 0, 0
	starTi, starVi := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case star:
				starTi, starVi = ti, vi
				ti++
				continue
			case question:
				if vi < len(v) {
					_, size := utf8.DecodeRuneInString(v[vi:])
					vi += size
					ti++
					continue
				}
			case literal:
				if hasPrefix(v[vi:], t.text, fold) {
					vi += len(t.text)
					ti++
					continue
				}
			case variable:
				text, ok := resolve(*t, r)
				if !ok {
					return false
				}
				if hasPrefix(v[vi:], text, fold) {
					vi += len(text)
					ti++
					continue
				}
			}
		} else if vi == len(v) {
			return true
		}
		if starTi < 0 || starVi >= len(v) {
			return false
		}
		_, size := utf8.DecodeRuneInString(v[starVi:])
		starVi += size
		ti, vi = starTi+1, starVi
	}
}

func hasPrefix(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if fold {
		return strings.EqualFold(s[:len(prefix)], prefix)
	}
	return s[:len(prefix)] == prefix
}

// tokenize splits s into tokens. Under Variables, `${` starts a variable that runs
// to the next `}`; one that does not close is literal text, as IAM treats it.
func tokenize(s string, syn Syntax) ([]token, error) {
	var toks []token
	lit := func(text string) {
		if text == "" {
			return
		}
		if n := len(toks); n > 0 && toks[n-1].kind == literal {
			toks[n-1].text += text
			return
		}
		toks = append(toks, token{kind: literal, text: text})
	}
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case syn&Wildcards != 0 && (c == '*' || c == '?'):
			lit(s[start:i])
			kind := star
			if c == '?' {
				kind = question
			}
			// Consecutive stars mean the same as one.
			if !(kind == star && len(toks) > 0 && toks[len(toks)-1].kind == star) {
				toks = append(toks, token{kind: kind})
			}
			i++
			start = i
		case syn&Variables != 0 && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				i++ // an unclosed "${" is literal text; wildcards after it still count
				continue
			}
			lit(s[start:i])
			body := s[i+2 : i+end]
			t, err := parseVariable(body)
			if err != nil {
				return nil, err
			}
			if t.kind == literal {
				lit(t.text)
			} else {
				toks = append(toks, t)
			}
			i += end + 1
			start = i
		default:
			i++
		}
	}
	lit(s[start:])
	return toks, nil
}

func parseVariable(body string) (token, error) {
	switch body {
	case "*", "?", "$":
		return token{kind: literal, text: body}, nil
	}
	key, def, hasDef := body, "", false
	if comma := strings.IndexByte(body, ','); comma >= 0 {
		key = body[:comma]
		rest := strings.TrimSpace(body[comma+1:])
		if len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' {
			return token{}, errors.Join(ErrBadVariable, errors.New("a default value must be in single quotes: ${key, 'default'}"))
		}
		def, hasDef = rest[1:len(rest)-1], true
	}
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t${") {
		return token{}, ErrBadVariable
	}
	return token{kind: variable, text: strings.ToLower(key), def: def, hasD: hasDef}, nil
}
