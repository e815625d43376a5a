//go:build unix

package runner

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// fatal are the signals that end keep by default and that it does not
// forward: the Go runtime crashes on them (a stack dump, exit 2), also
// when they come from kill. Without a handler, keep would end without its
// Cleanup, and a rendered --output file would stay on disk. HUP, INT,
// QUIT and TERM are forwarded instead, and the Go runtime ignores the
// other signals keep does not catch (USR1 and the like are forwarded,
// XCPU, XFSZ, VTALRM, IO, PWR and the real-time ones ignored); SIGKILL
// cannot be caught.
var fatal = []os.Signal{
	syscall.SIGABRT, syscall.SIGSYS, syscall.SIGTRAP,
	syscall.SIGBUS, syscall.SIGFPE, syscall.SIGSEGV, syscall.SIGILL,
}

// cleanupOnFatal catches the fatal signals (but those ignored when keep
// started) until stop is called; on one, it runs cleanup and then ends
// keep as the signal would have: the Go runtime's default handling again,
// and the signal once more. As PID 1, where the kernel drops a signal
// with no handler, keep exits 128+N. cleanup must be safe to call twice
// (see sync.OnceFunc).
func cleanupOnFatal(cleanup func()) (stop func()) {
	ch := make(chan os.Signal, 1)
	var sigs []os.Signal
	for _, s := range fatal {
		if !ignoredAtStart(s) {
			sigs = append(sigs, s)
		}
	}
	signal.Notify(ch, sigs...)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			cleanup()
			signal.Reset(sig)
			_ = syscall.Kill(os.Getpid(), sig.(syscall.Signal))
			time.Sleep(100 * time.Millisecond) // the signal ends keep here, but as PID 1
			os.Exit(128 + int(sig.(syscall.Signal)))
		case <-done:
		}
	}()
	return sync.OnceFunc(func() {
		signal.Stop(ch)
		close(done)
	})
}
