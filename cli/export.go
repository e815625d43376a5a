package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/envfile"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
)

// ExportCmd is keep export: the secrets of an environment as a .env file
// or JSON.
type ExportCmd struct {
	TargetFlags

	Format    string `enum:"env,json" default:"env" help:"env (dotenv lines) or json (one flat object)."`
	Template  string `env:"KEEP_TEMPLATE" placeholder:"FILE" help:"Render this template (dotenv with {vault:KEY} placeholders) instead of listing every secret; auto means <template_path>/<env>.env."`
	All       bool   `help:"With --template, also export the vault's secrets the template does not name."`
	Output    string `short:"o" placeholder:"PATH" help:"Write to PATH (created 0600) instead of stdout."`
	Overwrite bool   `xor:"clobber" help:"Replace an existing --output file."`
	Append    bool   `xor:"clobber" help:"Add to an existing --output file the variables it does not have yet."`
	Missing   string `enum:"fail,skip,blank,remove" default:"fail" help:"With --template, a placeholder whose secret does not exist: fail, skip (keep the placeholder), blank (empty value) or remove (comment the line out)."`
	FilterFlags
	AllowEmpty  bool `env:"KEEP_ALLOW_EMPTY" help:"Export nothing rather than fail when no secret matches."`
	TimeoutFlag `set:"deadline_of=the whole export"`
}

// Help is the detail shown by keep export --help.
func (c *ExportCmd) Help() string {
	return `Values are single-quoted (double-quoted when they hold ') so that dotenv
parsers — godotenv, phpdotenv, Node's dotenv, docker compose, python-dotenv —
read back the exact bytes; see the README for the few values no one form suits.
JSON is one flat object, KEY → value (a template's variable names with
--template).

Examples:
  keep export --env=production --output=.env
  keep export --env=production --format=json
  keep export --env=production --template=env/production.env --output=.env
  keep export --env=production --template=auto --all --output=.env --overwrite`
}

// additionalHeader separates the template from what --all adds, as the
// PHP Keep writes it.
const additionalHeader = "\n# ----- Additional secrets not in template -----\n\n"

// Run writes the export.
func (c *ExportCmd) Run(g *Globals) error {
	logf := g.Logger().Printf
	filter, err := c.filter()
	if err != nil {
		return err
	}
	missing, err := render.ParseMissing(c.Missing)
	if err != nil {
		return err
	}
	switch {
	case c.Template != "" && !filter.IsZero() && !c.All:
		return &Error{Msg: "--only/--except apply with --template only to what --all adds", Help: "the template says which variables are exported; edit it, or add --all"}
	case c.Template == "" && c.All:
		return &Error{Msg: "--all needs --template", Help: "without a template every secret is exported already"}
	case (c.Overwrite || c.Append) && c.Output == "":
		return &Error{Msg: "--overwrite and --append need --output", Help: "they say what happens to an existing file"}
	case c.Append && c.Format == "json":
		return &Error{Msg: "--append writes dotenv lines", Help: "use --format=env, or --overwrite for JSON"}
	}
	project, err := config.FindProject(".")
	if err != nil {
		return err
	}
	cfg, err := config.Resolve(project, c.flags())
	if err != nil {
		return err
	}
	ctx, cancel := c.deadline(context.Background())
	defer cancel()

	var data []byte
	if c.Template != "" {
		data, err = c.template(ctx, cfg, filter, missing, logf)
	} else {
		data, err = c.secrets(ctx, cfg, filter, logf)
	}
	if err != nil {
		return err
	}
	if c.Output == "" {
		_, err := os.Stdout.Write(data)
		return err
	}
	if c.Append {
		if data, err = appendNew(c.Output, data); err != nil {
			return err
		}
	}
	if _, err := envfile.Write(c.Output, data, c.Overwrite || c.Append); err != nil {
		return err
	}
	logf("wrote %s", c.Output)
	return nil
}

// secrets exports every secret of the environment that passes filter.
// None is an error, as for keep run: a typo in --env must not write an
// empty .env.
func (c *ExportCmd) secrets(ctx context.Context, cfg *config.Config, filter render.Filter, logf func(string, ...any)) ([]byte, error) {
	secrets, err := listSecrets(ctx, cfg, c.Region, filter, c.AllowEmpty, logf)
	if err != nil {
		return nil, err
	}
	if c.Format == "json" {
		obj := map[string]string{}
		for _, s := range secrets {
			obj[s.Key] = s.Value
		}
		return jsonObject(obj)
	}
	vars, err := render.SecretVars(secrets)
	if err != nil {
		return nil, err
	}
	return dotenv(vars), nil
}

// template renders the template and, with --all, adds the secrets it does
// not name.
func (c *ExportCmd) template(ctx context.Context, cfg *config.Config, filter render.Filter, missing render.Missing, logf func(string, ...any)) ([]byte, error) {
	t, f, err := templateSecrets(ctx, cfg, c.Template, c.Region, logf)
	if err != nil {
		return nil, err
	}
	var extra []render.Var
	if c.All {
		if extra, err = c.unnamed(ctx, cfg, t, filter, logf); err != nil {
			return nil, err
		}
	}
	if c.Format == "json" {
		vars, err := t.Vars(f.Secrets, missing, nil)
		if err != nil {
			return nil, err
		}
		obj := map[string]string{}
		for _, v := range append(vars, extra...) {
			obj[v.Name] = v.Value
		}
		return jsonObject(obj)
	}
	data, err := t.Render(f.Secrets, missing)
	if err != nil {
		return nil, err
	}
	if len(extra) > 0 {
		data = append(append(data, additionalHeader...), dotenv(extra)...)
	}
	return data, nil
}

// unnamed are the secrets of the environment's vault that no placeholder
// names and whose variable the template does not set.
func (c *ExportCmd) unnamed(ctx context.Context, cfg *config.Config, t *render.Template, filter render.Filter, logf func(string, ...any)) ([]render.Var, error) {
	named := map[string]bool{}
	for _, r := range t.Refs() {
		if r.Ref.Slug == cfg.Vault.Slug {
			named[r.Ref.Key] = true
		}
	}
	set := map[string]bool{}
	for _, l := range t.Lines {
		if l.Var != nil {
			set[l.Var.Name] = true
		}
	}
	secrets, err := listSecrets(ctx, cfg, c.Region, filter, true, logf)
	if err != nil {
		return nil, err
	}
	var rest []fetch.Secret
	for _, s := range secrets {
		if !named[s.Key] && !set[render.VarName(s.Key)] {
			rest = append(rest, s)
		}
	}
	return render.SecretVars(rest)
}

// appendNew returns the file at path with the lines of data whose
// variable it does not set yet added at the end. A missing file is
// created with all of data.
func appendNew(path string, data []byte) ([]byte, error) {
	old, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	existing, err := dotenvLines(path, string(old))
	if err != nil {
		return nil, fmt.Errorf("--append: read the existing file: %w", err)
	}
	have := map[string]bool{}
	for _, l := range existing {
		have[l.name] = true
	}
	add, err := dotenvLines("export", string(data))
	if err != nil {
		return nil, err
	}
	out := old // kept byte for byte; only a missing final newline is added
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for _, l := range add {
		if !have[l.name] {
			out = append(out, l.text+"\n"...)
		}
	}
	return out, nil
}

// dotenvLine is an assignment of a .env file: the variable and the line as
// written (several physical lines for a multi-line quoted value).
type dotenvLine struct{ name, text string }

// dotenvLines are the assignments of src, a .env file (see
// render.ParseDotenv: braces are literal). An error names the line, never
// its text, which may hold a secret.
func dotenvLines(file, src string) ([]dotenvLine, error) {
	t, err := render.ParseDotenv(file, src)
	if err != nil {
		line := 0
		var te *render.TemplateError
		if errors.As(err, &te) {
			line = te.Line
		}
		return nil, &Error{
			Msg:  fmt.Sprintf("%s:%d: not a NAME=VALUE line, or a variable set twice", file, line),
			Help: "fix that line (keep reads NAME=VALUE lines, values optionally quoted, and # comments), or use --overwrite",
		}
	}
	var out []dotenvLine
	for _, l := range t.Lines {
		if l.Var != nil {
			out = append(out, dotenvLine{name: l.Var.Name, text: l.Text})
		}
	}
	return out, nil
}
