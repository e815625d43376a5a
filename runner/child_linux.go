// Linux vs other Unixes: only Linux has a parent-death signal and child subreapers.

package runner

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// childAttr makes the kernel SIGKILL the child if keep dies, even of
// SIGKILL. The signal is tied to the thread that starts the child, which
// Supervise locks for good.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// setSubreaper makes keep the reaper of its orphaned descendants.
func setSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}
