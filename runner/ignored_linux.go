// Linux vs other Unixes: only Linux shows which signals keep started with ignored (/proc).

package runner

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// sigIgnAtStart is the mask of ignored signals from /proc/self/status,
// read at init. The Go runtime has by then installed its handlers for most
// signals (so those read as not ignored, whatever keep's parent did), but
// it leaves SIGHUP and SIGINT ignored when they were, and does not touch
// CONT, TSTP, TTIN and TTOU before os/signal asks for them.
var sigIgnAtStart = func() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "SigIgn:"); ok {
			mask, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return mask
		}
	}
	return 0
}()

// ignoredAtStart reports whether sig was ignored when keep started, as far
// as that can be known (see sigIgnAtStart).
func ignoredAtStart(sig os.Signal) bool {
	s, ok := sig.(syscall.Signal)
	if !ok || s < 1 || s > 64 {
		return false
	}
	return sigIgnAtStart&(1<<(uint(s)-1)) != 0 || ignoredByRuntime[sig]
}
