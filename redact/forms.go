package redact

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MinLen is the length, in bytes, of the shortest value masked, and of
// the shortest form: shorter strings occur by chance in ordinary output.
const MinLen = 4

// Set is the compiled forms of some values, ready to mask streams.
type Set struct {
	m     *matcher
	forms int
	max   int
}

// NewSet compiles the forms of values; values shorter than MinLen are
// left out (see Short).
func NewSet(values []string) *Set {
	seen := map[string]bool{}
	var forms []string
	longest := 0
	for _, v := range values {
		for _, f := range Forms(v) {
			if !seen[f] {
				seen[f] = true
				forms = append(forms, f)
				longest = max(longest, len(f))
			}
		}
	}
	return &Set{m: newMatcher(forms), forms: len(forms), max: longest}
}

// Short reports whether value is too short to be masked.
func Short(value string) bool { return len(value) < MinLen }

// Forms is how many distinct byte strings the Set masks; MaxHold, the most
// bytes a Masker of it holds back (the longest form's length minus one).
func (s *Set) Forms() int   { return s.forms }
func (s *Set) MaxHold() int { return max(0, s.max-1) }

// Masker returns a new Masker for one stream.
func (s *Set) Masker() *Masker { return &Masker{m: s.m} }

// Forms returns the byte strings that show value, each at least MinLen
// long; none when value itself is shorter. See the package doc for the
// list.
func Forms(value string) []string {
	if Short(value) {
		return nil
	}
	var out []string
	add := func(f string) {
		if len(f) >= MinLen {
			out = append(out, f)
		}
	}
	add(value)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		add(enc.EncodeToString([]byte(value)))
		for shift := range 3 {
			add(base64Inner(enc, value, shift))
		}
	}
	add(url.QueryEscape(value))
	add(url.PathEscape(value))
	add(strings.ReplaceAll(url.QueryEscape(value), "+", "%20")) // encodeURIComponent
	for _, style := range jsonStyles {
		add(jsonEscape(value, style))
	}
	if strings.Contains(value, "\n") {
		for _, line := range strings.Split(value, "\n") {
			add(strings.TrimSuffix(line, "\r"))
		}
	}
	return out
}

// base64Inner is the part of the base64 of value that is the same
// whatever comes before and after it, when value starts shift bytes
// (mod 3) into the encoded text: the characters that take bits only from
// value.
func base64Inner(enc *base64.Encoding, value string, shift int) string {
	buf := make([]byte, shift+len(value))
	copy(buf[shift:], value)
	s := enc.WithPadding(base64.NoPadding).EncodeToString(buf)
	// Character i holds bits [6i, 6i+6): skip those that hold a bit of
	// the shift bytes, and a last one that would hold bits of what follows.
	first := (8*shift + 5) / 6
	last := 8 * len(buf) / 6
	if first >= last {
		return ""
	}
	return s[first:last]
}

// jsonStyle is one way programs escape a string in JSON.
type jsonStyle struct {
	html   bool // <, > and & as \u003c… (Go's encoding/json)
	ascii  bool // everything outside ASCII as \uXXXX (Python, PHP)
	slash  bool // / as \/ (PHP)
	upperU bool // \uXXXX in upper case hex
}

var jsonStyles = []jsonStyle{
	{},                         // JavaScript, Go with SetEscapeHTML(false)
	{html: true},               // Go
	{ascii: true},              // Python
	{ascii: true, slash: true}, // PHP
	{ascii: true, upperU: true},
}

// jsonEscape is value as the inside of a JSON string, in style.
func jsonEscape(value string, style jsonStyle) string {
	plain := true
	for i := 0; i < len(value) && plain; i++ {
		c := value[i]
		plain = c >= 0x20 && c < 0x80 && !strings.ContainsRune(`"\\/<>&`, rune(c))
	}
	if plain {
		return value
	}
	var b strings.Builder
	b.Grow(len(value) + 16)
	u := func(r rune) {
		if style.upperU {
			fmt.Fprintf(&b, `\u%04X`, r)
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	for i := 0; i < len(value); {
		r, size := utf8.DecodeRuneInString(value[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			u(r)
		case r == '/' && style.slash:
			b.WriteString(`\/`)
		case (r == '<' || r == '>' || r == '&') && style.html:
			u(r)
		case (r == '\u2028' || r == '\u2029') && style.html:
			u(r)
		case r == utf8.RuneError && size == 1:
			b.WriteByte(value[i-1]) // not UTF-8: no encoder agrees, keep the byte
		case r >= 0x80 && style.ascii:
			if r > 0xFFFF {
				r -= 0x10000
				u(0xD800 + (r >> 10))
				u(0xDC00 + (r & 0x3FF))
			} else {
				u(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
