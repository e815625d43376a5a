//go:build linux

package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

// keep run --watch through the binary: rotations in moto (PutSecretValue,
// UpdateSecretVersionStage), faults in smfake. The child is child:watch,
// which logs each start with the value it got and each HUP with the
// file's content. Every wait is for an event, with a generous deadline;
// no test asserts a duration. Failure messages name lines, never values.

// watchChild is child:watch: see child.
func watchChild(log, name, file string) int {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM)
	value := os.Getenv(name)
	if name == "-" {
		data, _ := os.ReadFile(file)
		value = strings.TrimSpace(string(data))
	}
	appendLine(log, fmt.Sprintf("start %d %s", os.Getpid(), value))
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGTERM {
				appendLine(log, "term")
				if os.Getenv("CHILD_SLOW_EXIT") != "" {
					time.Sleep(time.Second) // a window for signals sent to keep meanwhile
				}
				return 0
			}
			data, _ := os.ReadFile(file)
			appendLine(log, "hup "+strings.TrimSpace(string(data)))
		case <-timeout:
			return 98
		}
	}
}

// watching is a keep run --watch under test.
type watching struct {
	*running
	childLog string
}

// startWatch starts keep run with flags on child:watch LOG VAR FILE.
func startWatch(t *testing.T, endpoint []string, ns string, flags []string, varName, file string) *watching {
	t.Helper()
	return startWatchEnv(t, endpoint, nil, ns, flags, varName, file)
}

// startWatchEnv is startWatch with env added to keep's environment.
func startWatchEnv(t *testing.T, endpoint, env []string, ns string, flags []string, varName, file string) *watching {
	t.Helper()
	log := filepath.Join(t.TempDir(), "child.log")
	args := append([]string{"run", "-v", "--namespace=" + ns, "--env=test"}, flags...)
	args = append(args, "--", testBin, "child:watch", log, varName, file)
	return &watching{running: startKeep(t, launch{args: args, endpoint: endpoint, env: env}), childLog: log}
}

// lines are the child's log lines so far (whole lines only).
func (w *watching) lines() []string {
	data, _ := os.ReadFile(w.childLog)
	text := string(data)
	text = text[:strings.LastIndexByte(text, '\n')+1]
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// starts are the values the child was started with, in order.
func (w *watching) starts() []string {
	var out []string
	for _, l := range w.lines() {
		if f := strings.SplitN(l, " ", 3); f[0] == "start" && len(f) == 3 {
			out = append(out, f[2])
		}
	}
	return out
}

// await waits until cond holds, or fails the test after a minute (the
// machine may be busy) saying what.
func (w *watching) await(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case <-w.done:
			w.t.Fatalf("keep ended (%s) before %s; child log has %d lines; stderr:\n%s", ending(w.cmd.ProcessState), what, len(w.lines()), w.read("stderr"))
		case <-deadline:
			w.t.Fatalf("not after a minute: %s; child log has %d lines; stderr:\n%s", what, len(w.lines()), w.read("stderr"))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// awaitStart waits for the child's n-th start and returns its value.
func (w *watching) awaitStart(n int) string {
	w.t.Helper()
	w.await(fmt.Sprintf("start #%d of the child", n), func() bool { return len(w.starts()) >= n })
	return w.starts()[n-1]
}

// stderrCount is how often s occurs in keep's stderr so far.
func (w *watching) stderrCount(s string) int { return strings.Count(w.read("stderr"), s) }

// awaitPolls waits for n more polls logged by -v.
func (w *watching) awaitPolls(n int) {
	w.t.Helper()
	target := w.stderrCount("watch: poll:") + n
	w.await(fmt.Sprintf("%d more polls", n), func() bool { return w.stderrCount("watch: poll:") >= target })
}

// stop ends keep with SIGTERM and returns how it ended.
func (w *watching) stop() result {
	w.t.Helper()
	w.signal(syscall.SIGTERM)
	res := w.wait()
	keeptest.AssertNoLeak(w.t, "stderr", res.Stderr)
	return res
}

func motoPut(t *testing.T, name, value string) {
	t.Helper()
	keeptest.Remember(value)
	if _, err := keeptest.Moto().Client().PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(value)}); err != nil {
		t.Fatal(err)
	}
}

// currentVersion is the VersionId moto labels AWSCURRENT on name.
func currentVersion(t *testing.T, name string) string {
	t.Helper()
	for id, stages := range describeIn(t, "us-east-1", name).VersionIdsToStages {
		for _, s := range stages {
			if s == "AWSCURRENT" {
				return id
			}
		}
	}
	t.Fatalf("%s has no AWSCURRENT version", name)
	return ""
}

func sameValue(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: the child got a value of %d bytes, not the expected one of %d bytes", what, len(got), len(want))
	}
}

// A rotation by PutSecretValue, then AWSCURRENT moved back by
// UpdateSecretVersionStage: the child is restarted each time, with the
// value that is current, after a SIGTERM to the old one.
func TestWatchRestartsOnRotation(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	name := ns + "/test/DB_PASSWORD"
	seed(t, secret(ns, "test", "DB_PASSWORD", "pw-first-value"))
	first := currentVersion(t, name)
	w := startWatch(t, nil, ns, []string{"--watch=200ms"}, "DB_PASSWORD", "")
	sameValue(t, "start", w.awaitStart(1), "pw-first-value")

	motoPut(t, name, "pw-second-value")
	sameValue(t, "after PutSecretValue", w.awaitStart(2), "pw-second-value")
	second := currentVersion(t, name)

	_, err := keeptest.Moto().Client().UpdateSecretVersionStage(context.Background(), &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: aws.String(first), RemoveFromVersionId: aws.String(second),
	})
	if err != nil {
		t.Fatal(err)
	}
	sameValue(t, "after UpdateSecretVersionStage", w.awaitStart(3), "pw-first-value")

	lines := w.lines()
	var terms int
	for _, l := range lines {
		terms += strings.Count(l, "term")
	}
	if terms != 2 {
		t.Errorf("the old children got %d SIGTERMs, want 2 (one each)", terms)
	}
	stderr := w.read("stderr")
	for _, want := range []string{"DB_PASSWORD (us-east-1) rotated " + first + " → " + second, "rotated " + second + " → " + first, "1 GetSecretValue"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if res := w.stop(); ending(res.State) != "exit 0" {
		t.Errorf("keep: %s after SIGTERM, want the child's exit 0", ending(res.State))
	}
}

// With --redact, the child a rotation restarts writes through a filter
// that masks the new value: neither value ever reaches keep's stdout.
func TestWatchRedactMasksTheRotatedValue(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	name := ns + "/test/DB_PASSWORD"
	seed(t, secret(ns, "test", "DB_PASSWORD", "pw-redacted-first"))
	r := startKeep(t, launch{args: []string{"run", "-v", "--namespace=" + ns, "--env=test", "--watch=200ms", "--redact",
		"--", "sh", "-c", `echo "start $DB_PASSWORD"; exec sleep 120`}})
	w := &watching{running: r}
	starts := func() int { return strings.Count(r.read("stdout"), "start ") }
	w.await("the first start", func() bool { return starts() >= 1 })
	motoPut(t, name, "pw-redacted-second")
	w.await("the restart after PutSecretValue", func() bool { return starts() >= 2 })
	res := w.stop()
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
	if got := strings.Count(res.Stdout, "start *****\n"); got != 2 {
		t.Errorf("stdout has %d masked start lines of %d, want 2", got, strings.Count(res.Stdout, "start "))
	}
}

// A placeholder whose KEY has '/' is refused at start when the secret is
// not the environment's (NotPlaced); one that appears while keep watches is
// refused as well: the child keeps what it has, and the poll says why.
func TestWatchTemplateNestedNotPlaced(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "test", "DB", "tmpl-first-value"))
	dir := t.TempDir()
	writeFile(t, dir, "t.env", "DB=db://{secretsmanager:DB}\nOTHER=x{secretsmanager:test/OTHER}\n")
	w := startWatch(t, nil, ns, []string{"--watch=200ms", "--missing=blank", "--template=" + filepath.Join(dir, "t.env")}, "DB", "")
	sameValue(t, "start", w.awaitStart(1), "db://tmpl-first-value")
	keeptest.Remember("foreign-nested-value")
	// Not tagged as Keep's at all: another tool's, or another vault's.
	if _, err := keeptest.Moto().Client().CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(ns + "/test/test/OTHER"), SecretString: aws.String("foreign-nested-value")}); err != nil {
		t.Fatal(err)
	}
	w.await("the poll's NotPlaced report", func() bool { return w.stderrCount("NotPlaced") > 0 })
	w.await("two more failed polls", func() bool { return w.stderrCount("failed again") >= 2 })
	if n := len(w.starts()); n != 1 {
		t.Errorf("the child was started %d times, want once: a secret not placed must not restart it", n)
	}
	w.stop()
}

// smfakeWatch is a fake with the secrets of ns/test, and fault (while
// set) the answer to every call of op.
func smfakeWatch(t *testing.T, ns, op string, fault *atomic.Pointer[smfake.Fault], keys ...string) *smfake.Server {
	srv := smfake.New()
	for _, k := range keys {
		srv.Put(fakeSecret(ns, "test", k, "value-of-"+strings.ToLower(k)))
		keeptest.Remember("value-of-" + strings.ToLower(k))
	}
	srv.Inject = func(called string, _ int) *smfake.Fault {
		if called == op {
			return fault.Load()
		}
		return nil
	}
	t.Cleanup(srv.Close)
	return srv
}

// Many polls without a change: no value is fetched, the child is not
// restarted, one DescribeSecret per secret per poll.
func TestWatchWithoutChangeFetchesNothing(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	var fault atomic.Pointer[smfake.Fault]
	srv := smfakeWatch(t, ns, "DescribeSecret", &fault, "A", "B", "C")
	w := startWatch(t, srv.Env(), ns, []string{"--watch=100ms"}, "A", "")
	w.awaitStart(1)
	batches := srv.Count("BatchGetSecretValue")
	w.awaitPolls(10)
	if n := srv.Count("GetSecretValue"); n != 0 {
		t.Errorf("%d GetSecretValue calls without a change", n)
	}
	if n := srv.Count("BatchGetSecretValue"); n != batches {
		t.Errorf("%d BatchGetSecretValue calls while watching", n-batches)
	}
	if n := len(w.starts()); n != 1 {
		t.Errorf("the child started %d times without a change", n)
	}
	polls := w.stderrCount("watch: poll:")
	if d, l := srv.Count("DescribeSecret"), srv.Count("ListSecrets"); d < 3*polls || d > 3*polls+3 {
		t.Errorf("%d DescribeSecret (and %d ListSecrets) for %d polls of 3 secrets", d, l, polls)
	}
	w.stop()
}

// Throttling, then 5xx, while watching: the child keeps running, each
// streak is reported once, and so is the recovery; a rotation after it is
// applied.
func TestWatchFailingPollsKeepTheChild(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	var fault atomic.Pointer[smfake.Fault]
	srv := smfakeWatch(t, ns, "DescribeSecret", &fault, "A")
	w := startWatch(t, srv.Env(), ns, []string{"--watch=100ms"}, "A", "")
	w.awaitStart(1)
	for _, f := range []*smfake.Fault{
		{Code: "ThrottlingException", Message: "Rate exceeded"},
		{Status: 503, Code: "InternalServiceError", Message: "try later"},
	} {
		recovered := w.stderrCount("recovered")
		fault.Store(f)
		w.await("a report of "+f.Code, func() bool { return w.stderrCount(f.Code) >= 1 })
		again := w.stderrCount("failed again")
		w.await("3 more failed polls", func() bool { return w.stderrCount("failed again") >= again+3 })
		if n := w.stderrCount("keep: watch: DescribeSecret"); n != 1+recovered {
			t.Errorf("%s: %d failure reports on stderr after several failed polls, want one per streak", f.Code, n-recovered)
		}
		fault.Store(nil)
		w.await("the recovery", func() bool { return w.stderrCount("recovered") == recovered+1 })
		if n := len(w.starts()); n != 1 {
			t.Fatalf("%s: the child started %d times", f.Code, n)
		}
	}
	w.awaitPolls(3)
	if n := w.stderrCount("recovered"); n != 2 {
		t.Errorf("%d recovery reports for 2 streaks", n)
	}
	srv.Put(smfake.Secret{Name: ns + "/test/A", Value: "value-of-a-rotated", Tags: keeptest.Tags(ns, "test", "secretsmanager"),
		Versions: []smfake.Version{{Value: "value-of-a"}}})
	keeptest.Remember("value-of-a-rotated")
	sameValue(t, "after recovery", w.awaitStart(2), "value-of-a-rotated")
	w.stop()
}

// A rotated secret whose new version cannot be read leaves the child
// running with the old environment; the failure is reported once, and
// the change is applied once the read works.
func TestWatchUnreadableChangeKeepsTheOldEnvironment(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	var fault atomic.Pointer[smfake.Fault]
	fault.Store(&smfake.Fault{Code: "AccessDeniedException", Message: "not allowed to read this version"})
	srv := smfakeWatch(t, ns, "GetSecretValue", &fault, "A")
	w := startWatch(t, srv.Env(), ns, []string{"--watch=100ms"}, "A", "")
	sameValue(t, "start", w.awaitStart(1), "value-of-a")
	srv.Put(smfake.Secret{Name: ns + "/test/A", Value: "value-of-a-unreadable", Tags: keeptest.Tags(ns, "test", "secretsmanager"),
		Versions: []smfake.Version{{Value: "value-of-a"}}})
	keeptest.Remember("value-of-a-unreadable")
	w.await("3 failed reads", func() bool { return srv.Count("GetSecretValue") >= 3 })
	if n := len(w.starts()); n != 1 {
		t.Fatalf("the child started %d times while the new version could not be read", n)
	}
	if n := w.stderrCount("keep: watch: fetch the new version"); n != 1 {
		t.Errorf("the failure reported %d times, want once", n)
	}
	fault.Store(nil)
	sameValue(t, "after the fault", w.awaitStart(2), "value-of-a-unreadable")
	if n := w.stderrCount("recovered"); n != 1 {
		t.Errorf("%d recovery reports, want 1", n)
	}
	w.stop()
}

// --on-change=exit: keep stops the child and exits 75.
func TestWatchExit(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "test", "TOKEN", "token-first-value"))
	w := startWatch(t, nil, ns, []string{"--watch=200ms", "--on-change=exit"}, "TOKEN", "")
	w.awaitStart(1)
	motoPut(t, ns+"/test/TOKEN", "token-second-value")
	res := w.wait()
	if res.Code != 75 {
		t.Errorf("keep exited %s, want 75; stderr:\n%s", ending(res.State), res.Stderr)
	}
	if l := w.lines(); len(l) != 2 || l[1] != "term" {
		t.Errorf("child log %d lines, want start then term", len(l))
	}
	keeptest.AssertNoLeak(t, "stderr", res.Stderr)
}

// List mode: a secret added to the environment is found by the discovery
// pass; one deleted is dropped at the next poll.
func TestWatchListModeAddsAndRemoves(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "test", "KEEPER", "keeper-value"), secret(ns, "test", "DOOMED", "doomed-value"))
	w := startWatch(t, nil, ns, []string{"--watch=200ms"}, "LATE", "")
	sameValue(t, "start", w.awaitStart(1), "")
	seed(t, secret(ns, "test", "LATE", "late-value-here"))
	sameValue(t, "after the new secret", w.awaitStart(2), "late-value-here")
	if _, err := keeptest.Moto().Client().DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(ns + "/test/DOOMED"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	w.awaitStart(3)
	stderr := w.read("stderr")
	for _, want := range []string{"LATE (us-east-1) added", "DOOMED (us-east-1) removed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	w.stop()
}

// signal:HUP in file mode: the file holds the old or the new content at
// every instant, the child gets one HUP per change, and with
// NOTIFY_SOCKET set keep sends RELOADING=1 then READY=1.
func TestWatchSignalRerendersTheFile(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "test", "API", "api-first-value"))
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "t.env")
	out := filepath.Join(dir, "out.env")
	writeFile(t, dir, "t.env", "API={secretsmanager:API}\n")
	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	log := filepath.Join(t.TempDir(), "child.log")
	args := []string{"run", "-v", "--namespace=" + ns, "--env=test", "--watch=200ms", "--on-change=signal:HUP",
		"--template=" + tmpl, "--output=" + out, "--", testBin, "child:watch", log, "-", out}
	w := &watching{running: startKeep(t, launch{args: args, env: []string{"NOTIFY_SOCKET=" + sock}}), childLog: log}
	sameValue(t, "start", w.awaitStart(1), `API='api-first-value'`)

	// Read the file as fast as possible while the rotation happens.
	var bad, reads atomic.Int64
	stopReading := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stopReading:
				return
			default:
			}
			data, err := os.ReadFile(out)
			if s := string(data); err != nil || s != "API='api-first-value'\n" && s != "API='api-second-value'\n" {
				bad.Add(1)
			}
			reads.Add(1)
		}
	}()
	motoPut(t, ns+"/test/API", "api-second-value")
	w.await("the HUP", func() bool { return strings.Contains(strings.Join(w.lines(), "\n"), `hup API='api-second-value'`) })
	w.awaitPolls(5)
	close(stopReading)
	<-readerDone
	if bad.Load() > 0 {
		t.Errorf("%d of %d reads saw neither the old nor the new file", bad.Load(), reads.Load())
	}
	var hups int
	for _, l := range w.lines() {
		if strings.HasPrefix(l, "hup") {
			hups++
		}
	}
	if hups != 1 || len(w.starts()) != 1 {
		t.Errorf("%d HUPs and %d starts for one change, want 1 and 1", hups, len(w.starts()))
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the re-rendered file: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	var got []string
	buf := make([]byte, 256)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for len(got) < 2 {
		n, err := conn.Read(buf)
		if err != nil {
			break
		}
		got = append(got, strings.SplitN(string(buf[:n]), "\n", 2)[0])
	}
	if strings.Join(got, ",") != "RELOADING=1,READY=1" {
		t.Errorf("sd_notify messages %q, want RELOADING=1 then READY=1", got)
	}
	w.stop()
	wantGone(t, out)
}

// --splay waits up to that long after a change before acting.
func TestWatchSplay(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "test", "S", "splay-first-value"))
	w := startWatch(t, nil, ns, []string{"--watch=200ms", "--splay=300ms"}, "S", "")
	w.awaitStart(1)
	motoPut(t, ns+"/test/S", "splay-second-value")
	sameValue(t, "after the change", w.awaitStart(2), "splay-second-value")
	stderr := w.read("stderr")
	i := strings.Index(stderr, "(--splay)")
	if i < 0 {
		t.Fatalf("no splay logged:\n%s", stderr)
	}
	line := stderr[strings.LastIndexByte(stderr[:i], '\n')+1 : i]
	f := strings.Fields(line)
	d, err := time.ParseDuration(f[len(f)-1])
	if err != nil || d < 0 || d >= 300*time.Millisecond {
		t.Errorf("splay %q, want a wait in [0, 300ms)", line)
	}
	w.stop()
}

func TestWatchFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flags []string
		say   string
	}{
		{[]string{"--watch", "--on-change=signal:HUP"}, "cannot give new secrets to a running command"},
		{[]string{"--on-change=exit"}, "--on-change needs --watch"},
		{[]string{"--watch", "--on-change=bounce"}, "unknown action"},
		{[]string{"--watch", "--on-change=signal:NOPE", "--template=x", "--output=y"}, "unknown signal"},
		{[]string{"--watch=soon"}, "positive duration"},
		{[]string{"--watch", "--exec"}, "--exec cannot be combined with --watch"},
		{[]string{"--watch", "--redact", "--on-change=signal:HUP", "--template=x", "--output=y"}, "would read rotated values and print them unmasked"},
		{[]string{"--watch", "--redact", "--on-change=none", "--template=x", "--output=y"}, "would read rotated values and print them unmasked"},
	} {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			t.Parallel()
			wantExit(t, keepBare(t, nil, tc.flags, "child:exit", "0"), 125, tc.say)
		})
	}
}

// A TERM sent to keep while a restart waits for the old child is a
// request to stop, not lost in the restart: no new child starts, and keep
// ends as the old one did.
func TestWatchTermDuringRestartStops(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "test", "H", "held-first-value"))
	w := startWatchEnv(t, nil, []string{"CHILD_SLOW_EXIT=1"}, ns, []string{"--watch=200ms"}, "H", "")
	w.awaitStart(1)
	motoPut(t, ns+"/test/H", "held-second-value")
	w.await("the old child's SIGTERM", func() bool { return slices.Contains(w.lines(), "term") })
	res := w.stop() // the old child sleeps a second before it exits
	if ending(res.State) != "exit 0" || len(w.starts()) != 1 {
		t.Errorf("keep: %s with %d starts, want the old child's exit 0 and no new start; stderr:\n%s", ending(res.State), len(w.starts()), res.Stderr)
	}
}

// The child's own end wins: keep exits with its status while watching.
// KEEP_WATCH sets the interval as --watch=INTERVAL does.
func TestWatchChildExitWins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env, flags []string
		interval   string
	}{
		{nil, []string{"-v", "--watch=150ms"}, "every 150ms"},
		{[]string{"KEEP_WATCH=250ms"}, []string{"-v"}, "every 250ms"},
		{[]string{"KEEP_WATCH=true"}, []string{"-v"}, "every 1m0s"},
		{nil, []string{"-v", "--watch"}, "every 1m0s"},
	} {
		res := keepBare(t, tc.env, tc.flags, "child:exit", "7")
		if ending(res.State) != "exit 7" || !strings.Contains(res.Stderr, tc.interval) {
			t.Errorf("keep %v %v: %s, want the child's exit 7 and %q in stderr:\n%s", tc.env, tc.flags, ending(res.State), tc.interval, res.Stderr)
		}
	}
}

// BenchmarkWatch measures a watch against smfake, for 15 and 200 secrets
// polled every 200ms: the API calls per poll (DescribeSecret per secret,
// plus ListSecrets on every 5th poll), the values read by a poll that finds
// no change (none), against a naive watch that re-reads everything each
// poll (ListSecrets pages plus BatchGetSecretValue chunks, every value);
// and the detection latency, from a rotation (a new AWSCURRENT version in
// the fake) to the restarted child's first line, per op.
//
//	go test -run xxx -bench Watch -benchtime 10x ./e2e
func BenchmarkWatch(b *testing.B) {
	for _, n := range []int{15, 200} {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) { benchWatch(b, n) })
	}
}

func benchWatch(b *testing.B, n int) {
	ns := fmt.Sprintf("benchwatch-%d-%d", n, time.Now().UnixNano()%1e6)
	srv := smfake.New()
	defer srv.Close()
	for i := range n {
		srv.Put(fakeSecret(ns, "test", fmt.Sprintf("K%03d", i), fmt.Sprintf("value-%03d-v1", i)))
	}
	dir := b.TempDir()
	log := filepath.Join(dir, "child.log")
	cmd := exec.Command(keeptest.Bin(b), "run", "-v", "--namespace="+ns, "--env=test", "--watch=200ms", "--", testBin, "child:watch", log, "K000", "")
	cmd.Env = keeptest.BaseEnv(b, srv.Env())
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		b.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	count := func(file, s string) int {
		data, _ := os.ReadFile(file)
		return strings.Count(string(data), s)
	}
	await := func(what string, cond func() bool) {
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				b.Fatalf("not after 30s: %s", what)
			}
			time.Sleep(time.Millisecond)
		}
	}
	starts := func() int { return count(log, "start ") }
	polls := func() int { return count(filepath.Join(dir, "stderr"), "watch: poll:") }
	await("the first start", func() bool { return starts() == 1 })

	// Calls per poll, over 10 polls without a change.
	p0, calls0, values0 := polls(), srv.Count("DescribeSecret")+srv.Count("ListSecrets"), srv.Count("GetSecretValue")+srv.Count("BatchGetSecretValue")
	await("10 polls", func() bool { return polls() >= p0+10 })
	p1, calls1, values1 := polls(), srv.Count("DescribeSecret")+srv.Count("ListSecrets"), srv.Count("GetSecretValue")+srv.Count("BatchGetSecretValue")
	callsPerPoll := float64(calls1-calls0) / float64(p1-p0)
	naive := float64((n+99)/100 + (n+19)/20)

	b.ResetTimer()
	var latencies []time.Duration
	for i := range b.N {
		want := starts() + 1
		srv.Put(smfake.Secret{Name: ns + "/test/K000", Value: fmt.Sprintf("value-000-v%d", i+2), Tags: keeptest.Tags(ns, "test", "secretsmanager"),
			Versions: make([]smfake.Version, i+1)})
		began := time.Now()
		await("the restart", func() bool { return starts() >= want })
		latencies = append(latencies, time.Since(began))
	}
	b.StopTimer()
	p50, p99 := percentiles(latencies)
	b.ReportMetric(callsPerPoll, "calls/poll")
	b.ReportMetric(naive, "naive-calls/poll")
	b.ReportMetric(float64(values1-values0)/float64(p1-p0), "value-reads/poll")
	b.ReportMetric(float64(n), "naive-values/poll")
	b.ReportMetric(float64(p50.Milliseconds()), "p50-detect-ms")
	b.ReportMetric(float64(p99.Milliseconds()), "p99-detect-ms")
}

// Template env mode: the command gets the template's variables, and is
// restarted with the rotated one; a placeholder's secret created later is
// picked up too (--missing=blank).
func TestWatchTemplateEnvMode(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "test", "DB", "tmpl-first-value"))
	dir := t.TempDir()
	writeFile(t, dir, "t.env", "DB_URL=db://{secretsmanager:DB}\nLATER={secretsmanager:LATER}\n")
	w := startWatch(t, nil, ns, []string{"--watch=200ms", "--missing=blank", "--template=" + filepath.Join(dir, "t.env")}, "DB_URL", "")
	sameValue(t, "start", w.awaitStart(1), "db://tmpl-first-value")
	motoPut(t, ns+"/test/DB", "tmpl-second-value")
	sameValue(t, "after the rotation", w.awaitStart(2), "db://tmpl-second-value")
	seed(t, secret(ns, "test", "LATER", "later-value-here"))
	w.awaitStart(3)
	if !strings.Contains(w.read("stderr"), "LATER (us-east-1) added") {
		t.Error("stderr does not report LATER added")
	}
	w.stop()
}
