package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/render"
)

// TemplateValidateCmd is keep template:validate.
type TemplateValidateCmd struct {
	File string `arg:"" placeholder:"FILE" help:"The template to check."`

	// Not TargetFlags: KEEP_ENV must not turn the syntax check into a fetch.
	Env   string `short:"e" placeholder:"ENV" help:"Also check that every placeholder resolves in this environment (fetches the secrets, shows no values)."`
	Vault string `env:"KEEP_VAULT" placeholder:"SLUG" help:"The vault keep run would use (default: default_vault, the only vault file, or secretsmanager)."`
	AWSFlags
	TimeoutFlag `set:"deadline_of=fetching with --env"`

	resolved bool // the placeholders were resolved in Env
}

// Help is the detail shown by keep template:validate --help.
func (c *TemplateValidateCmd) Help() string {
	return `Checks the syntax and that every placeholder names a configured Secrets Manager
vault; with --env, also that every secret exists and every {vault:KEY.field}
resolves. Prints every problem of the file, each as FILE:LINE: message, in one
run (placeholders are resolved once the syntax and vaults are right). Exit
status 0 when the template is valid, 1 when it has problems, 125 when keep
could not check.

Examples:
  keep template:validate env/production.env
  keep template:validate env/production.env --env=production`
}

// Run checks the template and lists its problems on stdout.
func (c *TemplateValidateCmd) Run(g *Globals) error {
	logf := g.Logger().Printf
	project, err := config.FindProject(".")
	if err != nil {
		return err
	}
	chosen, _, err := config.ChooseVault(project, c.Vault)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(c.File)
	if errors.Is(err, fs.ErrNotExist) {
		return &Error{Msg: fmt.Sprintf("template %s not found", c.File), Help: "give the template's path, e.g. keep template:validate env/production.env"}
	}
	if err != nil {
		return fmt.Errorf("read template: %w", err)
	}
	// Every problem at once: syntax, and the vaults of the lines that
	// parsed. Resolving needs a template without either.
	t, problems := render.CheckTemplate(c.File, string(src))
	problems = append(problems, checkSlugs(t, config.TemplateVaults(project, chosen))...)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	if len(problems) > 0 || c.Env == "" {
		return c.report(problems)
	}
	vaults := config.TemplateVaults(project, chosen)

	flags := TargetFlags{AWSFlags: c.AWSFlags, Env: c.Env, Vault: c.Vault}
	cfg, err := config.Resolve(project, flags.flags())
	if err != nil {
		return err
	}
	ctx, cancel, err := c.deadline(context.Background())
	if err != nil {
		return err
	}
	defer cancel()
	began := time.Now()
	f, err := fetchTemplate(ctx, c.session(nil), t, templateFetch{Namespace: cfg.Namespace, Env: cfg.Env, Vaults: vaults, Region: c.Region})
	if err != nil {
		return err
	}
	logTemplate(logf, t, f, time.Since(began))
	c.resolved = true
	return c.report(t.Check(f.Secrets))
}

// report prints problems, one FILE:LINE line each, or that all is well.
func (c *TemplateValidateCmd) report(problems render.TemplateErrors) error {
	if len(problems) == 0 {
		what := "syntax and vaults"
		if c.Env != "" {
			what += ", and every placeholder resolves in " + c.Env
		}
		fmt.Printf("%s: ok (%s)\n", c.File, what)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stdout, p.Error())
	}
	if c.Env != "" && !c.resolved {
		fmt.Printf("%s: placeholders not resolved in %s: fix the problems above first\n", c.File, c.Env)
	}
	return answer{fmt.Sprintf("%d problem(s) found", len(problems))}
}
