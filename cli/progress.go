package cli

import (
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// spinnerDelay is how long an operation runs before a spinner shows: below
// it, nothing flickers.
const spinnerDelay = 300 * time.Millisecond

// spin shows "⠋ label" on stderr while an operation runs longer than
// spinnerDelay, only on a terminal. stop clears it; call it before
// printing anything else.
func spin(label string) (stop func()) {
	if !term.IsTerminal(int(os.Stderr.Fd())) {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-time.After(spinnerDelay):
		case <-done:
			return
		}
		frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(os.Stderr, "\r%c %s", frames[i%len(frames)], label)
			select {
			case <-tick.C:
			case <-done:
				fmt.Fprint(os.Stderr, "\r\033[K")
				return
			}
		}
	}()
	return sync.OnceFunc(func() {
		close(done)
		wg.Wait()
	})
}

// progress is a "copying: n/m" line on stderr for a long operation, only
// on a terminal and once it has run for spinnerDelay.
type progress struct {
	label    string
	total, n int
	on       bool
	start    time.Time
	mu       sync.Mutex
}

func newProgress(label string, total int) *progress {
	return &progress{label: label, total: total, on: total > 1 && term.IsTerminal(int(os.Stderr.Fd())), start: time.Now()}
}

func (p *progress) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.on && time.Since(p.start) >= spinnerDelay {
		fmt.Fprintf(os.Stderr, "\r%s: %d/%d", p.label, p.n, p.total)
	}
}

func (p *progress) done() {
	if p.on && time.Since(p.start) >= spinnerDelay {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
}
