//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// pstat is what the tests read from /proc/PID/stat.
type pstat struct {
	state byte // R, S, D, T (stopped), Z (zombie)…
	ppid  int
	start string // start time in clock ticks: tells a reused PID apart
}

// readPstat reads /proc/pid/stat.
func readPstat(pid int) (pstat, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return pstat{}, err
	}
	// pid (comm) state ppid …; comm may hold spaces and parentheses, so the
	// fields are counted from the last ')'. Field 22 is the start time.
	i := bytes.LastIndexByte(data, ')')
	var fields []string
	if i >= 0 {
		fields = strings.Fields(string(data[i+1:]))
	}
	if len(fields) < 20 {
		return pstat{}, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, data)
	}
	ppid, err := strconv.Atoi(fields[1])
	return pstat{state: fields[0][0], ppid: ppid, start: fields[19]}, err
}

func pstatOf(t *testing.T, pid int) pstat {
	t.Helper()
	st, err := readPstat(pid)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
