// Package render turns fetched secrets into what the child sees: variable
// names, filters, and the environment with its precedence rules. It is pure:
// no I/O, no AWS.
package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keep-run/keep/fetch"
)

// VarName maps a secret KEY to an environment variable name exactly as the
// PHP Keep does (Secret::sanitizedKey): every byte outside [A-Za-z0-9_]
// becomes '_' (a multi-byte character gives one '_' per byte, as PHP's
// byte-wise preg_replace does); leading '_' are removed; a name that then
// starts with a digit gets the prefix KEY_; an empty one is UNNAMED_KEY;
// and the whole is upper-cased. So api-token → API_TOKEN, _lead → LEAD,
// 1num → KEY_1NUM, Mixed-Case.x → MIXED_CASE_X. The result always matches
// ^[A-Z][A-Z0-9_]*$, and VarName of it is itself.
func VarName(key string) string {
	b := []byte(key)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	name := strings.TrimLeft(string(b), "_")
	switch {
	case name == "":
		return "UNNAMED_KEY"
	case name[0] >= '0' && name[0] <= '9':
		name = "KEY_" + name
	}
	return strings.ToUpper(name)
}

// Env is the child's environment and how it came about.
type Env struct {
	// Vars are "NAME=value" entries for the child, inherited ones first in
	// their original order, then the new variables.
	Vars []string
	// Injected are the names of the new variables, sorted.
	Injected []string
	// Overridden are inherited variable names a secret replaced, sorted.
	Overridden []string
}

// CollisionError reports two secrets whose keys map to one variable name.
type CollisionError struct {
	Var        string
	Key1, Key2 string
}

func (e *CollisionError) Error() string {
	return fmt.Sprintf("secrets %s and %s both map to the variable %s", e.Key1, e.Key2, e.Var)
}

// Hint says how to resolve the collision.
func (e *CollisionError) Hint() string {
	return "rename or delete one of them, or leave one out with --except"
}

// Environ builds the child's environment from inherited ("NAME=value"
// entries, usually os.Environ(); nil for none) and secrets. A secret
// overrides every inherited entry of the same name. Two secrets that map to
// one name are an error.
func Environ(inherited []string, secrets []fetch.Secret) (*Env, error) {
	vars, err := SecretVars(secrets)
	if err != nil {
		return nil, err
	}
	return EnvironVars(inherited, vars), nil
}

// SecretVars maps secrets to variables (see VarName), sorted by name. Two
// secrets that map to one name are a *CollisionError.
func SecretVars(secrets []fetch.Secret) ([]Var, error) {
	byVar := make(map[string]fetch.Secret, len(secrets))
	for _, s := range secrets {
		name := VarName(s.Key)
		if other, ok := byVar[name]; ok {
			k1, k2 := other.Key, s.Key
			if k2 < k1 {
				k1, k2 = k2, k1
			}
			return nil, &CollisionError{Var: name, Key1: k1, Key2: k2}
		}
		byVar[name] = s
	}
	vars := make([]Var, 0, len(byVar))
	for name, s := range byVar {
		vars = append(vars, Var{Name: name, Value: s.Value})
	}
	sort.Slice(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	return vars, nil
}

// EnvironVars builds the child's environment: inherited entries first, in
// their order, except those a variable of vars overrides; then vars, in
// their order. Names in vars must be distinct.
func EnvironVars(inherited []string, vars []Var) *Env {
	set := make(map[string]bool, len(vars))
	for _, v := range vars {
		set[v.Name] = true
	}
	env := &Env{Vars: make([]string, 0, len(inherited)+len(vars))}
	overridden := map[string]bool{}
	for _, kv := range inherited {
		name, _, _ := strings.Cut(kv, "=")
		if set[name] {
			overridden[name] = true
			continue
		}
		env.Vars = append(env.Vars, kv)
	}
	for _, v := range vars {
		env.Vars = append(env.Vars, v.Name+"="+v.Value)
		env.Injected = append(env.Injected, v.Name)
	}
	sort.Strings(env.Injected)
	for name := range overridden {
		env.Overridden = append(env.Overridden, name)
	}
	sort.Strings(env.Overridden)
	return env
}
