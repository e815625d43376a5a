//go:build linux

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/motoserver"
)

// Project setup through the binary: keep init, vault:add, vault:list,
// vault:delete and env:add. The files are compared with the goldens of
// config/write_test.go, which hold them as the PHP Keep writes them.

// keepProject is a directory where keep init and keep vault:add ran.
type keepProject struct {
	dir string // holds .keep/
	ns  string // the namespace, unique to the test
}

// newProject runs keep init (envs local, staging, production; a namespace
// unique to the test) and keep vault:add with vaultFlags in a new
// directory.
func newProject(t *testing.T, vaultFlags ...string) keepProject {
	t.Helper()
	p := keepProject{dir: t.TempDir(), ns: namespace(t)}
	mustSucceed(t, keep(t, run{Dir: p.dir, Args: []string{"init", "--no-interaction", "--name=Test App", "--namespace=" + p.ns, "--envs=local,staging,production"}}))
	mustSucceed(t, keep(t, run{Dir: p.dir, Args: append([]string{"vault:add", "--no-interaction"}, vaultFlags...)}))
	return p
}

// keep runs keep in the project directory.
func (p keepProject) keep(t *testing.T, args ...string) result {
	t.Helper()
	return keep(t, run{Dir: p.dir, Args: args})
}

// file is the content of the project file at rel (under .keep/).
func (p keepProject) file(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(p.dir, ".keep", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// scopedSecret is a Keep-tagged secret of the vault slug with scope.
func scopedSecret(ns, scope, env, slug, key, value string) motoserver.Secret {
	return motoserver.Secret{Name: ns + "/" + scope + "/" + env + "/" + key, Value: value, Tags: keeptest.Tags(ns, env, slug)}
}

// twoVaults writes a project of ns with envs staging and production and
// two Secrets Manager vaults, a (scope team-a, the default) and b (scope
// team-b), and returns its directory.
func twoVaults(t *testing.T, ns string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, ".keep/settings.json", fmt.Sprintf(`{"namespace": %q, "envs": ["staging", "production"], "default_vault": "a"}`, ns))
	writeFile(t, dir, ".keep/vaults/a.json", `{"slug": "a", "driver": "secretsmanager", "region": "us-east-1", "scope": "team-a"}`)
	writeFile(t, dir, ".keep/vaults/b.json", `{"slug": "b", "driver": "secretsmanager", "region": "us-east-1", "scope": "team-b"}`)
	return dir
}

// wantNoKeepDir checks that a refused keep init left nothing behind.
func wantNoKeepDir(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, ".keep")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf(".keep exists after a refused init (stat: %v)", err)
	}
}

var timestampRE = regexp.MustCompile(`"(created_at|updated_at)": "([^"]*)"`)

// phpDateC is PHP's date('c').
var phpDateC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$`)

// settingsTimes checks the format of created_at and updated_at and returns
// them, with the file where both hold the goldens' time.
func settingsTimes(t *testing.T, settings string) (created, updated, normalised string) {
	t.Helper()
	for _, m := range timestampRE.FindAllStringSubmatch(settings, -1) {
		if !phpDateC.MatchString(m[2]) {
			t.Errorf("%s = %q, not PHP's date('c') format", m[1], m[2])
		}
		if m[1] == "created_at" {
			created = m[2]
		} else {
			updated = m[2]
		}
	}
	if created == "" || updated == "" {
		t.Errorf("settings.json lacks created_at or updated_at:\n%s", settings)
	}
	return created, updated, timestampRE.ReplaceAllString(settings, `"$1": "2025-03-04T09:15:27+00:00"`)
}

// wantGolden compares got with config/testdata/golden/name.
func wantGolden(t *testing.T, name, got string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("..", "config", "testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the file differs from golden %s\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestInitWritesThePHPKeepsFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res := keep(t, run{Dir: dir, Args: []string{"init", "--name=Acme Billing", "--namespace=acme-billing", "--envs=local, staging,production", "--no-interaction"}})
	wantStdout(t, res, "namespace acme-billing, environments local, staging, production", "keep vault:add")
	p := keepProject{dir: dir}
	settings := p.file(t, "settings.json")
	created, updated, normalised := settingsTimes(t, settings)
	if created != updated {
		t.Errorf("created_at %s != updated_at %s in a new project", created, updated)
	}
	wantGolden(t, "settings-init.json", normalised)
	wantGolden(t, "gitignore", p.file(t, ".gitignore"))
	for _, sub := range []string{"vaults", "local"} {
		if fi, err := os.Stat(filepath.Join(dir, ".keep", sub)); err != nil || !fi.IsDir() {
			t.Errorf(".keep/%s is not a directory (%v)", sub, err)
		}
	}
}

func TestInitDefaultsWithoutATerminal(t *testing.T) {
	t.Parallel()
	// Observed: with stdin not a terminal (here /dev/null), keep init asks
	// nothing, with or without --no-interaction: the app name is the
	// directory's name, the namespace that name slugged, the envs local,
	// staging and production.
	for _, flags := range [][]string{{"--no-interaction"}, nil} {
		t.Run(strings.Join(append([]string{"flags"}, flags...), " "), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "Acme Shop 2")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			res := keep(t, run{Dir: dir, Args: append([]string{"init"}, flags...)})
			mustSucceed(t, res)
			if res.Stderr != "" {
				t.Errorf("keep init prompted without a terminal; stderr:\n%s", res.Stderr)
			}
			var s struct {
				AppName      string   `json:"app_name"`
				Namespace    string   `json:"namespace"`
				Envs         []string `json:"envs"`
				DefaultVault *string  `json:"default_vault"`
			}
			if err := json.Unmarshal([]byte(keepProject{dir: dir}.file(t, "settings.json")), &s); err != nil {
				t.Fatal(err)
			}
			if s.AppName != "Acme Shop 2" || s.Namespace != "acme-shop-2" || !slices.Equal(s.Envs, []string{"local", "staging", "production"}) || s.DefaultVault != nil {
				t.Errorf("settings = %+v, want app_name \"Acme Shop 2\", namespace acme-shop-2, envs local,staging,production, default_vault null", s)
			}
		})
	}
}

func TestInitNamesTheFlagWhenADefaultIsMissing(t *testing.T) {
	t.Parallel()
	// A directory whose name slugs to nothing gives no default namespace:
	// without a terminal keep says which flag to pass.
	dir := filepath.Join(t.TempDir(), "___")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	res := keep(t, run{Dir: dir, Args: []string{"init", "--no-interaction"}})
	wantExit(t, res, 125, "missing namespace", "--namespace=NS")
	wantNoKeepDir(t, dir)
}

func TestInitRefusesInvalidSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"namespace with a space", []string{"--namespace=my app"}, `invalid namespace "my app"`},
		{"namespace with a slash", []string{"--namespace=my/app"}, `invalid namespace "my/app"`},
		{"namespace too long", []string{"--namespace=" + strings.Repeat("n", 101)}, "invalid namespace"},
		{"upper-case env", []string{"--envs=local,Production"}, `invalid environment "Production"`},
		{"env with a dot", []string{"--envs=prod.eu"}, `invalid environment "prod.eu"`},
		{"duplicate env", []string{"--envs=local,production,local"}, `environment "local" is listed twice`},
		{"no env", []string{"--envs=, ,"}, "no environments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := append([]string{"init", "--no-interaction", "--name=app", "--namespace=app", "--envs=local,production"}, tc.flags...)
			wantExit(t, keep(t, run{Dir: dir, Args: args}), 125, tc.want)
			wantNoKeepDir(t, dir)
		})
	}
}

func TestInitRefusesAnInitialisedProject(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	before := p.file(t, "settings.json")
	wantExit(t, p.keep(t, "init", "--no-interaction", "--name=Other", "--namespace=other"), 125, ".keep/settings.json already exists", "keep env:add")
	if after := p.file(t, "settings.json"); after != before {
		t.Errorf("settings.json changed:\n%s", after)
	}
}

// keep init inside a project's directory: refused without a terminal
// (--nested forces it), asked on one.
func TestInitInsideAProject(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	sub := filepath.Join(p.dir, "services", "api")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	wantExit(t, keep(t, run{Dir: sub, Args: []string{"init", "--no-interaction"}}), 125,
		sub+" is inside the keep project of "+p.dir, "pass --nested")
	wantNoKeepDir(t, sub)

	sh := startShell(t)
	sh.send("cd " + commandLine(sub) + "\n")
	sh.prompt()
	line := commandLine(keeptest.Bin(t), "init", "--name=api", "--namespace=api", "--envs=production") + "\n"
	sh.send(line)
	sh.expect(regexp.MustCompile(`keep: warning: ` + regexp.QuoteMeta(sub) + ` is inside the keep project of ` + regexp.QuoteMeta(p.dir) + `; .*\r?\nCreate a second project here\? \[y/N\]: `))
	sh.send("\n")
	if shown, code := sh.promptAfter(); code != 0 || !strings.Contains(shown, "Nothing was created") {
		t.Errorf("answered the default (no): $? = %d; the terminal shows:\n%s", code, shown)
	}
	wantNoKeepDir(t, sub)
	sh.send(line)
	sh.expect(regexp.MustCompile(`\[y/N\]: `))
	sh.send("y\n")
	if shown, code := sh.promptAfter(); code != 0 || !strings.Contains(shown, "Initialised .keep in "+sub) {
		t.Errorf("answered yes: $? = %d; the terminal shows:\n%s", code, shown)
	}

	other := filepath.Join(p.dir, "worker")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	wantStdout(t, keep(t, run{Dir: other, Args: []string{"init", "--no-interaction", "--nested"}}), "Initialised .keep in "+other)
}

func TestInitPromptsOnATerminal(t *testing.T) {
	t.Parallel()
	sh := startShell(t)
	dir := filepath.Join(t.TempDir(), "Shop Front")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sh.send("cd " + commandLine(dir) + "\n")
	sh.prompt()
	sh.send(commandLine(keeptest.Bin(t), "init") + "\n")
	sh.expect(regexp.MustCompile(`Application name \[Shop Front\]: `))
	sh.send("Acme Shop\n")
	sh.expect(regexp.MustCompile(`Namespace \[acme-shop\]: `)) // the default follows the answer
	sh.send("\n")
	sh.expect(regexp.MustCompile(`Environments \[local,staging,production\]: `))
	sh.send("dev,prod\n")
	if shown, code := sh.promptAfter(); code != 0 {
		t.Fatalf("$? = %d; the terminal shows:\n%s", code, shown)
	}
	var s struct {
		AppName   string   `json:"app_name"`
		Namespace string   `json:"namespace"`
		Envs      []string `json:"envs"`
	}
	if err := json.Unmarshal([]byte(keepProject{dir: dir}.file(t, "settings.json")), &s); err != nil {
		t.Fatal(err)
	}
	if s.AppName != "Acme Shop" || s.Namespace != "acme-shop" || !slices.Equal(s.Envs, []string{"dev", "prod"}) {
		t.Errorf("settings = %+v, want the answers: Acme Shop, acme-shop (the default), dev,prod", s)
	}

	// Ctrl-D at a prompt: an error on a line of its own, nothing created.
	dir3 := filepath.Join(t.TempDir(), "eof")
	if err := os.Mkdir(dir3, 0o755); err != nil {
		t.Fatal(err)
	}
	sh.send("cd " + commandLine(dir3) + " && " + commandLine(keeptest.Bin(t), "init") + "\n")
	sh.expect(regexp.MustCompile(`Application name \[eof\]: `))
	sh.send("\x04")
	shown, code := sh.promptAfter()
	if code != 125 || !regexp.MustCompile(`(?m)^keep: error: no application name: the input ended\r?\nkeep: answer the prompt, or pass --name=APP\r?$`).MatchString(shown) {
		t.Errorf("Ctrl-D at the first prompt: $? = %d; the terminal shows:\n%q", code, shown)
	}
	wantNoKeepDir(t, dir3)

	// With --no-interaction nothing is asked, even on a terminal.
	dir2 := filepath.Join(t.TempDir(), "quiet")
	if err := os.Mkdir(dir2, 0o755); err != nil {
		t.Fatal(err)
	}
	sh.send("cd " + commandLine(dir2) + " && " + commandLine(keeptest.Bin(t), "init", "--no-interaction") + "\n")
	shown, code = sh.promptAfter()
	if code != 0 || strings.Contains(shown, "Application name") {
		t.Errorf("keep init --no-interaction on a terminal: $? = %d, shows:\n%s", code, shown)
	}
}

func TestVaultAddWritesThePHPKeepsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"init", "--name=Acme Billing", "--namespace=acme-billing", "--no-interaction"}}))
	p := keepProject{dir: dir}
	created, _, _ := settingsTimes(t, p.file(t, "settings.json"))

	res := p.keep(t, "vault:add", "--no-interaction")
	wantStdout(t, res,
		"Added vault secretsmanager (AWS Secrets Manager, region us-east-1)",
		"secretsmanager is the default vault",
		"✓ credentials work and may list secrets in us-east-1")
	wantGolden(t, "vault-default.json", p.file(t, "vaults/secretsmanager.json"))

	created2, _, normalised := settingsTimes(t, p.file(t, "settings.json"))
	if created2 != created {
		t.Errorf("vault:add changed created_at from %s to %s", created, created2)
	}
	wantGolden(t, "settings-default-vault.json", normalised)
}

func TestVaultAddEverySetting(t *testing.T) {
	t.Parallel()
	p := newProject(t, "--slug=first")
	res := p.keep(t, "vault:add", "--no-interaction", "--slug=billing-eu", "--name=Billing EU", "--scope=/billing/eu/", "--region=eu-west-1",
		"--kms-key=arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"--replica-regions=us-west-2, eu-central-1=alias/replica-key")
	wantStdout(t, res, "Added vault billing-eu (Billing EU, region eu-west-1)", "✓ credentials work and may list secrets in eu-west-1")
	if strings.Contains(res.Stdout, "default vault") {
		t.Errorf("a second vault became the default without --default:\n%s", res.Stdout)
	}
	wantGolden(t, "vault-full.json", p.file(t, "vaults/billing-eu.json"))
}

// defaultVault is default_vault in the project's settings.json.
func (p keepProject) defaultVault(t *testing.T) string {
	t.Helper()
	var s struct {
		DefaultVault *string `json:"default_vault"`
	}
	if err := json.Unmarshal([]byte(p.file(t, "settings.json")), &s); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(s.DefaultVault)
}

func TestVaultAddDefault(t *testing.T) {
	t.Parallel()
	p := newProject(t, "--slug=one")
	if got := p.defaultVault(t); got != "one" {
		t.Fatalf("default_vault = %q after the first vault:add, want one", got)
	}
	mustSucceed(t, p.keep(t, "vault:add", "--no-interaction", "--slug=two"))
	if got := p.defaultVault(t); got != "one" {
		t.Errorf("default_vault = %q after vault:add two, want still one", got)
	}
	wantStdout(t, p.keep(t, "vault:add", "--no-interaction", "--slug=three", "--default"), "three is the default vault")
	if got := p.defaultVault(t); got != "three" {
		t.Errorf("default_vault = %q after vault:add three --default, want three", got)
	}
	// Without --slug and without a terminal, the slug is secretsmanager:
	// run twice with the same settings, vault:add changes nothing the
	// second time; with other settings it refuses, naming --slug.
	wantStdout(t, p.keep(t, "vault:add", "--no-interaction"), "Added vault secretsmanager ")
	files := func() string {
		entries, err := os.ReadDir(filepath.Join(p.dir, ".keep", "vaults"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name()+":"+p.file(t, "vaults/"+e.Name()))
		}
		return strings.Join(names, "\n") + p.file(t, "settings.json")
	}
	before := files()
	res := p.keep(t, "vault:add", "--no-interaction")
	wantLines(t, res, 0, "Vault secretsmanager exists with these settings; nothing to add")
	if files() != before {
		t.Errorf("a second vault:add with the same settings changed .keep/")
	}
	wantExit(t, p.keep(t, "vault:add", "--no-interaction", "--region=eu-west-1"), 125,
		`a vault with slug "secretsmanager" already exists, with other settings: region: "us-east-1" in the file, "eu-west-1" given`,
		"pass --slug=NAME to add another vault (e.g. --slug=secretsmanager2)")
	if files() != before {
		t.Errorf("a refused vault:add changed .keep/")
	}
	// The same settings with --default: only the default changes.
	wantLines(t, p.keep(t, "vault:add", "--no-interaction", "--slug=two", "--default"), 0,
		"Vault two exists with these settings; nothing to add", "two is the default vault")
	if got := p.defaultVault(t); got != "two" {
		t.Errorf("default_vault = %q after vault:add two --default, want two", got)
	}
	mustSucceed(t, p.keep(t, "vault:add", "--no-interaction", "--slug=three", "--default"))

	res = p.keep(t, "vault:list")
	mustSucceed(t, res)
	lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	want := [][]string{
		{"SLUG", "NAME", "DRIVER", "REGION", "SCOPE", "DEFAULT"},
		{"one", "AWS", "Secrets", "Manager", "secretsmanager", "us-east-1"},
		{"secretsmanager", "AWS", "Secrets", "Manager", "secretsmanager", "us-east-1"},
		{"three", "AWS", "Secrets", "Manager", "secretsmanager", "us-east-1", "✓"},
		{"two", "AWS", "Secrets", "Manager", "secretsmanager", "us-east-1"},
	}
	if len(lines) != len(want) {
		t.Fatalf("vault:list printed %d lines, want %d:\n%s", len(lines), len(want), res.Stdout)
	}
	for i, line := range lines {
		if got := strings.Fields(line); !slices.Equal(got, want[i]) {
			t.Errorf("vault:list line %d = %q, want the fields %q", i, line, want[i])
		}
	}
}

func TestVaultListWithoutVaults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"init", "--no-interaction", "--name=app"}}))
	wantStdout(t, keep(t, run{Dir: dir, Args: []string{"vault:list"}}), "No vaults are configured yet; add one with keep vault:add")
	wantExit(t, keep(t, run{Args: []string{"vault:list"}}), 125, "no .keep/settings.json", "keep init")
}

// vault:list --format=json: the table's rows as objects.
func TestVaultListJSON(t *testing.T) {
	t.Parallel()
	dir := twoVaults(t, namespace(t))
	res := keep(t, run{Dir: dir, Args: []string{"vault:list", "--format=json"}})
	mustSucceed(t, res)
	var vaults []struct {
		Slug    string `json:"slug"`
		Driver  string `json:"driver"`
		Scope   string `json:"scope"`
		Default bool   `json:"default"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &vaults); err != nil {
		t.Fatalf("vault:list --format=json: %v\n%s", err, res.Stdout)
	}
	if len(vaults) != 2 || vaults[0].Slug != "a" || !vaults[0].Default || vaults[1].Slug != "b" || vaults[1].Default || vaults[1].Scope != "team-b" {
		t.Errorf("vaults = %+v", vaults)
	}
}

func TestVaultAddRefuses(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	before := p.file(t, "vaults/secretsmanager.json")
	for _, tc := range []struct {
		name  string
		flags []string
		want  []string
	}{
		{"duplicate slug", []string{"--slug=secretsmanager", "--name=Another"}, []string{`a vault with slug "secretsmanager" already exists, with other settings: name: "AWS Secrets Manager" in the file, "Another" given`, "pass --slug=NAME"}},
		{"upper-case slug", []string{"--slug=Prod"}, []string{`invalid vault slug "Prod"`}},
		{"slug with a space", []string{"--slug=my vault"}, []string{`invalid vault slug "my vault"`}},
		{"slug too long", []string{"--slug=" + strings.Repeat("s", 51)}, []string{"invalid vault slug"}},
		{"bad scope", []string{"--slug=scoped", "--scope=a b"}, []string{`invalid vault scope "a b"`}},
		{"bad replica region", []string{"--slug=replicated", "--replica-regions=us-west-2,mars-1"}, []string{`replica region "mars-1" is not an AWS region`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantExit(t, p.keep(t, append([]string{"vault:add", "--no-interaction"}, tc.flags...)...), 125, tc.want...)
		})
	}
	entries, err := os.ReadDir(filepath.Join(p.dir, ".keep", "vaults"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("vaults/ holds %d files after refused adds, want 1", len(entries))
	}
	if after := p.file(t, "vaults/secretsmanager.json"); after != before {
		t.Errorf("the existing vault file changed:\n%s", after)
	}
	if got := p.defaultVault(t); got != "secretsmanager" {
		t.Errorf("default_vault = %q, want secretsmanager", got)
	}
	// Outside a project there is nothing to add a vault to.
	wantExit(t, keep(t, run{Args: []string{"vault:add", "--no-interaction"}}), 125, "no .keep/settings.json", "run keep init first")
}

func TestVaultAddWithoutCredentials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"init", "--no-interaction", "--name=app"}}))
	noCredentials := []string{
		"AWS_ENDPOINT_URL=" + keeptest.Moto().URL,
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/nonexistent/keep-test/config",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent/keep-test/credentials",
	}
	res := keep(t, run{Endpoint: noCredentials, Dir: dir, Args: []string{"vault:add", "--no-interaction", "--region=eu-west-1"}})
	wantStdout(t, res, "Added vault secretsmanager", "✗ access check in eu-west-1: no AWS credentials", "configure credentials")
	if strings.Contains(res.Stdout, "✓") {
		t.Errorf("the access check succeeded without credentials:\n%s", res.Stdout)
	}
	p := keepProject{dir: dir}
	if !strings.Contains(p.file(t, "vaults/secretsmanager.json"), `"region": "eu-west-1"`) {
		t.Errorf("the vault file lacks the region:\n%s", p.file(t, "vaults/secretsmanager.json"))
	}
	if got := p.defaultVault(t); got != "secretsmanager" {
		t.Errorf("default_vault = %q, want secretsmanager", got)
	}
}

func TestVaultAddPromptsOnATerminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"init", "--no-interaction", "--name=app"}}))
	sh := startShell(t)
	sh.send("cd " + commandLine(dir) + " && " + commandLine(keeptest.Bin(t), "vault:add", "--kms-key=alias/app") + "\n")
	sh.expect(regexp.MustCompile(`Vault slug \[secretsmanager\]: `))
	sh.send("primary\n")
	sh.expect(regexp.MustCompile(`Vault name \[AWS Secrets Manager\]: `))
	sh.send("\n")
	sh.expect(regexp.MustCompile(`AWS region \[us-east-1\]: `))
	sh.send("eu-west-1\n")
	shown, code := sh.promptAfter()
	if code != 0 || !strings.Contains(shown, "✓ credentials work and may list secrets in eu-west-1") {
		t.Fatalf("$? = %d; the terminal shows:\n%s", code, shown)
	}
	want := `{
    "slug": "primary",
    "driver": "secretsmanager",
    "name": "AWS Secrets Manager",
    "scope": "",
    "region": "eu-west-1",
    "key": "alias/app"
}`
	if got := (keepProject{dir: dir}).file(t, "vaults/primary.json"); got != want {
		t.Errorf("vaults/primary.json =\n%s\nwant\n%s", got, want)
	}
}

func TestVaultDelete(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	mustSucceed(t, p.keep(t, "vault:add", "--no-interaction", "--slug=other", "--scope=other"))
	// A secret in the vault to delete: vault:delete must leave it alone.
	wantStdout(t, p.keep(t, "set", "KEPT", "vault-delete-keeps-me", "--env=production", "--vault=other"), "Created "+p.ns+"/other/production/KEPT")
	keeptest.Remember("vault-delete-keeps-me")

	wantExit(t, p.keep(t, "vault:delete", "secretsmanager"), 125, "secretsmanager is the default vault", "keep vault:edit OTHER --default")
	if _, err := os.Stat(filepath.Join(p.dir, ".keep", "vaults", "secretsmanager.json")); err != nil {
		t.Errorf("the default vault's file is gone after a refused delete: %v", err)
	}
	wantExit(t, p.keep(t, "vault:delete", "nope"), 125, `no vault "nope"`, "keep vault:list")

	wantStdout(t, p.keep(t, "vault:delete", "other"), "Removed vault other (local configuration only; no secret was deleted)")
	if _, err := os.Stat(filepath.Join(p.dir, ".keep", "vaults", "other.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("vaults/other.json still exists (stat: %v)", err)
	}
	out, err := keeptest.Moto().Client().GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(p.ns + "/other/production/KEPT")})
	if err != nil || aws.ToString(out.SecretString) != "vault-delete-keeps-me" {
		t.Errorf("the vault's secret after vault:delete: %v", err)
	}
	res := p.keep(t, "vault:list")
	mustSucceed(t, res)
	if strings.Contains(res.Stdout, "other") || !strings.Contains(res.Stdout, "secretsmanager") {
		t.Errorf("vault:list after vault:delete other:\n%s", res.Stdout)
	}
	// The vault is unknown to the secret commands now.
	wantExit(t, p.keep(t, "get", "KEPT", "--env=production", "--vault=other"), 125, `vault "other" is not configured`)
}

func TestEnvAdd(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	created, _, _ := settingsTimes(t, p.file(t, "settings.json"))
	wantStdout(t, p.keep(t, "env:add", "qa"), "Added environment qa")
	var s struct {
		Envs      []string `json:"envs"`
		CreatedAt string   `json:"created_at"`
	}
	if err := json.Unmarshal([]byte(p.file(t, "settings.json")), &s); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Envs, []string{"local", "staging", "production", "qa"}) || s.CreatedAt != created {
		t.Errorf("after env:add qa: envs %q, created_at %s (was %s)", s.Envs, s.CreatedAt, created)
	}
	// The new environment is usable at once.
	wantStdout(t, p.keep(t, "set", "QA_ONLY", "qa-value-1", "--env=qa"), "Created "+p.ns+"/qa/QA_ONLY")
	keeptest.Remember("qa-value-1")

	before := p.file(t, "settings.json")
	wantExit(t, p.keep(t, "env:add", "qa"), 125, `environment "qa" already exists`)
	wantExit(t, p.keep(t, "env:add", "QA"), 125, `invalid environment "QA"`)
	wantExit(t, p.keep(t, "env:add", "q/a"), 125, `invalid environment "q/a"`)
	wantExit(t, p.keep(t, "env:add", strings.Repeat("e", 51)), 125, "invalid environment")
	if after := p.file(t, "settings.json"); after != before {
		t.Errorf("settings.json changed by refused env:add:\n%s", after)
	}
	// An environment outside the project's list is refused by the secret commands.
	wantExit(t, p.keep(t, "set", "X", "y", "--env=uat"), 125, `environment "uat" is not one of the project's environments`)
}

// git keeps no empty directory, so in a fresh clone of a project without
// vaults .keep/vaults is missing: vault:add creates it, as keep init does.
func TestVaultAddWithoutTheVaultsDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"init", "--no-interaction", "--name=Acme Billing", "--namespace=acme-billing"}}))
	vaults := filepath.Join(dir, ".keep", "vaults")
	initMode := func() os.FileMode {
		fi, err := os.Stat(vaults)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode()
	}()
	if err := os.Remove(vaults); err != nil {
		t.Fatal(err)
	}
	res := keep(t, run{Dir: dir, Args: []string{"vault:add", "--no-interaction"}})
	wantStdout(t, res, "Added vault secretsmanager", "secretsmanager is the default vault")
	wantGolden(t, "vault-default.json", (keepProject{dir: dir}).file(t, "vaults/secretsmanager.json"))
	if fi, err := os.Stat(vaults); err != nil || fi.Mode() != initMode {
		t.Errorf("vaults/ after vault:add: %v (stat: %v), want %v as keep init makes it", fi.Mode(), err, initMode)
	}
	if entries, _ := os.ReadDir(vaults); len(entries) != 1 {
		t.Errorf("vaults/ holds %d entries, want the vault file alone (no .tmp)", len(entries))
	}
}

// A scoped vault as the PHP Keep writes it, "/app2/" as the user typed it:
// its secrets are NS/app2/ENV/KEY, tagged Scope=app2. keep reads them,
// and those it created before it wrote Scope; it creates new ones with
// Scope=app2, and leaves the tags of those it updates.
func TestScopedVaultAsThePHPKeepWritesIt(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := t.TempDir()
	writeFile(t, dir, ".keep/settings.json", fmt.Sprintf(`{"app_name": "app", "namespace": %q, "envs": ["staging", "production"], "default_vault": "app2"}`, ns))
	writeFile(t, dir, ".keep/vaults/app2.json", `{"slug": "app2", "driver": "secretsmanager", "name": "App 2", "scope": "/app2/", "region": "us-east-1", "key": ""}`)
	phpTags := map[string]string{"ManagedBy": "Keep", "Namespace": ns, "Env": "production", "VaultSlug": "app2", "Scope": "app2"}
	seed(t,
		motoserver.Secret{Name: ns + "/app2/production/PHP_KEY", Value: "scoped-php-value-1", Tags: phpTags},
		scopedSecret(ns, "app2", "production", "app2", "OLD_KEEP", "scoped-old-keep-value"), // no Scope tag
		secret(ns, "production", "OUTSIDE", "unscoped-outside-value"),
	)
	p := keepProject{dir: dir, ns: ns}

	env := childEnv(t, p.keep(t, "run", "--env=production", "--", testBin, "child:env"))
	hasOnly(t, env, map[string]string{"PHP_KEY": "scoped-php-value-1", "OLD_KEEP": "scoped-old-keep-value"}, "OUTSIDE")

	name := ns + "/app2/production/NEW_KEY"
	keeptest.Remember("scoped-new-value-2")
	wantStdout(t, p.keep(t, "set", "NEW_KEY", "scoped-new-value-2", "--env=production"), "Created "+name+" in us-east-1")
	d := describeIn(t, "us-east-1", name)
	tags := keeptest.Tags(ns, "production", "app2")
	tags["Scope"] = "app2"
	wantTags(t, name, d.Tags, tags)
	if got, want := aws.ToString(d.Description), "Keep secret: NEW_KEY for production environment in app2 vault"; got != want {
		t.Errorf("Description = %q, want %q", got, want)
	}

	keeptest.Remember("scoped-php-value-3")
	wantStdout(t, p.keep(t, "set", "PHP_KEY", "scoped-php-value-3", "--env=production"), "Updated "+ns+"/app2/production/PHP_KEY")
	wantSecret(t, ns+"/app2/production/PHP_KEY", "scoped-php-value-3", phpTags)

	env = childEnv(t, p.keep(t, "run", "--env=production", "--", testBin, "child:env"))
	hasOnly(t, env, map[string]string{"PHP_KEY": "scoped-php-value-3", "OLD_KEEP": "scoped-old-keep-value", "NEW_KEY": "scoped-new-value-2"}, "OUTSIDE")
	res := p.keep(t, "vault:list", "--format=json")
	if mustSucceed(t, res); !strings.Contains(res.Stdout, `"scope": "app2"`) {
		t.Errorf("vault:list shows the scope untrimmed:\n%s", res.Stdout)
	}
}

// A vault slug with '_' is slugged in the VaultSlug tag and the
// description, as the PHP Keep writes them.
func TestVaultSlugIsSluggedAsThePHPKeepDoes(t *testing.T) {
	t.Parallel()
	p := newProject(t, "--slug=sm_two")
	name := p.ns + "/production/SLUGGED"
	p.set(t, "production", "SLUGGED", "slugged-value-1")
	d := describeIn(t, "us-east-1", name)
	wantTags(t, name, d.Tags, keeptest.Tags(p.ns, "production", "sm-two"))
	if got, want := aws.ToString(d.Description), "Keep secret: SLUGGED for production environment in sm-two vault"; got != want {
		t.Errorf("Description = %q, want %q", got, want)
	}
	// The slug in the vault file, the settings and templates is unchanged.
	if got := p.defaultVault(t); got != "sm_two" {
		t.Errorf("default_vault = %q", got)
	}
	res := p.keep(t, "get", "SLUGGED", "--env=production", "--format=raw")
	if mustSucceed(t, res); res.Stdout != "slugged-value-1" {
		t.Errorf("get = %d bytes", len(res.Stdout))
	}
}
