package watch

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Versions maps each secret followed, by a name of the caller's, to the
// VersionId labelled AWSCURRENT. A secret that is gone (deleted, untagged,
// not found) is absent.
type Versions map[string]string

// Change is what differs between two Versions, each list sorted by name.
type Change struct {
	Changed []string // present in both, another version
	Added   []string // present now only
	Removed []string // present before only
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool { return len(c.Changed)+len(c.Added)+len(c.Removed) == 0 }

// Diff is the change from before to now.
func Diff(before, now Versions) Change {
	var c Change
	for name, v := range now {
		old, ok := before[name]
		switch {
		case !ok:
			c.Added = append(c.Added, name)
		case old != v:
			c.Changed = append(c.Changed, name)
		}
	}
	for name := range before {
		if _, ok := now[name]; !ok {
			c.Removed = append(c.Removed, name)
		}
	}
	sort.Strings(c.Changed)
	sort.Strings(c.Added)
	sort.Strings(c.Removed)
	return c
}

// Describe says what changed by names and version ids, never values:
// "DB rotated v1 → v2; API added (v7); OLD removed".
func (c Change) Describe(before, now Versions) string {
	var parts []string
	for _, n := range c.Changed {
		parts = append(parts, fmt.Sprintf("%s rotated %s → %s", n, before[n], now[n]))
	}
	for _, n := range c.Added {
		parts = append(parts, fmt.Sprintf("%s added (%s)", n, now[n]))
	}
	for _, n := range c.Removed {
		parts = append(parts, n+" removed")
	}
	return strings.Join(parts, "; ")
}

// JitterFraction is how far a wait between polls strays from the
// interval, either way.
const JitterFraction = 0.1

// Jitter is d scaled by a factor in [0.9, 1.1), chosen by u in [0, 1).
func Jitter(d time.Duration, u float64) time.Duration {
	return time.Duration(float64(d) * (1 - JitterFraction + 2*JitterFraction*u))
}

// MaxBackoff caps the wait after failed polls, unless the interval itself
// is longer.
const MaxBackoff = 10 * time.Minute

// Backoff is the wait before the next poll after failures consecutive
// failed polls (or failed applies): the interval doubled per failure,
// at most 32 times the interval and at most MaxBackoff, but never less
// than the interval.
func Backoff(interval time.Duration, failures int) time.Duration {
	if failures <= 0 {
		return interval
	}
	d := interval << min(failures, 5)
	if d > MaxBackoff || d < interval { // capped, or overflowed
		d = MaxBackoff
	}
	return max(d, interval)
}
