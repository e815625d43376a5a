package fetch_test

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

func TestListAccessDenied(t *testing.T) {
	srv := newServer(t, keepSecrets(prod, 3)...)
	srv.Inject = faultOn("ListSecrets", &smfake.Fault{Code: "AccessDeniedException", Message: "not authorized to perform secretsmanager:ListSecrets"})

	err := listErr(t, fetcher(srv), prod)
	fe := asError(t, err)
	for _, want := range []string{"ListSecrets", "AccessDeniedException", smfake.Region, "myapp/production"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	for _, want := range []string{"ListSecrets", "BatchGetSecretValue"} {
		if !strings.Contains(fe.Hint(), want) {
			t.Errorf("hint %q does not mention %q", fe.Hint(), want)
		}
	}
	if n := srv.Count("BatchGetSecretValue"); n != 0 {
		t.Errorf("%d BatchGetSecretValue calls after a failed listing", n)
	}
}

func TestBatchAccessDenied(t *testing.T) {
	secrets := keepSecrets(prod, 3)
	srv := newServer(t, secrets...)
	srv.Inject = faultOn("BatchGetSecretValue", &smfake.Fault{Code: "AccessDeniedException", Message: "not authorized"})

	err := listErr(t, fetcher(srv), prod)
	fe := asError(t, err)
	if !strings.Contains(err.Error(), "BatchGetSecretValue: AccessDeniedException") {
		t.Errorf("error %q does not name BatchGetSecretValue and the code", err)
	}
	if !strings.Contains(fe.Hint(), "BatchGetSecretValue") {
		t.Errorf("hint %q does not mention BatchGetSecretValue", fe.Hint())
	}
	checkNoValues(t, err, secrets)
}

func TestSecretError(t *testing.T) {
	tests := []struct {
		desc   string
		secret smfake.Secret
		code   string
		hint   string
	}{
		{"decryption", smfake.Secret{ErrorCode: "DecryptionFailure"}, "DecryptionFailure", "kms:Decrypt"},
		{"access denied", smfake.Secret{ErrorCode: "AccessDeniedException"}, "AccessDeniedException", "secretsmanager:GetSecretValue"},
		{"binary", smfake.Secret{Binary: []byte("sk_live_binary_v4lue")}, fetch.CodeBinary, "SecretString"},
		{"other code", smfake.Secret{ErrorCode: "InternalServiceError"}, "InternalServiceError", "AWS error code"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			secrets := keepSecrets(prod, 25) // two batches
			bad := &secrets[21]
			bad.ErrorCode, bad.Binary = tt.secret.ErrorCode, tt.secret.Binary
			srv := newServer(t, secrets...)

			err := listErr(t, fetcher(srv), prod)
			oneSecretError(t, err, bad.Name, tt.code)
			if !strings.Contains(err.Error(), bad.Name) || !strings.Contains(err.Error(), tt.code) {
				t.Errorf("error %q does not name %s and %s", err, bad.Name, tt.code)
			}
			if h := hint(err); !strings.Contains(h, tt.hint) {
				t.Errorf("hint %q does not mention %q", h, tt.hint)
			}
			checkNoValues(t, err, append(secrets, smfake.Secret{Value: string(tt.secret.Binary)}))
		})
	}
}

func TestSecretDeletedWhileReading(t *testing.T) {
	secrets := keepSecrets(prod, 2)
	srv := newServer(t, secrets...)
	srv.Inject = func(op string, n int) *smfake.Fault {
		if op == "BatchGetSecretValue" {
			gone := secrets[1]
			gone.Deleted = true
			srv.Put(gone)
		}
		return nil
	}
	ses := oneSecretError(t, listErr(t, fetcher(srv), prod), secrets[1].Name, "ResourceNotFoundException")
	if !strings.Contains(ses.Hint(), "deleted") {
		t.Errorf("hint %q does not say the secret was deleted", ses.Hint())
	}
}

func TestSeveralSecretErrors(t *testing.T) {
	secrets := keepSecrets(prod, 65) // four batches, answered in any order
	var want []string
	for _, i := range []int{62, 3, 41, 20} {
		secrets[i].ErrorCode = "DecryptionFailure"
		want = append(want, secrets[i].Name)
	}
	slices.Sort(want)
	srv := newServer(t, secrets...)

	err := listErr(t, fetcher(srv), prod)
	ses := asSecretErrors(t, err)
	var names []string
	for _, e := range ses {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("SecretErrors names = %q, want %q", names, want)
	}
	if !strings.Contains(err.Error(), "4 secrets could not be read: "+strings.Join(want, " (DecryptionFailure), ")+" (DecryptionFailure)") {
		t.Errorf("error %q does not list the four names in order", err)
	}
	checkNoValues(t, err, secrets)
}

// A throttled ListSecrets is retried; a throttled BatchGetSecretValue is
// not, its secrets are read with GetSecretValue (quota_test.go).
func TestThrottlingRetried(t *testing.T) {
	secrets := keepSecrets(prod, 3)
	srv := newServer(t, secrets...)
	srv.Inject = func(op string, n int) *smfake.Fault {
		if n == 1 && op != "GetSecretValue" {
			return &smfake.Fault{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
		}
		return nil
	}
	f := &fetch.Fetcher{API: quickRetryClient(srv), Region: smfake.Region, NoSpeculation: true}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	res, err := f.List(ctx, prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets)
	if res.Calls != (fetch.Calls{ListSecrets: 1, BatchGetSecretValue: 1, GetSecretValue: 3}) {
		t.Errorf("Result.Calls = %+v, want one ListSecrets (retries count once), one batch and 3 GetSecretValue", res.Calls)
	}
	if l, b, g := srv.Count("ListSecrets"), srv.Count("BatchGetSecretValue"), srv.Count("GetSecretValue"); l != 2 || b != 1 || g != 3 {
		t.Errorf("server saw %d ListSecrets, %d BatchGetSecretValue and %d GetSecretValue, want 2, 1 and 3", l, b, g)
	}
}

func TestServerErrorFails(t *testing.T) {
	srv := newServer(t, keepSecrets(prod, 3)...)
	srv.Inject = func(string, int) *smfake.Fault {
		return &smfake.Fault{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "boom"}
	}
	f := &fetch.Fetcher{API: quickRetryClient(srv), Region: smfake.Region, NoSpeculation: true}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	_, err := f.List(ctx, prod, nil)
	if err == nil {
		t.Fatal("List succeeded against a failing server")
	}
	asError(t, err)
	if !strings.Contains(err.Error(), "ListSecrets: InternalFailure") {
		t.Errorf("error %q does not name ListSecrets and InternalFailure", err)
	}
	if n := srv.Count("ListSecrets"); n != retry.DefaultMaxAttempts {
		t.Errorf("%d ListSecrets attempts, want %d (the SDK's retries)", n, retry.DefaultMaxAttempts)
	}
}

func TestMalformedResponse(t *testing.T) {
	const leak = "sk_live_l34ked_v4lue"
	tests := []struct {
		desc, op, body string
		status         int
	}{
		{"list truncated", "ListSecrets", `{"SecretList":[{"Name":"myapp/production/X","SecretString":"` + leak, 200},
		{"list wrong type", "ListSecrets", `{"SecretList":"` + leak + `"}`, 200},
		{"list html", "ListSecrets", `<html>` + leak + `</html>`, 200},
		{"list error truncated", "ListSecrets", `{"__type":"` + leak, 400},
		{"batch truncated", "BatchGetSecretValue", `{"SecretValues":[{"ARN":"x","SecretString":"` + leak, 200},
		{"batch wrong type", "BatchGetSecretValue", `{"SecretValues":[{"ARN":"x","SecretString":["` + leak + `"]}]}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			srv := newServer(t, keepSecrets(prod, 2)...)
			srv.Inject = faultOn(tt.op, &smfake.Fault{Status: tt.status, Body: tt.body})

			err := listErr(t, fetcher(srv), prod)
			asError(t, err)
			if !strings.Contains(err.Error(), tt.op) {
				t.Errorf("error %q does not name %s", err, tt.op)
			}
			if strings.Contains(err.Error(), leak) || strings.Contains(hint(err), leak) {
				t.Errorf("error echoes the response body (%d bytes of message)", len(err.Error()))
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	srv := newServer(t, keepSecrets(prod, 3)...)
	srv.Latency = 2 * time.Second
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err := fetcher(srv).List(ctx, prod, nil)
	if err == nil {
		t.Fatal("List succeeded past its deadline")
	}
	if d := time.Since(start); d >= srv.Latency {
		t.Errorf("List returned after %v, not at its deadline", d)
	}
	asError(t, err)
	if !strings.Contains(err.Error(), "ListSecrets: timed out") {
		t.Errorf("error %q does not say ListSecrets timed out", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %q does not wrap context.DeadlineExceeded", err)
	}
}

// A deadline while batches wait for a concurrency slot must still read as a
// timeout, whichever goroutine notices first.
func TestDeadlineWhileBatchesQueued(t *testing.T) {
	for range 5 {
		srv := newServer(t, keepSecrets(prod, 250)...)
		srv.Latency = 100 * time.Millisecond
		f := fetcher(srv)
		f.Concurrency = 1
		ctx, cancel := context.WithTimeout(t.Context(), 250*time.Millisecond)

		_, err := f.List(ctx, prod, nil)
		cancel()
		if err == nil {
			t.Fatal("List succeeded past its deadline")
		}
		asError(t, err)
		if !strings.Contains(err.Error(), "timed out") {
			t.Fatalf("error %q does not say it timed out", err)
		}
	}
}

func TestCanceled(t *testing.T) {
	srv := newServer(t, keepSecrets(prod, 3)...)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := listErr(t, fetcher(srv), prod, ctx)
	asError(t, err)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("error %q is not a cancellation", err)
	}
}

// listErr runs List (with ctx, or the test's context) and returns its error,
// failing the test if there is none.
func listErr(t *testing.T, f *fetch.Fetcher, target fetch.Target, ctx ...context.Context) error {
	t.Helper()
	c := t.Context()
	if len(ctx) > 0 {
		c = ctx[0]
	}
	c, cancel := context.WithTimeout(c, 10*time.Second)
	defer cancel()
	res, err := f.List(c, target, nil)
	if err == nil {
		t.Fatalf("List succeeded with %d secrets, want an error", len(res.Secrets))
	}
	return err
}

// faultOn answers every op request with f.
func faultOn(op string, f *smfake.Fault) func(string, int) *smfake.Fault {
	return func(o string, _ int) *smfake.Fault {
		if o == op {
			return f
		}
		return nil
	}
}

func asError(t *testing.T, err error) *fetch.Error {
	t.Helper()
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %q (%T) is not a *fetch.Error", err, err)
	}
	return fe
}

func asSecretErrors(t *testing.T, err error) fetch.SecretErrors {
	t.Helper()
	var ses fetch.SecretErrors
	if !errors.As(err, &ses) {
		t.Fatalf("error %q (%T) is not a fetch.SecretErrors", err, err)
	}
	return ses
}

// oneSecretError stops the test unless err is a fetch.SecretErrors of one
// error with code, for the secret named name ("" for any secret), and
// returns it.
func oneSecretError(t *testing.T, err error, name, code string) fetch.SecretErrors {
	t.Helper()
	ses := asSecretErrors(t, err)
	if len(ses) != 1 || name != "" && ses[0].Name != name || ses[0].Code != code {
		t.Fatalf("SecretErrors = %v, want one, %s, for %s", ses, code, cmp.Or(name, "any secret"))
	}
	return ses
}

// hint is what keep's main prints under the error.
func hint(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// checkNoValues fails if the error or its hint holds any secret's value.
func checkNoValues(t *testing.T, err error, secrets []smfake.Secret) {
	t.Helper()
	text := err.Error() + "\n" + hint(err)
	for _, s := range secrets {
		if s.Value != "" && strings.Contains(text, s.Value) {
			t.Errorf("the error shows the value of %s", s.Name)
		}
	}
}

// quickRetryClient is smfake's SDK client with the standard retryer but
// without its backoff (up to seconds per retry), to keep tests fast.
func quickRetryClient(srv *smfake.Server) *secretsmanager.Client {
	return secretsmanager.New(srv.Client(fetch.WithPlainBody).Options(), func(o *secretsmanager.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		})
	})
}
