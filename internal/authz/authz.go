// Package authz answers "may this caller do this?" for the services: it
// gathers the policies that apply to a principal from the store (a user's
// inline and attached policies and its groups'; a role's; the permissions
// boundary; a session's policies), compiles them once (cached by document),
// and asks the pure policy engine. Denials come back as errs.Denied carrying
// AWS's AccessDenied wording plus the engine's explanation.
//
// It never reads an HTTP request: callers describe the request with a Call.
package authz

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// Subject is an authenticated principal.
type Subject struct {
	Caller policy.Caller
	// AccessKeyID is the key the request was signed with.
	AccessKeyID string
	// SessionToken is the session token of temporary credentials ("" for
	// long-term keys); registry passwords carry it so that every registry
	// request re-checks the session.
	SessionToken string
	// SessionPolicies are a role session's session policies (inline and managed).
	SessionPolicies []policy.Attached
	// RoleName is, for a role session, the role's name.
	RoleName string
	// Expires is when temporary credentials stop working (zero for long-term keys).
	Expires time.Time
}

// Call describes one request for authorization: who makes it and the request
// facts AWS turns into global condition keys.
type Call struct {
	Subject         *Subject
	SourceIP        string
	SecureTransport bool
	Region          string
	UserAgent       string
	Now             time.Time
}

// Context returns the request context AWS would build for the call.
func (c *Call) Context() *policy.Context {
	ctx := policy.NewContext()
	if c.SourceIP != "" {
		ctx.Set("aws:SourceIp", c.SourceIP)
	}
	ctx.Set("aws:SecureTransport", fmt.Sprint(c.SecureTransport))
	if c.Region != "" {
		ctx.Set("aws:RequestedRegion", c.Region)
	}
	if c.UserAgent != "" {
		ctx.Set("aws:UserAgent", c.UserAgent)
	}
	ctx.Set("aws:ViaAWSService", "false")
	if c.Subject != nil {
		if c.Subject.Caller.Kind == policy.CallerRoleSession {
			ctx.Set("aws:MultiFactorAuthPresent", "false")
			if !c.Subject.Expires.IsZero() {
				ctx.Set("aws:TokenIssueTime", c.Now.UTC().Format(time.RFC3339))
			}
		}
		c.Subject.Caller.AddContext(ctx, c.Now)
	}
	return ctx
}

// Authorizer gathers and caches policies.
type Authorizer struct {
	mu    sync.Mutex
	cache map[[32]byte]*policy.Policy
}

// New returns an Authorizer.
func New() *Authorizer { return &Authorizer{cache: map[[32]byte]*policy.Policy{}} }

// maxCached bounds the compiled-policy cache; past it, the cache starts over.
const maxCached = 10_000

// Compile parses a policy document, reusing an earlier compilation of the same text.
func (a *Authorizer) Compile(doc string, kind policy.Kind) (*policy.Policy, error) {
	key := sha256.Sum256(append([]byte{byte(kind)}, doc...))
	a.mu.Lock()
	p, ok := a.cache[key]
	a.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.ParseString(doc, kind)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.cache) >= maxCached {
		a.cache = map[[32]byte]*policy.Policy{}
	}
	a.cache[key] = p
	a.mu.Unlock()
	return p, nil
}

// PolicySet gathers every policy that applies to the subject.
func (a *Authorizer) PolicySet(tx store.Tx, s *Subject) (policy.Set, error) {
	var set policy.Set
	c := s.Caller
	switch c.Kind {
	case policy.CallerUser:
		u, err := tx.Users().Get(c.Account, c.UserName)
		if err != nil {
			return set, err
		}
		e := store.Entity{AccountID: c.Account, Kind: store.KindUser, Name: u.Name}
		if err := a.entityPolicies(tx, e, "user", &set.Identity); err != nil {
			return set, err
		}
		groups, err := allGroups(tx, c.Account, u.Name)
		if err != nil {
			return set, err
		}
		for _, g := range groups {
			ge := store.Entity{AccountID: c.Account, Kind: store.KindGroup, Name: g.Name}
			if err := a.entityPolicies(tx, ge, "group", &set.Identity); err != nil {
				return set, err
			}
		}
		if u.PermissionsBoundary != "" {
			if err := a.managed(tx, u.PermissionsBoundary, &set.Boundary); err != nil {
				return set, err
			}
		}
	case policy.CallerRoleSession:
		r, err := tx.Roles().Get(c.Account, s.RoleName)
		if err != nil {
			return set, err
		}
		e := store.Entity{AccountID: c.Account, Kind: store.KindRole, Name: r.Name}
		if err := a.entityPolicies(tx, e, "role", &set.Identity); err != nil {
			return set, err
		}
		if r.PermissionsBoundary != "" {
			if err := a.managed(tx, r.PermissionsBoundary, &set.Boundary); err != nil {
				return set, err
			}
		}
		set.Session = s.SessionPolicies
	}
	return set, nil
}

func allGroups(tx store.Tx, account, user string) ([]store.Group, error) {
	var out []store.Group
	p := store.Page{Max: 1000}
	for {
		gs, more, err := tx.Groups().GroupsForUser(account, user, p)
		if err != nil {
			return nil, err
		}
		out = append(out, gs...)
		if !more || len(gs) == 0 {
			return out, nil
		}
		p.Marker = gs[len(gs)-1].Name
	}
}

func (a *Authorizer) entityPolicies(tx store.Tx, e store.Entity, inlineType string, into *[]policy.Attached) error {
	inline, err := tx.Policies().ListInline(e)
	if err != nil {
		return err
	}
	for _, ip := range inline {
		p, err := a.Compile(ip.Document, policy.IdentityPolicy)
		if err != nil {
			return fmt.Errorf("stored inline policy %s of %s %s no longer parses: %w", ip.Name, e.Kind, e.Name, err)
		}
		*into = append(*into, policy.Attached{Source: policy.Source{ID: ip.Name, Type: inlineType}, Policy: p})
	}
	attached, err := tx.Policies().Attached(e)
	if err != nil {
		return err
	}
	for _, mp := range attached {
		if err := a.managed(tx, mp.ARN, into); err != nil {
			return err
		}
	}
	return nil
}

// managed adds the default version of a managed policy.
func (a *Authorizer) managed(tx store.Tx, arn string, into *[]policy.Attached) error {
	mp, err := tx.Policies().Get(arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil // a boundary naming a deleted policy grants nothing
	}
	if err != nil {
		return err
	}
	v, err := tx.Policies().GetVersion(arn, mp.DefaultVersionID)
	if err != nil {
		return err
	}
	p, err := a.Compile(v.Document, policy.IdentityPolicy)
	if err != nil {
		return fmt.Errorf("stored policy %s %s no longer parses: %w", arn, v.VersionID, err)
	}
	typ := "user-managed"
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		typ = "aws-managed"
	}
	*into = append(*into, policy.Attached{Source: policy.Source{ID: arn, Type: typ}, Policy: p})
	return nil
}

// Authorize decides one action on one resource. resourcePolicies are the
// resource's own policies (nil for IAM resources). It returns nil when
// allowed, and an errs.Denied error whose message is AWS's AccessDenied text
// followed by the engine's explanation otherwise.
func (a *Authorizer) Authorize(tx store.Tx, call *Call, action, resource string, resourcePolicies []policy.Attached, extra map[string][]string) error {
	if call == nil || call.Subject == nil {
		return errs.Coded(errs.Unauthenticated, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	set, err := a.PolicySet(tx, call.Subject)
	if err != nil {
		return err
	}
	set.Resource = resourcePolicies
	ctx := call.Context()
	for k, v := range extra {
		ctx.Set(k, v...)
	}
	req := &policy.Request{Caller: call.Subject.Caller, Action: action, Resource: resource, Context: ctx}
	if strings.Count(resource, ":") >= 5 && strings.Split(resource, ":")[4] == "aws" {
		// AWS-owned resources (AWS-managed policies) are read in the caller's
		// own account: they are not another account's resources.
		req.ResourceAccount = call.Subject.Caller.Account
	}
	ev := policy.NewEvaluator(set)
	if ev.Decide(req) == policy.Allowed {
		return nil
	}
	res := ev.Explain(req)
	return &errs.Error{Kind: errs.Denied, Code: "AccessDenied", Message: res.Message() + ".\n" + res.Details()}
}

// GroupPolicies adds a group's inline and attached policies.
func (a *Authorizer) GroupPolicies(tx store.Tx, e store.Entity, into *[]policy.Attached) error {
	return a.entityPolicies(tx, e, "group", into)
}
