package watch

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDiff(t *testing.T) {
	before := Versions{"a": "1", "b": "1", "c": "1"}
	now := Versions{"a": "1", "b": "2", "d": "1"}
	got := Diff(before, now)
	want := Change{Changed: []string{"b"}, Added: []string{"d"}, Removed: []string{"c"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Diff = %+v, want %+v", got, want)
	}
	if !Diff(before, before).Empty() {
		t.Error("Diff of equal versions is not empty")
	}
	if d := got.Describe(before, now); d != "b rotated 1 → 2; d added (1); c removed" {
		t.Errorf("Describe = %q", d)
	}
}

func TestJitterStaysWithinTenPercent(t *testing.T) {
	for _, u := range []float64{0, 0.25, 0.5, 0.999999} {
		got := Jitter(time.Minute, u)
		if got < 54*time.Second || got >= 66*time.Second {
			t.Errorf("Jitter(1m, %v) = %s, want within [54s, 66s)", u, got)
		}
	}
	if Jitter(time.Minute, 0) == Jitter(time.Minute, 0.9) {
		t.Error("Jitter ignores its random input")
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		interval time.Duration
		failures int
		want     time.Duration
	}{
		{time.Minute, 0, time.Minute},
		{time.Minute, 1, 2 * time.Minute},
		{time.Minute, 3, 8 * time.Minute},
		{time.Minute, 4, MaxBackoff},
		{time.Second, 5, 32 * time.Second},
		{time.Second, 50, 32 * time.Second},
		{time.Hour, 3, time.Hour},
	} {
		if got := Backoff(tc.interval, tc.failures); got != tc.want {
			t.Errorf("Backoff(%s, %d) = %s, want %s", tc.interval, tc.failures, got, tc.want)
		}
	}
}

// script drives a Loop: polls answers in order, then ends the run.
type script struct {
	t        *testing.T
	polls    []poll
	n        int
	waits    []time.Duration
	reports  []string
	applied  []Change
	applyErr []error
	discover []bool
	cancel   context.CancelFunc
}

type poll struct {
	v   Versions
	err error
}

func (s *script) loop() *Loop {
	return &Loop{
		Interval:      10 * time.Second,
		DiscoverEvery: 3,
		Poll: func(ctx context.Context, discover bool) (Versions, error) {
			p := s.polls[s.n]
			s.n++
			s.discover = append(s.discover, discover)
			if s.n == len(s.polls) {
				s.cancel()
			}
			return p.v, p.err
		},
		Apply: func(_ context.Context, c Change, _, _ Versions) error {
			s.applied = append(s.applied, c)
			if len(s.applyErr) > 0 {
				err := s.applyErr[0]
				s.applyErr = s.applyErr[1:]
				return err
			}
			return nil
		},
		Report: func(msg string) { s.reports = append(s.reports, msg) },
		Rand:   func() float64 { return 0.5 },
		Sleep: func(ctx context.Context, d time.Duration) error {
			s.waits = append(s.waits, d)
			return ctx.Err()
		},
	}
}

func run(t *testing.T, s *script, l *Loop, known Versions) {
	ctx, cancel := context.WithCancel(t.Context())
	s.cancel = cancel
	if err := l.Run(ctx, known); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

func TestLoopWithoutChangeAppliesNothing(t *testing.T) {
	v := Versions{"a": "1"}
	s := &script{t: t, polls: []poll{{v: v}, {v: v}, {v: v}, {v: v}, {v: v}, {v: v}, {v: v}}}
	run(t, s, s.loop(), v)
	if len(s.applied) != 0 || len(s.reports) != 0 {
		t.Errorf("no change: applied %v, reported %q", s.applied, s.reports)
	}
	if want := []bool{false, false, true, false, false, true, false}; !reflect.DeepEqual(s.discover, want) {
		t.Errorf("discovery polls %v, want every third: %v", s.discover, want)
	}
	for _, w := range s.waits {
		if w != 10*time.Second {
			t.Errorf("wait %s, want the interval (jitter at its midpoint)", w)
		}
	}
}

// A change is applied once; a failed apply is retried on the next poll,
// after a backoff, and reported once.
func TestLoopAppliesAChangeOnce(t *testing.T) {
	v1, v2 := Versions{"a": "1"}, Versions{"a": "2"}
	s := &script{t: t, polls: []poll{{v: v2}, {v: v2}, {v: v2}, {v: v2}}, applyErr: []error{errors.New("fetch a: boom")}}
	run(t, s, s.loop(), v1)
	if len(s.applied) != 2 {
		t.Fatalf("applied %d times, want 2 (a failure, then the retry)", len(s.applied))
	}
	if !reflect.DeepEqual(s.applied[1].Changed, []string{"a"}) {
		t.Errorf("retry applied %+v", s.applied[1])
	}
	if s.waits[1] != 20*time.Second || s.waits[2] != 10*time.Second {
		t.Errorf("waits %v: want the backoff after the failure, then the interval", s.waits)
	}
	var failures, recoveries int
	for _, r := range s.reports {
		failures += strings.Count(r, "boom")
		recoveries += strings.Count(r, "recovered")
	}
	if failures != 1 || recoveries != 1 {
		t.Errorf("reports %q: want the failure once and the recovery once", s.reports)
	}
}

// A streak of failed polls is reported once, backs off, and its end is
// reported once; nothing is applied meanwhile.
func TestLoopFailureStreak(t *testing.T) {
	v := Versions{"a": "1"}
	boom := poll{err: errors.New("ListSecrets: ThrottlingException")}
	s := &script{t: t, polls: []poll{boom, boom, boom, boom, {v: v}, {v: v}, boom, {v: v}}}
	run(t, s, s.loop(), v)
	if len(s.applied) != 0 {
		t.Errorf("applied %v during failures", s.applied)
	}
	want := []time.Duration{10, 20, 40, 80, 160, 10, 10, 20}
	for i := range want {
		want[i] *= time.Second
	}
	if !reflect.DeepEqual(s.waits, want) {
		t.Errorf("waits %v, want %v", s.waits, want)
	}
	if len(s.reports) != 3 || !strings.Contains(s.reports[0], "Throttling") || !strings.Contains(s.reports[1], "recovered") || !strings.Contains(s.reports[1], "4 failed attempts") || !strings.Contains(s.reports[2], "Throttling") {
		t.Errorf("reports %q: want failure, recovery after 4, failure (the run ends at the next poll)", s.reports)
	}
}

func TestLoopSplaysTheAction(t *testing.T) {
	s := &script{t: t, polls: []poll{{v: Versions{"a": "2"}}}}
	l := s.loop()
	l.Splay = 30 * time.Second
	run(t, s, l, Versions{"a": "1"})
	if len(s.waits) != 2 || s.waits[1] != 15*time.Second {
		t.Errorf("waits %v: want the poll's, then the splay's (half of 30s at rand 0.5)", s.waits)
	}
}
