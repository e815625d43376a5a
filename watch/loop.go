package watch

import (
	"context"
	"math/rand/v2"
	"strconv"
	"time"
)

// Loop polls for changes and applies them. The zero values of the
// optional fields are safe defaults.
type Loop struct {
	// Interval is the time between two polls, before jitter. It must be
	// positive.
	Interval time.Duration
	// DiscoverEvery, when positive, makes every DiscoverEvery-th poll a
	// discovery poll (Poll's discover argument), e.g. a slower listing that
	// finds new secrets; zero: never.
	DiscoverEvery int
	// Splay, when positive, is the most Run waits, at random, between
	// seeing a change and applying it.
	Splay time.Duration
	// Poll reads the versions now. An error leaves the known versions as
	// they were.
	Poll func(ctx context.Context, discover bool) (Versions, error)
	// Apply acts on a change from the known versions to now. nil marks the
	// change applied (now becomes the known versions); an error leaves it
	// to be seen, and retried, on the next poll.
	Apply func(ctx context.Context, c Change, before, now Versions) error
	// Report tells the user (always shown): a change, the first failure of
	// a streak, the recovery. nil: nothing.
	Report func(msg string)
	// Logf is the -v log: every poll. nil: nothing.
	Logf func(format string, args ...any)
	// Rand is a random number in [0, 1), for jitter and splay; nil:
	// math/rand/v2.
	Rand func() float64
	// Sleep waits d or until ctx ends (then returns its cause); nil: a
	// timer. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Run polls until ctx ends, from the versions known at start, and returns
// ctx's cause. A failed poll or apply is reported once, when a streak of
// failures begins (later ones go to Logf), and the wait grows by Backoff;
// the first success after failures is reported as a recovery.
func (l *Loop) Run(ctx context.Context, known Versions) error {
	failures := 0
	for n := 1; ; n++ {
		wait := Jitter(Backoff(l.Interval, failures), l.rand())
		if err := l.sleep(ctx, wait); err != nil {
			return err
		}
		discover := l.DiscoverEvery > 0 && n%l.DiscoverEvery == 0
		now, applied, err := l.step(ctx, known, discover, n)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if err != nil {
			failures++
			next := Backoff(l.Interval, failures)
			if failures == 1 {
				l.report("watch: " + err.Error() + "; the command keeps running with the secrets it has; retrying in about " + next.String() + " (further failures are not reported)")
			} else {
				l.logf("watch: poll %d failed again (%d in a row): %v; next in about %s", n, failures, err, next)
			}
			continue
		}
		if failures > 0 {
			l.report("watch: recovered: polling works again after " + plural(failures, "failed attempt"))
			failures = 0
		}
		if applied {
			known = now
		}
	}
}

// step is one poll, and the apply of what it found changed.
func (l *Loop) step(ctx context.Context, known Versions, discover bool, n int) (Versions, bool, error) {
	now, err := l.Poll(ctx, discover)
	if err != nil {
		return nil, false, err
	}
	c := Diff(known, now)
	if c.Empty() {
		l.logf("watch: poll %d: no change in %s", n, plural(len(now), "secret"))
		return now, false, nil
	}
	l.report("watch: " + c.Describe(known, now))
	if l.Splay > 0 {
		d := time.Duration(l.rand() * float64(l.Splay))
		l.logf("watch: acting in %s (--splay)", d.Round(time.Millisecond))
		if err := l.sleep(ctx, d); err != nil {
			return nil, false, err
		}
	}
	if err := l.Apply(ctx, c, known, now); err != nil {
		return nil, false, err
	}
	return now, true, nil
}

func (l *Loop) rand() float64 {
	if l.Rand != nil {
		return l.Rand()
	}
	return rand.Float64()
}

func (l *Loop) sleep(ctx context.Context, d time.Duration) error {
	if l.Sleep != nil {
		return l.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (l *Loop) report(msg string) {
	if l.Report != nil {
		l.Report(msg)
	}
}

func (l *Loop) logf(format string, args ...any) {
	if l.Logf != nil {
		l.Logf(format, args...)
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
