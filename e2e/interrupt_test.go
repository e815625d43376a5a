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

	"github.com/keep-run/keep/internal/smfake"
)

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
				srv := slowFake(t)
				cmd := exec.Command(keepBin, "run", mode, "--namespace=app", "--env=production", "--", testBin, "child:env")
				cmd.Env = baseEnv(t, srv.Env())
				cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				waitForList(t, srv)
				_ = cmd.Process.Signal(tc.sig)
				_ = cmd.Wait()
				res := result{stdout: stdout.String(), stderr: stderr.String(), state: cmd.ProcessState, code: cmd.ProcessState.ExitCode()}
				sig, died := signaled(res)
				switch {
				case tc.dies && (!died || sig != tc.sig):
					t.Errorf("keep ended with %v, want death by %v", res.state, tc.sig)
				case !tc.dies && res.code != 128+int(tc.sig):
					t.Errorf("keep ended with %v, want exit %d", res.state, 128+int(tc.sig))
				}
				if res.stdout != "" {
					t.Errorf("the child ran: %q", res.stdout)
				}
				if !strings.Contains(res.stderr, "before the command started") || strings.Contains(res.stderr, "goroutine ") {
					t.Errorf("want the one-line interrupt message, got:\n%s", res.stderr)
				}
			})
		}
	}
}

func TestPID1InterruptedDuringTheFetchExits128PlusN(t *testing.T) {
	t.Parallel()
	srv := slowFake(t)
	n := startInitWith(t, srv.Env(), keepBin, "run", "--namespace=app", "--env=production", "--", testBin, "child:env")
	waitForList(t, srv)
	if err := syscall.Kill(n.hostPID(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	res := n.wait()
	if _, died := signaled(res); died || res.code != 143 {
		t.Errorf("PID 1 ended with %v, want exit 143 (it cannot die of its own signal, and 2 is the Go runtime's); stderr:\n%s", res.state, res.stderr)
	}
	if !strings.Contains(res.stderr, "interrupted by SIGTERM before the command started") || res.stdout != "" {
		t.Errorf("stdout %q, stderr:\n%s", res.stdout, res.stderr)
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
			cmd := exec.Command("sh", "-c", script, "sh", keepBin, "run", mode, "--allow-empty",
				"--namespace="+namespace(t), "--env=production", "--", testBin, "child:sigign")
			cmd.Env = baseEnv(t, moto.Env())
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
