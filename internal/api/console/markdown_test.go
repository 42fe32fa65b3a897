package console

import (
	"regexp"
	"strings"
	"testing"
)

// xssCases are Markdown inputs that try to run script or load something;
// every one must render inert.
var xssCases = map[string]string{
	"script tag":             "<script>alert(1)</script>",
	"script in paragraph":    "hello <script>alert(1)</script> world",
	"img onerror":            `<img src=x onerror="alert(1)">`,
	"md image onerror":       `![x](x" onerror="alert(1))`,
	"javascript link":        "[x](javascript:alert(1))",
	"javascript link case":   "[x](JaVaScRiPt:alert(1))",
	"javascript entity link": "[x](&#106;avascript:alert(1))",
	"javascript tab link":    "[x](java\tscript:alert(1))",
	"javascript autolink":    "<javascript:alert(1)>",
	"raw anchor":             `<a href="javascript:alert(1)">x</a>`,
	"raw anchor entities":    `<a href="&#x6A;avascript&#x3A;alert(1)">x</a>`,
	"reference link":         "[x][1]\n\n[1]: javascript:alert(1)",
	"data link":              "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"data image":             "![x](data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+)",
	"iframe":                 `<iframe src="https://evil.example/"></iframe>`,
	"style attribute":        `<p style="background:url(javascript:alert(1))">x</p>`,
	"style tag":              "<style>body{display:none}</style>",
	"html block handler":     "<div onclick=\"alert(1)\" onmouseover=\"alert(1)\">\n\n*x*\n\n</div>",
	"svg onload":             `<svg onload="alert(1)"></svg>`,
	"object":                 `<object data="javascript:alert(1)"></object>`,
	"form":                   `<form action="javascript:alert(1)"><button>x</button></form>`,
	"meta refresh":           `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	"encoded script":         "&lt;script&gt;alert(1)&lt;/script&gt;",
	"nested in table":        "| a |\n| - |\n| <img src=x onerror=alert(1)> |",
	"inline code is text":    "`<script>alert(1)</script>`",
	"link title breakout":    `[x](https://ok.example "a\" onmouseover=\"alert(1)")`,
	"vbscript":               "[x](vbscript:msgbox(1))",
}

func TestMarkdownInert(t *testing.T) {
	for name, md := range xssCases {
		t.Run(name, func(t *testing.T) {
			out := string(renderMarkdown(md))
			if msg := unsafeHTML(out); msg != "" {
				t.Errorf("%q renders %q: %s", md, out, msg)
			}
		})
	}
}

var (
	tagRE      = regexp.MustCompile(`<[^>]*>`)
	handlerRE  = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	badElemRE  = regexp.MustCompile(`(?i)<\s*/?\s*(script|iframe|style|object|embed|form|meta|svg|math|link|base|input|button)\b`)
	urlAttrRE  = regexp.MustCompile(`(?i)\s(href|src|action|data|formaction|xlink:href)\s*=\s*"([^"]*)"`)
	goodURLRE  = regexp.MustCompile(`^(https?://|mailto:)`)
	styleAttRE = regexp.MustCompile(`(?i)\sstyle\s*=`)
)

// unsafeHTML says what in html could run script or load something, or "".
// Text may mention "javascript:" or "onerror" (escaped, it is inert); tags
// may not: no dangerous element, no on* handler, no style attribute, and
// URLs only http, https or mailto.
func unsafeHTML(html string) string {
	if strings.Contains(strings.ToLower(html), "<script") {
		return "a <script"
	}
	if m := badElemRE.FindString(html); m != "" {
		return "element " + m
	}
	for _, tag := range tagRE.FindAllString(html, -1) {
		low := strings.ToLower(tag)
		if handlerRE.MatchString(tag) {
			return "an event handler in " + tag
		}
		if styleAttRE.MatchString(tag) {
			return "a style attribute in " + tag
		}
		if strings.Contains(low, "javascript:") || strings.Contains(low, "vbscript:") || strings.Contains(low, "data:") {
			return "a script or data URL in " + tag
		}
		for _, m := range urlAttrRE.FindAllStringSubmatch(tag, -1) {
			if !goodURLRE.MatchString(m[2]) {
				return "URL " + m[2] + " in " + tag
			}
		}
	}
	return ""
}

func TestMarkdownRenders(t *testing.T) {
	md := "# Title\n\n## Sub\n\n##### Fifth\n\n- one\n- two\n\n1. first\n\n`code` and\n\n```sh\ndocker pull x\n```\n\n" +
		"[link](https://example.com/a) and [mail](mailto:a@example.com) and https://auto.example/x\n\n" +
		"| a | b |\n| - | - |\n| 1 | 2 |\n\n~~gone~~ **bold** _em_\n\n> quote\n"
	out := string(renderMarkdown(md))
	for _, want := range []string{
		// Headings sit two levels down, under the page's h1 and h2.
		"<h3>Title</h3>", "<h4>Sub</h4>", "<h6>Fifth</h6>", "<li>one</li>", "<ol>", "<code>code</code>",
		"<pre><code", "docker pull x", "<table>", "<th>a</th>", "<td>1</td>", "<del>gone</del>",
		"<strong>bold</strong>", "<em>em</em>", "<blockquote>",
		`href="https://example.com/a"`, `href="mailto:a@example.com"`, `href="https://auto.example/x"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered Markdown lacks %q:\n%s", want, out)
		}
	}
	// Every link is nofollow and noreferrer (which implies noopener); web
	// links open in a new tab with noopener spelled out too.
	if n, m := strings.Count(out, "<a "), strings.Count(out, `rel="nofollow noreferrer`); n != 3 || m != n {
		t.Errorf("%d links, %d with rel=nofollow noreferrer:\n%s", n, m, out)
	}
	if n := strings.Count(out, `rel="nofollow noreferrer noopener" target="_blank"`); n != 2 {
		t.Errorf("%d web links with noopener and target=_blank, want 2:\n%s", n, out)
	}
	// Relative links are dropped (their text stays).
	if out := string(renderMarkdown("[x](/console/iam/users)")); strings.Contains(out, "href") || !strings.Contains(out, "x") {
		t.Errorf("relative link: %s", out)
	}
	if renderMarkdown("") != "" {
		t.Error("empty Markdown renders something")
	}
}

// The detector itself catches what it is meant to.
func TestUnsafeHTMLDetector(t *testing.T) {
	for _, bad := range []string{
		`<a href="javascript:alert(1)">x</a>`, `<img src="x" onerror="alert(1)">`, `<p style="color:red">x</p>`,
		`<a href="/relative">x</a>`, `<iframe src="https://x"></iframe>`, `<SCRIPT>x</SCRIPT>`, `<img src="data:image/png;base64,AA">`,
	} {
		if unsafeHTML(bad) == "" {
			t.Errorf("unsafeHTML(%q) = \"\", want a complaint", bad)
		}
	}
	if msg := unsafeHTML(`<p>javascript:alert(1) onerror=x</p><a href="https://ok.example/">ok</a>`); msg != "" {
		t.Errorf("escaped text flagged: %s", msg)
	}
}

// FuzzMarkdown: whatever a publisher writes, the rendered catalog text has
// no element, attribute or URL that could run script or load from elsewhere,
// and rendering never panics.
func FuzzMarkdown(f *testing.F) {
	for _, md := range xssCases {
		f.Add(md)
	}
	f.Add("# Title\n\n- a\n- b\n\n```\ncode\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[ok](https://example.com)")
	f.Fuzz(func(t *testing.T, md string) {
		out := string(renderMarkdown(md))
		if msg := unsafeHTML(out); msg != "" {
			t.Fatalf("renderMarkdown(%q) = %q: %s", md, out, msg)
		}
	})
}
