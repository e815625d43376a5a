//go:build unix

// Unix vs Windows: Unix has signals to catch, name and die of; Windows has only Ctrl-C.

package runner

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Interrupts are the signals that stop keep before the child starts.
// QUIT is among them so that Ctrl-\ does not dump the Go runtime's stacks.
var Interrupts = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// Die makes keep die of sig when sig is HUP, INT, TERM or KILL, as a child
// killed by it would, so that a parent shell sees the signal and not just
// an exit code. It returns when it cannot: for other signals, and as PID 1,
// which the kernel does not kill with its own signals. The caller then
// exits with 128+N.
func Die(sig os.Signal) {
	s, ok := sig.(syscall.Signal)
	if !ok || IsPID1() {
		return
	}
	switch s {
	case syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL:
	default:
		return
	}
	signal.Reset(s)
	_ = syscall.Kill(os.Getpid(), s)
	// Delivery to a multi-threaded process is asynchronous; give it time.
	time.Sleep(100 * time.Millisecond)
}

// signalName is "SIGTERM" for syscall.SIGTERM.
func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if name := unix.SignalName(s); name != "" {
			return name
		}
	}
	return sig.String()
}
