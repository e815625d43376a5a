package bench

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

// The fleet simulation (issue 15): N starts of one service at once — a
// deploy, a node pool replacement — against a fake that enforces one token
// bucket per API at Secrets Manager's quotas (smfake.Quotas: ListSecrets
// and BatchGetSecretValue 100/s, GetSecretValue 10,000/s) and answers
// after a round trip of 20 ms. Each start is the real fetch code on a
// client of its own (the real SDK, keep's retries: fetch.WithRetries),
// with --timeout as its deadline, as a keep process would be.
//
// It runs in a testing/synctest bubble: time is virtual and advances only
// when every start waits (for the round trip, a backoff, a bucket), so a
// fleet that needs 100 s of quota takes only the CPU of its requests.
// Larger fleets are scaled: at most -fleet-sim starts are simulated, with
// every quota multiplied by simulated ÷ N — 10,000 starts at 100/s behave
// as 400 at 4/s: the same seconds of quota each, the same time.
//
//	go test ./bench -run TestFleet -v                      # CI: reduced (keep only, 15 secrets, 50 simulated starts)
//	go test ./bench -run TestFleet -v -fleet               # everything of docs/scale.md: 400 simulated starts, ~30 min on two busy cores
//	go test ./bench -run TestFleet -v -fleet -fleet-report # and write docs/scale.{md,svg}

var (
	fleetFlag   = flag.Bool("fleet", false, "run the full fleet simulation: 1,000 and 10,000 starts × 15 and 200 secrets × list and template, every strategy")
	fleetReport = flag.Bool("fleet-report", false, "with -fleet: write docs/scale.md and docs/scale.svg")
	fleetSim    = flag.Int("fleet-sim", 0, "most starts simulated (default 400 with -fleet, 50 without); larger fleets are scaled")
	fleetSplay  = flag.Duration("fleet-splay", 0, "--splay of every start (a random wait before its first call, outside --timeout)")
)

// roundTrip is the fake's latency: a request within one AWS region.
const roundTrip = 20 * time.Millisecond

// fleetCase is one simulated fleet.
type fleetCase struct {
	Strategy string
	Mode     string // "list" or "template"
	Starts   int    // N, the fleet
	Secrets  int    // each start's
	Sim      int    // starts simulated (≤ Starts)
	Timeout  time.Duration
	Splay    time.Duration
}

// fleetResult is what a fleet got.
type fleetResult struct {
	fleetCase
	Times    []time.Duration // each successful start's time to its secrets, sorted
	Failures int
	Failed   string         // one failure's message
	Requests map[string]int // requests the fake saw per API, throttled ones included
	Refused  map[string]int // of those, throttled
}

// fleetStrategies are the algorithms compared; every one runs on keep's
// retries, so that only the algorithm differs.
var fleetStrategies = []strategy{
	{"keep", keepList, keepTemplate},
	{"keep, batch only", batchOnlyList, batchOnlyTemplate},
	{"php-keep", phpKeepList, phpKeepTemplate},
	{"naive", naiveList, naiveTemplate},
}

// keep without the GetSecretValue fallback: a throttled batch waits for
// its bucket (fetch.Fetcher.BatchOnly), as before issue 15.
func batchOnlyList(ctx context.Context, c *secretsmanager.Client, t fetch.Target) (int, error) {
	res, err := (&fetch.Fetcher{API: c, Region: smfake.Region, BatchOnly: true}).List(ctx, t, nil)
	if err != nil {
		return 0, err
	}
	return len(res.Secrets), nil
}

func batchOnlyTemplate(ctx context.Context, c *secretsmanager.Client, t fetch.Target, keys []string) (int, error) {
	res, err := (&fetch.Fetcher{API: c, Region: smfake.Region, BatchOnly: true}).ByName(ctx, t, keys)
	if err != nil {
		return 0, err
	}
	return len(res.Secrets), nil
}

// quotaBound is the least time the quotas allow a fleet: list mode needs
// ⌈S/100⌉ ListSecrets a start at 100/s, and the values need a share of
// BatchGetSecretValue (S per call up to 20, 100/s) and GetSecretValue
// (10,000/s) together; template mode needs the values only.
func quotaBound(mode string, starts, secrets int) time.Duration {
	perBatch := float64(min(secrets, 20))
	valuesPerSec := smfake.Quotas["BatchGetSecretValue"]*perBatch + smfake.Quotas["GetSecretValue"]
	values := float64(starts*secrets) / valuesPerSec
	bound := values
	if mode == "list" {
		bound = max(bound, float64(starts*ceil(secrets, 100))/smfake.Quotas["ListSecrets"])
	}
	return time.Duration(bound * float64(time.Second))
}

// recommendedTimeout is the --timeout the README recommends for a fleet of
// starts that each read secrets: half again the quota's time (ListSecrets'
// in list mode, GetSecretValue's in template mode), plus 10 s, and never
// less than the default 30 s.
func recommendedTimeout(mode string, starts, secrets int) time.Duration {
	need := float64(starts*secrets) / smfake.Quotas["GetSecretValue"]
	if mode == "list" {
		need = float64(starts*ceil(secrets, 100)) / smfake.Quotas["ListSecrets"]
	}
	return max(30*time.Second, time.Duration((1.5*need+10)*float64(time.Second)).Round(time.Second))
}

// simulate runs c in a synctest bubble and returns what its starts got.
func simulate(t *testing.T, c fleetCase) fleetResult {
	s := fleetStrategies[slices.IndexFunc(fleetStrategies, func(s strategy) bool { return s.name == c.Strategy })]
	r := fleetResult{fleetCase: c, Requests: map[string]int{}, Refused: map[string]int{}}
	synctest.Test(t, func(t *testing.T) {
		srv, keys := seeded(c.Secrets, 64)
		srv.Forget = true
		srv.Latency = roundTrip
		scale := float64(c.Sim) / float64(c.Starts)
		srv.Quota = map[string]float64{}
		for op, q := range smfake.Quotas {
			srv.Quota[op] = q * scale
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		began := time.Now()
		for range c.Sim {
			wg.Go(func() {
				if c.Splay > 0 {
					time.Sleep(rand.N(c.Splay))
				}
				ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
				defer cancel()
				client := srv.DirectClient(fetch.WithRetries)
				var n int
				var err error
				if c.Mode == "list" {
					n, err = s.list(ctx, client, target)
				} else {
					n, err = s.template(ctx, client, target, keys)
				}
				took := time.Since(began)
				if err == nil && n != c.Secrets {
					err = fmt.Errorf("read %d secrets of %d", n, c.Secrets)
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					r.Failures++
					r.Failed = err.Error()
					return
				}
				r.Times = append(r.Times, took)
			})
		}
		wg.Wait()
		for op := range smfake.Quotas {
			r.Requests[op], r.Refused[op] = srv.Count(op), srv.Throttled(op)
		}
	})
	slices.Sort(r.Times)
	return r
}

// at is the p-th percentile of the successful starts' times (100: the
// slowest), or 0 when none succeeded.
func (r fleetResult) at(p float64) time.Duration {
	if len(r.Times) == 0 {
		return 0
	}
	return r.Times[int(math.Ceil(p/100*float64(len(r.Times))))-1]
}

// perStart is requests of op per start, throttled ones included.
func (r fleetResult) perStart(op string) float64 {
	return float64(r.Requests[op]) / float64(r.Sim)
}

func (r fleetResult) String() string {
	return fmt.Sprintf("%-8s %-16s N=%-5d S=%-3d sim %-4d timeout %-5s bound %6.1fs: p50 %6.1fs p99 %6.1fs max %6.1fs, %d failed; per start: List %.1f (%.1f throttled), Batch %.1f (%.1f), Get %.1f (%.1f)",
		r.Mode, r.Strategy, r.Starts, r.Secrets, r.Sim, r.Timeout, quotaBound(r.Mode, r.Starts, r.Secrets).Seconds(),
		r.at(50).Seconds(), r.at(99).Seconds(), r.at(100).Seconds(), r.Failures,
		r.perStart("ListSecrets"), float64(r.Refused["ListSecrets"])/float64(r.Sim),
		r.perStart("BatchGetSecretValue"), float64(r.Refused["BatchGetSecretValue"])/float64(r.Sim),
		r.perStart("GetSecretValue"), float64(r.Refused["GetSecretValue"])/float64(r.Sim))
}

// TestFleet simulates the fleets. Reduced (the default, CI): keep alone,
// 15 secrets, 1,000 and 10,000 starts as 50 simulated ones each; every
// start must get its secrets within the recommended --timeout. With
// -fleet: docs/scale.md's whole table.
func TestFleet(t *testing.T) {
	sim := *fleetSim
	starts, secrets, strategies := []int{1000, 10000}, []int{15}, []string{"keep"}
	if *fleetFlag {
		secrets = []int{15, 200}
		strategies = nil
		for _, s := range fleetStrategies {
			strategies = append(strategies, s.name)
		}
	}
	if sim <= 0 {
		sim = 50
		if *fleetFlag {
			sim = 400
		}
	}
	var results []fleetResult
	for _, n := range starts {
		for _, s := range secrets {
			for _, mode := range []string{"list", "template"} {
				for _, strategy := range strategies {
					c := fleetCase{Strategy: strategy, Mode: mode, Starts: n, Secrets: s, Sim: min(sim, n),
						Timeout: recommendedTimeout(mode, n, s), Splay: *fleetSplay}
					t.Run(fmt.Sprintf("N=%d/S=%d/%s/%s", n, s, mode, strategy), func(t *testing.T) {
						r := simulate(t, c)
						t.Log(r)
						if r.Failures > 0 {
							t.Logf("a failure: %s", r.Failed)
						}
						if strategy == "keep" && r.Failures > 0 {
							t.Errorf("%s mode, %d starts × %d secrets: %d of %d simulated starts failed within the recommended --timeout=%s",
								mode, n, s, r.Failures, r.Sim, r.Timeout)
						}
						results = append(results, r)
					})
				}
			}
		}
	}
	if *fleetReport {
		writeScale(t, results)
	}
}
