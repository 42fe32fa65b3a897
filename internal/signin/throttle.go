package signin

import (
	"strings"
	"sync"
	"time"
)

// Failed sign-ins are throttled per account and user name: after
// maxFailures failures within failureWindow, further attempts for that name
// are refused without checking the password until the window has passed
// since the first of them. This bounds password guessing and the CPU an
// attacker can make the server spend on PBKDF2. It is per process: with N
// replicas behind a load balancer a guesser gets at most N times the budget
// (the limit is a brake, not the only defence: passwords follow the
// account's password policy).
const (
	maxFailures   = 5
	failureWindow = 15 * time.Minute
	// maxTracked bounds the table; past it, the oldest half is forgotten.
	maxTracked = 50_000
)

type failures struct {
	first time.Time
	count int
}

type throttle struct {
	mu sync.Mutex
	m  map[string]failures
}

func throttleKey(account, user string) string {
	return strings.ToLower(account) + "\x00" + strings.ToLower(user)
}

// blocked reports how long attempts for the key are still refused (0: not).
func (t *throttle) blocked(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.m[key]
	if !ok || f.count < maxFailures {
		return 0
	}
	if left := f.first.Add(failureWindow).Sub(now); left > 0 {
		return left
	}
	delete(t.m, key)
	return 0
}

// fail records a failed attempt.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]failures{}
	}
	f := t.m[key]
	if f.count == 0 || now.Sub(f.first) >= failureWindow {
		f = failures{first: now}
	}
	f.count++
	t.m[key] = f
	if len(t.m) > maxTracked {
		cutoff := now.Add(-failureWindow / 2)
		for k, v := range t.m {
			if v.first.Before(cutoff) {
				delete(t.m, k)
			}
		}
	}
}

// succeed forgets a key's failures.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, key)
}
