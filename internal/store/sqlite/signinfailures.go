package sqlite

import (
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// signInFailures counts failed console sign-ins, one row per key.
type signInFailures struct{ *tx }

// Add is one upsert: every expression of its SET reads the row as it was,
// so a count that began before the window starts again, in the same
// statement that would otherwise grow it.
func (t signInFailures) Add(key string, at, windowStart time.Time) (store.SignInFailureCount, error) {
	var c store.SignInFailureCount
	err := t.queryRow(`
		INSERT INTO signin_failures (key, first_at, count) VALUES (?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET
			first_at = CASE WHEN first_at < ? THEN excluded.first_at ELSE first_at END,
			count    = CASE WHEN first_at < ? THEN 1 ELSE count + 1 END
		RETURNING first_at, count`,
		key, at.UnixMicro(), windowStart.UnixMicro(), windowStart.UnixMicro()).Scan(nullTime{&c.First}, &c.Count)
	return c, wrap(err, "add sign-in failure")
}

func (t signInFailures) Get(key string) (store.SignInFailureCount, error) {
	var c store.SignInFailureCount
	err := t.queryRow(`SELECT first_at, count FROM signin_failures WHERE key = ?`, key).Scan(nullTime{&c.First}, &c.Count)
	return c, wrap(err, "get sign-in failures")
}

func (t signInFailures) Delete(key string) error {
	_, err := t.exec(`DELETE FROM signin_failures WHERE key = ?`, key)
	return wrap(err, "delete sign-in failures")
}

func (t signInFailures) DeleteBefore(at time.Time) (int, error) {
	n, err := deleted(t.exec(`DELETE FROM signin_failures WHERE first_at < ?`, at.UnixMicro()))
	return n, wrap(err, "delete old sign-in failures")
}
