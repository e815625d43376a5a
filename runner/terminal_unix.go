//go:build unix

package runner

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
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
	pgrp, err := unix.IoctlGetInt(int(t.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == syscall.Getpgrp()
}

// sentByTerminal reports whether sig is one the kernel (Ctrl-C, Ctrl-\,
// a resize) or the shell's job control (fg, bg) sends to the whole
// foreground group, so that the child, in keep's group, has it already.
func (t *terminal) sentByTerminal(sig os.Signal) bool {
	switch sig {
	case syscall.SIGINT, syscall.SIGQUIT, syscall.SIGWINCH, syscall.SIGCONT:
		return t.foreground()
	}
	return false
}
