package cli

import (
	"io"
	"strings"

	"github.com/keep-run/keep/redact"
	"github.com/keep-run/keep/render"
)

// redactFilter is the output filter of --redact (nil without it): it masks
// the values of injected, the secret values the command gets. Values too
// short to mask are left alone, and -v names them (never their values).
func (c *RunCmd) redactFilter(injected []render.Var, logf func(string, ...any)) func(io.Writer) io.WriteCloser {
	if !c.Redact {
		return nil
	}
	var values, short []string
	for _, v := range injected {
		switch {
		case v.Value == "":
		case redact.Short(v.Value):
			short = append(short, v.Name)
		default:
			values = append(values, v.Value)
		}
	}
	if len(short) > 0 {
		logf("--redact: not masked, shorter than %d bytes: %s", redact.MinLen, strings.Join(short, ", "))
	}
	set := redact.NewSet(values)
	logf("--redact: masking %d values in %d forms", len(values), set.Forms())
	return func(w io.Writer) io.WriteCloser { return set.NewWriter(w) }
}
