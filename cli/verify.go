package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/write"
)

// VerifyCmd is keep verify.
type VerifyCmd struct {
	Env   string `placeholder:"LIST" help:"Environments to check, comma-separated (default: the project's envs)."`
	Vault string `placeholder:"LIST" help:"Vaults to check, comma-separated (default: every Secrets Manager vault, or the default one)."`
	Write bool   `help:"Also create and delete a throw-away secret in each context."`
	AWSFlags
	Format      string `enum:"table,json" default:"table" help:"table or json."`
	TimeoutFlag `set:"timeout=60s"`
}

// Help is the detail shown by keep verify --help.
func (c *VerifyCmd) Help() string {
	return `For each vault and environment: credentials (a ListSecrets call), listing
keep's secrets, reading one (BatchGetSecretValue, as keep run does) and, with
--write, creating and deleting a throw-away secret keep-verify-<hex>. Prints a
matrix; exits 1 if anything keep run needs fails, 0 otherwise.`
}

type verifyResult struct {
	ref                       contextRef
	region                    string
	creds, list, read, writes string
	failed                    bool
}

// Run checks every context and prints the matrix.
func (c *VerifyCmd) Run(g *Globals) error {
	o, err := newOpener(c.AWSFlags)
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
	ctx, cancel, err := c.deadline(context.Background())
	if err != nil {
		return err
	}
	defer cancel()
	var results []verifyResult
	failed := false
	refs := contexts(envs, vaults)
	stop := spin(fmt.Sprintf("checking %d contexts", len(refs)))
	for _, ref := range refs {
		r := c.check(ctx, o, ref)
		failed = failed || r.failed
		results = append(results, r)
	}
	stop()
	if err := c.print(results); err != nil {
		return err
	}
	if failed {
		return answer{"some checks failed (see the ✗ cells above)"}
	}
	return nil
}

func (c *VerifyCmd) print(results []verifyResult) error {
	if c.Format == "json" {
		type row struct {
			Context     string `json:"context"`
			Region      string `json:"region"`
			Credentials string `json:"credentials"`
			List        string `json:"list"`
			Read        string `json:"read"`
			Write       string `json:"write"`
			OK          bool   `json:"ok"`
		}
		out := []row{}
		for _, r := range results {
			out = append(out, row{r.ref.String(), r.region, r.creds, r.list, r.read, r.writes, !r.failed})
		}
		return printJSON(out)
	}
	w := newTable()
	fmt.Fprintln(w, "VAULT:ENV\tREGION\tCREDENTIALS\tLIST\tREAD\tWRITE\tRESULT")
	for _, r := range results {
		result := paint("ok", green)
		if r.failed {
			result = paint("FAILED", red)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ref, r.region, r.creds, r.list, r.read, r.writes, result)
	}
	return w.Flush()
}

// check verifies one context; a failure is a cell, not an error.
func (c *VerifyCmd) check(ctx context.Context, o *opener, ref contextRef) verifyResult {
	r := verifyResult{ref: ref, creds: "—", list: "—", read: "—", writes: "skipped"}
	fail := func(cell *string, err error) verifyResult {
		*cell = "✗ " + firstLine(err)
		r.failed = true
		return r
	}
	ve, err := o.open(ctx, ref)
	if err != nil {
		return fail(&r.creds, err)
	}
	r.region = ve.conn.Region
	if err := ve.conn.CheckList(ctx); err != nil {
		return fail(&r.creds, err)
	}
	r.creds = "✓"
	keys, err := ve.conn.Keys(ctx)
	if err != nil {
		return fail(&r.list, err)
	}
	r.list = fmt.Sprintf("✓ %d secret(s)", len(keys))
	if len(keys) == 0 {
		r.read = "– nothing to read"
	} else if _, err := ve.conn.ByName(ctx, keys[:1]); err != nil {
		return fail(&r.read, err)
	} else {
		r.read = "✓"
	}
	if c.Write {
		if err := write.Probe(ctx, ve.conn, write.Vault{Slug: ve.cfg.Vault.Slug, KMSKey: ve.cfg.Vault.Key}); err != nil {
			r.writes = "✗ " + firstLine(err)
			r.failed = true
		} else {
			r.writes = "✓ create+delete"
		}
	}
	return r
}
