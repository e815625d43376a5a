//go:build !linux

package main

// noDump is Linux-only (PR_SET_DUMPABLE).
func noDump() {}
