// Unix vs Windows: Unix can replace keep with the child (execve); Windows cannot.

package runner

import (
	"errors"
	"os"
)

// Exec is unavailable where a process cannot replace itself; ChooseMode
// never picks it there.
func Exec(path string, argv []string, env []string, handover func() error) error {
	return errors.New("exec mode is not available on this platform; use --supervise")
}

// CanExec reports whether this platform can replace a process.
const CanExec = false

func isExecutable(fi os.FileInfo) bool { return true }
