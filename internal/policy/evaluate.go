package policy

import "github.com/wharf-project/wharf/internal/policy/pattern"

// Decision is the outcome of evaluating a request, named as IAM's simulator names it.
type Decision uint8

const (
	// ImplicitDeny: nothing allows the request (the default).
	ImplicitDeny Decision = iota
	// Allowed: the request is allowed.
	Allowed
	// ExplicitDeny: a Deny statement applies; nothing can override it.
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// ParseDecision parses "allowed", "explicitDeny" or "implicitDeny".
func ParseDecision(s string) (Decision, bool) {
	switch s {
	case "allowed":
		return Allowed, true
	case "explicitDeny":
		return ExplicitDeny, true
	case "implicitDeny":
		return ImplicitDeny, true
	}
	return 0, false
}

// Category is the role a policy plays in an evaluation.
type Category uint8

// Policy categories, in the order AWS's evaluation logic considers them.
const (
	CategorySCP Category = iota
	CategoryResource
	CategoryIdentity
	CategoryBoundary
	CategorySession
)

// Phrase names the category as AWS's AccessDenied messages do.
func (c Category) Phrase() string {
	return [...]string{"service control policy", "resource-based policy", "identity-based policy", "permissions boundary", "session policy"}[c]
}

// Source identifies a policy for explanations and simulation results.
type Source struct {
	// ID names the policy: an inline policy's name, a managed policy's ARN,
	// or a file name.
	ID string
	// Type is SimulatePrincipalPolicy's SourcePolicyType: user, group, role,
	// aws-managed, user-managed, resource or none.
	Type string
}

// Attached is a compiled policy together with where it comes from.
type Attached struct {
	Source
	Policy *Policy
}

// Set is every policy that applies to one principal (and, optionally, one resource).
type Set struct {
	// Identity: a user's inline and managed policies and those of its groups,
	// or a role's.
	Identity []Attached
	// Boundary: the permissions boundary, if the principal has one.
	Boundary []Attached
	// Session: session policies, if the principal is a session that was given any.
	Session []Attached
	// SCPs: service control policies of the principal's organization, if any.
	SCPs []Attached
	// Resource: the resource's own policy (an ECR Public repository policy).
	Resource []Attached
}

// flags are what a scan of the policies found; combine turns them into a decision.
type flags struct {
	deny          bool
	denyCategory  Category
	allowSCP      bool
	allowIdentity bool
	allowBoundary bool
	allowSession  bool
	// resourceGrant is how specifically an applicable resource-policy Allow named
	// the caller (grantNone when none applies).
	resourceGrant grant
}

// grant ranks how a resource-based policy names the caller, which decides
// whether its Allow stands on its own (IAM User Guide, policy evaluation logic).
type grant uint8

const (
	grantNone    grant = iota
	grantAccount       // the account: delegation only, identity policies must allow
	grantRole          // the role of a role session: still limited by boundary and session policy
	grantDirect        // the user, the session, or everyone: an Allow on its own
)

// reason says which rule decided an implicit deny.
type reason uint8

const (
	reasonNone reason = iota
	reasonNoSCPAllow
	reasonNoIdentityAllow
	reasonNoBoundaryAllow
	reasonNoSessionAllow
	reasonNoResourceAllow // cross-account or anonymous without a resource-policy Allow
)

// combine applies AWS's evaluation logic to what the scan found.
func combine(s *Set, req *Request, f *flags) (Decision, reason) {
	if f.deny {
		return ExplicitDeny, reasonNone
	}
	if len(s.SCPs) > 0 && req.Caller.Kind != CallerAnonymous && !f.allowSCP {
		return ImplicitDeny, reasonNoSCPAllow
	}
	hasBoundary, hasSession := len(s.Boundary) > 0, len(s.Session) > 0
	if req.Caller.Kind == CallerAnonymous {
		if f.resourceGrant == grantDirect {
			return Allowed, reasonNone
		}
		return ImplicitDeny, reasonNoResourceAllow
	}
	sameAccount := req.resourceAccount() == req.Caller.Account
	if sameAccount {
		switch f.resourceGrant {
		case grantDirect:
			return Allowed, reasonNone
		case grantRole:
			switch {
			case hasBoundary && !f.allowBoundary:
				return ImplicitDeny, reasonNoBoundaryAllow
			case hasSession && !f.allowSession:
				return ImplicitDeny, reasonNoSessionAllow
			}
			return Allowed, reasonNone
		}
		if req.Caller.Kind == CallerRoot {
			// The account root user is allowed everything in its own account
			// unless a Deny or an SCP says otherwise.
			return Allowed, reasonNone
		}
	}
	switch {
	case !f.allowIdentity && req.Caller.Kind != CallerRoot:
		// The root user needs no identity policy: it may do everything its
		// account may. Across accounts the resource policy must still allow.
		return ImplicitDeny, reasonNoIdentityAllow
	case hasBoundary && !f.allowBoundary:
		return ImplicitDeny, reasonNoBoundaryAllow
	case hasSession && !f.allowSession:
		return ImplicitDeny, reasonNoSessionAllow
	case !sameAccount && f.resourceGrant == grantNone:
		return ImplicitDeny, reasonNoResourceAllow
	}
	return Allowed, reasonNone
}

// principalGrant reports how a statement's Principal (or NotPrincipal) names the
// caller; bounded says the caller has a permissions boundary.
func principalGrant(st *Statement, c *Caller, bounded bool) grant {
	best := grantNone
	for i := range st.Principals {
		if g := principalMatches(&st.Principals[i], c); g > best {
			best = g
		}
	}
	if st.NotPrincipal {
		// NotPrincipal exempts only the caller itself: listing a user's account
		// or a session's role does not exempt the user or the session (AWS's
		// examples: [Bob, Bob's account] denies every principal except Bob). A
		// Deny with NotPrincipal always applies to a principal that has a
		// permissions boundary. IAM User Guide, reference_policies_elements_notprincipal.
		if best == grantDirect && !(bounded && st.Effect == Deny) {
			return grantNone
		}
		return grantDirect
	}
	return best
}

func principalMatches(p *Principal, c *Caller) grant {
	switch p.Kind {
	case PrincipalEveryone:
		return grantDirect
	case PrincipalAccount:
		if c.Kind != CallerAnonymous && c.Kind != CallerService && c.Account == p.Account {
			if c.Kind == CallerRoot {
				return grantDirect
			}
			return grantAccount
		}
	case PrincipalUser:
		if c.Kind == CallerUser && c.ARN == p.Value {
			return grantDirect
		}
	case PrincipalRole:
		if c.Kind == CallerRoleSession && c.RoleARN == p.Value {
			return grantRole
		}
	case PrincipalRoleSession, PrincipalFederatedUser:
		if c.ARN == p.Value && c.ARN != "" {
			return grantDirect
		}
	case PrincipalUniqueID:
		switch {
		case c.Kind == CallerUser && c.UserID == p.Value:
			return grantDirect
		case c.Kind == CallerRoleSession && len(c.UserID) > len(p.Value) && c.UserID[:len(p.Value)] == p.Value && c.UserID[len(p.Value)] == ':':
			return grantRole
		}
	case PrincipalService:
		if c.Kind == CallerService && c.Service == p.Value {
			return grantDirect
		}
	}
	return grantNone
}

// applies reports whether a statement applies to the request: action, resource,
// principal (resource policies) and condition all match. checkAction is false when
// the index already established the action matches.
func (st *Statement) applies(req *Request, rc *prepared, checkAction bool, cat Category) (bool, grant) {
	if checkAction && !st.matchAction(rc.svc, rc.name) {
		return false, grantNone
	}
	if !st.matchPrepared(req, rc) {
		return false, grantNone
	}
	g := grantNone
	if cat == CategoryResource {
		if g = principalGrant(st, &req.Caller, rc.bounded); g == grantNone {
			return false, grantNone
		}
	}
	if len(st.Condition) > 0 && !st.Condition.Eval(req.Context) {
		return false, grantNone
	}
	return true, g
}

func (st *Statement) matchAction(svc, name string) bool {
	for i := range st.Actions {
		if st.Actions[i].Match(svc, name) {
			return !st.NotAction
		}
	}
	return st.NotAction
}

// prepared is a request's action and resource, lower-cased and split once per
// evaluation rather than once per statement.
type prepared struct {
	svc, name string
	segs      [6]string
	isARN     bool
	bounded   bool // the caller has a permissions boundary
}

func prepare(req *Request, s *Set) prepared {
	var rc prepared
	rc.svc, rc.name = lowerAction(req.Action)
	rc.segs, rc.isARN = pattern.Split(req.Resource)
	rc.bounded = len(s.Boundary) > 0
	return rc
}

func (st *Statement) matchPrepared(req *Request, rc *prepared) bool {
	if !rc.isARN {
		return st.matchResource(req)
	}
	if len(st.Resources) == 0 {
		return true
	}
	for i := range st.Resources {
		if st.Resources[i].MatchSplit(&rc.segs, req.Context) {
			return !st.NotResource
		}
	}
	return st.NotResource
}

func (st *Statement) matchResource(req *Request) bool {
	if len(st.Resources) == 0 {
		return true // a resource policy statement without Resource: the resource itself
	}
	for i := range st.Resources {
		if st.Resources[i].Match(req.Resource, req.Context) {
			return !st.NotResource
		}
	}
	return st.NotResource
}
