-- 0003: the web console — the root user's console password, and console
-- sessions, kept here so that any replica can serve them. See the package
-- comment for the picture.
--
-- Conventions as in 0001 (identity "pk" keys, COLLATE "C", TIMESTAMPTZ times,
-- NULL for the zero time). A session names its IAM user by name
-- (case-insensitively, through lower(user_name), as principals' names) and
-- ID, not by a foreign key: the services end a user's sessions themselves,
-- and the ID tells a deleted user's sessions from those of a new user of
-- the same name.

-- The root user's password hash, '' when the root user cannot sign in.
ALTER TABLE accounts ADD COLUMN root_password_hash TEXT COLLATE "C" NOT NULL DEFAULT '';

-- Signed-in console sessions. id is the hex SHA-256 of the browser's token,
-- never the token itself. user_name and user_id are '' for the root user.
-- Deleting an account deletes its sessions.
CREATE TABLE console_sessions (
    pk                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                      TEXT COLLATE "C" NOT NULL UNIQUE,
    account_pk              BIGINT NOT NULL REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    user_name               TEXT COLLATE "C" NOT NULL,
    user_id                 TEXT COLLATE "C" NOT NULL,
    csrf_token              TEXT COLLATE "C" NOT NULL,
    password_reset_required BOOLEAN NOT NULL,
    created_at              TIMESTAMPTZ,
    expires_at              TIMESTAMPTZ
);

-- DeleteForUser: a user's sessions, the name in any case.
CREATE INDEX console_sessions_user ON console_sessions (account_pk, lower(user_name));

-- DeleteExpired: a range of expiry times, and the zero time (NULL), which
-- is before any.
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
