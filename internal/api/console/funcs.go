package console

import (
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"
)

// funcs are the template functions every page may use.
var funcs = template.FuncMap{
	// date renders a time as the AWS console does, in UTC; zero is "-".
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	// ago renders how long ago t was ("3 minutes ago"); zero is "Never".
	"ago": func(t time.Time) string {
		if t.IsZero() {
			return "Never"
		}
		return ago(time.Since(t))
	},
	// bytes renders a size in MB as the ECR console does.
	"bytes": humanBytes,
	// path escapes one path segment (a user name, a repository name).
	"path": url.PathEscape,
	// query escapes a query value (a policy ARN). It returns a template.URL
	// so that html/template, which escapes '%' in a query, does not escape
	// the escapes again.
	"query":    func(s string) template.URL { return template.URL(url.QueryEscape(s)) },
	"short":    shortDigest,
	"add":      func(a, b int) int { return a + b },
	"contains": slices.Contains[[]string],
	// dict builds a map from key/value pairs, to hand a partial template
	// several values.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	}
	return plural(int(d/(24*time.Hour)), "day") + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func humanBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.2f KB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.2f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// shortDigest is "sha256:" and the first 12 hex digits.
func shortDigest(d string) string {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) <= 12 {
		return d
	}
	return alg + ":" + hex[:12]
}

// nonEmpty trims values and drops blanks and repeats, keeping the order
// (form fields that may be sent several times).
func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
