//go:build unix

// Unix only: Windows has no controlling terminal or job-control signals to share.

package runner

import (
	"os"
	"syscall"
)

// terminal is keep's controlling terminal.
type terminal struct{ *os.File }

// openTerminal returns keep's controlling terminal, or nil when keep has
// none (a daemon, a container without -t, CI).
func openTerminal() *terminal {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil
	}
	return &terminal{f}
}

// foreground reports whether keep's process group — which the child
// shares — is the terminal's foreground group.
func (t *terminal) foreground() bool {
	pgrp, err := foregroundGroup(int(t.Fd()))
	return err == nil && pgrp == syscall.Getpgrp()
}

// sentByTerminal reports whether sig most likely reached the child
// already, which shares keep's process group: the kernel sends INT
// (Ctrl-C), QUIT (Ctrl-\) and WINCH (a resize) to the foreground group,
// and a shell's job control (fg, bg) sends CONT to the job's whole group,
// in the foreground or not.
func (t *terminal) sentByTerminal(sig os.Signal) bool {
	switch sig {
	case syscall.SIGCONT:
		return true
	case syscall.SIGINT, syscall.SIGQUIT, syscall.SIGWINCH:
		return t.foreground()
	}
	return false
}
