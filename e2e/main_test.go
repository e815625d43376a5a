//go:build linux

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/motoserver"
)

// The integration tests (Linux only: they read /proc and make namespaces)
// drive the real keep binary against moto_server (and
// against smfake where moto can't produce a fault). The test binary itself
// plays the child: "keep run -- <test binary> child:env" dumps its
// environment as JSON, "child:exit N" exits with N, and so on.

var (
	keepBin string // the keep binary under test
	testBin string // this test binary, the child
	moto    *motoserver.Server
)

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "child:") {
		os.Exit(child(os.Args[1], os.Args[2:]))
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "keep-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	keepBin = filepath.Join(dir, "keep")
	if out, err := exec.Command("go", "build", "-o", keepBin, "..").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build keep: %v\n%s", err, out)
		return 1
	}
	if testBin, err = os.Executable(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if moto, err = motoserver.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer moto.Stop()
	return m.Run()
}

// values holds every secret value seeded, so that each run of keep can
// check that none of them leaked into its stderr.
var values sync.Map

// seed creates secrets in moto and remembers their values.
func seed(t *testing.T, secrets ...motoserver.Secret) {
	t.Helper()
	for _, s := range secrets {
		if len(s.Value) >= 6 {
			values.Store(s.Value, true)
		}
	}
	if err := moto.Create(t.Context(), secrets...); err != nil {
		t.Fatal(err)
	}
}

// secret is a Keep-tagged secret of ns/env named KEY.
func secret(ns, env, key, value string) motoserver.Secret {
	return motoserver.Secret{Name: ns + "/" + env + "/" + key, Value: value, Tags: motoserver.KeepTags(ns, env)}
}

// namespace returns a namespace unique to the test, so tests can share moto.
func namespace(t *testing.T) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	return fmt.Sprintf("%s-%d", strings.ToLower(name), time.Now().UnixNano()%1e6)
}

type run struct {
	dir  string   // working directory; default a fresh temp dir
	env  []string // extra environment on top of base
	args []string // keep's arguments
	// noLeakCheck skips the check that stderr holds no seeded value.
	noLeakCheck bool
}

type result struct {
	stdout, stderr string
	code           int
	pid            int
	state          *os.ProcessState
}

// noExitSleep keeps a race-enabled child (the test binary) from sleeping a
// second before it exits.
const noExitSleep = "GORACE=atexit_sleep_ms=0"

// baseEnv is the environment keep gets: moto, a PATH, nothing from the
// developer's machine.
func baseEnv(t *testing.T, endpointEnv []string) []string {
	return append(endpointEnv, "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir(), noExitSleep)
}

// keep runs the keep binary against moto.
func keep(t *testing.T, r run) result {
	t.Helper()
	return keepWith(t, moto.Env(), r)
}

// keepWith runs the keep binary with endpointEnv pointing at a server.
func keepWith(t *testing.T, endpointEnv []string, r run) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, keepBin, r.args...)
	cmd.Env = append(baseEnv(t, endpointEnv), r.env...)
	cmd.Dir = r.dir
	if cmd.Dir == "" {
		cmd.Dir = t.TempDir()
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String(), state: cmd.ProcessState}
	if cmd.Process != nil {
		res.pid = cmd.Process.Pid
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	default:
		t.Fatalf("run keep: %v", err)
	}
	if !r.noLeakCheck {
		assertNoLeak(t, "stderr", res.stderr)
	}
	return res
}

func assertNoLeak(t *testing.T, where, out string) {
	t.Helper()
	values.Range(func(v, _ any) bool {
		if strings.Contains(out, v.(string)) {
			t.Errorf("%s contains a secret value (%d bytes)", where, len(v.(string)))
		}
		return true
	})
}

// childEnv decodes the child:env dump from stdout.
func childEnv(t *testing.T, res result) map[string]string {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("keep exited %d; stderr:\n%s", res.code, res.stderr)
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(res.stdout), &env); err != nil {
		t.Fatalf("child output is not an env dump (%v); stderr:\n%s", err, res.stderr)
	}
	return env
}

// wantExit checks keep's exit code and that it printed nothing on stdout.
func wantExit(t *testing.T, res result, code int, stderrHas ...string) {
	t.Helper()
	if res.code != code {
		t.Errorf("exit code = %d, want %d; stderr:\n%s", res.code, code, res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("keep wrote to stdout (the child never ran, so it was keep): %q", res.stdout)
	}
	for _, s := range stderrHas {
		if !strings.Contains(res.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, res.stderr)
		}
	}
}

// keys returns the names in env that start with prefix... or all of want.
func hasOnly(t *testing.T, env map[string]string, want map[string]string, absent ...string) {
	t.Helper()
	for k, v := range want {
		got, ok := env[k]
		switch {
		case !ok:
			t.Errorf("child lacks %s", k)
		case got != v:
			t.Errorf("child's %s differs from the secret (%d bytes, want %d)", k, len(got), len(v))
		}
	}
	for _, k := range absent {
		if _, ok := env[k]; ok {
			t.Errorf("child has %s, which must not be injected", k)
		}
	}
}

func signaled(res result) (syscall.Signal, bool) {
	ws, ok := res.state.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	return ws.Signal(), true
}
