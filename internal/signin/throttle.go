package signin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// Failed sign-ins are throttled per account and user name: after
// maxFailures failures within failureWindow, further attempts for that name
// are refused without checking the password until the window has passed
// since the first of them. This bounds password guessing and the CPU an
// attacker can make the server spend on PBKDF2.
//
// The count is kept in the store, so every replica behind a load balancer
// throttles against the same count. Attempts that race (several in flight
// for one name at once) can each pass the check before any failure is
// counted, so the limit is maxFailures plus the attempts in flight: a
// brake, not the only defence (passwords follow the account's password
// policy).
//
// Failures are also counted per client address, whatever names they try:
// after maxAddressFailures within the window, that address may not try any
// name. This stops one client trying a few passwords on each of many
// names (which the per-name count alone lets through) while leaving others
// behind the same NAT plenty of room. Behind a proxy, the address is the
// client's only when the proxy is trusted (httpx.TrustedProxies).
const (
	maxFailures        = 5
	maxAddressFailures = 50
	failureWindow      = 15 * time.Minute
)

// throttleKey names the count of an account (its ID when it exists, else
// the text given) and a user name, in any case. It is a digest, so the
// store never keeps an attacker's text.
func throttleKey(account, user string) string {
	return digestKey("name", strings.ToLower(account), strings.ToLower(user))
}

// addressKey names the count of a client address.
func addressKey(addr string) string { return digestKey("address", addr) }

func digestKey(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// blockedFor reports how long attempts under a count are still refused
// (0: not) when limit failures block.
func blockedFor(c store.SignInFailureCount, limit int, now time.Time) time.Duration {
	if c.Count < limit {
		return 0
	}
	return max(c.First.Add(failureWindow).Sub(now), 0)
}

// recordFailure counts a failed attempt under each key. Its error is
// returned to the caller rather than ignored: an attempt that cannot be
// counted must not go on uncounted.
func (s *Service) recordFailure(ctx context.Context, keys ...string) error {
	now := s.now()
	return s.store.Tx(ctx, func(tx store.Tx) error {
		for _, k := range keys {
			if _, err := tx.SignInFailures().Add(k, now, now.Add(-failureWindow)); err != nil {
				return err
			}
		}
		return nil
	})
}

// failureCount reads a count; none is a zero count.
func failureCount(tx store.Tx, key string) (store.SignInFailureCount, error) {
	c, err := tx.SignInFailures().Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return store.SignInFailureCount{}, nil
	}
	return c, err
}
