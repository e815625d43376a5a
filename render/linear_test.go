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

// TestParseTemplateLinear measures bytes allocated, not time: parsing 4×
// the input allocates about 4× as much (quadratic re-parsing: 16×),
// whatever the build (-race allocates more, but in proportion).
func TestParseTemplateLinear(t *testing.T) {
	for name, gen := range map[string]func(int) string{
		"unterminated quote, lines with quotes": func(n int) string { return quoteLines(n, false) },
		"closed after the lines":                func(n int) string { return quoteLines(n, true) },
		"a large template":                      largeTemplate,
	} {
		small, large := allocated(gen(50_000)), allocated(gen(200_000))
		if ratio := float64(large) / float64(small); ratio > 8 {
			t.Errorf("%s: 4× the input allocated %.1f× the bytes (%d, then %d): not linear", name, ratio, small, large)
		}
	}
}

// allocated is the bytes that parsing src allocates.
func allocated(src string) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _ = render.ParseTemplate("big.env", src)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
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
