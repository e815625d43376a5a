package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
)

// FuzzLoadProject writes a fuzzed .keep/settings.json and one fuzzed vault
// file (under a fuzzed name) and checks that loading and resolving them
// never panics; that every error is a *config.Error, which carries what to
// do next; and that whatever resolves is safe to build secret names from:
// a namespace and env by the PHP Keep's rules (no '/', "..", space or
// non-ASCII), a Secrets Manager vault, a scope of plain segments, a region
// the SDK accepts, and —
// when the project has vault files — one of them, never a stand-in. What
// keep writes back (SaveSettings, SaveVault) loads back as it was, and
// loads in the PHP Keep.
func FuzzLoadProject(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	var settings, vaults [][]byte
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if strings.HasPrefix(filepath.Base(file), "settings") {
			settings = append(settings, data)
		} else {
			vaults = append(vaults, data)
		}
	}
	settings = append(settings,
		[]byte(`{"namespace": "app", "envs": ["production", "staging"], "default_vault": "main"}`),
		[]byte(`{"namespace": "../etc", "envs": ["prod/x", "..", "a b", "prød", ""]}`),
		[]byte(`{"namespace": 42, "envs": "production"}`),
		[]byte("\ufeff{\"namespace\": \"app\"}"),
		[]byte("{\r\n  \"namespace\": \"app\",\r\n  \"envs\": [\"production\"]\r\n}"),
		[]byte(`{"namespace": "app", "envs": null, "default_vault": ""}`),
		[]byte(`{"namespace": "app", "NAMESPACE": "other", "namespace": "dup"}`),
		[]byte(`{"namespace": "app"`),
		[]byte(`[]`), []byte(`null`), []byte(``),
	)
	vaults = append(vaults,
		[]byte(`{"slug": "main", "driver": "secretsmanager", "region": "eu-west-1", "scope": "team/a"}`),
		[]byte(`{"slug": "main", "driver": "vault"}`),
		[]byte(`{"driver": "secretsmanager", "scope": "../../x"}`),
		[]byte(`{"slug": "other", "driver": "secretsmanager"}`),
		[]byte(`{"slug": 7, "driver": ["secretsmanager"]}`),
		[]byte(`{"driver": "secretsmanager", "replica_regions": "us-west-2"}`),
		[]byte(`{"driver": "secretsmanager", "name": "R", "replica_regions": " us-west-2, ,eu-west-1=alias/k "}`),
		[]byte(`{"driver": "secretsmanager", "name": "R", "replica_regions": ["us-west-2", "a,b", " x"]}`),
		[]byte(`{"driver": "secretsmanager", "name": "S", "scope": "/app2/"}`),
		[]byte(`{"driver": "secretsmanager", "name": "S", "scope": "/0/"}`),
		[]byte(`{"driver": "secretsmanager", "name": "0"}`),
		[]byte(`{"driver": "secretsmanager", "scope": "a//b"}`),
		[]byte(`{"driver": "secretsmanager", "region": "us-east-1/../x"}`),
		[]byte(`{"driver": "secretsmanager", "region": "EU-WEST-1"}`),
		[]byte(`null`),
	)
	for _, s := range settings {
		for _, v := range vaults {
			f.Add(s, v, "main", "", "production", "", "")
		}
	}
	for _, v := range vaults {
		for _, name := range []string{"Main Vault", "..json", ""} {
			f.Add(settings[0], v, name, "", "production", "", "")
		}
	}
	f.Add(settings[0], vaults[0], "main", "app/../x", "prod uction", "main", "us-east-1")
	f.Add(settings[0], vaults[0], "main", "ns", "produção", "../main", "bad region")
	f.Add(settings[0], vaults[0], "main", "ns", "production", "secretsmanager", "local")
	f.Fuzz(func(t *testing.T, settingsJSON, vaultJSON []byte, vaultName, ns, env, vault, region string) {
		root := t.TempDir()
		write(t, filepath.Join(root, config.Dir, "settings.json"), settingsJSON)
		// The name is a file name; anything else is no vault file at all.
		vaultFile := ""
		if vaultName != "" && vaultName != "." && vaultName != ".." && len(vaultName) < 200 && !strings.ContainsAny(vaultName, "/\x00") {
			vaultFile = filepath.Join(root, config.Dir, "vaults", vaultName+".json")
			write(t, vaultFile, vaultJSON)
		}

		p, err := config.LoadProject(root)
		if err != nil {
			wantConfigError(t, "LoadProject", err)
			if _, err2 := config.FindProject(root); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("FindProject = %v, LoadProject = %v: want the same error", err2, err)
			}
		} else {
			checkProject(t, root, vaultFile, p)
		}

		flags := config.Flags{Namespace: ns, Env: env, Vault: vault, Region: region}
		checkResolve(t, nil, flags)
		if p != nil {
			checkResolve(t, p, flags)
			checkResolve(t, p, config.Flags{})
			checkSaveLoad(t, p)
		}
	})
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantConfigError: err is (or wraps) a *config.Error with a message and a
// hint.
func wantConfigError(t *testing.T, what string, err error) {
	t.Helper()
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%s: error %T %q, want a *config.Error", what, err, err)
	}
	if ce.Msg == "" || ce.Hint() == "" {
		t.Fatalf("%s: *config.Error %q with hint %q: want both", what, ce.Msg, ce.Hint())
	}
}

func checkProject(t *testing.T, root, vaultFile string, p *config.Project) {
	t.Helper()
	if p.Root != root {
		t.Fatalf("Root = %q, want %q", p.Root, root)
	}
	for slug, v := range p.Vaults {
		if v.Slug != slug {
			t.Fatalf("vault %q holds slug %q", slug, v.Slug)
		}
	}
	wantVaults := 0
	if vaultFile != "" {
		wantVaults = 1
	}
	if len(p.Vaults) != wantVaults {
		t.Fatalf("%d vaults loaded from %q, want %d", len(p.Vaults), vaultFile, wantVaults)
	}
	found, err := config.FindProject(root)
	if err != nil || found == nil || found.Root != root || len(found.Vaults) != len(p.Vaults) {
		t.Fatalf("FindProject(%q) = %v, %v; LoadProject found a project", root, found, err)
	}
}

// checkResolve resolves p with flags and checks the answer is safe to use.
func checkResolve(t *testing.T, p *config.Project, flags config.Flags) {
	t.Helper()
	c, err := config.Resolve(p, flags)
	if err != nil {
		wantConfigError(t, "Resolve", err)
		return
	}
	if err := config.CheckNamespace(c.Namespace); err != nil {
		t.Fatalf("Resolve gave namespace %q: %v", c.Namespace, err)
	}
	if err := config.CheckEnv(c.Env); err != nil {
		t.Fatalf("Resolve gave env %q: %v", c.Env, err)
	}
	if flags.Namespace != "" && c.Namespace != flags.Namespace || flags.Env != "" && c.Env != flags.Env || flags.Region != "" && c.Region != flags.Region {
		t.Fatalf("Resolve gave %s/%s in %q; the flags say %q/%q in %q and win", c.Namespace, c.Env, c.Region, flags.Namespace, flags.Env, flags.Region)
	}
	if c.Vault.Driver != config.DriverSecretsManager {
		t.Fatalf("Resolve gave vault %q with driver %q", c.Vault.Slug, c.Vault.Driver)
	}
	if err := config.CheckScope(c.Vault.Scope); err != nil {
		t.Fatalf("Resolve gave scope %q: %v", c.Vault.Scope, err)
	}
	if err := config.CheckRegion(c.Region); err != nil {
		t.Fatalf("Resolve gave region %q: %v", c.Region, err)
	}
	prefix := fetch.Target{Namespace: c.Namespace, Scope: c.Vault.Scope, Env: c.Env}.Prefix()
	if strings.Contains(prefix, "..") || strings.Contains(prefix, "//") || strings.ContainsAny(prefix, " \t\r\n\\") || strings.ContainsFunc(prefix, func(r rune) bool { return r > 0x7e }) {
		t.Fatalf("Resolve gave the secret name prefix %q", prefix)
	}
	if p == nil {
		return
	}
	if envs := p.Settings.Envs; len(envs) > 0 && !slices.Contains(envs, c.Env) {
		t.Fatalf("Resolve gave env %q, not one of the project's %q", c.Env, envs)
	}
	if len(p.Vaults) > 0 {
		v, ok := p.Vaults[c.Vault.Slug]
		if !ok || !equalVault(v, c.Vault) {
			t.Fatalf("Resolve gave vault %+v; the project's vaults are %+v", c.Vault, p.Vaults)
		}
		if want := filepath.Join(p.Root, config.Dir, "vaults", c.Vault.Slug+".json"); c.VaultFile != want {
			t.Fatalf("VaultFile = %q, want %q", c.VaultFile, want)
		}
		if flags.Vault != "" && c.Vault.Slug != flags.Vault {
			t.Fatalf("Resolve gave vault %q; --vault=%q wins", c.Vault.Slug, flags.Vault)
		}
	}
}

func equalVault(a, b config.Vault) bool {
	return a.Slug == b.Slug && a.Driver == b.Driver && a.Name == b.Name && a.Region == b.Region &&
		a.Key == b.Key && a.Scope == b.Scope && slices.Equal(a.ReplicaRegions, b.ReplicaRegions)
}

// checkSaveLoad: settings and vaults keep accepts to write load back as
// written, with the PHP Keep's defaults filled in.
func checkSaveLoad(t *testing.T, p *config.Project) {
	t.Helper()
	if err := config.CheckSettings(p.Settings); err != nil {
		wantConfigError(t, "CheckSettings", err)
		return
	}
	root := t.TempDir()
	if err := config.InitDirs(root); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err := config.SaveSettings(root, p.Settings, now)
	if err != nil {
		wantConfigError(t, "SaveSettings", err)
		return
	}
	checkPHPLoads(t, filepath.Join(root, config.Dir, "settings.json"), phpLoadsSettings)
	for _, v := range p.Vaults {
		if err := config.SaveVault(root, v); err != nil {
			wantConfigError(t, "SaveVault", err)
			return
		}
		checkPHPLoads(t, filepath.Join(root, config.Dir, "vaults", v.Slug+".json"), phpLoadsVault)
	}
	again, err := config.LoadProject(root)
	if err != nil {
		t.Fatalf("LoadProject of what keep wrote: %v", err)
	}
	want := p.Settings
	want.AppName = strings.TrimSpace(want.AppName)
	want.UpdatedAt = config.Timestamp(now)
	if want.CreatedAt == "" {
		want.CreatedAt = want.UpdatedAt
	}
	if want.TemplatePath == "" {
		want.TemplatePath = config.DefaultTemplatePath
	}
	if want.Version == "" {
		want.Version = config.SettingsVersion
	}
	got := again.Settings
	if got.AppName != want.AppName || got.Namespace != want.Namespace || !slices.Equal(got.Envs, want.Envs) ||
		got.DefaultVault != want.DefaultVault || got.TemplatePath != want.TemplatePath ||
		got.CreatedAt != want.CreatedAt || got.UpdatedAt != want.UpdatedAt || got.Version != want.Version {
		t.Fatalf("settings read back as %+v, want %+v", got, want)
	}
	for slug, v := range p.Vaults {
		v.Name = strings.TrimSpace(v.Name)
		if !equalVault(again.Vaults[slug], v) {
			t.Fatalf("vault %q read back as %+v, want %+v", slug, again.Vaults[slug], v)
		}
	}
}
