package cli

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/keep-run/keep/config"
)

// VaultEditCmd is keep vault:edit.
type VaultEditCmd struct {
	Slug           string  `arg:"" help:"The vault to edit (.keep/vaults/<slug>.json)."`
	Name           *string `placeholder:"NAME" help:"Display name."`
	Region         *string `placeholder:"REGION" help:"AWS region of the secrets."`
	KMSKey         *string `name:"kms-key" placeholder:"KEY" help:"KMS key for new secrets; empty: the AWS managed key."`
	Scope          *string `placeholder:"PATH" help:"Path between namespace and env in secret names; empty: none."`
	ReplicaRegions *string `name:"replica-regions" placeholder:"LIST" help:"Regions new secrets are replicated to; empty: none."`
	Default        bool    `help:"Make it the project's default vault."`
}

// Help is the detail of keep vault:edit --help.
func (c *VaultEditCmd) Help() string {
	return `Changes the vault file, and with --default the default_vault of
.keep/settings.json; nothing in AWS. Secrets stay where they are: after a
change of region or scope keep reads the vault's secrets in the new place,
and a new KMS key or replica list applies to secrets created from then on.
Without flags, on a terminal, keep asks for each setting.

Examples:
  keep vault:edit secretsmanager --default
  keep vault:edit eu --region=eu-west-1 --kms-key=alias/myapp
  keep vault:edit team-a --scope=`
}

// Run rewrites the vault file and the settings it names.
func (c *VaultEditCmd) Run(g *Globals) error {
	project, err := requireProject()
	if err != nil {
		return err
	}
	old, ok := project.Vaults[c.Slug]
	if !ok {
		return &Error{Msg: fmt.Sprintf("no vault %q", c.Slug), Help: "keep vault:list shows the vaults"}
	}
	if old.Driver != config.DriverSecretsManager {
		return &Error{Msg: fmt.Sprintf("vault %s has driver %q", c.Slug, old.Driver), Help: "keep edits Secrets Manager vaults only"}
	}
	v := old
	v.ReplicaRegions = slices.Clone(old.ReplicaRegions)
	p := g.prompter()
	if c.Name == nil && c.Region == nil && c.KMSKey == nil && c.Scope == nil && c.ReplicaRegions == nil {
		if !p.interactive && !c.Default {
			return &Error{Msg: "nothing to change", Help: "pass --name, --region, --kms-key, --scope, --replica-regions or --default (keep asks on a terminal)"}
		}
		if p.interactive {
			if err := c.ask(p, &v); err != nil {
				return err
			}
		}
	}
	set := func(dst *string, flag *string) {
		if flag != nil {
			*dst = strings.TrimSpace(*flag)
		}
	}
	set(&v.Name, c.Name)
	set(&v.Region, c.Region)
	set(&v.Key, c.KMSKey)
	if c.Scope != nil {
		v.Scope = config.TrimScope(strings.TrimSpace(*c.Scope))
	}
	if c.ReplicaRegions != nil {
		v.ReplicaRegions = splitList(*c.ReplicaRegions)
	}
	if _, err := parseReplicas(v.ReplicaRegions); err != nil {
		return err
	}
	changes := vaultChanges(old, v)
	if len(changes) > 0 {
		if err := config.UpdateVault(project.Root, v); err != nil {
			return err
		}
		fmt.Printf("Updated vault %s: %s\n", v.Slug, strings.Join(changes, "; "))
		if old.Region != v.Region || old.Scope != v.Scope {
			fmt.Fprintf(os.Stderr, "note: no secret was moved; keep now reads vault %s's secrets with scope %q in region %s\n", v.Slug, v.Scope, v.Region)
		}
	}
	if c.Default && project.Settings.DefaultVault != v.Slug {
		project.Settings.DefaultVault = v.Slug
		if err := config.SaveSettings(project.Root, project.Settings, time.Now()); err != nil {
			return err
		}
		fmt.Printf("%s is the default vault\n", v.Slug)
	} else if len(changes) == 0 {
		fmt.Printf("Vault %s is unchanged\n", v.Slug)
	}
	return nil
}

// ask fills v from prompts, each showing the current setting, which an
// empty answer keeps; "-" clears an optional one.
func (c *VaultEditCmd) ask(p *prompter, v *config.Vault) error {
	for _, f := range []struct {
		label    string
		value    *string
		optional bool
	}{
		{"Vault name", &v.Name, false},
		{"AWS region", &v.Region, false},
		{"KMS key (- for the AWS managed key)", &v.Key, true},
		{"Scope (- for none)", &v.Scope, true},
	} {
		answer := ""
		if err := p.ask(&answer, "--"+strings.ToLower(strings.Fields(f.label)[0]), f.label, *f.value); err != nil && !f.optional {
			return err
		}
		switch {
		case answer == "-" && f.optional:
			*f.value = ""
		case answer != "":
			*f.value = answer
		}
	}
	v.Scope = config.TrimScope(v.Scope)
	return nil
}

// vaultChanges lists what differs from old to v, as "region a → b".
func vaultChanges(old, v config.Vault) []string {
	var out []string
	show := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return s
	}
	for _, f := range []struct{ what, a, b string }{
		{"name", old.Name, v.Name},
		{"region", old.Region, v.Region},
		{"kms key", old.Key, v.Key},
		{"scope", old.Scope, v.Scope},
		{"replica regions", strings.Join(old.ReplicaRegions, ","), strings.Join(v.ReplicaRegions, ",")},
	} {
		if f.a != f.b {
			out = append(out, fmt.Sprintf("%s %s → %s", f.what, show(f.a), show(f.b)))
		}
	}
	return out
}
