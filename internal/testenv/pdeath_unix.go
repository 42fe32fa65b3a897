//go:build unix && !linux

package testenv

import "os/exec"

// setParentDeathSignal does nothing here: only Linux has the signal, and
// elsewhere a server outlives a test process that dies without Shutdown.
func setParentDeathSignal(*exec.Cmd, parentDeathSignal) {}
