-- 0002: the registry — accounts' registry aliases and display names, ECR
-- Public repositories, the blobs linked to them, manifests, tags and uploads.
-- See the package comment for the picture.
--
-- Conventions as in 0001. Registry names — aliases, repository names, tags,
-- digests, upload IDs — compare exactly: no lower() anywhere, so equality and
-- uniqueness are case-sensitive (App ≠ app), and COLLATE "C" orders them by
-- bytes, which is the OCI spec's lexical order.

-- The registry alias: NULL for none, so that the UNIQUE constraint leaves
-- accounts without one alone. An alias never contains '/', which the
-- catalog's ordering relies on (see accounts_catalog).
ALTER TABLE accounts
    ADD COLUMN alias TEXT COLLATE "C" UNIQUE CHECK (alias <> '' AND strpos(alias, '/') = 0),
    -- The registry's display name (ECR Public registry catalog data).
    ADD COLUMN display_name TEXT COLLATE "C" NOT NULL DEFAULT '';

-- The catalog lists "alias/name" in byte order. As no alias contains '/',
-- that is the order of (alias || '/', name) — not of (alias, name): "ab-c/x"
-- sorts before "ab/x" because '-' < '/'. This index walks the accounts in
-- that order; each account's repositories follow in the order of their
-- UNIQUE (account_pk, name).
CREATE INDEX accounts_catalog ON accounts ((alias || '/'), pk) WHERE alias IS NOT NULL;

CREATE TABLE repositories (
    pk           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_pk   BIGINT NOT NULL REFERENCES accounts (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    name         TEXT COLLATE "C" NOT NULL,
    catalog_data TEXT COLLATE "C" NOT NULL, -- JSON as given, '' for none
    policy       TEXT COLLATE "C" NOT NULL, -- the repository policy document, '' for none
    tags         JSONB NOT NULL,
    created_at   TIMESTAMPTZ,
    UNIQUE (account_pk, name)
);

-- Blobs a repository holds (pushed or mounted into it). The blob bytes are
-- in the blob store; a blob no row links any more may be deleted there.
CREATE TABLE blob_links (
    repository_pk BIGINT NOT NULL REFERENCES repositories (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    digest        TEXT COLLATE "C" NOT NULL,
    size          BIGINT NOT NULL,
    PRIMARY KEY (repository_pk, digest)
);

CREATE INDEX blob_links_digest ON blob_links (digest);

-- Manifests and indexes, by digest within their repository. subject is the
-- digest of the manifest this one refers to (OCI 1.1 referrers), NULL for
-- none; blobs the config and layer digests; content the bytes as pushed.
CREATE TABLE manifests (
    pk            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repository_pk BIGINT NOT NULL REFERENCES repositories (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    digest        TEXT COLLATE "C" NOT NULL,
    media_type    TEXT COLLATE "C" NOT NULL,
    artifact_type TEXT COLLATE "C" NOT NULL,
    content       BYTEA NOT NULL,
    subject       TEXT COLLATE "C" CHECK (subject <> ''),
    annotations   TEXT COLLATE "C" NOT NULL, -- JSON as given, '' for none
    blobs         TEXT[] COLLATE "C" NOT NULL,
    image_size    BIGINT NOT NULL,
    pushed_at     TIMESTAMPTZ,
    UNIQUE (repository_pk, digest)
);

-- Referrers of a subject, by digest.
CREATE INDEX manifests_subject ON manifests (repository_pk, subject, digest) WHERE subject IS NOT NULL;

-- The manifests an index lists, in the index's order (position from 0).
CREATE TABLE manifest_children (
    manifest_pk  BIGINT  NOT NULL REFERENCES manifests (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    position     INTEGER NOT NULL,
    child_digest TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (manifest_pk, position)
);

CREATE INDEX manifest_children_digest ON manifest_children (child_digest);

-- Tags name a manifest of their own repository: the foreign key is
-- (repository_pk, digest), so a tag can point only into its repository, and
-- deleting a manifest (or, through it, the repository) deletes its tags.
-- The primary key orders a repository's tags by name in byte order.
CREATE TABLE tags (
    repository_pk BIGINT NOT NULL,
    name          TEXT COLLATE "C" NOT NULL,
    digest        TEXT COLLATE "C" NOT NULL,
    created_at    TIMESTAMPTZ,
    PRIMARY KEY (repository_pk, name),
    FOREIGN KEY (repository_pk, digest) REFERENCES manifests (repository_pk, digest) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX tags_manifest ON tags (repository_pk, digest, name);

-- Blob upload sessions; the bytes are in the blob store under the same id.
-- The account is the repository's.
CREATE TABLE uploads (
    pk            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            TEXT COLLATE "C" NOT NULL UNIQUE,
    repository_pk BIGINT NOT NULL REFERENCES repositories (pk) ON DELETE CASCADE ON UPDATE CASCADE,
    created_at    TIMESTAMPTZ
);

CREATE INDEX uploads_repository ON uploads (repository_pk);
