package sqlite

import (
	"database/sql"
	"time"

	"github.com/wharf-project/wharf/internal/store"
)

// consoleSessions stores console sessions. A session's ID is the SHA-256 of
// a token, not the token; its CSRF token, though, never enters an error.
type consoleSessions struct{ *tx }

func (t consoleSessions) Create(s store.ConsoleSession) error {
	apk, err := t.accountPK(s.AccountID)
	if err == nil {
		_, err = t.exec(`
			INSERT INTO console_sessions (id, account_pk, user_name, user_id, csrf_token,
				password_reset_required, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, apk, s.UserName, s.UserID, s.CSRFToken,
			s.PasswordResetRequired, dbTime(s.CreatedAt), dbTime(s.ExpiresAt))
	}
	return wrap(err, "create console session in %s", s.AccountID)
}

func (t consoleSessions) Get(id string) (store.ConsoleSession, error) {
	var s store.ConsoleSession
	err := t.queryRow(`
		SELECT s.id, a.id, s.user_name, s.user_id, s.csrf_token, s.password_reset_required,
			s.created_at, s.expires_at
		FROM console_sessions s JOIN accounts a ON a.pk = s.account_pk
		WHERE s.id = ?`, id).Scan(&s.ID, &s.AccountID, &s.UserName, &s.UserID, &s.CSRFToken,
		&s.PasswordResetRequired, nullTime{&s.CreatedAt}, nullTime{&s.ExpiresAt})
	return s, wrap(err, "get console session")
}

func (t consoleSessions) ClearPasswordReset(id string) error {
	err := affected(t.exec(`UPDATE console_sessions SET password_reset_required = 0 WHERE id = ?`, id))
	return wrap(err, "clear password reset of console session")
}

func (t consoleSessions) Delete(id string) error {
	err := affected(t.exec(`DELETE FROM console_sessions WHERE id = ?`, id))
	return wrap(err, "delete console session")
}

// DeleteForUser matches the user name in any case (user_name is NOCASE); in
// an account that does not exist there is nothing to delete.
func (t consoleSessions) DeleteForUser(accountID, userName string) (int, error) {
	res, err := t.exec(`
		DELETE FROM console_sessions
		WHERE account_pk = (SELECT pk FROM accounts WHERE id = ?) AND user_name = ?`,
		accountID, userName)
	n, err := deleted(res, err)
	return n, wrap(err, "delete console sessions of %s/%s", accountID, userName)
}

// DeleteExpired deletes the sessions whose expiry is before t, the zero
// expiry (NULL) included.
func (t consoleSessions) DeleteExpired(at time.Time) (int, error) {
	res, err := t.exec(`
		DELETE FROM console_sessions WHERE expires_at IS NULL OR expires_at < ?`, at.UnixMicro())
	n, err := deleted(res, err)
	return n, wrap(err, "delete expired console sessions")
}

// deleted returns how many rows a DELETE removed.
func deleted(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
