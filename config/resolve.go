package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/keep-run/keep/internal/hint"
)

// DefaultVaultSlug is the vault used when neither a flag, KEEP_VAULT,
// settings.json nor a single vault file names one.
const DefaultVaultSlug = "secretsmanager"

// Flags holds what the user gave on the command line or through environment
// variables (kong merges the two). An empty field means "not given".
type Flags struct {
	Namespace string
	Env       string
	Vault     string
	Region    string
	Profile   string
}

// Config is the resolved answer to "which secrets, where".
type Config struct {
	Namespace string
	Env       string
	// Vault is the vault in use. Without a vault file it holds only the slug
	// and the driver.
	Vault Vault
	// VaultFile is the file Vault was read from, or "" when there is none.
	VaultFile string
	// Region is the AWS region, or "" to let the SDK's chain decide
	// (AWS_REGION, AWS_DEFAULT_REGION, the profile).
	Region string
	// Profile is the shared-config profile, or "" for the SDK's default.
	Profile string
	// Project is the .keep/ project, or nil when there is none.
	Project *Project
}

// Resolve combines the project's files (p may be nil) with flags. Flags win
// over the vault file, which wins over settings.json. The vault slug comes
// from flags, then settings' default_vault, then the only vault file, then
// DefaultVaultSlug. Namespace and env are required.
func Resolve(p *Project, f Flags) (*Config, error) {
	c := &Config{Project: p, Namespace: f.Namespace, Env: f.Env, Profile: f.Profile}
	var settings Settings
	if p != nil {
		settings = p.Settings
	}
	if c.Namespace == "" {
		c.Namespace = settings.Namespace
	}
	if c.Namespace == "" {
		return nil, &Error{
			Msg:  "no namespace given",
			Help: "pass --namespace=NAME, set KEEP_NAMESPACE, or run keep inside a project with .keep/settings.json",
		}
	}
	if err := CheckNamespace(c.Namespace); err != nil {
		return nil, err
	}
	if c.Env == "" {
		return nil, &Error{
			Msg:  "no environment given",
			Help: envHelp(settings.Envs),
		}
	}
	if err := CheckProjectEnv(p, c.Env); err != nil {
		return nil, err
	}

	vault, file, err := ChooseVault(p, f.Vault)
	if err != nil {
		return nil, err
	}
	c.Vault, c.VaultFile = vault, file
	slug := vault.Slug
	if c.Vault.Driver != DriverSecretsManager {
		return nil, &Error{
			Msg:  fmt.Sprintf("vault %q uses driver %q; keep only reads %q vaults", slug, c.Vault.Driver, DriverSecretsManager),
			Help: "pick a Secrets Manager vault with --vault or KEEP_VAULT",
		}
	}
	if err := CheckScope(c.Vault.Scope); err != nil {
		return nil, err
	}
	c.Region = f.Region
	if c.Region == "" {
		c.Region = c.Vault.Region
	}
	if err := CheckRegion(c.Region); err != nil {
		return nil, err
	}
	return c, nil
}

// CheckProjectEnv checks env's form and, when the project (p may be nil)
// lists its envs, that env is one of them: a misspelt environment must
// fail loudly, not find nothing or grant nothing.
func CheckProjectEnv(p *Project, env string) error {
	if err := CheckEnv(env); err != nil {
		return err
	}
	if p == nil || len(p.Settings.Envs) == 0 || slices.Contains(p.Settings.Envs, env) {
		return nil
	}
	return &Error{
		Msg:  fmt.Sprintf("environment %q is not one of the project's environments (%s)", env, strings.Join(p.Settings.Envs, ", ")),
		Help: fmt.Sprintf("check the spelling, or add it to \"envs\" in %s/settings.json", Dir),
	}
}

// ChooseVault picks the vault (p may be nil) and its file ("" for none):
// the flag's slug, else default_vault, else the only vault file, else
// DefaultVaultSlug. When the project has vault files the slug must name one
// of them: a typo must not silently read another scope or region. Without
// vault files any slug is a Secrets Manager vault with no scope and the
// SDK's region. The driver is not checked.
func ChooseVault(p *Project, flag string) (Vault, string, error) {
	var slugs []string
	var defaultVault string
	if p != nil {
		slugs = p.VaultSlugs()
		defaultVault = p.Settings.DefaultVault
	}
	slug := flag
	if slug == "" {
		slug = defaultVault
	}
	if slug == "" && len(slugs) == 1 {
		slug = slugs[0]
	}
	if slug == "" && len(slugs) > 1 && !slices.Contains(slugs, DefaultVaultSlug) {
		return Vault{}, "", &Error{
			Msg:  fmt.Sprintf("several vaults (%s) and none chosen", strings.Join(slugs, ", ")),
			Help: fmt.Sprintf("pass --vault=SLUG, set KEEP_VAULT, or set \"default_vault\" in %s/settings.json", Dir),
		}
	}
	if slug == "" {
		slug = DefaultVaultSlug
	}
	if len(slugs) == 0 {
		return Vault{Slug: slug, Driver: DriverSecretsManager}, "", nil
	}
	v, ok := p.Vaults[slug]
	if !ok {
		return Vault{}, "", &Error{
			Msg:  fmt.Sprintf("vault %q is not configured in %s", slug, filepath.Join(p.Root, Dir, "vaults")),
			Help: fmt.Sprintf("the project's vaults are %s; pass one with --vault or KEEP_VAULT", strings.Join(slugs, ", ")),
		}
	}
	return v, filepath.Join(p.Root, Dir, "vaults", slug+".json"), nil
}

// TemplateVaults are the vaults a template may name: every vault file of
// the project (p may be nil), and chosen — the vault keep uses anyway —
// with or without a file. Drivers are not checked.
func TemplateVaults(p *Project, chosen Vault) map[string]Vault {
	vaults := map[string]Vault{chosen.Slug: chosen}
	if p != nil {
		for slug, v := range p.Vaults {
			vaults[slug] = v
		}
	}
	return vaults
}

func envHelp(envs []string) string {
	if len(envs) > 0 {
		return fmt.Sprintf("pass --env=NAME or set KEEP_ENV; this project has %s", strings.Join(envs, ", "))
	}
	return "pass --env=NAME or set KEEP_ENV"
}

// Error is a configuration problem together with what to do about it.
type Error = hint.Error
