// Linux vs other Unixes: TIOCGPGRP's pid_t is read as 4 bytes on Linux, as an int elsewhere.

package runner

import "golang.org/x/sys/unix"

// foregroundGroup is the terminal's foreground process group. TIOCGPGRP
// writes a 4-byte pid_t, which an int-sized read gets wrong on big-endian
// 64-bit Linux (s390x, ppc64).
func foregroundGroup(fd int) (int, error) {
	pgrp, err := unix.IoctlGetUint32(fd, unix.TIOCGPGRP)
	return int(pgrp), err
}
