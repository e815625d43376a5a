//go:build linux

package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

// Progress against a slow endpoint: show, get and export spin on stderr
// when it is a terminal, as verify and diff do, and never into a pipe.

func TestSlowCommandsSpinOnATerminal(t *testing.T) {
	t.Parallel()
	srv := smfake.New(fakeSecret("spin", "production", "DB", "spinner-db-value"))
	defer srv.Close()
	// Longer than the spinner's delay (300ms) at every call: the spinner
	// must show; how long it shows is not checked.
	srv.Latency = 700 * time.Millisecond
	endpoint := srv.Env()

	sh := startShell(t)
	out := t.TempDir() + "/spin.env"
	for _, c := range []struct {
		args  []string
		label string
	}{
		{[]string{"show", "--namespace=spin", "--env=production"}, "listing spin/production"},
		{[]string{"get", "DB", "--namespace=spin", "--env=production", "--plain"}, "reading spin/production/DB"},
		{[]string{"export", "--namespace=spin", "--env=production"}, "reading the secrets of production"},
		{[]string{"export", "--namespace=spin", "--env=production", "-o", out}, "reading the secrets of production"},
	} {
		t.Run(strings.Join(c.args[:1], " "), func(t *testing.T) {
			line := append([]string{"env"}, endpoint...)
			sh.send(commandLine(append(append(line, keeptest.Bin(t)), c.args...)...) + " >/dev/null\n")
			sh.expect(regexp.MustCompile(`\r[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] ` + regexp.QuoteMeta(c.label)))
			shown, code := sh.promptAfter()
			if code != 0 {
				t.Fatalf("$? = %d; the terminal shows:\n%q", code, shown)
			}
			if !strings.Contains(shown, "\r\033[K") {
				t.Errorf("the spinner's line was not cleared; the terminal shows:\n%q", shown)
			}
		})
	}
	// Into a pipe, no spinner: stderr holds what the command says, only.
	for _, args := range [][]string{
		{"show", "--namespace=spin", "--env=production"},
		{"get", "DB", "--namespace=spin", "--env=production"},
		{"export", "--namespace=spin", "--env=production"},
	} {
		res := keep(t, run{Endpoint: endpoint, Args: args})
		if mustSucceed(t, res); res.Stderr != "" {
			t.Errorf("keep %s into a pipe: stderr = %q, want nothing", args[0], res.Stderr)
		}
	}
}
