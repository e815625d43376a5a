package fetch

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A deadline already past when the client is made is not blamed on the
// credentials, which here are static.
func TestNewClientAfterTheDeadline(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/keep-test/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/keep-test/credentials")
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, region, err := NewClient(ctx, "", "")
	if err == nil || strings.Contains(err.Error(), "credentials") || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("NewClient after the deadline: %v; want a time-out that does not blame the credentials", err)
	}
	if region != "us-east-1" {
		t.Errorf("region %q with the error, want us-east-1", region)
	}
}
