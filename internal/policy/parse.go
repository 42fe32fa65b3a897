package policy

import (
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/internal/arn"
	"github.com/wharf-project/wharf/internal/policy/condition"
	"github.com/wharf-project/wharf/internal/policy/pattern"
)

// Kind is the place a policy is used in, which decides the elements it may have.
type Kind uint8

const (
	// IdentityPolicy is attached to a user, group or role (inline or managed);
	// permissions boundaries, session policies and SCPs follow the same grammar.
	// It must not have Principal or NotPrincipal and must have Resource or NotResource.
	IdentityPolicy Kind = iota
	// ResourcePolicy is attached to a resource (an ECR Public repository). It
	// must name a Principal or NotPrincipal and may omit Resource, in which case
	// the statement applies to the resource itself.
	ResourcePolicy
	// TrustPolicy is a role's assume-role policy: Principal required, no Resource needed.
	TrustPolicy
)

func (k Kind) String() string {
	switch k {
	case ResourcePolicy:
		return "resource"
	case TrustPolicy:
		return "trust"
	}
	return "identity"
}

// SyntaxError is a policy document IAM would reject with MalformedPolicyDocument.
type SyntaxError struct {
	Path   string // JSON path of the offending element, e.g. Statement[1].Condition
	Rule   string // what is wrong, for a person
	Line   int
	Column int
	Offset int
	JSON   bool // the document is not valid JSON
	// Code is IAM Access Analyzer's issue code for the problem, e.g.
	// MISSING_EFFECT, INVALID_CONDITION_OPERATOR, JSON_SYNTAX_ERROR.
	Code string
	node *node
}

func (e *SyntaxError) Error() string {
	where := ""
	if e.Path != "" {
		where = " at " + e.Path
	}
	if e.Line > 0 {
		where += fmt.Sprintf(" (line %d, column %d)", e.Line, e.Column)
	}
	return e.Rule + where
}

// Parse parses and compiles a policy document of the given kind.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	root, err := parseTree(doc)
	if err != nil {
		return nil, err
	}
	p := &Policy{Kind: kind, src: doc, root: root}
	ps := &parser{src: doc, policy: p}
	if err := ps.document(root); err != nil {
		return nil, err
	}
	return p, nil
}

// ParseString is Parse for a string.
func ParseString(doc string, kind Kind) (*Policy, error) { return Parse([]byte(doc), kind) }

type parser struct {
	src    []byte
	policy *Policy
}

func (ps *parser) fail(code string, n *node, path, format string, args ...any) error {
	off := 0
	if n != nil {
		off = n.start
	}
	line, col := lineColumn(ps.src, off)
	return &SyntaxError{Code: code, Path: path, Rule: fmt.Sprintf(format, args...), Line: line, Column: col, Offset: off, node: n}
}

func (ps *parser) document(root *node) error {
	if root.kind != kindObject {
		return ps.fail("INVALID_POLICY_ELEMENT", root, "", "Syntax errors in policy: the document must be a JSON object, not %s", root.kind)
	}
	var stmts *node
	for _, m := range root.members {
		switch m.key {
		case "Version":
			if m.value.kind != kindString {
				return ps.fail("INVALID_VERSION", m.value, "Version", "Version must be a string, not %s", m.value.kind)
			}
			if m.value.str != Version2012 && m.value.str != Version2008 {
				return ps.fail("INVALID_VERSION", m.value, "Version", "The policy language version %q is not valid: use \"2012-10-17\" (or the legacy \"2008-10-17\")", m.value.str)
			}
			ps.policy.Version = m.value.str
		case "Id":
			if m.value.kind != kindString {
				return ps.fail("INVALID_POLICY_ELEMENT", m.value, "Id", "Id must be a string, not %s", m.value.kind)
			}
			ps.policy.ID = m.value.str
		case "Statement":
			stmts = m.value
		default:
			return ps.fail("INVALID_POLICY_ELEMENT", m.keyNode, m.key, "Syntax errors in policy: unknown element %q (a policy has Version, Id and Statement)", m.key)
		}
	}
	if stmts == nil {
		return ps.fail("MISSING_STATEMENT", root, "", "Missing required field Statement")
	}
	var items []*node
	single := false
	switch stmts.kind {
	case kindObject:
		items, single = []*node{stmts}, true
	case kindArray:
		items = stmts.items
	default:
		return ps.fail("INVALID_POLICY_ELEMENT", stmts, "Statement", "Statement must be an object or an array of objects, not %s", stmts.kind)
	}
	sids := map[string]bool{}
	for i, item := range items {
		path := fmt.Sprintf("Statement[%d]", i)
		if single {
			path = "Statement"
		}
		st, err := ps.statement(item, i, path)
		if err != nil {
			return err
		}
		if st.Sid != "" {
			if sids[st.Sid] {
				return ps.fail("UNIQUE_SIDS_REQUIRED", elementOf(item, "Sid"), path+".Sid", "Statement IDs (SID) in a single policy must be unique: %q is used twice", st.Sid)
			}
			sids[st.Sid] = true
		}
		ps.policy.Statements = append(ps.policy.Statements, st)
	}
	return nil
}

func (ps *parser) statement(n *node, index int, path string) (*Statement, error) {
	if n.kind != kindObject {
		return nil, ps.fail("INVALID_POLICY_ELEMENT", n, path, "a statement must be an object, not %s", n.kind)
	}
	st := &Statement{Index: index, policy: ps.policy}
	st.Start = ps.position(n.start)
	st.End = ps.position(n.end)
	vars := ps.policy.Variables()
	var action, notAction, resource, notResource, principal, notPrincipal, cond *node
	var effect *node
	for _, m := range n.members {
		mp := path + "." + m.key
		switch m.key {
		case "Sid":
			if m.value.kind != kindString {
				return nil, ps.fail("INVALID_POLICY_ELEMENT", m.value, mp, "Sid must be a string, not %s", m.value.kind)
			}
			st.Sid = m.value.str
			if ps.policy.Kind == IdentityPolicy && !isAlnum(st.Sid) {
				return nil, ps.fail("UNSUPPORTED_SID", m.value, mp, "Statement IDs (SID) must be alpha-numeric: %q", st.Sid)
			}
		case "Effect":
			effect = m.value
		case "Action":
			action = m.value
		case "NotAction":
			notAction = m.value
		case "Resource":
			resource = m.value
		case "NotResource":
			notResource = m.value
		case "Principal":
			principal = m.value
		case "NotPrincipal":
			notPrincipal = m.value
		case "Condition":
			cond = m.value
		default:
			return nil, ps.fail("INVALID_POLICY_ELEMENT", m.keyNode, mp, "Syntax errors in policy: unknown element %q in a statement (a statement has Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition)", m.key)
		}
	}

	switch {
	case effect == nil:
		return nil, ps.fail("MISSING_EFFECT", n, path, "Missing required field Effect")
	case effect.kind != kindString:
		return nil, ps.fail("INVALID_EFFECT", effect, path+".Effect", "Effect must be a string, not %s", effect.kind)
	case effect.str == "Allow":
		st.Effect = Allow
	case effect.str == "Deny":
		st.Effect = Deny
	default:
		return nil, ps.fail("INVALID_EFFECT", effect, path+".Effect", "Invalid effect: %q (Effect must be \"Allow\" or \"Deny\")", effect.str)
	}

	// Action or NotAction, exactly one.
	switch {
	case action != nil && notAction != nil:
		return nil, ps.fail("UNSUPPORTED_ELEMENT_COMBINATION", n, path, "Policy statement must contain either Action or NotAction, not both")
	case action == nil && notAction == nil:
		return nil, ps.fail("MISSING_ACTION", n, path, "Policy statement must contain actions.")
	}
	an, aname := action, "Action"
	if notAction != nil {
		an, aname, st.NotAction = notAction, "NotAction", true
	}
	values, err := ps.stringList(an, path+"."+aname)
	if err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, ps.fail("MISSING_ACTION", an, path+"."+aname, "Policy statement must contain actions: %s is empty", aname)
	}
	for i, v := range values {
		a, err := compileAction(v)
		if err != nil {
			return nil, ps.fail("INVALID_ACTION", listItem(an, i), itemPath(an, path+"."+aname, i), "%v", err)
		}
		st.Actions = append(st.Actions, a)
	}

	// Resource or NotResource.
	switch {
	case resource != nil && notResource != nil:
		return nil, ps.fail("UNSUPPORTED_ELEMENT_COMBINATION", n, path, "Policy statement must contain either Resource or NotResource, not both")
	case resource == nil && notResource == nil:
		if ps.policy.Kind == IdentityPolicy {
			return nil, ps.fail("MISSING_RESOURCE", n, path, "Policy statement must contain resources.")
		}
	default:
		rn, rname := resource, "Resource"
		if notResource != nil {
			rn, rname, st.NotResource = notResource, "NotResource", true
		}
		values, err := ps.stringList(rn, path+"."+rname)
		if err != nil {
			return nil, err
		}
		if len(values) == 0 {
			return nil, ps.fail("MISSING_RESOURCE", rn, path+"."+rname, "Policy statement must contain resources: %s is empty", rname)
		}
		syn := pattern.Wildcards
		if vars {
			syn |= pattern.Variables
		}
		for i, v := range values {
			ip := itemPath(rn, path+"."+rname, i)
			if v != "*" && !strings.HasPrefix(v, "arn:") {
				return nil, ps.fail("INVALID_ARN_PREFIX", listItem(rn, i), ip, "Resource %s must be in ARN format or \"*\".", v)
			}
			r, err := pattern.CompileARN(v, syn)
			if err != nil {
				return nil, ps.fail("INVALID_ARN_RESOURCE", listItem(rn, i), ip, "Resource %s: %v", v, err)
			}
			if !r.IsAny() && len(r.Segments()) < 6 && !strings.HasSuffix(v, "*") {
				return nil, ps.fail("MISSING_ARN_FIELD", listItem(rn, i), ip, "Resource %s must be in ARN format or \"*\": an ARN has six parts, arn:partition:service:region:account:resource", v)
			}
			st.Resources = append(st.Resources, r)
		}
	}

	// Principal or NotPrincipal.
	switch {
	case principal != nil && notPrincipal != nil:
		return nil, ps.fail("UNSUPPORTED_ELEMENT_COMBINATION", n, path, "Policy statement must contain either Principal or NotPrincipal, not both")
	case principal == nil && notPrincipal == nil:
		if ps.policy.Kind != IdentityPolicy {
			return nil, ps.fail("MISSING_PRINCIPAL", n, path, "Missing required field Principal")
		}
	default:
		pn, pname := principal, "Principal"
		if notPrincipal != nil {
			pn, pname, st.NotPrincipal = notPrincipal, "NotPrincipal", true
		}
		if ps.policy.Kind == IdentityPolicy {
			return nil, ps.fail("UNSUPPORTED_PRINCIPAL", pn, path+"."+pname, "Policy document should not specify a principal.")
		}
		if st.NotPrincipal && ps.policy.Kind == TrustPolicy {
			return nil, ps.fail("UNSUPPORTED_ELEMENT_COMBINATION", pn, path+"."+pname, "NotPrincipal cannot be used in a role trust policy")
		}
		st.HasPrincipal = true
		st.Principals, err = ps.principals(pn, path+"."+pname)
		if err != nil {
			return nil, err
		}
	}

	if cond != nil {
		st.Condition, err = ps.condition(cond, path+".Condition", vars)
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (ps *parser) position(off int) Position {
	line, col := lineColumn(ps.src, off)
	return Position{Line: line, Column: col, Offset: off}
}

// itemPath is the path of listItem(n, i): path[i] in an array, path itself
// for an element written as a single string.
func itemPath(n *node, path string, i int) string {
	if n.kind == kindArray {
		return fmt.Sprintf("%s[%d]", path, i)
	}
	return path
}

func listItem(n *node, i int) *node {
	if n.kind == kindArray && i < len(n.items) {
		return n.items[i]
	}
	return n
}

// stringList reads an element that may be a string or an array of strings.
func (ps *parser) stringList(n *node, path string) ([]string, error) {
	switch n.kind {
	case kindString:
		return []string{n.str}, nil
	case kindArray:
		out := make([]string, 0, len(n.items))
		for i, item := range n.items {
			if item.kind != kindString {
				return nil, ps.fail("INVALID_POLICY_ELEMENT", item, fmt.Sprintf("%s[%d]", path, i), "%s must hold strings, not %s", path, item.kind)
			}
			out = append(out, item.str)
		}
		return out, nil
	}
	return nil, ps.fail("INVALID_POLICY_ELEMENT", n, path, "%s must be a string or an array of strings, not %s", path, n.kind)
}

func (ps *parser) principals(n *node, path string) ([]Principal, error) {
	if n.kind == kindString {
		if n.str != "*" {
			return nil, ps.fail("INVALID_PRINCIPAL", n, path, "Invalid principal in policy: %q (use \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"})", n.str)
		}
		return []Principal{{Kind: PrincipalEveryone, Value: "*"}}, nil
	}
	if n.kind != kindObject {
		return nil, ps.fail("INVALID_PRINCIPAL", n, path, "Principal must be \"*\" or an object, not %s", n.kind)
	}
	if len(n.members) == 0 {
		return nil, ps.fail("INVALID_PRINCIPAL", n, path, "Invalid principal in policy: the object is empty")
	}
	var out []Principal
	for _, m := range n.members {
		mp := path + "." + m.key
		values, err := ps.stringList(m.value, mp)
		if err != nil {
			return nil, err
		}
		if len(values) == 0 {
			return nil, ps.fail("INVALID_PRINCIPAL", m.value, mp, "Invalid principal in policy: %s is empty", m.key)
		}
		for i, v := range values {
			var pr Principal
			var ok bool
			switch m.key {
			case "AWS":
				pr, ok = parseAWSPrincipal(v)
			case "Service":
				pr, ok = Principal{Kind: PrincipalService, Value: v}, v != "" && !strings.ContainsAny(v, "*?") || v == "*"
				if v == "*" {
					pr.Kind = PrincipalEveryone
				}
			case "Federated":
				pr, ok = Principal{Kind: PrincipalFederated, Value: v}, v != "" && !strings.ContainsAny(v, "*?")
			case "CanonicalUser":
				pr, ok = Principal{Kind: PrincipalCanonicalUser, Value: v}, v != ""
			default:
				return nil, ps.fail("INVALID_PRINCIPAL", m.keyNode, mp, "Invalid principal in policy: unknown principal type %q (use AWS, Service, Federated or CanonicalUser)", m.key)
			}
			if !ok {
				return nil, ps.fail("INVALID_PRINCIPAL", listItem(m.value, i), itemPath(m.value, mp, i), "Invalid principal in policy: %q:%q (partial wildcards are not supported in principals)", m.key, v)
			}
			out = append(out, pr)
		}
	}
	return out, nil
}

// parseAWSPrincipal classifies one {"AWS": …} value.
func parseAWSPrincipal(v string) (Principal, bool) {
	if v == "*" {
		return Principal{Kind: PrincipalEveryone, Value: v}, true
	}
	if arn.IsAccountID(v) {
		return Principal{Kind: PrincipalAccount, Value: v, Account: v}, true
	}
	if strings.ContainsAny(v, "*?") {
		return Principal{}, false
	}
	if (strings.HasPrefix(v, "AIDA") || strings.HasPrefix(v, "AROA")) && isAlnum(v) && len(v) >= 16 {
		return Principal{Kind: PrincipalUniqueID, Value: v}, true
	}
	segs, ok := pattern.Split(v)
	if !ok || segs[0] != "arn" || segs[1] == "" || segs[3] != "" || !arn.IsAccountID(segs[4]) {
		return Principal{}, false
	}
	pr := Principal{Value: v, Account: segs[4]}
	res := segs[5]
	switch segs[2] {
	case "iam":
		switch {
		case res == "root":
			pr.Kind = PrincipalAccount
		case strings.HasPrefix(res, "user/"):
			pr.Kind = PrincipalUser
		case strings.HasPrefix(res, "role/"):
			pr.Kind = PrincipalRole
			pr.Name = res[strings.LastIndexByte(res, '/')+1:]
		default:
			return Principal{}, false
		}
	case "sts":
		switch {
		case strings.HasPrefix(res, "assumed-role/") && strings.Count(res, "/") >= 2:
			pr.Kind = PrincipalRoleSession
		case strings.HasPrefix(res, "federated-user/"):
			pr.Kind = PrincipalFederatedUser
		default:
			return Principal{}, false
		}
	default:
		return Principal{}, false
	}
	return pr, true
}

func (ps *parser) condition(n *node, path string, vars bool) (condition.Block, error) {
	if n.kind != kindObject {
		return nil, ps.fail("INVALID_POLICY_ELEMENT", n, path, "Condition must be an object of operators, not %s", n.kind)
	}
	var block condition.Block
	for _, op := range n.members {
		opPath := path + "." + op.key
		if op.value.kind != kindObject {
			return nil, ps.fail("INVALID_POLICY_ELEMENT", op.value, opPath, "Condition operator %s must map to an object of condition keys, not %s", op.key, op.value.kind)
		}
		if len(op.value.members) == 0 {
			return nil, ps.fail("INVALID_POLICY_ELEMENT", op.value, opPath, "Condition operator %s names no condition key", op.key)
		}
		for _, k := range op.value.members {
			kp := opPath + "." + k.key
			values, err := ps.conditionValues(k.value, kp)
			if err != nil {
				return nil, err
			}
			c, err := condition.NewClause(op.key, k.key, values, condition.Options{Variables: vars})
			if err != nil {
				at := k.value
				if ce, ok := err.(*condition.Error); ok && ce.Value == "" && ce.Key == k.key && strings.Contains(ce.Rule, "Invalid Condition type") {
					at = op.keyNode
					kp = opPath
				}
				code := "INVALID_CONDITION_VALUE"
				switch {
				case at == op.keyNode:
					code = "INVALID_CONDITION_OPERATOR"
				case strings.Contains(err.Error(), "IfExists"):
					code = "NULL_WITH_IF_EXISTS"
				}
				return nil, ps.fail(code, at, kp, "%v", err)
			}
			block = append(block, c)
		}
	}
	return block, nil
}

// conditionValues reads a condition value: a string, number or boolean, or an
// array of them. JSON numbers and booleans are taken as written.
func (ps *parser) conditionValues(n *node, path string) ([]string, error) {
	scalar := func(n *node, path string) (string, error) {
		switch n.kind {
		case kindString:
			return n.str, nil
		case kindNumber:
			return n.num.String(), nil
		case kindBool:
			if n.boolean {
				return "true", nil
			}
			return "false", nil
		}
		return "", ps.fail("INVALID_POLICY_ELEMENT", n, path, "a condition value must be a string, number or boolean, not %s", n.kind)
	}
	if n.kind == kindArray {
		if len(n.items) == 0 {
			return nil, ps.fail("INVALID_POLICY_ELEMENT", n, path, "the condition key has an empty list of values")
		}
		out := make([]string, 0, len(n.items))
		for i, item := range n.items {
			v, err := scalar(item, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	v, err := scalar(n, path)
	if err != nil {
		return nil, err
	}
	return []string{v}, nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
