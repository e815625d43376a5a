// ignoredAtStart is per platform: ignored_linux.go, ignored_other.go, signal_windows.go.

package runner

import (
	"os"
	"os/signal"
)

// ignoredByRuntime records, at init, the signals the Go runtime reports as
// ignored (it does for SIGHUP and SIGINT when keep started with them
// ignored). It must be read before keep catches any: after signal.Notify,
// signal.Ignored reports false.
var ignoredByRuntime = func() map[os.Signal]bool {
	m := map[os.Signal]bool{}
	for _, s := range append(append([]os.Signal{}, Interrupts...), os.Interrupt) {
		m[s] = signal.Ignored(s)
	}
	return m
}()
