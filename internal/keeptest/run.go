package keeptest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// Run is one run of keep. Its zero fields say what Keep does by default.
type Run struct {
	Args []string // keep's arguments
	// Dir is the working directory; "" is a new directory of the test's.
	Dir string
	// Env is added to BaseEnv's environment, after it, so it overrides it.
	Env []string
	// Endpoint is the environment that points the AWS SDK at a server, as
	// motoserver.Server.Env and smfake.Server.Env return it; nil is moto's
	// (Main must have started it). An empty, non-nil slice sets no AWS_*
	// variable at all: the SDK's own chain then decides (real endpoints,
	// ~/.aws of the test's HOME, the EC2 metadata service).
	Endpoint []string
	// Stdin is keep's standard input; nil is the null device, as for
	// exec.Cmd.
	Stdin io.Reader
	// Tags are the build tags of the keep to run (see Bin); nil is the
	// plain keep.
	Tags []string
	// Timeout is how long keep may run; 0 is a minute. A run still going
	// then is killed and fails the test as a hang.
	Timeout time.Duration
	// NoLeakCheck skips the check that stderr holds no remembered value.
	NoLeakCheck bool
}

// Result is how a run of keep ended.
type Result struct {
	Stdout, Stderr string
	Code           int // exit code; -1 if keep died of a signal
	PID            int // keep's process ID
	State          *os.ProcessState
}

// NoExitSleep keeps a race-enabled child (a test binary) from sleeping a
// second before it exits.
const NoExitSleep = "GORACE=atexit_sleep_ms=0"

// BaseEnv is the environment keep runs with: endpoint (see Run.Endpoint),
// the test's PATH, a HOME of its own and NoExitSleep — nothing else from
// the developer's machine. The result is a new slice.
func BaseEnv(t testing.TB, endpoint []string) []string {
	return slices.Concat(endpoint, []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), NoExitSleep})
}

// Keep runs keep as r says and waits for it to end. Unless r.NoLeakCheck,
// stderr holding a value given to Seed or Remember fails the test. Keep
// that cannot be started, or that still runs after r.Timeout, fails the
// test at once; any exit, by any code or signal, is a Result.
func Keep(t testing.TB, r Run) Result {
	t.Helper()
	endpoint := r.Endpoint
	if endpoint == nil {
		if moto == nil {
			t.Fatal("keeptest: Run.Endpoint is nil and Main started no moto_server")
		}
		endpoint = moto.Env()
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Bin(t, r.Tags...), r.Args...)
	cmd.Env = append(BaseEnv(t, endpoint), r.Env...)
	cmd.Dir = r.Dir
	if cmd.Dir == "" {
		cmd.Dir = t.TempDir()
	}
	cmd.Stdin = r.Stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String(), State: cmd.ProcessState}
	if cmd.Process != nil {
		res.PID = cmd.Process.Pid
	}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("keep %s still ran after %s: a hang; stderr:\n%s", strings.Join(r.Args, " "), timeout, res.Stderr)
	case err == nil:
	case errors.As(err, &ee):
		res.Code = ee.ExitCode()
	default:
		t.Fatalf("run keep: %v", err)
	}
	if !r.NoLeakCheck {
		AssertNoLeak(t, "stderr", res.Stderr)
	}
	return res
}
