package policy

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/wharf-project/wharf/internal/arn"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/policy/condition"
	"github.com/wharf-project/wharf/internal/policy/pattern"
)

// FindingType is the severity of a validation finding, as IAM Access Analyzer names it.
type FindingType string

// Finding types, most severe first.
const (
	FindingError           FindingType = "ERROR"
	FindingSecurityWarning FindingType = "SECURITY_WARNING"
	FindingWarning         FindingType = "WARNING"
	FindingSuggestion      FindingType = "SUGGESTION"
)

func (t FindingType) rank() int {
	switch t {
	case FindingError:
		return 0
	case FindingSecurityWarning:
		return 1
	case FindingWarning:
		return 2
	}
	return 3
}

// Finding is one validation result, in the shape of Access Analyzer's
// ValidatePolicyFinding.
type Finding struct {
	Type          FindingType `json:"findingType"`
	IssueCode     string      `json:"issueCode"`
	Details       string      `json:"findingDetails"`
	LearnMoreLink string      `json:"learnMoreLink"`
	Locations     []Location  `json:"locations"`
}

// Location is where a finding points: a path of keys and indexes into the
// document and the span of text it covers.
type Location struct {
	Path []PathElement `json:"path"`
	Span Span          `json:"span"`
}

// PathElement is one step of a Location path: an object key or an array index.
type PathElement struct {
	Index *int    `json:"index,omitempty"`
	Key   *string `json:"key,omitempty"`
}

func (e PathElement) String() string {
	if e.Index != nil {
		return fmt.Sprintf("[%d]", *e.Index)
	}
	return "." + *e.Key
}

// Span is a range of the document; lines count from 1, columns and offsets from 0.
type Span struct {
	Start SpanPosition `json:"start"`
	End   SpanPosition `json:"end"`
}

// SpanPosition is one end of a Span.
type SpanPosition struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// PathString renders a location path as Statement[0].Action[2].
func (l Location) PathString() string {
	var b strings.Builder
	for _, e := range l.Path {
		b.WriteString(e.String())
	}
	return strings.TrimPrefix(b.String(), ".")
}

const learnMore = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"

// Validate checks a policy document the way IAM Access Analyzer's
// ValidatePolicy does, against the actions, resource types and condition keys
// of cat. Findings are sorted by severity, then by position.
func Validate(doc []byte, kind Kind, cat *catalog.Catalog) []Finding {
	v := &validator{doc: doc, cat: cat}
	p, err := Parse(doc, kind)
	if err != nil {
		v.syntaxFinding(err)
		return v.sorted()
	}
	v.policy = p
	v.checkPolicy()
	return v.sorted()
}

type validator struct {
	doc      []byte
	cat      *catalog.Catalog
	policy   *Policy
	findings []Finding
}

func (v *validator) sorted() []Finding {
	sort.SliceStable(v.findings, func(i, j int) bool {
		a, b := v.findings[i], v.findings[j]
		if a.Type.rank() != b.Type.rank() {
			return a.Type.rank() < b.Type.rank()
		}
		return a.Locations[0].Span.Start.Offset < b.Locations[0].Span.Start.Offset
	})
	return v.findings
}

func (v *validator) add(t FindingType, code string, n *node, details string) {
	v.findings = append(v.findings, Finding{Type: t, IssueCode: code, Details: details, LearnMoreLink: learnMore, Locations: []Location{v.locate(n)}})
}

func (v *validator) syntaxFinding(err error) {
	se, ok := err.(*SyntaxError)
	if !ok {
		v.findings = append(v.findings, Finding{Type: FindingError, IssueCode: "JSON_SYNTAX_ERROR", Details: err.Error(), LearnMoreLink: learnMore, Locations: []Location{{Path: []PathElement{}}}})
		return
	}
	loc := Location{Path: []PathElement{}, Span: Span{Start: v.spanPos(se.Offset), End: v.spanPos(se.Offset)}}
	if se.node != nil {
		loc = v.locate(se.node)
	}
	v.findings = append(v.findings, Finding{Type: FindingError, IssueCode: se.Code, Details: se.Rule, LearnMoreLink: learnMore, Locations: []Location{loc}})
}

func (v *validator) spanPos(off int) SpanPosition {
	line, col := lineColumn(v.doc, off)
	return SpanPosition{Line: line, Column: col - 1, Offset: off}
}

// locate finds n's path in the document tree.
func (v *validator) locate(n *node) Location {
	loc := Location{Path: []PathElement{}}
	if n == nil {
		return loc
	}
	root, err := parseTree(v.doc)
	if v.policy != nil {
		root, err = v.policy.root, nil
	}
	if err == nil {
		if path, ok := pathTo(root, n, nil); ok {
			loc.Path = path
		}
	}
	loc.Span = Span{Start: v.spanPos(n.start), End: v.spanPos(n.end)}
	return loc
}

func pathTo(cur, target *node, path []PathElement) ([]PathElement, bool) {
	if cur == target || (cur.start == target.start && cur.end == target.end && cur.kind == target.kind) {
		return append([]PathElement{}, path...), true
	}
	switch cur.kind {
	case kindObject:
		for _, m := range cur.members {
			key := m.key
			if m.keyNode == target || (m.keyNode != nil && m.keyNode.start == target.start && target.kind == kindString && target.str == key) {
				return append(append([]PathElement{}, path...), PathElement{Key: &key}), true
			}
			if p, ok := pathTo(m.value, target, append(path, PathElement{Key: &key})); ok {
				return p, true
			}
		}
	case kindArray:
		for i, item := range cur.items {
			idx := i
			if p, ok := pathTo(item, target, append(path, PathElement{Index: &idx})); ok {
				return p, true
			}
		}
	}
	return nil, false
}

// elementOf returns the value of key in an object node.
func elementOf(n *node, key string) *node {
	if n == nil || n.kind != kindObject {
		return nil
	}
	for _, m := range n.members {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// statementNodes returns the tree nodes of the statements, in order.
func (v *validator) statementNodes() []*node {
	s := elementOf(v.policy.root, "Statement")
	if s == nil {
		return nil
	}
	if s.kind == kindObject {
		return []*node{s}
	}
	return s.items
}

func (v *validator) checkPolicy() {
	p := v.policy
	if p.Version == "" {
		v.add(FindingWarning, "MISSING_VERSION", p.root, `The policy has no Version element, so the 2008-10-17 rules apply and policy variables such as ${aws:username} are literal text. Add "Version": "2012-10-17".`)
	}
	if !p.Variables() {
		v.checkLegacyVariables()
	}
	if p.Kind == IdentityPolicy {
		if n := countNonSpace(v.doc); n > 6144 {
			v.add(FindingWarning, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", p.root, fmt.Sprintf("The policy has %d characters (not counting white space); a managed policy may have at most 6,144.", n))
		}
	}
	nodes := v.statementNodes()
	for i, st := range p.Statements {
		v.checkStatement(st, nodes[i])
	}
	v.checkRequiredActions(nodes)
	v.checkRedundantStatements(nodes)
}

func countNonSpace(b []byte) int {
	n := 0
	for _, r := range string(b) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func (v *validator) checkLegacyVariables() {
	for _, st := range v.policy.Statements {
		for _, r := range st.Resources {
			if strings.Contains(r.Source(), "${") {
				v.add(FindingError, "VARIABLE_UNSUPPORTED_IN_VERSION", v.statementNodes()[st.Index], fmt.Sprintf("The resource %s uses a policy variable, but policy variables work only with Version \"2012-10-17\"; under %s the text is matched literally.", r.Source(), versionName(v.policy.Version)))
			}
		}
		for _, c := range st.Condition {
			for _, val := range c.Values() {
				if strings.Contains(val, "${") {
					v.add(FindingError, "VARIABLE_UNSUPPORTED_IN_VERSION", v.statementNodes()[st.Index], fmt.Sprintf("The condition value %s uses a policy variable, but policy variables work only with Version \"2012-10-17\".", val))
				}
			}
		}
	}
}

func versionName(v string) string {
	if v == "" {
		return "a policy without Version (2008-10-17)"
	}
	return v
}

// resolvedAction is a catalog action a statement's Action element covers.
type resolvedAction struct {
	action  *catalog.Action
	pattern *ActionPattern
}

func (v *validator) checkStatement(st *Statement, sn *node) {
	actionNode := elementOf(sn, "Action")
	if actionNode == nil {
		actionNode = elementOf(sn, "NotAction")
	}
	var covered []resolvedAction
	for i := range st.Actions {
		a := &st.Actions[i]
		an := listItem(actionNode, i)
		covered = append(covered, v.checkAction(st, a, an)...)
	}
	v.checkRedundantActions(st, actionNode)

	if st.Effect == Allow {
		if st.NotAction {
			v.add(FindingSecurityWarning, "ALLOW_WITH_NOT_ACTION", elementOf(sn, "NotAction"), "Allow with NotAction grants every action of every service except those listed, including actions added to AWS later. List the actions to allow instead.")
		}
		if st.NotResource {
			v.add(FindingSecurityWarning, "ALLOW_WITH_NOT_RESOURCE", elementOf(sn, "NotResource"), "Allow with NotResource grants access to every resource except those listed, including resources created later. List the resources to allow instead.")
		}
		if st.NotPrincipal {
			v.add(FindingSecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL", elementOf(sn, "NotPrincipal"), "Allow with NotPrincipal grants access to every principal except those listed, including anonymous users. Name the principals to allow instead.")
		}
		if v.isAdmin(st) {
			v.add(FindingSecurityWarning, "FULL_ADMINISTRATIVE_ACCESS", sn, `The statement allows every action ("*") on every resource ("*") without a condition: full administrative access. Grant the actions the principal needs (least privilege).`)
		}
		v.checkPassRole(st, sn, covered)
	}

	resourceNode := elementOf(sn, "Resource")
	if resourceNode == nil {
		resourceNode = elementOf(sn, "NotResource")
	}
	if !st.NotAction && !st.NotResource {
		v.checkResources(st, resourceNode, covered)
	}
	v.checkRedundantResources(st, resourceNode)
	v.checkConditions(st, elementOf(sn, "Condition"))
}

// checkAction reports actions and services that do not exist and returns the
// catalog actions a pattern covers (for detailed services).
func (v *validator) checkAction(st *Statement, a *ActionPattern, n *node) []resolvedAction {
	if a.any {
		return nil
	}
	prefix := a.Source[:strings.IndexByte(a.Source, ':')]
	name := a.Source[len(prefix)+1:]
	if a.svcWild {
		v.add(FindingSuggestion, "WILDCARD_IN_SERVICE_NAME", n, fmt.Sprintf("The action %s has a wildcard in its service prefix; it may match services you do not intend. Name the service.", a.Source))
		return nil
	}
	if !v.cat.KnownService(prefix) {
		v.add(FindingError, "INVALID_SERVICE_IN_ACTION", n, fmt.Sprintf("The service %s in action %s does not exist.", prefix, a.Source))
		return nil
	}
	svc, detailed := v.cat.Service(prefix)
	if !detailed {
		return nil
	}
	matches := svc.MatchActions(name)
	if len(matches) == 0 {
		details := fmt.Sprintf("The action %s does not exist.", a.Source)
		if a.name.IsLiteral() {
			if s := nearestAction(svc, name); s != "" {
				details += fmt.Sprintf(" Did you mean %s:%s?", svc.Prefix, s)
			}
		} else {
			details = fmt.Sprintf("The action pattern %s matches no action of %s.", a.Source, svc.Prefix)
		}
		if other := v.sibling(svc.Prefix, name); other != "" {
			details += " " + other
		}
		v.add(FindingError, "INVALID_ACTION", n, details)
		return nil
	}
	out := make([]resolvedAction, 0, len(matches))
	for _, m := range matches {
		out = append(out, resolvedAction{action: m, pattern: a})
	}
	return out
}

// sibling explains an action that exists in the sister service: ecr and
// ecr-public are the usual confusion (the seed tutorial's policy has it).
func (v *validator) sibling(prefix, name string) string {
	pairs := map[string]string{"ecr-public": "ecr", "ecr": "ecr-public"}
	other, ok := pairs[prefix]
	if !ok {
		return ""
	}
	svc, ok := v.cat.Service(other)
	if !ok {
		return ""
	}
	if a, ok := svc.Action(name); ok {
		return fmt.Sprintf("%s:%s is an action of %s (Amazon ECR private registries), not of %s.", other, a.Name, other, prefix)
	}
	return ""
}

func nearestAction(svc *catalog.Service, name string) string {
	best, bestD := "", 1<<30
	lname := strings.ToLower(name)
	for _, a := range svc.Actions {
		d := editDistance(lname, strings.ToLower(a.Name))
		if d < bestD {
			best, bestD = a.Name, d
		}
	}
	if bestD > max(2, len(name)/4) {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (v *validator) isAdmin(st *Statement) bool {
	if st.NotAction || st.NotResource || len(st.Condition) > 0 {
		return false
	}
	anyAction := false
	for _, a := range st.Actions {
		anyAction = anyAction || a.any
	}
	anyResource := len(st.Resources) == 0 && st.policy.Kind != IdentityPolicy
	for _, r := range st.Resources {
		anyResource = anyResource || r.IsAny()
	}
	return anyAction && anyResource
}

func (v *validator) checkPassRole(st *Statement, sn *node, covered []resolvedAction) {
	literal, wild := false, false
	for i := range st.Actions {
		a := &st.Actions[i]
		if a.Match("iam", "passrole") {
			if a.IsLiteral() {
				literal = true
			} else {
				wild = true
			}
		}
	}
	if st.NotAction {
		literal, wild = false, st.matchAction("iam", "passrole")
	}
	if !literal && !wild {
		return
	}
	if st.NotResource {
		v.add(FindingSecurityWarning, "PASS_ROLE_WITH_NOT_RESOURCE", elementOf(sn, "NotResource"), "Using the iam:PassRole action with NotResource can be overly permissive because it allows iam:PassRole permissions on multiple resources. Name the role ARNs instead.")
		return
	}
	star := false
	for _, r := range st.Resources {
		if r.IsAny() || strings.HasSuffix(r.Source(), ":role/*") || strings.HasSuffix(r.Source(), ":*") {
			star = true
		}
	}
	if !star {
		return
	}
	code, what := "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement."
	if wild && !literal {
		code, what = "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the resource can allow the iam:PassRole permission on every role. We recommend that you name the actions and role ARNs you need."
	}
	for _, c := range st.Condition {
		if strings.EqualFold(c.Key(), "iam:PassedToService") {
			return
		}
	}
	v.add(FindingSecurityWarning, code, elementOf(sn, "Resource"), what)
}

// checkResources checks each Resource value's ARN shape against the services
// it names and against the resource types of the statement's actions.
func (v *validator) checkResources(st *Statement, rn *node, covered []resolvedAction) {
	for i, r := range st.Resources {
		n := listItem(rn, i)
		if r.IsAny() {
			continue
		}
		segs := r.Segments()
		if len(segs) < 6 {
			continue
		}
		service, region, account := segs[2].Source(), segs[3].Source(), segs[4].Source()
		if svc, ok := v.cat.Service(service); ok {
			regionless, regional := regionUse(svc)
			switch {
			case region != "" && !isWild(region) && regionless && !regional:
				v.add(FindingError, "INVALID_ARN_REGION", n, fmt.Sprintf("The Region %s is not valid for this resource: %s resource ARNs have no Region (for example %s). Remove the Region from the ARN.", region, svc.Prefix, exampleARN(svc)))
			case region == "" && regional && !regionless:
				v.add(FindingError, "MISSING_ARN_REGION", n, fmt.Sprintf("Add a Region to the %s resource ARN (for example %s).", svc.Prefix, exampleARN(svc)))
			}
		}
		if account != "" && !isWild(account) && account != "aws" && !strings.Contains(account, "${") && !arn.IsAccountID(account) {
			v.add(FindingError, "INVALID_ARN_ACCOUNT", n, fmt.Sprintf("The account ID %s in the resource ARN is not valid. Provide a 12-digit account ID.", account))
		}
		if len(covered) == 0 {
			continue
		}
		// Can any resource type of any covered action match this ARN?
		var mismatch *catalog.Mismatch
		var types []string
		seen := map[string]bool{}
		matched := false
		for _, ra := range covered {
			svc, _ := v.cat.Service(ra.action.Service)
			for _, ar := range ra.action.ResourceTypes {
				rt, ok := svc.ResourceType(ar.Name)
				if !ok {
					continue
				}
				if !seen[rt.Service+"/"+rt.Name] {
					seen[rt.Service+"/"+rt.Name] = true
					types = append(types, fmt.Sprintf("%s %s (%s)", rt.Service, rt.Name, rt.ARNFormat))
				}
				m := rt.Check(r.Source())
				if m == nil {
					matched = true
					break
				}
				if mismatch == nil || (rt.Service == service) {
					mismatch = m
				}
			}
			if matched {
				break
			}
		}
		if matched {
			continue
		}
		if len(types) == 0 {
			v.add(FindingError, "RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE", n, fmt.Sprintf("The statement's actions (%s) take no resource, so they are granted only with Resource \"*\"; %s grants nothing.", actionList(covered), r.Source()))
			continue
		}
		details := fmt.Sprintf("The resource %s can never match a resource of the statement's actions (%s), so the statement grants nothing on it", r.Source(), actionList(covered))
		if why := v.allMismatches(covered, r.Source()); why != "" {
			details += ": " + why
		} else if mismatch != nil {
			details += ": " + mismatch.Error()
		}
		details += ". Resource types these actions take: " + strings.Join(types, "; ") + "."
		v.add(FindingError, "RESOURCE_ARN_MATCHES_NO_RESOURCE_TYPE", n, details)
	}
}

// allMismatches lists every ARN segment that keeps resource from matching the
// closest resource type: after each mismatch, that segment is set to a
// wildcard and the check repeated.
func (v *validator) allMismatches(covered []resolvedAction, resource string) string {
	segs, ok := pattern.Split(resource)
	if !ok {
		return ""
	}
	var best []string
	for _, ra := range covered {
		svc, _ := v.cat.Service(ra.action.Service)
		for _, ar := range ra.action.ResourceTypes {
			rt, ok := svc.ResourceType(ar.Name)
			if !ok {
				continue
			}
			cur := segs
			var why []string
			for k := 0; k < 6; k++ {
				m := rt.Check(strings.Join(cur[:], ":"))
				if m == nil {
					break
				}
				why = append(why, m.Error())
				idx := map[string]int{"prefix": 0, "partition": 1, "service": 2, "region": 3, "account": 4, "resource": 5}[m.Segment]
				if m.Segment == "region" && rtRegionless(rt) {
					cur[idx] = ""
				} else {
					cur[idx] = "*"
				}
			}
			// Prefer the type whose only differences are the fewest, then the one
			// whose resource part matches.
			if best == nil || len(why) < len(best) {
				best = why
			}
		}
	}
	return strings.Join(best, "; ")
}

func rtRegionless(rt *catalog.ResourceType) bool {
	segs, ok := pattern.Split(rt.ARNFormat)
	return ok && segs[3] == ""
}

func actionList(covered []resolvedAction) string {
	seen := map[string]bool{}
	var names []string
	for _, ra := range covered {
		if !seen[ra.pattern.Source] {
			seen[ra.pattern.Source] = true
			names = append(names, ra.pattern.Source)
		}
	}
	if len(names) > 4 {
		return strings.Join(names[:4], ", ") + fmt.Sprintf(" and %d more", len(names)-4)
	}
	return strings.Join(names, ", ")
}

func regionUse(svc *catalog.Service) (regionless, regional bool) {
	for _, rt := range svc.ResourceTypes {
		if rtRegionless(rt) {
			regionless = true
		} else {
			regional = true
		}
	}
	return regionless, regional
}

func exampleARN(svc *catalog.Service) string {
	if len(svc.ResourceTypes) == 0 {
		return ""
	}
	rt := svc.ResourceTypes[0]
	for _, t := range svc.ResourceTypes {
		if t.Name == "repository" || t.Name == "user" {
			rt = t
		}
	}
	r := strings.NewReplacer("${Partition}", "aws", "${Region}", "us-east-1", "${Account}", "123456789012")
	return r.Replace(rt.ARNFormat)
}

func isWild(s string) bool { return strings.ContainsAny(s, "*?") }

func (v *validator) checkConditions(st *Statement, cn *node) {
	if cn == nil {
		return
	}
	for _, c := range st.Condition {
		opNode := elementOf(cn, c.Operator())
		keyNode := elementOf(opNode, c.Key())
		if keyNode == nil {
			keyNode = opNode
		}
		key := c.Key()
		var ck *catalog.ConditionKey
		prefix := key
		if i := strings.IndexByte(key, ':'); i >= 0 {
			prefix = key[:i]
		}
		switch {
		case strings.EqualFold(prefix, "aws"):
			k, ok := v.cat.GlobalKey(key)
			if !ok {
				v.add(FindingError, "INVALID_GLOBAL_CONDITION_KEY", keyNode, fmt.Sprintf("The condition key %s does not exist. Use a valid AWS global condition key (aws:SourceIp, aws:PrincipalTag/KEY, aws:RequestTag/KEY…).", key))
				continue
			}
			ck = k
		default:
			svc, ok := v.cat.Service(prefix)
			if !ok {
				if !v.cat.KnownService(prefix) {
					v.add(FindingError, "INVALID_SERVICE_CONDITION_KEY", keyNode, fmt.Sprintf("The condition key %s does not exist: %s is not a service prefix.", key, prefix))
				}
				continue
			}
			k, ok := svc.ConditionKey(key)
			if !ok {
				v.add(FindingError, "INVALID_SERVICE_CONDITION_KEY", keyNode, fmt.Sprintf("The condition key %s does not exist in the service %s.", key, svc.Prefix))
				continue
			}
			ck = k
		}
		v.checkConditionType(c, ck, keyNode)
	}
}

func (v *validator) checkConditionType(c *condition.Clause, ck *catalog.ConditionKey, n *node) {
	switch {
	case ck.MultiValued && c.Qualifier() == condition.Single && !c.IsNull():
		v.add(FindingError, "MISSING_QUALIFIER", n, fmt.Sprintf("The condition key %s can have several values in a request. Use ForAllValues: or ForAnyValue: with %s to say whether every value or any value must match.", ck.Name, c.Operator()))
	case !ck.MultiValued && c.Qualifier() == condition.ForAllValues:
		v.add(FindingSecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", n, fmt.Sprintf("ForAllValues: with the single-valued key %s is true when the key is absent from the request, which is rarely meant. Remove the qualifier.", ck.Name))
	case !ck.MultiValued && c.Qualifier() == condition.ForAnyValue:
		v.add(FindingWarning, "FORANYVALUE_WITH_SINGLE_VALUED_KEY", n, fmt.Sprintf("ForAnyValue: is meant for multivalued keys; %s has one value. Remove the qualifier.", ck.Name))
	}
	if c.IsNull() {
		return
	}
	if c.Family() == "String" && !c.Like() {
		for _, val := range c.Values() {
			if strings.ContainsAny(val, "*?") {
				v.add(FindingWarning, "WILDCARD_WITHOUT_LIKE_OPERATOR", n, fmt.Sprintf("The value %q has a wildcard, but %s compares it literally. Use StringLike to match wildcards.", val, c.Operator()))
				break
			}
		}
	}
	base := strings.TrimPrefix(ck.Type, "ArrayOf")
	want := map[string]string{"String": "String", "ARN": "Arn", "Arn": "Arn", "Bool": "Bool", "Boolean": "Bool", "Date": "Date", "Numeric": "Numeric", "IPAddress": "IpAddress", "Binary": "Binary"}[base]
	if want == "" || want == c.Family() {
		return
	}
	// ARN-typed keys accept String operators too (AWS documents both), and
	// aws:EpochTime is Date and Numeric.
	if want == "Arn" && c.Family() == "String" || strings.EqualFold(ck.Name, "aws:EpochTime") && c.Family() == "Numeric" {
		return
	}
	v.add(FindingWarning, "TYPE_MISMATCH", n, fmt.Sprintf("The condition key %s takes %s values, but %s is a %s operator. Use a %s operator.", ck.Name, base, c.Operator(), c.Family(), want))
}

// checkRequiredActions reports an action granted without the actions it needs
// (catalog dependent actions and curated rules such as
// ecr-public:GetAuthorizationToken needing sts:GetServiceBearerToken).
func (v *validator) checkRequiredActions(nodes []*node) {
	reported := map[string]bool{}
	for _, st := range v.policy.Statements {
		if st.Effect != Allow || st.NotAction {
			continue
		}
		an := elementOf(nodes[st.Index], "Action")
		for i := range st.Actions {
			a := &st.Actions[i]
			if a.any || a.svcWild {
				continue
			}
			svc, ok := v.cat.Service(a.Service)
			if !ok {
				continue
			}
			for _, act := range svc.MatchActions(a.Source[strings.IndexByte(a.Source, ':')+1:]) {
				required := append(append([]string{}, act.DependentActions...), v.cat.RequiredActions(act.FullName())...)
				for _, req := range required {
					if v.policyAllows(req) || reported[act.FullName()+"→"+req] {
						continue
					}
					reported[act.FullName()+"→"+req] = true
					v.add(FindingWarning, "MISSING_REQUIRED_ACTION", listItem(an, i), fmt.Sprintf("%s also needs %s, which this policy does not allow: add a statement allowing %s on Resource \"*\". (For ECR Public, docker login through get-login-password fails without it.)", act.FullName(), req, req))
				}
			}
		}
	}
}

// policyAllows reports whether some Allow statement of the policy grants action
// on any resource ("*").
func (v *validator) policyAllows(action string) bool {
	svc, name := lowerAction(action)
	for _, st := range v.policy.Statements {
		if st.Effect != Allow || !st.matchAction(svc, name) {
			continue
		}
		if len(st.Resources) == 0 {
			return true
		}
		for _, r := range st.Resources {
			if r.Match("*", nil) != st.NotResource {
				return true
			}
		}
	}
	return false
}

// covers reports whether pattern a matches everything pattern b does, for the
// forms that can be decided simply: a is "*", a equals b, or a matches b's
// literal text.
func coversAction(a, b *ActionPattern) bool {
	switch {
	case a.any:
		return true
	case b.any:
		return false
	case strings.EqualFold(a.Source, b.Source):
		return true
	case b.IsLiteral():
		return a.Match(b.Service, b.name.Source())
	case a.svcWild:
		return false
	}
	// a = "svc:*" covers any pattern of the same service.
	return a.Service == b.Service && a.name.Source() == "*"
}

func coversResource(a, b pattern.ARN) bool {
	switch {
	case a.IsAny():
		return true
	case b.IsAny():
		return false
	case a.Source() == b.Source():
		return true
	case b.HasVariables() || strings.ContainsAny(b.Source(), "*?"):
		return false
	}
	return a.Match(b.Source(), nil)
}

func (v *validator) checkRedundantActions(st *Statement, an *node) {
	for i := range st.Actions {
		for j := range st.Actions {
			if i == j {
				continue
			}
			a, b := &st.Actions[j], &st.Actions[i]
			if coversAction(a, b) && (!coversAction(b, a) || j < i) {
				v.add(FindingSuggestion, "REDUNDANT_ACTION", listItem(an, i), fmt.Sprintf("The action %s is redundant: %s in the same statement already covers it.", b.Source, a.Source))
				break
			}
		}
	}
}

func (v *validator) checkRedundantResources(st *Statement, rn *node) {
	for i := range st.Resources {
		for j := range st.Resources {
			if i == j {
				continue
			}
			a, b := st.Resources[j], st.Resources[i]
			if coversResource(a, b) && (!coversResource(b, a) || j < i) {
				v.add(FindingSuggestion, "REDUNDANT_RESOURCE", listItem(rn, i), fmt.Sprintf("The resource %s is redundant: %s in the same statement already covers it.", b.Source(), a.Source()))
				break
			}
		}
	}
}

// checkRedundantStatements reports a statement whose permissions another
// statement of the same effect already gives in full.
func (v *validator) checkRedundantStatements(nodes []*node) {
	sts := v.policy.Statements
	for i, a := range sts {
		for j, b := range sts {
			if i == j {
				continue
			}
			if statementCovers(b, a) && (!statementCovers(a, b) || j < i) {
				v.add(FindingSuggestion, "REDUNDANT_STATEMENT", nodes[i], fmt.Sprintf("The statement %s is redundant: statement %s gives the same permissions or more (same effect, actions, resources and conditions). Remove one of them.", a.Label(), b.Label()))
				break
			}
		}
	}
}

// statementCovers reports whether b's permissions include all of a's.
func statementCovers(b, a *Statement) bool {
	if a.Effect != b.Effect || a.NotAction || b.NotAction || a.NotResource || b.NotResource || a.NotPrincipal || b.NotPrincipal {
		return false
	}
	if len(b.Condition) > 0 && conditionText(a) != conditionText(b) {
		return false
	}
	if principalText(a) != principalText(b) {
		return false
	}
	for i := range a.Actions {
		ok := false
		for j := range b.Actions {
			if coversAction(&b.Actions[j], &a.Actions[i]) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(b.Resources) == 0 || len(a.Resources) == 0 {
		return len(a.Resources) == len(b.Resources)
	}
	for _, ra := range a.Resources {
		ok := false
		for _, rb := range b.Resources {
			if coversResource(rb, ra) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func conditionText(st *Statement) string {
	var parts []string
	for _, c := range st.Condition {
		vals := append([]string{}, c.Values()...)
		sort.Strings(vals)
		parts = append(parts, c.Operator()+"|"+strings.ToLower(c.Key())+"|"+strings.Join(vals, ","))
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

func principalText(st *Statement) string {
	var parts []string
	for _, p := range st.Principals {
		parts = append(parts, fmt.Sprint(p.Kind)+p.Value)
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}
