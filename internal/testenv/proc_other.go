//go:build !unix

package testenv

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
)

type parentDeathSignal = int

const (
	sigKill = 0
	sigQuit = 0
)

func signalProcess(p *os.Process, _ parentDeathSignal) { _ = p.Kill() }

func processGone(int) bool { return false }

func setParentDeathSignal(*exec.Cmd, parentDeathSignal) {}

func runAs(*exec.Cmd, *user.User) error {
	return errors.New("cannot run a server as another user on this system")
}
