//go:build linux

package e2e

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

// Signals that reach keep while it fetches, before the child starts:
// smfake answers slowly, so the test knows keep is inside the fetch.

// slowFake is a fake whose answers take longer than any test waits, so
// keep is still fetching when the test signals it.
func slowFake(t *testing.T) *smfake.Server {
	srv := smfake.New(fakeSecret("app", "production", "TOKEN", "interrupt-token-value"))
	srv.Latency = 30 * time.Second
	t.Cleanup(srv.Close)
	return srv
}

// waitForList waits until keep has sent its first ListSecrets.
func waitForList(t *testing.T, srv *smfake.Server) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); srv.Count("ListSecrets") == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("keep never called ListSecrets")
		}
	}
}

// interruptFetch starts keep with args against srv, with attr (nil: none),
// sends it sig once it has sent its first ListSecrets, and returns how it
// ended.
func interruptFetch(t *testing.T, srv *smfake.Server, sig syscall.Signal, attr *syscall.SysProcAttr, args ...string) result {
	t.Helper()
	cmd := exec.Command(keeptest.Bin(t), args...)
	cmd.Env = keeptest.BaseEnv(t, srv.Env())
	cmd.SysProcAttr = attr
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForList(t, srv)
	_ = cmd.Process.Signal(sig)
	_ = cmd.Wait()
	return result{Stdout: stdout.String(), Stderr: stderr.String(), State: cmd.ProcessState, Code: cmd.ProcessState.ExitCode()}
}

func TestInterruptDuringTheFetch(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"--exec", "--supervise"} {
		for _, tc := range []struct {
			sig  syscall.Signal
			dies bool // of the signal; else exits 128+N
		}{
			{syscall.SIGTERM, true}, {syscall.SIGINT, true}, {syscall.SIGHUP, true}, {syscall.SIGQUIT, false},
		} {
			t.Run(mode+"/"+tc.sig.String(), func(t *testing.T) {
				t.Parallel()
				res := interruptFetch(t, slowFake(t), tc.sig, &syscall.SysProcAttr{Setsid: true}, "run", mode, "--namespace=app", "--env=production", "--", testBin, "child:env")
				sig, died := signaled(res)
				switch {
				case tc.dies && (!died || sig != tc.sig):
					t.Errorf("keep ended with %v, want death by %v", res.State, tc.sig)
				case !tc.dies && res.Code != 128+int(tc.sig):
					t.Errorf("keep ended with %v, want exit %d", res.State, 128+int(tc.sig))
				}
				if res.Stdout != "" {
					t.Errorf("the child ran: %q", res.Stdout)
				}
				if !strings.Contains(res.Stderr, "before the command started") || strings.Contains(res.Stderr, "goroutine ") {
					t.Errorf("want the one-line interrupt message, got:\n%s", res.Stderr)
				}
			})
		}
	}
}

func TestRunInterruptedBeforeTheChildDiesOfTheSignal(t *testing.T) {
	t.Parallel()
	srv := smfake.New(fakeSecret("app", "production", "TOKEN", "interrupted-token"))
	defer srv.Close()
	srv.Latency = 10 * time.Second
	res := interruptFetch(t, srv, syscall.SIGTERM, nil, "run", "--namespace=app", "--env=production", "--", testBin, "child:env")
	if sig, ok := signaled(res); !ok || sig != syscall.SIGTERM {
		t.Errorf("keep ended with %v, want death by SIGTERM; stderr:\n%s", res.State, res.Stderr)
	}
	if !strings.Contains(res.Stderr, "interrupted by SIGTERM before the command started") || res.Stdout != "" {
		t.Errorf("stdout %q, stderr:\n%s", res.Stdout, res.Stderr)
	}
}

func TestPID1InterruptedDuringTheFetchExits128PlusN(t *testing.T) {
	t.Parallel()
	srv := slowFake(t)
	n := startInitWith(t, srv.Env(), keeptest.Bin(t), "run", "--namespace=app", "--env=production", "--", testBin, "child:env")
	waitForList(t, srv)
	if err := syscall.Kill(n.hostPID(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	res := n.wait()
	if _, died := signaled(res); died || res.Code != 143 {
		t.Errorf("PID 1 ended with %v, want exit 143 (it cannot die of its own signal, and 2 is the Go runtime's); stderr:\n%s", res.State, res.Stderr)
	}
	if !strings.Contains(res.Stderr, "interrupted by SIGTERM before the command started") || res.Stdout != "" {
		t.Errorf("stdout %q, stderr:\n%s", res.Stdout, res.Stderr)
	}
}

func TestIgnoredJobControlSignalsStayIgnored(t *testing.T) {
	t.Parallel()
	bits := uint64(0)
	for _, s := range []syscall.Signal{syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU} {
		bits |= 1 << (uint(s) - 1)
	}
	for _, mode := range []string{"--exec", "--supervise"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			script := `trap '' TSTP TTIN TTOU; exec "$@"`
			cmd := exec.Command("sh", "-c", script, "sh", keeptest.Bin(t), "run", mode, "--allow-empty",
				"--namespace="+namespace(t), "--env=production", "--", testBin, "child:sigign")
			cmd.Env = keeptest.BaseEnv(t, keeptest.Moto().Env())
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no terminal: keep would forward them
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			mask, err := strconv.ParseUint(strings.TrimSpace(string(out)), 16, 64)
			if err != nil {
				t.Fatalf("child printed %q", out)
			}
			if mask&bits != bits {
				t.Errorf("TSTP/TTIN/TTOU ignored before keep are not ignored in the child: SigIgn %016x", mask)
			}
		})
	}
}
