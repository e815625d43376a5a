package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/write"
)

// VerifyCmd is keep verify.
type VerifyCmd struct {
	Env        string `short:"e" placeholder:"LIST" help:"Environments to check, comma-separated (default: the project's envs)."`
	Vault      string `placeholder:"LIST" help:"Vaults to check, comma-separated (default: every Secrets Manager vault, or the default one)."`
	Write      bool   `help:"Also create and delete a throw-away secret in each context."`
	AllowEmpty bool   `help:"Pass a context that holds no secrets, as keep run --allow-empty runs with none."`
	AWSFlags
	Format      string `enum:"table,json" default:"table" help:"table or json."`
	TimeoutFlag `set:"timeout=60s"`
}

// Help is the detail shown by keep verify --help.
func (c *VerifyCmd) Help() string {
	return `For each vault and environment, all at once: credentials (a ListSecrets call),
listing keep's secrets, reading one (BatchGetSecretValue, as keep run does)
and, with --write, creating and deleting a throw-away secret keep-verify-<hex>.
A context with no secrets fails, as keep run fails there, unless --allow-empty.
Prints a matrix, each distinct error once below it; --format=json prints
booleans (null: not checked), the count of secrets and the error.

Exit status: 0 when every check passed, 1 when one failed, 125 when the
command line or the project is wrong (a misspelt --env or --vault).

Examples:
  keep verify
  keep verify --env=production --write
  keep verify --vault=legacy,secretsmanager --format=json`
}

// verifyResult is one context's checks: each passed (true), failed
// (false) or was not reached (nil).
type verifyResult struct {
	ref                      contextRef
	vault, region            string
	creds, list, read, write *bool
	secrets                  int
	err                      error // the failure, if any
}

func (r *verifyResult) failed() bool { return r.err != nil }

// Run checks every context concurrently and prints the matrix.
func (c *VerifyCmd) Run(g *Globals) error {
	o, err := newOpener(c.AWSFlags, g)
	if err != nil {
		return err
	}
	envs, vaults := c.Env, c.Vault
	if envs == "" && o.project != nil {
		envs = strings.Join(o.project.Settings.Envs, ",")
	}
	if envs == "" {
		return &Error{Msg: "no environments to verify", Help: "pass --env=LIST, or run inside a project with envs in .keep/settings.json"}
	}
	if vaults == "" && o.project != nil {
		var sm []string
		for _, slug := range o.project.VaultSlugs() {
			if o.project.Vaults[slug].Driver == config.DriverSecretsManager {
				sm = append(sm, slug)
			}
		}
		vaults = strings.Join(sm, ",")
	}
	// The configuration of every context first, without the network: a
	// misspelt env or vault is one error, not a failed cell each.
	refs := contexts(envs, vaults)
	cfgs := make([]*config.Config, len(refs))
	for i, ref := range refs {
		if cfgs[i], err = o.resolve(ref); err != nil {
			return err
		}
	}
	ctx, cancel, err := c.deadline(context.Background())
	if err != nil {
		return err
	}
	defer cancel()
	results := make([]verifyResult, len(refs))
	stop := spin(fmt.Sprintf("checking %d contexts", len(refs)))
	var wg sync.WaitGroup
	for i := range refs {
		wg.Go(func() { results[i] = c.check(ctx, o, refs[i], cfgs[i]) })
	}
	wg.Wait()
	stop()
	if err := c.print(results); err != nil {
		return err
	}
	for _, r := range results {
		if r.failed() && c.Format == "json" {
			return answer{`some checks failed (see "ok": false above)`}
		} else if r.failed() {
			return answer{"some checks failed (see the ✗ cells above)"}
		}
	}
	return nil
}

// check verifies one context; a failure is a cell, not an error. The
// region is known even when the client could not be made.
func (c *VerifyCmd) check(ctx context.Context, o *opener, ref contextRef, cfg *config.Config) verifyResult {
	r := verifyResult{ref: ref, vault: cfg.Vault.Slug, region: cfg.Region}
	yes, no := true, false
	fail := func(check **bool, err error) verifyResult {
		*check, r.err = &no, err
		return r
	}
	ve, err := o.connect(ctx, cfg)
	if r.region == "" {
		r.region = o.session.Region(cfg.Region)
	}
	if err != nil {
		return fail(&r.creds, err)
	}
	if err := ve.conn.CheckList(ctx); err != nil {
		return fail(&r.creds, err)
	}
	r.creds = &yes
	keys, err := ve.conn.Keys(ctx)
	if err != nil {
		return fail(&r.list, err)
	}
	r.secrets = len(keys)
	if len(keys) == 0 && !c.AllowEmpty {
		return fail(&r.list, &Error{
			Msg:  fmt.Sprintf("no secrets found under %s* in %s: keep run fails here", ve.conn.Target.Prefix(), ve.conn.Region),
			Help: "check the env, the vault's scope and region; pass --allow-empty if none is intended",
		})
	}
	r.list = &yes
	if len(keys) > 0 {
		if _, err := ve.conn.ByName(ctx, keys[:1]); err != nil {
			return fail(&r.read, err)
		}
		r.read = &yes
	}
	if c.Write {
		if err := write.Probe(ctx, ve.conn, write.Vault{Slug: ve.cfg.Vault.Slug, KMSKey: ve.cfg.Vault.Key}); err != nil {
			return fail(&r.write, err)
		}
		r.write = &yes
	}
	return r
}

func (c *VerifyCmd) print(results []verifyResult) error {
	if c.Format == "json" {
		type row struct {
			Context     string `json:"context"`
			Vault       string `json:"vault"`
			Env         string `json:"env"`
			Region      string `json:"region"`
			Credentials *bool  `json:"credentials"`
			List        *bool  `json:"list"`
			Secrets     int    `json:"secrets"`
			Read        *bool  `json:"read"`
			Write       *bool  `json:"write"`
			OK          bool   `json:"ok"`
			Error       string `json:"error,omitempty"`
			Hint        string `json:"hint,omitempty"`
		}
		out := []row{}
		for _, r := range results {
			msg, help := errorText(r.err)
			out = append(out, row{r.ref.String(), r.vault, r.ref.Env, r.region, r.creds, r.list, r.secrets, r.read, r.write, !r.failed(), msg, help})
		}
		return printJSON(out)
	}
	// Each distinct error once, under the table: a missing credential
	// fails every context alike.
	var notes []string
	note := func(err error) string {
		msg, help := errorText(err)
		text := msg
		if help != "" {
			text += "\n    " + help
		}
		for i, n := range notes {
			if n == text {
				return fmt.Sprintf("✗ (%d)", i+1)
			}
		}
		notes = append(notes, text)
		return fmt.Sprintf("✗ (%d)", len(notes))
	}
	cell := func(r verifyResult, check *bool, ok string) string {
		switch {
		case check == nil:
			return "—"
		case *check:
			return ok
		}
		return note(r.err)
	}
	w := newTable()
	fmt.Fprintln(w, "VAULT:ENV\tREGION\tCREDENTIALS\tLIST\tREAD\tWRITE\tRESULT")
	for _, r := range results {
		result := paint("ok", green)
		if r.failed() {
			result = paint("FAILED", red)
		}
		read := cell(r, r.read, "✓")
		if r.list != nil && *r.list && r.secrets == 0 {
			read = "– nothing to read"
		}
		write := cell(r, r.write, "✓ create+delete")
		if !c.Write {
			write = "skipped"
		}
		region := r.region
		if region == "" {
			region = "?"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ref, region, cell(r, r.creds, "✓"),
			cell(r, r.list, fmt.Sprintf("✓ %d secret(s)", r.secrets)), read, write, result)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for i, n := range notes {
		fmt.Printf("\n(%d) %s\n", i+1, n)
	}
	return nil
}

// errorText is err's first line and its hint.
func errorText(err error) (msg, help string) {
	if err == nil {
		return "", ""
	}
	var h Hinter
	if errors.As(err, &h) {
		help = h.Hint()
	}
	return firstLine(err), help
}
