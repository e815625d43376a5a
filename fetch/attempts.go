package fetch

import (
	"context"

	"github.com/aws/smithy-go/middleware"
)

// When --timeout ends a call while the SDK is between retries, all the SDK
// reports is the deadline, though the cause is what it was retrying:
// throttling, a 503, a reset connection. recordAttempts keeps the last
// failed attempt's error, so that CallError can name it.

type attemptsKey struct{}

// attempts is one call's record of its failed attempts.
type attempts struct {
	last error // the last attempt that failed before the call's deadline
}

// retriedError is a call that ran out of time after failed attempts.
type retriedError struct {
	err  error // what the call returned: its context's error
	last error // the last failed attempt's error
}

func (e *retriedError) Error() string { return e.err.Error() }

// Unwrap is the call's own error only: last may quote a response body.
func (e *retriedError) Unwrap() error { return e.err }

// recordAttempts adds to a call's middleware stack a step outside the
// retry loop, which gives the call its record and wraps a deadline error
// in a retriedError, and a step inside, which records each failed attempt.
func recordAttempts(stack *middleware.Stack) error {
	outer := middleware.InitializeMiddlewareFunc("keepAttempts", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		a := &attempts{}
		out, md, err := next.HandleInitialize(context.WithValue(ctx, attemptsKey{}, a), in)
		if err != nil && ctx.Err() != nil && a.last != nil {
			err = &retriedError{err: err, last: a.last}
		}
		return out, md, err
	})
	if err := stack.Initialize.Add(outer, middleware.Before); err != nil {
		return err
	}
	inner := middleware.FinalizeMiddlewareFunc("keepAttempt", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		if a, ok := ctx.Value(attemptsKey{}).(*attempts); ok && err != nil && ctx.Err() == nil {
			a.last = err // attempts of one call run one after the other
		}
		return out, md, err
	})
	return stack.Finalize.Insert(inner, "Retry", middleware.After)
}
