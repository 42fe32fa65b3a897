package testenv

import (
	"os/exec"
	"runtime"
)

// child is a server process of this package's.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when it has exited
	err    error         // its exit status, once exited is closed
}

// startChild starts cmd so that it gets sig should this process die (see
// setParentDeathSignal). The kernel sends the signal when the thread that
// started the child ends, not the process: the child is started and waited
// for by a goroutine locked to its thread, which thus lives as long as the
// child.
func startChild(cmd *exec.Cmd, sig parentDeathSignal) (*child, error) {
	c := &child{cmd: cmd, exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		setParentDeathSignal(cmd, sig)
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.err = cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return c, nil
}

// stop sends sig and waits for the child to exit.
func (c *child) stop(sig parentDeathSignal) {
	if c == nil {
		return
	}
	signalProcess(c.cmd.Process, sig)
	<-c.exited
}

// running reports whether the child has not exited yet.
func (c *child) running() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}
