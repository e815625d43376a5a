package runner

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Interrupted is the cause of a context canceled by WithInterrupts.
type Interrupted struct {
	Signal os.Signal
}

func (e *Interrupted) Error() string {
	return fmt.Sprintf("interrupted by %s before the command started", signalName(e.Signal))
}

// WithInterrupts returns a context canceled, with an *Interrupted cause,
// when one of Interrupts arrives. Signals ignored when keep started stay
// ignored. stop unregisters the handler and may be called more than once; call it
// before the child starts, so that signals then reach the child.
func WithInterrupts(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	for _, sig := range Interrupts {
		// Ignored when keep started (nohup, a script's background job):
		// leave it ignored, for keep and the child.
		if !signal.Ignored(sig) {
			signal.Notify(ch, sig)
		}
	}
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			cancel(&Interrupted{Signal: sig})
		case <-done:
		}
	}()
	return ctx, sync.OnceFunc(func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	})
}

// ExitCode is 128+N, for when dying of the signal did not work.
func (e *Interrupted) ExitCode() int {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return CodeFailed
}
