package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/alecthomas/kong"

	"github.com/keep-run/keep/runner"
)

// Hinter is an error that says what to do about it. keep prints the error,
// then its hint on a line of its own. Errors of config, fetch, render and
// runner implement it too; find it with errors.As, never a type assertion,
// so that a wrapped error keeps its hint.
type Hinter interface {
	error
	Hint() string
}

// Error is a command's failure with what to do about it: keep exits 125.
type Error struct {
	Msg  string // what went wrong, lower case, no value of a secret
	Help string // what to do next; "" for nothing to add
	Err  error  // the cause, if any (for errors.Is/As; not printed)
}

func (e *Error) Error() string { return e.Msg }

// Hint is e.Help.
func (e *Error) Hint() string { return e.Help }

func (e *Error) Unwrap() error { return e.Err }

// ExitCode is 125, keep's failure, whatever the cause carries (kong's
// parse errors say 80).
func (e *Error) ExitCode() int { return runner.CodeFailed }

// hinted is err with help as its hint: err's message, its chain kept.
func hinted(err error, help string) *Error {
	return &Error{Msg: err.Error(), Help: help, Err: err}
}

// answer is a command's "no" — the contexts differ, a check failed, the
// template has problems — already shown in its output: keep says msg and
// exits 1, which is not a failure of keep (125).
type answer struct{ msg string }

func (a answer) Error() string { return a.msg }
func (answer) ExitCode() int   { return 1 }

// fail ends keep after err. A supervised command's end is passed on as it
// is. Anything else is reported in one or two lines — what failed, what to
// do — and keep exits with the code err carries (kong's ExitCoder; see
// runner for the codes), else 125; an interrupted keep dies of the
// interrupting signal.
func fail(w io.Writer, err error) {
	var child *runner.ExitError
	if errors.As(err, &child) {
		child.Exit() // the supervised command's status, not keep's failure
	}
	fmt.Fprintf(w, "keep: error: %s\n", err)
	var h Hinter
	if errors.As(err, &h) && h.Hint() != "" {
		fmt.Fprintf(w, "keep: %s\n", h.Hint())
	}
	var intr *runner.Interrupted
	if errors.As(err, &intr) {
		runner.Die(intr.Signal)
	}
	code := runner.CodeFailed
	var ec kong.ExitCoder
	if errors.As(err, &ec) {
		code = ec.ExitCode()
	}
	os.Exit(code)
}

// guardPanic turns a panic in main's goroutine into a short message and
// exit 125, without the panic value or stack.
func guardPanic(w io.Writer) {
	if r := recover(); r != nil {
		fmt.Fprint(w, panicReport(r))
		os.Exit(runner.CodeFailed)
	}
}

// panicReport describes a panic. The value is shown only when the runtime
// made it (index out of range, nil dereference…): any other value could
// hold a secret.
func panicReport(r any) string {
	what := "keep: internal error (details withheld: they could contain a secret)\n"
	if re, ok := r.(runtime.Error); ok {
		what = fmt.Sprintf("keep: internal error: %v\n", re)
	}
	return what + "keep: this is a bug; please report it with the command you ran\n"
}
