//go:build unix

package readfile

import (
	"errors"
	"syscall"
)

const (
	oNonBlock = syscall.O_NONBLOCK
	oNoFollow = syscall.O_NOFOLLOW
)

func isELOOP(err error) bool { return errors.Is(err, syscall.ELOOP) }
