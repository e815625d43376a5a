// Package hint is the error type keep's packages share: what went wrong,
// in lower case and never with a secret's value, and what the user can do
// about it. keep prints both (see cli.fail).
package hint

// Error is a failure with what to do about it.
type Error struct {
	Msg  string // what went wrong
	Help string // what to do next; "" when there is nothing to add
	Err  error  // the cause, for errors.Is and errors.As; not printed
}

func (e *Error) Error() string { return e.Msg }

// Hint is e.Help.
func (e *Error) Hint() string { return e.Help }

func (e *Error) Unwrap() error { return e.Err }

// Hinted is any error that says what to do about it: *Error, and the
// typed errors of render, runner and fetch that carry more than a
// message. Find it with errors.As, never a type assertion, so that a
// wrapped error keeps its hint.
type Hinted interface {
	error
	Hint() string
}
