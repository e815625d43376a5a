// Unix vs Windows: Unix forwards signals and reaps; Windows ignores Ctrl-C and waits.

package runner

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
)

// Supervise starts the child with keep's console and standard files, waits
// for it, runs Cleanup and returns an *ExitError with its exit code. Ctrl-C
// reaches every process on the console: keep ignores it and lets the child
// decide. Any other error means the child did not start.
func Supervise(c Child) error {
	if c.Cleanup != nil {
		defer c.Cleanup() // on every path, the child's end included
	}
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	if c.Handover != nil {
		if err := c.Handover(); err != nil {
			return err
		}
	}
	cmd := &exec.Cmd{Path: c.Path, Args: c.Args, Env: c.Env, Stdin: os.Stdin}
	defer filterOutputs(cmd, c.Filter)() // flushes before Cleanup
	if err := cmd.Start(); err != nil {
		return &StartError{Command: c.Args[0], Err: err}
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) && !errors.Is(err, exec.ErrWaitDelay) {
		return err
	}
	return &ExitError{Code: cmd.ProcessState.ExitCode()}
}
