package console

// editor is the data of the "policy-editor" partial.
type editor struct {
	ID       string // the textarea's id
	Name     string // the form field
	Kind     string // identity, resource or trust
	Label    string
	Document string
	Findings []finding
}

// newEditor makes an editor and validates its document server-side, so
// that findings show without JavaScript too.
func (h *Handler) newEditor(id, name, kind, label, doc string) editor {
	e := editor{ID: id, Name: name, Kind: kind, Label: label, Document: doc}
	if doc != "" {
		e.Findings = h.validatePolicy(doc, policyKinds[kind])
	}
	return e
}
