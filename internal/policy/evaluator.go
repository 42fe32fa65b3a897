package policy

// Evaluator decides requests against one Set. It indexes every statement by the
// actions it can match, so a decision looks at the handful of statements that
// concern the requested action instead of all of them. An Evaluator is
// immutable and safe for concurrent use; build one per principal and keep it
// while the principal's policies are unchanged.
type Evaluator struct {
	set     Set
	entries []entry
	// exact maps "service:action" (lower case) to statements that name it
	// literally; bySvc maps a service to statements with a wildcard action in it;
	// anySvc holds statements that can match any service ("*", "e*:…",
	// NotAction). The three lists are disjoint per statement.
	exact  map[string][]int32
	bySvc  map[string][]int32
	anySvc []int32
}

type entry struct {
	st       *Statement
	category Category
	source   *Attached
}

// NewEvaluator indexes a policy set.
func NewEvaluator(s Set) *Evaluator {
	e := &Evaluator{set: s, exact: map[string][]int32{}, bySvc: map[string][]int32{}}
	add := func(list []Attached, cat Category) {
		for i := range list {
			a := &list[i]
			if a.Policy == nil {
				continue
			}
			for _, st := range a.Policy.Statements {
				e.index(entry{st: st, category: cat, source: a})
			}
		}
	}
	add(s.SCPs, CategorySCP)
	add(s.Resource, CategoryResource)
	add(s.Identity, CategoryIdentity)
	add(s.Boundary, CategoryBoundary)
	add(s.Session, CategorySession)
	return e
}

func (e *Evaluator) index(en entry) {
	id := int32(len(e.entries))
	e.entries = append(e.entries, en)
	st := en.st
	if st.NotAction {
		e.anySvc = append(e.anySvc, id)
		return
	}
	wildSvcs := map[string]bool{}
	for i := range st.Actions {
		a := &st.Actions[i]
		if a.any || a.svcWild {
			e.anySvc = append(e.anySvc, id)
			return
		}
		if !a.name.IsLiteral() {
			wildSvcs[a.Service] = true
		}
	}
	for svc := range wildSvcs {
		e.bySvc[svc] = append(e.bySvc[svc], id)
	}
	seen := map[string]bool{}
	for i := range st.Actions {
		a := &st.Actions[i]
		if wildSvcs[a.Service] {
			continue
		}
		key := a.Service + ":" + a.name.Source()
		if !seen[key] {
			seen[key] = true
			e.exact[key] = append(e.exact[key], id)
		}
	}
}

// Set returns the policies the evaluator was built from.
func (e *Evaluator) Set() Set { return e.set }

// Decide decides a request. It is the hot path: no allocation beyond
// lower-casing an action given in mixed case, and it returns as soon as a Deny
// applies. Explain gives the same decision with its reasons.
func (e *Evaluator) Decide(req *Request) Decision {
	var f flags
	rc := prepare(req, &e.set)
	var keyBuf [128]byte
	key := append(append(append(keyBuf[:0], rc.svc...), ':'), rc.name...)
	if e.scan(e.exact[string(key)], req, &rc, false, &f) ||
		e.scan(e.bySvc[rc.svc], req, &rc, true, &f) ||
		e.scan(e.anySvc, req, &rc, true, &f) {
		return ExplicitDeny
	}
	d, _ := combine(&e.set, req, &f)
	return d
}

// scan evaluates candidate statements into f; it returns true on an applicable Deny.
func (e *Evaluator) scan(ids []int32, req *Request, rc *prepared, checkAction bool, f *flags) bool {
	for _, id := range ids {
		en := &e.entries[id]
		// Once a category has an applicable Allow, more of its Allows change
		// nothing: only a Deny still can.
		if en.st.Effect == Allow && f.allowed(en.category) {
			continue
		}
		ok, g := en.st.applies(req, rc, checkAction, en.category)
		if !ok {
			continue
		}
		if en.st.Effect == Deny {
			f.deny, f.denyCategory = true, en.category
			return true
		}
		f.allow(en.category, g)
	}
	return false
}

func (f *flags) allowed(cat Category) bool {
	switch cat {
	case CategorySCP:
		return f.allowSCP
	case CategoryIdentity:
		return f.allowIdentity
	case CategoryBoundary:
		return f.allowBoundary
	case CategorySession:
		return f.allowSession
	}
	return f.resourceGrant == grantDirect
}

func (f *flags) allow(cat Category, g grant) {
	switch cat {
	case CategorySCP:
		f.allowSCP = true
	case CategoryIdentity:
		f.allowIdentity = true
	case CategoryBoundary:
		f.allowBoundary = true
	case CategorySession:
		f.allowSession = true
	case CategoryResource:
		if g > f.resourceGrant {
			f.resourceGrant = g
		}
	}
}

// Evaluate is a convenience: it builds an Evaluator and explains one request.
func Evaluate(s Set, req *Request) *Result {
	return NewEvaluator(s).Explain(req)
}
