package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

// BenchmarkImport runs keep import of N new variables against the fake and
// reports the critical path in calls (seq/op) next to the PHP Keep's,
// which writes one secret after the other (N+1: its listing, then a
// CreateSecret each, each also checked and read back, and 150 ms of sleep
// between them, not counted here).
func BenchmarkImport(b *testing.B) {
	keep := keeptest.Build(b)
	for _, n := range []int{15, 100} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			var file strings.Builder
			for i := range n {
				fmt.Fprintf(&file, "K%04d=bench-import-value-%04d\n", i, i)
			}
			dir := b.TempDir()
			path := filepath.Join(dir, "bench.env")
			if err := os.WriteFile(path, []byte(file.String()), 0o644); err != nil {
				b.Fatal(err)
			}
			for range b.N {
				srv := smfake.New()
				srv.Latency = latency()
				cmd := exec.Command(keep, "import", path, "--namespace=bench", "--env=production", "--region="+smfake.Region)
				cmd.Env = env(srv)
				start := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("keep import: %v\n%s", err, out)
				}
				wall := time.Since(start)
				calls := srv.Calls()
				srv.Close()
				b.ReportMetric(float64(depth(calls)), "seq/op")
				b.ReportMetric(float64(n+1), "seq-php/op")
				b.ReportMetric(float64(len(calls)), "calls/op")
				b.ReportMetric(float64(wall)/float64(srv.Latency), "rtt/op")
			}
		})
	}
}
