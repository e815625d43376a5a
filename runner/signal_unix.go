//go:build unix

package runner

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Interrupts are the signals that stop keep before the child starts.
var Interrupts = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// Die makes keep die of sig, as a child killed by it would, so that a
// parent shell sees the signal and not just an exit code. It returns only
// if the signal did not kill keep; the caller then exits with 128+N.
func Die(sig os.Signal) {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return
	}
	signal.Reset(s)
	_ = syscall.Kill(os.Getpid(), s)
	// Delivery to a multi-threaded process is asynchronous; give it time.
	time.Sleep(100 * time.Millisecond)
}
