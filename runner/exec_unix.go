//go:build unix

package runner

import (
	"os"
	"os/signal"
	"syscall"
)

// Exec replaces keep with the command at path, run as argv with env. It
// returns only on failure, as a *StartError.
func Exec(path string, argv []string, env []string) error {
	signal.Reset()
	err := syscall.Exec(path, argv, env)
	return startError(argv[0], path, err)
}

func isExecutable(fi os.FileInfo) bool { return fi.Mode()&0o111 != 0 }
