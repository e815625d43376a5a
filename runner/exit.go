package runner

import (
	"errors"
	"fmt"
	"io/fs"
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
	return "check the file's permissions (chmod +x) and its #! line"
}

// ExitError is a child that ran and ended with Code; keep exits with it.
type ExitError struct {
	Code int
}

func (e *ExitError) Error() string { return fmt.Sprintf("command exited with status %d", e.Code) }

// ExitCode is the child's code.
func (e *ExitError) ExitCode() int { return e.Code }
