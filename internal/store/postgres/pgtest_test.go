package postgres

// A throwaway PostgreSQL server for this package's tests.
//
// With WHARF_TEST_POSTGRES_DSN set (a DSN of a role that may CREATE
// DATABASE), the tests use that server. Otherwise the first test that needs
// one starts a server of its own from the PostgreSQL binaries found on PATH
// or in /usr/lib/postgresql/*/bin (Debian's layout) and TestMain stops it:
//
//	initdb -D DIR/data -U wharf --auth=trust -E UTF8 [--locale-provider=icu --icu-locale=en-US --locale=C.UTF-8] --no-sync
//	pg_ctl -D DIR/data -l DIR/log -w -t 60 -o "-k DIR -c listen_addresses=127.0.0.1 -p PORT -c fsync=off …" start
//	pg_ctl -D DIR/data -m immediate -w stop
//
// initdb and postgres refuse to run as root: as root, DIR belongs to the
// "postgres" user (else "nobody") and both run as that user (setuid through
// os/exec, as `runuser -u postgres --` would). The default collation is ICU's
// en-US where the server has ICU, so that a comparison or an order missing
// its COLLATE "C" shows up as a failure rather than passing by the luck of a
// C locale.
//
// Each test gets a database of its own, a copy of a template migrated once
// (CREATE DATABASE … TEMPLATE, made one ahead in the background), dropped in
// the background when the test ends. A server whose test process died
// without stopping it (go test -timeout, kill -9) is stopped by the next
// run. Without binaries or a DSN the tests are skipped, or fail when the
// environment has CI set.

import (
	"context"
	"errors"
	"fmt"
	"net"
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
	"github.com/jackc/pgx/v5/pgconn"
)

const dsnEnv = "WHARF_TEST_POSTGRES_DSN"

func TestMain(m *testing.M) {
	code := m.Run()
	server.shutdown()
	os.Exit(code)
}

// server is the test server, started on first use.
var server pgServer

type pgServer struct {
	once     sync.Once
	err      error  // why there is no server
	admin    string // DSN of a database to run CREATE/DROP DATABASE in
	prefix   string // of the databases this process creates
	template string // a database migrated to the latest version
	n        atomic.Int64

	noFileCopy atomic.Bool // the server has no CREATE DATABASE … STRATEGY

	// Connections to admin: for the tests, for the goroutine that makes
	// migrated databases ahead of the tests asking for them (ready), and
	// for the one that drops the databases of the tests that ended (drops).
	main, maker, dropper adminConn
	ready                chan made
	drops                chan string
	stop                 chan struct{}
	workers              sync.WaitGroup

	dir  string // of the server this process started: data, socket and log
	bin  string
	user *user.User // the server runs as, when this process is root
}

// made is a database made ahead.
type made struct {
	name string
	err  error
}

// testDSN returns the DSN of a new database for t, migrated to the latest
// version when migrated is true, else empty, and dropped when t ends. The
// test is skipped (or, with CI set, fails) when there is no server.
func testDSN(t testing.TB, migrated bool) string {
	t.Helper()
	server.once.Do(server.start)
	if server.err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no PostgreSQL for the tests: %v", server.err)
		}
		t.Skipf("no PostgreSQL for the tests (set %s, or install PostgreSQL): %v", dsnEnv, server.err)
	}
	var name string
	if migrated {
		m := <-server.ready
		if m.err != nil {
			t.Fatalf("create database: %v", m.err)
		}
		name = m.name
	} else {
		name = server.newName()
		if err := server.createDatabase(&server.main, name, "template0"); err != nil {
			t.Fatalf("create database: %v", err)
		}
	}
	t.Cleanup(func() { server.drops <- name })
	return withDatabase(server.admin, name)
}

func (s *pgServer) newName() string {
	return fmt.Sprintf("%s_%d", s.prefix, s.n.Add(1))
}

func (s *pgServer) start() {
	s.prefix = fmt.Sprintf("wharf_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000)
	if dsn := os.Getenv(dsnEnv); dsn != "" {
		s.admin = dsn
	} else if s.err = s.startLocal(); s.err != nil {
		return
	}
	for _, c := range []*adminConn{&s.main, &s.maker, &s.dropper} {
		c.dsn = s.admin
	}
	s.template = s.prefix + "_template"
	if s.err = s.createDatabase(&s.main, s.template, "template0"); s.err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := Open(ctx, withDatabase(s.admin, s.template))
	if err != nil {
		s.err = fmt.Errorf("migrate the template: %w", err)
		return
	}
	st.Close()

	s.ready = make(chan made) // one made ahead, waiting here
	s.drops = make(chan string, 10_000)
	s.stop = make(chan struct{})
	s.workers.Add(2)
	go func() {
		defer s.workers.Done()
		for {
			m := made{name: s.newName()}
			m.err = s.createDatabase(&s.maker, m.name, s.template)
			select {
			case s.ready <- m:
			case <-s.stop:
				if m.err == nil {
					s.drops <- m.name
				}
				close(s.drops)
				return
			}
		}
	}()
	go func() {
		defer s.workers.Done()
		for name := range s.drops {
			if err := s.dropper.exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
				fmt.Fprintf(os.Stderr, "drop database %s: %v\n", name, err)
			}
		}
		if err := s.dropper.exec(`DROP DATABASE IF EXISTS ` + s.template); err != nil {
			fmt.Fprintf(os.Stderr, "drop database %s: %v\n", s.template, err)
		}
	}()
}

// startLocal starts a server of this process's own.
func (s *pgServer) startLocal() error {
	bin, err := findBinaries()
	if err != nil {
		return err
	}
	s.bin = bin
	if s.dir, err = os.MkdirTemp("", "wharf-pg-"); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		if s.user, err = user.Lookup("postgres"); err != nil {
			if s.user, err = user.Lookup("nobody"); err != nil {
				return fmt.Errorf("running as root, and no postgres or nobody user to run PostgreSQL as: %w", err)
			}
		}
		uid, _ := strconv.Atoi(s.user.Uid)
		gid, _ := strconv.Atoi(s.user.Gid)
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return err
		}
	}
	// The owner file lets a later run stop this server should this process
	// die without stopping it.
	if err := os.WriteFile(filepath.Join(s.dir, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	reapStale(s)
	data := filepath.Join(s.dir, "data")
	initdb := []string{"-D", data, "-U", "wharf", "--auth=trust", "-E", "UTF8", "--no-sync"}
	icu := []string{"--locale-provider=icu", "--icu-locale=en-US", "--locale=C.UTF-8"}
	if _, err := s.run("initdb", slices.Concat(initdb, icu)...); err != nil {
		// No ICU (or a server older than 15): the default locale.
		_ = os.RemoveAll(data)
		if out, err := s.run("initdb", initdb...); err != nil {
			return fmt.Errorf("initdb: %v\n%s", err, out)
		}
	}
	var lastErr error
	for range 3 { // the free port may be taken before the server binds it
		port, err := freePort()
		if err != nil {
			return err
		}
		opts := strings.Join([]string{
			"-k", s.dir, "-c", "listen_addresses=127.0.0.1", "-p", strconv.Itoa(port),
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "max_connections=200",
		}, " ")
		out, err := s.run("pg_ctl", "-D", data, "-l", filepath.Join(s.dir, "log"), "-w", "-t", "60", "-o", opts, "start")
		if err == nil {
			s.admin = fmt.Sprintf("host=127.0.0.1 port=%d user=wharf dbname=postgres sslmode=disable", port)
			return nil
		}
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		lastErr = fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return lastErr
}

// run runs one of the server's binaries, as the server's user.
func (s *pgServer) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
	if s.user != nil {
		if err := runAs(cmd, s.user); err != nil {
			return nil, err
		}
	}
	return cmd.CombinedOutput()
}

// shutdown drops what the tests left and stops the server this process
// started.
func (s *pgServer) shutdown() {
	if s.stop != nil {
		close(s.stop)
		s.workers.Wait()
	}
	for _, c := range []*adminConn{&s.main, &s.maker, &s.dropper} {
		c.close()
	}
	if s.dir == "" {
		return
	}
	if s.admin != "" {
		if out, err := s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop"); err != nil {
			fmt.Fprintf(os.Stderr, "pg_ctl stop: %v\n%s", err, out)
		}
	}
	_ = os.RemoveAll(s.dir)
}

// createDatabase creates database name as a copy of template: by copying
// its files where the server can (15 and later: faster than WAL-logging
// every page, and a checkpoint costs little without fsync).
func (s *pgServer) createDatabase(c *adminConn, name, template string) error {
	if !s.noFileCopy.Load() {
		err := c.exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + template + ` STRATEGY FILE_COPY`)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42601" { // syntax_error: before 15
			return err
		}
		s.noFileCopy.Store(true)
	}
	return c.exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + template)
}

// adminConn is a connection to the admin database, made on first use.
type adminConn struct {
	dsn  string
	mu   sync.Mutex
	conn *pgx.Conn
}

func (c *adminConn) exec(sql string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if c.conn == nil || c.conn.IsClosed() {
		conn, err := pgx.Connect(ctx, c.dsn)
		if err != nil {
			return err
		}
		c.conn = conn
	}
	_, err := c.conn.Exec(ctx, sql)
	return err
}

func (c *adminConn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.conn.Close(ctx)
		c.conn = nil
	}
}

// findBinaries returns the directory of initdb and pg_ctl: on PATH, else
// the newest of the usual places.
func findBinaries() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if p, err := filepath.EvalSymlinks(p); err == nil {
			if _, err := os.Stat(filepath.Join(filepath.Dir(p), "pg_ctl")); err == nil {
				return filepath.Dir(p), nil
			}
		}
	}
	var dirs []string
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/opt/postgresql@*/bin"} {
		m, _ := filepath.Glob(pattern)
		dirs = append(dirs, m...)
	}
	// Newest version first: "/usr/lib/postgresql/16/bin" before ".../9.6/bin".
	slices.SortFunc(dirs, func(a, b string) int { return compareVersions(b, a) })
	for _, d := range dirs {
		_, e1 := os.Stat(filepath.Join(d, "initdb"))
		_, e2 := os.Stat(filepath.Join(d, "pg_ctl"))
		if e1 == nil && e2 == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin")
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

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// withDatabase returns dsn naming database name instead.
func withDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			u.Path = "/" + name
			u.RawPath = ""
			return u.String()
		}
	}
	return dsn + " dbname=" + name // the last setting of a keyword wins
}
