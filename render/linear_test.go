package render_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/keep-run/keep/render"
)

// Parsing is linear in the template's size (issue 18, point 4): 960 KB of
// lines with quotes took 63 s of CPU when every line with a quote made the
// parser read the growing value again from its start.

// quoteLines is a template of about n bytes whose first value opens a quote
// that the many lines after it, each with the other quote, never close;
// closed says whether a final line closes it.
func quoteLines(n int, closed bool) string {
	var b strings.Builder
	b.WriteString("A='start\n")
	for b.Len() < n {
		b.WriteString(`line "with" quotes` + "\n")
	}
	if closed {
		b.WriteString("end'\nB={sm:KEY}\n")
	}
	return b.String()
}

// largeTemplate is a realistic template of about n bytes: placeholders,
// comments, quoted multi-line values with both quotes inside.
func largeTemplate(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString("# section\nV" + itoa(i) + "={sm:KEY_" + itoa(i) + "}\n")
		b.WriteString("M" + itoa(i) + "=\"multi\nline 'quoted' \\\"value\\\"\n${HOME}\"  # c\n")
		b.WriteString("S" + itoa(i) + "='it\"s\nthere'\n")
	}
	return b.String()
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// TestParseTemplateLinear measures bytes allocated, not time: parsing
// allocates a small multiple of the input, whatever the input. Quadratic
// re-parsing of a 200 KB value allocates gigabytes.
func TestParseTemplateLinear(t *testing.T) {
	for name, src := range map[string]string{
		"unterminated quote, lines with quotes": quoteLines(200_000, false),
		"closed after 200 KB":                   quoteLines(200_000, true),
		"a large template":                      largeTemplate(200_000),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _ = render.ParseTemplate("big.env", src)
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 40*uint64(len(src)) {
			t.Errorf("%s: parsing %d bytes allocated %d bytes (%.0f×): not linear", name, len(src), alloc, float64(alloc)/float64(len(src)))
		}
	}
}

// BenchmarkParseTemplate reports ns/op for templates of growing size; the
// time per byte stays flat when parsing is linear:
//
//	go test -run '^$' -bench ParseTemplate -benchmem ./render
func BenchmarkParseTemplate(b *testing.B) {
	for _, size := range []int{100_000, 1_000_000} {
		for name, src := range map[string]string{"quotes": quoteLines(size, true), "template": largeTemplate(size)} {
			b.Run(name+"/"+itoa(size/1000)+"KB", func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					if _, err := render.ParseTemplate("big.env", src); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
