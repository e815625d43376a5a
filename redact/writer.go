package redact

import (
	"io"
	"sync"
	"time"
)

// HoldDelay is how long a Writer holds bytes back when no more input
// comes: a value written in two pieces further apart than this may have
// its beginning shown. Output that ends in a line break or in anything
// that cannot begin a form is not held at all; what is (a partial word,
// the echo of a keystroke) shows this much later. 50 ms: a program's two
// consecutive writes land well within it, even on a busy machine.
const HoldDelay = 50 * time.Millisecond

// Writer masks what is written to it and writes the result to an
// underlying writer (see the package doc). Bytes it holds back go out
// HoldDelay after the last Write at the latest, and on Close. It is safe
// for one writer goroutine; its own flushes run on a timer.
type Writer struct {
	mu    sync.Mutex
	dst   io.Writer
	k     *Masker
	buf   []byte
	timer *time.Timer
	err   error // the first error of dst: every later Write returns it
}

// NewWriter returns a Writer that masks s's forms into dst.
func (s *Set) NewWriter(dst io.Writer) *Writer {
	return &Writer{dst: dst, k: s.Masker()}
}

// Write masks p into the underlying writer. It returns len(p), or the
// first error the underlying writer returned.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	w.buf = w.k.Write(w.buf[:0], p)
	w.write()
	if w.err != nil {
		return 0, w.err
	}
	switch {
	case w.k.Held() == 0:
		if w.timer != nil {
			w.timer.Stop()
		}
	case w.timer == nil:
		w.timer = time.AfterFunc(HoldDelay, w.flushHeld)
	default:
		w.timer.Reset(HoldDelay)
	}
	return len(p), nil
}

// Close writes what is held back and stops the timer; it does not close
// the underlying writer. It returns the first error of the underlying writer.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
	if w.err == nil {
		w.buf = w.k.Flush(w.buf[:0])
		w.write()
	}
	return w.err
}

// flushHeld is the timer's: the input paused, so what is held goes out.
func (w *Writer) flushHeld() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil && w.k.Held() > 0 {
		w.buf = w.k.Flush(w.buf[:0])
		w.write()
	}
}

func (w *Writer) write() {
	if len(w.buf) == 0 {
		return
	}
	if _, err := w.dst.Write(w.buf); err != nil {
		w.err = err
	}
}
