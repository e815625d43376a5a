//go:build !linux

package cli

// noDump is Linux-only (PR_SET_DUMPABLE).
func noDump() {}
