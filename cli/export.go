package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/envfile"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/readfile"
	"github.com/keep-run/keep/render"
)

// ExportCmd is keep export: the secrets of an environment, from one vault
// or several, as a .env file, JSON or CSV.
type ExportCmd struct {
	TargetFlags `set:"vault_placeholder=SLUG,…" set:"vault_list=Vault slug, or several comma-separated"`

	Format      string `enum:"env,json,csv" default:"env" help:"env (dotenv lines), json (one flat object) or csv (Key,Value,Vault,Environment,Modified rows, as the PHP Keep writes them)."`
	Template    string `env:"KEEP_TEMPLATE" placeholder:"FILE" help:"Render this template (dotenv with {vault:KEY} placeholders) instead of listing every secret; auto means <template_path>/<env>.env."`
	All         bool   `help:"With --template, also export the secrets of the vault (or the --vault vaults) the template does not name."`
	Output      string `short:"o" aliases:"file" placeholder:"PATH" help:"Write to PATH (created 0600) instead of stdout; --file is the PHP Keep's name for it."`
	Overwrite   bool   `xor:"clobber" help:"Replace an existing --output file."`
	Append      bool   `xor:"clobber" help:"Add to an existing --output file the variables it does not have yet."`
	Missing     string `enum:"fail,skip,blank,remove" default:"fail" help:"With --template, a placeholder whose secret does not exist: fail, skip (keep the placeholder), blank (empty value) or remove (comment the line out)."`
	FilterFlags `set:"only_verb=Export only" set:"only_note= (with --template: of those --all adds)"`
	AllowEmpty  bool `env:"KEEP_ALLOW_EMPTY" help:"Export nothing rather than fail when no secret matches."`
	TimeoutFlag `set:"deadline_of=the whole export"`
	SplayFlag
}

// Help is the detail shown by keep export --help.
func (c *ExportCmd) Help() string {
	return `Values are single-quoted (double-quoted when they hold ') so that dotenv
parsers — godotenv, phpdotenv, Node's dotenv, docker compose, python-dotenv —
read back the exact bytes; see the README for the few values no one form suits
(keep names them on stderr) and for a value ending in a backslash, which keep
refuses to write as dotenv: parsers would read on into the next variables.
JSON is one flat object, KEY → value (a template's variable names with
--template). CSV is a header, Key,Value,Vault,Environment,Modified, and a row
per secret, as the PHP Keep writes it; Modified is when the value was set
(Key,Value,Vault,Env,Modified with --template, where Modified stays empty).

--vault=a,b exports the secrets of both vaults as one: a KEY found in both is
an error naming it and the two vaults, never a silent choice. With
--template, the placeholders name their vaults, and --vault says which
vaults --all adds.

Examples:
  keep export --env=production --output=.env
  keep export --env=production --format=json
  keep export --env=production --vault=app,shared --format=csv --file=secrets.csv
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
	case c.Append && c.Format != "env":
		return &Error{Msg: "--append writes dotenv lines", Help: "use --format=env, or --overwrite for JSON or CSV"}
	}
	project, err := config.FindProject(".")
	if err != nil {
		return err
	}
	cfgs, err := resolveVaults(project, c.TargetFlags)
	if err != nil {
		return err
	}
	if err := c.wait(context.Background()); err != nil {
		return err
	}
	ctx, cancel, err := c.deadline(context.Background())
	if err != nil {
		return err
	}
	defer cancel()

	// One session: with --template --all, the template's vault and the
	// listing share the client of a region.
	session := c.session(nil) // -v: the load reports the calls, counted
	var data []byte
	stop := spin("reading the secrets of " + cfgs[0].Env)
	if c.Template != "" {
		data, err = c.template(ctx, session, cfgs, filter, missing, logf)
	} else {
		data, err = c.secrets(ctx, session, cfgs, filter, logf)
	}
	stop()
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
	fmt.Fprintf(os.Stderr, "wrote %s to %s\n", countVars(c.Format, data), c.Output)
	return nil
}

// countVars is "12 variables": how many data, an export in format, holds
// (read back, so that a template's static lines and --append's earlier
// ones count too), or "the export" when it cannot tell.
func countVars(format string, data []byte) string {
	n := -1
	switch format {
	case "json":
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) == nil {
			n = len(obj)
		}
	case "csv":
		if rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll(); err == nil && len(rows) > 0 {
			n = len(rows) - 1 // the header
		}
	default:
		if lines, err := dotenvLines("export", string(data)); err == nil {
			n = len(lines)
		}
	}
	switch n {
	case -1:
		return "the export"
	case 1:
		return "1 variable"
	}
	return fmt.Sprintf("%d variables", n)
}

// secrets exports every secret of the vaults of cfgs that passes filter.
// None is an error, as for keep run: a typo in --env must not write an
// empty .env. So is a KEY in two vaults (see distinct).
func (c *ExportCmd) secrets(ctx context.Context, session *fetch.Session, cfgs []*config.Config, filter render.Filter, logf func(string, ...any)) ([]byte, error) {
	ls, err := listSecrets(ctx, session, cfgs, c.Region, filter, c.AllowEmpty, logf)
	if err != nil {
		return nil, err
	}
	secrets, err := distinct(ls)
	if err != nil {
		return nil, err
	}
	switch c.Format {
	case "json":
		obj := map[string]string{}
		for _, s := range secrets {
			obj[s.Key] = s.Value
		}
		return jsonObject(obj)
	case "csv":
		rows := make([][]string, 0, len(ls))
		for _, s := range ls {
			rows = append(rows, []string{s.Key, s.Value, s.Vault, cfgs[0].Env, csvTime(s.Created)})
		}
		slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
		return csvTable(csvHeader, rows), nil
	}
	vars, err := render.SecretVars(secrets)
	if err != nil {
		return nil, err
	}
	data, nonPortable, err := render.EncodeDotenv(vars)
	warnNonPortable(nonPortable)
	return data, err
}

// template renders the template and, with --all, adds the secrets of the
// vaults of cfgs it does not name.
func (c *ExportCmd) template(ctx context.Context, session *fetch.Session, cfgs []*config.Config, filter render.Filter, missing render.Missing, logf func(string, ...any)) ([]byte, error) {
	if c.Output != "" {
		if err := notTheTemplate(cfgs[0], c.Template, c.Output); err != nil {
			return nil, err
		}
	}
	t, f, err := templateSecrets(ctx, session, cfgs, c.Template, c.Region, logf)
	if err != nil {
		return nil, err
	}
	if err := requirePlaceholders(t, c.AllowEmpty || c.All); err != nil {
		return nil, err
	}
	var rest []listed
	var extra []render.Var
	if c.All {
		if rest, err = c.unnamed(ctx, session, cfgs, t, filter, logf); err != nil {
			return nil, err
		}
		secrets, err := distinct(rest)
		if err != nil {
			return nil, err
		}
		if extra, err = render.SecretVars(secrets); err != nil {
			return nil, err
		}
	}
	switch c.Format {
	case "json":
		vars, err := t.Vars(f.Secrets, missing, nil)
		if err != nil {
			return nil, err
		}
		obj := map[string]string{}
		for _, v := range append(vars, extra...) {
			obj[v.Name] = v.Value
		}
		return jsonObject(obj)
	case "csv":
		vars, err := t.Vars(f.Secrets, missing, nil)
		if err != nil {
			return nil, err
		}
		return templateCSV(t, vars, rest, extra, cfgs[0].Env), nil
	}
	data, nonPortable, err := t.Render(f.Secrets, missing)
	if err != nil {
		return nil, err
	}
	if len(extra) > 0 {
		more, np, err := render.EncodeDotenv(extra)
		if err != nil {
			return nil, err
		}
		data = append(append(data, additionalHeader...), more...)
		nonPortable = append(nonPortable, np...)
	}
	warnNonPortable(nonPortable)
	return data, nil
}

// templateCSV is the CSV of a template's variables, vars, and of the
// secrets --all adds, rest (as variables: extra), sorted by name as the PHP
// Keep sorts them. A variable's Vault and Env are those of its
// placeholders when they all name one vault, else empty.
func templateCSV(t *render.Template, vars []render.Var, rest []listed, extra []render.Var, env string) []byte {
	vaultOf := map[string]string{} // variable → its placeholders' vault; "" for several
	for _, r := range t.Refs() {
		if v, ok := vaultOf[r.Var]; ok && v != r.Ref.Slug {
			vaultOf[r.Var] = ""
			continue
		}
		vaultOf[r.Var] = r.Ref.Slug
	}
	for _, s := range rest {
		vaultOf[render.VarName(s.Key)] = s.Vault
	}
	rows := make([][]string, 0, len(vars)+len(extra))
	for _, v := range append(slices.Clone(vars), extra...) {
		vault, vaultEnv := vaultOf[v.Name], ""
		if vault != "" {
			vaultEnv = env
		}
		rows = append(rows, []string{v.Name, v.Value, vault, vaultEnv, ""})
	}
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return csvTable(csvTemplateHeader, rows)
}

// unnamed are the secrets of the vaults of cfgs that no placeholder names
// and whose variable the template does not set (not yet checked with
// distinct).
func (c *ExportCmd) unnamed(ctx context.Context, session *fetch.Session, cfgs []*config.Config, t *render.Template, filter render.Filter, logf func(string, ...any)) ([]listed, error) {
	named := map[render.Ref]bool{}
	for _, r := range t.Refs() {
		for _, read := range r.Ref.Reads() {
			named[read] = true
		}
	}
	set := map[string]bool{}
	for _, l := range t.Lines {
		if l.Var != nil {
			set[l.Var.Name] = true
		}
	}
	ls, err := listSecrets(ctx, session, cfgs, c.Region, filter, true, logf)
	if err != nil {
		return nil, err
	}
	var rest []listed
	for _, s := range ls {
		if !named[render.Ref{Slug: s.Vault, Key: s.Key}] && !set[render.VarName(s.Key)] {
			rest = append(rest, s)
		}
	}
	return rest, nil
}

// appendNew returns the file at path with the lines of data whose
// variable it does not set yet added at the end. A missing file is
// created with all of data.
func appendNew(path string, data []byte) ([]byte, error) {
	old, err := readfile.Read(path, readfile.MaxDotenv, true)
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
