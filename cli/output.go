package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/keep-run/keep/render"
)

// What keep prints for people and for programs: tables, JSON, dotenv,
// colour and the spinners of long operations. Everything goes to stdout
// except spinners and progress, which go to stderr and only to a terminal.

// newTable is a table on stdout: columns separated by tabs in what is
// written, aligned with two spaces when it is flushed.
func newTable() *tabwriter.Writer {
	return tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
}

// printJSON writes v to stdout as indented JSON, with <, > and & as they are.
func printJSON(v any) error {
	return writeJSON(os.Stdout, v)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	return enc.Encode(v)
}

// jsonObject is obj as indented JSON (encoding/json sorts map keys).
func jsonObject(obj map[string]string) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, obj); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// dotenv encodes vars as NAME='value' lines.
func dotenv(vars []render.Var) []byte {
	var b bytes.Buffer
	for _, v := range vars {
		q, _ := render.QuoteDotenv(v.Value)
		b.WriteString(v.Name + "=" + q + "\n")
	}
	return b.Bytes()
}

// oneLineValue keeps a table on one line per secret.
func oneLineValue(v string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`, "\t", `\t`).Replace(v)
}

// firstLine is the first line of err's message, for a table cell.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// ANSI colours for the marks keep prints in tables.
const (
	green  = "32"
	yellow = "33"
	red    = "31"
)

// colorOn: stdout is a terminal and NO_COLOR (https://no-color.org) is
// unset or empty.
var colorOn = term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("NO_COLOR") == ""

// paint colours s when colour is on.
func paint(s, color string) string {
	if !colorOn || s == "" {
		return s
	}
	return "\033[" + color + "m" + s + "\033[0m"
}

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
