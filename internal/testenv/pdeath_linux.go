package testenv

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal has the kernel send sig to cmd's process when the
// thread that starts it ends. Go sets it after the child's credentials
// change, which would otherwise clear it.
func setParentDeathSignal(cmd *exec.Cmd, sig parentDeathSignal) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = sig
}
