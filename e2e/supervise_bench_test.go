//go:build linux

package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
)

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
