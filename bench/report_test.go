package bench

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

var reportFlag = flag.Bool("report", false, "measure everything and write docs/benchmarks.md and docs/benchmarks.svg")

// TestReport measures every strategy at every size, keep's own start-up
// overhead and memory, and how fast keep fails without credentials, and
// writes the docs. It runs only with -report (make bench).
func TestReport(t *testing.T) {
	if !*reportFlag {
		t.Skip("writes docs/benchmarks.md; run with -report (make bench)")
	}
	lat := latency()
	var ms []measurement
	for _, path := range []string{"list", "template"} {
		for _, n := range sizes() {
			for _, s := range strategies {
				m := measure(t, s, path, n, lat)
				t.Logf("%-8s %-8s N=%-4d %8.1f round trips %4d sequential %5d calls %3d conns", path, s.name, n, m.RoundTrips(), m.Depth, m.Calls, m.Conns)
				ms = append(ms, m)
			}
		}
	}
	keep := keeptest.Build(t)
	start := startup(t, keep)
	rss := peakRSS(t, keep, 1000, 4096)
	nocreds := noCredentials(t, keep)

	var md bytes.Buffer
	writeMarkdown(&md, ms, lat, start, rss, nocreds)
	if old, err := os.ReadFile("../docs/benchmarks.md"); err == nil {
		if kept := keptSection(old, "## Redaction"); kept != "" { // TestReportRedaction's
			md.WriteString("\n" + kept)
		}
	}
	if err := os.WriteFile("../docs/benchmarks.md", md.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("../docs/benchmarks.svg", chart(ms, "list"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("wrote docs/benchmarks.md and docs/benchmarks.svg")
}

// env points keep at srv with dummy credentials, nothing from the host.
func env(srv *smfake.Server) []string {
	return append(srv.Env(), "PATH="+os.Getenv("PATH"), "HOME="+os.TempDir())
}

type startupResult struct {
	runs                                     int
	keepMedian, keepP90, trueMedian, trueP90 time.Duration
	overheadMedian                           time.Duration
}

// startup times keep run -- true against a fake with no latency and one
// secret, next to true alone.
func startup(t *testing.T, keep string) startupResult {
	srv, _ := seeded(1, 64)
	defer srv.Close()
	const runs = 30
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	time1 := func(argv ...string) time.Duration {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = env(srv)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
		return time.Since(start)
	}
	var withKeep, alone []time.Duration
	for range runs {
		withKeep = append(withKeep, time1(keep, "run", "--namespace="+target.Namespace, "--env="+target.Env, "--", truePath))
		alone = append(alone, time1(truePath))
	}
	r := startupResult{runs: runs}
	r.keepMedian, r.keepP90 = pct(withKeep, 50), pct(withKeep, 90)
	r.trueMedian, r.trueP90 = pct(alone, 50), pct(alone, 90)
	r.overheadMedian = r.keepMedian - r.trueMedian
	return r
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

// peakRSS is keep's peak resident set for fetching n secrets of size
// bytes. 1000 secrets of 4 KiB are more environment than execve takes
// (E2BIG: about 2 MiB for arguments and environment), so keep export to a
// file stands in for keep run: the same fetch, the values held the same.
func peakRSS(t *testing.T, keep string, n, size int) int64 {
	srv, _ := seeded(n, size)
	defer srv.Close()
	cmd := exec.Command(keep, "export", "--namespace="+target.Namespace, "--env="+target.Env, "--output="+filepath.Join(t.TempDir(), "out.env"))
	cmd.Env = env(srv)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("keep with %d secrets: %v\n%s", n, err, out)
	}
	return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
}

// noCredentials is how long keep takes to fail with no credentials when
// the EC2 metadata endpoint accepts connections and never answers, as a
// firewalled one does.
func noCredentials(t *testing.T, keep string) time.Duration {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	cmd := exec.Command(keep, "run", "--namespace=x", "--env=y", "--", "true")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://" + l.Addr().String(),
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err == nil || !strings.Contains(string(out), "no AWS credentials") {
		t.Errorf("want a 'no AWS credentials' failure, got %v:\n%s", err, out)
	}
	return took
}

func writeMarkdown(w *bytes.Buffer, ms []measurement, lat time.Duration, s startupResult, rssKiB int64, nocreds time.Duration) {
	fmt.Fprintf(w, "# Benchmarks\n\n")
	fmt.Fprintf(w, "Written by `make bench` (`go test ./bench -run TestReport -report`) on %s, %s/%s, %d CPUs. ",
		time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(w, "Every strategy runs through the real AWS SDK against one in-process fake that speaks the Secrets Manager protocol and adds %s to every request; half the fake's secrets belong to another environment. ", lat)
	fmt.Fprintf(w, "Round trips = wall time ÷ latency; sequential calls = the longest chain of requests each sent after the previous one was answered, from the fake's log — the critical path without the CPU time of encoding and decoding, which wall time includes. Ratios, not absolute times, are the claim.\n\n")
	fmt.Fprintf(w, "- **keep**: ListSecrets 100 a page with a speculative filtered BatchGetSecretValue raced against the first page; BatchGetSecretValue chunks of 20 fired as each page lands. Template path: BatchGetSecretValue by name, all chunks at once.\n")
	fmt.Fprintf(w, "- **php-keep**: the PHP Keep's algorithm: ListSecrets 20 a page, then BatchGetSecretValue for that page, one after the other (its template mode lists everything too).\n")
	fmt.Fprintf(w, "- **naive**: ListSecrets, then GetSecretValue per secret, one after the other (template path: GetSecretValue per placeholder).\n\n")
	fmt.Fprintf(w, "![wall time vs N, list path](benchmarks.svg)\n\n")
	for _, path := range []string{"list", "template"} {
		fmt.Fprintf(w, "## %s path\n\n", strings.ToUpper(path[:1])+path[1:])
		fmt.Fprintf(w, "| N | strategy | wall | round trips | sequential calls | API calls | connections | most in flight | × keep's time |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, m := range ms {
			if m.Path != path {
				continue
			}
			base := find(ms, "keep", path, m.N)
			fmt.Fprintf(w, "| %d | %s | %s | %.1f | %d | %d | %d | %d | %.1f |\n", m.N, m.Strategy, m.Wall.Round(time.Millisecond),
				m.RoundTrips(), m.Depth, m.Calls, m.Conns, m.Used, float64(m.Wall)/float64(base.Wall))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "## Targets\n\n| target | measured |\n|---|---|\n")
	for _, n := range []int{1, 15} {
		if m := find(ms, "keep", "list", n); m.N == n {
			fmt.Fprintf(w, "| list path, N ≤ 20: 1 round trip | N=%d: %d sequential call(s), %.1f round trips of wall time |\n", n, m.Depth, m.RoundTrips())
		}
	}
	for _, n := range []int{100, 400, 1000} {
		if m := find(ms, "keep", "list", n); m.N == n {
			fmt.Fprintf(w, "| list path, N > 20: ⌈N/100⌉+1 = %d round trips; ≤ ⌈N/100⌉+⌈N/20⌉+1 = %d calls | N=%d: %d sequential calls, %.1f round trips of wall time, %d calls |\n",
				ceil(n, 100)+1, ceil(n, 100)+ceil(n, 20)+1, n, m.Depth, m.RoundTrips(), m.Calls)
		}
	}
	for _, n := range sizes() {
		if m := find(ms, "keep", "template", n); m.N == n {
			fmt.Fprintf(w, "| template path: 1 round trip | N=%d: %d sequential call(s), %.1f round trips of wall time |\n", n, m.Depth, m.RoundTrips())
		}
	}
	excess, worst := 0, measurement{}
	for _, m := range ms {
		if m.Strategy == "keep" && m.Conns-m.Used >= excess {
			excess, worst = m.Conns-m.Used, m
		}
	}
	fmt.Fprintf(w, "| new connections ≤ peak concurrency used | connections minus the most requests keep had in flight (from sending to reading the response): at most %d (%s N=%d: %d connections, %d in flight) |\n",
		excess, worst.Path, worst.N, worst.Conns, worst.Used)
	fmt.Fprintf(w, "| keep's own overhead ≤ 15 ms median (`keep run -- true` minus `true`, fake without latency, 1 secret, %d runs) | %s (keep run: median %s, p90 %s; true: median %s, p90 %s) |\n",
		s.runs, s.overheadMedian.Round(100*time.Microsecond), s.keepMedian.Round(100*time.Microsecond), s.keepP90.Round(100*time.Microsecond),
		s.trueMedian.Round(100*time.Microsecond), s.trueP90.Round(100*time.Microsecond))
	fmt.Fprintf(w, "| peak RSS ≤ 40 MB, 1000 secrets of 4 KiB | %.1f MB (`keep export` to a file: 4 MB of secrets exceed what execve passes to a program, so `keep run` stops with E2BIG and says so) |\n", float64(rssKiB)/1024)
	fmt.Fprintf(w, "| no credentials, not on EC2: fail in < 2 s | %s (metadata endpoint accepting and never answering) |\n\n", nocreds.Round(time.Millisecond))

	fmt.Fprintf(w, "Against moto on loopback, `scripts/time-run` times `keep run -- true` next to `true` (hyperfine, median and p90) and measures peak RSS for 1000 secrets of 4 KiB with `/usr/bin/time -v`.\n")
}

func find(ms []measurement, strategy, path string, n int) measurement {
	for _, m := range ms {
		if m.Strategy == strategy && m.Path == path && m.N == n {
			return m
		}
	}
	return measurement{}
}

func ceil(a, b int) int { return (a + b - 1) / b }

// chart is an SVG line chart of wall time (log scale) against N for each
// strategy on path.
func chart(ms []measurement, path string) []byte {
	const w, h, left, bottom, top, right = 640, 400, 70, 50, 30, 120
	ns := sizes()
	var maxT, minT float64 = 0, math.MaxFloat64
	for _, m := range ms {
		if m.Path == path {
			ms := float64(m.Wall) / float64(time.Millisecond)
			maxT, minT = math.Max(maxT, ms), math.Min(minT, ms)
		}
	}
	lo, hi := math.Floor(math.Log10(math.Max(minT, 1))), math.Ceil(math.Log10(maxT))
	x := func(i int) float64 { return left + float64(i)*(w-left-right)/float64(len(ns)-1) }
	y := func(ms float64) float64 {
		return top + (h-top-bottom)*(1-(math.Log10(math.Max(ms, 1))-lo)/(hi-lo))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="14">Time to read N secrets, %s path (log scale)</text>`+"\n", left, path)
	for e := lo; e <= hi; e++ {
		v := math.Pow(10, e)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n",
			left, w-right, y(v), y(v), left-6, y(v)+4, msLabel(v))
	}
	for i, n := range ns {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">N=%d</text>`+"\n", x(i), h-bottom+20, n)
	}
	colors := map[string]string{"keep": "#1a7f37", "php-keep": "#9a6700", "naive": "#cf222e"}
	for si, s := range strategies {
		var pts []string
		for i, n := range ns {
			m := find(ms, s.name, path, n)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(float64(m.Wall)/float64(time.Millisecond))))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", colors[s.name], strings.Join(pts, " "))
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s</text>`+"\n", w-right+10, top+20+si*18, colors[s.name], s.name)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func msLabel(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%gs", v/1000)
	}
	return fmt.Sprintf("%gms", v)
}
