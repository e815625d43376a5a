//go:build unix

// Unix vs Windows: Unix can replace keep with the child (execve); Windows cannot.

package runner

import (
	"os"
	"os/signal"
	"syscall"
)

// Exec replaces keep with the command at path, run as argv with env. It
// first calls handover (the stop function of WithInterrupts, or nil). It
// returns only on failure: handover's error, or a *StartError.
func Exec(path string, argv []string, env []string, handover func() error) error {
	if handover != nil {
		if err := handover(); err != nil {
			return err
		}
	}
	signal.Reset()
	err := syscall.Exec(path, argv, env)
	return startError(argv[0], path, err)
}

// CanExec reports whether this platform can replace a process.
const CanExec = true

func isExecutable(fi os.FileInfo) bool { return fi.Mode()&0o111 != 0 }
