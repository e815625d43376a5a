package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
)

// TemplateAddCmd is keep template:add.
type TemplateAddCmd struct {
	TargetFlags `set:"vault_placeholder=SLUG,…" set:"vault_list=Vaults to take the secrets from, comma-separated" set:"vault_default=every Secrets Manager vault of the project"`
	Path        string `placeholder:"DIR" help:"Directory of the template, which is <DIR>/<env>.env (default: template_path in .keep/settings.json, env)."`
	Output      string `short:"o" placeholder:"FILE" help:"Write the template to FILE instead; - is stdout."`
	Overwrite   bool   `help:"Replace an existing template."`
	TimeoutFlag
}

// Help is the detail of keep template:add --help.
func (c *TemplateAddCmd) Help() string {
	return `Writes a template with a KEY={vault:KEY} line for each secret of the
environment, vault by vault, each sorted by variable name: the PHP Keep's
format and the names keep run gives. Without --vault, every Secrets Manager
vault of the project (vaults without secrets of the environment are left
out). Only names are read, never a value. Then:

  keep template:validate env/production.env --env=production
  keep run --env=production --template=auto -- ./app`
}

// Run writes the template.
func (c *TemplateAddCmd) Run(g *Globals) error {
	project, err := config.FindProject(".")
	if err != nil {
		return err
	}
	if c.Env == "" && project != nil && len(project.Settings.Envs) > 0 {
		if p := g.prompter(); p.interactive {
			if err := p.ask(&c.Env, "--env=ENV", "Environment ("+strings.Join(project.Settings.Envs, ", ")+")", ""); err != nil {
				return err
			}
		}
	}
	every := c.Vault == "" && project != nil && len(project.Vaults) > 1
	if every {
		var sm []string
		for _, slug := range project.VaultSlugs() {
			if project.Vaults[slug].Driver == config.DriverSecretsManager {
				sm = append(sm, slug)
			}
		}
		c.Vault = strings.Join(sm, ",")
	}
	cfgs, err := resolveVaults(project, c.TargetFlags)
	if err != nil {
		return err
	}
	out := c.Output
	if out == "" {
		dir := c.Path
		if dir == "" {
			dir = autoTemplate
		} else {
			dir = filepath.Join(dir, cfgs[0].Env+".env")
		}
		out = templatePath(dir, project, cfgs[0].Env)
	}
	if out != "-" && !c.Overwrite {
		if _, err := os.Lstat(out); err == nil {
			return &Error{Msg: fmt.Sprintf("%s exists", out), Help: "pass --overwrite to replace it, or --output=FILE to write elsewhere; keep template:validate checks an existing template"}
		}
	}
	ctx, cancel, err := c.deadline(context.Background())
	if err != nil {
		return err
	}
	defer cancel()
	keys, err := vaultKeys(ctx, fetch.NewSession(cfgs[0].Profile), cfgs)
	if err != nil {
		return err
	}
	data, n, err := templateFile(cfgs, keys, every, time.Now())
	if err != nil {
		return err
	}
	if out == "-" {
		_, err := os.Stdout.Write(data)
		return err
	}
	if err := writeTemplate(out, data, c.Overwrite); err != nil {
		return err
	}
	fmt.Printf("Wrote %s: %d variables\n", out, n)
	fmt.Printf("Next: keep template:validate %s --env=%s\n", out, cfgs[0].Env)
	return nil
}

// vaultKeys lists the KEYs of each vault of cfgs, concurrently: names
// only, no value.
func vaultKeys(ctx context.Context, session *fetch.Session, cfgs []*config.Config) ([][]string, error) {
	keys := make([][]string, len(cfgs))
	g, gctx := errgroup.WithContext(ctx)
	for i, cfg := range cfgs {
		g.Go(func() error {
			conn, err := session.Open(gctx, cfg.Region, targetOf(cfg))
			if err == nil {
				keys[i], err = conn.Keys(gctx)
			}
			if err != nil && len(cfgs) > 1 {
				err = fmt.Errorf("vault %s: %w", cfg.Vault.Slug, err)
			}
			return err
		})
	}
	return keys, g.Wait()
}

// templateFile is the template of the KEYs of each vault of cfgs, in the
// PHP Keep's layout (src/Services/TemplateService.php): a header, a
// section per vault, the commented examples of non-secret settings. A
// vault without KEYs is an error unless skipEmpty; so are no KEYs at all,
// and two KEYs that give one variable. n counts the variables.
func templateFile(cfgs []*config.Config, keys [][]string, skipEmpty bool, now time.Time) (data []byte, n int, err error) {
	env := cfgs[0].Env
	var b bytes.Buffer
	fmt.Fprintf(&b, "# ===================================================\n# Keep Template - Environment: %s\n# Generated: %s\n# ===================================================\n\n",
		env, now.Format("2006-01-02 15:04:05"))
	var all []fetch.Secret
	for i, cfg := range cfgs {
		if len(keys[i]) == 0 {
			if skipEmpty {
				continue
			}
			return nil, 0, &Error{Msg: fmt.Sprintf("no secrets of %s in vault %s", targetOf(cfg), cfg.Vault.Slug), Help: "check --env and --vault; keep show lists the secrets"}
		}
		vars := make([]string, 0, len(keys[i]))
		ref := map[string]string{}
		var unnamable []string
		for _, k := range keys[i] {
			if !fetch.ValidPath(k) { // '+', '=', '@': readable, but no placeholder names it
				unnamable = append(unnamable, k)
				continue
			}
			v := render.VarName(k)
			vars, ref[v] = append(vars, v), k
			all = append(all, fetch.Secret{Key: k})
		}
		sort.Strings(vars)
		fmt.Fprintf(&b, "# ===== Vault: %s =====\n", cfg.Vault.Slug)
		for _, v := range vars {
			fmt.Fprintf(&b, "%s={%s:%s}\n", v, cfg.Vault.Slug, ref[v])
		}
		for _, k := range unnamable {
			fmt.Fprintf(&b, "# %s: no placeholder can name this KEY (a PATH is letters, digits, _ - . /); keep rename it to use it here\n", k)
		}
		if len(unnamable) > 0 {
			fmt.Fprintf(os.Stderr, "keep: warning: left out of the template (commented), as no placeholder can name them: %s; keep rename gives them a KEY of letters, digits, _ - . /\n", strings.Join(unnamable, ", "))
		}
		b.WriteString("\n")
	}
	if len(all) == 0 {
		return nil, 0, &Error{Msg: fmt.Sprintf("no secrets of %s in any vault", targetOf(cfgs[0])), Help: "check --env; keep show lists the secrets"}
	}
	if _, err := render.SecretVars(all); err != nil {
		return nil, 0, err // two KEYs, in one vault or two, give one variable
	}
	b.WriteString("# ===== Application Settings (non-secret) =====\n# Uncomment and modify as needed:\n#\n# APP_NAME=MyApp\n# APP_ENV=production\n# APP_DEBUG=false\n# APP_URL=https://example.com\n# LOG_LEVEL=info\n# TIMEZONE=UTC\n")
	return b.Bytes(), len(all), nil
}

// writeTemplate writes data to path (0644: a template holds no secret),
// creating its directory; without overwrite, never over an existing file.
func writeTemplate(path string, data []byte, overwrite bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return &Error{Msg: fmt.Sprintf("%s exists", path), Help: "pass --overwrite to replace it"}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
