package fetch

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/errgroup"
)

// maxFilterValues is the most values one ListSecrets filter takes.
const maxFilterValues = 10

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
// no listing. Names are built as on the list path (Target.SecretName), so
// the exact tag check is not needed: the name alone places a secret in
// (namespace, env). A key may be any KEY the list path reads (a template's
// {vault:Mixed-Case.x}, a listed "a/b"), but one with '/' is ambiguous by
// name alone (it could be another vault's scoped secret, see
// Target.Match): ByName lists those by name at the same time, and one
// found but not listed as t's fails with CodeNotPlaced. Once
// BatchGetSecretValue is throttled, the chunks are read with GetSecretValue
// instead (quota.go). A key Secrets
// Manager reports as not found is Missing; any other failure for a key
// fails the call, as on the list path.
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
	var nested []string // names of the keys with '/'
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if !readableKey(k) {
			return nil, &Error{Msg: fmt.Sprintf("invalid secret key %q", k), Help: "a KEY is letters, digits and _+=.@- in segments separated by single '/'"}
		}
		want = append(want, listed{Key: k, Name: t.SecretName(k)})
		if strings.Contains(k, "/") {
			nested = append(nested, t.SecretName(k))
		}
	}
	res := &Named{Secrets: map[string]Secret{}}
	var (
		mu     sync.Mutex
		failed SecretErrors
		placed map[string]bool
	)
	g, ctx := errgroup.WithContext(ctx)
	limit := byNameConcurrency
	if f.Concurrency > 0 {
		limit = f.Concurrency
	}
	g.SetLimit(limit)
	q := newQuota(f.BatchOnly)
	if len(nested) > 0 {
		g.Go(safely(func() (err error) {
			placed, err = listedNames(ctx, api, t, nested)
			return err
		}))
	}
	for chunk := range slices.Chunk(want, batchSize) {
		g.Go(safely(func() error {
			got, missing, errs, err := q.values(ctx, api, chunk, true)
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
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, name := range nested {
		key := strings.TrimPrefix(name, t.Prefix())
		if _, found := res.Secrets[key]; found && !placed[name] {
			delete(res.Secrets, key)
			failed = append(failed, NotPlaced(t, key))
		}
	}
	if len(failed) > 0 {
		failed.sort()
		return nil, failed
	}
	sort.Strings(res.Missing)
	return res, nil
}

// listedNames lists the secrets of names (all under t's prefix) and
// returns those that belong to t by the list path's exact check.
func listedNames(ctx context.Context, api API, t Target, names []string) (map[string]bool, error) {
	placed := map[string]bool{}
	wanted := map[string]bool{}
	for _, n := range names {
		wanted[n] = true
	}
	for chunk := range slices.Chunk(names, maxFilterValues) {
		in := &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(listPageSize), Filters: namedFilters(chunk...)}
		err := eachListPage(ctx, api, in, func(out *secretsmanager.ListSecretsOutput, _ bool) error {
			for _, e := range out.SecretList {
				if _, ok := t.Match(e); ok && wanted[aws.ToString(e.Name)] {
					placed[aws.ToString(e.Name)] = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return placed, nil
}

// NotPlaced is the error for the secret of key, a KEY with '/', found by
// name but not listed as one of t's: it may be another vault's scoped
// secret, so keep does not read it (see ByName).
func NotPlaced(t Target, key string) *SecretError {
	return &SecretError{Name: t.SecretName(key), Code: CodeNotPlaced,
		Message: fmt.Sprintf("its KEY %s has a '/' and the secret is not listed as one of %s", key, t)}
}
