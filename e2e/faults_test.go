//go:build linux

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

// Faults moto cannot produce, served by smfake through the real SDK.

// fakeSecret is a secret of ns/env named KEY for smfake, tagged ManagedBy,
// Namespace and Environment (no VaultSlug); its value is remembered.
func fakeSecret(ns, env, key, value string) smfake.Secret {
	keeptest.Remember(value)
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
	res := keep(t, run{Endpoint: srv.Env(), Args: []string{"run", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
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

// undecryptable serves app/production's API_KEY and DB_PASSWORD, which
// exists but cannot be read (DecryptionFailure: moto has no KMS), until
// the test ends.
func undecryptable(t *testing.T) *smfake.Server {
	bad := fakeSecret("app", "production", "DB_PASSWORD", "undecryptable-value")
	bad.ErrorCode = "DecryptionFailure"
	srv := smfake.New(bad, fakeSecret("app", "production", "API_KEY", "fine-api-key-value"))
	t.Cleanup(srv.Close)
	return srv
}

func TestRunDecryptionFailureStopsTheChild(t *testing.T) {
	t.Parallel()
	srv := undecryptable(t)
	res := keep(t, run{Endpoint: srv.Env(), Args: []string{"run", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
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
	res := keep(t, run{Endpoint: srv.Env(), Args: []string{"run", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
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
	res := keep(t, run{Endpoint: srv.Env(), Args: []string{"run", "-v", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	hasOnly(t, childEnv(t, res), map[string]string{"TOKEN": "throttled-token-value"})
	if !strings.Contains(res.Stderr, "4 API calls (1 ListSecrets, 1 BatchGetSecretValue, 2 GetSecretValue)") {
		t.Errorf("-v does not count the GetSecretValue calls:\n%s", res.Stderr)
	}
	// ListSecrets is retried; the throttled (speculative) batch is not, and
	// its secret is read with GetSecretValue (fetch/quota.go), whose first
	// attempt is throttled too, and retried.
	if srv.Count("ListSecrets") != 2 || srv.Count("BatchGetSecretValue") != 1 || srv.Count("GetSecretValue") != 2 {
		t.Errorf("requests: %d ListSecrets, %d BatchGetSecretValue, %d GetSecretValue; want 2 (one retry), 1 and 2 (one retry)",
			srv.Count("ListSecrets"), srv.Count("BatchGetSecretValue"), srv.Count("GetSecretValue"))
	}
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	srv := smfake.New(fakeSecret("app", "production", "TOKEN", "slow-token-value"))
	defer srv.Close()
	srv.Latency = 5 * time.Second
	res := keep(t, run{Endpoint: srv.Env(), Args: []string{"run", "--timeout=300ms", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "ListSecrets: timed out", "--timeout")
}

func TestRunUnreachableEndpoint(t *testing.T) {
	t.Parallel()
	srv := smfake.New()
	env := srv.Env()
	srv.Close() // nothing listens there any more
	res := keep(t, run{Endpoint: env, Args: []string{"run", "--timeout=10s", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "ListSecrets", "connection refused", "check network access")
}
