package redact

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that a timer may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestWriterMasksAcrossWrites(t *testing.T) {
	var dst syncBuffer
	w := NewSet([]string{"hunter22"}).NewWriter(&dst)
	for _, p := range []string{"pass=hun", "ter", "22\n"} {
		if n, err := w.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := dst.String(); got != "pass="+Mask+"\n" {
		t.Errorf("got %q", got)
	}
}

// A pause flushes what is held, without a Close: no line is held hostage.
func TestWriterFlushesWhenInputPauses(t *testing.T) {
	var dst syncBuffer
	w := NewSet([]string{"hunter22"}).NewWriter(&dst)
	_, _ = w.Write([]byte("prompt> hun"))
	if got := dst.String(); got != "prompt> " {
		t.Fatalf("before the pause: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second) // a hang guard, not a measurement
	for dst.String() != "prompt> hun" {
		if time.Now().After(deadline) {
			t.Fatalf("held bytes never flushed: %q", dst.String())
		}
		time.Sleep(time.Millisecond)
	}
	_ = w.Close()
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("broken pipe")
}

func TestWriterReturnsTheFirstError(t *testing.T) {
	f := &failWriter{}
	w := NewSet([]string{"hunter22"}).NewWriter(f)
	if _, err := w.Write([]byte("a\n")); err == nil {
		t.Fatal("no error from a failing writer")
	}
	if _, err := w.Write([]byte("b\n")); err == nil || f.n != 1 {
		t.Fatalf("second Write: %v after %d writes, want the first error and no new write", err, f.n)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close hides the error")
	}
}
