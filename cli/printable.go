package cli

import (
	"bytes"
	"io"

	"github.com/keep-run/keep/fetch"
)

// printableLines writes each line it is given with the characters that
// are not printable escaped (fetch.Printable), keeping only the final
// newline: a -v line quotes secret names from the endpoint, which must
// not be able to forge a line of keep's own or send escape sequences to
// the terminal.
type printableLines struct{ w io.Writer }

func (p printableLines) Write(b []byte) (int, error) {
	line, nl := bytes.CutSuffix(b, []byte("\n"))
	out := fetch.Printable(string(line))
	if nl {
		out += "\n"
	}
	if _, err := io.WriteString(p.w, out); err != nil {
		return 0, err
	}
	return len(b), nil
}
