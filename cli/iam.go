package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/iam"
)

// IamCmd is keep iam.
type IamCmd struct {
	NamespaceFlag
	Env    string `short:"e" placeholder:"LIST" help:"Environments to limit the access to, comma-separated (required for write and read)."`
	Access string `enum:"full,write,read" default:"full" help:"full: every environment of the namespace; write: read and write in --env; read: read-only in one --env (a deployment)."`
	Vault  string `placeholder:"SLUG" help:"Only this vault's KMS key (default: every vault of the project)."`
}

// Help is the detail shown by keep iam --help.
func (c *IamCmd) Help() string {
	return `Prints an IAM policy for the namespace: tag conditions on
secretsmanager:ResourceTag/ManagedBy, Namespace and Environment (with --env,
also Env on secrets without an Environment tag: the PHP Keep's); CreateSecret
only with aws:RequestTag values and aws:TagKeys within ManagedBy, Namespace,
Environment, VaultSlug (and Scope when a vault has a scope); no TagResource or
UntagResource (keep never retags a secret); ListSecrets and
BatchGetSecretValue account-wide (keep run needs them); KMS actions on the
vaults' keys.

Examples:
  keep iam > developer-policy.json
  keep iam --access=write --env=staging,qa
  keep iam --access=read --env=production`
}

// Run prints the policy JSON.
func (c *IamCmd) Run(g *Globals) error {
	project, err := config.FindProject(".")
	if err != nil {
		return err
	}
	ns := c.Namespace
	if ns == "" && project != nil {
		ns = project.Settings.Namespace
	}
	if ns == "" {
		return &Error{Msg: "no namespace given", Help: "pass --namespace=NAME, set KEEP_NAMESPACE, or run keep inside a project"}
	}
	if err := config.CheckNamespace(ns); err != nil {
		return err
	}
	envs := splitList(c.Env)
	for _, env := range envs {
		if err := config.CheckProjectEnv(project, env); err != nil {
			return err
		}
	}
	var vaults []iam.Vault
	if project != nil {
		for _, slug := range project.VaultSlugs() {
			v := project.Vaults[slug]
			if v.Driver == config.DriverSecretsManager && (c.Vault == "" || c.Vault == slug) {
				vaults = append(vaults, iam.Vault{Slug: slug, Region: v.Region, KMSKey: v.Key, Scope: v.Scope})
			}
		}
	}
	if c.Vault != "" && len(vaults) == 0 {
		if project != nil && len(project.Vaults) > 0 {
			return &Error{Msg: fmt.Sprintf("no Secrets Manager vault %q", c.Vault), Help: "the project's vaults are " + strings.Join(project.VaultSlugs(), ", ")}
		}
		vaults = []iam.Vault{{Slug: c.Vault}}
	}
	policy, err := iam.Build(iam.Request{Namespace: ns, Envs: envs, Access: iam.Access(c.Access), Vaults: vaults})
	if err != nil {
		return hinted(err, "see keep iam --help")
	}
	out, err := policy.JSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
