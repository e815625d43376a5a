package runner

import (
	"io"
	"strings"
	"time"
)

// Child is a command to supervise. Zero values are safe defaults.
type Child struct {
	// Path is the resolved executable (see Lookup); Args is its argv,
	// Args[0] the name it was called by.
	Path string
	Args []string
	// Env is the child's environment; use SupervisedEnv on it.
	Env []string
	// KillTimeout, when positive, SIGKILLs the child if it is still running
	// that long after keep forwarded it a SIGTERM. Zero: never.
	KillTimeout time.Duration
	// Subreaper makes keep adopt and reap orphaned descendants
	// (PR_SET_CHILD_SUBREAPER, Linux). As PID 1 keep reaps them anyway.
	Subreaper bool
	// Cleanup, when set, runs once when Supervise returns: after the child
	// has ended and before keep exits or dies of its signal, and also when
	// the child could not start.
	Cleanup func()
	// Filter, when set, passes the child's stdout and stderr through keep:
	// the child writes into a pipe — a pseudo-terminal where keep's file is
	// a terminal — and keep copies it through Filter(f), f a duplicate of
	// its own stdout or stderr, closing the filter at the end. Nil: the
	// child gets keep's own files. See the package doc.
	Filter func(io.Writer) io.WriteCloser
	// Handover, when set, is called once Supervise catches signals and
	// before the child starts; an error aborts the start and is returned.
	// Pass the stop function of WithInterrupts.
	Handover func() error
	// Control, when set, takes requests to restart, signal or stop the
	// child (see Control); nil: none. Unix only.
	Control <-chan Control
}

// SupervisedEnv adapts env for a child that is not keep's own process:
// WATCHDOG_PID names keep, so it is dropped and the child, with
// NotifyAccess=all, owns the watchdog; NOTIFY_SOCKET passes through.
func SupervisedEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "WATCHDOG_PID=") {
			out = append(out, kv)
		}
	}
	return out
}
