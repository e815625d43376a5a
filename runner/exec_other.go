//go:build !unix

package runner

import (
	"errors"
	"os"
	"os/exec"
)

// Exec runs the command at path as argv with env and waits for it, since
// this platform cannot replace a process. It returns an *ExitError with the
// child's exit code, or a *StartError when the command could not start.
func Exec(path string, argv []string, env []string) error {
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if err := cmd.Start(); err != nil {
		return &StartError{Command: argv[0], Err: err}
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &ExitError{Code: ee.ExitCode()}
	}
	if err != nil {
		return &StartError{Command: argv[0], Err: err}
	}
	return &ExitError{Code: 0}
}

func isExecutable(fi os.FileInfo) bool { return true }
