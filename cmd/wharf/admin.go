package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/config"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy/catalog"
	"github.com/wharf-project/wharf/internal/secrets"
	"github.com/wharf-project/wharf/internal/store"
)

const adminUsage = `Usage:
  wharf admin create-account --account-id ID [--data-dir DIR] [--secret-key-file F] [--credentials-file F]
      Add an account (and its root access key) to a Wharf data directory. The
      root credentials are written, in the AWS console's CSV format, to
      --credentials-file (mode 0600; default DATA-DIR/root-credentials-ID.csv).
  wharf admin list-accounts [--data-dir DIR]
  wharf admin set-root-password --account-id ID [--data-dir DIR] [--database-url URL] < password
      Set the root user's console password (read from standard input, first
      line) and end the root user's console sessions. The password must meet
      the account's password policy.
  wharf admin migrate --data-dir DIR --to-database-url URL --to-blob-store s3://… (see: wharf admin migrate -h)
  wharf admin gc [--dry-run] [--grace 1h] [--delete-untagged] [--scan-store] [--data-dir DIR | --database-url URL --blob-store s3://…]
      Remove unreferenced blobs, links and (optionally) untagged manifests
      while the registry serves (see: wharf admin gc -h).
`

func runAdmin(args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, adminUsage)
		return 2
	}
	if args[0] == "migrate" { // its own flags
		return runMigrate(args[1:], e)
	}
	if args[0] == "gc" { // its own flags
		return runGC(args[1:], e)
	}
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dataDir := fs.String("data-dir", envOr("WHARF_DATA_DIR", "wharf-data"), "data directory")
	keyFile := fs.String("secret-key-file", os.Getenv("WHARF_SECRET_KEY_FILE"), "key that seals secrets (default DATA-DIR/secret.key)")
	account := fs.String("account-id", "", "12-digit account ID")
	credFile := fs.String("credentials-file", "", "where to write the root credentials")
	dbURL := fs.String("database-url", os.Getenv("WHARF_DATABASE_URL"), "PostgreSQL URL (scale-out); default the data directory's SQLite database")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *keyFile == "" {
		*keyFile = filepath.Join(*dataDir, "secret.key")
	}
	ctx := context.Background()
	fail := func(err error) int {
		fmt.Fprintf(e.stderr, "wharf admin %s: %v\n", args[0], err)
		return 1
	}
	if *dbURL == "" {
		if _, err := os.Stat(filepath.Join(*dataDir, "wharf.db")); err != nil {
			return fail(fmt.Errorf("no Wharf database in %s (start wharf serve once first): %v", *dataDir, err))
		}
	}
	db, err := openStore(ctx, config.Config{DataDir: *dataDir, DatabaseURL: *dbURL}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	switch args[0] {
	case "list-accounts":
		var accounts []store.Account
		if err := db.Tx(ctx, func(tx store.Tx) error {
			var err error
			accounts, err = tx.Accounts().List()
			return err
		}); err != nil {
			return fail(err)
		}
		for _, a := range accounts {
			fmt.Fprintf(e.stdout, "%s\t%s\n", a.ID, a.CreatedAt.Format(time.RFC3339))
		}
		return 0
	case "set-root-password":
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fail(err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return fail(errors.New("give the new password on standard input"))
		}
		// Hashing a password needs no secret key: the box is not used.
		svc := iam.New(db, authz.New(), nil, catalog.MustLoad(), time.Now)
		if err := svc.SetRootPassword(ctx, *account, pw); err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "set the root console password of account %s\n", *account)
		return 0
	case "create-account":
		key, _, err := secrets.LoadOrCreateKeyFile(*keyFile)
		if err != nil {
			return fail(err)
		}
		box, err := secrets.NewBox(key)
		if err != nil {
			return fail(err)
		}
		svc := iam.New(db, authz.New(), box, catalog.MustLoad(), time.Now)
		root, created, err := svc.BootstrapAccount(ctx, *account, iam.RootKey{})
		if err != nil {
			return fail(err)
		}
		if !created {
			return fail(fmt.Errorf("account %s already exists", *account))
		}
		if *credFile == "" {
			*credFile = filepath.Join(*dataDir, "root-credentials-"+*account+".csv")
		}
		if err := writeNew(*credFile, []byte(iam.CredentialsCSV(root))); err != nil {
			return fail(err)
		}
		pw, err := svc.EnsureRootPassword(ctx, *account, "")
		if err != nil {
			return fail(err)
		}
		pwFile := filepath.Join(*dataDir, "root-console-password-"+*account)
		if err := writeNew(pwFile, []byte(pw+"\n")); err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "created account %s; root access key %s; credentials in %s; root console password in %s\n", *account, root.AccessKeyID, *credFile, pwFile)
		return 0
	}
	fmt.Fprint(e.stderr, adminUsage)
	return 2
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
