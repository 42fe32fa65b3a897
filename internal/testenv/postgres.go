package testenv

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresDSNEnv names an existing PostgreSQL server to use instead of
// starting one: a postgres:// URL of a role that may CREATE DATABASE.
const PostgresDSNEnv = "WHARF_TEST_POSTGRES_DSN"

// Postgres returns the postgres:// URL of a new, empty database, dropped
// when t ends (after the cleanups registered after this call, so servers
// started later are stopped first). The first call starts the server:
//
//	initdb -D DIR/data -U wharf --auth=trust -E UTF8 --no-locale --no-sync
//	postgres -D DIR/data -k DIR -c listen_addresses=127.0.0.1 -p PORT -c fsync=off …
//
// as the postgres user (else nobody) when the test runs as root, since
// PostgreSQL refuses to run as root.
func Postgres(t testing.TB) string {
	t.Helper()
	pg.once.Do(pg.start)
	if pg.err != nil {
		unavailable(t, "PostgreSQL", pg.err)
	}
	name := fmt.Sprintf("%s_%d", pg.prefix, pg.n.Add(1))
	if err := pg.exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := pg.exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Logf("testenv: drop database %s: %v", name, err)
		}
	})
	u := *pg.admin
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}

var pg pgServer

type pgServer struct {
	once   sync.Once
	err    error    // why there is no server
	admin  *url.URL // of a database to run CREATE/DROP DATABASE in
	prefix string   // of the databases this process creates
	n      atomic.Int64

	mu   sync.Mutex
	conn *pgx.Conn // to admin, made on first use

	dir  string // of the server this process started: data, socket, log
	proc *child
}

func (s *pgServer) start() {
	s.prefix = fmt.Sprintf("wharf_testenv_%d_%s", os.Getpid(), randomHex(6))
	if dsn := os.Getenv(PostgresDSNEnv); dsn != "" {
		u, err := url.Parse(dsn)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			s.err = fmt.Errorf("%s is not a postgres:// URL", PostgresDSNEnv)
			return
		}
		s.admin = u
	} else if s.err = s.startLocal(); s.err != nil {
		return
	}
	if err := s.exec(`SELECT 1`); err != nil {
		s.err = fmt.Errorf("connecting to %s: %w", s.admin.Redacted(), err)
	}
}

// startLocal starts a server of this process's own.
func (s *pgServer) startLocal() error {
	bin, err := pgBinaries()
	if err != nil {
		return err
	}
	if s.dir, err = newStateDir("wharf-testenv-pg-"); err != nil {
		return err
	}
	var as *user.User
	if os.Geteuid() == 0 {
		if as, err = user.Lookup("postgres"); err != nil {
			if as, err = user.Lookup("nobody"); err != nil {
				return fmt.Errorf("running as root, and no postgres or nobody user to run PostgreSQL as: %w", err)
			}
		}
		uid, _ := strconv.Atoi(as.Uid)
		gid, _ := strconv.Atoi(as.Gid)
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return err
		}
	}
	command := func(name string, args ...string) (*exec.Cmd, error) {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = s.dir
		cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
		if as != nil {
			if err := runAs(cmd, as); err != nil {
				return nil, err
			}
		}
		return cmd, nil
	}
	data := filepath.Join(s.dir, "data")
	initdb, err := command("initdb", "-D", data, "-U", "wharf", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")
	if err != nil {
		return err
	}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	logPath := filepath.Join(s.dir, "log")
	var lastErr error
	for range 3 { // the free port may be taken before the server binds it
		port, err := freePort()
		if err != nil {
			return err
		}
		cmd, err := command("postgres", "-D", data, "-k", s.dir, "-c", "listen_addresses=127.0.0.1", "-p", strconv.Itoa(port),
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=400")
		if err != nil {
			return err
		}
		logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		cmd.Stdout, cmd.Stderr = logFile, logFile
		proc, err := startChild(cmd, sigQuit)
		logFile.Close()
		if err != nil {
			return fmt.Errorf("starting postgres: %w", err)
		}
		s.admin = &url.URL{Scheme: "postgres", User: url.User("wharf"), Host: fmt.Sprintf("127.0.0.1:%d", port), Path: "/postgres", RawQuery: "sslmode=disable"}
		if lastErr = s.waitReady(proc); lastErr == nil {
			s.proc = proc
			return nil
		}
		proc.stop(sigQuit)
	}
	return fmt.Errorf("postgres did not start: %v\n%s", lastErr, tail(logPath, 4000))
}

// waitReady waits until the server takes connections.
func (s *pgServer) waitReady(proc *child) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.admin.String())
		if err == nil {
			_ = conn.Close(ctx)
		}
		cancel()
		switch {
		case err == nil:
			return nil
		case !proc.running():
			return fmt.Errorf("postgres exited: %v", proc.err)
		case time.Now().After(deadline):
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exec runs one statement in the admin database.
func (s *pgServer) exec(sql string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if s.conn == nil || s.conn.IsClosed() {
		conn, err := pgx.Connect(ctx, s.admin.String())
		if err != nil {
			return err
		}
		s.conn = conn
	}
	_, err := s.conn.Exec(ctx, sql)
	return err
}

func (s *pgServer) shutdown() {
	s.mu.Lock()
	if s.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.conn.Close(ctx)
		cancel()
		s.conn = nil
	}
	s.mu.Unlock()
	if s.proc != nil {
		s.proc.stop(sigQuit) // immediate shutdown: the data is thrown away
		s.proc = nil
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
		s.dir = ""
	}
}

// pgBinaries returns the directory of initdb and postgres: on PATH, else
// the newest of the usual places.
func pgBinaries() (string, error) {
	has := func(dir string) bool {
		_, e1 := os.Stat(filepath.Join(dir, "initdb"))
		_, e2 := os.Stat(filepath.Join(dir, "postgres"))
		return e1 == nil && e2 == nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if p, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	var dirs []string
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/opt/postgresql@*/bin"} {
		m, _ := filepath.Glob(pattern)
		dirs = append(dirs, m...)
	}
	slices.SortFunc(dirs, func(a, b string) int { return compareVersions(b, a) }) // newest first
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: initdb and postgres are neither on PATH nor in /usr/lib/postgresql/*/bin (install PostgreSQL, or set %s)", errMissing, PostgresDSNEnv)
}

// compareVersions compares paths by the first number in them.
func compareVersions(a, b string) int {
	num := func(s string) float64 {
		i := strings.IndexAny(s, "0123456789")
		if i < 0 {
			return 0
		}
		j := i
		for j < len(s) && (s[j] == '.' || '0' <= s[j] && s[j] <= '9') {
			j++
		}
		f, _ := strconv.ParseFloat(s[i:j], 64)
		return f
	}
	switch na, nb := num(a), num(b); {
	case na < nb:
		return -1
	case na > nb:
		return 1
	}
	return strings.Compare(a, b)
}
