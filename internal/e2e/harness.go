// Package e2e runs a real `wharf serve` process for black-box tests: the
// binary is built once per test binary, started on a free port with a fresh
// data directory, and stopped when the test ends. Tests then drive it with
// the real clients (the aws CLI, aws-sdk-go-v2).
package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds cmd/wharf once and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wharf-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "wharf")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/wharf")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Server is a running wharf serve.
type Server struct {
	URL       string
	DataDir   string
	AccountID string
	RootKeyID string
	RootKey   string
	cmd       *exec.Cmd
	logs      *logBuffer
}

type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Start runs wharf serve with a fresh data directory and extra arguments.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	return startWithEnv(t, nil, extra...)
}

// startWithEnv is Start with extra environment variables.
func startWithEnv(t testing.TB, env []string, extra ...string) *Server {
	t.Helper()
	s, err := launch(t, env, extra...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(s.DataDir, "root-credentials.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.NewReplacer("\ufeff", "", "\r", "").Replace(string(b))), "\n")
	if len(lines) != 2 || lines[0] != "Access key ID,Secret access key" {
		t.Fatalf("root-credentials.csv is not in the AWS console's format:\n%s", b)
	}
	parts := strings.Split(lines[1], ",")
	s.RootKeyID, s.RootKey = parts[0], parts[1]
	return s
}

// StartReplica runs another wharf serve of a scale-out deployment that
// first (started with Start) belongs to: extra names the same database,
// blob store and key file. The account exists already, so the replica
// writes no root-credentials.csv; it gets first's root key.
func StartReplica(t testing.TB, first *Server, env []string, extra ...string) *Server {
	t.Helper()
	s, err := launch(t, env, extra...)
	if err != nil {
		t.Fatal(err)
	}
	s.AccountID, s.RootKeyID, s.RootKey = first.AccountID, first.RootKeyID, first.RootKey
	if _, err := os.Stat(filepath.Join(s.DataDir, "root-credentials.csv")); err == nil {
		t.Errorf("replica %s wrote root-credentials.csv: it created the account anew", s.URL)
	}
	return s
}

// launch runs wharf serve with a fresh data directory, stopped when t
// ends, and waits for it to serve. It does not read root-credentials.csv,
// and returns an error rather than failing t, so that several servers may
// be launched at once (Binary must have run first on t's goroutine).
func launch(t testing.TB, env []string, extra ...string) (*Server, error) {
	bin := Binary(t)
	dir := t.TempDir()
	s := &Server{DataDir: dir, AccountID: "123456789012", logs: &logBuffer{}}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--log-format", "json"}, extra...)
	s.cmd = exec.Command(bin, args...)
	s.cmd.Env = append(append(os.Environ(), "WHARF_ROOT_ACCESS_KEY_ID=", "WHARF_ROOT_SECRET_ACCESS_KEY="), env...)
	for i, a := range extra {
		if a == "--account-id" && i+1 < len(extra) {
			s.AccountID = extra[i+1]
		}
	}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	t.Cleanup(func() { s.Stop(t) })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			s.logs.Write([]byte(line + "\n"))
			var rec map[string]any
			if !sent && json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "wharf serving" {
				addr <- fmt.Sprint(rec["addr"])
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		if !sent {
			close(addr)
		}
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			return nil, fmt.Errorf("wharf serve exited before serving:\n%s", s.logs.String())
		}
		s.URL = "http://" + a
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("wharf serve did not start in 60s:\n%s", s.logs.String())
	}
	return s, nil
}

// Logs returns what the server has logged so far.
func (s *Server) Logs() string { return s.logs.String() }

// Kill ends the server with SIGKILL, as a crash would, and waits for it.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	if s.cmd == nil || s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill wharf serve: %v", err)
	}
	_ = s.cmd.Wait()
}

// Stop ends the server with SIGTERM and waits for it.
func (s *Server) Stop(t testing.TB) {
	if s.cmd == nil || s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
		t.Errorf("wharf serve did not stop within 30s of SIGINT")
	}
}
