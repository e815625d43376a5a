package cli

import (
	"os"

	"golang.org/x/term"
)

// ANSI colours for the marks keep prints in tables.
const (
	green  = "32"
	yellow = "33"
	red    = "31"
)

// colorOn: stdout is a terminal and NO_COLOR (https://no-color.org) is
// unset or empty.
var colorOn = term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("NO_COLOR") == ""

// paint colours s when colour is on.
func paint(s, color string) string {
	if !colorOn || s == "" {
		return s
	}
	return "\033[" + color + "m" + s + "\033[0m"
}
