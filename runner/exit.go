package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// Exit codes for failures before the child runs.
const (
	CodeFailed        = 125
	CodeNotExecutable = 126
	CodeNotFound      = 127
)

// StartError is a command that could not be started.
type StartError struct {
	Command string
	Err     error
}

func (e *StartError) Error() string {
	if e.ExitCode() == CodeNotFound {
		return fmt.Sprintf("%s: command not found", e.Command)
	}
	return fmt.Sprintf("%s: cannot execute: %v", e.Command, e.Err)
}

func (e *StartError) Unwrap() error { return e.Err }

// ErrInterpreter is the cause of a StartError for a script whose #!
// interpreter does not exist.
var ErrInterpreter = errors.New("its #! interpreter was not found")

// startError describes the failure to execute path, found as name. The
// kernel says ENOENT both for a missing file and for a script whose
// interpreter is missing; the second is told apart because path exists.
func startError(name, path string, err error) *StartError {
	if errors.Is(err, syscall.ENOENT) {
		if _, statErr := os.Stat(path); statErr == nil {
			err = ErrInterpreter
		}
	}
	return &StartError{Command: name, Err: err}
}

// ExitCode is 127 when the command does not exist, else 126.
func (e *StartError) ExitCode() int {
	if errors.Is(e.Err, fs.ErrNotExist) || errors.Is(e.Err, syscall.ENOENT) {
		return CodeNotFound
	}
	return CodeNotExecutable
}

// Hint says what to check.
func (e *StartError) Hint() string {
	if e.ExitCode() == CodeNotFound {
		return "check the command's spelling and PATH, or give its full path"
	}
	if errors.Is(e.Err, ErrInterpreter) {
		return "fix the script's first line (#!) or install the interpreter it names"
	}
	if errors.Is(e.Err, syscall.E2BIG) {
		return "the environment is larger than the kernel passes to a program (usually 2 MiB for arguments and environment together): inject fewer secrets with --only, pass them in a file with --template and --output, or raise the limit with ulimit -s"
	}
	return "check the file's permissions (chmod +x) and its #! line"
}

// ExitError is how a supervised child ended, and so how keep must end.
// It is not a failure of keep: main exits with it silently.
type ExitError struct {
	// Code is the exit status to use when Signal is 0.
	Code int
	// Signal, when non-zero, is the signal keep must die of (after any
	// cleanup), as the child did.
	Signal syscall.Signal
}

func (e *ExitError) Error() string {
	if e.Signal != 0 {
		return fmt.Sprintf("command killed by %s", signalName(e.Signal))
	}
	return fmt.Sprintf("command exited with status %d", e.Code)
}

// ExitCode is Code, or 128+Signal.
func (e *ExitError) ExitCode() int {
	if e.Signal != 0 {
		return 128 + int(e.Signal)
	}
	return e.Code
}

// Exit ends keep the way the child ended: dying of Signal, else exiting
// with Code. It does not return.
func (e *ExitError) Exit() {
	if e.Signal != 0 {
		Die(e.Signal)
	}
	os.Exit(e.ExitCode())
}
