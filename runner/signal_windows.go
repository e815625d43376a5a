// Unix vs Windows: Unix has signals to catch, name and die of; Windows has only Ctrl-C.

package runner

import "os"

// Interrupts are the signals that stop keep before the child starts.
var Interrupts = []os.Signal{os.Interrupt}

// Die is a no-op where a process cannot kill itself with a signal; the
// caller exits with 128+N.
func Die(sig os.Signal) {}

// signalName names sig.
func signalName(sig os.Signal) string { return sig.String() }

// ignoredAtStart reports whether sig was ignored when keep started, as far
// as the Go runtime tells (SIGHUP and SIGINT).
func ignoredAtStart(sig os.Signal) bool { return ignoredByRuntime[sig] }
