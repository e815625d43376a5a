//go:build linux

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
	"golang.org/x/sys/unix"
)

// How keep starts the child and, in supervise mode, stays its parent:
// exit status, signal deaths, forwarding, process group, parent death,
// systemd's variables and the choice of mode, all through the real binary.
// None of these runs needs a secret: they use --allow-empty on a namespace
// with nothing in it, which costs one ListSecrets call.

// modes are the two ways keep starts the child.
var modes = []string{"--exec", "--supervise"}

// bare is keep run's argv for a run without secrets: flags, then the test
// binary as the child in the given mode.
func bare(t *testing.T, flags []string, child ...string) []string {
	args := append([]string{"run", "--allow-empty", "--namespace=" + namespace(t), "--env=test"}, flags...)
	return append(append(args, "--", testBin), child...)
}

// keepBare runs keep without secrets: keep run … FLAGS -- TESTBIN CHILD….
func keepBare(t *testing.T, env, flags []string, child ...string) result {
	t.Helper()
	return keep(t, run{Env: env, Args: bare(t, flags, child...)})
}

// ending says how a process ended: "exit N" or "killed by SIGNAME".
func ending(state *os.ProcessState) string {
	ws := state.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return "killed by " + unix.SignalName(ws.Signal())
	}
	return fmt.Sprintf("exit %d", ws.ExitStatus())
}

func TestExitStatusIsTheChilds(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		for code := range 256 {
			t.Run(fmt.Sprintf("%s/%d", mode[2:], code), func(t *testing.T) {
				t.Parallel()
				res := keepBare(t, nil, []string{mode}, "child:exit", strconv.Itoa(code))
				if got, want := ending(res.State), fmt.Sprintf("exit %d", code); got != want {
					t.Errorf("keep %s: %s, want %s; stderr:\n%s", mode, got, want, res.Stderr)
				}
			})
		}
	}
}

// A child killed by HUP, INT, TERM or KILL takes a supervising keep with it;
// any other signal gives 128+N, never 1 or 255. In exec mode keep is the
// child, so it dies of every one of them.
func TestChildKilledBySignal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig  syscall.Signal
		same bool // keep --supervise dies of it too
	}{
		{syscall.SIGHUP, true}, {syscall.SIGINT, true}, {syscall.SIGTERM, true}, {syscall.SIGKILL, true},
		{syscall.SIGQUIT, false}, {syscall.SIGILL, false}, {syscall.SIGTRAP, false}, {syscall.SIGABRT, false},
		{syscall.SIGBUS, false}, {syscall.SIGFPE, false}, {syscall.SIGUSR1, false}, {syscall.SIGSEGV, false},
		{syscall.SIGUSR2, false}, {syscall.SIGPIPE, false}, {syscall.SIGALRM, false}, {syscall.SIGSTKFLT, false},
		{syscall.SIGXCPU, false}, {syscall.SIGXFSZ, false}, {syscall.SIGVTALRM, false}, {syscall.SIGPROF, false},
		{syscall.SIGIO, false}, {syscall.SIGPWR, false}, {syscall.SIGSYS, false},
	} {
		for _, mode := range modes {
			name := unix.SignalName(tc.sig)
			t.Run(mode[2:]+"/"+name, func(t *testing.T) {
				t.Parallel()
				want := "killed by " + name
				if mode == "--supervise" && !tc.same {
					want = fmt.Sprintf("exit %d", 128+int(tc.sig))
				}
				res := keepBare(t, nil, []string{mode}, "child:kill", strconv.Itoa(int(tc.sig)))
				if got := ending(res.State); got != want {
					t.Errorf("child killed by %s: keep %s: %s, want %s; stderr:\n%s", name, mode, got, want, res.Stderr)
				}
			})
		}
	}
}

func TestSuperviseForwardsEachSignalOnce(t *testing.T) {
	t.Parallel()
	k := startTrap(t, "term", "--supervise")
	// Without a terminal the job-control signals are forwarded too; the
	// child catches them, so nothing stops.
	var want []string
	for _, sig := range []syscall.Signal{
		syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGALRM,
		syscall.SIGWINCH, syscall.SIGCONT, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU,
	} {
		k.signal(sig)
		want = append(want, unix.SignalName(sig))
		k.waitSignals(len(want))
	}
	// Never forwarded. keep takes pending signals lowest number first, so
	// any of these it forwarded would reach the child before the WINCH that
	// follows them, and so before the TERM.
	for _, sig := range []syscall.Signal{syscall.SIGURG, syscall.SIGCHLD, syscall.SIGPIPE, syscall.SIGWINCH} {
		k.signal(sig)
	}
	want = append(want, "SIGWINCH")
	k.waitSignals(len(want))
	k.signal(syscall.SIGTERM)
	want = append(want, "SIGTERM")

	res := k.wait()
	if got := ending(res.State); got != "exit 0" {
		t.Errorf("keep: %s after its child exited 0; stderr:\n%s", got, res.Stderr)
	}
	if got := k.signals(); !slices.Equal(got, want) {
		t.Errorf("the child caught\n\t%v\nwant each forwarded signal once, in order, and no URG, CHLD or PIPE:\n\t%v", got, want)
	}
}

func TestSuperviseNeverExitsBeforeTheChild(t *testing.T) {
	t.Parallel()
	k := startTrap(t, "none", "--supervise") // the child catches TERM and goes on
	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		k.signal(sig)
		k.waitSignals(i + 1)
	}
	if !k.runsFor(time.Second) {
		t.Fatalf("keep ended (%s) while its child runs", ending(k.cmd.ProcessState))
	}
	if !k.child.alive() {
		t.Fatal("the child ended without a kill timeout")
	}
	if got, want := k.signals(), []string{"SIGTERM", "SIGTERM", "SIGINT", "SIGHUP"}; !slices.Equal(got, want) {
		t.Errorf("the child caught %v, want %v", got, want)
	}
	if err := syscall.Kill(k.child.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if got := ending(k.wait().State); got != "killed by SIGKILL" {
		t.Errorf("child killed by SIGKILL: keep %s", got)
	}
}

func TestSuperviseKillTimeout(t *testing.T) {
	t.Parallel()
	k := startTrap(t, "none", "--kill-timeout=300ms") // implies --supervise
	k.signal(syscall.SIGTERM)
	res := k.wait()
	if got := ending(res.State); got != "killed by SIGKILL" {
		t.Errorf("keep: %s, want killed by SIGKILL as its child was; stderr:\n%s", got, res.Stderr)
	}
	// On a loaded machine the SIGKILL may come before the child logged the
	// TERM; forwarding is tested above.
	if got := k.signals(); len(got) > 0 && !slices.Equal(got, []string{"SIGTERM"}) {
		t.Errorf("the child caught %v, want only the forwarded SIGTERM", got)
	}
	if k.child.alive() {
		t.Error("the child still runs after keep exited")
	}
}

func TestSuperviseChildDiesWithKeep(t *testing.T) {
	t.Parallel()
	k := startTrap(t, "none", "--supervise")
	k.signal(syscall.SIGKILL)
	if got := ending(k.wait().State); got != "killed by SIGKILL" {
		t.Fatalf("keep: %s", got)
	}
	// Re-parented to whoever reaps orphans here; gone or a zombie will do.
	for deadline := time.Now().Add(10 * time.Second); k.child.alive(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d still runs 10s after keep was SIGKILLed", k.child.pid)
		}
	}
}

// childProc is what child:proc prints.
type childProc struct {
	PID, PPID, PGID, SID int
	TTY                  []bool
}

func decodeProc(t *testing.T, res result) childProc {
	t.Helper()
	var p childProc
	if err := json.Unmarshal([]byte(res.Stdout), &p); err != nil {
		t.Fatalf("child printed %q (%v); keep %s, stderr:\n%s", res.Stdout, err, ending(res.State), res.Stderr)
	}
	return p
}

func TestChildSharesKeepsFilesGroupAndSession(t *testing.T) {
	t.Parallel()
	// keep is started in a session of its own: its PID is its group's and
	// its session's ID too.
	t.Run("supervise", func(t *testing.T) {
		t.Parallel()
		k := startKeep(t, launch{args: bare(t, []string{"--supervise"}, "child:proc")})
		res := k.wait()
		p := decodeProc(t, res)
		if p.PID == k.pid || p.PPID != k.pid || p.PGID != k.pid || p.SID != k.pid {
			t.Errorf("child pid %d ppid %d pgid %d sid %d; want a child of keep (%d) in its group and session", p.PID, p.PPID, p.PGID, p.SID, k.pid)
		}
		if !slices.Equal(p.TTY, []bool{false, false, false}) {
			t.Errorf("child's fds 0-2 are terminals: %v; keep has none", p.TTY)
		}
	})
	t.Run("exec", func(t *testing.T) {
		t.Parallel()
		k := startKeep(t, launch{args: bare(t, []string{"--exec"}, "child:proc")})
		p := decodeProc(t, k.wait())
		if p.PID != k.pid || p.PGID != k.pid || p.SID != k.pid || p.PPID != os.Getpid() {
			t.Errorf("child pid %d ppid %d pgid %d sid %d; want keep's own process (%d, started by %d)", p.PID, p.PPID, p.PGID, p.SID, k.pid, os.Getpid())
		}
	})
	for _, mode := range modes {
		t.Run(mode[2:]+"/stdin", func(t *testing.T) {
			t.Parallel()
			input := strings.Repeat("piped into keep, read by the child\n", 2000)
			k := startKeep(t, launch{stdin: strings.NewReader(input), args: bare(t, []string{mode}, "child:stdin")})
			res := k.wait()
			if res.Stdout != input {
				t.Errorf("child read %d bytes of %d from keep's stdin; keep %s, stderr:\n%s", len(res.Stdout), len(input), ending(res.State), res.Stderr)
			}
		})
	}
}

// HUP and INT ignored when keep started (nohup, a script's background job)
// stay ignored in the child; the Go runtime cannot tell keep about others.
func TestIgnoredSignalsStayIgnored(t *testing.T) {
	t.Parallel()
	bit := func(sig syscall.Signal) uint64 { return 1 << (uint(sig) - 1) }
	for _, mode := range modes {
		t.Run(mode[2:], func(t *testing.T) {
			t.Parallel()
			argv := append([]string{"-c", `trap '' HUP INT; exec "$@"`, "sh", keeptest.Bin(t)}, bare(t, []string{mode}, "child:sigign")...)
			cmd := exec.Command("sh", argv...)
			cmd.Env = keeptest.BaseEnv(t, keeptest.Moto().Env())
			cmd.Dir = t.TempDir()
			out, err := cmd.Output()
			mask, perr := strconv.ParseUint(strings.TrimSpace(string(out)), 16, 64)
			if err != nil || perr != nil {
				t.Fatalf("keep %s: %v; child printed %q", mode, err, out)
			}
			if want := bit(syscall.SIGHUP) | bit(syscall.SIGINT); mask&want != want {
				t.Errorf("HUP and INT, ignored when keep started, are not ignored in the child: SigIgn %016x", mask)
			}
			if caught := bit(syscall.SIGTERM) | bit(syscall.SIGUSR1) | bit(syscall.SIGTSTP); mask&caught != 0 {
				t.Errorf("signals keep catches are ignored in the child: SigIgn %016x", mask)
			}
		})
	}
}

func TestSupervisePassesSystemdVariables(t *testing.T) {
	t.Parallel()
	systemd := map[string]string{
		"NOTIFY_SOCKET": "/run/systemd/notify",
		"WATCHDOG_PID":  "4242",
		"WATCHDOG_USEC": "30000000",
	}
	var env []string
	for k, v := range systemd {
		env = append(env, k+"="+v)
	}
	for _, mode := range modes {
		t.Run(mode[2:], func(t *testing.T) {
			t.Parallel()
			got := childEnv(t, keepBare(t, env, []string{mode}, "child:env"))
			for k, v := range systemd {
				_, has := got[k]
				switch {
				case k == "WATCHDOG_PID" && mode == "--supervise":
					// It names keep; the child, not keep, must answer the watchdog.
					if has {
						t.Errorf("supervised child has WATCHDOG_PID=%s", got[k])
					}
				case got[k] != v:
					t.Errorf("child has %s=%q (set: %v), want %q", k, got[k], has, v)
				}
			}
		})
	}
}

func TestModeSelection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		flags []string
		env   []string
		want  string
	}{
		{"default", nil, nil, "exec"},
		{"exec", []string{"--exec"}, nil, "exec"},
		{"supervise", []string{"--supervise"}, nil, "supervise"},
		{"kill timeout", []string{"--kill-timeout=1s"}, nil, "supervise"},
		{"KEEP_KILL_TIMEOUT", nil, []string{"KEEP_KILL_TIMEOUT=1s"}, "supervise"},
		{"subreaper", []string{"--subreaper"}, nil, "supervise"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := keepBare(t, tc.env, append([]string{"-v"}, tc.flags...), "child:proc")
			p := decodeProc(t, res)
			got := "neither"
			switch {
			case p.PID == res.PID:
				got = "exec"
			case p.PPID == res.PID:
				got = "supervise"
			}
			if got != tc.want {
				t.Errorf("keep %v: child pid %d ppid %d, keep's pid %d: %s, want %s", tc.flags, p.PID, p.PPID, res.PID, got, tc.want)
			}
			if said := "keep: " + tc.want + " " + testBin + " after "; !strings.Contains(res.Stderr, said) {
				t.Errorf("-v output lacks %q:\n%s", said, res.Stderr)
			}
		})
	}
	for _, tc := range []struct {
		flags []string
		say   string
	}{
		{[]string{"--exec", "--supervise"}, "--exec and --supervise exclude each other"},
		{[]string{"--exec", "--kill-timeout=1s"}, "--exec cannot be combined with --kill-timeout"},
		{[]string{"--exec", "--subreaper"}, "--exec cannot be combined with --subreaper"},
	} {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			t.Parallel()
			wantExit(t, keepBare(t, nil, tc.flags, "child:proc"), 125, tc.say, "keep run --help")
		})
	}
}

// launch is how to start keep with startKeep.
type launch struct {
	args  []string
	env   []string  // on top of baseEnv
	stdin io.Reader // default: none
	// endpoint points keep at a server (smfake.Server.Env); nil: moto.
	endpoint []string
}

// running is a keep started in a session of its own — so it has no
// controlling terminal, as under systemd or docker run without -t — that a
// test signals while it runs.
type running struct {
	t    *testing.T
	cmd  *exec.Cmd
	pid  int
	dir  string        // holds stdout and stderr
	log  string        // child:trap's log, if the child is child:trap
	done chan struct{} // closed when keep has been waited for
	// child is the child:trap process, from its "ready" line.
	child process
}

// startKeep starts keep and returns at once. Cleanup kills keep and the
// trap child if the test left them running.
func startKeep(t *testing.T, l launch) *running {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(keeptest.Bin(t), l.args...)
	endpoint := l.endpoint
	if endpoint == nil {
		endpoint = keeptest.Moto().Env()
	}
	cmd.Env = append(keeptest.BaseEnv(t, endpoint), l.env...)
	cmd.Dir = dir
	cmd.Stdin = l.stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	for _, out := range []struct {
		name string
		to   *io.Writer
	}{{"stdout", &cmd.Stdout}, {"stderr", &cmd.Stderr}} {
		f, err := os.Create(filepath.Join(dir, out.name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // keep has its own copy once started
		*out.to = f
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &running{t: t, cmd: cmd, pid: cmd.Process.Pid, dir: dir, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = cmd.Process.Kill()
			<-r.done
		}
		if r.child.alive() {
			_ = syscall.Kill(r.child.pid, syscall.SIGKILL)
		}
	})
	return r
}

// startTrap starts keep with flags on "child:trap LOG mode" and waits until
// the child is ready for signals.
func startTrap(t *testing.T, mode string, flags ...string) *running {
	t.Helper()
	log := filepath.Join(t.TempDir(), "signals.log")
	r := startKeep(t, launch{
		env:  []string{"GODEBUG=asyncpreemptoff=1"}, // no SIGURGs of the child's own runtime
		args: bare(t, flags, "child:trap", log, mode),
	})
	r.log = log
	r.waitSignals(0)
	return r
}

// signal sends sig to keep.
func (r *running) signal(sig syscall.Signal) {
	r.t.Helper()
	if err := syscall.Kill(r.pid, sig); err != nil {
		r.t.Fatalf("kill keep with %s: %v", unix.SignalName(sig), err)
	}
}

// readLog returns the signal names child:trap logged after its ready line,
// and whether that line is there.
func (r *running) readLog() (names []string, ready bool) {
	data, err := os.ReadFile(r.log)
	if err != nil {
		return nil, false
	}
	text := string(data)
	text = text[:strings.LastIndexByte(text, '\n')+1] // the last line may be half written
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		name, rest, _ := strings.Cut(line, " ")
		if name != "ready" {
			names = append(names, name)
			continue
		}
		if pid, err := strconv.Atoi(rest); err == nil && r.child.pid == 0 {
			r.child = processOf(pid)
		}
		ready = true
	}
	return names, ready
}

// signals returns the names of the signals the child caught so far.
func (r *running) signals() []string {
	names, _ := r.readLog()
	return names
}

// waitSignals waits until the child is ready and has caught n signals.
func (r *running) waitSignals(n int) {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		names, ready := r.readLog()
		if ready && len(names) >= n {
			return
		}
		select {
		case <-r.done:
			r.t.Fatalf("keep ended (%s) before its child caught %d signal(s): %v; stderr:\n%s",
				ending(r.cmd.ProcessState), n, names, r.read("stderr"))
		case <-deadline:
			r.t.Fatalf("the child has not caught %d signal(s) after 10s: ready %v, caught %v", n, ready, names)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// runsFor reports whether keep is still running after d.
func (r *running) runsFor(d time.Duration) bool {
	select {
	case <-r.done:
		return false
	case <-time.After(d):
		return true
	}
}

// wait waits for keep to end, at most 10s.
func (r *running) wait() result {
	r.t.Helper()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.t.Fatalf("keep still runs after 10s; stderr:\n%s", r.read("stderr"))
	}
	return result{Stdout: r.read("stdout"), Stderr: r.read("stderr"), PID: r.pid, State: r.cmd.ProcessState,
		Code: r.cmd.ProcessState.ExitCode()}
}

func (r *running) read(name string) string {
	data, _ := os.ReadFile(filepath.Join(r.dir, name))
	return string(data)
}

// process is a process known by its PID and start time, so that a reused
// PID is not taken for it.
type process struct {
	pid   int
	start string
}

func processOf(pid int) process {
	st, _ := readPstat(pid)
	return process{pid: pid, start: st.start}
}

// alive reports whether p runs: it exists and is not a zombie.
func (p process) alive() bool {
	if p.pid == 0 {
		return false
	}
	st, err := readPstat(p.pid)
	return err == nil && st.start == p.start && st.state != 'Z'
}

// BenchmarkSignalLatency measures how long a signal sent to a supervising
// keep takes to reach the child's handler, against the same signal sent to
// the child directly. Each iteration sends SIGUSR1 once each way and times
// it until child:signals prints the signal's name on its stdout, a pipe.
// It reports the p50 and p99 of both and the ratio of the p50s.
//
//	go test -run xxx -bench SignalLatency -benchtime 200x .
func BenchmarkSignalLatency(b *testing.B) {
	cmd := exec.Command(keeptest.Bin(b), "run", "--supervise", "--allow-empty", "--namespace=bench-signal-latency", "--env=test",
		"--", testBin, "child:signals")
	cmd.Env = append(keeptest.BaseEnv(b, keeptest.Moto().Env()), "GODEBUG=asyncpreemptoff=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Stderr = os.Stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // forwarded; the child exits 0
		_ = cmd.Wait()
	}()
	lines := bufio.NewReader(pipe)
	readLine := func() string {
		line, err := lines.ReadString('\n')
		if err != nil {
			b.Fatalf("read the child's output: %v", err)
		}
		return strings.TrimSuffix(line, "\n")
	}
	ready, ok := strings.CutPrefix(readLine(), "ready ")
	if !ok {
		b.Fatalf("the child did not start; keep: %v", cmd.Wait())
	}
	childPID, _ := strconv.Atoi(ready)

	latency := func(pid int) time.Duration {
		start := time.Now()
		if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
			b.Fatal(err)
		}
		if line := readLine(); line != "SIGUSR1" {
			b.Fatalf("the child printed %q, want SIGUSR1", line)
		}
		return time.Since(start)
	}
	viaKeep := make([]time.Duration, 0, b.N)
	direct := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		// Alternate, so that both see the same machine.
		viaKeep = append(viaKeep, latency(cmd.Process.Pid))
		direct = append(direct, latency(childPID))
	}
	b.StopTimer()

	p50, p99 := percentiles(viaKeep)
	d50, d99 := percentiles(direct)
	b.ReportMetric(0, "ns/op") // an op is two round trips: meaningless
	b.ReportMetric(micros(p50), "p50-µs")
	b.ReportMetric(micros(p99), "p99-µs")
	b.ReportMetric(micros(d50), "direct-p50-µs")
	b.ReportMetric(micros(d99), "direct-p99-µs")
	b.ReportMetric(float64(p50)/float64(d50), "p50-ratio")
}

// percentiles returns the 50th and 99th percentiles of ds (nearest rank).
func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p int) time.Duration { return s[(len(s)*p+99)/100-1] }
	return rank(50), rank(99)
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
