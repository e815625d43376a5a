package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestPanicReportWithholdsValues(t *testing.T) {
	const secret = "panic-secret-value-42"
	for _, v := range []any{
		secret,
		fmt.Errorf("wrapped: %s", secret),
		errors.New(secret),
		struct{ V string }{secret},
	} {
		if got := panicReport(v); strings.Contains(got, secret) {
			t.Errorf("panic report for %T shows the value", v)
		}
	}
	var s []string
	got := func() (r any) {
		defer func() { r = recover() }()
		_ = s[3]
		return nil
	}()
	if report := panicReport(got); !strings.Contains(report, "index out of range") {
		t.Errorf("runtime panic report lacks the runtime's message: %q", report)
	}
}
