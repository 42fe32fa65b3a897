package authn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
)

// Registry credentials.
//
// GetAuthorizationToken hands out a password (docker login --username AWS);
// the /token endpoint trades it, or nothing for anonymous pulls, for a
// short-lived bearer token. Both are sealed with the server's key and carry
// only the access key ID (and session token) they were issued for, never a
// decision: every request resolves the credentials again and the policy
// engine decides again, so deactivating a key, deleting a user or revoking a
// policy takes effect on the next request even with a token in hand.

// PasswordTTL is the life of a registry password (ECR Public: 12 hours).
const PasswordTTL = 12 * time.Hour

// BearerTTL is the life of a registry bearer token.
const BearerTTL = time.Hour

type grant struct {
	Kind         string    `json:"k"` // "password" or "bearer"
	AccessKeyID  string    `json:"a,omitempty"`
	SessionToken string    `json:"s,omitempty"`
	Expires      time.Time `json:"e"`
}

func (a *Authenticator) seal(g grant) (string, error) {
	b, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	ct, err := a.box.Seal(b, []byte("wharf-registry-"+g.Kind))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(ct), nil
}

func (a *Authenticator) open(s, kind string) (grant, error) {
	var g grant
	ct, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return g, errInvalidToken
	}
	b, err := a.box.Open(ct, []byte("wharf-registry-"+kind))
	if err != nil || json.Unmarshal(b, &g) != nil || g.Kind != kind {
		return g, errInvalidToken
	}
	if !a.now().Before(g.Expires) {
		return g, errs.Coded(errs.Unauthenticated, "DENIED", "Your authorization token has expired. Reauthenticate and try again.")
	}
	return g, nil
}

var errInvalidToken = errs.Coded(errs.Unauthenticated, "DENIED", "Your Authorization Token is invalid.")

// IssuePassword makes a registry password for the subject's credentials.
func (a *Authenticator) IssuePassword(sub *authz.Subject) (string, time.Time, error) {
	exp := a.now().Add(PasswordTTL).UTC().Truncate(time.Second)
	if !sub.Expires.IsZero() && sub.Expires.Before(exp) {
		exp = sub.Expires
	}
	p, err := a.seal(grant{Kind: "password", AccessKeyID: sub.AccessKeyID, SessionToken: sub.SessionToken, Expires: exp})
	return p, exp, err
}

// FromPassword resolves a registry password to its principal.
func (a *Authenticator) FromPassword(ctx context.Context, password string) (*authz.Subject, error) {
	g, err := a.open(password, "password")
	if err != nil {
		return nil, err
	}
	sub, _, err := a.resolve(ctx, g.AccessKeyID, g.SessionToken)
	return sub, err
}

// IssueBearer makes a bearer token: for a subject, or anonymous when sub is nil.
func (a *Authenticator) IssueBearer(sub *authz.Subject) (string, time.Time, error) {
	g := grant{Kind: "bearer", Expires: a.now().Add(BearerTTL).UTC().Truncate(time.Second)}
	if sub != nil {
		g.AccessKeyID, g.SessionToken = sub.AccessKeyID, sub.SessionToken
	}
	t, err := a.seal(g)
	return t, g.Expires, err
}

// FromBearer resolves a bearer token; nil, nil means an anonymous token.
func (a *Authenticator) FromBearer(ctx context.Context, token string) (*authz.Subject, error) {
	g, err := a.open(token, "bearer")
	if err != nil {
		return nil, err
	}
	if g.AccessKeyID == "" {
		return nil, nil
	}
	sub, _, err := a.resolve(ctx, g.AccessKeyID, g.SessionToken)
	return sub, err
}
