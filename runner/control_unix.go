//go:build unix

// Unix vs Windows: Windows has no Control handling (keep run refuses --watch there).

package runner

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// controller is Supervise's state for Control requests: a restart or
// stop in progress, and the signals held for the child a restart starts.
type controller struct {
	killTimeout time.Duration
	pending     *Control // the Restart or Stop in progress
	stopped     bool     // keep was asked to stop during the restart
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
			// The newest secrets win, with the filter that masks them.
			ctl.pending.Env = req.Env
			if req.Filter != nil {
				ctl.pending.Filter = req.Filter
			}
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

// saw is told of each signal keep forwards. An INT, TERM or QUIT during
// a restart is a request to stop: the restart is called off, and keep ends
// as the old child ends, instead of starting a new one.
func (ctl *controller) saw(sig os.Signal) {
	if ctl.pending != nil && ctl.pending.Action == Restart {
		switch sig {
		case syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT:
			ctl.stopped = true
		}
	}
}

// ended is called when the child has ended: it returns the Restart to
// carry out, or the exit status of a Stop, or neither (the child ended on
// its own, which wins, or keep was asked to stop during the restart).
func (ctl *controller) ended() (restart *Control, exit *ExitError) {
	req := ctl.pending
	ctl.pending = nil
	switch {
	case req == nil:
		return nil, nil
	case req.Action == Stop:
		return nil, &ExitError{Code: ExitChanged}
	case ctl.stopped:
		done(*req, errors.New("not restarted: keep was asked to stop"))
		return nil, nil
	}
	return req, nil
}

// restarted reports the restart done (err: the child did not start).
func (ctl *controller) restarted(req *Control, err error) { done(*req, err) }

func done(req Control, err error) {
	if req.Done != nil {
		select {
		case req.Done <- err:
		default:
		}
	}
}
