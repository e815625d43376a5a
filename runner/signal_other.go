//go:build !unix

package runner

import "os"

// Interrupts are the signals that stop keep before the child starts.
var Interrupts = []os.Signal{os.Interrupt}

// Die is a no-op where a process cannot kill itself with a signal; the
// caller exits with 128+N.
func Die(sig os.Signal) {}
