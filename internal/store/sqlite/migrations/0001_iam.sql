-- 0001: IAM metadata — accounts, principals (users, groups, roles), managed
-- and inline policies, access keys. See the package comment for the picture.
--
-- Conventions: every table is STRICT; surrogate keys are INTEGER PRIMARY KEY
-- ("pk"), never shown outside the store; the public identifiers (account ID,
-- AIDA…/AGPA…/AROA…/ANPA…/AKIA… IDs, ARNs) are UNIQUE columns. Names are
-- declared COLLATE NOCASE, so equality, ordering and uniqueness on them are
-- ASCII case-insensitive, as IAM's are ([\w+=,.@-] is ASCII). Times are unix
-- microseconds UTC, NULL for the zero time. Tags are JSON text.

CREATE TABLE accounts (
    pk         INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    alias      TEXT    NOT NULL,
    created_at INTEGER
) STRICT;

-- One row per user, group or role: the name and the account that scope it.
-- Renames touch only this row; deletes cascade to everything hanging off it.
CREATE TABLE principals (
    pk         INTEGER PRIMARY KEY,
    account_pk INTEGER NOT NULL REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('user', 'group', 'role')),
    name       TEXT    NOT NULL COLLATE NOCASE,
    UNIQUE (account_pk, kind, name)
) STRICT;

CREATE TABLE users (
    pk                    INTEGER PRIMARY KEY REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    id                    TEXT    NOT NULL UNIQUE,
    path                  TEXT    NOT NULL,
    permissions_boundary  TEXT    NOT NULL,
    tags                  TEXT    NOT NULL,
    created_at            INTEGER,
    password_hash         TEXT    NOT NULL,
    password_created_at   INTEGER,
    password_reset_needed INTEGER NOT NULL,
    password_last_used    INTEGER
) STRICT;

CREATE TABLE groups (
    pk         INTEGER PRIMARY KEY REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    id         TEXT    NOT NULL UNIQUE,
    path       TEXT    NOT NULL,
    created_at INTEGER
) STRICT;

CREATE TABLE group_members (
    group_pk INTEGER NOT NULL REFERENCES groups (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    user_pk  INTEGER NOT NULL REFERENCES users (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (group_pk, user_pk)
) STRICT, WITHOUT ROWID;

CREATE INDEX group_members_user ON group_members (user_pk);

CREATE TABLE roles (
    pk                   INTEGER PRIMARY KEY REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    id                   TEXT    NOT NULL UNIQUE,
    path                 TEXT    NOT NULL,
    assume_role_policy   TEXT    NOT NULL,
    description          TEXT    NOT NULL,
    max_session_duration INTEGER NOT NULL,
    permissions_boundary TEXT    NOT NULL,
    tags                 TEXT    NOT NULL,
    created_at           INTEGER,
    last_used_at         INTEGER,
    last_used_region     TEXT    NOT NULL
) STRICT;

-- Managed policies. account_pk is NULL for AWS-managed policies (account
-- "aws"); the unique index folds NULL to 0, which no account pk takes.
CREATE TABLE policies (
    pk                 INTEGER PRIMARY KEY,
    account_pk         INTEGER REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    name               TEXT    NOT NULL COLLATE NOCASE,
    id                 TEXT    NOT NULL UNIQUE,
    path               TEXT    NOT NULL,
    arn                TEXT    NOT NULL UNIQUE,
    description        TEXT    NOT NULL,
    default_version_id TEXT    NOT NULL,
    tags               TEXT    NOT NULL,
    created_at         INTEGER,
    updated_at         INTEGER,
    next_version       INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX policies_owner_name ON policies (ifnull(account_pk, 0), name);
CREATE INDEX policies_account ON policies (account_pk);

-- Versions keep their IDs forever ("v1", "v2", …); pk orders them by age.
CREATE TABLE policy_versions (
    pk         INTEGER PRIMARY KEY,
    policy_pk  INTEGER NOT NULL REFERENCES policies (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    version_id TEXT    NOT NULL,
    document   TEXT    NOT NULL,
    created_at INTEGER,
    UNIQUE (policy_pk, version_id)
) STRICT;

CREATE TABLE policy_attachments (
    principal_pk INTEGER NOT NULL REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    policy_pk    INTEGER NOT NULL REFERENCES policies (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (principal_pk, policy_pk)
) STRICT, WITHOUT ROWID;

CREATE INDEX policy_attachments_policy ON policy_attachments (policy_pk);

CREATE TABLE inline_policies (
    principal_pk INTEGER NOT NULL REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    name         TEXT    NOT NULL COLLATE NOCASE,
    document     TEXT    NOT NULL,
    PRIMARY KEY (principal_pk, name)
) STRICT, WITHOUT ROWID;

-- Access keys. user_pk is NULL for the account's root user.
CREATE TABLE access_keys (
    pk                INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    account_pk        INTEGER NOT NULL REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    user_pk           INTEGER REFERENCES users (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    secret_ciphertext BLOB    NOT NULL,
    status            TEXT    NOT NULL,
    created_at        INTEGER,
    last_used_at      INTEGER,
    last_used_service TEXT    NOT NULL,
    last_used_region  TEXT    NOT NULL
) STRICT;

CREATE INDEX access_keys_account_user ON access_keys (account_pk, user_pk);
CREATE INDEX access_keys_user ON access_keys (user_pk);
