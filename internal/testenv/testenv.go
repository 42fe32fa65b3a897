// Package testenv gives tests throwaway backing services for Wharf's
// scale-out mode: a PostgreSQL server (Postgres) and an S3-compatible
// server (S3, a Versity S3 Gateway). Each is started once per test binary,
// on first use, from binaries found on the machine; each call hands the
// test a fresh database or bucket of its own, removed when the test ends.
//
// Either may instead be an existing server named by the environment:
//
//	WHARF_TEST_POSTGRES_DSN   postgres://… URL of a role that may CREATE DATABASE
//	WHARF_TEST_S3_ENDPOINT    http(s) URL of an S3-compatible server, with
//	WHARF_TEST_S3_ACCESS_KEY, WHARF_TEST_S3_SECRET_KEY, optionally
//	WHARF_TEST_S3_REGION, and WHARF_TEST_S3_BUCKET (a bucket to share, each
//	call getting a prefix of its own; without it each call creates a bucket)
//
// Without the binaries (and without the variable) a test asking for the
// service is skipped, or fails when the environment has CI set.
//
// The servers this package starts are children of the test process that
// the kernel stops when it exits (Linux's parent-death signal), so a test
// binary killed by go test's -timeout leaves nothing running; their
// temporary directories are removed by Shutdown, which a TestMain should
// call after m.Run, or else by the next run that starts a server.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// errMissing marks a setup error that means the service's binaries are
// not installed: a reason to skip rather than fail (unless CI is set).
var errMissing = errors.New("not installed")

// unavailable skips or fails t because a service could not be had.
func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if errors.Is(err, errMissing) && os.Getenv("CI") == "" {
		t.Skipf("no %s for the test: %v", what, err)
	}
	t.Fatalf("no %s for the test: %v", what, err)
}

// Shutdown stops the servers this process started and removes their
// directories. Call it from TestMain after m.Run; tests must not ask for a
// service afterwards.
func Shutdown() {
	pg.shutdown()
	gw.shutdown()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// newStateDir makes a temporary directory named pattern with an "owner"
// file holding this process's ID, after removing the directories of the
// same pattern whose owner has died (the servers in them died with it).
func newStateDir(pattern string) (string, error) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), pattern+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || !processGone(pid) {
			continue
		}
		_ = os.RemoveAll(dir)
	}
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// tail returns the last n bytes of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
