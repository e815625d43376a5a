//go:build linux

package e2e

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/joho/godotenv"

	"github.com/keep-run/keep/internal/motoserver"
)

// A project, its secrets and its template as the PHP Keep (stechstudio/keep
// 1.0.0-beta.8) writes them work unchanged with keep, and what keep writes
// the PHP Keep still reads. testdata/phpkeep is such a project: settings
// and vault files in the PHP Keep's shape (a scope written "/app2/"), and
// a template in its placeholder grammar. The expected variables below are
// what the PHP Keep gives: its names (Secret::sanitizedKey), and for the
// template what its export gives (Template::merge, then a dotenv parse).
// keep's run --template gives the same; the PHP Keep's run --template sets
// only the variables of placeholders with a PATH (a difference the README
// lists).

// phpProject copies testdata/phpkeep into a new directory, with ns as its
// namespace.
func phpProject(t *testing.T, ns string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "phpkeep")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		writeFile(t, dir, rel, strings.ReplaceAll(string(b), "NAMESPACE", ns))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// phpSecret is a secret as the PHP Keep creates it: its tags are
// ManagedBy, Namespace, Env (not Environment) and VaultSlug, plus Scope in
// a scoped vault, whose name is <ns>/<scope>/<env>/<KEY>.
func phpSecret(ns, scope, env, key, value string) motoserver.Secret {
	name, slug := ns+"/"+env+"/"+key, "secretsmanager"
	tags := map[string]string{"ManagedBy": "Keep", "Namespace": ns, "Env": env}
	if scope != "" {
		name, slug = ns+"/"+scope+"/"+env+"/"+key, scope
		tags["Scope"] = scope
	}
	tags["VaultSlug"] = slug
	return motoserver.Secret{Name: name, Value: value, Tags: tags}
}

func TestPHPKeepProject(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := phpProject(t, ns)
	seed(t,
		phpSecret(ns, "", "production", "api-token", "php-api-token-value"),
		phpSecret(ns, "", "production", "Mixed-Case.x", "php-mixed-case-value"),
		phpSecret(ns, "", "production", "_lead", "php-leading-underscore"),
		phpSecret(ns, "", "production", "1num", "php-leading-digit"),
		phpSecret(ns, "", "production", "DB_PASSWORD", "php db pässword \"quoted\""),
		phpSecret(ns, "app2", "production", "SHARED_KEY", "php-app2-shared-key"),
	)

	t.Run("run: every secret, under the PHP Keep's variable names", func(t *testing.T) {
		env := childEnv(t, keep(t, run{Dir: dir, Args: envDumpArgs("run", "--env=production", "--no-inherit")}))
		sameVars(t, "keep run", env, map[string]string{
			"API_TOKEN":    "php-api-token-value",
			"MIXED_CASE_X": "php-mixed-case-value",
			"LEAD":         "php-leading-underscore",
			"KEY_1NUM":     "php-leading-digit",
			"DB_PASSWORD":  "php db pässword \"quoted\"",
		})
	})

	t.Run("run: a vault whose scope is written /app2/", func(t *testing.T) {
		env := childEnv(t, keep(t, run{Dir: dir, Args: envDumpArgs("run", "--env=production", "--vault=app2", "--no-inherit")}))
		sameVars(t, "keep run --vault=app2", env, map[string]string{"SHARED_KEY": "php-app2-shared-key"})
	})

	// What the PHP Keep's export of the template gives: static lines as
	// they are, each placeholder the secret's value, attribute blocks
	// ignored, {vault} the secret named like the variable.
	fromTemplate := map[string]string{
		"APP_NAME":    "Legacy App",
		"APP_DEBUG":   "false",
		"API_TOKEN":   "php-api-token-value",
		"MIXED":       "php-mixed-case-value",
		"DB_PASSWORD": "php db pässword \"quoted\"",
		"SHARED_KEY":  "php-app2-shared-key",
	}
	t.Run("run --template: the PHP Keep's template", func(t *testing.T) {
		env := childEnv(t, keep(t, run{Dir: dir, Args: envDumpArgs("run", "--env=production", "--template=auto", "--no-inherit")}))
		sameVars(t, "keep run --template", env, fromTemplate)
	})

	t.Run("export --template: the same variables, read back by a dotenv parser", func(t *testing.T) {
		res := keep(t, run{Dir: dir, Args: []string{"export", "--env=production", "--template=auto"}, NoLeakCheck: true})
		mustSucceed(t, res)
		got, err := godotenv.Unmarshal(res.Stdout)
		if err != nil {
			t.Fatalf("godotenv cannot read the export: %v", err)
		}
		sameVars(t, "keep export --template", got, fromTemplate)
	})

	t.Run("set on a PHP Keep secret keeps its tags", func(t *testing.T) {
		mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"set", "api-token", "php-api-token-updated", "--env=production"}}))
		name := ns + "/production/api-token"
		wantSecret(t, name, "php-api-token-updated", phpSecret(ns, "", "production", "api-token", "").Tags)
	})

	t.Run("set in the scoped vault writes what the PHP Keep lists", func(t *testing.T) {
		mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"set", "NEW_KEY", "php-new-key-value", "--env=production", "--vault=app2"}}))
		name := ns + "/app2/production/NEW_KEY"
		wantSecret(t, name, "php-new-key-value", map[string]string{
			"ManagedBy": "Keep", "Namespace": ns, "Environment": "production", "VaultSlug": "app2", "Scope": "app2",
		})
		if got, want := awssdk.ToString(describeIn(t, motoserver.Region, name).Description), "Keep secret: NEW_KEY for production environment in app2 vault"; got != want {
			t.Errorf("description = %q, want the PHP Keep's %q", got, want)
		}
	})
}

// The files keep writes into .keep/ load in the PHP Keep, whose loaders
// want every value of a vault file to be a non-empty string; and
// vault:add works in a fresh clone, where git kept no .keep/vaults.
func TestPHPKeepReadsWhatKeepWrites(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := phpProject(t, ns)
	if err := os.RemoveAll(filepath.Join(dir, ".keep", "vaults")); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"vault:add", "-n", "--slug=replicated", "--name=Replicated", "--region=us-east-1",
		"--replica-regions=us-west-2,eu-west-1=alias/replica-key", "--kms-key=alias/primary-key"}}))
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"vault:add", "-n", "--slug=sm_two", "--name=Second", "--region=us-east-1", "--scope=/app3/"}}))
	for _, file := range []string{"replicated.json", "sm_two.json"} {
		wantPHPVaultFile(t, filepath.Join(dir, ".keep", "vaults", file))
	}

	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"set", "SLUGGED", "php-slugged-value", "--env=production", "--vault=sm_two"}}))
	name := ns + "/app3/production/SLUGGED"
	tags := tagMap(t, describeIn(t, motoserver.Region, name).Tags)
	if tags["VaultSlug"] != "sm-two" || tags["Scope"] != "app3" {
		t.Errorf("tags VaultSlug=%q Scope=%q, want the PHP Keep's sm-two and app3", tags["VaultSlug"], tags["Scope"])
	}
}

// wantPHPVaultFile checks that the vault file at path loads in the PHP
// Keep (VaultConfig::validateConfigStructure): no JSON array anywhere —
// its integer keys are refused, which refuses the whole project — no
// string over 1000 bytes, and the scope trimmed of '/'.
func wantPHPVaultFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vault map[string]any
	if err := json.Unmarshal(b, &vault); err != nil {
		t.Fatalf("vault file is not JSON: %v\n%s", err, b)
	}
	var check func(at string, v any)
	check = func(at string, v any) {
		switch v := v.(type) {
		case []any:
			t.Errorf("%s: %s is an array, which the PHP Keep refuses", path, at)
		case map[string]any:
			for k, e := range v {
				check(at+"."+k, e)
			}
		case string:
			if len(v) > 1000 {
				t.Errorf("%s: %s is %d bytes; the PHP Keep takes at most 1000", path, at, len(v))
			}
		}
	}
	for k, v := range vault {
		check(k, v)
	}
	if scope, _ := vault["scope"].(string); strings.Trim(scope, "/") != scope {
		t.Errorf("scope = %q; the PHP Keep trims '/'", scope)
	}
}
