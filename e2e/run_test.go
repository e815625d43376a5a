//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/motoserver"
)

func TestRunInjectsExactlyTheEnvironmentsSecrets(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	legacy := keeptest.Tags(ns, "production", "secretsmanager")
	delete(legacy, "Environment")
	legacy["Env"] = "production"
	foreign := keeptest.Tags(ns, "production", "secretsmanager")
	foreign["ManagedBy"] = "Terraform"
	seed(t,
		secret(ns, "production", "DB_PASSWORD", "db-pass-prod-123"),
		secret(ns, "production", "api-key", "api-key-prod-456"),
		motoserver.Secret{Name: ns + "/production/LEGACY", Value: "legacy-tag-789", Tags: legacy},
		secret(ns, "production-eu", "EU_ONLY", "eu-only-value"),
		secret(ns+"2", "production", "OTHER_NS", "other-ns-value"),
		motoserver.Secret{Name: ns + "/production/UNTAGGED", Value: "untagged-value"},
		motoserver.Secret{Name: ns + "/production/FOREIGN", Value: "foreign-value", Tags: foreign},
		motoserver.Secret{Name: ns + "/production/WRONG_ENV", Value: "wrong-env-value", Tags: keeptest.Tags(ns, "staging", "secretsmanager")},
		motoserver.Secret{Name: ns + "/production/DELETED", Value: "deleted-value", Tags: keeptest.Tags(ns, "production", "secretsmanager"), Deleted: true},
		motoserver.Secret{Name: ns + "/production/nested/KEY", Value: "nested-value", Tags: keeptest.Tags(ns, "production", "secretsmanager")},
	)

	env := childEnv(t, keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=production", "--", testBin, "child:env"}}))
	hasOnly(t, env,
		map[string]string{"DB_PASSWORD": "db-pass-prod-123", "API_KEY": "api-key-prod-456", "LEGACY": "legacy-tag-789", "NESTED_KEY": "nested-value"},
		"EU_ONLY", "OTHER_NS", "UNTAGGED", "FOREIGN", "WRONG_ENV", "DELETED", "KEY", "nested_KEY", "api_key")

	env = childEnv(t, keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=production-eu", "--", testBin, "child:env"}}))
	hasOnly(t, env, map[string]string{"EU_ONLY": "eu-only-value"}, "DB_PASSWORD", "API_KEY", "LEGACY")

	env = childEnv(t, keep(t, run{Args: []string{"run", "--namespace=" + ns + "2", "--env=production", "--", testBin, "child:env"}}))
	hasOnly(t, env, map[string]string{"OTHER_NS": "other-ns-value"}, "DB_PASSWORD", "API_KEY", "EU_ONLY")
}

// TestRunVariableNamesAsThePHPKeep: every secret tagged and named for the
// environment reaches the command, KEYs other tools wrote included, under
// the PHP Keep's variable name (Secret::sanitizedKey); show --format=env
// names them alike.
// A secret tagged for the environment whose KEY keep cannot place — here
// one that could be the secret DB of a vault scoped "production" — stops
// keep before the command starts, naming it: skipping it could start the
// command without a secret it needs.
func TestRunRefusesAnAmbiguousName(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "GOOD", "ambiguous-good-value"),
		secret(ns, "production", "production/DB", "ambiguous-scope-like-env"),
	)
	res := keep(t, run{Args: envDumpArgs("run", "--namespace="+ns, "--env=production")})
	wantExit(t, res, 125, "secret "+ns+"/production/production/DB is tagged for "+ns+"/production, but keep cannot tell the KEY from its name", "tag it Scope=")
}

func TestRunVariableNamesAsThePHPKeep(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	scoped := keeptest.Tags(ns, "production", "secretsmanager")
	scoped["Scope"] = "eu"
	seed(t,
		secret(ns, "production", "Mixed-Case.x", "php-names-mixed-case"),
		secret(ns, "production", "api-token", "php-names-api-token"),
		secret(ns, "production", "_lead", "php-names-leading-underscore"),
		secret(ns, "production", "1num", "php-names-leading-digit"),
		secret(ns, "production", "user@domain.com", "php-names-at-sign"),
		secret(ns, "production", "path/to/key", "php-names-nested-key"),
		// Another vault's scope, by its tag: not read.
		motoserver.Secret{Name: ns + "/production/eu/TOKEN", Value: "php-names-scope-tagged", Tags: scoped},
	)
	want := map[string]string{
		"MIXED_CASE_X":    "php-names-mixed-case",
		"API_TOKEN":       "php-names-api-token",
		"LEAD":            "php-names-leading-underscore",
		"KEY_1NUM":        "php-names-leading-digit",
		"USER_DOMAIN_COM": "php-names-at-sign",
		"PATH_TO_KEY":     "php-names-nested-key",
	}
	res := keep(t, run{Args: envDumpArgs("run", "-v", "--namespace="+ns, "--env=production", "--no-inherit")})
	sameVars(t, "keep run", childEnv(t, res), want)
	if !strings.Contains(res.Stderr, ns+"/production/eu/TOKEN") {
		t.Errorf("-v does not name the secret %s it ignored:\n%s", ns+"/production/eu/TOKEN", res.Stderr)
	}

	res = keep(t, run{Args: []string{"show", "--namespace=" + ns, "--env=production", "--format=env", "--unmask"}})
	mustSucceed(t, res)
	var names []string
	for _, line := range strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n") {
		name, _, _ := strings.Cut(line, "=")
		names = append(names, name)
	}
	if want := []string{"API_TOKEN", "KEY_1NUM", "LEAD", "MIXED_CASE_X", "PATH_TO_KEY", "USER_DOMAIN_COM"}; !slices.Equal(names, want) {
		t.Errorf("show --format=env names %q, want %q", names, want)
	}

	// --only and --except match the KEY, not the variable.
	env := childEnv(t, keep(t, run{Args: envDumpArgs("run", "--namespace="+ns, "--env=production", "--no-inherit", "--only=Mixed-*,_*")}))
	sameVars(t, "keep run --only", env, map[string]string{"MIXED_CASE_X": "php-names-mixed-case", "LEAD": "php-names-leading-underscore"})
}

// TestRunVariableNameCollision: two KEYs the PHP Keep's mapping makes one
// variable stop keep before the command, naming both; show --format=env
// too.
func TestRunVariableNameCollision(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "db_password", "collide-lower-case"),
		secret(ns, "production", "DB_PASSWORD", "collide-upper-case"),
		secret(ns, "production", "OTHER", "collide-other"),
	)
	msg := "secrets DB_PASSWORD and db_password both map to the variable DB_PASSWORD"
	for _, mode := range []string{"--exec", "--supervise"} {
		wantExit(t, keep(t, run{Args: envDumpArgs("run", mode, "--namespace="+ns, "--env=production")}), 125, msg, "--except")
	}
	wantExit(t, keep(t, run{Args: []string{"show", "--namespace=" + ns, "--env=production", "--format=env"}}), 125, msg)
	env := childEnv(t, keep(t, run{Args: envDumpArgs("run", "--namespace="+ns, "--env=production", "--except=db_password")}))
	hasOnly(t, env, map[string]string{"DB_PASSWORD": "collide-upper-case", "OTHER": "collide-other"})
}

func TestRunPagesThroughManySecrets(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	want := map[string]string{}
	for i := range 260 {
		want[fmt.Sprintf("KEY_%03d", i)] = fmt.Sprintf("value-%03d-%s", i, ns)
	}
	seedVars(t, ns, "production", want)
	res := keep(t, run{Args: []string{"run", "-v", "--namespace=" + ns, "--env=production", "--", testBin, "child:env"}})
	hasOnly(t, childEnv(t, res), want)
	// 260 secrets: ⌈260/100⌉ list pages, ⌈100/20⌉+⌈100/20⌉+⌈60/20⌉ batches,
	// and the speculative batch raced against the first page — whose 20
	// values save one batch when they are in before the first page is.
	if !strings.Contains(res.Stderr, "17 API calls (3 ListSecrets, 14 BatchGetSecretValue)") &&
		!strings.Contains(res.Stderr, "16 API calls (3 ListSecrets, 13 BatchGetSecretValue)") {
		t.Errorf("verbose output lacks the call counts:\n%s", res.Stderr)
	}
}

func TestRunKeepsValuesByteForByte(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	want := map[string]string{
		"PEM":     "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nbWFkZSB1cCBrZXkgbWF0ZXJpYWw=\n-----END PRIVATE KEY-----\n",
		"QUOTES":  `it's "quoted" \ and back\slashed`,
		"EQUALS":  "a=b=c==",
		"UNICODE": "pässwörd-密码-🔑",
		"SPACES":  "  leading and trailing  ",
		"SHELL":   "$HOME ${PATH} `id` $(whoami) #not-a-comment",
		"TABS":    "col1\tcol2\r\n",
		"JSON":    `{"user":"app","password":"p@ss"}`,
	}
	seedVars(t, ns, "production", want)
	env := childEnv(t, keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=production", "--", testBin, "child:env"}}))
	hasOnly(t, env, want)
}

func TestRunOnlyAndExcept(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "staging", "DB_HOST", "db-host-value"),
		secret(ns, "staging", "DB_ADMIN", "db-admin-value"),
		secret(ns, "staging", "REDIS_URL", "redis-url-value"),
		secret(ns, "staging", "API_TOKEN", "api-token-value"),
	)
	for _, tc := range []struct {
		name    string
		flags   []string
		present []string
		absent  []string
	}{
		{"only", []string{"--only=DB_*,REDIS_*"}, []string{"DB_HOST", "DB_ADMIN", "REDIS_URL"}, []string{"API_TOKEN"}},
		{"except", []string{"--except=DB_*"}, []string{"REDIS_URL", "API_TOKEN"}, []string{"DB_HOST", "DB_ADMIN"}},
		{"except wins", []string{"--only=DB_*", "--except=DB_ADMIN"}, []string{"DB_HOST"}, []string{"DB_ADMIN", "REDIS_URL", "API_TOKEN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"run", "--namespace=" + ns, "--env=staging"}, tc.flags...)
			env := childEnv(t, keep(t, run{Args: append(args, "--", testBin, "child:env")}))
			want := map[string]string{}
			for _, k := range tc.present {
				want[k] = strings.ToLower(strings.ReplaceAll(k, "_", "-")) + "-value"
			}
			hasOnly(t, env, want, tc.absent...)
		})
	}
	res := keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=staging", "--only=NOPE_*", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "no secrets left after --only=NOPE_*", "--allow-empty")
	res = keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=staging", "--only=DB_[", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "--only: malformed glob")
}

func TestRunNoInherit(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "ONLY_SECRET", "only-secret-value"))
	// The child is found on keep's PATH by name, though it gets no PATH.
	binDir := t.TempDir()
	if err := os.Symlink(testBin, filepath.Join(binDir, "keep-test-child")); err != nil {
		t.Fatal(err)
	}
	res := keep(t, run{
		Env:  []string{"PATH=" + binDir + ":" + os.Getenv("PATH"), "INHERITED=from-parent"},
		Args: []string{"run", "--no-inherit", "--namespace=" + ns, "--env=production", "--", "keep-test-child", "child:env"},
	})
	env := childEnv(t, res)
	if len(env) != 1 || env["ONLY_SECRET"] != "only-secret-value" {
		names := make([]string, 0, len(env))
		for k := range env {
			names = append(names, k)
		}
		t.Errorf("child env has %v, want only ONLY_SECRET", names)
	}
}

func TestRunSecretOverridesInheritedVariable(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "DB_PASSWORD", "from-secrets-manager"))
	res := keep(t, run{
		Env:  []string{"DB_PASSWORD=from-the-shell", "KEEP_VERBOSE=true"},
		Args: []string{"run", "--namespace=" + ns, "--env=production", "--", testBin, "child:env"},
	})
	hasOnly(t, childEnv(t, res), map[string]string{"DB_PASSWORD": "from-secrets-manager"})
	if !strings.Contains(res.Stderr, "DB_PASSWORD: the secret overrides the inherited variable") {
		t.Errorf("verbose output does not report the override:\n%s", res.Stderr)
	}
	if strings.Contains(res.Stderr, "from-the-shell") {
		t.Error("verbose output shows the inherited value")
	}
}

func TestRunConfiguredByEnvironmentVariables(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "DB_URL", "prod-db-url"),
		secret(ns, "production", "CACHE_URL", "prod-cache-url"),
		secret(ns, "staging", "DB_URL", "staging-db-url"),
	)
	// Docker ENTRYPOINT style: no .keep/, everything from variables.
	env := childEnv(t, keep(t, run{
		Env:  []string{"KEEP_NAMESPACE=" + ns, "KEEP_ENV=production", "KEEP_ONLY=DB_*"},
		Args: []string{"run", "--", testBin, "child:env"},
	}))
	hasOnly(t, env, map[string]string{"DB_URL": "prod-db-url"}, "CACHE_URL")
	// Flags win over variables.
	env = childEnv(t, keep(t, run{
		Env:  []string{"KEEP_NAMESPACE=" + ns, "KEEP_ENV=production"},
		Args: []string{"run", "--env=staging", "--", testBin, "child:env"},
	}))
	hasOnly(t, env, map[string]string{"DB_URL": "staging-db-url"}, "CACHE_URL")
}

func TestRunInKeepProject(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		scopedSecret(ns, "billing", "production", "secretsmanager", "STRIPE_KEY", "scoped-stripe-key"),
		secret(ns, "production", "UNSCOPED", "unscoped-value"),
	)
	root := t.TempDir()
	writeFile(t, root, ".keep/settings.json", fmt.Sprintf(`{
    "app_name": "Billing",
    "namespace": %q,
    "envs": ["local", "staging", "production"],
    "default_vault": "billing",
    "template_path": "env",
    "created_at": "2025-01-01T00:00:00+00:00",
    "updated_at": "2025-01-01T00:00:00+00:00",
    "version": "1.0"
}`, ns))
	writeFile(t, root, ".keep/vaults/billing.json", `{"slug": "billing", "driver": "secretsmanager", "name": "Billing", "region": "us-west-2", "key": "", "scope": "billing"}`)
	writeFile(t, root, ".keep/vaults/legacy.json", `{"slug": "legacy", "driver": "ssm", "name": "Legacy SSM", "region": "us-east-1"}`)
	sub := filepath.Join(root, "app", "public")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}

	// The vault file says us-west-2, where there is nothing: the error says
	// which region was searched.
	res := keep(t, run{Dir: sub, Args: []string{"run", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "no secrets found", ns, "region us-west-2", "vault billing")

	// --region wins over the vault file; namespace and scope come from .keep/.
	res = keep(t, run{Dir: sub, Args: []string{"run", "--env=production", "--region=us-east-1", "--", testBin, "child:env"}})
	hasOnly(t, childEnv(t, res), map[string]string{"STRIPE_KEY": "scoped-stripe-key"}, "UNSCOPED")

	res = keep(t, run{Dir: sub, Args: []string{"run", "--env=prod", "--", testBin, "child:env"}})
	wantExit(t, res, 125, `environment "prod" is not one of the project's environments (local, staging, production)`)

	res = keep(t, run{Dir: sub, Args: []string{"run", "--env=production", "--vault=legacy", "--", testBin, "child:env"}})
	wantExit(t, res, 125, `vault "legacy" uses driver "ssm"`)
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "exit-code-token"))
	base := []string{"run", "--namespace=" + ns, "--env=production", "--"}
	notExec := filepath.Join(t.TempDir(), "not-executable")
	writeFile(t, filepath.Dir(notExec), filepath.Base(notExec), "#!/bin/sh\necho hi\n")
	badScript := filepath.Join(t.TempDir(), "bad-interpreter")
	writeFile(t, filepath.Dir(badScript), filepath.Base(badScript), "#!/nonexistent/interpreter\necho hi\n")
	if err := os.Chmod(badScript, 0o755); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"child 0", append(base, testBin, "child:exit", "0"), 0, nil},
		{"child 3", append(base, testBin, "child:exit", "3"), 3, nil},
		{"child 255", append(base, testBin, "child:exit", "255"), 255, nil},
		{"not found", append(base, "keep-no-such-command"), 127, []string{"keep-no-such-command: command not found"}},
		{"not found by path", append(base, "/nonexistent/cmd"), 127, []string{"/nonexistent/cmd: command not found"}},
		{"not executable", append(base, notExec), 126, []string{"cannot execute", "permission denied"}},
		{"directory", append(base, "/"), 126, []string{"cannot execute"}},
		{"bad interpreter", append(base, badScript), 126, []string{"cannot execute: its #! interpreter was not found", "#!"}},
		{"zero timeout", []string{"run", "--timeout=0s", "--namespace=" + ns, "--env=production", "--", "true"}, 125, []string{"--timeout must be positive"}},
		{"negative splay", []string{"run", "--splay=-1s", "--namespace=" + ns, "--env=production", "--", "true"}, 125, []string{"--splay must not be negative"}},
		{"child after splay", append([]string{"run", "--splay=50ms"}, append(base[1:], testBin, "child:exit", "3")...), 3, nil},
		{"only without globs", []string{"run", "--only=,", "--namespace=" + ns, "--env=production", "--", "true"}, 125, []string{"--only: no glob"}},
		{"missing command", []string{"run", "--namespace=" + ns, "--env=production"}, 125, []string{"missing the command", "keep run --env=production -- php-fpm -F"}},
		{"missing command after --", base, 125, []string{"missing the command"}},
		{"no namespace", []string{"run", "--env=production", "--", "true"}, 125, []string{"no namespace", "--namespace", "KEEP_NAMESPACE", ".keep/settings.json"}},
		{"no env", []string{"run", "--namespace=" + ns, "--", "true"}, 125, []string{"no environment", "--env", "KEEP_ENV"}},
		{"unknown flag", []string{"run", "--bogus", "--", "true"}, 125, []string{"unknown flag --bogus"}},
		{"no secrets", []string{"run", "--namespace=" + ns, "--env=staging", "--", "true"}, 125, []string{"no secrets found", `"` + ns + `"`, `"staging"`, "region us-east-1", "--allow-empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := keep(t, run{Args: tc.args})
			if tc.code == 0 || tc.code == 3 || tc.code == 255 {
				if res.Code != tc.code {
					t.Errorf("exit code = %d, want %d; stderr:\n%s", res.Code, tc.code, res.Stderr)
				}
				return
			}
			wantExit(t, res, tc.code, tc.stderr...)
		})
	}
}

func TestRunAllowEmpty(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	res := keep(t, run{Args: []string{"run", "--allow-empty", "--namespace=" + ns, "--env=production", "--", testBin, "child:exit", "7"}})
	if res.Code != 7 {
		t.Errorf("exit code = %d, want the child's 7; stderr:\n%s", res.Code, res.Stderr)
	}
}

func TestRunExecsInPlace(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "exec-in-place-token"))
	res := keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=production", "--", testBin, "child:pid"}})
	pid, err := strconv.Atoi(strings.TrimSpace(res.Stdout))
	if err != nil {
		t.Fatalf("child printed %q; stderr:\n%s", res.Stdout, res.Stderr)
	}
	if pid != res.PID {
		t.Errorf("child PID %d, keep's PID %d: keep did not exec", pid, res.PID)
	}
	// Arguments reach the child untouched, flags included.
	res = keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=production", "--", testBin, "child:args", "--env=x", "--", "-v"}})
	if got := strings.TrimSpace(res.Stdout); got != `["--env=x","--","-v"]` {
		t.Errorf("child args = %s", got)
	}
	// Without "--", keep stops reading flags at the command.
	res = keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=production", testBin, "child:args", "-x", "--help"}})
	if got := strings.TrimSpace(res.Stdout); got != `["-x","--help"]` {
		t.Errorf("child args = %s; stderr:\n%s", got, res.Stderr)
	}
}

func TestRunVerboseNamesNoValues(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "DB_PASSWORD", "verbose-db-password"),
		secret(ns, "production", "API_KEY", "verbose-api-key"),
		motoserver.Secret{Name: ns + "/production/MISTAGGED", Value: "verbose-mistagged", Tags: keeptest.Tags(ns, "staging", "secretsmanager")},
	)
	res := keep(t, run{Args: []string{"run", "-v", "--namespace=" + ns, "--env=production", "--", testBin, "child:exit", "0"}})
	wantExit(t, res, 0,
		"vault secretsmanager (no vault file), region us-east-1 (from the AWS SDK's chain), namespace "+ns+", env production",
		"2 secret(s): API_KEY, DB_PASSWORD",
		"2 API calls (1 ListSecrets, 1 BatchGetSecretValue)",
		"ignored 1 secrets under "+ns+"/production/ whose name or tags do not match exactly: "+ns+"/production/MISTAGGED",
		"exec "+testBin)
}

func TestRunLeavesSignalDispositionsAsTheyWere(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc/self/status to read the child's ignored signals")
	}
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "signal-disposition-token"))
	bit := func(sig syscall.Signal) uint64 { return 1 << (uint(sig) - 1) }
	ignored := func(t *testing.T, shellTrap string) uint64 {
		t.Helper()
		script := shellTrap + `exec "$@"`
		res := keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=production", "--",
			"sh", "-c", script, "sh", testBin, "child:sigign"}})
		mask, err := strconv.ParseUint(strings.TrimSpace(res.Stdout), 16, 64)
		if err != nil {
			t.Fatalf("child printed %q; stderr:\n%s", res.Stdout, res.Stderr)
		}
		return mask
	}
	// keep handles INT, TERM and HUP while it fetches; the child must get
	// them back at their defaults, not ignored.
	// Signals the test itself runs with ignored (nohup make test) are
	// rightly ignored in the child too: leave them out of the checks.
	inherited := ignoredSignals(t)
	handled := (bit(syscall.SIGINT) | bit(syscall.SIGTERM) | bit(syscall.SIGHUP)) &^ inherited
	if mask := ignored(t, ""); mask&handled != 0 {
		t.Errorf("child ignores signals keep handled: SigIgn %016x", mask)
	}
	// A signal ignored before keep started (nohup, trap '' …) stays ignored.
	ignoredBefore := func(t *testing.T) uint64 {
		t.Helper()
		cmd := []string{"run", "--namespace=" + ns, "--env=production", "--", testBin, "child:sigign"}
		script := `trap '' HUP INT; exec "$@"`
		res := keep(t, run{Args: append([]string{"run", "--allow-empty", "--namespace=" + ns + "-none", "--env=production", "--",
			"sh", "-c", script, "sh", keeptest.Bin(t)}, cmd...)})
		mask, err := strconv.ParseUint(strings.TrimSpace(res.Stdout), 16, 64)
		if err != nil {
			t.Fatalf("child printed %q; stderr:\n%s", res.Stdout, res.Stderr)
		}
		return mask
	}
	if mask, want := ignoredBefore(t), bit(syscall.SIGHUP)|bit(syscall.SIGINT); mask&want != want {
		t.Errorf("SIGHUP/SIGINT ignored before keep started are not ignored in the child: SigIgn %016x", mask)
	}
}

// ignoredSignals is the test process's own SigIgn mask.
func ignoredSignals(t *testing.T) uint64 {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "SigIgn:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return mask
		}
	}
	t.Fatal("no SigIgn in /proc/self/status")
	return 0
}

func TestRunServiceSpecificEndpoint(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "service-endpoint-token"))
	// The generic endpoint points nowhere; the Secrets Manager one wins.
	env := append(withoutVars(keeptest.Moto().Env(), "AWS_ENDPOINT_URL"),
		"AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_ENDPOINT_URL_SECRETS_MANAGER="+keeptest.Moto().URL)
	res := keep(t, run{Endpoint: env, Args: []string{"run", "--namespace=" + ns, "--env=production", "--", testBin, "child:env"}})
	hasOnly(t, childEnv(t, res), map[string]string{"TOKEN": "service-endpoint-token"})
}

func TestRunVaultAndRegionFromVariables(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		scopedSecret(ns, "team-a", "production", "secretsmanager", "A_KEY", "team-a-value"),
		scopedSecret(ns, "team-b", "production", "secretsmanager", "B_KEY", "team-b-value"),
	)
	root := t.TempDir()
	writeFile(t, root, ".keep/settings.json", fmt.Sprintf(`{"namespace": %q, "envs": ["production"], "default_vault": "a"}`, ns))
	writeFile(t, root, ".keep/vaults/a.json", `{"slug": "a", "driver": "secretsmanager", "region": "us-east-1", "scope": "team-a"}`)
	writeFile(t, root, ".keep/vaults/b.json", `{"slug": "b", "driver": "secretsmanager", "region": "eu-west-1", "scope": "team-b"}`)
	args := []string{"run", "--env=production", "--", testBin, "child:env"}

	hasOnly(t, childEnv(t, keep(t, run{Dir: root, Args: args})), map[string]string{"A_KEY": "team-a-value"}, "B_KEY")
	// KEEP_VAULT picks b; its file says eu-west-1, KEEP_REGION overrides it.
	res := keep(t, run{Dir: root, Env: []string{"KEEP_VAULT=b", "KEEP_REGION=us-east-1"}, Args: args})
	hasOnly(t, childEnv(t, res), map[string]string{"B_KEY": "team-b-value"}, "A_KEY")
	res = keep(t, run{Dir: root, Env: []string{"KEEP_VAULT=b"}, Args: args})
	wantExit(t, res, 125, "no secrets found", "region eu-west-1")
	// A typo in the vault must not quietly read another scope or region.
	res = keep(t, run{Dir: root, Env: []string{"KEEP_VAULT=bb"}, Args: args})
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
		"AWS_ENDPOINT_URL=" + keeptest.Moto().URL, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
	}
	args := func(extra ...string) []string {
		return append(append([]string{"run", "--namespace=" + ns, "--env=production"}, extra...), "--", testBin, "child:env")
	}
	hasOnly(t, childEnv(t, keep(t, run{Endpoint: env, Args: args("--profile=keeptest")})), map[string]string{"TOKEN": "profile-token-value"})
	hasOnly(t, childEnv(t, keep(t, run{Endpoint: env, Env: []string{"AWS_PROFILE=keeptest"}, Args: args()})), map[string]string{"TOKEN": "profile-token-value"})
	wantExit(t, keep(t, run{Endpoint: env, Args: args("--profile=nope")}), 125, "load AWS configuration", "nope", "--profile")
}

func TestRunWithoutCredentials(t *testing.T) {
	t.Parallel()
	env := withoutVars(keeptest.Moto().Env(), "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
	res := keep(t, run{Endpoint: env, Args: []string{"run", "--namespace=app", "--env=production", "--", testBin, "child:env"}})
	wantExit(t, res, 125, "no AWS credentials", "AWS_PROFILE, AWS_ACCESS_KEY_ID")
	if lines := strings.Count(strings.TrimSpace(res.Stderr), "\n") + 1; lines != 2 {
		t.Errorf("want 2 lines (what failed, what to do), got %d:\n%s", lines, res.Stderr)
	}
}

func TestRunNamespaceTagMustMatchExactly(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	// Named like ns's secret, so the listing's name filter keeps it; tagged
	// for another namespace, so the exact check on the client drops it.
	seed(t,
		secret(ns, "production", "GOOD", "namespace-good-value"),
		motoserver.Secret{Name: ns + "/production/OTHER", Value: "namespace-other-value", Tags: keeptest.Tags(ns+"2", "production", "secretsmanager")},
		motoserver.Secret{Name: ns + "/production/PREFIX", Value: "namespace-prefix-value", Tags: keeptest.Tags(ns[:len(ns)-1], "production", "secretsmanager")},
	)
	res := keep(t, run{Args: []string{"run", "-v", "--namespace=" + ns, "--env=production", "--", testBin, "child:env"}})
	hasOnly(t, childEnv(t, res), map[string]string{"GOOD": "namespace-good-value"}, "OTHER", "PREFIX")
	if !strings.Contains(res.Stderr, "ignored 2 secrets") {
		t.Errorf("verbose output does not report the 2 mistagged secrets:\n%s", res.Stderr)
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
	env := []string{"AWS_ENDPOINT_URL=" + keeptest.Moto().URL, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials")}
	res := keep(t, run{Endpoint: env, Args: []string{"run", "--profile=proc", "--namespace=app", "--env=production", "--", "true"}})
	wantExit(t, res, 125, "credential_process")
	for _, s := range []string{"sentinel-secret-access-key", "AKIASENTINEL"} {
		if strings.Contains(res.Stderr, s) {
			t.Errorf("stderr shows the credential_process output:\n%s", res.Stderr)
		}
	}
}

func TestRunSeveralVaults(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	seedTwoVaults(t, ns,
		map[string]string{"DB_PASSWORD": "run-vault-a-db-password", "SHARED": "run-shared-of-a"},
		map[string]string{"API_TOKEN": "run-vault-b-api-token", "SHARED": "run-shared-of-b"})
	runIn := func(args ...string) result {
		return keep(t, run{Dir: dir, Args: append(append([]string{"run", "--env=production"}, args...), "--", testBin, "child:env")})
	}
	res := runIn("--vault=a,b", "--except=SHARED")
	hasOnly(t, childEnv(t, res), map[string]string{"DB_PASSWORD": "run-vault-a-db-password", "API_TOKEN": "run-vault-b-api-token"}, "SHARED", "STAGING_A", "STAGING_B")

	// A KEY in both vaults: the command never starts.
	res = runIn("--vault=a,b")
	wantExit(t, res, 125, "SHARED is in vault a and in vault b")
	wantExit(t, runIn("--vault=b,a", "--exec"), 125, "SHARED is in vault b and in vault a")
	wantExit(t, runIn("--vault=a,missing"), 125, `vault "missing" is not configured`)

	// A vault with no secret of the environment (a typo in its scope, say)
	// fails the run even though the other vault has secrets.
	writeFile(t, dir, ".keep/vaults/c.json", `{"slug": "c", "driver": "secretsmanager", "region": "us-east-1", "scope": "team-c"}`)
	wantExit(t, runIn("--vault=a,c", "--except=SHARED"), 125, `no secrets found for namespace "`+ns+`", env "production" (vault c, region us-east-1)`)
	hasOnly(t, childEnv(t, runIn("--vault=a,c", "--allow-empty")), map[string]string{"DB_PASSWORD": "run-vault-a-db-password", "SHARED": "run-shared-of-a"})

	// One vault, as before.
	env := childEnv(t, runIn("--vault=b"))
	hasOnly(t, env, map[string]string{"API_TOKEN": "run-vault-b-api-token", "SHARED": "run-shared-of-b"}, "DB_PASSWORD")
}
