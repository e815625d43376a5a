package fetch

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/internal/smfake"
)

// A deadline that ends a call between retries names what was retried; one
// that ends the first attempt is a plain timeout.
func TestTimeoutNamesTheLastFailure(t *testing.T) {
	const leak = "sk_live_attempts_v4lue"
	target := Target{Namespace: "myapp", Env: "production"}
	for _, tc := range []struct {
		desc  string
		fault func(w http.ResponseWriter, r *http.Request, c smfake.Call)
		want  string
	}{
		{"throttled", func(w http.ResponseWriter, _ *http.Request, _ smfake.Call) {
			smfake.WriteFault(w, &smfake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"})
		}, "ListSecrets: timed out while retrying after ThrottlingException: Rate exceeded"},
		{"error page", func(w http.ResponseWriter, _ *http.Request, _ smfake.Call) {
			smfake.WriteFault(w, &smfake.Fault{Status: http.StatusServiceUnavailable, Body: "<html>" + leak + "</html>"})
		}, "ListSecrets: timed out while retrying after HTTP 503 Service Unavailable from the Secrets Manager endpoint"},
		{"throttled, then silent", func(w http.ResponseWriter, r *http.Request, c smfake.Call) {
			if c.N > 1 {
				smfake.Hang(r)
				return
			}
			smfake.WriteFault(w, &smfake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"})
		}, "ListSecrets: timed out while retrying after ThrottlingException: Rate exceeded"},
		{"silent", func(_ http.ResponseWriter, r *http.Request, _ smfake.Call) { smfake.Hang(r) }, "ListSecrets: timed out"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			srv := smfake.New()
			defer srv.Close()
			srv.Raw = func(w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
				tc.fault(w, r, c)
				return true
			}
			backoff := time.Hour
			if tc.desc == "throttled, then silent" {
				backoff = time.Millisecond
			}
			client := secretsmanager.New(srv.Client(WithPlainBody).Options(), func(o *secretsmanager.Options) {
				o.APIOptions = append(o.APIOptions, recordAttempts)
				o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
					so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return backoff, nil })
				})
			})
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			_, err := (&Fetcher{API: client, Region: smfake.Region, NoSpeculation: true}).List(ctx, target, nil)
			if err == nil {
				t.Fatal("List succeeded")
			}
			if !strings.HasSuffix(err.Error(), tc.want) {
				t.Errorf("error %q, want it to end in %q", err, tc.want)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %q does not wrap context.DeadlineExceeded", err)
			}
			var fe *Error
			if !errors.As(err, &fe) || !strings.Contains(fe.Hint(), "--timeout") {
				t.Errorf("error %q does not suggest --timeout", err)
			}
			if strings.Contains(err.Error()+fe.Hint(), leak) {
				t.Error("the error quotes the response body")
			}
		})
	}
}

// Transport faults in the middle of a response are named as such, not as a
// malformed response.
func TestTransportFaults(t *testing.T) {
	target := Target{Namespace: "myapp", Env: "production"}
	body := `{"SecretList":[{"Name":"myapp/production/A","ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:myapp/production/A-abcdef"}]}`
	for _, tc := range []struct {
		desc  string
		fault func(w http.ResponseWriter)
		want  string
	}{
		{"cut", func(w http.ResponseWriter) { smfake.Cut(w, body, 30) }, "ListSecrets: the response was cut short"},
		{"reset", func(w http.ResponseWriter) { smfake.Reset(w, body, 30) }, "ListSecrets: the connection failed in the middle of the response"},
		{"502 page", func(w http.ResponseWriter) {
			smfake.WriteFault(w, &smfake.Fault{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>"})
		}, "ListSecrets: HTTP 502 Bad Gateway from the Secrets Manager endpoint"},
		{"503 empty", func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) },
			"ListSecrets: HTTP 503 Service Unavailable from the Secrets Manager endpoint"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			srv := smfake.New()
			defer srv.Close()
			srv.Raw = func(w http.ResponseWriter, _ *http.Request, _ smfake.Call) bool {
				tc.fault(w)
				return true
			}
			client := secretsmanager.New(srv.Client(WithPlainBody).Options(), func(o *secretsmanager.Options) {
				o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
					so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
				})
			})
			_, err := (&Fetcher{API: client, Region: smfake.Region, NoSpeculation: true}).List(t.Context(), target, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
		})
	}
}
