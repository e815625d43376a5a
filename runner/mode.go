package runner

import (
	"errors"
	"os"
	"runtime"
)

// Mode is how keep starts the child.
type Mode int

const (
	// ModeExec replaces keep with the child (Unix only).
	ModeExec Mode = iota
	// ModeSupervise starts the child and stays as its parent.
	ModeSupervise
)

func (m Mode) String() string {
	if m == ModeExec {
		return "exec"
	}
	return "supervise"
}

// ModeRequest is what decides the mode.
type ModeRequest struct {
	// Exec and Supervise force a mode (--exec, --supervise); at most one.
	Exec, Supervise bool
	// MustStay is set when keep has work after the child starts (a file to
	// delete, a kill timeout, reaping as a subreaper).
	MustStay bool
	// Why names what needs keep to stay, for the error when Exec is forced.
	Why string
	// KillTimeout and Subreaper are asked for; not every platform has them.
	KillTimeout, Subreaper bool
}

// IsPID1 reports whether keep is the init process of its PID namespace.
func IsPID1() bool { return os.Getpid() == 1 }

// ChooseMode picks the mode: the forced one, else supervise when keep must
// stay, is PID 1 or cannot exec, else exec.
func ChooseMode(r ModeRequest) (Mode, error) {
	switch {
	case r.Subreaper && runtime.GOOS != "linux":
		return 0, errors.New("--subreaper is available on Linux only")
	case r.KillTimeout && !CanExec:
		return 0, errors.New("--kill-timeout is not available on " + runtime.GOOS + ": there is no SIGTERM to forward")
	case r.Exec && r.Supervise:
		return 0, errors.New("--exec and --supervise exclude each other")
	case r.Exec && !CanExec:
		return 0, errors.New("--exec is not available on " + runtime.GOOS + ": a process cannot be replaced there")
	case r.Exec && r.MustStay:
		return 0, errors.New("--exec cannot be combined with " + r.Why + ", which needs keep to stay")
	case r.Exec:
		return ModeExec, nil
	case r.Supervise, r.MustStay, IsPID1(), !CanExec:
		return ModeSupervise, nil
	}
	return ModeExec, nil
}
