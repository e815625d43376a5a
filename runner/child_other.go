//go:build unix && !linux

// Linux vs other Unixes: only Linux has a parent-death signal and child subreapers.

package runner

import (
	"errors"
	"syscall"
)

// childAttr: only Linux has a parent-death signal.
func childAttr() *syscall.SysProcAttr { return nil }

// setSubreaper: only Linux has child subreapers.
func setSubreaper() error { return errors.New("child subreapers are Linux-only") }
