package pattern

import "strings"

// ARN is a compiled ARN pattern. IAM matches ARNs segment by segment
// (partition, service, region, account, resource), case-sensitively; `*` and `?`
// never cross the colon between two of the first five segments, and `*` in the
// resource segment spans `/` and `:`. A pattern of fewer than six segments whose
// last segment ends in `*` matches the rest of the ARN. The single pattern `*`
// matches everything, including a request for resource `*`.
type ARN struct {
	src  string
	any  bool
	segs []String // 1 to 6 segments
}

// CompileARN compiles an ARN pattern (a Resource element value or an Arn*
// condition value).
func CompileARN(s string, syn Syntax) (ARN, error) {
	if s == "*" && syn&Wildcards != 0 {
		return ARN{src: s, any: true}, nil
	}
	toks, err := tokenize(s, syn)
	if err != nil {
		return ARN{}, err
	}
	p := ARN{src: s}
	// Split on the first five colons that stand in literal text: a colon inside a
	// variable such as ${aws:username} is not a separator.
	var cur []token
	var curSrc strings.Builder
	flush := func() {
		p.segs = append(p.segs, fromTokens(curSrc.String(), cur))
		cur, curSrc = nil, strings.Builder{}
	}
	for _, t := range toks {
		if t.kind != literal || len(p.segs) >= 5 {
			cur = append(cur, t)
			curSrc.WriteString(tokenSource(t))
			continue
		}
		text := t.text
		for len(p.segs) < 5 {
			i := strings.IndexByte(text, ':')
			if i < 0 {
				break
			}
			if i > 0 {
				cur = append(cur, token{kind: literal, text: text[:i]})
				curSrc.WriteString(text[:i])
			}
			flush()
			text = text[i+1:]
		}
		if text != "" {
			cur = append(cur, token{kind: literal, text: text})
			curSrc.WriteString(text)
		}
	}
	flush()
	return p, nil
}

func tokenSource(t token) string {
	switch t.kind {
	case star:
		return "*"
	case question:
		return "?"
	case variable:
		if t.hasD {
			return "${" + t.text + ", '" + t.def + "'}"
		}
		return "${" + t.text + "}"
	}
	return t.text
}

// Source returns the pattern as written.
func (p ARN) Source() string { return p.src }

// IsAny reports whether the pattern is `*`.
func (p ARN) IsAny() bool { return p.any }

// Segments returns the compiled segments (up to six).
func (p ARN) Segments() []String { return p.segs }

// HasVariables reports whether any segment holds a policy variable.
func (p ARN) HasVariables() bool {
	for _, s := range p.segs {
		if s.vars {
			return true
		}
	}
	return false
}

// Match reports whether the ARN v matches the pattern.
func (p *ARN) Match(v string, r Resolver) bool {
	if p.any {
		return true
	}
	if len(p.segs) == 6 {
		if segs, ok := Split(v); ok {
			return p.MatchSplit(&segs, r)
		}
	}
	n := len(p.segs)
	// Walk v's segments without allocating.
	rest := v
	for i := 0; i < n; i++ {
		seg := &p.segs[i]
		last := i == n-1
		if last {
			if n == 6 {
				return seg.Match(rest, r)
			}
			// A short pattern: its last segment must end in * to reach beyond,
			// or take its colons from policy variables, which are substituted
			// before matching (ArnEquals {"aws:SourceArn": "${aws:PrincipalArn}"}).
			if endsWithStar(seg) {
				return seg.Match(rest, r)
			}
			return strings.Count(rest, ":") == variableColons(seg, r) && seg.Match(rest, r)
		}
		c := strings.IndexByte(rest, ':')
		if c < 0 {
			return false
		}
		if !seg.Match(rest[:c], r) {
			return false
		}
		rest = rest[c+1:]
	}
	return false
}

// MatchSplit is Match for an ARN already divided by Split, so that a caller
// matching one ARN against many patterns splits it once.
func (p *ARN) MatchSplit(v *[6]string, r Resolver) bool {
	if p.any {
		return true
	}
	if len(p.segs) != 6 {
		return p.Match(strings.Join(v[:], ":"), r)
	}
	// The account and resource segments differ most often: test them first.
	for _, i := range [...]int{5, 4, 2, 3, 1, 0} {
		if !p.segs[i].Match(v[i], r) {
			return false
		}
	}
	return true
}

// variableColons counts the colons that the values of s's variables put into
// it. (The literal text of a short pattern's last segment has none.)
func variableColons(s *String, r Resolver) int {
	n := 0
	for i := range s.tokens {
		if t := &s.tokens[i]; t.kind == variable {
			if v, ok := resolve(*t, r); ok {
				n += strings.Count(v, ":")
			}
		}
	}
	return n
}

func endsWithStar(s *String) bool {
	return len(s.tokens) > 0 && s.tokens[len(s.tokens)-1].kind == star
}

// Split divides an ARN into its six segments without allocating; ok is false
// when s has fewer than five colons. The resource segment keeps later colons.
func Split(s string) (segs [6]string, ok bool) {
	for i := 0; i < 5; i++ {
		c := strings.IndexByte(s, ':')
		if c < 0 {
			return segs, false
		}
		segs[i] = s[:c]
		s = s[c+1:]
	}
	segs[5] = s
	return segs, true
}
