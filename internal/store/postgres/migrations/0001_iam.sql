-- 0001: IAM metadata — accounts, principals (users, groups, roles), managed
-- and inline policies, access keys. See the package comment for the picture.
--
-- Conventions: surrogate keys are BIGINT identity columns ("pk"), never shown
-- outside the store; the public identifiers (account ID, AIDA…/AGPA…/AROA…/
-- ANPA…/AKIA… IDs, ARNs) are UNIQUE columns. Every foreign key is ON DELETE
-- CASCADE ON UPDATE CASCADE. Every text column is COLLATE "C": comparisons
-- and ordering are by bytes, whatever the database's locale. Names are
-- case-insensitive through lower(name) — under "C", lower() folds ASCII
-- only, exactly IAM's name alphabet [\w+=,.@-] — in the unique indexes, the
-- lookups and the listings' order. Times are TIMESTAMPTZ (microseconds),
-- NULL for the zero time. Tags are JSONB arrays ([{"Key":…,"Value":…}]).

CREATE TABLE accounts (
    pk         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at TIMESTAMPTZ
);

-- One row per user, group or role: the name and the account that scope it.
-- Renames touch only this row; deletes cascade to everything hanging off it.
CREATE TABLE principals (
    pk         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_pk BIGINT NOT NULL REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('user', 'group', 'role')),
    name       TEXT COLLATE "C" NOT NULL
);

-- Alice = alice. Also the index of lookups by name and of listings by name.
CREATE UNIQUE INDEX principals_name ON principals (account_pk, kind, lower(name));

CREATE TABLE users (
    pk                    BIGINT PRIMARY KEY REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    id                    TEXT COLLATE "C" NOT NULL UNIQUE,
    path                  TEXT COLLATE "C" NOT NULL,
    permissions_boundary  TEXT COLLATE "C" NOT NULL,
    tags                  JSONB   NOT NULL,
    created_at            TIMESTAMPTZ,
    password_hash         TEXT COLLATE "C" NOT NULL,
    password_created_at   TIMESTAMPTZ,
    password_reset_needed BOOLEAN NOT NULL,
    password_last_used    TIMESTAMPTZ
);

CREATE TABLE groups (
    pk         BIGINT PRIMARY KEY REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    id         TEXT COLLATE "C" NOT NULL UNIQUE,
    path       TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ
);

CREATE TABLE group_members (
    group_pk BIGINT NOT NULL REFERENCES groups (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    user_pk  BIGINT NOT NULL REFERENCES users (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (group_pk, user_pk)
);

CREATE INDEX group_members_user ON group_members (user_pk);

CREATE TABLE roles (
    pk                   BIGINT PRIMARY KEY REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    id                   TEXT COLLATE "C" NOT NULL UNIQUE,
    path                 TEXT COLLATE "C" NOT NULL,
    assume_role_policy   TEXT COLLATE "C" NOT NULL,
    description          TEXT COLLATE "C" NOT NULL,
    max_session_duration INTEGER NOT NULL,
    permissions_boundary TEXT COLLATE "C" NOT NULL,
    tags                 JSONB   NOT NULL,
    created_at           TIMESTAMPTZ,
    last_used_at         TIMESTAMPTZ,
    last_used_region     TEXT COLLATE "C" NOT NULL
);

-- Managed policies. account_pk is NULL for AWS-managed policies (account
-- "aws"); the unique index folds NULL to 0, which no account pk takes.
CREATE TABLE policies (
    pk                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_pk         BIGINT REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    name               TEXT COLLATE "C" NOT NULL,
    id                 TEXT COLLATE "C" NOT NULL UNIQUE,
    path               TEXT COLLATE "C" NOT NULL,
    arn                TEXT COLLATE "C" NOT NULL UNIQUE,
    description        TEXT COLLATE "C" NOT NULL,
    default_version_id TEXT COLLATE "C" NOT NULL,
    tags               JSONB   NOT NULL,
    created_at         TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ,
    next_version       INTEGER NOT NULL
);

CREATE UNIQUE INDEX policies_owner_name ON policies (coalesce(account_pk, 0), lower(name));
CREATE INDEX policies_account ON policies (account_pk, lower(name), arn);

-- Versions keep their IDs forever ("v1", "v2", …); pk orders them by age.
CREATE TABLE policy_versions (
    pk         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    policy_pk  BIGINT NOT NULL REFERENCES policies (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    version_id TEXT COLLATE "C" NOT NULL,
    document   TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ,
    UNIQUE (policy_pk, version_id)
);

CREATE TABLE policy_attachments (
    principal_pk BIGINT NOT NULL REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    policy_pk    BIGINT NOT NULL REFERENCES policies (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (principal_pk, policy_pk)
);

CREATE INDEX policy_attachments_policy ON policy_attachments (policy_pk);

-- Inline policies; names are unique per principal case-insensitively. The
-- surrogate pk is only there to give the table a primary key (replication).
CREATE TABLE inline_policies (
    pk           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    principal_pk BIGINT NOT NULL REFERENCES principals (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    name         TEXT COLLATE "C" NOT NULL,
    document     TEXT COLLATE "C" NOT NULL
);

CREATE UNIQUE INDEX inline_policies_name ON inline_policies (principal_pk, lower(name));

-- Access keys. user_pk is NULL for the account's root user.
CREATE TABLE access_keys (
    pk                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                TEXT COLLATE "C" NOT NULL UNIQUE,
    account_pk        BIGINT NOT NULL REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    user_pk           BIGINT REFERENCES users (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    secret_ciphertext BYTEA   NOT NULL,
    status            TEXT COLLATE "C" NOT NULL,
    created_at        TIMESTAMPTZ,
    last_used_at      TIMESTAMPTZ,
    last_used_service TEXT COLLATE "C" NOT NULL,
    last_used_region  TEXT COLLATE "C" NOT NULL
);

CREATE INDEX access_keys_account_user ON access_keys (account_pk, user_pk);
CREATE INDEX access_keys_user ON access_keys (user_pk);
