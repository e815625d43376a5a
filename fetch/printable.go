package fetch

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable is s from outside keep — a secret's name, an error code or
// message from the endpoint — made safe to show on a terminal: every
// character that is not printable (newlines, escape sequences, other
// control and format characters such as bidirectional overrides) and
// every invalid UTF-8 byte is written as a Go escape (\n, \x1b, \u202e),
// so that an endpoint cannot forge a "keep:" line or recolour the
// screen. Printable text, spaces included, is kept as it is.
func Printable(s string) string {
	if isPrintable(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x` + strconv.FormatUint(uint64(s[i])>>4, 16) + strconv.FormatUint(uint64(s[i])&15, 16))
		case r == ' ' || unicode.IsPrint(r):
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRuneToASCII(r) // '\n', '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

func isPrintable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r != ' ' && !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
