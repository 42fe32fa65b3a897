// Package store defines how Wharf keeps its metadata: small interfaces per
// aggregate, reached through a transaction, with an embedded implementation
// (internal/store/sqlite) and a scale-out one (internal/store/postgres). The suite in
// internal/store/storetest is the contract every implementation passes.
//
// The store keeps facts, not rules: IAM quotas, name validation and
// authorization live in the services (internal/iam, internal/sts). The store
// enforces only what a database must: uniqueness (names are unique per account
// case-insensitively, as IAM's are), referential integrity, and atomicity — a
// transaction whose function fails leaves nothing behind.
//
// Secrets never reach the store in clear text: access-key secrets arrive
// already encrypted (SecretCiphertext), passwords already hashed.
//
// Errors are of the kinds below, matched with errors.Is.
package store

import (
	"context"
	"errors"
	"time"
)

// Error kinds.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrConflict      = errors.New("conflict") // e.g. deleting a policy version that is the default
)

// Store is a metadata store.
type Store interface {
	// Tx runs fn in one transaction. When fn returns an error, or panics,
	// nothing it wrote is kept. Implementations serialize or retry as their
	// engine requires; fn may be called more than once, so it must not have
	// side effects outside the transaction.
	Tx(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Viewer is an optional capability of a Store: read-only transactions that
// run concurrently with each other and with Tx. Services use it for reads
// when the store offers it.
type Viewer interface {
	View(ctx context.Context, fn func(Tx) error) error
}

// View runs a read-only fn on st: concurrently with other reads when st is
// a Viewer, in a transaction otherwise.
func View(ctx context.Context, st Store, fn func(Tx) error) error {
	if v, ok := st.(Viewer); ok {
		return v.View(ctx, fn)
	}
	return st.Tx(ctx, fn)
}

// Tx is one transaction's view of every aggregate. A method that fails
// undoes only its own writes: the transaction stays usable, and the caller
// decides whether to go on or return the error (which rolls back all).
type Tx interface {
	Accounts() Accounts
	Users() Users
	Groups() Groups
	Roles() Roles
	Policies() Policies
	AccessKeys() AccessKeys
	Registry() Registry
	ConsoleSessions() ConsoleSessions
	CredentialReports() CredentialReports
	SignInFailures() SignInFailures
	Blobs() Blobs
	GC() GC
}

// Page asks for one page of a listing ordered by name: the entries after
// Marker (exclusive; "" starts at the beginning), at most Max (0 means 100).
type Page struct {
	Marker string
	Max    int
}

// Tag is a key/value tag on an IAM entity.
type Tag struct {
	Key   string
	Value string
}

// Account is a Wharf account: a 12-digit ID scoping every entity.
type Account struct {
	ID string
	// Alias is the account's ECR Public registry alias (the first path
	// segment of its image names), unique across accounts; "" until set.
	Alias string
	// DisplayName is the registry's display name (ECR Public registry
	// catalog data), "" for none.
	DisplayName string
	// RootPasswordHash is the root user's console password as
	// secrets.HashPassword made it; "" when the root user cannot sign in.
	RootPasswordHash string
	CreatedAt        time.Time
}

// Accounts stores accounts.
type Accounts interface {
	Create(Account) error
	Get(id string) (Account, error)
	// GetByAlias finds an account by its registry alias (ErrNotFound).
	GetByAlias(alias string) (Account, error)
	// SetAlias sets the registry alias (ErrAlreadyExists when another
	// account has it).
	SetAlias(id, alias string) error
	// SetDisplayName sets the registry's display name.
	SetDisplayName(id, name string) error
	// SetRootPassword sets the root user's console password hash ("" removes it).
	SetRootPassword(id, hash string) error
	List() ([]Account, error)
}

// ConsoleSession is a signed-in web console session. The browser holds a
// random token; the store keeps only its SHA-256 (ID), so that a copy of the
// database does not sign anyone in.
type ConsoleSession struct {
	// ID is the hex SHA-256 of the session cookie's token.
	ID        string
	AccountID string
	// UserName and UserID name the IAM user; both are "" for the root user.
	// UserID guards against a deleted user's name being reused.
	UserName string
	UserID   string
	// CSRFToken is the session's anti-forgery token, sent back with every form.
	CSRFToken string
	// PasswordResetRequired is set when the user signed in with a password
	// that must be changed before anything else is allowed.
	PasswordResetRequired bool
	CreatedAt             time.Time
	ExpiresAt             time.Time
}

// ConsoleSessions stores console sessions, so that any replica can serve them.
type ConsoleSessions interface {
	// Create stores a session (ErrAlreadyExists for a duplicate ID).
	Create(ConsoleSession) error
	// Get returns a session (ErrNotFound), expired ones included: the caller
	// checks ExpiresAt.
	Get(id string) (ConsoleSession, error)
	// ClearPasswordReset clears PasswordResetRequired (ErrNotFound).
	ClearPasswordReset(id string) error
	// Delete removes a session (ErrNotFound).
	Delete(id string) error
	// DeleteForUser removes every session of an account's user ("" for the
	// root user) and returns how many there were.
	DeleteForUser(accountID, userName string) (int, error)
	// DeleteExpired removes sessions that expired before t and returns how many.
	DeleteExpired(t time.Time) (int, error)
}

// SignInFailureCount is a count of failed console sign-ins for one key,
// and when the count began.
type SignInFailureCount struct {
	First time.Time
	Count int
}

// SignInFailures counts failed console sign-ins per key (the sign-in
// service's digest of an account and a user name), so that every replica
// throttles against the same count. The store keeps no rule of its own:
// how many failures block, and for how long, is the service's business.
type SignInFailures interface {
	// Add records a failure at t, atomically: a count that began before
	// windowStart (or none) begins again at t with 1; otherwise it grows
	// by one. It returns the count after the failure.
	Add(key string, t, windowStart time.Time) (SignInFailureCount, error)
	// Get returns a key's count (ErrNotFound when none is kept).
	Get(key string) (SignInFailureCount, error)
	// Delete forgets a key's count (nil when there was none).
	Delete(key string) error
	// DeleteBefore forgets the counts that began before t and returns how
	// many there were.
	DeleteBefore(t time.Time) (int, error)
}

// CredentialReport is an account's IAM credential report as last generated
// (GenerateCredentialReport): the CSV, byte for byte, and when it was made.
type CredentialReport struct {
	AccountID   string
	GeneratedAt time.Time
	Content     []byte
}

// CredentialReports stores one credential report per account, the last
// generated, so that any replica can serve it. The store keeps no rule of
// IAM's: how often a report may be made again is the service's business.
type CredentialReports interface {
	// Put stores the account's report, replacing the one before
	// (ErrNotFound for an account that does not exist).
	Put(accountID string, generatedAt time.Time, content []byte) error
	// Get returns the account's report (ErrNotFound when none was put).
	Get(accountID string) (CredentialReport, error)
}

// User is an IAM user.
type User struct {
	AccountID           string
	Name                string
	ID                  string // AIDA…
	Path                string
	PermissionsBoundary string // policy ARN, or ""
	Tags                []Tag
	CreatedAt           time.Time
	PasswordHash        string // login profile; "" when the user has none
	PasswordCreatedAt   time.Time
	PasswordResetNeeded bool
	PasswordLastUsed    time.Time
}

// Users stores users. Names are unique per account, case-insensitively, and
// Get finds a user by name in any case.
type Users interface {
	Create(User) error
	Get(account, name string) (User, error)
	GetByID(account, id string) (User, error)
	// List returns users whose path starts with pathPrefix, ordered by name.
	List(account, pathPrefix string, p Page) (users []User, more bool, err error)
	// Update replaces every field of the user named oldName. A rename carries
	// the user's group memberships, policies and access keys along.
	Update(oldName string, u User) error
	// Delete removes the user. The caller has checked IAM's DeleteConflict rules.
	Delete(account, name string) error
}

// Group is an IAM group.
type Group struct {
	AccountID string
	Name      string
	ID        string // AGPA…
	Path      string
	CreatedAt time.Time
}

// Groups stores groups and their members.
type Groups interface {
	Create(Group) error
	Get(account, name string) (Group, error)
	List(account, pathPrefix string, p Page) ([]Group, bool, error)
	Update(oldName string, g Group) error // a rename carries members and policies along
	Delete(account, name string) error
	AddMember(account, group, user string) error // idempotent
	RemoveMember(account, group, user string) error
	Members(account, group string, p Page) ([]User, bool, error)
	// GroupsForUser lists the groups a user belongs to, ordered by name.
	GroupsForUser(account, user string, p Page) ([]Group, bool, error)
}

// Role is an IAM role.
type Role struct {
	AccountID           string
	Name                string
	ID                  string // AROA…
	Path                string
	AssumeRolePolicy    string // the trust policy document, as given
	Description         string
	MaxSessionDuration  int // seconds
	PermissionsBoundary string
	Tags                []Tag
	CreatedAt           time.Time
	LastUsedAt          time.Time
	LastUsedRegion      string
}

// Roles stores roles.
type Roles interface {
	Create(Role) error
	Get(account, name string) (Role, error)
	List(account, pathPrefix string, p Page) ([]Role, bool, error)
	Update(oldName string, r Role) error // a rename carries policies along
	Delete(account, name string) error
}

// EntityKind is the kind of principal a policy is attached to.
type EntityKind string

// Entity kinds.
const (
	KindUser  EntityKind = "user"
	KindGroup EntityKind = "group"
	KindRole  EntityKind = "role"
)

// Entity names one user, group or role.
type Entity struct {
	AccountID string
	Kind      EntityKind
	Name      string
}

// ManagedPolicy is a customer-managed policy (AccountID = the account) or an
// AWS-managed one (AccountID = "aws").
type ManagedPolicy struct {
	AccountID        string
	Name             string
	ID               string // ANPA…
	Path             string
	ARN              string
	Description      string
	DefaultVersionID string // "v1", "v2", …
	Tags             []Tag
	CreatedAt        time.Time
	UpdatedAt        time.Time
	// NextVersion is the number the next version gets (versions are never
	// renumbered, even after deletes).
	NextVersion int
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	PolicyARN string
	VersionID string // "v1"…
	Document  string
	CreatedAt time.Time
}

// InlinePolicy is a policy embedded in one user, group or role.
type InlinePolicy struct {
	Entity   Entity
	Name     string
	Document string
}

// Attachment is a managed policy attached to an entity.
type Attachment struct {
	Entity    Entity
	PolicyARN string
}

// Policies stores managed policies, their versions, their attachments and
// inline policies.
type Policies interface {
	// Create stores a policy with its first version, which becomes the default.
	Create(p ManagedPolicy, first PolicyVersion) error
	Get(arn string) (ManagedPolicy, error)
	// List lists the policies of account (and, with includeAWS, the AWS-managed
	// ones), path prefix applied, ordered by name then ARN; the marker is an ARN.
	List(account string, includeAWS bool, pathPrefix string, p Page) ([]ManagedPolicy, bool, error)
	Update(p ManagedPolicy) error
	// Delete removes the policy and all its versions.
	Delete(arn string) error

	AddVersion(v PolicyVersion) error
	GetVersion(arn, versionID string) (PolicyVersion, error)
	Versions(arn string) ([]PolicyVersion, error) // oldest first
	DeleteVersion(arn, versionID string) error

	Attach(a Attachment) error // idempotent
	Detach(a Attachment) error // ErrNotFound when not attached
	// Attached lists the managed policies attached to an entity, by policy name.
	Attached(e Entity) ([]ManagedPolicy, error)
	// AttachedTo lists the entities a policy is attached to.
	AttachedTo(arn string) ([]Entity, error)

	PutInline(p InlinePolicy) error // creates or replaces
	GetInline(e Entity, name string) (InlinePolicy, error)
	ListInline(e Entity) ([]InlinePolicy, error) // by name
	DeleteInline(e Entity, name string) error
	// DeleteEntityPolicies removes every inline policy and attachment of e.
	DeleteEntityPolicies(e Entity) error
}

// KeyStatus is an access key's status.
type KeyStatus string

// Access key statuses.
const (
	KeyActive   KeyStatus = "Active"
	KeyInactive KeyStatus = "Inactive"
)

// AccessKey is a long-term access key of a user, or of the account's root
// user (UserName "").
type AccessKey struct {
	ID               string // AKIA…
	AccountID        string
	UserName         string
	SecretCiphertext []byte // the secret, encrypted by the caller
	Status           KeyStatus
	CreatedAt        time.Time
	LastUsedAt       time.Time
	LastUsedService  string
	LastUsedRegion   string
}

// AccessKeys stores access keys. IDs are globally unique.
type AccessKeys interface {
	Create(AccessKey) error
	Get(id string) (AccessKey, error)
	ListForUser(account, user string) ([]AccessKey, error) // oldest first
	SetStatus(id string, s KeyStatus) error
	RecordUse(id string, at time.Time, service, region string) error
	Delete(id string) error
}
