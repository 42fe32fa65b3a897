//go:build !unix

package postgres

import (
	"errors"
	"os/exec"
	"os/user"
)

func runAs(*exec.Cmd, *user.User) error {
	return errors.New("cannot run PostgreSQL as another user on this system")
}

func reapStale(*pgServer) {}
