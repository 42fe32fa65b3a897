package signin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
const (
	maxFailures   = 5
	failureWindow = 15 * time.Minute
)

// throttleKey names the count of an account (its ID when it exists, else
// the text given) and a user name, in any case. It is a digest, so the
// store never keeps an attacker's text.
func throttleKey(account, user string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(account) + "\x00" + strings.ToLower(user)))
	return hex.EncodeToString(sum[:])
}

// blockedFor reports how long attempts under a count are still refused
// (0: not).
func blockedFor(c store.SignInFailureCount, now time.Time) time.Duration {
	if c.Count < maxFailures {
		return 0
	}
	return max(c.First.Add(failureWindow).Sub(now), 0)
}

// recordFailure counts a failed attempt. Its error is returned to the
// caller rather than ignored: an attempt that cannot be counted must not
// go on uncounted.
func (s *Service) recordFailure(ctx context.Context, key string) error {
	now := s.now()
	return s.store.Tx(ctx, func(tx store.Tx) error {
		_, err := tx.SignInFailures().Add(key, now, now.Add(-failureWindow))
		return err
	})
}
