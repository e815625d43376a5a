package fetch

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"
)

// byNameConcurrency bounds the BatchGetSecretValue calls ByName has in
// flight: 1000 secrets in one burst of 50 calls, which stays below the
// ~100 requests per second AWS allows. The list path needs fewer, since
// its pages arrive one at a time.
const byNameConcurrency = 50

// Named is what ByName found.
type Named struct {
	// Secrets by KEY, for the keys that exist.
	Secrets map[string]Secret
	// Missing are the keys with no such secret (or one scheduled for
	// deletion), sorted.
	Missing []string
	Calls   Calls
}

// ByName fetches the secrets of t named by keys with BatchGetSecretValue,
// all chunks of 20 at once (up to byNameConcurrency): one round trip, with
// no listing. Names are
// built as on the list path (Target.SecretName), so the exact tag check is
// not needed: the name alone places a secret in (namespace, env). A key
// Secrets Manager reports as not found is Missing; any other failure for a
// key fails the call, as on the list path.
func (f *Fetcher) ByName(ctx context.Context, t Target, keys []string) (*Named, error) {
	api := &countingAPI{API: f.API}
	res, err := f.byName(ctx, api, t, keys)
	if err != nil {
		return nil, fmt.Errorf("read secrets of %s in %s: %w", t, f.Region, err)
	}
	res.Calls = api.calls()
	return res, nil
}

func (f *Fetcher) byName(ctx context.Context, api API, t Target, keys []string) (*Named, error) {
	want := make([]listed, 0, len(keys))
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if !ValidKey(k) {
			return nil, &Error{Msg: fmt.Sprintf("invalid secret key %q", k), Help: "a KEY is 1-255 letters, digits, '_' or '-', not starting with '-'"}
		}
		want = append(want, listed{Key: k, Name: t.SecretName(k)})
	}
	res := &Named{Secrets: map[string]Secret{}}
	var (
		mu     sync.Mutex
		failed SecretErrors
	)
	g, ctx := errgroup.WithContext(ctx)
	limit := byNameConcurrency
	if f.Concurrency > 0 {
		limit = f.Concurrency
	}
	g.SetLimit(limit)
	for chunk := range slices.Chunk(want, batchSize) {
		g.Go(safely(func() error {
			got, missing, errs, err := batchGet(ctx, api, chunk, true)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range got {
				res.Secrets[s.Key] = s
			}
			res.Missing = append(res.Missing, missing...)
			failed = append(failed, errs...)
			return nil
		}))
	}
	if err := waitAll(g, &failed); err != nil {
		return nil, err
	}
	sort.Strings(res.Missing)
	return res, nil
}
