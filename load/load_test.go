//go:build linux

// Package load holds keep's load tests (issue 8): a thundering herd of
// `keep run` processes against a fake that throttles like Secrets Manager,
// and soaks that look for leaked goroutines, files and processes. It has
// test files only; the tests build the keep binary with internal/keeptest.
//
//	go test ./load                # reduced: 30-process herd, 100-run soak (CI)
//	go test ./load -short         # the same
//	go test ./load -long -v       # issue 8's figures: 200-process herd, 2,000-run soaks
//
// See docs/reliability.md ("Load", "Soak") for the figures and how to
// read them. Linux only: the soak counts /proc entries.
package load

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

var (
	longFlag  = flag.Bool("long", false, "run the full herd (200 processes) and soaks (2,000 runs) of issue 8")
	herdFlag  = flag.Int("herd", 0, "processes in the herd (default 30, 200 with -long)")
	rateFlag  = flag.Float64("rate", 0, "requests per second the fake admits (default: herd size ÷ 2, i.e. 100 for 200)")
	soakFlag  = flag.Int("soak", 0, "keep runs in the process soak and List calls in the in-process soak (default 100 and 300; 2,000 each with -long)")
	keepEnv   = flag.String("keepenv", "", "extra environment for the herd's keep processes, comma-separated (e.g. AWS_MAX_ATTEMPTS=3), for comparisons")
	timeoutFl = flag.Duration("keeptimeout", 30*time.Second, "keep run --timeout in the herd")
)

// testBin is this test binary: the child that checks its environment.
var testBin = keeptest.Self()

// childVerify is the argument that makes this test binary the herd's
// child: it checks that its environment holds every herd secret, byte for
// byte, prints "ok" and exits 0 — or names what is wrong on stderr and
// exits exitPartial.
const (
	childVerify = "child:verify"
	exitPartial = 99
)

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == childVerify {
		os.Exit(verifyEnv())
	}
	os.Exit(keeptest.Main(m, keeptest.Options{}))
}

// The herd's secrets: five keys of namespace load, env production, with
// values that are easy to get subtly wrong (spaces, quotes, =, UTF-8).
var (
	ns       = "load"
	env      = "production"
	herdKeys = []string{"API_KEY", "DB_PASSWORD", "JWT_SECRET", "REDIS_URL", "SMTP_PASSWORD"}
)

func herdValue(key string) string {
	return fmt.Sprintf("load-sentinel %s = 'ü' \"%d\" $HOME", key, len(key))
}

func verifyEnv() int {
	var bad []string
	for _, k := range herdKeys {
		v, ok := os.LookupEnv(k)
		switch {
		case !ok:
			bad = append(bad, k+" missing")
		case v != herdValue(k):
			bad = append(bad, k+" wrong")
		}
	}
	if len(bad) > 0 {
		fmt.Fprintf(os.Stderr, "PARTIAL DATA: %s\n", strings.Join(bad, ", "))
		return exitPartial
	}
	fmt.Println("ok")
	return 0
}

// newFake is a fake holding the herd's secrets, plus look-alikes that the
// exact tag check must leave out (production-eu, namespace load2): a wrong
// one in the child's environment would fail verifyEnv.
func newFake() *smfake.Server {
	srv := smfake.New()
	for _, k := range herdKeys {
		srv.Put(smfake.Secret{Name: ns + "/" + env + "/" + k, Value: herdValue(k), Tags: keeptest.Tags(ns, env, "secretsmanager")})
		srv.Put(smfake.Secret{Name: ns + "/" + env + "-eu/" + k, Value: "eu-" + k, Tags: keeptest.Tags(ns, env+"-eu", "secretsmanager")})
		srv.Put(smfake.Secret{Name: ns + "2/" + env + "/" + k, Value: "load2-" + k, Tags: keeptest.Tags(ns+"2", env, "secretsmanager")})
	}
	return srv
}

// keepEnviron is the environment keep runs with: the fake, a PATH, a HOME
// and TMPDIR of their own, nothing from the developer's machine.
func keepEnviron(srv *smfake.Server, home string) []string {
	return append(srv.Env(), "PATH="+os.Getenv("PATH"), "HOME="+home, "TMPDIR="+home, keeptest.NoExitSleep)
}

func long() bool { return *longFlag && !testing.Short() }

func pick(flagValue, short, full int) int {
	switch {
	case flagValue > 0:
		return flagValue
	case long():
		return full
	}
	return short
}

// bucket is a token bucket in front of the fake: a request that finds it
// empty is answered 400 ThrottlingException "Rate exceeded", as Secrets
// Manager answers one over its per-second quota. A refused request costs no
// token.
type bucket struct {
	mu       sync.Mutex
	rate     float64 // tokens added per second
	burst    float64 // capacity
	tokens   float64
	last     time.Time
	admitted int
	refused  int
}

func newBucket(rate float64) *bucket {
	burst := max(1, rate/10) // a tenth of a second's worth
	return &bucket{rate: rate, burst: burst, tokens: burst, last: time.Now()}
}

func (b *bucket) inject(string, int) *smfake.Fault {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		b.admitted++
		return nil
	}
	b.refused++
	return &smfake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"}
}

func (b *bucket) counts() (admitted, refused int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.admitted, b.refused
}

// stamp is a writer that remembers when it was first written to: the
// moment the child's "ok" reached the test.
type stamp struct {
	mu  sync.Mutex
	at  time.Time
	buf bytes.Buffer
}

func (s *stamp) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.at.IsZero() {
		s.at = time.Now()
	}
	return s.buf.Write(p)
}

func (s *stamp) get() (time.Time, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.at, s.buf.String()
}

// outcome is one process of the herd.
type outcome struct {
	code    int           // exit status; -1 when the guard killed it
	start   time.Duration // spawn → the child's first output; 0 if none
	total   time.Duration // spawn → exit
	stdout  string
	stderr  string
	guarded bool // killed by the test's guard: keep hung past --timeout
}

// TestChildDetectsPartialData checks the detector the herd relies on: the
// child, started without the secrets or with one wrong, fails visibly.
func TestChildDetectsPartialData(t *testing.T) {
	for name, environ := range map[string][]string{
		"none":      {"PATH=" + os.Getenv("PATH")},
		"one wrong": append(allSecretsEnv(), "DB_PASSWORD=not-the-value"),
		"one short": allSecretsEnv()[1:],
	} {
		cmd := exec.Command(testBin, childVerify)
		cmd.Env = append(environ, keeptest.NoExitSleep)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitPartial || !strings.Contains(string(out), "PARTIAL DATA") {
			t.Errorf("%s: child exited %v, want %d and PARTIAL DATA:\n%s", name, err, exitPartial, out)
		}
	}
	cmd := exec.Command(testBin, childVerify)
	cmd.Env = append(allSecretsEnv(), keeptest.NoExitSleep)
	if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("all secrets: child exited %v:\n%s", err, out)
	}
}

func allSecretsEnv() []string {
	var e []string
	for _, k := range herdKeys {
		e = append(e, k+"="+herdValue(k))
	}
	return e
}

// TestHerd starts N keep run processes at once against a fake that admits
// R requests a second (R = N/2 by default: 100/s for 200 processes, so the
// herd needs about 4 s of the fake's capacity whatever N is), each with a
// child that checks its five secrets. Every process must start its child
// with every secret within --timeout; none may hang, and no child may
// start with partial data.
func TestHerd(t *testing.T) {
	n := pick(*herdFlag, 30, 200)
	rate := *rateFlag
	if rate <= 0 {
		rate = float64(n) / 2
	}
	keepTimeout := *timeoutFl

	srv := newFake()
	defer srv.Close()
	srv.Latency = 10 * time.Millisecond // a LAN round trip, not zero
	b := newBucket(rate)
	srv.Inject = b.inject
	home := t.TempDir()
	environ := keepEnviron(srv, home)
	if *keepEnv != "" {
		environ = append(environ, strings.Split(*keepEnv, ",")...)
	}

	// The guard: keep's own --timeout must end every process; this only
	// catches one that hangs past it.
	ctx, cancel := context.WithTimeout(t.Context(), keepTimeout+30*time.Second)
	defer cancel()

	keepBin := keeptest.Bin(t)
	outcomes := make([]outcome, n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			cmd := exec.CommandContext(ctx, keepBin, "run", "--namespace="+ns, "--env="+env,
				"--timeout="+keepTimeout.String(), "--", testBin, childVerify)
			cmd.Env = environ
			cmd.Dir = home
			out := &stamp{}
			var errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = out, &errb
			cmd.WaitDelay = 5 * time.Second
			ready.Done()
			<-gate
			spawned := time.Now()
			err := cmd.Run()
			o := outcome{total: time.Since(spawned), stderr: errb.String()}
			at, stdout := out.get()
			o.stdout = stdout
			if !at.IsZero() {
				o.start = at.Sub(spawned)
			}
			var ee *exec.ExitError
			switch {
			case err == nil:
			case ctx.Err() != nil:
				o.code, o.guarded = -1, true
			case errors.As(err, &ee):
				o.code = ee.ExitCode()
			default:
				o.code, o.stderr = -1, "spawn: "+err.Error()
			}
			outcomes[i] = o
		}()
	}
	ready.Wait()
	began := time.Now()
	close(gate)
	done.Wait()
	wall := time.Since(began)

	var (
		ok      []time.Duration
		failed  = map[string]int{}
		partial int
		hung    int
		slowest time.Duration
	)
	for i, o := range outcomes {
		slowest = max(slowest, o.total)
		if strings.Contains(o.stderr, "load-sentinel") {
			t.Errorf("process %d: stderr holds a secret value", i)
		}
		switch {
		case o.guarded:
			hung++
			t.Errorf("process %d hung: still running %s after spawn with --timeout=%s", i, o.total.Round(time.Millisecond), keepTimeout)
		case o.code == exitPartial:
			partial++
			t.Errorf("process %d: the child started with partial data: %s", i, strings.TrimSpace(o.stderr))
		case o.code == 0 && strings.TrimSpace(o.stdout) == "ok":
			ok = append(ok, o.start)
		case o.code == 0:
			t.Errorf("process %d exited 0 without the child's ok: stdout %q, stderr %q", i, o.stdout, o.stderr)
		default:
			if o.stdout != "" {
				t.Errorf("process %d failed (exit %d) yet the child wrote %q", i, o.code, o.stdout)
			}
			failed[firstLine(o.stderr)]++
		}
	}
	admitted, refused := b.counts()
	t.Logf("herd: %d processes, fake admits %.0f req/s (burst %.0f), latency %s, keep --timeout=%s, extra env %q",
		n, rate, b.burst, srv.Latency, keepTimeout, *keepEnv)
	t.Logf("herd: %d/%d started their child with all %d secrets; %d failed, %d hung, %d partial", len(ok), n, len(herdKeys), n-len(ok)-hung-partial, hung, partial)
	if len(ok) > 0 {
		t.Logf("herd: start latency (spawn → child running) p50 %s, p90 %s, p99 %s, max %s; last process exited after %s; herd took %s",
			pct(ok, 50), pct(ok, 90), pct(ok, 99), pct(ok, 100), slowest.Round(time.Millisecond), wall.Round(time.Millisecond))
	}
	t.Logf("herd: fake: %d requests admitted, %d throttled (%.1f per process); ListSecrets %d, BatchGetSecretValue %d; %d connections, at most %d in flight",
		admitted, refused, float64(refused)/float64(n), srv.Count("ListSecrets"), srv.Count("BatchGetSecretValue"), srv.Conns(), srv.MaxInFlight())
	for msg, c := range failed {
		t.Logf("herd: %d× %s", c, msg)
	}
	if len(ok) != n {
		t.Errorf("%d of %d processes did not start their child (see above)", n-len(ok), n)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "(no message)"
	}
	return s
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100].Round(time.Millisecond)
}

// procCounts is what the soaks compare before and after.
type procCounts struct {
	fds, threads, goroutines, children, zombies int
}

func (c procCounts) String() string {
	return fmt.Sprintf("%d open fds, %d threads, %d goroutines, %d child processes (%d zombies)",
		c.fds, c.threads, c.goroutines, c.children, c.zombies)
}

func count(t *testing.T) procCounts {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	c := procCounts{fds: len(fds) - 1, threads: len(tasks), goroutines: runtime.NumGoroutine()} // -1: ReadDir's own fd
	procs, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	self := os.Getpid()
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		ppid, state, ok := stat(pid)
		if ok && ppid == self {
			c.children++
			if state == "Z" {
				c.zombies++
			}
		}
	}
	return c
}

// stat reads the parent and state of pid from /proc/<pid>/stat.
func stat(pid int) (ppid int, state string, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	// pid (comm) state ppid …; comm may hold spaces and parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, "", false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(f[1])
	return ppid, f[0], err == nil
}

// settle waits until the counts are no higher than before (the fake's side
// of a connection closes a moment after keep exits), or 5 s.
func settle(t *testing.T, before procCounts) procCounts {
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := count(t)
		if (c.fds <= before.fds && c.goroutines <= before.goroutines && c.children == 0) || time.Now().After(deadline) {
			return c
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSoakProcesses runs keep run -- true N times one after the other,
// alternately exec'ing and supervising true, and compares the test
// process's open files, threads, goroutines and child processes before and
// after: nothing may be left over but what a Go process keeps (threads).
func TestSoakProcesses(t *testing.T) {
	n := pick(*soakFlag, 100, 2000)
	srv := newFake()
	defer srv.Close()
	home := t.TempDir()
	environ := keepEnviron(srv, home)
	keepBin := keeptest.Bin(t)
	run := func(i int) {
		args := []string{"run", "--namespace=" + ns, "--env=" + env, "--timeout=10s"}
		if i%2 == 1 {
			args = append(args, "--supervise")
		}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, keepBin, append(args, "--", "true")...)
		cmd.Env, cmd.Dir = environ, home
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, out)
		}
	}
	for i := range 10 { // warm up: the fake's and os/exec's lazy state
		run(i)
	}
	before := settle(t, count(t))
	calls0, conns0 := len(srv.Calls()), srv.Conns()
	began := time.Now()
	for i := range n {
		run(i)
	}
	took := time.Since(began)
	after := settle(t, before)
	calls, conns := len(srv.Calls())-calls0, srv.Conns()-conns0
	t.Logf("soak: %d runs of keep run -- true (half --supervise) in %s, %s a run; %.1f requests and %.1f connections a run",
		n, took.Round(time.Millisecond), (took / time.Duration(n)).Round(100*time.Microsecond), float64(calls)/float64(n), float64(conns)/float64(n))
	t.Logf("soak: before: %s", before)
	t.Logf("soak: after:  %s", after)
	if after.fds > before.fds {
		t.Errorf("open fds grew from %d to %d", before.fds, after.fds)
	}
	if after.goroutines > before.goroutines {
		t.Errorf("goroutines grew from %d to %d", before.goroutines, after.goroutines)
	}
	if after.children != 0 || after.zombies != 0 {
		t.Errorf("%d child processes (%d zombies) left", after.children, after.zombies)
	}
	// A Go process does not give threads back; a leak would grow with n.
	if after.threads > before.threads+runtime.GOMAXPROCS(0)+4 {
		t.Errorf("threads grew from %d to %d", before.threads, after.threads)
	}
	if left, _ := os.ReadDir(home); len(left) > 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("keep left files in HOME/TMPDIR: %v", names)
	}
}

// TestSoakFetcher makes N fetch.Fetcher.List calls in this process on one
// client built by fetch.NewClient — keep's own client, retryer and
// timeouts — and checks that no goroutine outlives them. Every 10th request
// the fake answers 503 (so retries and the speculative batch's fallback
// run), and every 25th List runs out of time while in flight.
func TestSoakFetcher(t *testing.T) {
	n := pick(*soakFlag, 300, 2000)
	srv := newFake()
	defer srv.Close()
	srv.Latency = time.Millisecond
	var mu sync.Mutex
	requests := 0
	srv.Inject = func(string, int) *smfake.Fault {
		mu.Lock()
		defer mu.Unlock()
		requests++
		if requests%10 == 0 {
			return &smfake.Fault{Status: 503, Code: "ServiceUnavailable", Message: "Service Unavailable"}
		}
		return nil
	}
	// keep's client, as keep run builds it: none of the developer's AWS
	// settings.
	for _, kv := range append(srv.Env(), "AWS_PROFILE=", "AWS_MAX_ATTEMPTS=", "AWS_RETRY_MODE=") {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	client, region, err := fetch.NewClient(t.Context(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	f := &fetch.Fetcher{API: client, Region: region}
	target := fetch.Target{Namespace: ns, Env: env}
	list := func(i int) error {
		timeout := 10 * time.Second
		if i%25 == 24 {
			timeout = time.Millisecond // in flight: the fake takes 1 ms a request
		}
		ctx, cancel := context.WithTimeout(t.Context(), timeout)
		defer cancel()
		res, err := f.List(ctx, target, nil)
		if err != nil {
			return err
		}
		if len(res.Secrets) != len(herdKeys) {
			t.Fatalf("List %d: %d secrets, want %d", i, len(res.Secrets), len(herdKeys))
		}
		for _, s := range res.Secrets {
			if s.Value != herdValue(s.Key) {
				t.Fatalf("List %d: wrong value for %s", i, s.Key)
			}
		}
		return nil
	}
	for i := range 20 {
		_ = list(i)
	}
	base := goroutines()
	before := settle(t, count(t))
	began := time.Now()
	var timedOut, otherErr int
	for i := range n {
		err := list(i)
		switch {
		case err == nil:
		case errors.Is(err, context.DeadlineExceeded):
			timedOut++
		default:
			otherErr++
			t.Errorf("List %d: %v", i, err)
		}
	}
	took := time.Since(began)
	after := settle(t, before)
	t.Logf("fetcher soak: %d List calls in %s (%d ran out of time on purpose, %d other errors); %d requests, %d connections",
		n, took.Round(time.Millisecond), timedOut, otherErr, len(srv.Calls()), srv.Conns())
	t.Logf("fetcher soak: before: %s", before)
	t.Logf("fetcher soak: after:  %s", after)
	if after.goroutines > before.goroutines {
		t.Errorf("goroutines grew from %d to %d; new since the start:\n%s", before.goroutines, after.goroutines, diff(base, goroutines()))
	}
	if after.fds > before.fds {
		t.Errorf("open fds grew from %d to %d", before.fds, after.fds)
	}
	if timedOut == 0 {
		t.Errorf("no List ran out of time: the soak did not exercise the abort path")
	}
}

// goroutines counts the goroutines of this process by stack, without ids,
// states and argument values: the signature goleak would compare.
func goroutines() map[string]int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	sigs := map[string]int{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(g, "\n")
		if len(lines) < 2 {
			continue
		}
		var frames []string
		for _, l := range lines[1:] { // lines[0]: "goroutine 7 [chan receive, 3 minutes]:"
			if !strings.HasPrefix(l, "\t") {
				frames = append(frames, argsRe.ReplaceAllString(l, "(…)"))
			}
		}
		sigs[strings.Join(frames, " ← ")]++
	}
	return sigs
}

var argsRe = regexp.MustCompile(`\(.*\)$`)

// diff lists the stacks that have more goroutines now than in base.
func diff(base, now map[string]int) string {
	var out []string
	for sig, c := range now {
		if c > base[sig] {
			out = append(out, fmt.Sprintf("%d× %s", c-base[sig], sig))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
