package fetch

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"
)

// Quota-aware fetching. Secrets Manager's request quotas are per account
// and region: BatchGetSecretValue 100 a second, GetSecretValue 10,000. A
// fleet of keep starts empties the first in a second while the second sits
// idle, so once BatchGetSecretValue is throttled, a fetch that knows its
// names (a template, or a listed page) reads their values with concurrent
// GetSecretValue calls instead of waiting for the small bucket.
//
// The rule, measured by the fleet simulation (docs/scale.md):
//
//   - A batch is sent as before, but its throttled attempt is not retried:
//     throttling is the answer, and the chunk's secrets are read with
//     GetSecretValue at once.
//   - Throttling seen once — that batch, or the speculative one raced
//     against the listing — sends every later chunk of the same fetch
//     straight to GetSecretValue: no call goes into a bucket already seen
//     empty.
//   - Nothing changes where nothing is throttled: one batch per 20 secrets,
//     and a single start stays at its floor of one round trip.
//   - GetSecretValue calls go getConcurrency at once, so that a throttled
//     chunk costs the round trip its batch would have. When that bucket is
//     throttled too (a fleet of thousands reading by name), each throttled
//     attempt halves the fetch's limit, down to one call in flight, and
//     each call that succeeds raises it by one again; the throttled call
//     waits for its retry without its slot (quota.get). The bucket is a
//     hundred times larger, and there is nowhere else to go: the limit
//     only keeps a start from retrying twenty calls at once into it.

// getConcurrency bounds the GetSecretValue calls a fetch has in flight:
// a batch's worth, and 200 secrets in ten round trips.
const getConcurrency = batchSize

// quota is what one fetch learned about the account's quotas.
type quota struct {
	batchThrottled atomic.Bool
	gets           *limiter // GetSecretValue calls in flight
	off            bool     // Fetcher.BatchOnly: the fallback is off
	// getThrottled is the first throttled GetSecretValue of the fetch: a
	// call that --timeout ends was held back by it, whichever call got it
	// (the calls share the limiter), so its error names it.
	getThrottled atomic.Pointer[error]
}

func newQuota(batchOnly bool) *quota {
	return &quota{gets: newLimiter(getConcurrency), off: batchOnly}
}

// values reads want (at most batchSize, all by ARN or all byName) as
// batchGet does — with BatchGetSecretValue while it is not throttled, else
// with GetSecretValue — and returns what batchGet returns.
func (q *quota) values(ctx context.Context, api API, want []listed, byName bool) ([]Secret, []string, SecretErrors, error) {
	if q.off {
		return batchGet(ctx, api, want, byName)
	}
	if !q.batchThrottled.Load() {
		got, missing, failed, err := batchGet(ctx, api, want, byName, noThrottleRetries)
		if err == nil || !Throttled(err) {
			return got, missing, failed, err
		}
		q.batchThrottled.Store(true)
	}
	return q.getEach(ctx, api, want, byName)
}

// sawThrottling records a throttled call to BatchGetSecretValue made
// elsewhere (the speculative batch).
func (q *quota) sawThrottling(err error) {
	if err != nil && Throttled(err) {
		q.batchThrottled.Store(true)
	}
}

// Throttled reports whether err is, or wraps, a throttling error.
func Throttled(err error) bool {
	return throttles.IsErrorThrottle(err) == aws.TrueTernary
}

var throttles = retry.IsErrorThrottles(retry.DefaultThrottles)

// noThrottleRetries makes a throttled attempt of the call its last; other
// errors are retried as before.
func noThrottleRetries(o *secretsmanager.Options) {
	if r, ok := o.Retryer.(aws.RetryerV2); ok {
		o.Retryer = throttleFinalV2{r}
		return
	}
	o.Retryer = throttleFinal{o.Retryer}
}

type throttleFinal struct{ aws.Retryer }

func (r throttleFinal) IsErrorRetryable(err error) bool {
	return !Throttled(err) && r.Retryer.IsErrorRetryable(err)
}

type throttleFinalV2 struct{ aws.RetryerV2 }

func (r throttleFinalV2) IsErrorRetryable(err error) bool {
	return !Throttled(err) && r.RetryerV2.IsErrorRetryable(err)
}

// getEach reads want with one GetSecretValue each, at most getConcurrency
// of the fetch's at once, and returns what batchGet would: by name, a
// secret that does not exist or is scheduled for deletion is missing; a
// per-secret refusal (access denied, decryption failure, …) is a
// SecretError; any other failure is the call's error.
func (q *quota) getEach(ctx context.Context, api API, want []listed, byName bool) (secrets []Secret, missing []string, failed SecretErrors, err error) {
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for _, s := range want {
		g.Go(safely(func() error {
			id := s.ARN
			if byName {
				id = s.Name
			}
			out, err := q.get(gctx, api, id)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				code, msg, perSecret := secretFailure(err)
				switch {
				case !perSecret:
					return CallError("GetSecretValue", err)
				case byName && (code == "ResourceNotFoundException" || ScheduledForDeletion(code, msg)):
					missing = append(missing, s.Key)
				default:
					failed = append(failed, &SecretError{Name: s.Name, Code: code, Message: msg})
				}
			case !byName && aws.ToString(out.ARN) != s.ARN, byName && aws.ToString(out.Name) != s.Name:
				// As batchGet: an answer for another secret is none.
				failed = append(failed, &SecretError{Name: s.Name, Code: CodeNotReturned, Message: "the answer named another secret"})
			case out.SecretString != nil:
				secrets = append(secrets, Secret{Key: s.Key, Name: s.Name, ARN: aws.ToString(out.ARN), Value: *out.SecretString, VersionID: aws.ToString(out.VersionId), Created: aws.ToTime(out.CreatedDate)})
			case out.SecretBinary != nil:
				failed = append(failed, &SecretError{Name: s.Name, Code: CodeBinary, Message: "the secret holds binary data"})
			default:
				failed = append(failed, &SecretError{Name: s.Name, Code: CodeNoValue, Message: "the secret has no string value"})
			}
			return nil
		}))
	}
	if err := g.Wait(); err != nil {
		return nil, nil, nil, err
	}
	slices.Sort(missing)
	return secrets, missing, failed, nil
}

// secretFailure tells a GetSecretValue error about the one secret — what
// BatchGetSecretValue reports in its Errors — from a failed call: its code
// and message, and whether it is the secret's.
func secretFailure(err error) (code, msg string, perSecret bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "", "", false
	}
	switch ae.(type) {
	case *types.ResourceNotFoundException, *types.DecryptionFailure, *types.InvalidRequestException:
		return ae.ErrorCode(), ae.ErrorMessage(), true
	}
	if ae.ErrorCode() == "AccessDeniedException" {
		return ae.ErrorCode(), ae.ErrorMessage(), true
	}
	return "", "", false
}

// get is one GetSecretValue within q's limit. A throttled attempt gives
// its slot back, lowers the limit and holds the fetch's calls back for the
// retryer's full-jitter delay (capped at throttleMaxBackoff), then tries
// again when a slot is free; other errors are retried by the client as
// usual.
func (q *quota) get(ctx context.Context, api API, id string) (*secretsmanager.GetSecretValueOutput, error) {
	var last error // the last throttled attempt's
	for attempt := 1; ; attempt++ {
		if err := q.gets.acquire(ctx); err != nil {
			return nil, q.retried(err, last)
		}
		out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)}, noThrottleRetries)
		if err == nil || !Throttled(err) || attempt >= throttleMaxAttempts {
			q.gets.release(err == nil)
			if err != nil && ctx.Err() != nil {
				err = q.retried(err, last)
			}
			return out, err
		}
		last = err
		q.getThrottled.CompareAndSwap(nil, &err)
		q.gets.throttled(time.Duration(rand.Float64() * float64(min(time.Second<<min(attempt-1, 10), throttleMaxBackoff))))
	}
}

// retried is err, which ended a GetSecretValue call when ctx did, named
// as a timeout while retrying after throttling: last (this call's
// throttled attempt), or else the fetch's first one. Without either it is
// err itself.
func (q *quota) retried(err, last error) error {
	if last == nil {
		if p := q.getThrottled.Load(); p != nil {
			last = *p
		}
	}
	if last == nil {
		return err
	}
	return &retriedError{err: err, last: last}
}
