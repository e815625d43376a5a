package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/alecthomas/kong"

	"github.com/keep-run/keep/internal/hint"
	"github.com/keep-run/keep/runner"
)

// Error is a command's failure with what to do about it, the one error
// type of keep's packages: keep prints the message, then the hint on a
// line of its own, and exits 125.
type Error = hint.Error

// Hinter is any error that says what to do about it (see hint.Hinted);
// fail finds it with errors.As.
type Hinter = hint.Hinted

// hinted is err with help as its hint: err's message, its chain kept.
func hinted(err error, help string) *Error {
	return &Error{Msg: err.Error(), Help: help, Err: err}
}

// usageError is a command line kong could not parse or validate: exit 125
// (kong's own code is 80), with the hint of the error inside if it has
// one.
type usageError struct{ err *Error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }
func (usageError) ExitCode() int   { return runner.CodeFailed }

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
