// Package policy is Wharf's IAM policy engine: it parses the AWS IAM policy
// language, compiles it, decides requests the way AWS documents (explicit deny,
// resource policies, permissions boundaries, session policies, SCPs), explains
// every decision for a person, and validates documents the way IAM Access
// Analyzer's ValidatePolicy does.
//
// The package is pure. It does no I/O, keeps no global state, reads no clock
// (callers put aws:CurrentTime in the request context) and is safe for
// concurrent use once a policy is compiled. It imports only the standard library
// and its own subpackages; a test enforces that.
//
// The life of a policy: Parse turns a document into a *Policy (or a
// *SyntaxError naming the JSON path and the rule, the text IAM's
// MalformedPolicyDocument would carry); NewEvaluator indexes the policies that
// apply to one principal; Evaluator.Decide answers a Request on the hot path and
// Evaluator.Explain answers it with reasons.
package policy

import (
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/internal/policy/condition"
	"github.com/wharf-project/wharf/internal/policy/pattern"
)

// Effect is a statement's Effect.
type Effect uint8

const (
	// Allow grants.
	Allow Effect = iota + 1
	// Deny forbids, overriding every Allow.
	Deny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "?"
}

// Versions of the policy language.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed, compiled policy document.
type Policy struct {
	// Version as written; empty when the document has none (then 2008-10-17 rules apply).
	Version    string
	ID         string
	Statements []*Statement
	Kind       Kind
	src        []byte
	root       *node
}

// Source returns the document the policy was parsed from.
func (p *Policy) Source() []byte { return p.src }

// Variables reports whether policy variables are in force (Version 2012-10-17).
func (p *Policy) Variables() bool { return p.Version == Version2012 }

// Statement is one compiled statement.
type Statement struct {
	Index  int    // position in the Statement list, from 0
	Sid    string // may be empty
	Effect Effect

	// Principal or NotPrincipal (resource and trust policies only).
	Principals   []Principal
	NotPrincipal bool
	HasPrincipal bool

	Actions   []ActionPattern
	NotAction bool

	// Resources is empty when the statement names none, which resource policies
	// such as ECR repository policies may do: the statement then applies to the
	// resource the policy is attached to.
	Resources   []pattern.ARN
	NotResource bool

	Condition condition.Block

	// Where the statement is in the source document.
	Start, End Position

	policy *Policy
}

// Label names the statement for people: its Sid, or its index.
func (s *Statement) Label() string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("#%d", s.Index)
}

// Policy returns the policy the statement belongs to.
func (s *Statement) Policy() *Policy { return s.policy }

// Position is a place in a policy document, 1-based.
type Position struct {
	Line, Column, Offset int
}

// ActionPattern is one Action or NotAction value, compiled.
type ActionPattern struct {
	Source  string // as written
	Service string // lower-cased service prefix; may hold wildcards
	any     bool   // "*"
	name    pattern.String
	full    pattern.String // service:name, lower-cased, for a service with wildcards
	svcWild bool
}

// Match reports whether a lower-cased "service:action" matches.
func (a *ActionPattern) Match(lowerService, lowerName string) bool {
	switch {
	case a.any:
		return true
	case a.svcWild:
		return a.full.Match(lowerService+":"+lowerName, nil)
	}
	return a.Service == lowerService && a.name.Match(lowerName, nil)
}

// IsAny reports whether the pattern is "*".
func (a *ActionPattern) IsAny() bool { return a.any }

// IsLiteral reports whether the pattern names exactly one action.
func (a *ActionPattern) IsLiteral() bool { return !a.any && !a.svcWild && a.name.IsLiteral() }

// Name returns the lower-cased action name of a literal pattern (without service).
func (a *ActionPattern) Name() string { return a.name.Source() }

func compileAction(s string) (ActionPattern, error) {
	if s == "*" {
		return ActionPattern{Source: s, any: true}, nil
	}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || colon == len(s)-1 {
		return ActionPattern{}, fmt.Errorf("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.: %q is not service:action", s)
	}
	lower := strings.ToLower(s)
	svc, name := lower[:colon], lower[colon+1:]
	a := ActionPattern{Source: s, Service: svc}
	if strings.ContainsAny(svc, "*?") {
		a.svcWild = true
		a.full, _ = pattern.Compile(lower, pattern.Wildcards)
		return a, nil
	}
	if strings.ContainsAny(name, ":") {
		return ActionPattern{}, fmt.Errorf("action %q has more than one colon", s)
	}
	a.name, _ = pattern.Compile(name, pattern.Wildcards)
	return a, nil
}

// PrincipalKind is the kind of a Principal element entry.
type PrincipalKind uint8

// Principal entry kinds, as IAM distinguishes them in evaluation.
const (
	PrincipalEveryone      PrincipalKind = iota + 1 // "*" or {"AWS": "*"}
	PrincipalAccount                                // "123456789012" or arn:…:root
	PrincipalUser                                   // arn:aws:iam::ACCT:user/…
	PrincipalRole                                   // arn:aws:iam::ACCT:role/…
	PrincipalRoleSession                            // arn:aws:sts::ACCT:assumed-role/R/S
	PrincipalFederatedUser                          // arn:aws:sts::ACCT:federated-user/N
	PrincipalUniqueID                               // AIDA…/AROA…: an entity that was deleted
	PrincipalService                                // {"Service": "…"}
	PrincipalFederated                              // {"Federated": "…"}
	PrincipalCanonicalUser                          // {"CanonicalUser": "…"}
)

// Principal is one entry of a Principal or NotPrincipal element.
type Principal struct {
	Kind    PrincipalKind
	Value   string // as written
	Account string // for AWS entries
	Name    string // role name for PrincipalRole (without path)
}
