package fetch

import (
	"context"
	"sync"
	"time"
)

// limiter bounds a fetch's calls in flight to a limit that throttling
// lowers: each throttled attempt halves it (at least 1) and holds every
// call of the fetch back for the attempt's backoff; each call that
// succeeds raises it by one (at most max). Calls in flight when it is
// lowered go on; new ones wait until fewer than the limit are in flight.
// A start throttled in a fleet thus makes one attempt per backoff, as a
// throttled ListSecrets does, not one per round trip.
type limiter struct {
	mu               sync.Mutex
	limit, max, used int
	until            time.Time     // no call starts before
	wake             chan struct{} // closed when a slot may have freed
}

func newLimiter(n int) *limiter {
	return &limiter{limit: n, max: n, wake: make(chan struct{})}
}

// acquire waits for a slot, or for ctx to end.
func (l *limiter) acquire(ctx context.Context) error {
	for {
		l.mu.Lock()
		wait := time.Until(l.until)
		if wait <= 0 && l.used < l.limit {
			l.used++
			l.mu.Unlock()
			return nil
		}
		wake := l.wake
		l.mu.Unlock()
		var timer *time.Timer
		var ring <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			ring = timer.C
		}
		select {
		case <-wake:
		case <-ring:
		case <-ctx.Done():
		}
		if timer != nil {
			timer.Stop()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// release gives a slot back; a call that succeeded raises the limit.
func (l *limiter) release(succeeded bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used--
	if succeeded {
		l.limit = min(l.max, l.limit+1)
	}
	close(l.wake)
	l.wake = make(chan struct{})
}

// throttled gives a slot back after a throttled attempt: the limit is
// halved and no call starts for backoff.
func (l *limiter) throttled(backoff time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used--
	l.limit = max(1, l.limit/2)
	l.until = later(l.until, time.Now().Add(backoff))
	close(l.wake)
	l.wake = make(chan struct{})
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
