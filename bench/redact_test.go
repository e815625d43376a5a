package bench

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keep-run/keep/redact"
)

// keep run --redact's cost: the child's output through an os.Pipe, copied
// 32 KiB at a time as keep's pump copies it, plainly or through a
// redact.Writer masking 200 secrets (make bench writes the figures into
// docs/benchmarks.md; go test -bench Redact ./bench measures).

const (
	redactSecrets = 200
	redactChunk   = 32 << 10
)

// redactValues are n random 40-byte values, like API tokens.
func redactValues(n int) []string {
	r := rand.New(rand.NewPCG(7, 8))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-!@#%"
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 40)
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		out[i] = string(b)
	}
	return out
}

// redactLog is size bytes of log-like lines of letters and digits — the
// bytes every form is made of, the matcher's hardest ordinary input — with
// a value in about one line in 100.
func redactLog(size int, values []string) []byte {
	r := rand.New(rand.NewPCG(9, 10))
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]byte, 0, size+100)
	for len(out) < size {
		for range 12 {
			for range 1 + r.IntN(9) {
				out = append(out, letters[r.IntN(len(letters))])
			}
			out = append(out, ' ')
		}
		if r.IntN(100) == 0 {
			out = append(out, values[r.IntN(len(values))]...)
		}
		out = append(out, '\n')
	}
	return out[:size]
}

// discard is io.Discard without its ReaderFrom, so io.CopyBuffer copies.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// pipeThrough writes text rounds times into an os.Pipe from a goroutine
// and copies the read end into dst, 32 KiB at a time.
func pipeThrough(text []byte, rounds int, dst io.Writer) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	go func() {
		for range rounds {
			_, _ = w.Write(text)
		}
		_ = w.Close()
	}()
	defer r.Close()
	_, err = io.CopyBuffer(dst, r, make([]byte, redactChunk))
	return err
}

func BenchmarkRedactPipe(b *testing.B) {
	values := redactValues(redactSecrets)
	text := redactLog(redactChunk, values)
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		if err := pipeThrough(text, b.N, discard{}); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("redact", func(b *testing.B) {
		w := redact.NewSet(values).NewWriter(discard{})
		b.SetBytes(int64(len(text)))
		b.ResetTimer()
		if err := pipeThrough(text, b.N, w); err != nil {
			b.Fatal(err)
		}
		_ = w.Close()
	})
}

// BenchmarkRedactChunkLatency is the time one Write of a 4 KiB chunk (a
// burst of log lines) spends masking 200 values: p50, p99 and worst.
func BenchmarkRedactChunkLatency(b *testing.B) {
	values := redactValues(redactSecrets)
	text := redactLog(4<<10, values)
	w := redact.NewSet(values).NewWriter(discard{})
	ds := make([]time.Duration, 0, b.N)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		t0 := time.Now()
		_, _ = w.Write(text)
		ds = append(ds, time.Since(t0))
	}
	_ = w.Close()
	p50, p99, worst := quantiles(ds)
	b.ReportMetric(micros(p50), "p50-µs")
	b.ReportMetric(micros(p99), "p99-µs")
	b.ReportMetric(micros(worst), "max-µs")
}

func quantiles(ds []time.Duration) (p50, p99, worst time.Duration) {
	slices.Sort(ds)
	return ds[len(ds)/2], ds[len(ds)*99/100], ds[len(ds)-1]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// cpuTime is the CPU time keep's test process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redactFigures measures the pipe both ways (wall MB/s, and MB per CPU
// second, which a busy machine distorts less), the chunk latency and the
// compile time, and returns the report's section.
func redactFigures(t *testing.T) string {
	values := redactValues(redactSecrets)
	text := redactLog(redactChunk, values)
	const rounds = 8192 // 256 MiB
	mb := float64(rounds*len(text)) / 1e6
	measure := func(dst func() io.WriteCloser) (wall, cpu float64) {
		var bestWall, bestCPU time.Duration
		for range 3 {
			w := dst()
			c0, t0 := cpuTime(), time.Now()
			if err := pipeThrough(text, rounds, w); err != nil {
				t.Fatal(err)
			}
			_ = w.Close()
			wd, cd := time.Since(t0), cpuTime()-c0
			if bestWall == 0 || wd < bestWall {
				bestWall = wd
			}
			if bestCPU == 0 || cd < bestCPU {
				bestCPU = cd
			}
		}
		return mb / bestWall.Seconds(), mb / bestCPU.Seconds()
	}
	plainWall, plainCPU := measure(func() io.WriteCloser { return nopCloser{discard{}} })
	set := redact.NewSet(values)
	redactWall, redactCPU := measure(func() io.WriteCloser { return set.NewWriter(discard{}) })
	lat := testing.Benchmark(BenchmarkRedactChunkLatency)
	compile := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			redact.NewSet(values)
		}
	})
	var load [3]float64
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		_, _ = fmt.Sscan(string(data), &load[0], &load[1], &load[2])
	}
	var w strings.Builder
	fmt.Fprintf(&w, "## Redaction\n\n")
	fmt.Fprintf(&w, "`keep run --redact` with %d secrets of 40 bytes (%d forms: the values and their encodings), %s/%s, %d CPUs, load average %.1f while measuring. "+
		"The child's output is %.0f MB of log-like lines of letters and digits (the bytes every form is made of; a value in one line in 100) through an os.Pipe, copied 32 KiB at a time, plainly or through redact.Writer; best of 3. "+
		"MB per CPU second counts the whole process (the writing side too), so a loaded machine distorts it less than wall time.\n\n",
		redactSecrets, set.Forms(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), load[0], mb)
	fmt.Fprintf(&w, "| copy | MB/s (wall) | MB per CPU second | × plain (wall) |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(&w, "| plain pipe | %.0f | %.0f | 1.00 |\n", plainWall, plainCPU)
	fmt.Fprintf(&w, "| --redact, %d secrets | %.0f | %.0f | %.2f |\n\n", redactSecrets, redactWall, redactCPU, redactWall/plainWall)
	fmt.Fprintf(&w, "| target | measured |\n|---|---|\n")
	fmt.Fprintf(&w, "| ≥ 200 MB/s with %d secrets | %.0f MB/s wall, %.0f MB per CPU second |\n", redactSecrets, redactWall, redactCPU)
	fmt.Fprintf(&w, "| added latency per chunk < 1 ms | 4 KiB chunk: p50 %.1f µs, p99 %.1f µs, worst %.0f µs (%d writes; the worst is the scheduler's) |\n",
		lat.Extra["p50-µs"], lat.Extra["p99-µs"], lat.Extra["max-µs"], lat.N)
	fmt.Fprintf(&w, "| compiling the forms at start | %s for %d secrets |\n", time.Duration(compile.NsPerOp()).Round(10*time.Microsecond), redactSecrets)
	fmt.Fprintf(&w, "\nHeld back: at most the longest form's length minus one byte, flushed after %s without output.\n", redact.HoldDelay)
	return w.String()
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// TestReportRedaction writes the Redaction section of docs/benchmarks.md,
// in place; TestReport keeps it when it rewrites the rest. It runs only
// with -report (make bench).
func TestReportRedaction(t *testing.T) {
	if !*reportFlag {
		t.Skip("writes docs/benchmarks.md; run with -report (make bench)")
	}
	section := redactFigures(t)
	t.Log("\n" + section)
	old, err := os.ReadFile("../docs/benchmarks.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("../docs/benchmarks.md", withSection(old, "## Redaction", section), 0o644); err != nil {
		t.Fatal(err)
	}
}

// withSection replaces the section of doc that starts with heading (up to
// the next "## " heading or the end) by section, or appends it.
func withSection(doc []byte, heading, section string) []byte {
	start := bytes.Index(doc, []byte("\n"+heading+"\n"))
	if start < 0 {
		return append(append(bytes.TrimRight(doc, "\n"), "\n\n"...), section...)
	}
	start++
	end := len(doc)
	if next := bytes.Index(doc[start+len(heading):], []byte("\n## ")); next >= 0 {
		end = start + len(heading) + next + 1
	}
	out := append([]byte(nil), doc[:start]...)
	out = append(out, section...)
	if end < len(doc) {
		out = append(append(out, '\n'), doc[end:]...)
	}
	return out
}

// keptSection is the section of doc that starts with heading, or "".
func keptSection(doc []byte, heading string) string {
	start := bytes.Index(doc, []byte("\n"+heading+"\n"))
	if start < 0 {
		return ""
	}
	rest := doc[start+1:]
	if next := bytes.Index(rest[len(heading):], []byte("\n## ")); next >= 0 {
		rest = rest[:len(heading)+next+1]
	}
	return strings.TrimRight(string(rest), "\n") + "\n"
}
