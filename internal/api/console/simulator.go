package console

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// The policy simulator: IAM's SimulatePrincipalPolicy (a stored user, group
// or role, plus any pasted policies) or SimulateCustomPolicy (pasted
// policies only), authorized by the service as iam:SimulatePrincipalPolicy
// or iam:SimulateCustomPolicy, with every result explained: the statements
// that decided, highlighted in their documents, the missing context keys
// and the engine's reasons.
//
//	GET  /console/simulator   the form
//	POST /console/simulator   run it, show the results under the form
func (h *Handler) simulatorRoutes() []route {
	return []route{
		{"GET /console/simulator", h.simulatorPage},
		{"POST /console/simulator", h.simulatorRun},
	}
}

// simContextRows is how many context entry rows the form has.
const simContextRows = 3

// simContextTypes are SimulatePrincipalPolicy's ContextKeyType values.
var simContextTypes = []string{"string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"}

// simData is the simulator page: the form as filled in, and the results.
type simData struct {
	Principal      string // "user:NAME", "group:NAME", "role:NAME" or ""
	Policies       string // pasted policies, separated by lines of "---"
	Actions        string
	Picked         []string // actions chosen from the list
	Resources      string
	ResourcePolicy string
	ResourceOwner  string
	CallerARN      string
	Context        []simContextRow

	Principals    []simOption
	PrincipalErrs []*pageError
	ActionChoices []string
	ContextTypes  []string

	Ran     bool
	Mode    string // "principal" or "custom", once run
	Results []simResult
}

type simContextRow struct {
	Key, Type, Values string
}

// simOption is one principal of the select.
type simOption struct {
	Value string // user:NAME
	Label string
	Group string // Users, Groups, Roles
	ARN   string
}

// simResult is one action × resource.
type simResult struct {
	policy.EvaluationResult
	Docs []simDoc
}

// simDoc is a policy document with the lines of the matched statements
// highlighted.
type simDoc struct {
	ID    string
	Type  string
	Lines []simLine
	Err   *pageError
}

// simLine is one numbered line; Mark is the part of it inside a matched
// statement (Pre and Post the rest), HL whether there is any.
type simLine struct {
	N               int
	Pre, Mark, Post string
	HL              bool
}

func (h *Handler) simulatorPage(q *request) {
	d := simData{Resources: "*"}
	h.simFormData(q, &d)
	h.show(q, "simulator/simulator", page{Title: "Policy simulator", Section: "simulator", Data: &d})
}

// simFormData fills in the form's choices: the principals (three list
// calls, each of which may be denied) and the catalog's actions.
func (h *Handler) simFormData(q *request, d *simData) {
	for len(d.Context) < simContextRows {
		d.Context = append(d.Context, simContextRow{Type: "string"})
	}
	d.ContextTypes = simContextTypes
	all := iam.Page{MaxItems: 1000}
	if users, _, err := h.IAM.ListUsers(q.ctx(), q.call, "", all); err != nil {
		d.PrincipalErrs = append(d.PrincipalErrs, toPageError(err))
	} else {
		for _, u := range users {
			d.Principals = append(d.Principals, simOption{Value: "user:" + u.Name, Label: u.Name, Group: "Users", ARN: h.IAM.UserARN(u)})
		}
	}
	if groups, _, err := h.IAM.ListGroups(q.ctx(), q.call, "", all); err != nil {
		d.PrincipalErrs = append(d.PrincipalErrs, toPageError(err))
	} else {
		for _, g := range groups {
			d.Principals = append(d.Principals, simOption{Value: "group:" + g.Name, Label: g.Name, Group: "Groups", ARN: h.IAM.GroupARN(g)})
		}
	}
	if roles, _, err := h.IAM.ListRoles(q.ctx(), q.call, "", all); err != nil {
		d.PrincipalErrs = append(d.PrincipalErrs, toPageError(err))
	} else {
		for _, r := range roles {
			d.Principals = append(d.Principals, simOption{Value: "role:" + r.Name, Label: r.Name, Group: "Roles", ARN: h.IAM.RoleARN(r)})
		}
	}
	if h.Catalog != nil {
		for _, prefix := range []string{"ecr-public", "sts"} {
			if s, ok := h.Catalog.Service(prefix); ok {
				for _, a := range s.Actions {
					d.ActionChoices = append(d.ActionChoices, a.FullName())
				}
			}
		}
	}
}

// policySeparator splits pasted policies: a line holding only "---".
var policySeparator = regexp.MustCompile(`(?m)^[ \t]*---[ \t]*\r?$`)

// splitPolicies splits the pasted policies, dropping blank ones.
func splitPolicies(s string) []string {
	var out []string
	for _, p := range policySeparator.Split(s, -1) {
		if strings.TrimSpace(p) != "" {
			out = append(out, strings.Trim(p, "\r\n"))
		}
	}
	return out
}

// splitList splits one-per-line or comma-separated values, trimmed, blanks
// and repeats dropped.
func splitList(s string) []string {
	return nonEmpty(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }))
}

func (h *Handler) simulatorRun(q *request) {
	f := q.r.PostForm
	d := simData{Principal: f.Get("principal"), Policies: f.Get("policies"), Actions: f.Get("actions"), Picked: f["action_pick"],
		Resources: f.Get("resources"), ResourcePolicy: f.Get("resource_policy"), ResourceOwner: strings.TrimSpace(f.Get("resource_owner")),
		CallerARN: strings.TrimSpace(f.Get("caller_arn"))}
	keys, types, values := f["ctx_key"], f["ctx_type"], f["ctx_values"]
	for i := range keys {
		row := simContextRow{Key: strings.TrimSpace(keys[i]), Type: "string"}
		if i < len(types) && types[i] != "" {
			row.Type = types[i]
		}
		if i < len(values) {
			row.Values = values[i]
		}
		d.Context = append(d.Context, row)
	}
	h.simFormData(q, &d)
	p := page{Title: "Policy simulator", Section: "simulator", Data: &d}

	in := iam.SimulateInput{PolicyInputList: splitPolicies(d.Policies), ResourceOwner: d.ResourceOwner, CallerArn: d.CallerARN}
	in.ActionNames = splitList(d.Actions)
	for _, a := range d.Picked {
		if !slices.Contains(in.ActionNames, a) {
			in.ActionNames = append(in.ActionNames, a)
		}
	}
	in.ResourceArns = splitList(d.Resources)
	if len(in.ResourceArns) == 0 {
		in.ResourceArns = []string{"*"}
	}
	if strings.TrimSpace(d.ResourcePolicy) != "" {
		in.ResourcePolicy = d.ResourcePolicy
	}
	for _, row := range d.Context {
		if row.Key == "" {
			continue
		}
		in.ContextEntries = append(in.ContextEntries, iam.ContextEntry{Key: row.Key, Type: row.Type, Values: splitList(row.Values)})
	}
	if len(in.ActionNames) == 0 {
		h.fail(q, "simulator/simulator", p, errs.Coded(errs.Invalid, "ValidationError", "Enter at least one action to simulate, such as ecr-public:PutImage."))
		return
	}

	var results []policy.EvaluationResult
	var err error
	var kind store.EntityKind
	var name string
	if d.Principal != "" {
		if kind, name, err = parseEntityRef(d.Principal); err != nil {
			h.fail(q, "simulator/simulator", p, err)
			return
		}
		in.PolicySourceArn = d.principalARN(q.sess.AccountID, kind, name)
		d.Mode = "principal"
		results, err = h.IAM.SimulatePrincipalPolicy(q.ctx(), q.call, in)
	} else {
		if len(in.PolicyInputList) == 0 {
			h.fail(q, "simulator/simulator", p, errs.Coded(errs.Invalid, "ValidationError", "Choose a user, group or role, or paste at least one policy to simulate."))
			return
		}
		d.Mode = "custom"
		results, err = h.IAM.SimulateCustomPolicy(q.ctx(), q.call, in)
	}
	if err != nil {
		h.fail(q, "simulator/simulator", p, err)
		return
	}
	docs := &simDocs{h: h, q: q, kind: kind, name: name, got: map[string]*simDoc{}}
	for i, pol := range in.PolicyInputList {
		docs.given("PolicyInputList."+strconv.Itoa(i+1), "none", pol)
	}
	if in.ResourcePolicy != "" {
		docs.given("ResourcePolicy1", "resource", in.ResourcePolicy)
	}
	d.Ran = true
	for _, r := range results {
		d.Results = append(d.Results, simResult{EvaluationResult: r, Docs: docs.forResult(r)})
	}
	h.show(q, "simulator/simulator", p)
}

// principalARN is the ARN of the chosen principal: from the lists when they
// could be read (they know its path), else with the path "/".
func (d *simData) principalARN(account string, kind store.EntityKind, name string) string {
	for _, o := range d.Principals {
		if o.Value == string(kind)+":"+name {
			return o.ARN
		}
	}
	return "arn:aws:iam::" + account + ":" + string(kind) + "/" + name
}

// simDocs finds and caches the documents that matched statements point at:
// pasted ones from the form, stored ones through the service (as the
// signed-in principal; a document it may not read is shown as its error).
type simDocs struct {
	h    *Handler
	q    *request
	kind store.EntityKind // the simulated principal, if any
	name string
	text map[string]string
	got  map[string]*simDoc
}

func (s *simDocs) given(id, typ, text string) {
	if s.text == nil {
		s.text = map[string]string{}
	}
	s.text[typ+"\x00"+id] = text
}

// forResult returns the documents of r's matched statements, each with
// those statements highlighted.
func (s *simDocs) forResult(r policy.EvaluationResult) []simDoc {
	var order []string
	byDoc := map[string][]policy.MatchedStatement{}
	for _, m := range r.MatchedStatements {
		k := m.SourcePolicyType + "\x00" + m.SourcePolicyId
		if _, ok := byDoc[k]; !ok {
			order = append(order, k)
		}
		byDoc[k] = append(byDoc[k], m)
	}
	var out []simDoc
	for _, k := range order {
		ms := byDoc[k]
		text, perr := s.document(ms[0].SourcePolicyType, ms[0].SourcePolicyId)
		doc := simDoc{ID: ms[0].SourcePolicyId, Type: ms[0].SourcePolicyType, Err: perr}
		if perr == nil {
			doc.Lines = highlightLines(text, ms)
		}
		out = append(out, doc)
	}
	return out
}

// document returns a policy's text by its simulator source ID and type.
func (s *simDocs) document(typ, id string) (string, *pageError) {
	k := typ + "\x00" + id
	if t, ok := s.text[k]; ok {
		return t, nil
	}
	if c, ok := s.got[k]; ok {
		return "", c.Err
	}
	t, err := s.fetch(typ, id)
	if err != nil {
		pe := toPageError(err)
		s.got[k] = &simDoc{Err: pe}
		return "", pe
	}
	s.given(id, typ, t)
	return t, nil
}

func (s *simDocs) fetch(typ, id string) (string, error) {
	ctx, call, svc := s.q.ctx(), s.q.call, s.h.IAM
	switch typ {
	case "aws-managed", "user-managed":
		vs, def, err := svc.ListPolicyVersions(ctx, call, id)
		if err != nil {
			return "", err
		}
		for _, v := range vs {
			if v.VersionID == def {
				return v.Document, nil
			}
		}
	case "user", "group", "role":
		kind := store.EntityKind(typ)
		if kind == s.kind {
			ip, err := svc.GetInlinePolicy(ctx, call, kind, s.name, id)
			return ip.Document, err
		}
		if kind == store.KindGroup && s.kind == store.KindUser {
			groups, _, err := svc.ListGroupsForUser(ctx, call, s.name, iam.Page{MaxItems: 1000})
			if err != nil {
				return "", err
			}
			for _, g := range groups {
				if ip, err := svc.GetInlinePolicy(ctx, call, store.KindGroup, g.Name, id); err == nil {
					return ip.Document, nil
				}
			}
		}
	}
	return "", errs.Coded(errs.NotFound, "NoSuchEntity", "The document of %s policy %s is not available to the console.", typ, id)
}

// highlightLines numbers text's lines and marks the spans of the matched
// statements (positions are 1-based; a statement ends just after its '}').
func highlightLines(text string, ms []policy.MatchedStatement) []simLine {
	lines := strings.Split(strings.TrimRight(text, "\r\n"), "\n")
	out := make([]simLine, len(lines))
	for i, l := range lines {
		l = strings.TrimRight(l, "\r")
		n := i + 1
		out[i] = simLine{N: n, Pre: l}
		from, to := -1, -1
		for _, m := range ms {
			if n < m.StartPosition.Line || n > m.EndPosition.Line {
				continue
			}
			a, b := 0, len(l)
			if n == m.StartPosition.Line {
				a = clamp(m.StartPosition.Column-1, 0, len(l))
			}
			if n == m.EndPosition.Line {
				b = clamp(m.EndPosition.Column-1, 0, len(l))
			}
			if a >= b && strings.TrimSpace(l) != "" {
				continue
			}
			if from < 0 || a < from {
				from = a
			}
			if b > to {
				to = b
			}
		}
		if from >= 0 {
			out[i] = simLine{N: n, Pre: l[:from], Mark: l[from:to], Post: l[to:], HL: true}
		}
	}
	return out
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
