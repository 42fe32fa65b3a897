package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wharf-project/wharf/internal/api/console"
	"github.com/wharf-project/wharf/internal/api/ecrpublic"
	"github.com/wharf-project/wharf/internal/api/iamquery"
	"github.com/wharf-project/wharf/internal/api/oci"
	"github.com/wharf-project/wharf/internal/api/stsquery"
	"github.com/wharf-project/wharf/internal/authn"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/blob"
	blobfs "github.com/wharf-project/wharf/internal/blob/fs"
	blobs3 "github.com/wharf-project/wharf/internal/blob/s3"
	"github.com/wharf-project/wharf/internal/config"
	"github.com/wharf-project/wharf/internal/httpx"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/registry"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/server"
	"github.com/wharf-project/wharf/internal/signin"
	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/postgres"
	"github.com/wharf-project/wharf/internal/store/sqlite"
	"github.com/wharf-project/wharf/internal/sts"
)

// serve runs the server until SIGINT or SIGTERM, then lets in-flight
// requests finish (up to the shutdown timeout).
func serve(args []string, e env) int {
	cfg, err := config.Load(args, os.Getenv, e.stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(e.stderr, "wharf serve: %v\n", err)
		return 2
	}
	log := newLogger(cfg, e)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runServer(ctx, cfg, log, nil); err != nil {
		log.Error("wharf serve stopped", "err", err)
		return 1
	}
	return 0
}

func newLogger(cfg config.Config, e env) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// run2 starts everything on cfg and serves until ctx ends. started, when not
// nil, receives the bound address (tests listen on port 0).
func runServer(ctx context.Context, cfg config.Config, log *slog.Logger, started chan<- string) error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		// Replicas must share one key: a key made here would make this
		// replica unable to read what the others sealed.
		if _, err := os.Stat(cfg.SecretKeyFile); err != nil {
			return fmt.Errorf("scale-out mode needs the shared secret key file %s on every replica (make one once with: head -c 32 /dev/urandom | base64 > FILE, and mount it): %w", cfg.SecretKeyFile, err)
		}
	}
	key, created, err := secrets.LoadOrCreateKeyFile(cfg.SecretKeyFile)
	if err != nil {
		return err
	}
	if created {
		log.Info("created the key that seals secrets at rest; keep it with backups of the data directory", "path", cfg.SecretKeyFile)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	blobs, err := openBlobs(ctx, cfg, log)
	if err != nil {
		return err
	}
	now := time.Now
	az := authz.New()
	iamSvc := iam.New(db, az, box, cat, now)
	stsSvc := sts.New(db, az, iamSvc, box, now)
	if err := iamSvc.EnsureAWSManaged(ctx); err != nil {
		return fmt.Errorf("loading AWS-managed policies: %w", err)
	}
	rootKey, created, err := iamSvc.BootstrapAccount(ctx, cfg.AccountID, iam.RootKey{AccessKeyID: cfg.RootAccessKeyID, SecretAccessKey: cfg.RootSecretAccessKey})
	if err != nil {
		return fmt.Errorf("creating account %s: %w", cfg.AccountID, err)
	}
	if created {
		path := filepath.Join(cfg.DataDir, "root-credentials.csv")
		if err := writeNew(path, []byte(iam.CredentialsCSV(rootKey))); err != nil {
			return err
		}
		log.Info("created account and its root access key; the credentials are in the file named here (the secret is never logged)",
			"account", cfg.AccountID, "access_key_id", rootKey.AccessKeyID, "credentials_file", path)
	}
	rootPassword, err := iamSvc.EnsureRootPassword(ctx, cfg.AccountID, cfg.RootPassword)
	if err != nil {
		return fmt.Errorf("setting the root user's console password: %w", err)
	}
	if rootPassword != "" && cfg.RootPassword == "" {
		path := filepath.Join(cfg.DataDir, "root-console-password")
		if err := writeNew(path, []byte(rootPassword+"\n")); err != nil {
			return err
		}
		log.Info("gave the root user a console password; it is in the file named here (never logged)", "account", cfg.AccountID, "password_file", path)
	}
	signIn := signin.New(db, iamSvc, now, 0)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	publicHost := cfg.PublicURL
	if u, err := url.Parse(cfg.PublicURL); err == nil {
		publicHost = u.Host
	}
	auth := authn.New(iamSvc, stsSvc, box, now)
	reg := registry.New(db, blobs, az, publicHost, now)
	if loc, ok, _ := cfg.S3(); ok && loc.Redirect > 0 {
		reg.SetBlobRedirect(loc.Redirect)
		log.Info("blob downloads redirect to presigned URLs", "lifetime", loc.Redirect.String())
	}
	srv := &server.Server{
		Auth:    auth,
		OCI:     &oci.Handler{Registry: reg, Auth: auth, PublicURL: cfg.PublicURL, Log: log, Now: now},
		ECR:     ecrpublic.New(reg, auth),
		IAM:     iamquery.New(iamSvc),
		STS:     stsquery.New(stsSvc),
		Console: &console.Handler{IAM: iamSvc, Registry: reg, SignIn: signIn, Catalog: cat, Log: log, Now: now, PublicURL: cfg.PublicURL},
		Log:     log,
		Metrics: httpx.NewMetrics(),
		Ready: func() error {
			return db.Tx(ctx, func(tx store.Tx) error { _, err := tx.Accounts().Get(cfg.AccountID); return err })
		},
		Now: now,
	}
	proxies, err := httpx.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return err // Load validated it
	}
	hs := &http.Server{Handler: proxies.Wrap(srv.Handler()), ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Info("wharf serving", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "console", strings.TrimRight(cfg.PublicURL, "/")+"/console/", "data_dir", cfg.DataDir, "account", cfg.AccountID)
	if started != nil {
		started <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	go purgeUploads(ctx, reg, blobs, log)
	go purgeSessions(ctx, signIn, log)
	if cfg.GCInterval > 0 {
		go collectGarbage(ctx, db, blobs, cfg, log)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return hs.Shutdown(sctx)
}

// writeNew writes a file readable only by its owner, never replacing one.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists but the account is new: move it away and start again", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// openStore opens the metadata store the configuration names: the embedded
// SQLite database, or PostgreSQL for scale-out.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		db, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		log.Info("metadata in PostgreSQL")
		return db, nil
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "wharf.db"))
}

// openBlobs opens the blob store the configuration names: files under the
// data directory, or an S3-compatible bucket.
func openBlobs(ctx context.Context, cfg config.Config, log *slog.Logger) (blob.Store, error) {
	loc, ok, err := cfg.S3()
	if err != nil {
		return nil, err
	}
	if !ok {
		return blobfs.New(filepath.Join(cfg.DataDir, "blobs"))
	}
	log.Info("blobs in S3", "bucket", loc.Bucket, "prefix", loc.Prefix, "endpoint", loc.Endpoint)
	st, err := blobs3.New(ctx, blobs3.Config{Bucket: loc.Bucket, Prefix: loc.Prefix, Endpoint: loc.Endpoint, Region: loc.Region, PathStyle: loc.PathStyle,
		AccessKeyID: cfg.S3AccessKeyID, SecretAccessKey: cfg.S3SecretAccessKey, LeaseTTL: loc.LeaseTTL})
	if err != nil {
		return nil, err
	}
	if !st.LeasesEnforced() {
		log.Warn("the S3 server does not honour conditional writes: nothing keeps two replicas from writing one upload at once")
	}
	return st, nil
}

// uploadRetention is how long an untouched upload's bytes wait for its
// client; uploadLifetime is how long an upload may take at all, after which
// its record goes too (CNCF Distribution's upload purging also allows an
// upload a week from its start).
const (
	uploadRetention = 24 * time.Hour
	uploadLifetime  = 7 * 24 * time.Hour
)

// purgeUploads removes abandoned uploads every hour until ctx ends: their
// bytes, when the blob store keeps them apart, and their records. Several
// replicas may run it at once: purging is idempotent and never touches
// blobs or uploads a writer holds.
func purgeUploads(ctx context.Context, reg *registry.Service, blobs blob.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if p, ok := blobs.(blob.Purger); ok {
				n, err := p.Purge(ctx, time.Now().Add(-uploadRetention))
				if err != nil {
					log.Warn("purging abandoned uploads", "err", err)
				} else if n > 0 {
					log.Info("purged abandoned uploads", "count", n)
				}
			}
			n, err := reg.PurgeUploads(ctx, time.Now().Add(-uploadLifetime))
			if err != nil {
				log.Warn("purging the records of abandoned uploads", "err", err)
			} else if n > 0 {
				log.Info("purged the records of abandoned uploads", "count", n)
			}
		}
	}
}

// purgeSessions removes expired console sessions every hour until ctx ends
// (an expired session is refused anyway; this only reclaims its row).
func purgeSessions(ctx context.Context, s *signin.Service, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Purge(ctx); err != nil {
				log.Warn("purging expired console sessions", "err", err)
			} else if n > 0 {
				log.Info("purged expired console sessions", "count", n)
			}
		}
	}
}
