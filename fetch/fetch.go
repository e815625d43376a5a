package fetch

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/errgroup"
)

// DefaultConcurrency bounds the BatchGetSecretValue calls List has in
// flight. AWS allows about 100 requests per second for it; its pages
// arrive one at a time and bring at most five batches each, so ten in
// flight never queue behind each other and stay within the SDK's idle
// connection pool (10 per host), so connections are reused.
const DefaultConcurrency = 10

// Secret is one secret with its value.
type Secret struct {
	Key   string // last name segment, e.g. DB_PASSWORD
	Name  string // full Secrets Manager name
	ARN   string
	Value string // SecretString, byte for byte
	// VersionID is the version the value is from (AWSCURRENT).
	VersionID string
	// Created is when that version was made (CreatedDate); zero when
	// Secrets Manager did not say.
	Created time.Time
}

// Calls counts the API calls a fetch made (retries of one call count once).
type Calls struct {
	ListSecrets         int64
	BatchGetSecretValue int64
	// GetSecretValue: the reads of quota.go, when BatchGetSecretValue
	// was throttled; quota.go retries a throttled one itself, so each of
	// its attempts counts.
	GetSecretValue int64
}

// Result is what List found.
type Result struct {
	// Secrets that belong to the target and were wanted, sorted by Key.
	Secrets []Secret
	// Skipped are names under the target's prefix that failed the exact tag
	// check, sorted; their values were never fetched.
	Skipped []string
	// Unwanted are the keys the want function refused, sorted.
	Unwanted []string
	Calls    Calls
}

// Fetcher reads the secrets of a target.
type Fetcher struct {
	API API
	// Region is the API's region; it appears in error messages.
	Region string
	// Concurrency bounds the BatchGetSecretValue calls in flight; 0 means
	// DefaultConcurrency for List and byNameConcurrency for ByName.
	Concurrency int
	// NoSpeculation turns off the speculative batch raced against the first
	// ListSecrets page (see speculate.go); the tests of the by-ARN path use
	// it to count its calls exactly.
	NoSpeculation bool
	// BatchOnly turns off the GetSecretValue fallback of quota.go: a
	// throttled BatchGetSecretValue is retried, as before it. The fleet
	// simulation measures the fallback against it.
	BatchOnly bool
}

// List finds every secret that belongs to t (see Target.Match) and fetches
// the values of those whose KEY want accepts (all when want is nil).
//
// ListSecrets pages are read one after the other; as each page arrives its
// wanted secrets are fetched with BatchGetSecretValue in chunks of 20,
// concurrently, while the next page is requested (with GetSecretValue once
// BatchGetSecretValue is throttled: see quota.go). A speculative filtered
// BatchGetSecretValue raced against the first page makes a listing of one
// page cost one round trip (see speculate.go). Any failure for a wanted
// secret fails the whole call: List returns either every wanted secret or an
// error. Errors name region and target; they never contain a value.
func (f *Fetcher) List(ctx context.Context, t Target, want func(key string) bool) (*Result, error) {
	api := &countingAPI{API: f.API}
	res, err := f.list(ctx, api, t, want)
	if err != nil {
		return nil, fmt.Errorf("read secrets of %s in %s: %w", t, f.Region, err)
	}
	res.Calls = api.calls()
	return res, nil
}

func (f *Fetcher) list(parent context.Context, api API, t Target, want func(string) bool) (*Result, error) {
	g, ctx := errgroup.WithContext(parent)
	sem := make(chan struct{}, f.concurrency())
	res := &Result{}
	var (
		mu     sync.Mutex
		values []Secret
		failed SecretErrors
	)
	// Raced against the first page; see speculate.go. On parent, not the
	// group's context, which ends with Wait: the call is never cancelled
	// by keep, so its connection goes back to the pool.
	q := newQuota(f.BatchOnly)
	spec := make(chan *specResult, 1)
	if !f.NoSpeculation {
		go func() { spec <- speculate(parent, api, t, q) }()
	}
	began := time.Now()
	first := true
	g.Go(safely(func() error {
		return listPages(ctx, api, t, func(page []listed, skipped []string, last bool) {
			res.Skipped = append(res.Skipped, skipped...)
			var wanted []listed
			for _, s := range page {
				if want != nil && !want(s.Key) {
					res.Unwanted = append(res.Unwanted, s.Key)
					continue
				}
				wanted = append(wanted, s)
			}
			if first && len(wanted) > 0 && !f.NoSpeculation {
				// The first page's secrets: take what the speculative batch
				// has. When the listing is this one page, wait for it — that
				// is the one round trip; with more pages, only if it is in.
				var r *specResult
				if last {
					r = awaitSpec(ctx, spec, time.Since(began))
				} else {
					select {
					case r = <-spec:
					default:
					}
				}
				if r != nil {
					var got []Secret
					got, wanted = r.take(wanted)
					mu.Lock()
					values = append(values, got...)
					mu.Unlock()
				}
			}
			first = false
			for chunk := range slices.Chunk(wanted, batchSize) {
				g.Go(safely(func() error {
					select {
					case sem <- struct{}{}:
					case <-ctx.Done():
						return CallError("BatchGetSecretValue", ctx.Err())
					}
					defer func() { <-sem }()
					got, _, errs, err := q.values(ctx, api, chunk, false)
					if err != nil {
						return err
					}
					mu.Lock()
					values = append(values, got...)
					failed = append(failed, errs...)
					mu.Unlock()
					return nil
				}))
			}
		})
	}))
	if err := waitAll(g, &failed); err != nil {
		return nil, err
	}
	sort.Slice(values, func(i, j int) bool { return values[i].Key < values[j].Key })
	sort.Strings(res.Skipped)
	sort.Strings(res.Unwanted)
	res.Secrets = values
	return res, nil
}

// waitAll waits for g's batches, then returns the first call error, or
// the per-secret failures they collected in *failed, sorted: a fetch that
// lost any wanted secret fails as a whole.
func waitAll(g *errgroup.Group, failed *SecretErrors) error {
	if err := g.Wait(); err != nil {
		return err
	}
	if len(*failed) > 0 {
		failed.sort()
		return *failed
	}
	return nil
}

// safely runs f, turning a panic into an error without detail: the panic
// value could hold a secret, and a goroutine's panic would otherwise end
// keep with the value and a stack trace on stderr.
func safely(f func() error) func() error {
	return func() (err error) {
		defer func() {
			if recover() != nil {
				err = &Error{
					Msg:  "internal error while reading secrets (details withheld: they could contain a secret)",
					Help: "this is a bug; please report it with the command you ran",
				}
			}
		}()
		return f()
	}
}

func (f *Fetcher) concurrency() int {
	if f.Concurrency > 0 {
		return f.Concurrency
	}
	return DefaultConcurrency
}

// countingAPI counts calls, for --verbose and for tests.
type countingAPI struct {
	API
	list, batch, get atomic.Int64
}

func (c *countingAPI) ListSecrets(ctx context.Context, in *secretsmanager.ListSecretsInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error) {
	c.list.Add(1)
	return c.API.ListSecrets(ctx, in, opts...)
}

func (c *countingAPI) BatchGetSecretValue(ctx context.Context, in *secretsmanager.BatchGetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.BatchGetSecretValueOutput, error) {
	c.batch.Add(1)
	return c.API.BatchGetSecretValue(ctx, in, opts...)
}

func (c *countingAPI) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.get.Add(1)
	return c.API.GetSecretValue(ctx, in, opts...)
}

func (c *countingAPI) calls() Calls {
	return Calls{ListSecrets: c.list.Load(), BatchGetSecretValue: c.batch.Load(), GetSecretValue: c.get.Load()}
}

// Keys lists the KEYs of the secrets that belong to t, without fetching a
// value: ListSecrets pages only.
func (f *Fetcher) Keys(ctx context.Context, t Target) ([]string, error) {
	var keys []string
	err := listPages(ctx, f.API, t, func(page []listed, _ []string, _ bool) {
		for _, s := range page {
			keys = append(keys, s.Key)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("list secrets of %s in %s: %w", t, f.Region, err)
	}
	sort.Strings(keys)
	return keys, nil
}
