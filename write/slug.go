package write

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Slug is Laravel's Str::slug(s) with its defaults (separator '-',
// language "en", '@' → "at"), which the PHP Keep applies to a vault's slug
// for the VaultSlug tag and the description (sm_two → sm-two), and to the
// app name for keep init's default namespace (Acme Billing.io →
// acme-billingio). In order: transliterate to ASCII, '_' runs → '-', '@'
// → "-at-", lower case, drop everything but letters, digits, '-' and
// whitespace, runs of '-' and whitespace → '-', trim '-'.
//
// It is exact for ASCII. Laravel transliterates through
// voku/portable-ascii; Slug knows the Latin-1 letters (é → e, ß → ss,
// Æ → ae) and drops every other non-ASCII character.
func Slug(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
		} else if r >= 0xC0 && r <= 0xFF {
			b.WriteString(latin1[r-0xC0])
		}
	}
	t := underscores.ReplaceAllString(b.String(), "-")
	t = strings.ToLower(strings.ReplaceAll(t, "@", "-at-"))
	t = notSlug.ReplaceAllString(t, "")
	t = separators.ReplaceAllString(t, "-")
	return strings.Trim(t, "-")
}

var (
	underscores = regexp.MustCompile(`_+`)
	// PCRE's \s, which Go's lacks \v of.
	notSlug    = regexp.MustCompile(`[^-a-z0-9\t\n\v\f\r ]+`)
	separators = regexp.MustCompile(`[-\t\n\v\f\r ]+`)
)

// latin1 is ASCII for U+00C0–U+00FF as voku/portable-ascii gives it for
// English ("" for × and ÷, which are no letters).
var latin1 = [64]string{
	"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
	"D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
}
