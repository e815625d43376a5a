//go:build !unix

package runner

import (
	"errors"
	"os"
)

// Exec is unavailable where a process cannot replace itself; ChooseMode
// never picks it there.
func Exec(path string, argv []string, env []string) error {
	return errors.New("exec mode is not available on this platform; use --supervise")
}

func isExecutable(fi os.FileInfo) bool { return true }
