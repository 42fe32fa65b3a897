package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// consoleSessions stores console sessions. A session's ID is the SHA-256 of
// a token, not the token; its CSRF token, though, never enters an error.
type consoleSessions struct{ *tx }

// Create is one statement that cannot fail on a taken ID (ON CONFLICT DO
// NOTHING) nor on a missing account (it inserts from the account's row), so
// it needs no savepoint. Having inserted nothing, it looks the account up
// to tell ErrNotFound from ErrAlreadyExists.
func (t consoleSessions) Create(s store.ConsoleSession) error {
	err := affected(t.exec(`
		INSERT INTO console_sessions (id, account_pk, user_name, user_id, csrf_token,
			password_reset_required, created_at, expires_at)
		SELECT $2, a.pk, $3, $4, $5, $6, $7, $8 FROM accounts a WHERE a.id = $1
		ON CONFLICT (id) DO NOTHING`,
		s.AccountID, s.ID, s.UserName, s.UserID, s.CSRFToken,
		s.PasswordResetRequired, dbTime(s.CreatedAt), dbTime(s.ExpiresAt)))
	if errors.Is(err, store.ErrNotFound) {
		if _, err = t.accountPK(s.AccountID); err == nil {
			err = fmt.Errorf("console session: %w", store.ErrAlreadyExists)
		}
	}
	return wrap(err, "create console session in %s", s.AccountID)
}

func (t consoleSessions) Get(id string) (store.ConsoleSession, error) {
	var s store.ConsoleSession
	err := t.queryRow(`
		SELECT s.id, a.id, s.user_name, s.user_id, s.csrf_token, s.password_reset_required,
			s.created_at, s.expires_at
		FROM console_sessions s JOIN accounts a ON a.pk = s.account_pk
		WHERE s.id = $1`, id).Scan(&s.ID, &s.AccountID, &s.UserName, &s.UserID, &s.CSRFToken,
		&s.PasswordResetRequired, nullTime{&s.CreatedAt}, nullTime{&s.ExpiresAt})
	return s, wrap(err, "get console session")
}

func (t consoleSessions) ClearPasswordReset(id string) error {
	err := affected(t.exec(`UPDATE console_sessions SET password_reset_required = false WHERE id = $1`, id))
	return wrap(err, "clear password reset of console session")
}

func (t consoleSessions) Delete(id string) error {
	err := affected(t.exec(`DELETE FROM console_sessions WHERE id = $1`, id))
	return wrap(err, "delete console session")
}

// DeleteForUser matches the user name in any case, along the index on
// lower(user_name); in an account that does not exist there is nothing to
// delete.
func (t consoleSessions) DeleteForUser(accountID, userName string) (int, error) {
	tag, err := t.exec(`
		DELETE FROM console_sessions
		WHERE account_pk = (SELECT pk FROM accounts WHERE id = $1) AND lower(user_name) = $2`,
		accountID, fold(userName))
	if err != nil {
		return 0, wrap(err, "delete console sessions of %s/%s", accountID, userName)
	}
	return int(tag.RowsAffected()), nil
}

// DeleteExpired deletes the sessions whose expiry is before at, the zero
// expiry (NULL) included.
func (t consoleSessions) DeleteExpired(at time.Time) (int, error) {
	tag, err := t.exec(`DELETE FROM console_sessions WHERE expires_at IS NULL OR expires_at < $1`, at)
	if err != nil {
		return 0, wrap(err, "delete expired console sessions")
	}
	return int(tag.RowsAffected()), nil
}
