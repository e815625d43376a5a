//go:build unix

// Unix vs Windows: Windows has no Control handling (keep run refuses --watch there).

package runner

import (
	"os"
	"syscall"
	"time"
)

// controller is Supervise's state for Control requests: a restart or
// stop in progress, and the signals held for the child a restart starts.
type controller struct {
	killTimeout time.Duration
	pending     *Control    // the Restart or Stop in progress
	held        []os.Signal // received during a restart, for the new child
}

func newController(c Child) *controller {
	kt := c.KillTimeout
	if kt <= 0 {
		kt = RestartKillTimeout
	}
	return &controller{killTimeout: kt}
}

// begin acts on req for the child proc. It returns the SIGKILL timer to
// arm (nil: none).
func (ctl *controller) begin(req Control, proc *os.Process) <-chan time.Time {
	if ctl.pending != nil { // one at a time; a second stop adds nothing
		if req.Action == Restart && ctl.pending.Action == Restart {
			ctl.pending.Env = req.Env // the newest secrets win
		}
		done(req, nil)
		return nil
	}
	switch req.Action {
	case Signal:
		done(req, proc.Signal(req.Signal))
		return nil
	case Restart, Stop:
		ctl.pending = &req
		_ = proc.Signal(syscall.SIGTERM)
		if req.Action == Stop {
			done(req, nil)
		}
		return time.After(ctl.killTimeout)
	}
	return nil
}

// hold keeps sig for the new child while a restart waits for the old one
// to end, and reports whether it did.
func (ctl *controller) hold(sig os.Signal) bool {
	if ctl.pending == nil || ctl.pending.Action != Restart {
		return false
	}
	ctl.held = append(ctl.held, sig)
	return true
}

// ended is called when the child has ended: it returns the Restart to
// carry out, or the exit status of a Stop, or neither (the child ended on
// its own, which wins).
func (ctl *controller) ended() (restart *Control, exit *ExitError) {
	req := ctl.pending
	ctl.pending = nil
	switch {
	case req == nil:
		return nil, nil
	case req.Action == Stop:
		return nil, &ExitError{Code: ExitChanged}
	}
	return req, nil
}

// restarted delivers the held signals to the new child and reports the
// restart done (err: the child did not start).
func (ctl *controller) restarted(req *Control, proc *os.Process, err error) {
	if err == nil {
		for _, sig := range ctl.held {
			_ = proc.Signal(sig)
		}
	}
	ctl.held = nil
	done(*req, err)
}

func done(req Control, err error) {
	if req.Done != nil {
		select {
		case req.Done <- err:
		default:
		}
	}
}
