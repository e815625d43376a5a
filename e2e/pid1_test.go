//go:build linux

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
	"golang.org/x/sys/unix"
)

// The PID 1 tests start keep as the init process of a new user and PID
// namespace with unshare -Urpf, as a container runtime would. unshare
// passes on its child's exit status, and dies of the child's signal if it
// died of one. /proc is the host's: PIDs read there are host PIDs.

// waitProcState waits until pid is stopped (state T), or no longer
// stopped.
func waitProcState(t *testing.T, who string, pid int, stopped bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		st := pstatOf(t, pid)
		if (st.state == 'T') == stopped {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s (PID %d) is in state %c after %s, want stopped=%v", who, pid, st.state, hangGuard, stopped)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// childrenOf lists the processes whose parent is ppid.
func childrenOf(ppid int) map[int]pstat {
	out := map[int]pstat{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := readPstat(pid); err == nil && st.ppid == ppid {
			out[pid] = st
		}
	}
	return out
}

// zombiesOf lists the zombies whose parent is ppid.
func zombiesOf(ppid int) []int {
	var z []int
	for pid, st := range childrenOf(ppid) {
		if st.state == 'Z' {
			z = append(z, pid)
		}
	}
	return z
}

// waitZombies waits until ppid has exactly n zombie children.
func waitZombies(t *testing.T, who string, ppid, n int) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		z := zombiesOf(ppid)
		if len(z) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s (PID %d) has %d zombie children after %s, want %d: %v", who, ppid, len(z), hangGuard, n, z)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// killAtCleanup makes cleanup SIGKILL each of pids still running then, as
// when a test fails half-way. It holds pidfds: a PID reused by another
// process by then is left alone.
func killAtCleanup(t *testing.T, pids ...int) {
	for _, pid := range pids {
		fd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			continue // gone already, or no pidfds: nothing safe to do
		}
		t.Cleanup(func() {
			_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
			_ = unix.Close(fd)
		})
	}
}

var unshareCheck = sync.OnceValue(func() string {
	if _, err := exec.LookPath("unshare"); err != nil {
		return "needs unshare (util-linux) to make a PID namespace"
	}
	out, err := exec.Command("unshare", "-Urpf", "true").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("the kernel refuses a new user+PID namespace: unshare -Urpf: %v: %s", err, bytes.TrimSpace(out))
	}
	return ""
})

// nsInit is a process started as PID 1 of a new user+PID namespace.
type nsInit struct {
	t              *testing.T
	cmd            *exec.Cmd // unshare
	stdout, stderr bytes.Buffer
	done           chan struct{}
	pid            int // host PID of the init, once known
}

// startInit runs argv as PID 1 of a new user and PID namespace, with
// moto's environment.
func startInit(t *testing.T, argv ...string) *nsInit {
	t.Helper()
	return startInitWith(t, keeptest.Moto().Env(), argv...)
}

// startInitWith is startInit with endpointEnv pointing at a server.
func startInitWith(t *testing.T, endpointEnv []string, argv ...string) *nsInit {
	t.Helper()
	if why := unshareCheck(); why != "" {
		t.Skip(why)
	}
	n := &nsInit{t: t, done: make(chan struct{})}
	n.cmd = exec.Command("unshare", append([]string{"-Urpf"}, argv...)...)
	n.cmd.Env = append(keeptest.BaseEnv(t, endpointEnv), "GODEBUG=asyncpreemptoff=1")
	n.cmd.Dir = t.TempDir()
	n.cmd.Stdout, n.cmd.Stderr = &n.stdout, &n.stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("start unshare: %v", err)
	}
	go func() {
		_ = n.cmd.Wait()
		close(n.done)
	}()
	t.Cleanup(func() {
		_ = n.cmd.Process.Kill()
		<-n.done
	})
	return n
}

// hostPID returns the init's PID as the host sees it: unshare's child.
func (n *nsInit) hostPID() int {
	n.t.Helper()
	deadline := time.Now().Add(hangGuard)
	for n.pid == 0 {
		for pid := range childrenOf(n.cmd.Process.Pid) {
			n.pid = pid
			killAtCleanup(n.t, pid) // which ends the namespace
		}
		if n.pid == 0 && time.Now().After(deadline) {
			n.t.Fatalf("unshare (PID %d) has no child after %s", n.cmd.Process.Pid, hangGuard)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return n.pid
}

// wait waits for unshare to end and returns how it ended.
func (n *nsInit) wait() result {
	n.t.Helper()
	select {
	case <-n.done:
	case <-time.After(60 * time.Second):
		n.t.Fatalf("PID 1 did not end; stderr:\n%s", n.stderr.String())
	}
	res := result{Stdout: n.stdout.String(), Stderr: n.stderr.String(), State: n.cmd.ProcessState, Code: n.cmd.ProcessState.ExitCode()}
	keeptest.AssertNoLeak(n.t, "stderr", res.Stderr)
	return res
}

func keepRunArgs(t *testing.T, flags ...string) []string {
	return append(append([]string{keeptest.Bin(t), "run", "--allow-empty", "--namespace=" + namespace(t), "--env=production"}, flags...), "--")
}

func TestPID1ReapsOrphans(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		init []string // PID 1; the child's argv follows
		// zombies is how many zombies of PID 1 the test waits for.
		zombies int
	}{
		{"keep", keepRunArgs(t), 0},
		// The control: the test binary as PID 1 reaps nothing, so the 5
		// orphans stay zombies of it. This shows they are re-parented to
		// PID 1 and that the check sees them.
		{"control-without-reaper", nil, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log := newTrapLog(t)
			n := startInit(t, append(tc.init, testBin, "child:orphans", "5", string(log))...)
			log.wait(t, "spawned")
			log.ready(t)
			init := n.hostPID()
			waitZombies(t, "PID 1", init, tc.zombies)
			if err := syscall.Kill(init, syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			res := n.wait()
			if sig, ok := signaled(res); ok || res.Code != 0 {
				t.Errorf("PID 1 ended with %v (signal %v), want exit 0 from the child's TERM handler; stderr:\n%s", res.State, sig, res.Stderr)
			}
			if log.count("SIGTERM") != 1 {
				t.Errorf("the child did not get TERM once; log:\n%s", strings.Join(log.lines(), "\n"))
			}
		})
	}
}

func TestPID1ExitsWith128PlusTheChildsSignal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		child []string // LOG stands for the trap log
		term  bool     // send SIGTERM to keep once the child is ready
		code  int
	}{
		{"TERM forwarded", []string{"child:trap", "LOG", "die"}, true, 143},
		{"child killed by INT", []string{"child:kill", "2"}, false, 130},
		{"child killed by KILL", []string{"child:kill", "9"}, false, 137},
		{"child exits 7", []string{"child:exit", "7"}, false, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log := newTrapLog(t)
			argv := keepRunArgs(t)
			argv = append(argv, testBin)
			for _, a := range tc.child {
				argv = append(argv, strings.ReplaceAll(a, "LOG", string(log)))
			}
			n := startInit(t, argv...)
			if tc.term {
				log.ready(t)
				if err := syscall.Kill(n.hostPID(), syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			}
			res := n.wait()
			// unshare would die of keep's signal; it exits with keep's code.
			if sig, ok := signaled(res); ok {
				t.Fatalf("keep as PID 1 died of %v, want exit %d; stderr:\n%s", sig, tc.code, res.Stderr)
			}
			if res.Code != tc.code {
				t.Errorf("keep as PID 1 exited %d, want %d; stderr:\n%s", res.Code, tc.code, res.Stderr)
			}
			if tc.term && log.count("SIGTERM") != 1 {
				t.Errorf("the child did not get TERM once; log:\n%s", strings.Join(log.lines(), "\n"))
			}
		})
	}
}

// procInNamespace decodes child:proc's output.
func procInNamespace(t *testing.T, res result) (pid, ppid int) {
	t.Helper()
	var p struct{ PID, PPID int }
	if err := json.Unmarshal([]byte(res.Stdout), &p); err != nil {
		t.Fatalf("no child:proc output (%v); exit %d, stderr:\n%s", err, res.Code, res.Stderr)
	}
	return p.PID, p.PPID
}

func TestPID1SupervisesByDefault(t *testing.T) {
	t.Parallel()
	res := startInit(t, append(keepRunArgs(t, "-v"), testBin, "child:proc")...).wait()
	if res.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.Code, res.Stderr)
	}
	if pid, ppid := procInNamespace(t, res); pid == 1 || ppid != 1 {
		t.Errorf("child PID %d, parent %d inside the namespace; want keep (PID 1) as its parent", pid, ppid)
	}
	if !strings.Contains(res.Stderr, "keep: supervise ") {
		t.Errorf("verbose output does not name the supervise mode:\n%s", res.Stderr)
	}
}

func TestPID1ExecWarnsOnceAndRunsTheChild(t *testing.T) {
	t.Parallel()
	res := startInit(t, append(keepRunArgs(t, "--exec"), testBin, "child:proc")...).wait()
	if res.Code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.Code, res.Stderr)
	}
	if pid, _ := procInNamespace(t, res); pid != 1 {
		t.Errorf("child PID %d inside the namespace, want 1: keep did not exec", pid)
	}
	lines := strings.Split(strings.TrimSuffix(res.Stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "--exec as PID 1") {
		t.Errorf("stderr is not one warning line about --exec as PID 1:\n%s", res.Stderr)
	}
}

// startKeepAsync starts keep with argv, without waiting for it.
func startKeepAsync(t *testing.T, argv ...string) (*exec.Cmd, <-chan result) {
	t.Helper()
	cmd := exec.Command(keeptest.Bin(t), argv...)
	cmd.Env = append(keeptest.BaseEnv(t, keeptest.Moto().Env()), "GODEBUG=asyncpreemptoff=1")
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan result, 1)
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			panic(err)
		}
		ended <- result{Stdout: stdout.String(), Stderr: stderr.String(), State: cmd.ProcessState, Code: cmd.ProcessState.ExitCode(), PID: cmd.Process.Pid}
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, ended
}

// termKeep sends TERM to keep, whose child:trap … term exits 0 on it, and
// checks that keep exits 0 too.
func termKeep(t *testing.T, cmd *exec.Cmd, ended <-chan result) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-ended:
		if res.Code != 0 {
			t.Errorf("keep ended with %v after TERM, want exit 0 as the child; stderr:\n%s", res.State, res.Stderr)
		}
		keeptest.AssertNoLeak(t, "stderr", res.Stderr)
	case <-time.After(60 * time.Second):
		t.Fatal("keep did not end after TERM")
	}
}

func TestSubreaperAdoptsAndReapsOrphans(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flag  string
		adopt bool // keep becomes the orphan's parent
	}{
		{"--subreaper", true},
		{"--supervise", false}, // the control: the orphan goes elsewhere
	} {
		t.Run(tc.flag[2:], func(t *testing.T) {
			t.Parallel()
			log := newTrapLog(t)
			cmd, ended := startKeepAsync(t, append(keepRunArgs(t, tc.flag)[1:], testBin, "child:adopt", string(log))...)
			log.ready(t)
			orphan, err := strconv.Atoi(log.wait(t, "orphan"))
			if err != nil {
				t.Fatal(err)
			}
			killAtCleanup(t, orphan)
			keepPID := cmd.Process.Pid
			if adopted := pstatOf(t, orphan).ppid == keepPID; adopted != tc.adopt {
				t.Fatalf("orphan's parent is keep: %v, want %v", adopted, tc.adopt)
			}
			if tc.adopt {
				// Once killed, the orphan is a zombie of keep until keep
				// reaps it.
				if err := syscall.Kill(orphan, syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				deadline := time.Now().Add(hangGuard)
				for {
					st, err := readPstat(orphan)
					if err != nil || st.ppid != keepPID {
						break // reaped
					}
					if time.Now().After(deadline) {
						t.Fatalf("the killed orphan (PID %d) is still keep's child, state %c, after %s", orphan, st.state, hangGuard)
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
			termKeep(t, cmd, ended)
		})
	}
	t.Run("orphans", func(t *testing.T) {
		t.Parallel()
		log := newTrapLog(t)
		cmd, ended := startKeepAsync(t, append(keepRunArgs(t, "--subreaper")[1:], testBin, "child:orphans", "5", string(log))...)
		log.wait(t, "spawned")
		log.ready(t)
		waitZombies(t, "keep", cmd.Process.Pid, 0)
		termKeep(t, cmd, ended)
	})
}
