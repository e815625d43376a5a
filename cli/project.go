package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/write"
)

// InitCmd is keep init.
type InitCmd struct {
	Name      string `placeholder:"APP" help:"Application name (default: the directory's name)."`
	Namespace string `placeholder:"NS" help:"Namespace of the project's secrets (default: the name, slugged)."`
	Envs      string `placeholder:"LIST" help:"Comma-separated environments (default: local,staging,production)."`
	Nested    bool   `help:"Create the project even inside another project's directory (keep asks on a terminal, and refuses without one)."`
}

// Help is the detail shown by keep init --help.
func (c *InitCmd) Help() string {
	return `Asks for what is missing on a terminal; with --no-interaction the defaults
are taken.

Examples:
  keep init
  keep init --no-interaction --name='My App' --namespace=myapp --envs=local,staging,production`
}

// Run writes .keep/settings.json and .keep/.gitignore.
func (c *InitCmd) Run(g *Globals) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, config.Dir, "settings.json")); err == nil {
		return &Error{Msg: fmt.Sprintf("%s/settings.json already exists here", config.Dir), Help: "edit it, or use keep env:add and keep vault:add"}
	}
	p := g.prompter()
	if ok, err := c.allowNested(p, root); err != nil || !ok {
		return err
	}
	if err := p.ask(&c.Name, "--name=APP", "Application name", filepath.Base(root)); err != nil {
		return err
	}
	if err := p.ask(&c.Namespace, "--namespace=NS", "Namespace", write.Slug(c.Name)); err != nil {
		return err
	}
	if err := p.ask(&c.Envs, "--envs=LIST", "Environments", "local,staging,production"); err != nil {
		return err
	}
	s := config.Settings{AppName: c.Name, Namespace: c.Namespace, Envs: splitList(c.Envs)}
	if err := config.CheckSettings(s); err != nil {
		return err
	}
	if err := config.InitDirs(root); err != nil {
		return err
	}
	if err := config.SaveSettings(root, s, time.Now()); err != nil {
		return err
	}
	fmt.Printf("Initialised %s in %s: namespace %s, environments %s\n", config.Dir, root, s.Namespace, strings.Join(s.Envs, ", "))
	fmt.Println("Next: keep vault:add")
	return nil
}

// allowNested reports whether init may go on in root: yes when no parent
// directory is a project, or with --nested; on a terminal keep warns and
// asks; without one a nested project is an error naming --nested. A .keep/
// nested in another project silently takes over every command run below
// it.
func (c *InitCmd) allowNested(p *prompter, root string) (bool, error) {
	outer, err := config.FindRoot(filepath.Dir(root))
	if err != nil || outer == "" || c.Nested {
		return err == nil, err
	}
	if !p.interactive {
		return false, &Error{
			Msg:  fmt.Sprintf("%s is inside the keep project of %s", root, outer),
			Help: "run keep there (its envs and vaults apply here already), or pass --nested to create a second project here, which commands run below it then use",
		}
	}
	fmt.Fprintf(p.out, "keep: warning: %s is inside the keep project of %s; a project here takes its place for every command run below %s\n", root, outer, root)
	ok, err := p.confirm("Create a second project here?", false)
	if err == nil && !ok {
		fmt.Fprintln(p.out, "Nothing was created")
	}
	return ok, err
}

// VaultAddCmd is keep vault:add.
type VaultAddCmd struct {
	Slug           string `placeholder:"SLUG" help:"Vault slug (default: secretsmanager; the prompt offers secretsmanager2… if taken)."`
	Name           string `placeholder:"NAME" help:"Display name (default: AWS Secrets Manager)."`
	Region         string `placeholder:"REGION" help:"AWS region of the secrets (default: us-east-1)."`
	KMSKey         string `name:"kms-key" placeholder:"KEY" help:"KMS key id, alias or ARN for new secrets (default: the AWS managed key alias/aws/secretsmanager)."`
	Scope          string `placeholder:"PATH" help:"Path between namespace and env in secret names: <ns>/<scope>/<env>/<KEY>."`
	ReplicaRegions string `name:"replica-regions" placeholder:"LIST" help:"Replicate new secrets to these regions: region or region=kms-key, comma-separated."`
	Default        bool   `help:"Make it the project's default vault (the first vault always is)."`
	Profile        string `env:"AWS_PROFILE" placeholder:"NAME" help:"AWS profile for the access check."`
}

// Help is the detail shown by keep vault:add --help.
func (c *VaultAddCmd) Help() string {
	return `Writes .keep/vaults/<slug>.json, then checks that the credentials may list
secrets in its region (a failed check is reported; the file stays).

Examples:
  keep vault:add
  keep vault:add --no-interaction --slug=eu --region=eu-west-1 --kms-key=alias/myapp
  keep vault:add --no-interaction --slug=team-a --scope=team-a --replica-regions=us-west-2`
}

// Run writes .keep/vaults/<slug>.json and checks access. Run again with
// the same settings it changes nothing (a script may run it twice); a
// slug taken with other settings is refused. Only the prompt offers a
// free slug (secretsmanager2…): a script without --slug means
// secretsmanager.
func (c *VaultAddCmd) Run(g *Globals) error {
	project, err := requireProject()
	if err != nil {
		return err
	}
	p := g.prompter()
	slug := config.DefaultVaultSlug
	if p.interactive {
		slug = freeSlug(project)
	}
	if err := p.ask(&c.Slug, "--slug=SLUG", "Vault slug", slug); err != nil {
		return err
	}
	if err := p.ask(&c.Name, "--name=NAME", "Vault name", "AWS Secrets Manager"); err != nil {
		return err
	}
	if err := p.ask(&c.Region, "--region=REGION", "AWS region", "us-east-1"); err != nil {
		return err
	}
	if _, err := parseReplicas(splitList(c.ReplicaRegions)); err != nil {
		return err
	}
	v := config.Vault{Slug: c.Slug, Driver: config.DriverSecretsManager, Name: strings.TrimSpace(c.Name), Region: c.Region,
		Key: c.KMSKey, Scope: config.TrimScope(c.Scope), ReplicaRegions: splitList(c.ReplicaRegions)}
	if old, ok := project.Vaults[v.Slug]; ok {
		if diff := vaultDiff(old, v); len(diff) > 0 {
			return &Error{
				Msg:  fmt.Sprintf("a vault with slug %q already exists, with other settings: %s", v.Slug, strings.Join(diff, "; ")),
				Help: fmt.Sprintf("pass --slug=NAME to add another vault (e.g. --slug=%s), or keep vault:delete %s first", freeSlug(project), v.Slug),
			}
		}
		fmt.Printf("Vault %s exists with these settings; nothing to add\n", v.Slug)
		if c.Default && project.Settings.DefaultVault != v.Slug {
			return setDefaultVault(project, v.Slug)
		}
		return nil
	}
	if err := config.SaveVault(project.Root, v); err != nil {
		return err
	}
	fmt.Printf("Added vault %s (%s, region %s)\n", v.Slug, v.Name, v.Region)
	if c.Default || project.Settings.DefaultVault == "" {
		if err := setDefaultVault(project, v.Slug); err != nil {
			return err
		}
	}
	checkAccess(v, c.Profile, g.Logger().Printf)
	return nil
}

// vaultDiff lists how the vault file old differs from v, the settings
// vault:add was given: "region: eu-west-1 in the file, us-east-1 given".
func vaultDiff(old, v config.Vault) []string {
	var diff []string
	field := func(name, was, now string) {
		if was != now {
			diff = append(diff, fmt.Sprintf("%s: %q in the file, %q given", name, was, now))
		}
	}
	field("driver", old.Driver, v.Driver)
	field("name", strings.TrimSpace(old.Name), v.Name)
	field("region", old.Region, v.Region)
	field("kms key", old.Key, v.Key)
	field("scope", old.Scope, v.Scope)
	field("replica regions", strings.Join(old.ReplicaRegions, ","), strings.Join(v.ReplicaRegions, ","))
	return diff
}

// setDefaultVault makes slug the project's default vault.
func setDefaultVault(project *config.Project, slug string) error {
	project.Settings.DefaultVault = slug
	if err := config.SaveSettings(project.Root, project.Settings, time.Now()); err != nil {
		return err
	}
	fmt.Printf("%s is the default vault\n", slug)
	return nil
}

// checkAccess reports whether the credentials can list secrets in the
// vault's region. It never fails the command: the vault file is written.
// logf (-v) is told of the call.
func checkAccess(v config.Vault, profile string, logf func(string, ...any)) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	session := fetch.NewSession(profile)
	session.Log = logf
	conn, err := session.Open(ctx, v.Region, fetch.Target{})
	if err == nil {
		err = conn.CheckList(ctx)
	}
	if err != nil {
		fmt.Printf("✗ access check in %s: %v\n", v.Region, err)
		if h := Hinter(nil); errors.As(err, &h) && h.Hint() != "" {
			fmt.Printf("  %s\n", h.Hint())
		}
		return
	}
	fmt.Printf("✓ credentials work and may list secrets in %s\n", conn.Region)
}

// VaultListCmd is keep vault:list.
type VaultListCmd struct {
	Format string `enum:"table,json" default:"table" help:"table or json."`
}

// Run prints the vaults.
func (c *VaultListCmd) Run(g *Globals) error {
	project, err := requireProject()
	if err != nil {
		return err
	}
	if c.Format == "json" {
		type vault struct {
			config.Vault
			Default bool `json:"default"`
		}
		out := []vault{}
		for _, slug := range project.VaultSlugs() {
			out = append(out, vault{project.Vaults[slug], slug == project.Settings.DefaultVault})
		}
		return printJSON(out)
	}
	if len(project.Vaults) == 0 {
		fmt.Println("No vaults are configured yet; add one with keep vault:add")
		return nil
	}
	w := newTable()
	fmt.Fprintln(w, "SLUG\tNAME\tDRIVER\tREGION\tSCOPE\tDEFAULT")
	for _, slug := range project.VaultSlugs() {
		v := project.Vaults[slug]
		def := ""
		if slug == project.Settings.DefaultVault {
			def = "✓"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", v.Slug, v.Name, v.Driver, v.Region, v.Scope, def)
	}
	return w.Flush()
}

// VaultDeleteCmd is keep vault:delete.
type VaultDeleteCmd struct {
	Slug string `arg:"" help:"The vault to remove from .keep/vaults (its secrets are not touched)."`
}

// Run removes the vault file.
func (c *VaultDeleteCmd) Run(g *Globals) error {
	project, err := requireProject()
	if err != nil {
		return err
	}
	if _, ok := project.Vaults[c.Slug]; !ok {
		return &Error{Msg: fmt.Sprintf("no vault %q", c.Slug), Help: "keep vault:list shows the vaults"}
	}
	if c.Slug == project.Settings.DefaultVault {
		return &Error{Msg: fmt.Sprintf("%s is the default vault", c.Slug), Help: "make another vault the default first: keep vault:edit OTHER --default"}
	}
	ok, err := g.prompter().confirm(fmt.Sprintf("Remove vault %s from %s/vaults? Its secrets stay in AWS.", c.Slug, config.Dir), true)
	if err != nil || !ok {
		return err
	}
	if err := config.DeleteVault(project.Root, c.Slug); err != nil {
		return err
	}
	fmt.Printf("Removed vault %s (local configuration only; no secret was deleted)\n", c.Slug)
	return nil
}

// EnvAddCmd is keep env:add.
type EnvAddCmd struct {
	Name string `arg:"" help:"The environment to add, e.g. qa."`
}

// Run adds the environment to .keep/settings.json.
func (c *EnvAddCmd) Run(g *Globals) error {
	project, err := requireProject()
	if err != nil {
		return err
	}
	if err := config.CheckEnv(c.Name); err != nil {
		return err
	}
	if slices.Contains(project.Settings.Envs, c.Name) {
		return &Error{Msg: fmt.Sprintf("environment %q already exists", c.Name), Help: "keep's environments are in .keep/settings.json"}
	}
	project.Settings.Envs = append(project.Settings.Envs, c.Name)
	if err := config.SaveSettings(project.Root, project.Settings, time.Now()); err != nil {
		return err
	}
	fmt.Printf("Added environment %s\n", c.Name)
	return nil
}

func requireProject() (*config.Project, error) {
	p, err := config.FindProject(".")
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, &Error{Msg: "no .keep/settings.json here or in a parent directory", Help: "run keep init first"}
	}
	return p, nil
}

// freeSlug is secretsmanager, or secretsmanager2, 3… when taken.
func freeSlug(p *config.Project) string {
	for i := 1; ; i++ {
		s := config.DefaultVaultSlug
		if i > 1 {
			s = fmt.Sprintf("%s%d", s, i)
		}
		if _, ok := p.Vaults[s]; !ok {
			return s
		}
	}
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// writeVault is what writes need of v: its slug, KMS key and replicas.
func writeVault(v config.Vault) (write.Vault, error) {
	replicas, err := parseReplicas(v.ReplicaRegions)
	return write.Vault{Slug: v.Slug, KMSKey: v.Key, Replicas: replicas}, err
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// parseReplicas reads --replica-regions / replica_regions entries:
// "region" or "region=kms-key".
func parseReplicas(items []string) ([]write.Replica, error) {
	var out []write.Replica
	for _, item := range items {
		region, key, _ := strings.Cut(item, "=")
		if !regionRE.MatchString(region) {
			return nil, &Error{Msg: fmt.Sprintf("replica region %q is not an AWS region", region), Help: "e.g. --replica-regions=us-west-2,eu-west-1=alias/my-key"}
		}
		out = append(out, write.Replica{Region: region, KMSKey: key})
	}
	return out, nil
}
