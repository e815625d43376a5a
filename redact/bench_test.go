package redact

import (
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"
)

// The throughput claim: a pipe copied through a Writer with 200 secrets'
// forms, against the same pipe copied plainly (go test -bench Pipe).

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

// PipeCopy copies size bytes of text through an os.Pipe into dst, 32 KiB
// at a time, as keep's pump does; the writer end is fed in chunks.
func pipeCopy(tb testing.TB, text []byte, rounds int, dst io.Writer) {
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	go func() {
		for range rounds {
			_, _ = w.Write(text)
		}
		_ = w.Close()
	}()
	buf := make([]byte, chunk)
	if _, err := io.CopyBuffer(dst, r, buf); err != nil {
		tb.Fatal(err)
	}
	_ = r.Close()
}

// onlyWriter hides io.Discard's ReaderFrom, so io.CopyBuffer really copies.
type onlyWriter struct{ io.Writer }

func BenchmarkPipe(b *testing.B) {
	values := benchValues(BenchSecrets)
	text := logText(chunk, values)
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		pipeCopy(b, text, b.N, onlyWriter{io.Discard})
	})
	b.Run("redact-200", func(b *testing.B) {
		w := NewSet(values).NewWriter(io.Discard)
		b.SetBytes(int64(len(text)))
		b.ResetTimer()
		pipeCopy(b, text, b.N, w)
		_ = w.Close()
	})
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

// BenchmarkChunkLatency is what one Write adds, for a 4 KiB chunk (a
// burst of log lines) with 200 values: the median, p99 and worst of
// b.N writes, in µs.
func BenchmarkChunkLatency(b *testing.B) {
	values := benchValues(BenchSecrets)
	text := logText(4<<10, values)
	w := NewSet(values).NewWriter(io.Discard)
	ds := make([]time.Duration, 0, b.N)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		t0 := time.Now()
		_, _ = w.Write(text)
		ds = append(ds, time.Since(t0))
	}
	_ = w.Close()
	slices.Sort(ds)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	b.ReportMetric(us(ds[len(ds)/2]), "p50-µs")
	b.ReportMetric(us(ds[len(ds)*99/100]), "p99-µs")
	b.ReportMetric(us(ds[len(ds)-1]), "max-µs")
}

// BenchmarkNewSet is the cost at keep's start: compiling 200 values.
func BenchmarkNewSet(b *testing.B) {
	values := benchValues(BenchSecrets)
	for b.Loop() {
		NewSet(values)
	}
}
