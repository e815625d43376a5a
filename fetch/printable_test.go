package fetch

import "testing"

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"myapp/production/DB_PASSWORD": "myapp/production/DB_PASSWORD",
		"café ☕ a b":                   "café ☕ a b",
		"x\nkeep: forged line":         `x\nkeep: forged line`,
		"\x1b[31mred\x1b[0m":           `\x1b[31mred\x1b[0m`,
		"a\rb\tc\x00d\x7f":             `a\rb\tc\x00d\x7f`,
		"evil\u202etxt.exe":            `evil\u202etxt.exe`,
		"bad\xffutf8":                  `bad\xffutf8`,
		"\u0085next line":              `\u0085next line`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
