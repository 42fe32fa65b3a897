package policy

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/arn"
	"github.com/wharf-project/wharf/internal/policy/condition"
	"github.com/wharf-project/wharf/internal/policy/pattern"
)

// Context is the request context (condition keys and values).
type Context = condition.Context

// NewContext returns an empty request context.
func NewContext() *Context { return condition.NewContext() }

// CallerKind is the kind of principal making a request.
type CallerKind uint8

// Caller kinds, with the aws:PrincipalType value AWS gives each.
const (
	CallerAnonymous     CallerKind = iota // "Anonymous"
	CallerUser                            // "User"
	CallerRoleSession                     // "AssumedRole"
	CallerRoot                            // "Account"
	CallerFederatedUser                   // "FederatedUser"
	CallerService                         // an AWS service principal
)

// PrincipalType returns the value of aws:PrincipalType for the kind.
func (k CallerKind) PrincipalType() string {
	return [...]string{"Anonymous", "User", "AssumedRole", "Account", "FederatedUser", "AWSService"}[k]
}

// Caller is the principal a request is made by.
type Caller struct {
	Kind    CallerKind
	ARN     string // user, session or root ARN; empty for anonymous
	Account string // 12-digit account ID; empty for anonymous
	// RoleARN is, for a role session, the ARN of the role (with its path).
	RoleARN string
	// UserID is the unique ID (AIDA… for a user, AROA…:session for a role
	// session, the account ID for root).
	UserID string
	// UserName is the IAM user name (users only).
	UserName string
	// Service is the service principal name (CallerService only).
	Service string
}

// Anonymous is the unauthenticated caller.
func Anonymous() Caller { return Caller{Kind: CallerAnonymous} }

// CallerFromARN derives a Caller from an ARN: an IAM user, root
// (arn:aws:iam::ACCT:root), an assumed-role session or a federated user.
// "anonymous" gives the anonymous caller. Unique IDs are not known offline, so
// UserID is derived deterministically from the ARN in AWS's format.
func CallerFromARN(s string) (Caller, error) {
	if s == "" || strings.EqualFold(s, "anonymous") {
		return Anonymous(), nil
	}
	segs, ok := pattern.Split(s)
	if !ok || segs[0] != "arn" || !arn.IsAccountID(segs[4]) {
		return Caller{}, fmt.Errorf("caller %q is not a user, root, assumed-role or federated-user ARN", s)
	}
	c := Caller{ARN: s, Account: segs[4]}
	res := segs[5]
	switch {
	case segs[2] == "iam" && res == "root":
		c.Kind, c.UserID = CallerRoot, c.Account
	case segs[2] == "iam" && strings.HasPrefix(res, "user/"):
		c.Kind = CallerUser
		c.UserName = res[strings.LastIndexByte(res, '/')+1:]
		c.UserID = syntheticID("AIDA", s)
	case segs[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		parts := strings.Split(res, "/")
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return Caller{}, fmt.Errorf("caller %q: an assumed-role ARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION", s)
		}
		c.Kind = CallerRoleSession
		c.RoleARN = "arn:" + segs[1] + ":iam::" + c.Account + ":role/" + parts[1]
		c.UserID = syntheticID("AROA", c.RoleARN) + ":" + parts[2]
	case segs[2] == "sts" && strings.HasPrefix(res, "federated-user/"):
		c.Kind = CallerFederatedUser
		c.UserID = c.Account + ":" + strings.TrimPrefix(res, "federated-user/")
	default:
		return Caller{}, fmt.Errorf("caller %q is not a user, root, assumed-role or federated-user ARN", s)
	}
	return c, nil
}

// syntheticID makes a stable unique ID in AWS's shape (prefix + 17 base32 characters).
func syntheticID(prefix, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// PrincipalARN is the value of aws:PrincipalArn: for a role session, the role's ARN.
func (c Caller) PrincipalARN() string {
	if c.Kind == CallerRoleSession {
		return c.RoleARN
	}
	return c.ARN
}

// AddContext puts into ctx the keys AWS derives from the principal and the
// clock, unless ctx already has them: aws:username (IAM users only),
// aws:userid, aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
// aws:CurrentTime and aws:EpochTime.
func (c Caller) AddContext(ctx *Context, now time.Time) {
	if c.Kind == CallerUser && c.UserName != "" {
		ctx.SetDefault("aws:username", c.UserName)
	}
	if c.UserID != "" {
		ctx.SetDefault("aws:userid", c.UserID)
	}
	if c.Kind == CallerAnonymous {
		ctx.SetDefault("aws:PrincipalAccount", "anonymous")
		ctx.SetDefault("aws:userid", "anonymous")
	} else {
		if a := c.PrincipalARN(); a != "" {
			ctx.SetDefault("aws:PrincipalArn", a)
		}
		ctx.SetDefault("aws:PrincipalAccount", c.Account)
	}
	ctx.SetDefault("aws:PrincipalType", c.Kind.PrincipalType())
	if !now.IsZero() {
		ctx.SetDefault("aws:CurrentTime", now.UTC().Format(time.RFC3339))
		ctx.SetDefault("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	}
}

// Request is one authorization question: may Caller perform Action on Resource?
type Request struct {
	Caller Caller
	// Action is "service:Action", e.g. "ecr-public:PutImage" (any case).
	Action string
	// Resource is the resource ARN, or "*" for actions that take no resource.
	Resource string
	// ResourceAccount owns the resource; empty means the ARN's account, or the
	// caller's for "*".
	ResourceAccount string
	Context         *Context
}

func (r *Request) resourceAccount() string {
	if r.ResourceAccount != "" {
		return r.ResourceAccount
	}
	if segs, ok := pattern.Split(r.Resource); ok && segs[4] != "" {
		return segs[4]
	}
	return r.Caller.Account
}

// lowerAction splits the action into lower-cased service and name; it does not
// allocate when the action is already lower case.
func lowerAction(action string) (svc, name string) {
	a := strings.ToLower(action)
	i := strings.IndexByte(a, ':')
	if i < 0 {
		return a, ""
	}
	return a[:i], a[i+1:]
}
