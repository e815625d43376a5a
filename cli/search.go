package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"golang.org/x/term"

	"github.com/keep-run/keep/render"
)

// SearchCmd is keep search.
type SearchCmd struct {
	secretFlags
	Query         *string `arg:"" optional:"" help:"The text to look for; omitted, it is read from stdin (hidden on a terminal), so that an old password stays out of shell history."`
	Unmask        bool    `help:"Show the values in full."`
	CaseSensitive bool    `name:"case-sensitive" help:"Match case exactly (default: ignore case)."`
	Format        string  `enum:"table,json" default:"table" help:"table or json."`
	FilterFlags
}

// Help is the detail of keep search --help.
func (c *SearchCmd) Help() string {
	return `Lists the secrets whose value contains the text: masked, with where it
matches (characters, counted from 1) rather than what surrounds it. The text
itself is never printed. Exits 1 when no secret contains it, as grep does.
With --format=json, "at" lists the matches' offsets counted from 0.

Examples:
  keep search --env=production            # asks for the text, hidden
  printf %s "$OLD_PASSWORD" | keep search --env=production --only='DB_*'
  keep search legacy-host --env=staging --case-sensitive --format=json`
}

// searchHit is a secret whose value contains the query.
type searchHit struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	Revision string `json:"revision"`
	// At are the 0-based character offsets of the matches; Length the
	// value's length in characters.
	At       []int `json:"at"`
	Length   int   `json:"length"`
	queryLen int
}

// Run lists the matching secrets.
func (c *SearchCmd) Run(g *Globals) error {
	filter, err := c.filter()
	if err != nil {
		return err
	}
	query, err := c.readQuery(g)
	if err != nil {
		return err
	}
	return c.withVault(g, nil, func(ctx context.Context, ve *vaultEnv) error {
		res, err := ve.conn.List(ctx, filter.Match)
		if err != nil {
			return err
		}
		hits := []searchHit{}
		for _, s := range res.Secrets {
			at, n := matches(s.Value, query, c.CaseSensitive)
			if len(at) == 0 {
				continue
			}
			v := render.Mask(s.Value)
			if c.Unmask {
				v = s.Value
			}
			hits = append(hits, searchHit{Key: s.Key, Value: v, Revision: s.VersionID, At: at, Length: n, queryLen: len([]rune(query))})
		}
		if c.Format == "json" {
			if err := printJSON(hits); err != nil {
				return err
			}
		} else if len(hits) > 0 {
			w := newTable()
			fmt.Fprintln(w, "KEY\tVALUE\tMATCH")
			for _, h := range hits {
				fmt.Fprintf(w, "%s\t%s\t%s\n", h.Key, oneLineValue(h.Value), where(h))
			}
			if err := w.Flush(); err != nil {
				return err
			}
		}
		if len(hits) == 0 {
			return answer{fmt.Sprintf("no secret of %s (%d searched) contains the text", ve.conn.Target, len(res.Secrets))}
		}
		return nil
	})
}

// where says where h matched: "chars 5-12 of 40", and how many more.
func where(h searchHit) string {
	s := fmt.Sprintf("chars %d-%d of %d", h.At[0]+1, h.At[0]+h.queryLen, h.Length)
	if more := len(h.At) - 1; more > 0 {
		s += fmt.Sprintf(" (+%d more)", more)
	}
	return s
}

// readQuery is the QUERY argument, or stdin: hidden on a terminal, one
// line from a pipe (its line end dropped).
func (c *SearchCmd) readQuery(g *Globals) (string, error) {
	q := ""
	switch p := g.prompter(); {
	case c.Query != nil:
		q = *c.Query
	case p.interactive:
		s, err := p.secret("TEXT", "Text to search for")
		if err != nil {
			return "", err
		}
		q = s
	case g.NoInteraction && term.IsTerminal(int(os.Stdin.Fd())):
		return "", &Error{Msg: "missing the text to search for", Help: "pass it as the argument, or pipe it on stdin: keep search --env=E < file"}
	default:
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
		if err != nil {
			return "", fmt.Errorf("read the text from stdin: %w", err)
		}
		q = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	}
	if q == "" {
		return "", &Error{Msg: "the text to search for is empty", Help: "every value contains the empty text; keep show lists them all"}
	}
	return q, nil
}

// matches are the character offsets of query in value, non-overlapping,
// and value's length in characters. Without caseSensitive, each character
// is compared by its lower case.
func matches(value, query string, caseSensitive bool) (at []int, n int) {
	v, q := []rune(value), []rune(query)
	if !caseSensitive {
		v, q = lower(v), lower(q)
	}
	for i := 0; i+len(q) <= len(v); {
		if string(v[i:i+len(q)]) == string(q) {
			at = append(at, i)
			i += len(q)
			continue
		}
		i++
	}
	return at, len(v)
}

func lower(rs []rune) []rune {
	out := make([]rune, len(rs))
	for i, r := range rs {
		out[i] = unicode.ToLower(r)
	}
	return out
}
