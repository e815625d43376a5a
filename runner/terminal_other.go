//go:build unix && !linux

// Linux vs other Unixes: TIOCGPGRP's pid_t is read as 4 bytes on Linux, as an int elsewhere.

package runner

import "golang.org/x/sys/unix"

// foregroundGroup is the terminal's foreground process group.
func foregroundGroup(fd int) (int, error) {
	return unix.IoctlGetInt(fd, unix.TIOCGPGRP)
}
