//go:build unix

// Unix vs Windows: Windows has no systemd; Notify does nothing there.

package runner

import (
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// NotifyReloading tells systemd, when NOTIFY_SOCKET is set (keep is the
// unit's main process), that keep is reloading: before a watch restarts
// the command or re-renders its file. NotifyReady says it is done. Both
// do nothing without NOTIFY_SOCKET, and report errors to no one: the
// notification is a courtesy, never a reason to stop.
func NotifyReloading() {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	notify(fmt.Sprintf("RELOADING=1\nMONOTONIC_USEC=%d", ts.Nano()/1000))
}

// NotifyReady: see NotifyReloading.
func NotifyReady() { notify("READY=1") }

func notify(state string) {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return
	}
	if strings.HasPrefix(path, "@") { // an abstract socket
		path = "\x00" + path[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.Write([]byte(state))
}
