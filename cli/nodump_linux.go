package cli

import "golang.org/x/sys/unix"

// noDump makes keep non-dumpable while it holds secrets: no core file,
// and other processes of the same user cannot ptrace it or read its
// memory through /proc. execve resets it for the child.
func noDump() { _ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }
