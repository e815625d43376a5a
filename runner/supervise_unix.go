//go:build unix

// Unix vs Windows: Unix forwards signals and reaps; Windows ignores Ctrl-C and waits.

package runner

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// forwarded are the signals keep passes on to a supervised child. Never
// CHLD (keep's own business), URG (the Go runtime preempts with it), PIPE
// (about keep's own writes) or the synchronous fault signals.
var forwarded = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGALRM, syscall.SIGWINCH, syscall.SIGCONT,
}

// jobControl are forwarded only without a terminal: with one, the kernel
// stops keep and the child together.
var jobControl = []os.Signal{syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU}

// Supervise starts the child with keep's stdin, stdout, stderr, process
// group and session, forwards signals to it (see the package doc), waits
// for it, runs Cleanup, and returns an *ExitError saying how keep must end.
// Any other error means the child did not start.
//
// Supervise locks the calling goroutine to its thread for good: the
// child's parent-death signal fires when the thread that started it ends.
func Supervise(c Child) error {
	runtime.LockOSThread()
	if c.Cleanup != nil {
		cleanup := sync.OnceFunc(c.Cleanup)
		defer cleanup() // on every path, the child's end included
		defer cleanupOnFatal(cleanup)()
	}
	pid1 := IsPID1()
	if c.Subreaper && !pid1 {
		if err := setSubreaper(); err != nil {
			return fmt.Errorf("--subreaper: %w", err)
		}
	}
	tty := openTerminal()
	if tty != nil {
		defer tty.Close()
	}
	// Caught from here to keep's exit, so no signal falls to the Go
	// runtime's default (which, as PID 1, would exit with status 2).
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, handled(tty != nil)...)
	if c.Handover != nil {
		if err := c.Handover(); err != nil {
			return err
		}
	}

	proc, exited, out, err := start(c, c.Env, pid1)
	if err != nil {
		return err
	}
	ctl := newController(c)
	var kill <-chan time.Time
	for {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGWINCH && out.resize() {
				_ = proc.Signal(sig) // after the pty took the new size
				continue
			}
			if tty != nil && tty.sentByTerminal(sig) {
				continue // the kernel delivered it to the child too
			}
			_ = proc.Signal(sig)
			ctl.saw(sig)
			if sig == syscall.SIGTERM && c.KillTimeout > 0 && kill == nil {
				kill = time.After(c.KillTimeout)
			}
		case <-kill:
			_ = proc.Kill()
		case req := <-c.Control:
			if k := ctl.begin(req, proc); k != nil {
				kill = k
			}
		case r := <-exited:
			out.drain()
			if r.err != nil {
				return fmt.Errorf("wait for %s: %w", c.Args[0], r.err)
			}
			restart, exit := ctl.ended()
			if exit != nil {
				return exit
			}
			if restart == nil {
				return exitFor(r.status, pid1)
			}
			kill = nil
			if restart.Filter != nil {
				c.Filter = restart.Filter
			}
			proc, exited, out, err = start(c, restart.Env, pid1)
			ctl.restarted(restart, err)
			if err != nil {
				return err
			}
		}
	}
}

// start starts c's command with env, its outputs (see Child.Filter) and
// its wait loop (see wait).
func start(c Child, env []string, pid1 bool) (*os.Process, chan waitResult, *outputs, error) {
	out, err := openOutputs(c.Filter)
	if err != nil {
		return nil, nil, nil, err
	}
	proc, err := os.StartProcess(c.Path, c.Args, &os.ProcAttr{
		Env:   env,
		Files: out.files[:],
		Sys:   childAttr(),
	})
	out.started()
	if err != nil {
		out.drain()
		return nil, nil, nil, startError(c.Args[0], c.Path, unwrapPathError(err))
	}
	exited := make(chan waitResult, 1)
	go wait(proc.Pid, pid1 || c.Subreaper, exited)
	return proc, exited, out, nil
}

// handled are the signals keep catches while supervising. A signal that
// was ignored when keep started is left ignored, for keep and the child.
func handled(terminal bool) []os.Signal {
	sigs := forwarded
	if !terminal {
		sigs = append(sigs[:len(sigs):len(sigs)], jobControl...)
	}
	var out []os.Signal
	for _, s := range sigs {
		if !ignoredAtStart(s) {
			out = append(out, s)
		}
	}
	return out
}

type waitResult struct {
	status syscall.WaitStatus
	err    error
}

// wait waits for the child pid. With reapAll (PID 1, subreaper) it is the
// one wait loop of the process: it reaps every child that ends, orphans
// included, and reports pid's status when pid ends.
func wait(pid int, reapAll bool, exited chan<- waitResult) {
	which := pid
	if reapAll {
		which = -1
	}
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(which, &ws, 0, nil)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case err != nil:
			exited <- waitResult{err: err}
			return
		case got == pid:
			if reapAll {
				reapZombies()
			}
			exited <- waitResult{status: ws}
			return
		}
	}
}

// reapZombies reaps the children that have already ended, without waiting.
func reapZombies() {
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || got <= 0 {
			return
		}
	}
}

// exitFor maps how the child ended to how keep ends: the child's code;
// for a child killed by HUP, INT, TERM or KILL, death by the same signal;
// for other signals, and for every signal as PID 1 (which cannot die of
// its own signals), 128+N.
func exitFor(ws syscall.WaitStatus, pid1 bool) *ExitError {
	if !ws.Signaled() {
		return &ExitError{Code: ws.ExitStatus()}
	}
	sig := ws.Signal()
	switch {
	case pid1:
		return &ExitError{Code: 128 + int(sig)}
	case sig == syscall.SIGHUP, sig == syscall.SIGINT, sig == syscall.SIGTERM, sig == syscall.SIGKILL:
		return &ExitError{Signal: sig}
	}
	return &ExitError{Code: 128 + int(sig)}
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
