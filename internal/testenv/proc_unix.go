//go:build unix

package testenv

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

type parentDeathSignal = syscall.Signal

const (
	sigKill = syscall.SIGKILL
	// sigQuit is PostgreSQL's immediate shutdown: every process of the
	// server exits at once.
	sigQuit = syscall.SIGQUIT
)

func signalProcess(p *os.Process, sig parentDeathSignal) { _ = p.Signal(sig) }

// processGone reports whether no process has ID pid.
func processGone(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }

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
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	return nil
}
