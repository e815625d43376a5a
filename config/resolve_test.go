package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/keep-run/keep/config"
)

func sm(slug, region, scope string) config.Vault {
	return config.Vault{Slug: slug, Driver: config.DriverSecretsManager, Name: slug, Region: region, Scope: scope}
}

func project(settings config.Settings, vaults ...config.Vault) *config.Project {
	p := &config.Project{Root: "/srv/app", Settings: settings, Vaults: map[string]config.Vault{}}
	for _, v := range vaults {
		p.Vaults[v.Slug] = v
	}
	return p
}

func TestResolve(t *testing.T) {
	settings := config.Settings{Namespace: "app", Envs: []string{"staging", "production"}}
	withDefault := func(slug string) config.Settings {
		s := settings
		s.DefaultVault = slug
		return s
	}
	tests := []struct {
		name  string
		p     *config.Project
		flags config.Flags

		namespace, env string
		slug           string
		vaultFile      string // "" for none; else the file name under .keep/vaults
		region, scope  string
	}{
		{
			name:      "no project, flags only",
			flags:     config.Flags{Namespace: "svc", Env: "production"},
			namespace: "svc", env: "production", slug: "secretsmanager",
		},
		{
			name:      "namespace from settings",
			p:         project(settings),
			flags:     config.Flags{Env: "production"},
			namespace: "app", env: "production", slug: "secretsmanager",
		},
		{
			name:      "namespace flag over settings",
			p:         project(settings),
			flags:     config.Flags{Namespace: "other-app", Env: "staging"},
			namespace: "other-app", env: "staging", slug: "secretsmanager",
		},
		{
			name:      "vault flag over default_vault and the only vault file",
			p:         project(withDefault("main"), sm("main", "eu-west-1", ""), sm("backup", "us-west-2", "dr")),
			flags:     config.Flags{Env: "production", Vault: "backup"},
			namespace: "app", env: "production", slug: "backup", vaultFile: "backup.json", region: "us-west-2", scope: "dr",
		},
		{
			name:      "default_vault from settings",
			p:         project(withDefault("backup"), sm("main", "eu-west-1", ""), sm("backup", "us-west-2", "")),
			flags:     config.Flags{Env: "production"},
			namespace: "app", env: "production", slug: "backup", vaultFile: "backup.json", region: "us-west-2",
		},
		{
			name:      "default_vault over the only vault file",
			p:         project(withDefault("shared"), sm("main", "eu-west-1", ""), sm("shared", "us-west-2", "")),
			flags:     config.Flags{Env: "production"},
			namespace: "app", env: "production", slug: "shared", vaultFile: "shared.json", region: "us-west-2",
		},
		{
			name:      "the only vault file",
			p:         project(settings, sm("main", "eu-west-1", "team-a")),
			flags:     config.Flags{Env: "production"},
			namespace: "app", env: "production", slug: "main", vaultFile: "main.json", region: "eu-west-1", scope: "team-a",
		},
		{
			name:      "several vault files, one named secretsmanager",
			p:         project(settings, sm("main", "eu-west-1", ""), sm("secretsmanager", "ap-south-1", "x/y")),
			flags:     config.Flags{Env: "production"},
			namespace: "app", env: "production", slug: "secretsmanager", vaultFile: "secretsmanager.json", region: "ap-south-1", scope: "x/y",
		},
		{
			name:      "vault flag without a project",
			flags:     config.Flags{Namespace: "svc", Env: "production", Vault: "custom"},
			namespace: "svc", env: "production", slug: "custom",
		},
		{
			name:      "region flag over the vault file",
			p:         project(settings, sm("main", "eu-west-1", "")),
			flags:     config.Flags{Env: "production", Region: "ca-central-1"},
			namespace: "app", env: "production", slug: "main", vaultFile: "main.json", region: "ca-central-1",
		},
		{
			name:      "region flag without a vault file",
			flags:     config.Flags{Namespace: "svc", Env: "production", Region: "ca-central-1"},
			namespace: "svc", env: "production", slug: "secretsmanager", region: "ca-central-1",
		},
		{
			name:      "no region anywhere leaves it to the SDK",
			p:         project(settings, sm("main", "", "")),
			flags:     config.Flags{Env: "production"},
			namespace: "app", env: "production", slug: "main", vaultFile: "main.json",
		},
		{
			name:      "settings without envs accept any valid env",
			p:         project(config.Settings{Namespace: "app"}),
			flags:     config.Flags{Env: "qa-7"},
			namespace: "app", env: "qa-7", slug: "secretsmanager",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.flags.Profile = "ops"
			c, err := config.Resolve(tt.p, tt.flags)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if c.Namespace != tt.namespace || c.Env != tt.env {
				t.Errorf("Namespace, Env = %q, %q; want %q, %q", c.Namespace, c.Env, tt.namespace, tt.env)
			}
			if c.Vault.Slug != tt.slug {
				t.Errorf("Vault.Slug = %q, want %q", c.Vault.Slug, tt.slug)
			}
			if c.Vault.Driver != config.DriverSecretsManager {
				t.Errorf("Vault.Driver = %q, want %q", c.Vault.Driver, config.DriverSecretsManager)
			}
			wantFile := ""
			if tt.vaultFile != "" {
				wantFile = tt.p.Root + "/.keep/vaults/" + tt.vaultFile
				if want := tt.p.Vaults[tt.slug]; !reflect.DeepEqual(c.Vault, want) {
					t.Errorf("Vault = %+v, want the file's %+v", c.Vault, want)
				}
			} else if !reflect.DeepEqual(c.Vault, config.Vault{Slug: tt.slug, Driver: config.DriverSecretsManager}) {
				t.Errorf("Vault = %+v, want only the slug and driver", c.Vault)
			}
			if filepath.ToSlash(c.VaultFile) != wantFile {
				t.Errorf("VaultFile = %q, want %q", c.VaultFile, wantFile)
			}
			if c.Region != tt.region {
				t.Errorf("Region = %q, want %q", c.Region, tt.region)
			}
			if c.Vault.Scope != tt.scope {
				t.Errorf("Vault.Scope = %q, want %q", c.Vault.Scope, tt.scope)
			}
			if c.Profile != "ops" {
				t.Errorf("Profile = %q, want ops", c.Profile)
			}
			if c.Project != tt.p {
				t.Errorf("Project = %p, want %p", c.Project, tt.p)
			}
		})
	}
}

func TestResolveFromFiles(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, phpNullSettings, map[string]string{
		"primary.json": `{"slug": "primary", "driver": "secretsmanager", "name": "Primary", "scope": "team-a", "region": "eu-north-1", "key": ""}`,
	})
	p := findProject(t, mkdirs(t, root, "src"), root)
	c, err := config.Resolve(p, config.Flags{Env: "production"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Namespace != "app" || c.Vault.Slug != "primary" || c.Vault.Scope != "team-a" || c.Region != "eu-north-1" {
		t.Errorf("Resolve = %+v", c)
	}
	if _, err := os.Stat(c.VaultFile); err != nil {
		t.Errorf("VaultFile %q does not name the vault file: %v", c.VaultFile, err)
	}
}

// resolveError calls Resolve and returns its *config.Error, failing the test
// when there is none.
func resolveError(t *testing.T, p *config.Project, f config.Flags) *config.Error {
	t.Helper()
	c, err := config.Resolve(p, f)
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Resolve(%+v) = %+v, %v; want a *config.Error", f, c, err)
	}
	if c != nil {
		t.Errorf("Resolve returned a Config with its error")
	}
	if r, _ := utf8.DecodeRuneInString(ce.Error()); !unicode.IsLower(r) {
		t.Errorf("error %q should start in lower case", ce.Error())
	}
	if ce.Hint() == "" {
		t.Errorf("error %q has no hint", ce.Error())
	}
	return ce
}

func mentions(t *testing.T, what, s string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(s, w) {
			t.Errorf("%s %q does not mention %s", what, s, w)
		}
	}
}

func TestResolveMissingNamespace(t *testing.T) {
	for name, p := range map[string]*config.Project{
		"no project":             nil,
		"settings without one":   project(config.Settings{Envs: []string{"production"}}),
		"even with a vault file": project(config.Settings{}, sm("main", "eu-west-1", "")),
	} {
		t.Run(name, func(t *testing.T) {
			ce := resolveError(t, p, config.Flags{Env: "production"})
			mentions(t, "error", ce.Error(), "namespace")
			mentions(t, "hint", ce.Hint(), "--namespace", "KEEP_NAMESPACE", ".keep/settings.json")
		})
	}
}

func TestResolveMissingEnv(t *testing.T) {
	ce := resolveError(t, nil, config.Flags{Namespace: "app"})
	mentions(t, "error", ce.Error(), "environment")
	mentions(t, "hint", ce.Hint(), "--env", "KEEP_ENV")

	p := project(config.Settings{Namespace: "app", Envs: []string{"staging", "production"}})
	ce = resolveError(t, p, config.Flags{})
	mentions(t, "hint", ce.Hint(), "--env", "KEEP_ENV", "staging", "production")
}

func TestResolveEnvNotInProject(t *testing.T) {
	p := project(config.Settings{Namespace: "app", Envs: []string{"local", "staging", "production"}})
	ce := resolveError(t, p, config.Flags{Env: "prod"})
	mentions(t, "error", ce.Error(), `"prod"`, "local", "staging", "production")
	mentions(t, "hint", ce.Hint(), "envs", "settings.json")

	// A prefix of a listed env is not that env.
	ce = resolveError(t, p, config.Flags{Env: "production-eu"})
	mentions(t, "error", ce.Error(), `"production-eu"`)
}

func TestResolveOtherDriver(t *testing.T) {
	ssm := config.Vault{Slug: "params", Driver: "ssm", Name: "Parameter Store", Region: "us-east-1"}
	for name, tt := range map[string]struct {
		p *config.Project
		f config.Flags
	}{
		"by flag":          {project(config.Settings{Namespace: "app"}, ssm, sm("main", "", "")), config.Flags{Env: "production", Vault: "params"}},
		"by default_vault": {project(config.Settings{Namespace: "app", DefaultVault: "params"}, ssm, sm("main", "", "")), config.Flags{Env: "production"}},
		"the only vault":   {project(config.Settings{Namespace: "app"}, ssm), config.Flags{Env: "production"}},
	} {
		t.Run(name, func(t *testing.T) {
			ce := resolveError(t, tt.p, tt.f)
			mentions(t, "error", ce.Error(), `"params"`, `"ssm"`, "secretsmanager")
			mentions(t, "hint", ce.Hint(), "--vault", "KEEP_VAULT")
		})
	}
}

func TestResolveUnknownVault(t *testing.T) {
	settings := config.Settings{Namespace: "app"}
	for name, tt := range map[string]struct {
		p    *config.Project
		f    config.Flags
		want []string
	}{
		"typo in --vault":          {project(settings, sm("main", "eu-west-1", "team-a")), config.Flags{Env: "production", Vault: "mian"}, []string{`"mian"`, "main"}},
		"default_vault not a file": {project(config.Settings{Namespace: "app", DefaultVault: "gone"}, sm("main", "", "")), config.Flags{Env: "production"}, []string{`"gone"`, "main"}},
		"several, none chosen":     {project(settings, sm("main", "", ""), sm("backup", "", "")), config.Flags{Env: "production"}, []string{"backup, main", "default_vault"}},
	} {
		t.Run(name, func(t *testing.T) {
			ce := resolveError(t, tt.p, tt.f)
			mentions(t, "message and hint", ce.Error()+" "+ce.Hint(), tt.want...)
		})
	}
}

func TestResolveInvalidValues(t *testing.T) {
	settings := config.Settings{Namespace: "app", Envs: []string{"production"}}
	tests := []struct {
		name string
		p    *config.Project
		f    config.Flags
		want string // quoted in the error
	}{
		{"namespace flag", project(settings), config.Flags{Namespace: "my app", Env: "production"}, "my app"},
		{"namespace in settings", project(config.Settings{Namespace: "my/app"}), config.Flags{Env: "production"}, "my/app"},
		{"namespace too long", nil, config.Flags{Namespace: strings.Repeat("n", 101), Env: "production"}, strings.Repeat("n", 101)},
		{"env upper case", project(config.Settings{Namespace: "app", Envs: []string{"Production"}}), config.Flags{Env: "Production"}, "Production"},
		{"env with a slash", nil, config.Flags{Namespace: "app", Env: "prod/eu"}, "prod/eu"},
		{"scope in the vault file", project(settings, sm("main", "", "team//eu")), config.Flags{Env: "production"}, "team//eu"},
		{"scope with a trailing slash", project(settings, sm("main", "", "team/")), config.Flags{Env: "production"}, "team/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := resolveError(t, tt.p, tt.f)
			mentions(t, "error", ce.Error(), `"`+tt.want+`"`)
		})
	}
}
