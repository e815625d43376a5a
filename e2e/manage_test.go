//go:build linux

package e2e

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/joho/godotenv"

	"github.com/keep-run/keep/internal/keeptest"
)

// template:add, env:remove, vault:edit and info through the binary: each
// changes exactly the files it names.

// snapshot is every file under dir, path → content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantChanged checks that exactly the files changed (added, removed or
// rewritten) between before and after.
func wantChanged(t *testing.T, before, after map[string]string, changed ...string) {
	t.Helper()
	var got []string
	for path, content := range after {
		if old, ok := before[path]; !ok || old != content {
			got = append(got, path)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			got = append(got, path)
		}
	}
	slices.Sort(got)
	slices.Sort(changed)
	if !slices.Equal(got, changed) {
		t.Errorf("changed files %v, want %v", got, changed)
	}
}

// A KEY that no placeholder can name ('@', '+', '=') is left out of the
// template, commented and named on stderr, so that the template still
// parses and renders.
func TestTemplateAddLeavesOutUnnamableKeys(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	keeptest.Remember("tpl-at-1", "tpl-ok-2")
	seed(t,
		scopedSecret(ns, "team-a", "production", "a", "user@host", "tpl-at-1"),
		scopedSecret(ns, "team-a", "production", "a", "OK_KEY", "tpl-ok-2"),
		scopedSecret(ns, "team-b", "production", "b", "B_KEY", "tpl-ok-2"),
	)
	res := keep(t, run{Dir: dir, Args: []string{"template:add", "--env=production"}})
	wantStdout(t, res, "env/production.env: 2 variables")
	if !strings.Contains(res.Stderr, "left out of the template (commented), as no placeholder can name them: user@host") {
		t.Errorf("stderr does not name the KEY left out:\n%s", res.Stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "env", "production.env"))
	if err != nil {
		t.Fatal(err)
	}
	tpl := string(data)
	if !strings.Contains(tpl, "# user@host: no placeholder can name this KEY") {
		t.Errorf("the template does not say what it left out:\n%s", tpl)
	}
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"template:validate", "env/production.env", "--env=production"}}))
}

func TestTemplateAddRendersBackToTheSameVariables(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	keeptest.Remember("tpl-db-1", "tpl-api-2", "tpl-num-3", "tpl-shared-4")
	seed(t,
		scopedSecret(ns, "team-a", "production", "a", "DB_PASSWORD", "tpl-db-1"),
		scopedSecret(ns, "team-a", "production", "a", "api-token", "tpl-api-2"),
		scopedSecret(ns, "team-a", "production", "a", "1num", "tpl-num-3"),
		scopedSecret(ns, "team-b", "production", "b", "SHARED_KEY", "tpl-shared-4"),
		scopedSecret(ns, "team-b", "staging", "b", "ONLY_STAGING", "tpl-staging-5"),
	)
	before := snapshot(t, dir)
	res := keep(t, run{Dir: dir, Args: []string{"template:add", "--env=production"}})
	wantStdout(t, res, "env/production.env: 4 variables")
	after := snapshot(t, dir)
	wantChanged(t, before, after, "env/production.env")
	tpl := after["env/production.env"]
	for _, line := range []string{
		"# Keep Template - Environment: production\n",
		"# ===== Vault: a =====\nAPI_TOKEN={a:api-token}\nDB_PASSWORD={a:DB_PASSWORD}\nKEY_1NUM={a:1num}\n",
		"# ===== Vault: b =====\nSHARED_KEY={b:SHARED_KEY}\n",
	} {
		if !strings.Contains(tpl, line) {
			t.Errorf("the template lacks %q:\n%s", line, tpl)
		}
	}
	keeptest.AssertNoLeak(t, "the template", tpl)

	// The same variables as listing the two vaults gives keep run.
	rendered := keep(t, run{Dir: dir, Args: []string{"export", "--env=production", "--template=auto"}})
	listed := keep(t, run{Dir: dir, Args: []string{"export", "--env=production", "--vault=a,b"}})
	mustSucceed(t, rendered)
	mustSucceed(t, listed)
	got, err := godotenv.Unmarshal(rendered.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	want, err := godotenv.Unmarshal(listed.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 4 {
		t.Fatalf("export --vault=a,b gave %d variables, want 4", len(want))
	}
	sameVars(t, "the template's variables", got, want)

	// Never over an existing template without --overwrite.
	wantFailed(t, keep(t, run{Dir: dir, Args: []string{"template:add", "--env=production"}}), 125, "env/production.env exists", "--overwrite")
	res = keep(t, run{Dir: dir, Args: []string{"template:add", "--env=staging", "--vault=b", "--path=tpl"}})
	wantStdout(t, res, "tpl/staging.env: 1 variables")
	wantChanged(t, after, snapshot(t, dir), "tpl/staging.env")
	wantFailed(t, keep(t, run{Dir: dir, Args: []string{"template:add", "--env=staging", "--vault=a", "-o", "-"}}), 125, "no secrets of "+ns+"/team-a/staging in vault a")
}

func TestEnvRemoveChangesOnlyTheSettings(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	before := snapshot(t, p.dir)
	res := p.keep(t, "env:remove", "staging")
	wantStdout(t, res, "Removed environment staging from .keep/settings.json (its secrets stay in AWS; keep env:add staging makes them reachable again)")
	after := snapshot(t, p.dir)
	wantChanged(t, before, after, ".keep/settings.json")
	if !strings.Contains(after[".keep/settings.json"], "\"envs\": [\n        \"local\",\n        \"production\"\n    ],") {
		t.Errorf("settings.json after env:remove staging:\n%s", after[".keep/settings.json"])
	}
	wantFailed(t, p.keep(t, "env:remove", "staging"), 125, `no environment "staging"`)
	mustSucceed(t, p.keep(t, "env:remove", "local"))
	wantFailed(t, p.keep(t, "env:remove", "production"), 125, "production is the project's only environment")
}

func TestVaultEditChangesOnlyItsFile(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	mustSucceed(t, p.keep(t, "vault:add", "-n", "--slug=other", "--region=us-west-2"))
	before := snapshot(t, p.dir)

	res := p.keep(t, "vault:edit", "other", "--region=eu-west-1", "--scope=/team/", "--kms-key=alias/k", "--name=Other")
	wantStdout(t, res, "Updated vault other: name AWS Secrets Manager → Other; region us-west-2 → eu-west-1; kms key (none) → alias/k; scope (none) → team")
	after := snapshot(t, p.dir)
	wantChanged(t, before, after, ".keep/vaults/other.json")
	want := "{\n    \"slug\": \"other\",\n    \"driver\": \"secretsmanager\",\n    \"name\": \"Other\",\n    \"scope\": \"team\",\n    \"region\": \"eu-west-1\",\n    \"key\": \"alias/k\"\n}"
	if got := after[".keep/vaults/other.json"]; got != want {
		t.Errorf("other.json:\n%s\nwant:\n%s", got, want)
	}

	res = p.keep(t, "vault:edit", "other", "--default")
	wantStdout(t, res, "other is the default vault")
	last := snapshot(t, p.dir)
	wantChanged(t, after, last, ".keep/settings.json")
	if !strings.Contains(last[".keep/settings.json"], `"default_vault": "other"`) {
		t.Errorf("settings.json after --default:\n%s", last[".keep/settings.json"])
	}

	res = p.keep(t, "vault:edit", "other", "--kms-key=", "--scope=")
	wantStdout(t, res, "kms key alias/k → (none); scope team → (none)")
	wantChanged(t, last, snapshot(t, p.dir), ".keep/vaults/other.json")

	wantFailed(t, p.keep(t, "vault:edit", "other"), 125, "nothing to change")
	wantFailed(t, p.keep(t, "vault:edit", "nope", "--name=x"), 125, `no vault "nope"`)
	wantFailed(t, p.keep(t, "vault:edit", "other", "--region=US_EAST"), 125, `invalid region "US_EAST"`)
}

func TestInfoShowsTheProjectWithoutCallingAWS(t *testing.T) {
	t.Parallel()
	p := newProject(t, "--region=eu-west-1", "--scope=team")
	before := snapshot(t, p.dir)
	// An endpoint nothing listens on: a network call would fail.
	dead := []string{"AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=x", "AWS_REGION=us-east-2"}
	res := keep(t, run{Dir: p.dir, Args: []string{"info", "--format=json"}, Endpoint: dead})
	mustSucceed(t, res)
	var got struct {
		Project, Namespace, DefaultVault, Credentials, Region, RegionFrom string
		Envs                                                              []string
		Vaults                                                            []struct{ Slug, Region, Scope string }
	}
	if err := json.Unmarshal([]byte(res.Stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Project != filepath.Join(p.dir, ".keep", "settings.json") || got.Namespace != p.ns ||
		!slices.Equal(got.Envs, []string{"local", "staging", "production"}) ||
		got.Credentials != "environment (AWS_ACCESS_KEY_ID)" || got.Region != "us-east-2" ||
		len(got.Vaults) != 1 || got.Vaults[0].Region != "eu-west-1" || got.Vaults[0].Scope != "team" {
		t.Errorf("info = %+v", got)
	}
	wantChanged(t, before, snapshot(t, p.dir))

	res = keep(t, run{Dir: p.dir, Args: []string{"info", "--check"}, Endpoint: dead})
	wantFailed(t, res, 1, "the credential check failed")
	wantStdout(t, p.keep(t, "info", "--check"), "✓ credentials work")
}

func TestVaultEditAndEnvRemoveAskOnATerminal(t *testing.T) {
	t.Parallel()
	p := newProject(t, "--kms-key=alias/old")
	sh := startShell(t)
	sh.send("cd " + commandLine(p.dir) + "\n")
	sh.prompt()
	sh.send(commandLine(keeptest.Bin(t), "vault:edit", "secretsmanager") + "\n")
	sh.expect(regexp.MustCompile(`Vault name \[AWS Secrets Manager\]: `))
	sh.send("\n")
	sh.expect(regexp.MustCompile(`AWS region \[us-east-1\]: `))
	sh.send("eu-west-1\n")
	sh.expect(regexp.MustCompile(`KMS key \(- for the AWS managed key\) \[alias/old\]: `))
	sh.send("-\n")
	sh.expect(regexp.MustCompile(`Scope \(- for none\): `))
	sh.send("team\n")
	if shown, code := sh.promptAfter(); code != 0 || !strings.Contains(shown, "Updated vault secretsmanager: region us-east-1 → eu-west-1; kms key alias/old → (none); scope (none) → team") {
		t.Fatalf("$? = %d; the terminal shows:\n%s", code, shown)
	}

	before := snapshot(t, p.dir)
	sh.send(commandLine(keeptest.Bin(t), "env:remove", "local") + "\n")
	sh.expect(regexp.MustCompile(`Remove environment local from \.keep/settings\.json\? Its secrets stay in AWS\. \[y/N\]: `))
	sh.send("\n")
	if _, code := sh.promptAfter(); code != 0 {
		t.Fatalf("$? = %d after no", code)
	}
	wantChanged(t, before, snapshot(t, p.dir))
	sh.send(commandLine(keeptest.Bin(t), "env:remove", "local") + "\n")
	sh.expect(regexp.MustCompile(`\[y/N\]: `))
	sh.send("y\n")
	if shown, code := sh.promptAfter(); code != 0 || !strings.Contains(shown, "Removed environment local") {
		t.Fatalf("$? = %d; the terminal shows:\n%s", code, shown)
	}
	wantChanged(t, before, snapshot(t, p.dir), ".keep/settings.json")
}
