// Package sqlite is Wharf's embedded metadata store: store.Store on one
// SQLite file, through the pure-Go driver modernc.org/sqlite (no cgo).
//
// It keeps facts and enforces only what a database must — uniqueness,
// referential integrity, atomicity. It never validates IAM names or policy
// documents, never authorizes, and never sees a secret in clear text: access
// key secrets arrive encrypted and passwords hashed, and neither ever appears
// in an error.
//
// # Schema
//
// The schema, as migrations/0001_iam.sql, 0002_registry.sql,
// 0003_console.sql, 0004_gc.sql, 0005_credential_reports.sql and
// 0006_signin_failures.sql make it.
// "pk" columns are surrogate INTEGER PRIMARY KEYs, never shown outside this
// package; every public identifier is a UNIQUE column beside them. An arrow
// is a foreign key, and every one is ON DELETE CASCADE ON UPDATE CASCADE.
//
//	schema_migrations   version PK, name, applied_at           (bookkeeping, see below)
//
//	signin_failures     key PK (hex SHA-256) | first_at, count  (no account: see below)
//	                    INDEX (first_at)
//
//	accounts            pk | id UNIQUE (12 digits) | created_at
//	 │                  | alias: NULL for none, else UNIQUE, no '/'
//	 │                  | display_name, root_password_hash ('' for none)
//	 │                  INDEX (alias || '/')                 -- the catalog's order
//	 │
//	 ├─< principals     pk | account_pk → accounts
//	 │   │                 | kind ∈ {user, group, role}
//	 │   │                 | name NOCASE
//	 │   │                 UNIQUE (account_pk, kind, name)   -- Alice = alice
//	 │   │
//	 │   ├── users      pk → principals (1:1) | id UNIQUE (AIDA…) | path,
//	 │   │              permissions_boundary, tags, created_at, password_hash,
//	 │   │              password_created_at, password_reset_needed,
//	 │   │              password_last_used
//	 │   ├── groups     pk → principals (1:1) | id UNIQUE (AGPA…) | path, created_at
//	 │   ├── roles      pk → principals (1:1) | id UNIQUE (AROA…) | path,
//	 │   │              assume_role_policy, description, max_session_duration,
//	 │   │              permissions_boundary, tags, created_at, last_used_at,
//	 │   │              last_used_region
//	 │   │
//	 │   ├─< group_members       group_pk → groups, user_pk → users
//	 │   │                       PK (group_pk, user_pk); INDEX (user_pk)
//	 │   ├─< policy_attachments  principal_pk → principals, policy_pk → policies
//	 │   │                       PK (principal_pk, policy_pk); INDEX (policy_pk)
//	 │   └─< inline_policies     principal_pk → principals | name NOCASE | document
//	 │                           PK (principal_pk, name)
//	 │
//	 ├─< policies       pk | account_pk → accounts, NULL for AWS-managed ("aws")
//	 │   │              | name NOCASE | id UNIQUE (ANPA…) | arn UNIQUE | path,
//	 │   │              description, default_version_id, tags, created_at,
//	 │   │              updated_at, next_version
//	 │   │              UNIQUE INDEX (ifnull(account_pk, 0), name)
//	 │   └─< policy_versions  pk (orders versions by age) | policy_pk → policies
//	 │                        | version_id ("v1"…) | document, created_at
//	 │                        UNIQUE (policy_pk, version_id)
//	 │
//	 ├─< access_keys    pk | id UNIQUE (AKIA…) | account_pk → accounts
//	 │                  | user_pk → users, NULL for the root user
//	 │                  | secret_ciphertext BLOB, status, created_at,
//	 │                  last_used_at, last_used_service, last_used_region
//	 │
//	 ├─< console_sessions  pk | id UNIQUE (hex SHA-256 of the token)
//	 │                     | account_pk → accounts | user_name NOCASE,
//	 │                     user_id (both '' for the root user), csrf_token,
//	 │                     password_reset_required, created_at, expires_at
//	 │                     INDEX (account_pk, user_name); INDEX (expires_at)
//	 │
//	 ├── credential_reports  account_pk PK → accounts (1:1, at most)
//	 │                       | generated_at, content BLOB (the CSV)
//	 │
//	 └─< repositories   pk | account_pk → accounts | name | catalog_data,
//	     │              policy, tags, created_at
//	     │              UNIQUE (account_pk, name)        -- App ≠ app
//	     │
//	     ├─< blob_links      repository_pk → repositories | digest | size
//	     │                   | created_at (the database's clock)
//	     │                   PK (repository_pk, digest); INDEX (digest)
//	     ├─< manifests       pk | repository_pk → repositories | digest
//	     │   │               | media_type, artifact_type, content BLOB,
//	     │   │               subject (NULL for none), annotations,
//	     │   │               blobs (JSON), image_size, pushed_at
//	     │   │               UNIQUE (repository_pk, digest)
//	     │   │               INDEX (repository_pk, subject, digest) WHERE subject IS NOT NULL
//	     │   ├─< manifest_children  manifest_pk → manifests | position | child_digest
//	     │   │                      PK (manifest_pk, position); INDEX (child_digest)
//	     │   └─< tags        (repository_pk, digest) → manifests (repository_pk, digest)
//	     │                   | name | created_at
//	     │                   PK (repository_pk, name); INDEX (repository_pk, digest)
//	     └─< uploads         pk | id UNIQUE | repository_pk → repositories | created_at
//	                         INDEX (repository_pk)
//
//	blobs               digest PK | size, created_at,       (no foreign key: a record
//	                    unreferenced_since, deleting_since   outlives its links)
//
// Principals are a supertype: a user, group or role is a principals row (its
// account and name) plus a row of its kind (everything else) sharing the pk.
// Memberships, attachments, inline policies and access keys hang off pks, so
// a rename rewrites one principals.name and carries them all along, and a
// delete of the principals row cascades through the kind's row to all of
// them. A group_members row points at groups and users, not at principals,
// so only a group can have members and only a user can be one.
//
// The registry hangs off repositories: deleting one cascades to its blob
// links, manifests (and through them their children and tags) and uploads.
// A tag's foreign key is (repository_pk, digest), so a tag can only name a
// manifest of its own repository, listing tags needs no join, and deleting a
// manifest deletes its tags; a manifest put again under its digest is
// updated in place (never deleted and re-inserted), so its tags stay. An
// index's children are rows in order, so the list comes back as pushed and
// "does an index list this digest" is an index lookup. An upload's account
// is its repository's.
//
// Blob links are the registry's reference counts, and blobs its record of
// the content in the blob store: one row per digest, which linking and
// deleting content serialize on (store.Blobs, store.GC; the protocol is in
// internal/store/gc.go). A link is made under a held record; content is
// deleted only under a tombstone (deleting_since set) made in a
// transaction that found no link, and the record is dropped after. The
// collector (internal/gc) marks a record no link holds (unreferenced_since)
// and deletes its content once it has stayed so for its grace period; a
// link's created_at, renewed when it is made again, gives a link no
// manifest uses its own grace period. Listing the records pages along the
// primary key and counts each one's links along blob_links' INDEX (digest).
//
// A console session hangs off its account only: it names its user by name
// and ID, not by a foreign key, so deleting or renaming a user leaves its
// sessions (the services end them, and the ID tells a deleted user's
// sessions from a new namesake's). A session's id is the SHA-256 of the
// browser's token, so a copy of the database signs no one in; expired
// sessions stay until DeleteExpired, a range of the expires_at index (a NULL
// expiry, the zero time, is before any).
//
// Failed console sign-ins are counted per key, the sign-in service's
// SHA-256 of an account and a user name (an attacker's text never lands
// here, and accounts and users that do not exist are counted too, so the
// key is tied to no row). Add is one upsert that begins the count again
// when it began before the window, so concurrent failures on any replica
// add to one count; old counts go with DeleteBefore, a range of the
// first_at index.
//
// A credential report is the account's last, one row keyed by the
// account's pk: generating one anew replaces the row (an upsert that finds
// the account itself), so every replica reads the same report. How often a
// report may be generated again is internal/iam's rule, read off
// generated_at; the store keeps no other state (no STARTED report: Wharf
// generates a report in one call).
//
// Names (principals, policies, inline policies, and a console session's
// user_name) are declared COLLATE NOCASE, so equality, ordering and
// uniqueness on them are case-insensitive. NOCASE folds ASCII only, which
// is exactly IAM's name alphabet [\w+=,.@-]. Paths, ARNs, IDs and version
// IDs compare exactly. Listings are ordered by name
// case-insensitively (then by ARN for policies); path prefixes are
// case-sensitive. Registry names — aliases, repository names, tags, digests,
// upload IDs — use the default BINARY collation: they compare exactly and
// order by bytes, the OCI spec's lexical order. The catalog's "alias/name"
// order is (alias || '/', name), as an alias never contains '/'. A
// registry listing page is a range of its index — tags of the primary key
// (repository_pk, name) — so it costs its own rows wherever its marker is.
//
// Values: times are INTEGER unix microseconds in UTC, NULL for the zero
// time.Time; tags are JSON text ([{"Key":…,"Value":…}], order kept); lists of
// digests are JSON arrays; manifest and credential report content is a
// BLOB, byte for byte; booleans are 0/1. Every table is STRICT.
//
// # Migrations
//
// The schema evolves by numbered files, migrations/NNNN_name.sql, embedded in
// the binary. Open applies those not yet recorded in schema_migrations, in
// order, each in one transaction together with its record (and a foreign key
// check), so a migration is applied entirely or not at all, and applying
// twice is a no-op. A database recording a version this binary does not know
// is refused. A migration never rebuilds accounts by DROP TABLE: with foreign
// keys on, that would cascade-delete everything hanging off it; 0002 changes
// a column and 0003 adds one with ALTER TABLE, which keeps every row and pk;
// 0004 adds blob_links.created_at the same way (filled with the migration's
// time) and backfills blobs from blob_links; 0005 only adds a table.
//
// # Transactions
//
// Write transactions are serialized: Tx runs on a pool of one connection
// that begins with BEGIN IMMEDIATE, so transactions of this process queue in
// database/sql (honouring their contexts) and another process holding the
// write lock is waited for under the busy timeout. fn is therefore called
// exactly once, and must not call Tx itself. The file is in WAL mode, so
// View's read-only transactions, on a separate pool, run concurrently with
// each other and with the writer. A method of several statements runs them
// in a savepoint, so that when it fails it leaves nothing of its own behind
// and the transaction goes on, as the store's contract asks.
package sqlite
