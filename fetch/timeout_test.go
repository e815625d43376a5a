package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// Issue 18, point 10: a hanging endpoint with --timeout longer than the
// response header timeout said "ListSecrets: timed out while retrying
// after timed out", with the --timeout hint twice. An attempt that timed
// out itself makes the plain timeout: one clear line, one hint.
func TestTimeoutAfterTimedOutAttempt(t *testing.T) {
	for _, last := range []error{
		&url.Error{Op: "Post", URL: "http://127.0.0.1:1/", Err: fmt.Errorf("net/http: timeout awaiting response headers: %w", context.DeadlineExceeded)},
		&url.Error{Op: "Post", URL: "http://127.0.0.1:1/", Err: timeoutErr{}},
	} {
		err := CallError("ListSecrets", &retriedError{err: context.DeadlineExceeded, last: last})
		var fe *Error
		if !errors.As(err, &fe) {
			t.Fatalf("%T %v", err, err)
		}
		if fe.Msg != "ListSecrets: timed out" {
			t.Errorf("message %q, want \"ListSecrets: timed out\"", fe.Msg)
		}
		if n := strings.Count(fe.Help, "--timeout"); n != 1 {
			t.Errorf("hint %q names --timeout %d times", fe.Help, n)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Error("the error does not wrap context.DeadlineExceeded")
		}
	}
}

// timeoutErr is a net.Error that timed out (an i/o timeout).
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
