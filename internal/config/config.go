// Package config is wharf serve's one typed configuration: defaults, then an
// optional JSON file, then WHARF_* environment variables, then flags, each
// overriding the one before; Validate checks the result before anything starts.
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/arn"
	"github.com/wharf-project/wharf/internal/httpx"
)

// Config configures wharf serve.
type Config struct {
	// Addr is the listen address, host:port.
	Addr string `json:"addr"`
	// DataDir holds the SQLite database, blobs, the secret key file and the
	// root credentials file.
	DataDir string `json:"dataDir"`
	// PublicURL is the URL clients reach Wharf at (repository URIs and token
	// realms name it); empty means http://<the address it listens on>.
	PublicURL string `json:"publicURL"`
	// AccountID is the 12-digit account created on first start.
	AccountID string `json:"accountID"`
	// SecretKeyFile holds the key that seals secrets at rest; default
	// <DataDir>/secret.key, created on first start.
	SecretKeyFile string `json:"secretKeyFile"`
	// RootAccessKeyID and RootSecretAccessKey preset the root access key of
	// the first account (for automation); both or neither.
	RootAccessKeyID     string `json:"-"`
	RootSecretAccessKey string `json:"-"`
	// RootPassword presets the root user's first console password
	// (WHARF_ROOT_PASSWORD); empty means a random one, written to
	// <DataDir>/root-console-password.
	RootPassword string `json:"-"`
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string `json:"logLevel"`
	LogFormat string `json:"logFormat"`
	// ShutdownTimeout bounds how long in-flight requests may finish on stop.
	ShutdownTimeout time.Duration `json:"shutdownTimeout"`
	// DatabaseURL selects the metadata store: empty for the embedded SQLite
	// database under DataDir, or a PostgreSQL URL (postgres://…) for
	// scale-out. It may hold a password, so it is never logged.
	DatabaseURL string `json:"-"`
	// BlobStore selects the blob store: empty for files under DataDir, or
	// s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true&lease-ttl=2m&redirect=15m] for an
	// S3-compatible store (credentials: WHARF_S3_ACCESS_KEY_ID and
	// WHARF_S3_SECRET_ACCESS_KEY, else the standard AWS credential chain).
	BlobStore         string `json:"blobStore"`
	S3AccessKeyID     string `json:"-"`
	S3SecretAccessKey string `json:"-"`
	// GCInterval is how often the garbage collector sweeps (internal/gc);
	// 0 disables it (wharf admin gc still runs one). Of several replicas,
	// one sweeps at a time.
	GCInterval time.Duration `json:"gcInterval"`
	// GCGrace is how old unused links and untagged manifests must be, and
	// how long content must have been unreferenced, to be removed.
	GCGrace time.Duration `json:"gcGrace"`
	// GCDeleteUntagged makes the scheduled sweeps remove untagged manifests
	// that no index lists and that refer to no kept manifest.
	GCDeleteUntagged bool `json:"gcDeleteUntagged"`
	// TrustedProxies lists the proxies in front of Wharf (CIDR blocks and
	// addresses, comma-separated) whose X-Forwarded-For names the client:
	// aws:SourceIp is then the client's address, not the proxy's. Empty
	// trusts no one (the header is ignored).
	TrustedProxies string `json:"trustedProxies"`
}

// S3Location is a parsed s3:// blob store setting.
type S3Location struct {
	Bucket, Prefix, Endpoint, Region string
	PathStyle                        bool
	// LeaseTTL is how long an upload stays held by a replica that died
	// while writing it (lease-ttl=30s); 0 for the store's default (2m).
	LeaseTTL time.Duration
	// Redirect, when not 0, sends blob downloads (GET, not HEAD) to a
	// presigned URL of the object valid that long (redirect=15m), so that
	// layer bytes go from the object store to the client directly.
	Redirect time.Duration
}

// S3 parses BlobStore; ok is false when it does not name S3.
func (c Config) S3() (loc S3Location, ok bool, err error) {
	if c.BlobStore == "" {
		return loc, false, nil
	}
	u, err := url.Parse(c.BlobStore)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return loc, false, fmt.Errorf("blob-store %q: use s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true]", c.BlobStore)
	}
	q := u.Query()
	loc = S3Location{Bucket: u.Host, Prefix: strings.TrimPrefix(u.Path, "/"), Endpoint: q.Get("endpoint"), Region: q.Get("region")}
	switch q.Get("path-style") {
	case "", "false":
	case "true":
		loc.PathStyle = true
	default:
		return loc, false, fmt.Errorf("blob-store: path-style must be true or false")
	}
	if v := q.Get("lease-ttl"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return loc, false, fmt.Errorf("blob-store: lease-ttl %q is not a duration of at least 1s", v)
		}
		loc.LeaseTTL = d
	}
	if v := q.Get("redirect"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 7*24*time.Hour {
			return loc, false, fmt.Errorf("blob-store: redirect %q is not a duration from 1m to 168h (a presigned URL's lifetime)", v)
		}
		loc.Redirect = d
	}
	for k := range q {
		if k != "endpoint" && k != "region" && k != "path-style" && k != "lease-ttl" && k != "redirect" {
			return loc, false, fmt.Errorf("blob-store: unknown parameter %q (endpoint, region, path-style, lease-ttl, redirect)", k)
		}
	}
	return loc, true, nil
}

// Default returns the defaults: zero set-up, everything under ./wharf-data.
func Default() Config {
	return Config{Addr: "127.0.0.1:5000", DataDir: "wharf-data", AccountID: "123456789012", LogLevel: "info", LogFormat: "text", ShutdownTimeout: 30 * time.Second,
		GCInterval: 24 * time.Hour, GCGrace: time.Hour}
}

// Load builds the configuration from a file named by --config or
// WHARF_CONFIG, the environment and the flags in args.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("config", getenv("WHARF_CONFIG"), "optional JSON configuration file (env WHARF_CONFIG)")
	addr := fs.String("addr", "", "listen address host:port (env WHARF_ADDR; default "+c.Addr+")")
	dataDir := fs.String("data-dir", "", "data directory (env WHARF_DATA_DIR; default ./"+c.DataDir+")")
	publicURL := fs.String("public-url", "", "URL clients reach Wharf at (env WHARF_PUBLIC_URL; default http://ADDR)")
	account := fs.String("account-id", "", "12-digit ID of the account created on first start (env WHARF_ACCOUNT_ID; default "+c.AccountID+")")
	keyFile := fs.String("secret-key-file", "", "key that seals secrets at rest (env WHARF_SECRET_KEY_FILE; default DATA-DIR/secret.key)")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (env WHARF_LOG_LEVEL)")
	logFormat := fs.String("log-format", "", "text or json (env WHARF_LOG_FORMAT)")
	shutdown := fs.Duration("shutdown-timeout", 0, "time in-flight requests get to finish on stop (env WHARF_SHUTDOWN_TIMEOUT)")
	dbURL := fs.String("database-url", "", "PostgreSQL URL for scale-out metadata (env WHARF_DATABASE_URL; default: embedded SQLite)")
	blobStore := fs.String("blob-store", "", "s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true] (env WHARF_BLOB_STORE; default: files in DATA-DIR)")
	gcInterval := fs.String("gc-interval", "", "how often the garbage collector sweeps, 0 for never (env WHARF_GC_INTERVAL; default 24h)")
	gcGrace := fs.String("gc-grace", "", "how long unused blobs and links are kept before the garbage collector removes them (env WHARF_GC_GRACE; default 1h)")
	gcUntagged := fs.String("gc-delete-untagged", "", "true: scheduled sweeps also remove untagged manifests (env WHARF_GC_DELETE_UNTAGGED; default false)")
	trustedProxies := fs.String("trusted-proxies", "", "CIDR blocks and addresses of the proxies whose X-Forwarded-For names the client, comma-separated (env WHARF_TRUSTED_PROXIES; default none)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err != nil {
			return c, err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		var fc struct {
			Config
			ShutdownTimeout string `json:"shutdownTimeout"`
			GCInterval      string `json:"gcInterval"`
			GCGrace         string `json:"gcGrace"`
		}
		fc.Config = c
		if err := dec.Decode(&fc); err != nil {
			return c, fmt.Errorf("%s: %w", *file, err)
		}
		c = fc.Config
		for _, d := range []struct {
			name string
			text string
			dst  *time.Duration
		}{{"shutdownTimeout", fc.ShutdownTimeout, &c.ShutdownTimeout}, {"gcInterval", fc.GCInterval, &c.GCInterval}, {"gcGrace", fc.GCGrace, &c.GCGrace}} {
			if d.text == "" {
				continue
			}
			v, err := time.ParseDuration(d.text)
			if err != nil {
				return c, fmt.Errorf("%s: %s: %w", *file, d.name, err)
			}
			*d.dst = v
		}
	}
	set := func(dst *string, env, flagVal string) {
		if v := getenv(env); v != "" {
			*dst = v
		}
		if flagVal != "" {
			*dst = flagVal
		}
	}
	set(&c.Addr, "WHARF_ADDR", *addr)
	set(&c.DataDir, "WHARF_DATA_DIR", *dataDir)
	set(&c.PublicURL, "WHARF_PUBLIC_URL", *publicURL)
	set(&c.AccountID, "WHARF_ACCOUNT_ID", *account)
	set(&c.SecretKeyFile, "WHARF_SECRET_KEY_FILE", *keyFile)
	set(&c.LogLevel, "WHARF_LOG_LEVEL", *logLevel)
	set(&c.LogFormat, "WHARF_LOG_FORMAT", *logFormat)
	set(&c.DatabaseURL, "WHARF_DATABASE_URL", *dbURL)
	set(&c.BlobStore, "WHARF_BLOB_STORE", *blobStore)
	set(&c.TrustedProxies, "WHARF_TRUSTED_PROXIES", *trustedProxies)
	c.S3AccessKeyID = getenv("WHARF_S3_ACCESS_KEY_ID")
	c.S3SecretAccessKey = getenv("WHARF_S3_SECRET_ACCESS_KEY")
	c.RootAccessKeyID = getenv("WHARF_ROOT_ACCESS_KEY_ID")
	c.RootSecretAccessKey = getenv("WHARF_ROOT_SECRET_ACCESS_KEY")
	c.RootPassword = getenv("WHARF_ROOT_PASSWORD")
	if v := getenv("WHARF_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("WHARF_SHUTDOWN_TIMEOUT: %w", err)
		}
		c.ShutdownTimeout = d
	}
	if *shutdown != 0 {
		c.ShutdownTimeout = *shutdown
	}
	// The environment, then the flag.
	for _, d := range []struct {
		name, text string
		dst        *time.Duration
	}{
		{"WHARF_GC_INTERVAL", getenv("WHARF_GC_INTERVAL"), &c.GCInterval},
		{"--gc-interval", *gcInterval, &c.GCInterval},
		{"WHARF_GC_GRACE", getenv("WHARF_GC_GRACE"), &c.GCGrace},
		{"--gc-grace", *gcGrace, &c.GCGrace},
	} {
		if d.text == "" {
			continue
		}
		v, err := time.ParseDuration(d.text)
		if err != nil {
			return c, fmt.Errorf("%s: %w", d.name, err)
		}
		*d.dst = v
	}
	for _, v := range []struct{ name, text string }{{"WHARF_GC_DELETE_UNTAGGED", getenv("WHARF_GC_DELETE_UNTAGGED")}, {"--gc-delete-untagged", *gcUntagged}} {
		switch v.text {
		case "":
		case "true":
			c.GCDeleteUntagged = true
		case "false":
			c.GCDeleteUntagged = false
		default:
			return c, fmt.Errorf("%s: %q is not true or false", v.name, v.text)
		}
	}
	if c.SecretKeyFile == "" {
		c.SecretKeyFile = filepath.Join(c.DataDir, "secret.key")
	}
	return c, c.Validate()
}

// Validate checks the configuration.
func (c Config) Validate() error {
	var problems []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		problems = append(problems, fmt.Errorf("addr %q: %v", c.Addr, err))
	}
	if c.DataDir == "" {
		problems = append(problems, errors.New("data-dir is empty"))
	}
	if u, err := url.Parse(c.PublicURL); c.PublicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		problems = append(problems, fmt.Errorf("public-url %q is not an http(s) URL", c.PublicURL))
	}
	if !arn.IsAccountID(c.AccountID) {
		problems = append(problems, fmt.Errorf("account-id %q is not 12 digits", c.AccountID))
	}
	if (c.RootAccessKeyID == "") != (c.RootSecretAccessKey == "") {
		problems = append(problems, errors.New("WHARF_ROOT_ACCESS_KEY_ID and WHARF_ROOT_SECRET_ACCESS_KEY go together"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		problems = append(problems, fmt.Errorf("log-level %q is not debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		problems = append(problems, fmt.Errorf("log-format %q is not text or json", c.LogFormat))
	}
	if c.ShutdownTimeout <= 0 {
		problems = append(problems, errors.New("shutdown-timeout must be positive"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		problems = append(problems, errors.New("database-url must be a postgres:// URL"))
	}
	if _, _, err := c.S3(); err != nil {
		problems = append(problems, err)
	}
	if _, err := httpx.ParseTrustedProxies(c.TrustedProxies); err != nil {
		problems = append(problems, fmt.Errorf("trusted-proxies: %w", err))
	}
	if c.GCInterval < 0 {
		problems = append(problems, errors.New("gc-interval must not be negative (0 disables the garbage collector)"))
	}
	if c.GCGrace < 0 {
		problems = append(problems, errors.New("gc-grace must not be negative"))
	}
	if (c.S3AccessKeyID == "") != (c.S3SecretAccessKey == "") {
		problems = append(problems, errors.New("WHARF_S3_ACCESS_KEY_ID and WHARF_S3_SECRET_ACCESS_KEY go together"))
	}
	return errors.Join(problems...)
}
