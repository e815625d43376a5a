//go:build unix

package envfile

import "syscall"

const oNoFollow = syscall.O_NOFOLLOW
