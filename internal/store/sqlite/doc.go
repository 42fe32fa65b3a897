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
// The schema, as migrations/0001_iam.sql creates it. "pk" columns are
// surrogate INTEGER PRIMARY KEYs, never shown outside this package; every
// public identifier is a UNIQUE column beside them. An arrow is a foreign
// key, and every one is ON DELETE CASCADE ON UPDATE CASCADE.
//
//	schema_migrations   version PK, name, applied_at           (bookkeeping, see below)
//
//	accounts            pk | id UNIQUE (12 digits) | alias, created_at
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
//	 └─< access_keys    pk | id UNIQUE (AKIA…) | account_pk → accounts
//	                    | user_pk → users, NULL for the root user
//	                    | secret_ciphertext BLOB, status, created_at,
//	                    last_used_at, last_used_service, last_used_region
//
// Principals are a supertype: a user, group or role is a principals row (its
// account and name) plus a row of its kind (everything else) sharing the pk.
// Memberships, attachments, inline policies and access keys hang off pks, so
// a rename rewrites one principals.name and carries them all along, and a
// delete of the principals row cascades through the kind's row to all of
// them. A group_members row points at groups and users, not at principals,
// so only a group can have members and only a user can be one.
//
// Names (principals, policies, inline policies) are declared COLLATE NOCASE,
// so equality, ordering and uniqueness on them are case-insensitive. NOCASE
// folds ASCII only, which is exactly IAM's name alphabet [\w+=,.@-]. Paths,
// ARNs, IDs and version IDs compare exactly. Listings are ordered by name
// case-insensitively (then by ARN for policies); path prefixes are
// case-sensitive.
//
// Values: times are INTEGER unix microseconds in UTC, NULL for the zero
// time.Time; tags are JSON text ([{"Key":…,"Value":…}], order kept); booleans
// are 0/1. Every table is STRICT.
//
// # Migrations
//
// The schema evolves by numbered files, migrations/NNNN_name.sql, embedded in
// the binary. Open applies those not yet recorded in schema_migrations, in
// order, each in one transaction together with its record (and a foreign key
// check), so a migration is applied entirely or not at all, and applying
// twice is a no-op. A database recording a version this binary does not know
// is refused.
//
// # Transactions
//
// Write transactions are serialized: Tx runs on a pool of one connection
// that begins with BEGIN IMMEDIATE, so transactions of this process queue in
// database/sql (honouring their contexts) and another process holding the
// write lock is waited for under the busy timeout. fn is therefore called
// exactly once, and must not call Tx itself. The file is in WAL mode, so
// View's read-only transactions, on a separate pool, run concurrently with
// each other and with the writer.
package sqlite
