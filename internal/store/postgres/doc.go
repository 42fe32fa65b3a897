// Package postgres is Wharf's scale-out metadata store: store.Store on a
// PostgreSQL database (11 or later; tested on 15), through pgx's connection
// pool, so that several Wharf processes can share one database.
//
// Like the embedded store (internal/store/sqlite), it keeps facts and
// enforces only what a database must — uniqueness, referential integrity,
// atomicity. It never validates IAM names or policy documents, never
// authorizes, and never sees a secret in clear text: access key secrets
// arrive encrypted and passwords hashed, and neither ever appears in an
// error. Both pass the same conformance suite, internal/store/storetest.
//
// # Schema
//
// The schema, as migrations/0001_iam.sql, 0002_registry.sql,
// 0003_console.sql, 0004_gc.sql, 0005_credential_reports.sql and
// 0006_signin_failures.sql make it:
// the SQLite store's, table for table. "pk" columns are BIGINT identity
// keys, never shown outside this package; every public identifier is a
// UNIQUE column beside them. An arrow is a foreign key, and every one is ON
// DELETE CASCADE ON UPDATE CASCADE.
//
//	schema_migrations   version PK, name, applied_at           (bookkeeping, see below)
//
//	signin_failures     key PK (hex SHA-256) | first_at, count  (no account: see below)
//	                    INDEX (first_at)
//
//	accounts            pk | id UNIQUE (12 digits) | created_at
//	 │                  | alias: NULL for none, else UNIQUE, no '/' | display_name,
//	 │                  root_password_hash ('' for none)
//	 │                  INDEX ((alias || '/'), pk) WHERE alias IS NOT NULL  -- the catalog's order
//	 │
//	 ├─< principals     pk | account_pk → accounts
//	 │   │                 | kind ∈ {user, group, role} | name
//	 │   │                 UNIQUE INDEX (account_pk, kind, lower(name))   -- Alice = alice
//	 │   │
//	 │   ├── users      pk → principals (1:1) | id UNIQUE (AIDA…) | path,
//	 │   │              permissions_boundary, tags JSONB, created_at, password_hash,
//	 │   │              password_created_at, password_reset_needed BOOLEAN,
//	 │   │              password_last_used
//	 │   ├── groups     pk → principals (1:1) | id UNIQUE (AGPA…) | path, created_at
//	 │   ├── roles      pk → principals (1:1) | id UNIQUE (AROA…) | path,
//	 │   │              assume_role_policy, description, max_session_duration,
//	 │   │              permissions_boundary, tags JSONB, created_at, last_used_at,
//	 │   │              last_used_region
//	 │   │
//	 │   ├─< group_members       group_pk → groups, user_pk → users
//	 │   │                       PK (group_pk, user_pk); INDEX (user_pk)
//	 │   ├─< policy_attachments  principal_pk → principals, policy_pk → policies
//	 │   │                       PK (principal_pk, policy_pk); INDEX (policy_pk)
//	 │   └─< inline_policies     pk | principal_pk → principals | name | document
//	 │                           UNIQUE INDEX (principal_pk, lower(name))
//	 │
//	 ├─< policies       pk | account_pk → accounts, NULL for AWS-managed ("aws")
//	 │   │              | name | id UNIQUE (ANPA…) | arn UNIQUE | path,
//	 │   │              description, default_version_id, tags JSONB, created_at,
//	 │   │              updated_at, next_version
//	 │   │              UNIQUE INDEX (coalesce(account_pk, 0), lower(name))
//	 │   │              INDEX (account_pk, lower(name), arn)
//	 │   └─< policy_versions  pk (orders versions by age) | policy_pk → policies
//	 │                        | version_id ("v1"…) | document, created_at
//	 │                        UNIQUE (policy_pk, version_id)
//	 │
//	 ├─< access_keys    pk | id UNIQUE (AKIA…) | account_pk → accounts
//	 │                  | user_pk → users, NULL for the root user
//	 │                  | secret_ciphertext BYTEA, status, created_at,
//	 │                  last_used_at, last_used_service, last_used_region
//	 │                  INDEX (account_pk, user_pk); INDEX (user_pk)
//	 │
//	 ├─< console_sessions  pk | id UNIQUE (hex SHA-256 of the token)
//	 │                     | account_pk → accounts | user_name, user_id
//	 │                     (both '' for the root user), csrf_token,
//	 │                     password_reset_required BOOLEAN, created_at, expires_at
//	 │                     INDEX (account_pk, lower(user_name)); INDEX (expires_at)
//	 │
//	 ├── credential_reports  account_pk PK → accounts (1:1, at most)
//	 │                       | generated_at, content BYTEA (the CSV)
//	 │
//	 └─< repositories   pk | account_pk → accounts | name | catalog_data,
//	     │              policy, tags JSONB, created_at
//	     │              UNIQUE (account_pk, name)        -- App ≠ app
//	     │
//	     ├─< blob_links      repository_pk → repositories | digest | size
//	     │                   | created_at (the database's clock)
//	     │                   PK (repository_pk, digest); INDEX (digest)
//	     ├─< manifests       pk | repository_pk → repositories | digest
//	     │   │               | media_type, artifact_type, content BYTEA,
//	     │   │               subject (NULL for none), annotations,
//	     │   │               blobs TEXT[], image_size, pushed_at
//	     │   │               UNIQUE (repository_pk, digest)
//	     │   │               INDEX (repository_pk, subject, digest) WHERE subject IS NOT NULL
//	     │   ├─< manifest_children  manifest_pk → manifests | position | child_digest
//	     │   │                      PK (manifest_pk, position); INDEX (child_digest)
//	     │   └─< tags        (repository_pk, digest) → manifests (repository_pk, digest)
//	     │                   | name | created_at
//	     │                   PK (repository_pk, name); INDEX (repository_pk, digest, name)
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
// manifest of its own repository (PutTag inserts from the manifest's row:
// none, ErrNotFound), listing tags needs no join, and deleting a manifest
// deletes its tags; a manifest put again under its digest is
// updated in place (INSERT … ON CONFLICT DO UPDATE, never deleted and
// re-inserted), so its tags stay. An index's children are rows in order, so
// the list comes back as pushed and "does an index list this digest" is an
// index lookup. An upload's account is its repository's.
//
// Blob links are the registry's reference counts, and blobs its record of
// the content in the blob store: one row per digest, which linking and
// deleting content serialize on (store.Blobs, store.GC; the protocol is in
// internal/store/gc.go). A link is made under a held record (SELECT … FOR
// SHARE, so that pushes of one layer do not wait for each other); content
// is deleted only under a tombstone (deleting_since set, the row locked FOR
// UPDATE) made in a transaction that found no link, and the record is
// dropped after. Under SERIALIZABLE a hold and a tombstone of one row
// cannot both commit unseen by each other. The collector (internal/gc)
// marks a record no link holds (unreferenced_since) and deletes its content
// once it has stayed so for its grace period; a link's created_at (default
// now(), renewed when it is made again) gives a link no manifest uses its
// own grace period. Listing the records pages along the primary key and
// counts each one's links along blob_links' INDEX (digest).
//
// A console session hangs off its account only: it names its user by name
// and ID, not by a foreign key, so deleting or renaming a user leaves its
// sessions (the services end them, and the ID tells a deleted user's
// sessions from a new namesake's). A session's id is the SHA-256 of the
// browser's token, so a copy of the database signs no one in; expired
// sessions stay until DeleteExpired, which reads the expires_at index (a
// NULL expiry, the zero time, is before any).
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
// Collation: every text column is declared COLLATE "C", so comparisons and
// ordering are by bytes whatever the database's own locale (the tests run on
// a server whose default collation is ICU's en-US, to keep it so). IAM names
// (principals, policies, inline policies, and a console session's
// user_name) are case-insensitive through lower(name): the unique indexes
// are on lower(name), lookups compare lower(name) with the name folded in
// Go, and listings order by lower(name) (then by ARN for policies) along
// those indexes. Under "C", lower() folds
// ASCII only — exactly SQLite's NOCASE, and exactly IAM's name alphabet
// [\w+=,.@-] — and citext, an extension a server may not have, is not
// needed. Paths, ARNs, IDs and version IDs compare exactly; path prefixes
// are case-sensitive (starts_with). Registry names — aliases, repository
// names, tags, digests, upload IDs — compare exactly and order by bytes, the
// OCI spec's lexical order. The catalog's "alias/name" order is
// (alias || '/', name), as an alias never contains '/'. A listing page is a
// range of an index read in order, so it costs its own rows wherever its
// marker is; the catalog merges two indexes with an incremental sort of at
// most one page per account.
//
// Values: times are TIMESTAMPTZ — microseconds, as the SQLite store keeps
// them — read back in UTC, NULL for the zero time.Time; IAM and repository
// tags are JSONB ([{"Key":…,"Value":…}], order kept); a manifest's blobs a
// TEXT[]; manifest content, credential reports and key secrets BYTEA,
// byte for byte; documents, catalog data and annotations TEXT exactly as
// given (not JSONB, which would rewrite them). PostgreSQL's text cannot
// hold a NUL byte or invalid UTF-8: a call passing such a string (tags
// included) fails before anything is sent, and so leaves the transaction
// usable. Open refuses a database whose encoding is not UTF8.
//
// # Migrations
//
// The schema evolves by numbered files, migrations/NNNN_name.sql, embedded in
// the binary, with the SQLite store's numbers and meaning. Open applies those
// not yet recorded in schema_migrations, in order, each in one transaction
// together with its record (PostgreSQL's DDL is transactional), so a
// migration is applied entirely or not at all, and applying twice is a
// no-op. Open holds a session advisory lock on the database meanwhile, so
// that of several replicas starting at once one migrates while the others
// wait, then find its records: each migration is applied exactly once. A
// database recording a version this binary does not know is refused.
//
// # Transactions
//
// Tx runs SERIALIZABLE transactions, which run concurrently (within the
// pool's connections) and behave as if run one at a time, as the SQLite
// store's single writer does: the services' read-then-write rules (quotas,
// DeleteConflict) hold across replicas. A transaction that fails to
// serialize (SQLSTATE 40001, or a deadlock, 40P01; or a cached statement
// whose result another replica's migration changed) is rolled back and fn
// is run again, up to 40 times with a random backoff — even when fn
// swallowed the error — which store.Store's contract allows: fn must have
// no effect outside the transaction. fn must not call Tx or View itself (each holds a
// pool connection). View runs REPEATABLE READ READ ONLY transactions: one
// consistent snapshot, never a serialization failure, any write an error.
//
// A statement that fails in PostgreSQL aborts its whole transaction, where
// SQLite undoes just the statement. So each method whose statements may
// fail — those that can meet a unique violation (ErrAlreadyExists) or a
// check constraint: the creates and renames of accounts, principals,
// policies, policy versions, access keys and repositories, and SetAlias —
// runs inside a savepoint (a subtransaction), and when it fails, rolls back
// to it: the method undoes its own writes and the transaction goes on, as
// the store's contract asks. The other methods cannot fail that way and
// spare the savepoint's two round trips: lookups that find nothing are
// ErrNotFound without any statement failing, and the registry's frequent
// writes are single statements that find their repository (and PutTag its
// manifest) themselves, upsert, or skip a taken upload ID with ON CONFLICT
// DO NOTHING — a push of an image manifest and its tag is two statements.
// Creating a console session and putting a credential report are such
// single statements too.
package postgres
