package fetch

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// The speculative batch: one BatchGetSecretValue with the listing's
// filters (MaxResults 20), sent at the same time as the first ListSecrets
// page. When the listing fits in that page — most apps have 20 secrets or
// fewer — the values are then already here: one round trip in all.
//
// It never decides anything alone. Membership still comes from the
// listing's exact tag check; its values for other secrets are dropped; its
// Errors are ignored (a wanted secret it did not return is fetched by ARN
// as usual, and that fetch decides); and when it fails — throttled, or
// rejected as moto rejects it when a matching secret is scheduled for
// deletion — keep carries on as without it. When the listing has more
// pages, its values serve the first page if they are in by then; it is
// never cancelled, so its connection returns to the pool.

// specWaitMin is the least keep waits for the speculative batch once the
// listing is in, before fetching by ARN instead.
const specWaitMin = 50 * time.Millisecond

// specResult is what the speculative batch got: string values by ARN.
type specResult struct {
	values map[string]secretValue
}

type secretValue struct {
	value, versionID string
	created          time.Time
}

// speculate sends the speculative batch, without retries: a throttled
// attempt is simply not used, and tells q that BatchGetSecretValue is
// throttled. It returns nil on any failure, a panic included (whose value,
// which could hold a secret, is dropped).
func speculate(ctx context.Context, api API, t Target, q *quota) (r *specResult) {
	defer func() {
		if recover() != nil {
			r = nil
		}
	}()
	out, err := api.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{
		Filters:    listFilters(t),
		MaxResults: aws.Int32(batchSize),
	}, func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		q.sawThrottling(err)
		return nil
	}
	r = &specResult{values: map[string]secretValue{}}
	for _, v := range out.SecretValues {
		if v.ARN == nil || v.SecretString == nil {
			continue
		}
		if _, dup := r.values[*v.ARN]; !dup { // the first copy wins, as in batchGet
			r.values[*v.ARN] = secretValue{value: *v.SecretString, versionID: aws.ToString(v.VersionId), created: aws.ToTime(v.CreatedDate)}
		}
	}
	return r
}

// take returns the secrets of want that r holds values for, and the rest.
func (r *specResult) take(want []listed) (got []Secret, rest []listed) {
	for _, s := range want {
		if v, ok := r.values[s.ARN]; ok {
			got = append(got, Secret{Key: s.Key, Name: s.Name, ARN: s.ARN, Value: v.value, VersionID: v.versionID, Created: v.created})
		} else {
			rest = append(rest, s)
		}
	}
	return got, rest
}

// awaitSpec waits for the speculative batch for as long as the listing took
// (at least specWaitMin): sent together, they should land together. It
// returns nil when the batch failed or is late.
func awaitSpec(ctx context.Context, spec <-chan *specResult, listTook time.Duration) *specResult {
	wait := max(listTook, specWaitMin)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case r := <-spec:
		return r
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil
}
