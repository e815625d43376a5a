//go:build unix && !linux

// Linux vs other Unixes: only Linux shows which signals keep started with ignored (/proc).

package runner

import "os"

// ignoredAtStart reports whether sig was ignored when keep started, as far
// as the Go runtime tells (SIGHUP and SIGINT).
func ignoredAtStart(sig os.Signal) bool { return ignoredByRuntime[sig] }
