package cli

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
	"github.com/keep-run/keep/write"
)

// copyRate bounds the secrets written per second. Each write is two API
// calls, DescribeSecret and then CreateSecret or PutSecretValue; AWS allows
// 50 write transactions per second for the whole account, so 15 a second
// leaves room for everyone else's.
const copyRate = 15

// copyConcurrency bounds the writes in flight.
const copyConcurrency = 8

// CopyCmd is keep copy.
type CopyCmd struct {
	Key  string `arg:"" optional:"" help:"The secret's KEY (or use --only/--except for several)."`
	From string `required:"" placeholder:"CONTEXT" help:"Source: env, or vault:env."`
	To   string `required:"" placeholder:"CONTEXT" help:"Destination: env, or vault:env."`
	ExplicitFilterFlags
	Overwrite bool   `help:"Replace secrets that exist in the destination."`
	DryRun    bool   `name:"dry-run" help:"Print the plan (names only) and write nothing."`
	Format    string `enum:"text,json" default:"text" help:"How to print the plan: text or json."`
	AWSFlags
	TimeoutFlag `set:"timeout=5m" set:"deadline_of=the whole copy"`
}

// Help is the detail shown by keep copy --help.
func (c *CopyCmd) Help() string {
	return `Copies values. A secret new in the destination gets the destination's own
tags (its Environment, VaultSlug and Scope); an existing one (--overwrite)
gets the new value only, its tags untouched, and is refused when its tags
place it in another environment. Nothing is written when a destination
secret exists and --overwrite is not given. Many keys are written
concurrently, within the Secrets Manager write quota; if some fail, keep
lists exactly which keys were copied and which were not.

Examples:
  keep copy DB_PASSWORD --from=staging --to=production
  keep copy --only='DB_*' --from=staging --to=production --dry-run
  keep copy API_KEY --from=legacy:production --to=secretsmanager:production`
}

// Run copies.
func (c *CopyCmd) Run(g *Globals) error {
	filter, err := c.filter()
	if err != nil {
		return err
	}
	switch {
	case c.Key != "" && !filter.IsZero():
		return &Error{Msg: "give a KEY or --only/--except, not both", Help: "keep copy KEY --from=… --to=…, or keep copy --only='DB_*' --from=… --to=…"}
	case c.Key == "" && filter.IsZero():
		return &Error{Msg: "nothing to copy", Help: "give a KEY, or select several with --only/--except"}
	}
	from, to := parseContext(c.From), parseContext(c.To)
	o, err := newOpener(c.AWSFlags, g)
	if err != nil {
		return err
	}
	ctx, cancel, err := c.deadline(context.Background())
	if err != nil {
		return err
	}
	defer cancel()
	src, err := o.open(ctx, from)
	if err != nil {
		return err
	}
	dst, err := o.open(ctx, to)
	if err != nil {
		return err
	}
	if src.conn.Target == dst.conn.Target && src.conn.Region == dst.conn.Region {
		return &Error{Msg: "source and destination are the same", Help: "nothing to copy"}
	}

	secrets, err := c.source(ctx, src, filter)
	if err != nil {
		return err
	}
	// Every name taken, not only keep's secrets of the destination: without
	// --overwrite, a mistagged secret there must not be written over either.
	existing, err := dst.conn.Occupied(ctx)
	if err != nil {
		return err
	}
	var clash []string
	for _, s := range secrets {
		if slices.Contains(existing, s.Key) {
			clash = append(clash, s.Key)
		}
	}
	if err := c.printPlan(secrets, existing, src, dst); err != nil {
		return err
	}
	// A dry run fails as the copy would: its exit status answers "would
	// this copy work?".
	if len(clash) > 0 && !c.Overwrite {
		outcome := "nothing was copied"
		if c.DryRun {
			outcome = "the copy would fail (--dry-run: nothing was written)"
		}
		return &Error{
			Msg:  fmt.Sprintf("%d secret(s) exist in %s: %s; %s", len(clash), dst.conn.Target, strings.Join(clash, ", "), outcome),
			Help: "pass --overwrite to replace them",
		}
	}
	if c.DryRun {
		if c.Overwrite {
			return wouldOverwrite(ctx, dst, clash)
		}
		return nil
	}
	return c.write(ctx, secrets, dst)
}

// wouldOverwrite is --dry-run --overwrite's answer: an error naming each
// of the existing secrets keys of dst that the copy would fail to update,
// and why; nil when it could update them all.
func wouldOverwrite(ctx context.Context, dst *vaultEnv, keys []string) error {
	var refused []string
	for _, key := range keys {
		if err := write.CheckUpdate(ctx, dst.conn, key); err != nil {
			refused = append(refused, fmt.Sprintf("%s (%v)", key, err))
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return &Error{
		Msg:  fmt.Sprintf("the copy would fail for %d secret(s) of %s (--dry-run: nothing was written): %s", len(refused), dst.conn.Target, strings.Join(refused, "; ")),
		Help: "fix the reason, or leave those keys out with --except",
	}
}

// source reads the secrets to copy.
func (c *CopyCmd) source(ctx context.Context, src *vaultEnv, filter render.Filter) ([]fetch.Secret, error) {
	if c.Key != "" {
		named, err := src.conn.ByName(ctx, []string{c.Key})
		if err != nil {
			return nil, err
		}
		s, ok := named.Secrets[c.Key]
		if !ok {
			return nil, &Error{Msg: fmt.Sprintf("%s not found", src.conn.Target.SecretName(c.Key)), Help: "check the KEY and --from; keep show lists the secrets"}
		}
		return []fetch.Secret{s}, nil
	}
	res, err := src.conn.List(ctx, filter.Match)
	if err != nil {
		return nil, err
	}
	if len(res.Secrets) == 0 {
		return nil, &Error{Msg: fmt.Sprintf("no secrets in %s match %s", src.conn.Target, filter), Help: "keep show --env=… lists the secrets"}
	}
	return res.Secrets, nil
}

func (c *CopyCmd) printPlan(secrets []fetch.Secret, existing []string, src, dst *vaultEnv) error {
	type step struct {
		Key    string `json:"key"`
		Action string `json:"action"` // create, overwrite, or exists (refused)
	}
	var plan []step
	for _, s := range secrets {
		action := "create"
		if slices.Contains(existing, s.Key) {
			action = "exists"
			if c.Overwrite {
				action = "overwrite"
			}
		}
		plan = append(plan, step{s.Key, action})
	}
	if c.Format == "json" {
		return printJSON(struct {
			From   string `json:"from"`
			To     string `json:"to"`
			DryRun bool   `json:"dry_run"`
			Plan   []step `json:"plan"`
		}{src.conn.Target.String(), dst.conn.Target.String(), c.DryRun, plan})
	}
	fmt.Printf("Copy %d secret(s) from %s (%s) to %s (%s):\n", len(secrets), src.conn.Target, src.conn.Region, dst.conn.Target, dst.conn.Region)
	for _, p := range plan {
		fmt.Printf("  %-9s %s\n", p.Action, p.Key)
	}
	return nil
}

// write copies secrets into dst concurrently, at most copyRate a second,
// and reports which were copied and which were not.
func (c *CopyCmd) write(ctx context.Context, secrets []fetch.Secret, dst *vaultEnv) error {
	vault, err := writeVault(dst.cfg.Vault)
	if err != nil {
		return err
	}
	tick := time.NewTicker(time.Second / copyRate)
	defer tick.Stop()
	progress := newProgress("copying", len(secrets))
	var (
		mu     sync.Mutex
		copied []string
		failed = map[string]error{}
	)
	var g errgroup.Group // each write reports its own error; none stops the others
	g.SetLimit(copyConcurrency)
	for _, s := range secrets {
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
		g.Go(func() error {
			_, err := write.Set(ctx, dst.conn, vault, s.Key, s.Value)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed[s.Key] = err
			} else {
				copied = append(copied, s.Key)
			}
			progress.step()
			return nil
		})
	}
	_ = g.Wait()
	progress.done()
	sort.Strings(copied)
	if len(failed) == 0 {
		if c.Format != "json" {
			fmt.Printf("Copied %d secret(s) to %s\n", len(copied), dst.conn.Target)
		}
		return nil
	}
	var lines []string
	for _, s := range secrets {
		if err, ok := failed[s.Key]; ok {
			lines = append(lines, fmt.Sprintf("%s (%v)", s.Key, err))
		}
	}
	sort.Strings(lines)
	return &Error{
		Msg: fmt.Sprintf("copied %d of %d secret(s) to %s: %s; NOT copied: %s",
			len(copied), len(secrets), dst.conn.Target, listOrNone(copied), strings.Join(lines, "; ")),
		Help: "fix the cause and run the copy again with --overwrite for the keys not copied",
	}
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
