//go:build unix

// Unix vs Windows: Windows has no signals to send; ParseSignal refuses every name.

package runner

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// sendable are the signals --on-change=signal:NAME may send.
var sendable = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2, "INT": syscall.SIGINT,
	"TERM": syscall.SIGTERM, "QUIT": syscall.SIGQUIT, "WINCH": syscall.SIGWINCH, "ALRM": syscall.SIGALRM,
}

// ParseSignal is the signal named name, with or without SIG, in any case:
// HUP, SIGUSR1, usr2. Only signals an application may take as "reload".
func ParseSignal(name string) (os.Signal, error) {
	n := strings.TrimPrefix(strings.ToUpper(name), "SIG")
	if sig, ok := sendable[n]; ok {
		return sig, nil
	}
	return nil, fmt.Errorf("unknown signal %q: use HUP, USR1, USR2, INT, TERM, QUIT, WINCH or ALRM", name)
}
