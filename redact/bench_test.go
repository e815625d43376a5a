package redact

import (
	"math/rand/v2"
	"testing"
)

// The masking alone, and compiling the forms; the claim against a plain
// pipe copy is measured in bench/redact_test.go.

const chunk = 32 << 10

// BenchSecrets is how many values the benchmarks mask.
const BenchSecrets = 200

// benchValues are n random values of 40 bytes, like API tokens.
func benchValues(n int) []string {
	r := rand.New(rand.NewPCG(7, 8))
	var out []string
	for range n {
		out = append(out, randomSecret(r, 40))
	}
	return out
}

// logText is size bytes of log-like lines: words of letters and digits,
// the bytes every form is made of, with a value in about one line in 100.
func logText(size int, values []string) []byte {
	r := rand.New(rand.NewPCG(9, 10))
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]byte, 0, size+100)
	for len(out) < size {
		for w := 0; w < 12; w++ {
			for range 1 + r.IntN(9) {
				out = append(out, letters[r.IntN(len(letters))])
			}
			out = append(out, ' ')
		}
		if r.IntN(100) == 0 {
			out = append(out, values[r.IntN(len(values))]...)
		}
		out = append(out, '\n')
	}
	return out[:size]
}

// BenchmarkMasker is the masking alone, no pipe.
func BenchmarkMasker(b *testing.B) {
	values := benchValues(BenchSecrets)
	for _, tc := range []struct {
		name string
		text []byte
	}{
		{"log", logText(chunk, values)},
		{"binary", randomBytes(chunk)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			k := NewSet(values).Masker()
			out := make([]byte, 0, 2*chunk)
			b.SetBytes(int64(len(tc.text)))
			for b.Loop() {
				out = k.Write(out[:0], tc.text)
			}
		})
	}
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(11, 12))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// BenchmarkNewSet is the cost at keep's start: compiling 200 values.
func BenchmarkNewSet(b *testing.B) {
	values := benchValues(BenchSecrets)
	for b.Loop() {
		NewSet(values)
	}
}
