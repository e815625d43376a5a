package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/readfile"
	"github.com/keep-run/keep/render"
	"github.com/keep-run/keep/write"
)

// ImportCmd is keep import.
type ImportCmd struct {
	secretFlags  `set:"timeout=5m"`
	File         string `arg:"" optional:"" placeholder:"FILE" help:"The .env file to import; - reads stdin."`
	Overwrite    bool   `xor:"existing" help:"Update the secrets that exist already (their tags stay as they are)."`
	SkipExisting bool   `xor:"existing" name:"skip-existing" help:"Leave the secrets that exist already as they are."`
	DryRun       bool   `name:"dry-run" help:"Change nothing; say what would be created, updated, skipped and what would fail."`
	ExplicitFilterFlags
	Format string `enum:"table,json" default:"table" help:"table or json."`
}

// Help is the detail of keep import --help.
func (c *ImportCmd) Help() string {
	return `Reads NAME=VALUE lines as keep export --append does: quotes, multi-line
quoted values, "export " prefixes, # comments; ${VAR} is kept as text. Each
variable becomes the secret NAME, created with keep's tags. A variable set
twice, or a value Secrets Manager cannot hold, stops the import before any
write; an empty value is skipped. Secrets that exist already stop it too,
unless --overwrite or --skip-existing. Exits 125 if any secret failed: the
table says which, and a rerun with --skip-existing finishes the rest.

Examples:
  keep import .env --env=staging --dry-run
  keep import .env --env=staging --skip-existing
  cat .env.production | keep import - --env=production --overwrite`
}

// importConcurrency is how many writes import has in flight: well under
// the CreateSecret and PutSecretValue quotas (50 a second).
const importConcurrency = 8

// importItem is one variable of the file and what became of it.
type importItem struct {
	Key      string `json:"key"`
	Status   string `json:"status"`
	Revision string `json:"revision,omitempty"`
	Reason   string `json:"reason,omitempty"`
	value    string
}

// The statuses of importItem.
const (
	stCreated      = "created"
	stUpdated      = "updated"
	stSkipped      = "skipped"
	stFailed       = "failed"
	stWouldCreate  = "would create"
	stWouldUpdate  = "would update"
	stWouldFail    = "would fail"
	reasonEmpty    = "empty: Secrets Manager cannot store an empty value"
	reasonExists   = "exists"
	reasonNotTried = "not tried"
)

// Run imports the file.
func (c *ImportCmd) Run(g *Globals) error {
	filter, err := c.filter()
	if err != nil {
		return err
	}
	if err := g.prompter().ask(&c.File, "FILE (or - for stdin)", "Path to the .env file", ""); err != nil {
		return err
	}
	items, err := c.read(filter)
	if err != nil {
		return err
	}
	return c.withVault(g, nil, func(ctx context.Context, ve *vaultEnv) error {
		logf := g.Logger().Printf
		began := time.Now()
		occupied, err := ve.conn.Occupied(ctx)
		if err != nil {
			return err
		}
		logf("%d secret name(s) taken under %s in %s", len(occupied), ve.conn.Target.Prefix(), ve.conn.Region)
		var exist []string
		for _, it := range items {
			if it.Status == "" && slices.Contains(occupied, it.Key) {
				exist = append(exist, it.Key)
			}
		}
		if len(exist) > 0 && !c.Overwrite && !c.SkipExisting {
			if c.DryRun {
				for i := range items {
					if slices.Contains(exist, items[i].Key) {
						items[i].Status, items[i].Reason = stWouldFail, reasonExists
					}
				}
				return c.report(ve, items)
			}
			return &Error{
				Msg:  fmt.Sprintf("%d of the file's secrets exist already in %s: %s; nothing was imported", len(exist), ve.conn.Target, strings.Join(exist, ", ")),
				Help: "--overwrite updates them, --skip-existing leaves them as they are (--dry-run shows what either would do)",
			}
		}
		vault, err := writeVault(ve.cfg.Vault)
		if err != nil {
			return err
		}
		c.apply(ctx, ve, vault, items, exist)
		logf("%d variable(s) done in %s, %d write(s) at a time", len(items), time.Since(began).Round(time.Millisecond), importConcurrency)
		return c.report(ve, items)
	})
}

// read parses the file into the items to import, in file order, with
// empty values already skipped. A problem Secrets Manager or keep run
// would have with any of them stops the import here, before any write.
func (c *ImportCmd) read(filter render.Filter) ([]importItem, error) {
	name, src := c.File, []byte(nil)
	var err error
	if c.File == "-" {
		name = "stdin"
		if src, err = io.ReadAll(io.LimitReader(os.Stdin, readfile.MaxDotenv+1)); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if len(src) > readfile.MaxDotenv {
			return nil, &Error{Msg: fmt.Sprintf("%s is larger than %d MiB", name, readfile.MaxDotenv>>20), Help: "import a .env file: NAME=VALUE lines"}
		}
	} else if src, err = readfile.Read(c.File, readfile.MaxDotenv, false); errors.Is(err, fs.ErrNotExist) {
		return nil, hinted(err, "give the path of a .env file, or - for stdin")
	} else if err != nil {
		return nil, err // a FIFO, a device, too large: readfile says what to do
	}
	t, err := render.ParseDotenv(name, string(src))
	if err != nil {
		return nil, err
	}
	var items []importItem
	var problems []string
	var secrets []fetch.Secret
	for _, l := range t.Lines {
		if l.Var == nil || !filter.Match(l.Var.Name) {
			continue
		}
		var b strings.Builder
		for _, p := range l.Var.Parts {
			b.WriteString(p.Text)
		}
		it := importItem{Key: l.Var.Name, value: b.String()}
		if it.value == "" {
			it.Status, it.Reason = stSkipped, reasonEmpty
		} else if err := fetch.CheckKey(it.Key); err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: %s", name, l.Num, firstLine(err)))
		} else if err := write.CheckValue(it.value); err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", name, l.Num, it.Key, firstLine(err)))
		} else {
			secrets = append(secrets, fetch.Secret{Key: it.Key})
		}
		items = append(items, it)
	}
	if len(problems) > 0 {
		return nil, &Error{
			Msg:  fmt.Sprintf("%d variable(s) cannot be imported; nothing was:\n  %s", len(problems), strings.Join(problems, "\n  ")),
			Help: "fix those lines, or leave the variables out with --except",
		}
	}
	if _, err := render.SecretVars(secrets); err != nil {
		return nil, err // two names keep run would give one variable
	}
	if len(items) == 0 {
		return nil, &Error{Msg: fmt.Sprintf("%s has no variables to import", name), Help: "a .env file holds NAME=VALUE lines; check --only and --except"}
	}
	for _, s := range secrets {
		if v := render.VarName(s.Key); v != s.Key {
			fmt.Fprintf(os.Stderr, "note: %s becomes the variable %s in keep run and export\n", s.Key, v)
		}
	}
	return items, nil
}

// apply writes (or, with --dry-run, checks) every item not yet decided,
// importConcurrency at a time, and records what happened to each. One
// failure does not stop the others.
func (c *ImportCmd) apply(ctx context.Context, ve *vaultEnv, vault write.Vault, items []importItem, exist []string) {
	var g errgroup.Group
	g.SetLimit(importConcurrency)
	for i := range items {
		it := &items[i]
		if it.Status != "" {
			continue
		}
		exists := slices.Contains(exist, it.Key)
		if exists && c.SkipExisting {
			it.Status, it.Reason = stSkipped, reasonExists
			continue
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				it.Status, it.Reason = stFailed, reasonNotTried+": "+firstLine(context.Cause(ctx))
				return nil
			}
			switch {
			case c.DryRun && exists:
				it.Status = stWouldUpdate
				if _, err := write.CheckSet(ctx, ve.conn, it.Key); err != nil {
					it.Status, it.Reason = stWouldFail, firstLine(err)
				}
			case c.DryRun:
				it.Status = stWouldCreate
			case exists:
				res, err := write.Set(ctx, ve.conn, vault, it.Key, it.value)
				it.record(res, err)
			default:
				res, err := write.Create(ctx, ve.conn, vault, it.Key, it.value)
				switch {
				case write.IsExists(err) && c.SkipExisting:
					it.Status, it.Reason = stSkipped, reasonExists // created meanwhile
					return nil
				case write.IsExists(err) && c.Overwrite:
					// Not listed yet (ListSecrets lags), or created
					// meanwhile: update it as a listed one would be.
					res, err = write.Set(ctx, ve.conn, vault, it.Key, it.value)
				}
				it.record(res, err)
			}
			return nil
		})
	}
	g.Wait()
}

// record is what a write did to it.
func (it *importItem) record(res *write.SetResult, err error) {
	switch {
	case err != nil:
		it.Status, it.Reason = stFailed, firstLine(err)
	case res.Created:
		it.Status, it.Revision = stCreated, res.VersionID
	default:
		it.Status, it.Revision = stUpdated, res.VersionID
	}
}

// report prints the items and a summary, and fails when any did (or, in a
// dry run, would).
func (c *ImportCmd) report(ve *vaultEnv, items []importItem) error {
	count := map[string]int{}
	var failed []string
	for _, it := range items {
		count[it.Status]++
		if it.Status == stFailed || it.Status == stWouldFail {
			failed = append(failed, it.Key)
		}
	}
	if c.Format == "json" {
		if err := printJSON(items); err != nil {
			return err
		}
	} else {
		w := newTable()
		fmt.Fprintln(w, "KEY\tSTATUS\tREVISION")
		for _, it := range items {
			status := it.Status
			if it.Reason != "" {
				status += " (" + it.Reason + ")"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", it.Key, status, it.Revision)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		where := fmt.Sprintf("%s (%s)", ve.conn.Target, ve.conn.Region)
		if c.DryRun {
			fmt.Printf("Dry run in %s, nothing changed: would create %d, update %d; skip %d; %d would fail\n",
				where, count[stWouldCreate], count[stWouldUpdate], count[stSkipped], count[stWouldFail])
		} else {
			fmt.Printf("Imported into %s: created %d, updated %d, skipped %d, failed %d\n",
				where, count[stCreated], count[stUpdated], count[stSkipped], count[stFailed])
		}
	}
	switch {
	case len(failed) > 0 && c.DryRun:
		return answer{fmt.Sprintf("the import would fail for %s", strings.Join(failed, ", "))}
	case len(failed) > 0:
		return &Error{
			Msg:  fmt.Sprintf("%d of %d secrets failed: %s; the others are as the table says", len(failed), len(items), strings.Join(failed, ", ")),
			Help: "fix the cause shown for each, then rerun with --skip-existing: what was created is left alone",
		}
	}
	return nil
}
