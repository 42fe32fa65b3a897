//go:build unix

package postgres

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// runAs makes cmd run as u (the caller being root), without u's
// supplementary groups.
func runAs(cmd *exec.Cmd, u *user.User) error {
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}},
	}
	return nil
}

// reapStale stops the servers, and removes the directories, of test
// processes that died without stopping theirs (killed by go test's
// -timeout, say): a directory whose owner file names a process that no
// longer exists.
func reapStale(s *pgServer) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "wharf-pg-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
			stale := &pgServer{dir: dir, bin: s.bin, user: s.user}
			_, _ = stale.run("pg_ctl", "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop")
		}
		_ = os.RemoveAll(dir)
	}
}
