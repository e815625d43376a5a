package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// prompter asks for what the command line left out — on a terminal, and
// unless --no-interaction. Otherwise it says which flag to pass. Prompts
// go to stderr: stdout carries the command's output.
type prompter struct {
	interactive bool
	in          *bufio.Reader
	out         io.Writer
}

func (g *Globals) prompter() *prompter {
	return &prompter{
		interactive: !g.NoInteraction && term.IsTerminal(int(os.Stdin.Fd())),
		in:          bufio.NewReader(os.Stdin),
		out:         os.Stderr,
	}
}

// ask fills *value, when empty, from a prompt showing label and def (which
// an empty answer takes). Without a terminal, def is taken when there is
// one; otherwise the error names flag.
func (p *prompter) ask(value *string, flag, label, def string) error {
	if *value != "" {
		return nil
	}
	if !p.interactive {
		if def != "" {
			*value = def
			return nil
		}
		return p.missing(flag, label)
	}
	if def != "" {
		fmt.Fprintf(p.out, "%s [%s]: ", label, def)
	} else {
		fmt.Fprintf(p.out, "%s: ", label)
	}
	line, err := p.in.ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("read %s: %w", label, err)
	}
	*value = strings.TrimSpace(line)
	if *value == "" {
		*value = def
	}
	if *value == "" {
		return p.missing(flag, label)
	}
	return nil
}

// confirm asks a yes/no question; no is the default. Without a terminal it
// answers yes only with assumeYes.
func (p *prompter) confirm(question string, assumeYes bool) (bool, error) {
	if !p.interactive {
		return assumeYes, nil
	}
	fmt.Fprintf(p.out, "%s [y/N]: ", question)
	line, err := p.in.ReadString('\n')
	if err != nil && line == "" {
		return false, err
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

// secret reads a value from a terminal without echo.
func (p *prompter) secret(label string) (string, error) {
	fmt.Fprintf(p.out, "%s (input hidden): ", label)
	b, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(p.out)
	return string(b), err
}

func (p *prompter) missing(flag, label string) error {
	return &Error{Msg: fmt.Sprintf("missing %s", strings.ToLower(label)), Help: fmt.Sprintf("pass %s (keep prompts for it only on a terminal, without --no-interaction)", flag)}
}
