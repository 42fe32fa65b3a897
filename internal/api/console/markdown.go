package console

import (
	"bytes"
	"html/template"
	"net/url"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Repository catalog data carries Markdown (aboutText, usageText) that any
// repository owner writes and any anonymous gallery visitor reads, so it is
// rendered in two guarded steps:
//
//  1. goldmark renders CommonMark with GitHub's tables, strikethrough and
//     autolinks. Raw HTML is NOT passed through (no html.WithUnsafe): it
//     becomes an "omitted" comment, and goldmark blanks dangerous link
//     destinations (javascript:, vbscript:, most data:).
//  2. bluemonday's UGC policy then sanitizes the result anyway: only
//     harmless elements and attributes, no style or on* attributes, URLs
//     only with http, https or mailto (no relative, javascript: or data:
//     URLs), and every link gets rel="nofollow noreferrer noopener" and
//     opens in a new tab.
//
// The page's Content-Security-Policy (no inline script, images only from
// this site) is a third line behind these two.

var markdownRenderer = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(headingShift{}, 100))))

// headingShift moves the Markdown's headings two levels down (# becomes
// h3): the text is shown under the page's h1 and a section's h2, and a
// page has one h1 for screen readers to find.
type headingShift struct{}

func (headingShift) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level+2, 6)
		}
		return ast.WalkContinue, nil
	})
}

var markdownPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowRelativeURLs(false)
	// "https:" or "https:/x" without a host is resolved against this site
	// by browsers: a relative URL in disguise. Web URLs must name a host.
	hasHost := func(u *url.URL) bool { return u.Host != "" }
	p.AllowURLSchemeWithCustomPolicy("http", hasHost)
	p.AllowURLSchemeWithCustomPolicy("https", hasHost)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true) // also adds rel="noopener"
	return p
}()

// renderMarkdown renders catalog Markdown to safe HTML (see above). Text
// that fails to render is shown as escaped text.
func renderMarkdown(md string) template.HTML {
	if md == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := markdownRenderer.Convert([]byte(md), &buf); err != nil {
		return template.HTML("<pre>" + template.HTMLEscapeString(md) + "</pre>")
	}
	return template.HTML(markdownPolicy.SanitizeBytes(buf.Bytes())) // #nosec G203 -- sanitized by bluemonday above
}
