package fetch

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// How keep retries. keep makes a handful of calls and exits, and --timeout
// bounds everything before the child starts, so it splits the SDK's one
// budget (3 attempts for any retryable error, up to 20 s apart) in two:
//
//   - Throttling means Secrets Manager is up but busy, typically because a
//     fleet of containers is starting at once, each keep asking for its
//     secrets, and the account's quota (100 ListSecrets a second) is what
//     it waits for: 10,000 starts need 100 s of it. keep waits its turn
//     until --timeout: throttleMaxAttempts is a bound only for a call
//     without a deadline. Each delay is the SDK's full jitter for
//     throttling (a random delay of up to 1 s, then up to 2 s, …) capped
//     at throttleMaxBackoff, so that a process still waiting late in the
//     herd asks again within seconds, not after up to 20, and the herd's
//     retries never fall into step. A throttled retry takes nothing from
//     the SDK's retry quota (below): a start that waits a minute for its
//     turn must not run out of retries while it still has time.
//   - Any other retryable error (500, 502, 503, a reset connection) ends
//     the call once otherMaxAttempts attempts of any kind were made (the
//     SDK's 3, 50 ms base): a broken endpoint fails fast, even after
//     throttled attempts.
//
// --timeout bounds both; a call it ends between retries names what it was
// retrying (see attempts.go). See docs/reliability.md ("Load") for the
// herd the backoff cap was tuned on, and docs/scale.md for fleets of up to
// 10,000 starts.
//
// The SDK's retry quota stays for the other errors: a client-side token
// bucket of 500 tokens from which such a retry takes 14 and to which a
// successful retry gives its cost back, which stops a large fetch against
// a failing endpoint from retrying for all of --timeout.
//
// Retries the user configured win: with AWS_RETRY_MODE or AWS_MAX_ATTEMPTS
// (or retry_mode or max_attempts in the profile) set, the client gets the
// SDK's own retryer with those settings.
const (
	throttleMaxAttempts = 10000
	throttleMaxBackoff  = 2 * time.Second
	otherMaxAttempts    = retry.DefaultMaxAttempts
)

// retryer is the SDK's standard retryer with keep's two budgets.
type retryer struct {
	*retry.Standard
	throttle retry.IsErrorThrottle
}

func newRetryer() aws.Retryer {
	return &retryer{
		Standard: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = throttleMaxAttempts
			o.MaxBackoff = throttleMaxBackoff
			o.ThrottlingRetryCost = 0
		}),
		throttle: retry.IsErrorThrottles(retry.DefaultThrottles),
	}
}

// RetryDelay is the standard retryer's delay, except that an error other
// than throttling gets no retry after otherMaxAttempts attempts: the call
// then fails with the attempt's error, as it would out of attempts.
func (r *retryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if attempt >= otherMaxAttempts && r.throttle.IsErrorThrottle(err) != aws.TrueTernary {
		return 0, &retry.MaxAttemptsError{Attempt: attempt, Err: err}
	}
	return r.Standard.RetryDelay(attempt, err)
}

// WithRetries gives a client keep's retries, as NewClient does: the
// retryer above and the record of failed attempts that lets CallError
// name what a timed-out call was retrying. For clients built without
// NewClient: the fleet simulation's, tests'.
func WithRetries(o *secretsmanager.Options) {
	o.Retryer = newRetryer()
	o.APIOptions = append(o.APIOptions, recordAttempts)
}
