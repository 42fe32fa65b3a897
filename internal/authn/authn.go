// Package authn turns a signed request into a principal: it parses the SigV4
// signature, finds the secret (a stored access key, or a session token for
// temporary credentials), verifies the signature and the clock, and returns
// the authz.Subject the services authorize. Failures carry AWS's codes
// (MissingAuthenticationToken, IncompleteSignature, InvalidClientTokenId,
// SignatureDoesNotMatch, RequestExpired, ExpiredToken).
package authn

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/sigv4"
	"github.com/wharf-project/wharf/internal/sts"
)

// Authenticator verifies SigV4 requests.
type Authenticator struct {
	iam *iam.Service
	sts *sts.Service
	box *secrets.Box
	now func() time.Time

	mu       sync.Mutex
	lastUsed map[string]time.Time // key ID → when its last use was recorded
}

// New returns an Authenticator.
func New(iamSvc *iam.Service, stsSvc *sts.Service, box *secrets.Box, now func() time.Time) *Authenticator {
	return &Authenticator{iam: iamSvc, sts: stsSvc, box: box, now: now, lastUsed: map[string]time.Time{}}
}

// Result is an authenticated request.
type Result struct {
	Subject *authz.Subject
	Region  string
}

// Authenticate verifies r, whose body has the hex SHA-256 bodyHash, for the
// given service signing name ("iam", "sts", "ecr-public").
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, bodyHash, service string) (*Result, error) {
	sig, err := sigv4.Parse(r)
	if err != nil {
		return nil, fromSigV4(err)
	}
	if err := sig.CheckService(service); err != nil {
		return nil, fromSigV4(err)
	}
	now := a.now()
	if err := sig.CheckTime(now); err != nil {
		return nil, fromSigV4(err)
	}
	subject, secret, err := a.resolve(ctx, sig.AccessKeyID, sig.SecurityToken)
	if err != nil {
		return nil, err
	}
	payloadHash, err := sig.PayloadHash(r, bodyHash)
	if err != nil {
		return nil, fromSigV4(err)
	}
	if err := sig.Verify(r, secret, payloadHash, now); err != nil {
		return nil, fromSigV4(err)
	}
	if sig.SecurityToken == "" {
		a.recordUse(ctx, sig.AccessKeyID, service, sig.Region, now)
	}
	return &Result{Subject: subject, Region: sig.Region}, nil
}

// resolve finds the principal and secret of an access key (and, for
// temporary credentials, its session token). Inactive, deleted and unknown
// keys, and expired or tampered sessions, fail here on every request.
func (a *Authenticator) resolve(ctx context.Context, keyID, sessionToken string) (*authz.Subject, string, error) {
	if sessionToken != "" {
		sub, secret, err := a.sts.Resolve(ctx, keyID, sessionToken)
		if err != nil {
			return nil, "", err
		}
		sub.SessionToken = sessionToken
		return sub, secret, nil
	}
	if strings.HasPrefix(keyID, "ASIA") {
		return nil, "", errs.Coded(errs.Unauthenticated, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	cred, err := a.iam.LookupAccessKey(ctx, keyID)
	if err != nil {
		return nil, "", err
	}
	subject := &authz.Subject{AccessKeyID: cred.Key.ID}
	if cred.Key.UserName == "" {
		subject.Caller = policy.Caller{Kind: policy.CallerRoot, ARN: "arn:aws:iam::" + cred.Key.AccountID + ":root", Account: cred.Key.AccountID, UserID: cred.Key.AccountID}
	} else {
		subject.Caller = policy.Caller{Kind: policy.CallerUser, ARN: a.iam.UserARN(cred.User), Account: cred.Key.AccountID, UserID: cred.User.ID, UserName: cred.User.Name}
	}
	return subject, cred.Secret, nil
}

// recordUse notes a key's last use at most once a minute per key, so that
// authentication does not cost a database write on every request.
func (a *Authenticator) recordUse(ctx context.Context, keyID, service, region string, now time.Time) {
	a.mu.Lock()
	last, ok := a.lastUsed[keyID]
	if ok && now.Sub(last) < time.Minute {
		a.mu.Unlock()
		return
	}
	if len(a.lastUsed) > 100_000 {
		a.lastUsed = map[string]time.Time{}
	}
	a.lastUsed[keyID] = now
	a.mu.Unlock()
	_ = a.iam.RecordKeyUse(ctx, keyID, service, region, now) // best effort: the request is already authenticated
}

func fromSigV4(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &errs.Error{Kind: errs.Unauthenticated, Code: se.Code, Message: se.Message}
	}
	return err
}
