//go:build linux

package e2e

import (
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/smfake"
)

// Faults moto cannot produce, served by smfake through the real SDK.

func fakeSecret(ns, env, key, value string) smfake.Secret {
	values.Store(value, true)
	return smfake.Secret{Name: ns + "/" + env + "/" + key, Value: value,
		Tags: map[string]string{"ManagedBy": "Keep", "Namespace": ns, "Environment": env}}
}

func TestRunAccessDeniedOnListSecrets(t *testing.T) {
	t.Parallel()
	srv := smfake.New(fakeSecret("app", "production", "DB", "denied-db-value"))
	defer srv.Close()
	srv.Inject = func(op string, n int) *smfake.Fault {
		if op == "ListSecrets" {
			return &smfake.Fault{Code: "AccessDeniedException", Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: secretsmanager:ListSecrets"}
		}
		return nil
	}
	res := keepWith(t, srv.Env(), run{args: []string{"run", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125,
		"ListSecrets: AccessDeniedException", "not authorized to perform: secretsmanager:ListSecrets",
		"app/production", "us-east-1",
		"secretsmanager:ListSecrets and secretsmanager:BatchGetSecretValue")
	// Only the speculative batch, sent with the listing, may have gone out:
	// nothing is fetched by ARN after a denied listing.
	for _, c := range srv.Calls() {
		if c.Op == "BatchGetSecretValue" && !strings.Contains(string(c.Body), `"Filters"`) {
			t.Errorf("a BatchGetSecretValue by ARN after a denied listing: %s", c.Body)
		}
	}
}

func TestRunDecryptionFailureStopsTheChild(t *testing.T) {
	t.Parallel()
	bad := fakeSecret("app", "production", "DB_PASSWORD", "undecryptable-value")
	bad.ErrorCode = "DecryptionFailure"
	srv := smfake.New(bad, fakeSecret("app", "production", "API_KEY", "fine-api-key-value"))
	defer srv.Close()
	res := keepWith(t, srv.Env(), run{args: []string{"run", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125,
		"secret app/production/DB_PASSWORD: DecryptionFailure",
		"app/production in us-east-1",
		"kms:Decrypt")
}

func TestRunBinarySecretIsAnError(t *testing.T) {
	t.Parallel()
	srv := smfake.New(smfake.Secret{Name: "app/production/CERT", Binary: []byte{0, 1, 2, 0xff},
		Tags: map[string]string{"ManagedBy": "Keep", "Namespace": "app", "Environment": "production"}})
	defer srv.Close()
	res := keepWith(t, srv.Env(), run{args: []string{"run", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "secret app/production/CERT", "SecretString")
}

func TestRunRetriesThrottling(t *testing.T) {
	t.Parallel()
	srv := smfake.New(fakeSecret("app", "production", "TOKEN", "throttled-token-value"))
	defer srv.Close()
	srv.Inject = func(op string, n int) *smfake.Fault {
		if n == 1 {
			return &smfake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"}
		}
		return nil
	}
	res := keepWith(t, srv.Env(), run{args: []string{"run", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	hasOnly(t, childEnv(t, res), map[string]string{"TOKEN": "throttled-token-value"})
	if srv.Count("ListSecrets") != 2 || srv.Count("BatchGetSecretValue") != 2 {
		t.Errorf("requests: %d ListSecrets, %d BatchGetSecretValue; want 2 each (one retry)",
			srv.Count("ListSecrets"), srv.Count("BatchGetSecretValue"))
	}
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	srv := smfake.New(fakeSecret("app", "production", "TOKEN", "slow-token-value"))
	defer srv.Close()
	srv.Latency = 5 * time.Second
	res := keepWith(t, srv.Env(), run{args: []string{"run", "--timeout=300ms", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "ListSecrets: timed out", "--timeout")
}

func TestRunUnreachableEndpoint(t *testing.T) {
	t.Parallel()
	srv := smfake.New()
	env := srv.Env()
	srv.Close() // nothing listens there any more
	res := keepWith(t, env, run{args: []string{"run", "--timeout=10s", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "ListSecrets", "connection refused", "check network access")
}

func TestRunInterruptedBeforeTheChildDiesOfTheSignal(t *testing.T) {
	t.Parallel()
	srv := smfake.New(fakeSecret("app", "production", "TOKEN", "interrupted-token"))
	defer srv.Close()
	srv.Latency = 10 * time.Second
	cmd := exec.Command(keepBin, "run", "--namespace=app", "--env=production", "--", testBin, "child:env")
	cmd.Env = baseEnv(t, srv.Env())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until keep is inside the fetch, then interrupt it.
	for deadline := time.Now().Add(10 * time.Second); srv.Count("ListSecrets") == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("keep never called ListSecrets")
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	res := result{stdout: stdout.String(), stderr: stderr.String(), state: cmd.ProcessState}
	if sig, ok := signaled(res); !ok || sig != syscall.SIGTERM {
		t.Errorf("keep ended with %v, want death by SIGTERM; stderr:\n%s", cmd.ProcessState, res.stderr)
	}
	if !strings.Contains(res.stderr, "interrupted by SIGTERM before the command started") || res.stdout != "" {
		t.Errorf("stdout %q, stderr:\n%s", res.stdout, res.stderr)
	}
}
