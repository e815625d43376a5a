package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/keep-run/keep/render"
)

// DiffCmd is keep diff.
type DiffCmd struct {
	Env   string `short:"e" required:"" placeholder:"LIST" help:"Environments to compare, comma-separated; vault:env names a vault too."`
	Vault string `placeholder:"LIST" help:"Vaults to compare, comma-separated (default: the default vault)."`
	AWSFlags
	Unmask bool `help:"Show values in full."`
	ExplicitFilterFlags
	Format   string `enum:"table,json" default:"table" help:"table or json."`
	ExitCode bool   `name:"exit-code" help:"Exit 1 when the contexts differ (for CI)."`
	TimeoutFlag
}

// Help is the detail shown by keep diff --help.
func (c *DiffCmd) Help() string {
	return `Fetches every context at once and prints a row per KEY: its value in each
context (masked unless --unmask) and whether they are identical, different,
or missing somewhere.

Examples:
  keep diff --env=staging,production
  keep diff --env=production --vault=legacy,secretsmanager
  keep diff --env=staging,production --only='DB_*' --exit-code`
}

// Diff statuses.
const (
	statusIdentical  = "identical"
	statusDifferent  = "different"
	statusIncomplete = "incomplete" // missing in some contexts
)

// Run fetches every context at once and prints the matrix.
func (c *DiffCmd) Run(g *Globals) error {
	filter, err := c.filter()
	if err != nil {
		return err
	}
	refs := contexts(c.Env, c.Vault)
	if len(refs) < 2 {
		return &Error{Msg: "diff needs at least two contexts", Help: "e.g. --env=staging,production, or --env=production --vault=a,b"}
	}
	o, err := newOpener(c.AWSFlags, g)
	if err != nil {
		return err
	}
	ctx, cancel, err := c.deadline(context.Background())
	if err != nil {
		return err
	}
	defer cancel()

	values := make([]map[string]string, len(refs)) // per context: KEY → value
	stop := spin(fmt.Sprintf("fetching %d contexts", len(refs)))
	defer stop()
	g2, gctx := errgroup.WithContext(ctx)
	for i, ref := range refs {
		g2.Go(func() error {
			ve, err := o.open(gctx, ref)
			if err != nil {
				return err
			}
			res, err := ve.conn.List(gctx, filter.Match)
			if err != nil {
				return err
			}
			values[i] = map[string]string{}
			for _, s := range res.Secrets {
				values[i][s.Key] = s.Value
			}
			return nil
		})
	}
	err = g2.Wait()
	stop()
	if err != nil {
		return err
	}
	rows := diffRows(values)
	if c.Format == "json" {
		err = c.printJSON(refs, rows, values)
	} else {
		err = c.printTable(refs, rows, values)
	}
	if err != nil {
		return err
	}
	if c.ExitCode {
		for _, r := range rows {
			if r.status != statusIdentical {
				return answer{"the contexts differ"}
			}
		}
	}
	return nil
}

type diffRow struct {
	key    string
	status string
}

// diffRows compares each KEY across the contexts, sorted by KEY.
func diffRows(values []map[string]string) []diffRow {
	keys := map[string]bool{}
	for _, vs := range values {
		for k := range vs {
			keys[k] = true
		}
	}
	var rows []diffRow
	for k := range keys {
		status := statusIdentical
		first, seen := "", false
		for _, vs := range values {
			v, ok := vs[k]
			switch {
			case !ok:
				status = statusIncomplete
			case !seen:
				first, seen = v, true
			case v != first && status == statusIdentical:
				status = statusDifferent
			}
		}
		rows = append(rows, diffRow{key: k, status: status})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].key < rows[j].key })
	return rows
}

func (c *DiffCmd) show(v string) string {
	if c.Unmask {
		return oneLineValue(v)
	}
	return render.Mask(v)
}

func (c *DiffCmd) printTable(refs []contextRef, rows []diffRow, values []map[string]string) error {
	w := newTable()
	head := []string{"KEY"}
	for _, r := range refs {
		head = append(head, r.String())
	}
	fmt.Fprintln(w, strings.Join(append(head, "STATUS"), "\t"))
	counts := map[string]int{}
	for _, row := range rows {
		cells := []string{row.key}
		for i := range refs {
			if v, ok := values[i][row.key]; ok {
				cells = append(cells, "✓ "+c.show(v))
			} else {
				cells = append(cells, "—")
			}
		}
		fmt.Fprintln(w, strings.Join(append(cells, paint(row.status, statusColor[row.status])), "\t"))
		counts[row.status]++
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("\n%d secrets: %d identical, %d different, %d missing somewhere\n",
		len(rows), counts[statusIdentical], counts[statusDifferent], counts[statusIncomplete])
	return nil
}

func (c *DiffCmd) printJSON(refs []contextRef, rows []diffRow, values []map[string]string) error {
	type secret struct {
		Key    string             `json:"key"`
		Values map[string]*string `json:"values"`
		Status string             `json:"status"`
	}
	out := struct {
		Contexts []string `json:"contexts"`
		Secrets  []secret `json:"secrets"`
	}{Secrets: []secret{}}
	for _, r := range refs {
		out.Contexts = append(out.Contexts, r.String())
	}
	for _, row := range rows {
		s := secret{Key: row.key, Values: map[string]*string{}, Status: row.status}
		for i, r := range refs {
			if v, ok := values[i][row.key]; ok {
				shown := c.show(v)
				if c.Unmask {
					shown = v
				}
				s.Values[r.String()] = &shown
			} else {
				s.Values[r.String()] = nil
			}
		}
		out.Secrets = append(out.Secrets, s)
	}
	return printJSON(out)
}

var statusColor = map[string]string{statusIdentical: green, statusDifferent: yellow, statusIncomplete: red}
