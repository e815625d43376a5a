//go:build unix && !linux

package runner

import "golang.org/x/sys/unix"

// foregroundGroup is the terminal's foreground process group.
func foregroundGroup(fd int) (int, error) {
	return unix.IoctlGetInt(fd, unix.TIOCGPGRP)
}
