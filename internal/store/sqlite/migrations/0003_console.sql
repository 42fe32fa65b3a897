-- 0003: the web console — the root user's console password, and console
-- sessions, kept here so that any replica can serve them. See the package
-- comment for the picture.
--
-- Conventions as in 0001 (STRICT, surrogate "pk" keys, unix-microsecond
-- times, NULL for the zero time, booleans 0/1). A session names its IAM user
-- by name (COLLATE NOCASE, as principals.name: Alice = alice) and ID, not by
-- a foreign key: the services end a user's sessions themselves, and the ID
-- tells a deleted user's sessions from those of a new user of the same name.

-- The root user's password hash, '' when the root user cannot sign in. ALTER
-- TABLE ADD COLUMN keeps every row and pk.
ALTER TABLE accounts ADD COLUMN root_password_hash TEXT NOT NULL DEFAULT '';

-- Signed-in console sessions. id is the hex SHA-256 of the browser's token,
-- never the token itself. user_name and user_id are '' for the root user.
-- Deleting an account deletes its sessions.
CREATE TABLE console_sessions (
    pk                      INTEGER PRIMARY KEY,
    id                      TEXT    NOT NULL UNIQUE,
    account_pk              INTEGER NOT NULL REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    user_name               TEXT    NOT NULL COLLATE NOCASE,
    user_id                 TEXT    NOT NULL,
    csrf_token              TEXT    NOT NULL,
    password_reset_required INTEGER NOT NULL,
    created_at              INTEGER,
    expires_at              INTEGER
) STRICT;

-- DeleteForUser: a user's sessions, the name in any case.
CREATE INDEX console_sessions_user ON console_sessions (account_pk, user_name);

-- DeleteExpired: a range of expiry times, and the zero time (NULL), which
-- is before any.
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
