//go:build !unix

package export

import (
	"os/exec"
	"time"
)

// ownProcessGroup lets cmd's cancellation kill the browser's own process
// (process groups are a Unix matter).
func ownProcessGroup(cmd *exec.Cmd) { cmd.WaitDelay = 5 * time.Second }

// killProcessGroup does nothing where there are no process groups.
func killProcessGroup(*exec.Cmd) {}
