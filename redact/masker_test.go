package redact

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// reference masks text with patterns the slow, obvious way: mark every
// byte inside any occurrence (overlapping ones too), then turn each run
// of marked bytes into one Mask.
func reference(patterns []string, text []byte) []byte {
	covered := make([]bool, len(text))
	for _, p := range patterns {
		if p == "" {
			continue
		}
		for from := 0; ; {
			i := bytes.Index(text[from:], []byte(p))
			if i < 0 {
				break
			}
			for j := from + i; j < from+i+len(p); j++ {
				covered[j] = true
			}
			from += i + 1
		}
	}
	var out []byte
	for i := 0; i < len(text); i++ {
		if !covered[i] {
			out = append(out, text[i])
			continue
		}
		out = append(out, Mask...)
		for i+1 < len(text) && covered[i+1] {
			i++
		}
	}
	return out
}

// stream writes text to a new Masker of m in pieces cut at cuts (offsets,
// any order, out of range ignored), then flushes, and returns the output.
// It checks the hold-back bound after each piece.
func stream(t testing.TB, m *matcher, maxLen int, text []byte, cuts []int) []byte {
	k := &Masker{m: m}
	var out []byte
	prev := 0
	pieces := append(append([]int(nil), cuts...), len(text))
	for _, c := range sortedIn(pieces, len(text)) {
		out = k.Write(out, text[prev:c])
		prev = c
		if k.Held() > max(0, maxLen-1) {
			t.Fatalf("holds %d bytes back, longest pattern %d", k.Held(), maxLen)
		}
	}
	return k.Flush(out)
}

func sortedIn(cuts []int, n int) []int {
	var out []int
	for _, c := range cuts {
		if c >= 0 && c <= n {
			out = append(out, c)
		}
	}
	for i := 1; i < len(out); i++ { // insertion sort: few cuts
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func longest(patterns []string) int {
	n := 0
	for _, p := range patterns {
		n = max(n, len(p))
	}
	return n
}

func TestMaskerTable(t *testing.T) {
	for _, tc := range []struct {
		name     string
		patterns []string
		text     string
		want     string
	}{
		{"none", []string{"secret"}, "nothing here", "nothing here"},
		{"one", []string{"secret"}, "a secret b", "a ***** b"},
		{"start and end", []string{"secret"}, "secretXsecret", "*****X*****"},
		{"adjacent merge", []string{"secret"}, "secretsecret", "*****"},
		{"overlap", []string{"abcd", "cdef"}, "xabcdefx", "x*****x"},
		{"inner shorter", []string{"bc", "abcd"}, "abcdz", "*****z"},
		{"prefix of another", []string{"abc", "abcdef"}, "abcde", "*****de"},
		{"repeat", []string{"aaaa"}, "aaaaaaa", "*****"},
		{"near miss", []string{"secret"}, "secre secrt", "secre secrt"},
		{"binary", []string{"\x00\xff\x00\xff"}, "a\x00\xff\x00\xffb", "a*****b"},
		{"empty text", []string{"abc"}, "", ""},
		{"no patterns", nil, "abc", "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMatcher(tc.patterns)
			if got := string(reference(tc.patterns, []byte(tc.text))); got != tc.want {
				t.Fatalf("reference gives %q, want %q", got, tc.want)
			}
			for cut := 0; cut <= len(tc.text); cut++ {
				for cut2 := cut; cut2 <= len(tc.text); cut2++ {
					got := string(stream(t, m, longest(tc.patterns), []byte(tc.text), []int{cut, cut2}))
					if got != tc.want {
						t.Fatalf("cut at %d, %d: %q, want %q", cut, cut2, got, tc.want)
					}
				}
			}
		})
	}
}

// Every split of the input gives the reference output, over random
// patterns and texts from a small alphabet (so that occurrences, overlaps
// and near misses are frequent), with dense rows for all, some or none of
// the states beyond the root.
func TestMaskerRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc"[r.IntN(3)]
		}
		return string(b)
	}
	for range 2000 {
		var patterns []string
		for range 1 + r.IntN(6) {
			patterns = append(patterns, word(1+r.IntN(6)))
		}
		text := []byte(word(r.IntN(60)))
		want := reference(patterns, text)
		for _, budget := range []uint32{1, 16, denseBudget} {
			m := build(patterns, budget)
			var cuts []int
			for range r.IntN(8) {
				cuts = append(cuts, r.IntN(len(text)+1))
			}
			if got := stream(t, m, longest(patterns), text, cuts); !bytes.Equal(got, want) {
				t.Fatalf("patterns %q, text %q, cuts %v, budget %d:\n got %q\nwant %q", patterns, text, cuts, budget, got, want)
			}
		}
	}
}

func TestMaskerHoldsBackOnlyWhatMayBeginAValue(t *testing.T) {
	m := newMatcher([]string{"secret"})
	k := &Masker{m: m}
	if out := k.Write(nil, []byte("line one\nthe sec")); string(out) != "line one\nthe " {
		t.Errorf("wrote %q, want everything but %q", out, "sec")
	}
	if k.Held() != 3 {
		t.Errorf("holds %d bytes, want 3", k.Held())
	}
	if out := k.Write(nil, []byte("ret\n")); string(out) != Mask+"\n" {
		t.Errorf("wrote %q, want the mask", out)
	}
	if out := k.Write(nil, []byte("secretx")); string(out) != Mask+"x" {
		t.Errorf("wrote %q: a complete value with nothing that can follow must not be held", out)
	}
}

// Flush gives up holding: the held bytes go out, and a value completed
// after it is masked from the flush point on.
func TestMaskerFlush(t *testing.T) {
	m := newMatcher([]string{"secret", "cr"})
	k := &Masker{m: m}
	out := k.Write(nil, []byte("a sec"))
	out = k.Flush(out)
	if string(out) != "a sec" {
		t.Fatalf("flush wrote %q, want %q", out, "a sec")
	}
	out = k.Write(out, []byte("ret b"))
	out = k.Flush(out)
	if string(out) != "a sec"+Mask+" b" {
		t.Fatalf("got %q, want the rest of the value masked", out)
	}
	// A covered run that was out already is not masked twice.
	k = &Masker{m: m}
	out = k.Write(nil, []byte("xcr"))
	out = k.Flush(out)
	out = k.Write(out, []byte("cr"))
	out = k.Flush(out)
	if string(out) != "x"+Mask {
		t.Fatalf("got %q, want one mask for one run", out)
	}
}

func TestMaskerLongStream(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var values []string
	for range 200 {
		values = append(values, randomSecret(r, 32))
	}
	s := NewSet(values)
	var forms []string
	for _, v := range values {
		forms = append(forms, Forms(v)...)
	}
	var text bytes.Buffer
	for text.Len() < 1<<20 {
		b := make([]byte, 1+r.IntN(4000))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		text.Write(b)
		v := values[r.IntN(len(values))]
		fs := Forms(v)
		text.WriteString(fs[r.IntN(len(fs))])
	}
	want := reference(forms, text.Bytes())
	var cuts []int
	for range 300 {
		cuts = append(cuts, r.IntN(text.Len()))
	}
	if got := stream(t, s.m, s.MaxHold()+1, text.Bytes(), cuts); !bytes.Equal(got, want) {
		t.Fatalf("1 MiB of binary with forms of 200 values: output differs from the reference (lengths %d, %d)", len(got), len(want))
	}
	for _, v := range values {
		if bytes.Contains(want, []byte(v)) {
			t.Fatalf("a value survives masking (length %d)", len(v))
		}
	}
}

func randomSecret(r *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-!@#%"
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// FuzzMasker: whatever the patterns, the text and the split, the output is
// the text with every occurrence masked.
func FuzzMasker(f *testing.F) {
	f.Add("secret\x00cret", []byte("a secret and cret"), uint64(3))
	f.Add("aaaa", []byte("aaaaaaaaa"), uint64(0xffff))
	f.Add("abcd\x00cdef\x00bc", []byte("xabcdefabcd"), uint64(12345))
	f.Fuzz(func(t *testing.T, pats string, text []byte, seed uint64) {
		patterns := strings.Split(pats, "\x00")
		if len(patterns) > 16 || len(text) > 4096 {
			return
		}
		r := rand.New(rand.NewPCG(seed, seed))
		var cuts []int
		for range r.IntN(10) {
			cuts = append(cuts, r.IntN(len(text)+1))
		}
		want := reference(patterns, text)
		for _, budget := range []uint32{1, denseBudget} {
			if got := stream(t, build(patterns, budget), longest(patterns), text, cuts); !bytes.Equal(got, want) {
				t.Fatalf("patterns %q text %q cuts %v budget %d:\n got %q\nwant %q", patterns, text, cuts, budget, got, want)
			}
		}
	})
}
