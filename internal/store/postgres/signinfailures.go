package postgres

import (
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// signInFailures counts failed console sign-ins, one row per key.
type signInFailures struct{ *tx }

// Add is one upsert: every expression of its SET reads the row as it was,
// so a count that began before the window starts again, in the same
// statement that would otherwise grow it. Being one statement, it needs no
// savepoint.
func (t signInFailures) Add(key string, at, windowStart time.Time) (store.SignInFailureCount, error) {
	var c store.SignInFailureCount
	err := t.queryRow(`
		INSERT INTO signin_failures AS f (key, first_at, count) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			first_at = CASE WHEN f.first_at < $3 THEN excluded.first_at ELSE f.first_at END,
			count    = CASE WHEN f.first_at < $3 THEN 1 ELSE f.count + 1 END
		RETURNING first_at, count`,
		key, at, windowStart).Scan(nullTime{&c.First}, &c.Count)
	return c, wrap(err, "add sign-in failure")
}

func (t signInFailures) Get(key string) (store.SignInFailureCount, error) {
	var c store.SignInFailureCount
	err := t.queryRow(`SELECT first_at, count FROM signin_failures WHERE key = $1`, key).Scan(nullTime{&c.First}, &c.Count)
	return c, wrap(err, "get sign-in failures")
}

func (t signInFailures) Delete(key string) error {
	_, err := t.exec(`DELETE FROM signin_failures WHERE key = $1`, key)
	return wrap(err, "delete sign-in failures")
}

func (t signInFailures) DeleteBefore(at time.Time) (int, error) {
	tag, err := t.exec(`DELETE FROM signin_failures WHERE first_at < $1`, at)
	return int(tag.RowsAffected()), wrap(err, "delete old sign-in failures")
}
