package render

import (
	"fmt"
	"slices"
	"strings"
)

// Protected reports whether name is a variable that changes what program
// runs or what code it loads — PATH, LD_*, DYLD_* — which a secret must not
// set unless the user says so.
func Protected(name string) bool {
	return name == "PATH" || strings.HasPrefix(name, "LD_") || strings.HasPrefix(name, "DYLD_")
}

// CheckProtected refuses vars that set a protected variable not listed in
// allowed.
func CheckProtected(vars []Var, allowed []string) error {
	for _, v := range vars {
		if Protected(v.Name) && !slices.Contains(allowed, v.Name) {
			return &ProtectedError{Name: v.Name}
		}
	}
	return nil
}

// ProtectedError is a secret or template variable that would set a
// protected variable.
type ProtectedError struct{ Name string }

func (e *ProtectedError) Error() string {
	return fmt.Sprintf("refusing to set %s from a secret or template: it decides what the command runs or loads", e.Name)
}

// Hint says how to allow it.
func (e *ProtectedError) Hint() string {
	return fmt.Sprintf("if that is intended, pass --allow-override=%s (or leave the secret out with --except)", e.Name)
}

// CheckValues refuses a variable whose value holds a NUL byte: no
// environment variable can carry one (execve fails with EINVAL, which would
// read as a command that cannot be executed).
func CheckValues(vars []Var) error {
	for _, v := range vars {
		if strings.IndexByte(v.Value, 0) >= 0 {
			return &NULError{Name: v.Name}
		}
	}
	return nil
}

// NULError is a variable whose value holds a NUL byte.
type NULError struct{ Name string }

func (e *NULError) Error() string {
	return fmt.Sprintf("the value of %s holds a NUL byte, which no environment variable can carry", e.Name)
}

// Hint says what to do.
func (e *NULError) Hint() string {
	return fmt.Sprintf("remove the NUL from the secret or template behind %s, or write it to a file with --template and --output", e.Name)
}
