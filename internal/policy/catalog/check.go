package catalog

import (
	"fmt"
	"strings"
)

// numSegments is the number of colon-separated segments of an ARN.
const numSegments = 6

// serviceSegment is the index of the service segment.
const serviceSegment = 2

// segmentName names segment i (0 to 5) of an ARN.
func segmentName(i int) string {
	return [numSegments]string{"prefix", "partition", "service", "region", "account", "resource"}[i]
}

// splitARN splits s at colons into at most six segments; the last segment
// keeps any further colons. Colons inside ${…} (a policy variable such as
// ${aws:username}, or a SAR placeholder) do not split.
func splitARN(s string) []string {
	var out []string
	start, inVar := 0, false
	for i := 0; i < len(s) && len(out) < numSegments-1; i++ {
		switch {
		case inVar:
			if s[i] == '}' {
				inVar = false
			}
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			if strings.IndexByte(s[i:], '}') > 0 {
				inVar = true
				i++
			}
		case s[i] == ':':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Check reports whether a Resource element value from a policy (which may
// contain * and ? wildcards and ${…} policy variables) can match an ARN of
// this resource type. It returns nil when it can; otherwise a *Mismatch
// naming the first ARN segment that can never match.
//
// Both the ARN format and the value are split into the six segments
// arn:partition:service:region:account:resource and compared segment by
// segment. A format placeholder such as ${Account} stands for one or more
// arbitrary characters; an empty format segment (ecr-public ARNs have no
// region) admits only an empty value or one made of * wildcards. In the
// value, * and ? are wildcards and a policy variable stands for any text.
// A value with fewer than six segments whose last segment ends in * may
// match the rest of the ARN. IAM allows no wildcards in the service segment,
// so it must be * or the literal service. The check is permissive: letter
// case is ignored and a value is accepted whenever some ARN could match it.
func (rt *ResourceType) Check(resource string) *Mismatch {
	if strings.Trim(resource, "*") == "" && resource != "" {
		return nil
	}
	format := rt.format
	if format == nil {
		format = splitARN(rt.ARNFormat)
	}
	value := splitARN(resource)
	n := min(len(value), len(format))
	for i := 0; i < n; i++ {
		v := value[i]
		// A short value whose last segment ends in a wildcard may cover the
		// remaining segments, colons included.
		if i == len(value)-1 && len(value) < len(format) && strings.HasSuffix(v, "*") && (i != serviceSegment || v == "*") {
			if segmentMatches(v, strings.Join(format[i:], ":"), i) {
				return nil
			}
		}
		if !segmentMatches(v, format[i], i) {
			return rt.mismatch(i, format[i], v, false)
		}
	}
	if len(value) < len(format) {
		i := len(value)
		return rt.mismatch(i, format[i], resource, true)
	}
	return nil
}

// segmentMatches reports whether value segment v can match format segment f
// at position i.
func segmentMatches(v, f string, i int) bool {
	v, f = strings.ToLower(v), strings.ToLower(f)
	if i == serviceSegment {
		// No wildcards or variables in the service segment: "*" alone, or
		// the literal text.
		return v == "*" || intersects(compile(v, modeLiteral), compile(f, modeFormat))
	}
	return intersects(compile(v, modePolicy), compile(f, modeFormat))
}

func (rt *ResourceType) mismatch(i int, want, got string, missing bool) *Mismatch {
	return &Mismatch{
		Segment: segmentName(i),
		Want:    want,
		Got:     got,
		what:    rt.Service + " " + rt.Name,
		format:  rt.ARNFormat,
		missing: missing,
	}
}

// Mismatch explains why a Resource value can never match a resource type.
type Mismatch struct {
	// Segment is the first ARN segment that can never match: "prefix",
	// "partition", "service", "region", "account" or "resource".
	Segment string
	// Want is that segment of the resource type's ARN format, e.g.
	// "ecr-public" or "repository/${RepositoryName}"; it is empty when the
	// format's segment is empty (ecr-public ARNs have no region).
	Want string
	// Got is that segment of the Resource value, or the whole value when
	// the value ends before reaching the segment.
	Got string

	what    string // e.g. "ecr-public repository"
	format  string // the full ARN format
	missing bool   // the value has too few segments to reach Segment
}

// Error describes the mismatch in a sentence for a person.
func (m *Mismatch) Error() string {
	what := m.what
	if what == "" {
		what = "these"
	}
	switch {
	case m.missing:
		msg := fmt.Sprintf("resource %q ends before the %s segment", m.Got, m.Segment)
		if m.format != "" {
			msg += fmt.Sprintf("; %s ARNs have the form %s", what, m.format)
		}
		return msg
	case m.Want == "":
		return fmt.Sprintf("%s %q given, but %s ARNs have no %s", m.Segment, m.Got, what, m.Segment)
	case m.Segment == "resource":
		return fmt.Sprintf("resource %q does not have the form %s", m.Got, m.Want)
	case m.Got == "":
		return fmt.Sprintf("%s is empty, but %s ARNs need %s there", m.Segment, what, m.Want)
	case strings.Contains(m.Want, "${"):
		return fmt.Sprintf("%s %q can never match %s", m.Segment, m.Got, m.Want)
	default:
		return fmt.Sprintf("%s %q can never be %q", m.Segment, m.Got, m.Want)
	}
}
