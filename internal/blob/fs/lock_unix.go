//go:build unix && !aix && !solaris

package fs

import (
	"errors"
	"os"
	"syscall"
)

// lock takes an exclusive flock(2) on f without waiting. flock locks belong
// to the open file, so two opens conflict in one process as across
// processes, and the kernel lets go when the file is closed or the process
// dies: a crashed writer never leaves an upload locked.
func lock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if !errors.Is(ferr, syscall.EINTR) {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	if errors.Is(ferr, syscall.EWOULDBLOCK) {
		return errBusy
	}
	return ferr
}
