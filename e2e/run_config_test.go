//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/keep-run/keep/internal/motoserver"
)

// withoutVars drops the NAME=… entries of env for the given names.
func withoutVars(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || name == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

func TestRunServiceSpecificEndpoint(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "service-endpoint-token"))
	// The generic endpoint points nowhere; the Secrets Manager one wins.
	env := append(withoutVars(moto.Env(), "AWS_ENDPOINT_URL"),
		"AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_ENDPOINT_URL_SECRETS_MANAGER="+moto.URL)
	res := keepWith(t, env, run{args: []string{"run", "--namespace=" + ns, "--env=production", "--", testBin, "child:env"}})
	hasOnly(t, childEnv(t, res), map[string]string{"TOKEN": "service-endpoint-token"})
}

func TestRunVaultAndRegionFromVariables(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		motoserver.Secret{Name: ns + "/team-a/production/A_KEY", Value: "team-a-value", Tags: motoserver.KeepTags(ns, "production")},
		motoserver.Secret{Name: ns + "/team-b/production/B_KEY", Value: "team-b-value", Tags: motoserver.KeepTags(ns, "production")},
	)
	root := t.TempDir()
	writeFile(t, root, ".keep/settings.json", fmt.Sprintf(`{"namespace": %q, "envs": ["production"], "default_vault": "a"}`, ns))
	writeFile(t, root, ".keep/vaults/a.json", `{"slug": "a", "driver": "secretsmanager", "region": "us-east-1", "scope": "team-a"}`)
	writeFile(t, root, ".keep/vaults/b.json", `{"slug": "b", "driver": "secretsmanager", "region": "eu-west-1", "scope": "team-b"}`)
	args := []string{"run", "--env=production", "--", testBin, "child:env"}

	hasOnly(t, childEnv(t, keep(t, run{dir: root, args: args})), map[string]string{"A_KEY": "team-a-value"}, "B_KEY")
	// KEEP_VAULT picks b; its file says eu-west-1, KEEP_REGION overrides it.
	res := keep(t, run{dir: root, env: []string{"KEEP_VAULT=b", "KEEP_REGION=us-east-1"}, args: args})
	hasOnly(t, childEnv(t, res), map[string]string{"B_KEY": "team-b-value"}, "A_KEY")
	res = keep(t, run{dir: root, env: []string{"KEEP_VAULT=b"}, args: args})
	wantExit(t, res, 125, "no secrets found", "region eu-west-1")
	// A typo in the vault must not quietly read another scope or region.
	res = keep(t, run{dir: root, env: []string{"KEEP_VAULT=bb"}, args: args})
	wantExit(t, res, 125, `vault "bb" is not configured`, "a, b")
}

func TestRunProfile(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "profile-token-value"))
	dir := t.TempDir()
	writeFile(t, dir, "config", "[profile keeptest]\nregion = us-east-1\n")
	writeFile(t, dir, "credentials", "[keeptest]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
	env := []string{
		"AWS_ENDPOINT_URL=" + moto.URL, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
	}
	args := func(extra ...string) []string {
		return append(append([]string{"run", "--namespace=" + ns, "--env=production"}, extra...), "--", testBin, "child:env")
	}
	hasOnly(t, childEnv(t, keepWith(t, env, run{args: args("--profile=keeptest")})), map[string]string{"TOKEN": "profile-token-value"})
	hasOnly(t, childEnv(t, keepWith(t, env, run{env: []string{"AWS_PROFILE=keeptest"}, args: args()})), map[string]string{"TOKEN": "profile-token-value"})
	wantExit(t, keepWith(t, env, run{args: args("--profile=nope")}), 125, "load AWS configuration", "nope", "--profile")
}

func TestRunWithoutCredentials(t *testing.T) {
	t.Parallel()
	env := withoutVars(moto.Env(), "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
	res := keepWith(t, env, run{args: []string{"run", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "no AWS credentials", "AWS_PROFILE, AWS_ACCESS_KEY_ID")
	if lines := strings.Count(strings.TrimSpace(res.stderr), "\n") + 1; lines != 2 {
		t.Errorf("want 2 lines (what failed, what to do), got %d:\n%s", lines, res.stderr)
	}
}

func TestRunNamespaceTagMustMatchExactly(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	// Named like ns's secret, so the listing's name filter keeps it; tagged
	// for another namespace, so the exact check on the client drops it.
	seed(t,
		secret(ns, "production", "GOOD", "namespace-good-value"),
		motoserver.Secret{Name: ns + "/production/OTHER", Value: "namespace-other-value", Tags: motoserver.KeepTags(ns+"2", "production")},
		motoserver.Secret{Name: ns + "/production/PREFIX", Value: "namespace-prefix-value", Tags: motoserver.KeepTags(ns[:len(ns)-1], "production")},
	)
	res := keep(t, run{args: []string{"run", "-v", "--namespace=" + ns, "--env=production", "--", testBin, "child:env"}})
	hasOnly(t, childEnv(t, res), map[string]string{"GOOD": "namespace-good-value"}, "OTHER", "PREFIX")
	if !strings.Contains(res.stderr, "ignored 2 secrets") {
		t.Errorf("verbose output does not report the 2 mistagged secrets:\n%s", res.stderr)
	}
}

var (
	panicBinOnce sync.Once
	panicBin     string
	panicBinErr  error
)

func TestPanicPrintsNoValue(t *testing.T) {
	t.Parallel()
	panicBinOnce.Do(func() {
		panicBin = filepath.Join(filepath.Dir(keepBin), "keep-testpanic")
		out, err := exec.Command("go", "build", "-tags", "keep_testpanic", "-o", panicBin, "..").CombinedOutput()
		if err != nil {
			panicBinErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if panicBinErr != nil {
		t.Fatal(panicBinErr)
	}
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "panic-token-value"))
	for _, verbose := range []string{"", "-v"} {
		cmd := exec.Command(panicBin, "run", verbose, "--namespace="+ns, "--env=production", "--", testBin, "child:env")
		if verbose == "" {
			cmd.Args = append(cmd.Args[:2], cmd.Args[3:]...)
		}
		cmd.Env = baseEnv(t, moto.Env())
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		assertNoLeak(t, "output after a panic", string(out))
		if code := cmd.ProcessState.ExitCode(); err == nil || code != 125 {
			t.Errorf("exit code %d after a panic, want 125", code)
		}
		if !strings.Contains(string(out), "internal error") || strings.Contains(string(out), "goroutine ") {
			t.Errorf("want a short internal-error report without a stack trace, got:\n%s", out)
		}
	}
	if _, err := os.Stat(panicBin); err != nil {
		t.Fatal(err)
	}
}

// The SDK's error for a credential_process whose output is not its JSON
// quotes that output — which may be the credentials themselves.
func TestRunCredentialProcessOutputNeverShown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := filepath.Join(dir, "creds.sh")
	writeFile(t, dir, "creds.sh", "#!/bin/sh\necho 'warning: cached'\necho '{\"Version\":1,\"AccessKeyId\":\"AKIASENTINEL\",\"SecretAccessKey\":\"sentinel-secret-access-key\"}'\n")
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "config", "[profile proc]\nregion = us-east-1\ncredential_process = "+script+"\n")
	env := []string{"AWS_ENDPOINT_URL=" + moto.URL, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials")}
	res := keepWith(t, env, run{args: []string{"run", "--profile=proc", "--namespace=app", "--env=production", "--", "true"}})
	wantExit(t, res, 125, "credential_process")
	for _, s := range []string{"sentinel-secret-access-key", "AKIASENTINEL"} {
		if strings.Contains(res.stderr, s) {
			t.Errorf("stderr shows the credential_process output:\n%s", res.stderr)
		}
	}
}
