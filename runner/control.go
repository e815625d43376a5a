package runner

import (
	"io"
	"os"
	"time"
)

// Control is a request to a supervised child, sent on Child.Control by a
// watch that saw new secrets. Supervise handles it between signals, so a
// signal sent to keep meanwhile is never lost (see Restart).
type Control struct {
	Action Action
	// Env is the environment of the child Restart starts (SupervisedEnv
	// applied by the caller).
	Env []string
	// Filter, with Restart, replaces Child.Filter for the child it starts
	// (nil: the filter stays), so that keep run --redact masks the new
	// secret values.
	Filter func(io.Writer) io.WriteCloser
	// Signal is what Action Signal sends.
	Signal os.Signal
	// Done, when set, receives the outcome once: nil when the new child has
	// started (Restart), the signal was sent (Signal) or the stop began
	// (Stop). It must have room for one value.
	Done chan<- error
}

// Action is what a Control asks for.
type Action int

const (
	// Restart stops the child as keep stops it (SIGTERM, then SIGKILL after
	// the kill timeout, or RestartKillTimeout without one) and starts the
	// command again with Control.Env. Signals keep receives while the old
	// child stops are forwarded to it as usual; an INT, TERM or QUIT among
	// them calls the restart off, and keep ends as that child ends.
	Restart Action = iota + 1
	// Signal sends Control.Signal to the child.
	Signal
	// Stop stops the child as Restart does; keep then exits with
	// ExitChanged, whatever the child's status.
	Stop
)

// ExitChanged is keep's exit status after a Stop: the secrets changed and
// keep stopped the command so that its supervisor (Docker, Kubernetes,
// systemd) starts it again with fresh ones. 75 is EX_TEMPFAIL of
// sysexits.h: "try again later".
const ExitChanged = 75

// RestartKillTimeout is how long a child that ignores SIGTERM may take to
// stop for a Restart or Stop when the kill timeout is not set: a watch
// must not wait forever on an old child (docker stop waits as long).
const RestartKillTimeout = 10 * time.Second
