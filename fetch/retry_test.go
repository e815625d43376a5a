package fetch

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/keep-run/keep/internal/smfake"
)

// keep's retryer: throttling gets throttleMaxAttempts attempts at most
// throttleMaxBackoff apart, free of the retry quota; any other error the
// SDK's 3.
func TestRetryBudgets(t *testing.T) {
	r := newRetryer()
	if got := r.MaxAttempts(); got != throttleMaxAttempts {
		t.Errorf("MaxAttempts() = %d, want %d", got, throttleMaxAttempts)
	}
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	for attempt := 1; attempt < throttleMaxAttempts; attempt++ {
		d, err := r.RetryDelay(attempt, throttled)
		if err != nil || d < 0 || d > throttleMaxBackoff {
			t.Fatalf("throttled attempt %d: delay %s, %v; want at most %s", attempt, d, err, throttleMaxBackoff)
		}
	}
	// A start that waits its turn in a fleet must not run out of the SDK's
	// retry quota (500 tokens) while --timeout lasts.
	for i := range 1000 {
		if _, err := r.GetRetryToken(context.Background(), throttled); err != nil {
			t.Fatalf("throttled retry %d: %v", i+1, err)
		}
	}
	failed := &smithy.GenericAPIError{Code: "InternalFailure", Message: "boom"}
	for attempt := 1; attempt < otherMaxAttempts; attempt++ {
		if d, err := r.RetryDelay(attempt, failed); err != nil || d > 200*time.Millisecond {
			t.Errorf("failed attempt %d: delay %s, %v; want a retry within 200ms", attempt, d, err)
		}
	}
	_, err := r.RetryDelay(otherMaxAttempts, failed)
	var mae *retry.MaxAttemptsError
	var ae smithy.APIError
	if !errors.As(err, &mae) || !errors.As(err, &ae) || ae.ErrorCode() != "InternalFailure" {
		t.Errorf("attempt %d of a failure: %v, want a MaxAttemptsError wrapping it", otherMaxAttempts, err)
	}
}

// NewClient uses keep's retryer unless the user configured retries.
func TestNewClientRetryer(t *testing.T) {
	srv := smfake.New()
	defer srv.Close()
	for _, tc := range []struct {
		env  string
		mine bool
	}{{"", true}, {"AWS_MAX_ATTEMPTS=5", false}, {"AWS_RETRY_MODE=adaptive", false}, {"AWS_RETRY_MODE=standard", false}} {
		t.Run("env "+tc.env, func(t *testing.T) {
			for _, kv := range append(srv.Env(), "AWS_MAX_ATTEMPTS=", "AWS_RETRY_MODE=", tc.env) {
				if k, v, ok := strings.Cut(kv, "="); ok {
					t.Setenv(k, v)
				}
			}
			c, _, err := NewClient(context.Background(), "", "")
			if err != nil {
				t.Fatal(err)
			}
			_, mine := c.Options().Retryer.(*retryer)
			if mine != tc.mine {
				t.Errorf("with %q: keep's retryer = %v, want %v (%T)", tc.env, mine, tc.mine, c.Options().Retryer)
			}
		})
	}
}
