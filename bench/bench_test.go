// Package bench measures how fast keep fetches secrets, side by side with
// the PHP Keep's algorithm and the naive one, on one in-process fake that
// speaks the Secrets Manager protocol with a fixed latency per request.
//
//	go test ./bench -run XXX -bench . -benchtime 1x        # benchmarks, 20ms latency
//	go test ./bench -run XXX -bench . -benchtime 1x -short # CI: 2ms, small N
//	go test ./bench -run TestReport -report                # docs/benchmarks.{md,svg}
//
// Ratios, not absolute times, are the claim: the fake answers at once
// after its latency, so wall time ÷ latency is the number of sequential
// round trips on the critical path.
package bench

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

var latencyFlag = flag.Duration("latency", 20*time.Millisecond, "latency the fake adds to every request")

// sizes are the numbers of secrets measured.
func sizes() []int {
	if testing.Short() {
		return []int{1, 15, 100}
	}
	return []int{1, 15, 100, 400, 1000}
}

func latency() time.Duration {
	if testing.Short() {
		return 2 * time.Millisecond
	}
	return *latencyFlag
}

var target = fetch.Target{Namespace: "bench", Env: "production"}

// measurement is one strategy run on one fake.
type measurement struct {
	Strategy string
	Path     string // "list" or "template"
	N        int
	Wall     time.Duration
	Latency  time.Duration
	Calls    int // requests the fake received
	Conns    int // TCP connections it accepted
	Peak     int // most requests in flight at once at the fake
	Used     int // most requests in flight at once from the client's side, until each response is read
	Depth    int // the longest chain of calls each sent after the previous answered
}

// depth is the critical path counted in calls: the longest chain of calls
// in which each starts after the one before it ended. Unlike wall time ÷
// latency it does not grow with CPU time spent encoding and decoding.
func depth(calls []smfake.Call) int {
	slices.SortFunc(calls, func(a, b smfake.Call) int { return a.Start.Compare(b.Start) })
	d := make([]int, len(calls))
	longest := 0
	for i, c := range calls {
		d[i] = 1
		for j := range i {
			if !calls[j].End.After(c.Start) && d[j]+1 > d[i] {
				d[i] = d[j] + 1
			}
		}
		longest = max(longest, d[i])
	}
	return longest
}

// RoundTrips is wall time in units of the fake's latency.
func (m measurement) RoundTrips() float64 {
	return float64(m.Wall) / float64(m.Latency)
}

// seeded is a fake holding n keep-tagged secrets of target, plus as many
// of another environment, which a correct strategy never reads.
func seeded(n int, size int) (*smfake.Server, []string) {
	srv := smfake.New()
	keys := make([]string, n)
	for i := range n {
		keys[i] = fmt.Sprintf("KEY_%04d", i)
		value := fmt.Sprintf("%0*d", size, i)
		for _, env := range []string{target.Env, target.Env + "-eu"} {
			srv.Put(smfake.Secret{
				Name: target.Namespace + "/" + env + "/" + keys[i], Value: value,
				Tags: map[string]string{"ManagedBy": "Keep", "Namespace": target.Namespace, "Environment": env},
			})
		}
	}
	return srv, keys
}

// measure runs s on a fresh fake with n secrets and a fresh client, so
// that connections are counted from none.
func measure(tb testing.TB, s strategy, path string, n int, lat time.Duration) measurement {
	srv, keys := seeded(n, 64)
	defer srv.Close()
	srv.Latency = lat
	client, counted := countingClient(srv.Client(fetch.WithPlainBody))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	var got int
	var err error
	if path == "list" {
		got, err = s.list(ctx, client, target)
	} else {
		got, err = s.template(ctx, client, target, keys)
	}
	wall := time.Since(start)
	if err != nil {
		tb.Fatalf("%s %s N=%d: %v", s.name, path, n, err)
	}
	if got != n {
		tb.Fatalf("%s %s N=%d: read %d secrets", s.name, path, n, got)
	}
	calls := srv.Calls()
	return measurement{Strategy: s.name, Path: path, N: n, Wall: wall, Latency: lat,
		Calls: len(calls), Conns: srv.Conns(), Peak: srv.MaxInFlight(), Used: counted.peak(), Depth: depth(calls)}
}

// BenchmarkFetch reports, per path, N and strategy: round trips on the
// critical path, API calls, connections and peak concurrency.
func BenchmarkFetch(b *testing.B) {
	for _, path := range []string{"list", "template"} {
		for _, n := range sizes() {
			for _, s := range strategies {
				b.Run(fmt.Sprintf("%s/N=%d/%s", path, n, s.name), func(b *testing.B) {
					var m measurement
					for range b.N {
						m = measure(b, s, path, n, latency())
					}
					b.ReportMetric(m.RoundTrips(), "round-trips")
					b.ReportMetric(float64(m.Depth), "sequential-calls")
					b.ReportMetric(float64(m.Calls), "calls")
					b.ReportMetric(float64(m.Conns), "conns")
					b.ReportMetric(float64(m.Peak), "peak-in-flight")
				})
			}
		}
	}
}
