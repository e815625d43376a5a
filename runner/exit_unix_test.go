//go:build unix

package runner

import (
	"syscall"
	"testing"
)

// Wait statuses as the kernel encodes them: exit code in bits 8–15,
// terminating signal in bits 0–6.
func exited(code int) syscall.WaitStatus           { return syscall.WaitStatus(code << 8) }
func killed(sig syscall.Signal) syscall.WaitStatus { return syscall.WaitStatus(sig) }

func TestExitFor(t *testing.T) {
	for _, tc := range []struct {
		ws      syscall.WaitStatus
		pid1    bool
		code    int
		signal  syscall.Signal
		exitVal int
	}{
		{exited(0), false, 0, 0, 0},
		{exited(1), false, 1, 0, 1},
		{exited(255), false, 255, 0, 255},
		{exited(143), false, 143, 0, 143},
		{killed(syscall.SIGTERM), false, 0, syscall.SIGTERM, 143},
		{killed(syscall.SIGINT), false, 0, syscall.SIGINT, 130},
		{killed(syscall.SIGHUP), false, 0, syscall.SIGHUP, 129},
		{killed(syscall.SIGKILL), false, 0, syscall.SIGKILL, 137},
		{killed(syscall.SIGUSR1), false, 128 + int(syscall.SIGUSR1), 0, 128 + int(syscall.SIGUSR1)},
		{killed(syscall.SIGSEGV), false, 139, 0, 139},
		{killed(syscall.SIGTERM), true, 143, 0, 143},
		{killed(syscall.SIGKILL), true, 137, 0, 137},
		{exited(7), true, 7, 0, 7},
	} {
		got := exitFor(tc.ws, tc.pid1)
		if got.Code != tc.code || got.Signal != tc.signal || got.ExitCode() != tc.exitVal {
			t.Errorf("exitFor(%#x, pid1=%v) = %+v (ExitCode %d); want code %d, signal %v, ExitCode %d",
				uint32(tc.ws), tc.pid1, *got, got.ExitCode(), tc.code, tc.signal, tc.exitVal)
		}
	}
}
