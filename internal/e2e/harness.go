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
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
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
			t.Fatalf("wharf serve exited before serving:\n%s", s.logs.String())
		}
		s.URL = "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatalf("wharf serve did not start in 60s:\n%s", s.logs.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "root-credentials.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || lines[0] != "Access key ID,Secret access key" {
		t.Fatalf("root-credentials.csv is not in the AWS console's format:\n%s", b)
	}
	parts := strings.Split(lines[1], ",")
	s.RootKeyID, s.RootKey = parts[0], parts[1]
	return s
}

// Logs returns what the server has logged so far.
func (s *Server) Logs() string { return s.logs.String() }

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
