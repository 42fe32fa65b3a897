-- 0004: online garbage collection — a record of every blob Wharf keeps in
-- the blob store, and the time of every blob link. See the package comment
-- for the picture, and internal/store/gc.go for the protocol.
--
-- Conventions as in 0001 (COLLATE "C", TIMESTAMPTZ times, NULL for the zero
-- time).

-- When a link was made (or made again), by the database's clock: the
-- collector removes a link no manifest uses only once it is older than its
-- grace period, as clients upload layers minutes before their manifest.
-- Links made before this migration count as made now (the default, now(),
-- is this transaction's start, written into every existing row).
ALTER TABLE blob_links ADD COLUMN created_at TIMESTAMPTZ NOT NULL DEFAULT now();

-- One record per digest whose content the blob store holds for Wharf (or is
-- about to): content is written and linked under a live record, and deleted
-- only under a tombstone (deleting_since set) that no link can join.
-- unreferenced_since is when a sweep found no link to the digest, NULL since
-- the record was last held. No foreign key: a record outlives its links,
-- which is what the collector looks for.
CREATE TABLE blobs (
    digest             TEXT COLLATE "C" PRIMARY KEY,
    size               BIGINT NOT NULL,
    created_at         TIMESTAMPTZ,
    unreferenced_since TIMESTAMPTZ,
    deleting_since     TIMESTAMPTZ
);

-- Every linked digest has content (LinkBlob checked it): give each its record.
INSERT INTO blobs (digest, size, created_at)
SELECT digest, max(size), now() FROM blob_links GROUP BY digest;
