package store

import "time"

// Repository is an ECR Public repository.
type Repository struct {
	AccountID string
	Name      string // e.g. "project-a/nginx-web-app"
	CreatedAt time.Time
	// CatalogData is the repository's catalog data as JSON (description,
	// aboutText, usageText, architectures, operatingSystems, logo), "" for none.
	CatalogData string
	// Policy is the repository policy document, "" for none.
	Policy string
	Tags   []Tag
}

// Manifest is an image manifest (or index) stored in a repository, by digest.
type Manifest struct {
	AccountID    string
	Repository   string
	Digest       string // "sha256:…"
	MediaType    string
	ArtifactType string // for referrers: artifactType, else config.mediaType
	Content      []byte // the manifest bytes exactly as pushed
	// Subject is the digest of the manifest this one refers to (OCI 1.1
	// referrers), "" for none.
	Subject string
	// Annotations of the manifest, as JSON (for the referrers index), "" for none.
	Annotations string
	// Blobs are the digests of the config and layers it references;
	// Manifests the digests of the manifests an index references.
	Blobs     []string
	Manifests []string
	// ImageSize is the manifest's size plus its config and layers; for an
	// index, the largest member's image size (as ECR Public reports it).
	ImageSize int64
	PushedAt  time.Time
}

// ImageTag is a tag naming a manifest.
type ImageTag struct {
	Name      string
	Digest    string
	CreatedAt time.Time
}

// Upload is an upload session of a blob into a repository; the bytes are in
// the blob store under the same ID.
type Upload struct {
	ID         string
	AccountID  string
	Repository string
	CreatedAt  time.Time
}

// Registry stores repositories, the blobs linked to them, manifests, tags and
// uploads. Repository names are unique per account (case-sensitive: ECR
// Public names are lower case). Deleting a repository removes its manifests,
// tags, blob links and uploads.
type Registry interface {
	CreateRepository(r Repository) error
	GetRepository(account, name string) (Repository, error)
	// ListRepositories lists an account's repositories ordered by name.
	ListRepositories(account string, p Page) ([]Repository, bool, error)
	// Catalog lists every repository of every account as "alias/name"
	// (accounts without an alias are left out), in byte order, for the OCI
	// catalog; the marker is such a string.
	Catalog(p Page) ([]string, bool, error)
	UpdateRepository(r Repository) error
	DeleteRepository(account, name string) error

	// LinkBlob records that a repository holds blob digest of size bytes
	// (idempotent), made now by the database's clock: linking again renews
	// the link's time (see GC.UnlinkUnreferenced). BlobSize answers only for
	// linked blobs (ErrNotFound). The caller holds the digest's record
	// (Blobs.Hold) and has checked that the content exists.
	LinkBlob(account, repo, digest string, size int64) error
	BlobSize(account, repo, digest string) (int64, error)
	UnlinkBlob(account, repo, digest string) error
	// BlobInUse reports whether any repository of any account still links
	// the digest (so the blob store may delete it when false).
	BlobInUse(digest string) (bool, error)

	// PutManifest stores a manifest (replacing one with the same digest).
	PutManifest(m Manifest) error
	GetManifest(account, repo, digest string) (Manifest, error)
	// ListManifests lists a repository's manifests ordered by digest.
	ListManifests(account, repo string, p Page) ([]Manifest, bool, error)
	// ListManifestSummaries lists a page of a repository's manifests as
	// ListManifests does, each one a summary: AccountID, Repository,
	// Digest, MediaType, ArtifactType, Subject, Annotations, ImageSize and
	// PushedAt filled, and Content, Blobs and Manifests nil (never read).
	ListManifestSummaries(account, repo string, p Page) ([]Manifest, bool, error)
	// GetManifestSummaries looks a batch of a repository's manifests up by
	// digest, with one query however many there are, and returns their
	// summaries (as ListManifestSummaries) by digest. Digests the repository
	// does not have are absent from the map (no error); a digest may be
	// given more than once.
	GetManifestSummaries(account, repo string, digests []string) (map[string]Manifest, error)
	// DeleteManifest removes a manifest and the tags that name it.
	DeleteManifest(account, repo, digest string) error
	// Referrers lists the manifests whose Subject is digest.
	Referrers(account, repo, digest string) ([]Manifest, error)
	// ManifestReferenced reports whether an index in the repository lists digest.
	ManifestReferenced(account, repo, digest string) (bool, error)

	// PutTag points a tag at a manifest (creating or moving it).
	PutTag(account, repo string, t ImageTag) error
	GetTag(account, repo, name string) (ImageTag, error)
	// ListTags lists a repository's tags ordered by name (byte order, as the
	// OCI spec's lexical order); the marker is a tag name.
	ListTags(account, repo string, p Page) ([]ImageTag, bool, error)
	// TagsOf lists the tags naming a manifest, ordered by name.
	TagsOf(account, repo, digest string) ([]string, error)
	// TagsOfMany lists the tags naming each of a batch of digests (each
	// given once or more), with one query however many there are, each
	// list ordered by name as TagsOf's. A digest no tag names — untagged,
	// or not a manifest of the repository — is absent from the map (no
	// error, unlike TagsOf).
	TagsOfMany(account, repo string, digests []string) (map[string][]string, error)
	DeleteTag(account, repo, name string) error

	CreateUpload(u Upload) error
	GetUpload(id string) (Upload, error)
	DeleteUpload(id string) error
	// DeleteUploadsBefore removes the uploads created before t (the zero
	// creation time included) and returns how many there were: the
	// records of uploads their clients abandoned.
	DeleteUploadsBefore(t time.Time) (int, error)
}
