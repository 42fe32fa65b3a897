package iam

import (
	"context"
	"fmt"
	"strings"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// ContextEntry is one of SimulateXxxPolicy's ContextEntries.
type ContextEntry struct {
	Key    string
	Values []string
	Type   string
}

// SimulateInput is the request of SimulateCustomPolicy and SimulatePrincipalPolicy.
type SimulateInput struct {
	PolicySourceArn   string   // SimulatePrincipalPolicy only
	PolicyInputList   []string // extra (principal) or the only (custom) identity policies
	BoundaryInputList []string
	ActionNames       []string
	ResourceArns      []string
	ResourcePolicy    string
	ResourceOwner     string
	CallerArn         string
	ContextEntries    []ContextEntry
}

func (in *SimulateInput) check() error {
	if len(in.ActionNames) == 0 {
		return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	for _, c := range in.ContextEntries {
		t := strings.TrimSuffix(strings.ToLower(c.Type), "list")
		switch t {
		case "string", "numeric", "boolean", "ip", "binary", "date":
		default:
			return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at 'contextEntries.member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set: [string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList]", c.Type)
		}
		if len(c.Key) < 5 || len(c.Key) > 256 {
			return errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at 'contextEntries.member.contextKeyName' failed to satisfy constraint: Member must have length between 5 and 256", c.Key)
		}
	}
	return nil
}

func compileInputs(docs []string, kind policy.Kind, idPrefix, typ string) ([]policy.Attached, error) {
	var out []policy.Attached
	for i, d := range docs {
		p, err := policy.ParseString(d, kind)
		if err != nil {
			return nil, errs.Coded(errs.Invalid, "MalformedPolicyDocument", "%s %d: %v", idPrefix, i+1, err)
		}
		out = append(out, policy.Attached{Source: policy.Source{ID: fmt.Sprintf("%s%d", idPrefix, i+1), Type: typ}, Policy: p})
	}
	return out, nil
}

// simulate evaluates every action on every resource against set.
func (s *Service) simulate(call *authz.Call, set policy.Set, caller policy.Caller, in SimulateInput) ([]policy.EvaluationResult, error) {
	if in.ResourcePolicy != "" {
		rp, err := compileInputs([]string{in.ResourcePolicy}, policy.ResourcePolicy, "ResourcePolicy", "resource")
		if err != nil {
			return nil, err
		}
		set.Resource = rp
	}
	ctx := policy.NewContext()
	for _, c := range in.ContextEntries {
		ctx.Set(c.Key, c.Values...)
	}
	caller.AddContext(ctx, call.Now)
	resources := in.ResourceArns
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	ev := policy.NewEvaluator(set)
	var out []policy.EvaluationResult
	for _, a := range in.ActionNames {
		for _, r := range resources {
			req := &policy.Request{Caller: caller, Action: a, Resource: r, ResourceAccount: ownerAccount(in.ResourceOwner), Context: ctx}
			out = append(out, ev.Explain(req).EvaluationResult())
		}
	}
	return out, nil
}

// ownerAccount reads ResourceOwner, "an ARN representing the AWS account ID"
// (arn:aws:iam::123456789012:root); a bare account ID is taken as well.
func ownerAccount(owner string) string {
	if parts := strings.SplitN(owner, ":", 6); len(parts) == 6 {
		return parts[4]
	}
	return owner
}

func simulationCaller(account, callerARN string) (policy.Caller, error) {
	if callerARN == "" {
		return policy.Caller{Kind: policy.CallerUser, Account: account}, nil
	}
	c, err := policy.CallerFromARN(callerARN)
	if err != nil || c.Kind != policy.CallerUser {
		return c, errs.Coded(errs.Invalid, "InvalidInput", "Invalid CallerArn %s: it must be an IAM user ARN.", callerARN)
	}
	return c, nil
}

// SimulateCustomPolicy evaluates the given policies, as aws iam
// simulate-custom-policy does, with the engine that enforces.
func (s *Service) SimulateCustomPolicy(ctx context.Context, call *authz.Call, in SimulateInput) ([]policy.EvaluationResult, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if len(in.PolicyInputList) == 0 {
		return nil, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null")
	}
	var set policy.Set
	var err error
	if set.Identity, err = compileInputs(in.PolicyInputList, policy.IdentityPolicy, "PolicyInputList.", "none"); err != nil {
		return nil, err
	}
	if set.Boundary, err = compileInputs(in.BoundaryInputList, policy.IdentityPolicy, "PermissionsBoundaryPolicyInputList.", "none"); err != nil {
		return nil, err
	}
	caller, err := simulationCaller(account(call), in.CallerArn)
	if err != nil {
		return nil, err
	}
	var out []policy.EvaluationResult
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:SimulateCustomPolicy", "*"); err != nil {
			return err
		}
		out, err = s.simulate(call, set, caller, in)
		return err
	})
	return out, err
}

// SimulatePrincipalPolicy evaluates a stored user's, group's or role's
// policies (plus any given), as aws iam simulate-principal-policy does.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, call *authz.Call, in SimulateInput) ([]policy.EvaluationResult, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	extra, err := compileInputs(in.PolicyInputList, policy.IdentityPolicy, "PolicyInputList.", "none")
	if err != nil {
		return nil, err
	}
	boundary, err := compileInputs(in.BoundaryInputList, policy.IdentityPolicy, "PermissionsBoundaryPolicyInputList.", "none")
	if err != nil {
		return nil, err
	}
	caller, perr := policy.CallerFromARN(in.PolicySourceArn)
	var out []policy.EvaluationResult
	err = store.View(ctx, s.store, func(tx store.Tx) error {
		if err := s.authorize(tx, call, "iam:SimulatePrincipalPolicy", in.PolicySourceArn); err != nil {
			return err
		}
		var set policy.Set
		kind, name := principalSource(in.PolicySourceArn)
		switch {
		case perr == nil && caller.Kind == policy.CallerUser && caller.Account == account(call):
			u, err := tx.Users().Get(caller.Account, caller.UserName)
			if err != nil {
				return notFound(err, "user", caller.UserName)
			}
			caller.UserID = u.ID
			subject := &authz.Subject{Caller: caller}
			if set, err = s.authz.PolicySet(tx, subject); err != nil {
				return err
			}
		case kind == store.KindRole || kind == store.KindGroup:
			e, err := s.entity(tx, call, kind, name, "iam:SimulatePrincipalPolicy")
			if err != nil {
				return err
			}
			if err := s.entityPolicySet(tx, e, &set); err != nil {
				return err
			}
			if kind == store.KindRole {
				r, _ := tx.Roles().Get(e.AccountID, e.Name)
				caller = policy.Caller{Kind: policy.CallerRoleSession, Account: e.AccountID, ARN: "arn:aws:sts::" + e.AccountID + ":assumed-role/" + r.Name + "/simulation", RoleARN: s.RoleARN(r), UserID: r.ID + ":simulation"}
			} else {
				caller, err = simulationCaller(account(call), in.CallerArn)
				if err != nil {
					return err
				}
			}
		default:
			return errs.Coded(errs.Invalid, "InvalidInput", "Invalid PolicySourceArn %s: name a user, group or role of this account.", in.PolicySourceArn)
		}
		set.Identity = append(set.Identity, extra...)
		if len(boundary) > 0 {
			set.Boundary = boundary
		}
		var err error
		out, err = s.simulate(call, set, caller, in)
		return err
	})
	return out, err
}

func principalSource(arn string) (store.EntityKind, string) {
	i := strings.LastIndexByte(arn, ':')
	if i < 0 {
		return "", ""
	}
	res := arn[i+1:]
	name := res[strings.LastIndexByte(res, '/')+1:]
	switch {
	case strings.HasPrefix(res, "role/"):
		return store.KindRole, name
	case strings.HasPrefix(res, "group/"):
		return store.KindGroup, name
	case strings.HasPrefix(res, "user/"):
		return store.KindUser, name
	}
	return "", ""
}

// entityPolicySet gathers a group's or role's policies (and a role's boundary).
func (s *Service) entityPolicySet(tx store.Tx, e store.Entity, set *policy.Set) error {
	switch e.Kind {
	case store.KindRole:
		r, err := tx.Roles().Get(e.AccountID, e.Name)
		if err != nil {
			return err
		}
		sub := &authz.Subject{Caller: policy.Caller{Kind: policy.CallerRoleSession, Account: e.AccountID}, RoleName: r.Name}
		got, err := s.authz.PolicySet(tx, sub)
		*set = got
		return err
	case store.KindGroup:
		return s.authz.GroupPolicies(tx, e, &set.Identity)
	}
	return nil
}
