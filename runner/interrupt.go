package runner

import (
	"context"
	"errors"
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

// ExitCode is 128+N: what keep exits with when it does not die of the
// signal (as PID 1, or for QUIT, whose default would dump core).
func (e *Interrupted) ExitCode() int {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return CodeFailed
}

// WithInterrupts catches Interrupts from now until the child runs: the
// returned context is canceled, with an *Interrupted cause, when one
// arrives. Signals ignored when keep started stay ignored.
//
// Hand over with stop, which unregisters the handler (it may be called
// more than once) and returns the *Interrupted cause if a signal came
// first. Call it only once the child's own handling is in place (see
// Child.Handover): a signal is then caught by one or the other, never by
// the Go runtime's default — which, as PID 1, would exit with status 2.
func WithInterrupts(parent context.Context) (ctx context.Context, stop func() error) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	for _, sig := range Interrupts {
		if !ignoredAtStart(sig) {
			signal.Notify(ch, sig)
		}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case sig := <-ch:
			cancel(&Interrupted{Signal: sig})
		case <-done:
		}
	}()
	stopOnce := sync.OnceFunc(func() {
		signal.Stop(ch)
		close(done)
		<-finished // a signal it took is a cause by now
	})
	return ctx, func() error {
		stopOnce()
		// A signal that reached the channel but not yet the goroutine.
		select {
		case sig := <-ch:
			cancel(&Interrupted{Signal: sig})
		default:
		}
		if intr := (*Interrupted)(nil); errors.As(context.Cause(ctx), &intr) {
			return intr
		}
		cancel(nil)
		return nil
	}
}
