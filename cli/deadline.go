package cli

import (
	"context"
	"fmt"
	"time"
)

// deadline is parent bounded by a command's --timeout. A timeout that is
// not positive would end the command before it starts: a usage error.
func deadline(parent context.Context, timeout time.Duration) (context.Context, context.CancelFunc, error) {
	if timeout <= 0 {
		return nil, nil, &Error{Msg: fmt.Sprintf("--timeout must be positive, not %s", timeout), Help: "e.g. --timeout=30s (the default for most commands) or --timeout=2m"}
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	return ctx, cancel, nil
}
