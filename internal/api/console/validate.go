package console

import (
	"io"
	"net/http"

	"github.com/wharf-project/wharf/internal/policy"
)

// finding is a policy validation finding as the console shows it: Access
// Analyzer's type and issue code, its text, and where it points (1-based
// line and column, as editors count).
type finding struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path"`
	// Offset and EndOffset delimit the text the finding covers, in bytes.
	Offset    int    `json:"offset"`
	EndOffset int    `json:"endOffset"`
	Link      string `json:"link"`
}

// policyKinds are the document kinds the editors validate.
var policyKinds = map[string]policy.Kind{
	"identity": policy.IdentityPolicy,
	"resource": policy.ResourcePolicy,
	"trust":    policy.TrustPolicy,
}

// validatePolicy runs the engine's Access Analyzer-style checks.
func (h *Handler) validatePolicy(doc string, kind policy.Kind) []finding {
	fs := policy.Validate([]byte(doc), kind, h.Catalog)
	out := make([]finding, 0, len(fs))
	for _, f := range fs {
		v := finding{Type: string(f.Type), Code: f.IssueCode, Message: f.Details, Link: f.LearnMoreLink, Line: 1, Column: 1}
		if len(f.Locations) > 0 {
			l := f.Locations[0]
			v.Path = l.PathString()
			if l.Span.Start.Line > 0 {
				v.Line, v.Column = l.Span.Start.Line, l.Span.Start.Column+1
			}
			v.Offset, v.EndOffset = l.Span.Start.Offset, l.Span.End.Offset
		}
		out = append(out, v)
	}
	return out
}

// hasErrors reports whether any finding is an ERROR (the AWS console
// refuses to save a policy with one).
func hasErrors(fs []finding) bool {
	for _, f := range fs {
		if f.Type == string(policy.FindingError) {
			return true
		}
	}
	return false
}

// validateAPI answers the editors' script: POST a document (body) with
// ?kind=identity|resource|trust, get {"findings": [...]}. It is pure
// computation over the request body: it reads no account data, so it needs
// no authorization beyond a signed-in session (and its CSRF header).
func (h *Handler) validateAPI(q *request) {
	kind, ok := policyKinds[q.r.URL.Query().Get("kind")]
	if !ok {
		writeJSON(q.w, http.StatusBadRequest, map[string]string{"error": "kind must be identity, resource or trust"})
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(q.w, q.r.Body, 1<<20))
	if err != nil {
		writeJSON(q.w, http.StatusRequestEntityTooLarge, map[string]string{"error": "the document is larger than 1 MiB"})
		return
	}
	writeJSON(q.w, http.StatusOK, map[string]any{"findings": h.validatePolicy(string(b), kind)})
}
