// Package sts is Wharf's Security Token Service: GetCallerIdentity,
// AssumeRole (the role's trust policy evaluated by the policy engine, session
// policies applied) and GetSessionToken.
//
// Temporary credentials are stateless: the session token is the session
// itself (who, which role, which session policies, when it expires, and the
// secret) sealed with AES-GCM under the server's key, so any replica holding
// the key can verify a request without a database read, and nothing about a
// session is stored.
package sts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
)

// Service implements STS.
type Service struct {
	store store.Store
	authz *authz.Authorizer
	iam   *iam.Service
	box   *secrets.Box
	now   func() time.Time
}

// New returns the STS service.
func New(st store.Store, az *authz.Authorizer, iamSvc *iam.Service, box *secrets.Box, now func() time.Time) *Service {
	return &Service{store: st, authz: az, iam: iamSvc, box: box, now: now}
}

// Identity is GetCallerIdentity's answer.
type Identity struct {
	UserID, Account, ARN string
}

// GetCallerIdentity says who signed the request. It needs no permission: AWS
// answers it even when every action is explicitly denied.
func (s *Service) GetCallerIdentity(call *authz.Call) Identity {
	c := call.Subject.Caller
	return Identity{UserID: c.UserID, Account: c.Account, ARN: c.ARN}
}

// Credentials are temporary credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// AssumeRoleInput is AssumeRole's request.
type AssumeRoleInput struct {
	RoleArn         string
	RoleSessionName string
	DurationSeconds int
	Policy          string
	PolicyArns      []string
	ExternalID      string
	SourceIdentity  string
}

// AssumedRole is AssumeRole's answer.
type AssumedRole struct {
	Credentials      Credentials
	AssumedRoleID    string
	ARN              string
	PackedPolicySize int
	SourceIdentity   string
}

var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// maxSessionPolicyChars is the session policy quota (inline plus managed ARNs).
const maxSessionPolicyChars = 2048

// session is what a session token carries.
type session struct {
	AccessKeyID string    `json:"k"`
	Secret      string    `json:"s"`
	Account     string    `json:"a"`
	Kind        string    `json:"t"` // "role" or "user"
	ARN         string    `json:"arn"`
	UserID      string    `json:"uid"`
	UserName    string    `json:"u,omitempty"`
	RoleName    string    `json:"r,omitempty"`
	RoleARN     string    `json:"ra,omitempty"`
	Policies    []string  `json:"p,omitempty"` // session policy documents
	PolicyARNs  []string  `json:"pa,omitempty"`
	Expires     time.Time `json:"e"`
	Issued      time.Time `json:"i"`
}

// AssumeRole returns credentials for a role when its trust policy allows the
// caller (and, for a trust policy naming only the account or a caller from
// another account, the caller's own policies allow sts:AssumeRole too).
func (s *Service) AssumeRole(ctx context.Context, call *authz.Call, in AssumeRoleInput) (AssumedRole, error) {
	var out AssumedRole
	if !sessionNameRE.MatchString(in.RoleSessionName) {
		return out, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* (2 to 64 characters)", in.RoleSessionName)
	}
	if in.DurationSeconds == 0 {
		in.DurationSeconds = 3600
	}
	if in.DurationSeconds < 900 || in.DurationSeconds > 43200 {
		return out, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", in.DurationSeconds)
	}
	if len(in.PolicyArns) > 10 {
		return out, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	packed := len(in.Policy)
	for _, a := range in.PolicyArns {
		packed += len(a)
	}
	if packed > maxSessionPolicyChars {
		return out, errs.Coded(errs.Invalid, "PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space, please use smaller policy.", packed*100/maxSessionPolicyChars)
	}
	if in.Policy != "" {
		if _, err := policy.ParseString(in.Policy, policy.IdentityPolicy); err != nil {
			return out, errs.Coded(errs.Invalid, "MalformedPolicyDocument", "%v", err)
		}
	}
	roleAccount, roleName, ok := parseRoleARN(in.RoleArn)
	if !ok {
		return out, errs.Coded(errs.Invalid, "ValidationError", "%s is not a valid role ARN (arn:aws:iam::ACCOUNT:role/NAME).", in.RoleArn)
	}
	now := s.now().UTC()
	var sess session
	err := store.View(ctx, s.store, func(tx store.Tx) error {
		r, err := tx.Roles().Get(roleAccount, roleName)
		if err != nil || s.iam.RoleARN(r) != in.RoleArn {
			return errs.Coded(errs.Denied, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", call.Subject.Caller.ARN, in.RoleArn)
		}
		if in.DurationSeconds > r.MaxSessionDuration {
			return errs.Coded(errs.Invalid, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		trust, err := s.authz.Compile(r.AssumeRolePolicy, policy.TrustPolicy)
		if err != nil {
			return err
		}
		set, err := s.authz.PolicySet(tx, call.Subject)
		if err != nil {
			return err
		}
		set.Resource = []policy.Attached{{Source: policy.Source{ID: "trust policy of " + in.RoleArn, Type: "resource"}, Policy: trust}}
		ctx := call.Context()
		if in.ExternalID != "" {
			ctx.Set("sts:ExternalId", in.ExternalID)
		}
		if in.SourceIdentity != "" {
			ctx.Set("sts:SourceIdentity", in.SourceIdentity)
		}
		ctx.Set("sts:RoleSessionName", in.RoleSessionName)
		req := &policy.Request{Caller: call.Subject.Caller, Action: "sts:AssumeRole", Resource: in.RoleArn, ResourceAccount: roleAccount, Context: ctx}
		res := policy.NewEvaluator(set).Explain(req)
		if res.Decision != policy.Allowed || !res.AllowedByResourcePolicy {
			msg := res.Message()
			if res.Decision == policy.Allowed {
				msg = "User: " + call.Subject.Caller.ARN + " is not authorized to perform: sts:AssumeRole on resource: " + in.RoleArn + " because the role's trust policy does not allow it"
			}
			return &errs.Error{Kind: errs.Denied, Code: "AccessDenied", Message: msg + ".\n" + res.Details()}
		}
		var docs []string
		for _, a := range in.PolicyArns {
			mp, err := tx.Policies().Get(a)
			if err != nil {
				return errs.Coded(errs.Invalid, "InvalidParameterValue", "Policy %s does not exist or is not attachable.", a)
			}
			v, err := tx.Policies().GetVersion(a, mp.DefaultVersionID)
			if err != nil {
				return err
			}
			docs = append(docs, v.Document)
		}
		if in.Policy != "" {
			docs = append(docs, in.Policy)
		}
		sess = session{Account: r.AccountID, Kind: "role", RoleName: r.Name, RoleARN: s.iam.RoleARN(r),
			ARN: "arn:aws:sts::" + r.AccountID + ":assumed-role/" + r.Name + "/" + in.RoleSessionName, UserID: r.ID + ":" + in.RoleSessionName,
			Policies: docs, PolicyARNs: in.PolicyArns, Issued: now, Expires: now.Add(time.Duration(in.DurationSeconds) * time.Second)}
		// Sessions with session policies: mark "present" even when empty, as AWS does.
		if in.Policy == "" && len(in.PolicyArns) == 0 {
			sess.Policies = nil
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	creds, err := s.issue(&sess)
	if err != nil {
		return out, err
	}
	return AssumedRole{Credentials: creds, AssumedRoleID: sess.UserID, ARN: sess.ARN, PackedPolicySize: packed * 100 / maxSessionPolicyChars, SourceIdentity: in.SourceIdentity}, nil
}

// GetSessionToken returns temporary credentials for the calling IAM user (or root).
func (s *Service) GetSessionToken(ctx context.Context, call *authz.Call, durationSeconds int) (Credentials, error) {
	c := call.Subject.Caller
	if c.Kind == policy.CallerRoleSession || !call.Subject.Expires.IsZero() {
		return Credentials{}, errs.Coded(errs.Denied, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	if durationSeconds == 0 {
		durationSeconds = 43200
	}
	if durationSeconds < 900 || durationSeconds > 129600 {
		return Credentials{}, errs.Coded(errs.Invalid, "ValidationError", "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600", durationSeconds)
	}
	// "If the duration is longer than one hour, the session for AWS account
	// owners defaults to one hour." (STS API reference, GetSessionToken)
	if c.Kind == policy.CallerRoot && durationSeconds > 3600 {
		durationSeconds = 3600
	}
	now := s.now().UTC()
	sess := session{Account: c.Account, Kind: "user", ARN: c.ARN, UserID: c.UserID, UserName: c.UserName, Issued: now, Expires: now.Add(time.Duration(durationSeconds) * time.Second)}
	if c.Kind == policy.CallerRoot {
		sess.Kind = "root"
	}
	return s.issue(&sess)
}

func (s *Service) issue(sess *session) (Credentials, error) {
	id, err := secrets.NewID("ASIA")
	if err != nil {
		return Credentials{}, err
	}
	secret, err := secrets.NewSecretKey()
	if err != nil {
		return Credentials{}, err
	}
	sess.AccessKeyID, sess.Secret = id, secret
	b, err := json.Marshal(sess)
	if err != nil {
		return Credentials{}, err
	}
	sealed, err := s.box.Seal(b, []byte("wharf-sts-session:"+id))
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: base64.StdEncoding.EncodeToString(sealed), Expiration: sess.Expires}, nil
}

// Resolve verifies a session token presented with temporary access key
// keyID and returns the principal and the secret to check the signature with.
// Unknown or tampered tokens are InvalidClientTokenId; expired ones ExpiredToken.
func (s *Service) Resolve(ctx context.Context, keyID, token string) (*authz.Subject, string, error) {
	invalid := errs.Coded(errs.Unauthenticated, "InvalidClientTokenId", "The security token included in the request is invalid.")
	sealed, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return nil, "", invalid
	}
	b, err := s.box.Open(sealed, []byte("wharf-sts-session:"+keyID))
	if err != nil {
		return nil, "", invalid
	}
	var sess session
	if err := json.Unmarshal(b, &sess); err != nil || sess.AccessKeyID != keyID {
		return nil, "", invalid
	}
	if !s.now().Before(sess.Expires) {
		return nil, "", errs.Coded(errs.Unauthenticated, "ExpiredToken", "The security token included in the request is expired")
	}
	sub := &authz.Subject{AccessKeyID: keyID, Expires: sess.Expires}
	switch sess.Kind {
	case "role":
		sub.Caller = policy.Caller{Kind: policy.CallerRoleSession, ARN: sess.ARN, Account: sess.Account, RoleARN: sess.RoleARN, UserID: sess.UserID}
		sub.RoleName = sess.RoleName
		for i, d := range sess.Policies {
			p, err := s.authz.Compile(d, policy.IdentityPolicy)
			if err != nil {
				return nil, "", invalid
			}
			id := "session policy"
			if i < len(sess.PolicyARNs) {
				id = sess.PolicyARNs[i]
			}
			sub.SessionPolicies = append(sub.SessionPolicies, policy.Attached{Source: policy.Source{ID: id, Type: "none"}, Policy: p})
		}
		// The role must still exist: deleting it ends its sessions.
		err := store.View(ctx, s.store, func(tx store.Tx) error {
			_, err := tx.Roles().Get(sess.Account, sess.RoleName)
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, "", invalid
		} else if err != nil {
			return nil, "", err
		}
	case "user":
		sub.Caller = policy.Caller{Kind: policy.CallerUser, ARN: sess.ARN, Account: sess.Account, UserID: sess.UserID, UserName: sess.UserName}
	case "root":
		sub.Caller = policy.Caller{Kind: policy.CallerRoot, ARN: sess.ARN, Account: sess.Account, UserID: sess.Account}
	default:
		return nil, "", invalid
	}
	return sub, sess.Secret, nil
}

func parseRoleARN(arn string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	res := parts[5]
	return parts[4], res[strings.LastIndexByte(res, '/')+1:], true
}
