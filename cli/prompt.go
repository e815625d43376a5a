package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
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
// one; otherwise the error names flag. The input ending (Ctrl-D) is an
// error naming flag, on a line of its own.
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
	line, err := p.readLine()
	if err != nil {
		return p.ended(flag, label, err)
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

// choose is ask for one of choices: on a terminal, an answer that is not
// one of them says so and asks again.
func (p *prompter) choose(value *string, flag, label string, choices []string) error {
	for {
		if err := p.ask(value, flag, label, ""); err != nil || !p.interactive || slices.Contains(choices, *value) {
			return err
		}
		fmt.Fprintf(p.out, "%q is not one of %s\n", *value, strings.Join(choices, ", "))
		*value = ""
	}
}

// readLine reads one answer. An answer ended by Ctrl-D rather than Enter
// is taken, after a newline that ends the prompt's line; Ctrl-D on an
// empty line is io.EOF.
func (p *prompter) readLine() (string, error) {
	line, err := p.in.ReadString('\n')
	if err != nil {
		fmt.Fprintln(p.out)
		if line != "" && errors.Is(err, io.EOF) {
			err = nil
		}
	}
	return line, err
}

// confirm asks a yes/no question; no is the default. Without a terminal it
// answers yes only with assumeYes. The input ending is an error that says
// nothing was done.
func (p *prompter) confirm(question string, assumeYes bool) (bool, error) {
	if !p.interactive {
		return assumeYes, nil
	}
	fmt.Fprintf(p.out, "%s [y/N]: ", question)
	line, err := p.readLine()
	if err != nil {
		return false, &Error{Msg: "no answer: " + inputEnded(err), Help: "nothing was done", Err: err}
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

// secret reads a value from a terminal without echo.
func (p *prompter) secret(flag, label string) (string, error) {
	fmt.Fprintf(p.out, "%s (input hidden): ", label)
	value, err := readHidden(os.Stdin)
	fmt.Fprintln(p.out)
	if err != nil {
		return "", p.ended(flag, label, err)
	}
	return value, nil
}

func (p *prompter) missing(flag, label string) error {
	return &Error{Msg: fmt.Sprintf("missing %s", what(label)), Help: fmt.Sprintf("pass %s (keep prompts for it only on a terminal, without --no-interaction)", flag)}
}

// ended is the error for a prompt whose input ended (Ctrl-D) or failed;
// the prompt's line is ended already.
func (p *prompter) ended(flag, label string, err error) error {
	return &Error{Msg: fmt.Sprintf("no %s: %s", what(label), inputEnded(err)), Help: "answer the prompt, or pass " + flag, Err: err}
}

// inputEnded says why reading an answer failed.
func inputEnded(err error) string {
	if errors.Is(err, io.EOF) {
		return "the input ended"
	}
	return "read the answer: " + err.Error()
}

// what is a prompt's label as a message names it: "Environment (a, b)" is
// "environment", "Value of KEY" "value of KEY".
func what(label string) string {
	label, _, _ = strings.Cut(label, " (")
	if label == "" {
		return label
	}
	return strings.ToLower(label[:1]) + label[1:]
}
