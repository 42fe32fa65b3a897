-- 0002: the registry — accounts' registry aliases, ECR Public repositories,
-- the blobs linked to them, manifests, tags and uploads. See the package
-- comment for the picture.
--
-- Conventions as in 0001 (STRICT, surrogate "pk" keys, unix-microsecond
-- times, JSON text for lists), except that registry names compare exactly:
-- repository names, tags, digests and aliases use the default BINARY
-- collation, so equality and uniqueness are case-sensitive (App ≠ app) and
-- ordering is byte order, which is the OCI spec's lexical order.

-- accounts.alias: 0001 stored "no alias" as ''; it becomes NULL, so that a
-- UNIQUE index leaves accounts without one alone. An alias never contains
-- '/', which the catalog's ordering relies on (see accounts_catalog). ALTER
-- TABLE keeps every row and pk (DROP COLUMN rewrites the table in place), so
-- nothing that refers to accounts is touched.
ALTER TABLE accounts ADD COLUMN registry_alias TEXT CHECK (registry_alias <> '' AND instr(registry_alias, '/') = 0);
UPDATE accounts SET registry_alias = nullif(alias, '');
ALTER TABLE accounts DROP COLUMN alias;
ALTER TABLE accounts RENAME COLUMN registry_alias TO alias;

-- The registry's display name (ECR Public registry catalog data).
ALTER TABLE accounts ADD COLUMN display_name TEXT NOT NULL DEFAULT '';

-- Aliases are unique across accounts, case-sensitively.
CREATE UNIQUE INDEX accounts_alias ON accounts (alias);

-- The catalog lists "alias/name" in byte order. As no alias contains '/',
-- that is the order of (alias || '/', name) — not of (alias, name): "ab-c/x"
-- sorts before "ab/x" because '-' < '/'. This index walks the accounts in
-- that order, and each account's repositories follow in the order of their
-- UNIQUE (account_pk, name), so a catalog page needs no sort.
CREATE INDEX accounts_catalog ON accounts (alias || '/');

CREATE TABLE repositories (
    pk           INTEGER PRIMARY KEY,
    account_pk   INTEGER NOT NULL REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    name         TEXT    NOT NULL,
    catalog_data TEXT    NOT NULL, -- JSON, '' for none
    policy       TEXT    NOT NULL, -- the repository policy document, '' for none
    tags         TEXT    NOT NULL,
    created_at   INTEGER,
    UNIQUE (account_pk, name)
) STRICT;

-- Blobs a repository holds (pushed or mounted into it). The blob bytes are
-- in the blob store; a blob no row links any more may be deleted there.
CREATE TABLE blob_links (
    repository_pk INTEGER NOT NULL REFERENCES repositories (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    digest        TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    PRIMARY KEY (repository_pk, digest)
) STRICT, WITHOUT ROWID;

CREATE INDEX blob_links_digest ON blob_links (digest);

-- Manifests and indexes, by digest within their repository. subject is the
-- digest of the manifest this one refers to (OCI 1.1 referrers), NULL for
-- none; blobs the JSON array of the config and layer digests.
CREATE TABLE manifests (
    pk            INTEGER PRIMARY KEY,
    repository_pk INTEGER NOT NULL REFERENCES repositories (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    digest        TEXT    NOT NULL,
    media_type    TEXT    NOT NULL,
    artifact_type TEXT    NOT NULL,
    content       BLOB    NOT NULL,
    subject       TEXT CHECK (subject <> ''),
    annotations   TEXT    NOT NULL, -- JSON, '' for none
    blobs         TEXT    NOT NULL,
    image_size    INTEGER NOT NULL,
    pushed_at     INTEGER,
    UNIQUE (repository_pk, digest)
) STRICT;

-- Referrers of a subject, by digest.
CREATE INDEX manifests_subject ON manifests (repository_pk, subject, digest) WHERE subject IS NOT NULL;

-- The manifests an index lists, in the index's order (position from 0).
CREATE TABLE manifest_children (
    manifest_pk  INTEGER NOT NULL REFERENCES manifests (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    position     INTEGER NOT NULL,
    child_digest TEXT    NOT NULL,
    PRIMARY KEY (manifest_pk, position)
) STRICT, WITHOUT ROWID;

CREATE INDEX manifest_children_digest ON manifest_children (child_digest);

-- Tags name a manifest of their own repository: the foreign key is
-- (repository_pk, digest), so a tag can point only into its repository, and
-- deleting a manifest (or, through it, the repository) deletes its tags.
-- The primary key orders a repository's tags by name in byte order.
CREATE TABLE tags (
    repository_pk INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    digest        TEXT    NOT NULL,
    created_at    INTEGER,
    PRIMARY KEY (repository_pk, name),
    FOREIGN KEY (repository_pk, digest) REFERENCES manifests (repository_pk, digest) ON DELETE CASCADE ON UPDATE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX tags_manifest ON tags (repository_pk, digest);

-- Blob upload sessions; the bytes are in the blob store under the same id.
-- The account is the repository's.
CREATE TABLE uploads (
    pk            INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    repository_pk INTEGER NOT NULL REFERENCES repositories (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    created_at    INTEGER
) STRICT;

CREATE INDEX uploads_repository ON uploads (repository_pk);
