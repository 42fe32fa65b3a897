-- 0004: online garbage collection — a record of every blob Wharf keeps in
-- the blob store, and the time of every blob link. See the package comment
-- for the picture, and internal/store/gc.go for the protocol.
--
-- Conventions as in 0001 (STRICT, unix-microsecond times, NULL for the zero
-- time); digests compare exactly (BINARY), as in 0002.

-- When a link was made (or made again), by the database's clock: the
-- collector removes a link no manifest uses only once it is older than its
-- grace period, as clients upload layers minutes before their manifest.
-- Links made before this migration count as made now. ALTER TABLE ADD
-- COLUMN keeps every row; SQLite allows no expression as the default of an
-- added column, so the default is a constant, replaced here, and LinkBlob
-- always sets it.
ALTER TABLE blob_links ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
UPDATE blob_links SET created_at = CAST(unixepoch('subsec') * 1000000 AS INTEGER);

-- One record per digest whose content the blob store holds for Wharf (or is
-- about to): content is written and linked under a live record, and deleted
-- only under a tombstone (deleting_since set) that no link can join.
-- unreferenced_since is when a sweep found no link to the digest, NULL since
-- the record was last held. No foreign key: a record outlives its links,
-- which is what the collector looks for.
CREATE TABLE blobs (
    digest             TEXT    PRIMARY KEY,
    size               INTEGER NOT NULL,
    created_at         INTEGER,
    unreferenced_since INTEGER,
    deleting_since     INTEGER
) STRICT, WITHOUT ROWID;

-- Every linked digest has content (LinkBlob checked it): give each its record.
INSERT INTO blobs (digest, size, created_at)
SELECT digest, max(size), CAST(unixepoch('subsec') * 1000000 AS INTEGER)
FROM blob_links GROUP BY digest;
