//go:build linux

package e2e

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
)

// Secret hygiene through the real binary, with sentinel values (see
// hostile_test.go): no value on disk, none in a panic inside the fetch
// goroutines, and keep non-dumpable while it holds secrets.

// keep writes no value to disk except the file the user asked for, which
// it removes on exit: nothing in HOME, TMPDIR or the working directory
// holds a sentinel after successful and failed runs.
func TestNoValueOnDisk(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", sentinelValue(ns, "disk")), secret(ns, "production", "PATH", sentinelValue(ns, "disk-path")))
	home, tmp, dir := t.TempDir(), t.TempDir(), t.TempDir()
	writeFile(t, dir, "t.env", "TOKEN={secretsmanager}\n")
	env := []string{"HOME=" + home, "TMPDIR=" + tmp}
	for _, args := range [][]string{
		envDumpArgs("run", "--namespace="+ns, "--env=production", "--allow-override=PATH"),
		envDumpArgs("run", "--namespace="+ns, "--env=production"), // refused: PATH
		envDumpArgs("run", "--namespace="+ns, "--env=production", "--template=t.env", "--output=.env"),
		envDumpArgs("run", "--namespace="+ns, "--env=production", "--template=t.env", "--supervise"),
	} {
		noSentinel(t, keep(t, run{Dir: dir, Env: env, Args: withVerbose(args)}))
	}
	for _, root := range []string{home, tmp, dir} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err == nil && strings.Contains(string(data), "SENTINEL") {
				t.Errorf("%s holds a secret value", path)
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the working directory holds %d entries, want only t.env", len(entries))
	}
}

// A panic inside the SDK call of a fetch goroutine, with a value in the
// panic message (KEEP_TESTPANIC=fetch, see fetch/testpanic.go), ends keep
// with 125 and a short report that holds neither the value nor a stack:
// for keep run listing the environment (the speculative batch and the
// batches after the listing) and for keep run --template (by name).
func TestPanicInFetchPrintsNoValue(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", sentinelValue(ns, "fetch-panic")))
	_, path := newTemplate(t, "TOKEN={secretsmanager}\n")
	for _, args := range [][]string{
		{"run", "--namespace=" + ns, "--env=production"},
		{"run", "-v", "--namespace=" + ns, "--env=production"},
		{"run", "--namespace=" + ns, "--env=production", "--template=" + path},
		{"run", "-v", "--namespace=" + ns, "--env=production", "--template=" + path, "--supervise"},
	} {
		res := keep(t, run{Tags: []string{"keep_testpanic"}, Env: []string{"KEEP_TESTPANIC=fetch"},
			Args: append(args, "--", testBin, "child:env"), NoLeakCheck: true}) // checked for SENTINEL below
		out := res.Stdout + res.Stderr
		if strings.Contains(out, "SENTINEL") {
			t.Errorf("%q: the output after a panic holds the value:\n%s", args, out)
		}
		if res.Code != 125 || res.Stdout != "" {
			t.Errorf("%q: exit %d after a panic, stdout %q; want exit 125 before the child runs", args, res.Code, res.Stdout)
		}
		if !strings.Contains(out, "internal error while reading secrets (details withheld") || strings.Contains(out, "goroutine ") || strings.Contains(out, "testpanic in fetch") {
			t.Errorf("%q: want a short internal-error report without the panic or a stack, got:\n%s", args, out)
		}
	}
}

// A keep_testpanic build panics with a value in the message once the
// secrets are fetched (cli/testpanic.go): keep ends with 125 and a short
// report that holds neither the value nor a stack, with or without -v.
func TestPanicPrintsNoValue(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "panic-token-value"))
	for _, verbose := range [][]string{nil, {"-v"}} {
		args := append(append([]string{"run"}, verbose...), "--namespace="+ns, "--env=production", "--", testBin, "child:env")
		res := keep(t, run{Tags: []string{"keep_testpanic"}, Args: args, NoLeakCheck: true}) // checked below, stdout too
		out := res.Stdout + res.Stderr
		keeptest.AssertNoLeak(t, "output after a panic", out)
		if res.Code != 125 {
			t.Errorf("exit code %d after a panic, want 125", res.Code)
		}
		if !strings.Contains(out, "internal error") || strings.Contains(out, "goroutine ") {
			t.Errorf("want a short internal-error report without a stack trace, got:\n%s", out)
		}
	}
	if _, err := os.Stat(keeptest.Bin(t, "keep_testpanic")); err != nil {
		t.Fatal(err)
	}
}

// keep calls prctl(PR_SET_DUMPABLE, 0) at start. The kernel shows the
// result in one place a test can read: the files of a non-dumpable
// process under /proc/PID are owned by root (proc(5)). That says nothing
// when keep runs as root, so keep runs as nobody here: a supervising keep
// holding secrets must own none of its /proc files, while the child it
// execs — dumpable again, as execve resets the flag — owns its own.
func TestNonDumpableWhileHoldingSecrets(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run keep as another user")
	}
	const nobody = 65534
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", sentinelValue(ns, "nodump")))
	// A directory nobody can read, with a copy of keep it can run.
	dir, err := os.MkdirTemp("", "keep-nodump-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "keep")
	data, err := os.ReadFile(keeptest.Bin(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "run", "--supervise", "--namespace="+ns, "--env=production", "--",
		"sh", "-c", `echo "$$"; exec sleep 60`)
	cmd.Env = append(keeptest.BaseEnv(t, keeptest.Moto().Env()), "HOME="+dir)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot run keep as nobody: %v", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var childPID int
	select {
	case l := <-line:
		if childPID, err = strconv.Atoi(strings.TrimSpace(l)); err != nil {
			t.Fatalf("the child printed %q, not its PID; keep's stderr:\n%s", l, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the child did not start; keep's stderr:\n%s", stderr.String())
	}
	if st := pstatOf(t, childPID); st.ppid != cmd.Process.Pid {
		t.Fatalf("the child's parent is %d, not keep (%d)", st.ppid, cmd.Process.Pid)
	}
	owner := func(pid int) uint32 {
		t.Helper()
		fi, err := os.Stat(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t).Uid
	}
	if uid := owner(childPID); uid != nobody {
		t.Fatalf("the child's /proc files are owned by %d, want %d (nobody): the ownership signal does not work here", uid, nobody)
	}
	if uid := owner(cmd.Process.Pid); uid == nobody {
		t.Errorf("keep (running as nobody, holding secrets) owns its /proc files: it is dumpable")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if strings.Contains(stderr.String(), "SENTINEL") {
		t.Errorf("keep's stderr holds a secret value:\n%s", stderr.String())
	}
}
