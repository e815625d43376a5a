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

// VarName maps a secret KEY to an environment variable name: every
// character outside [A-Za-z0-9_] becomes '_' (so api-key → api_key).
func VarName(key string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, key)
}

// Env is the child's environment and how it came about.
type Env struct {
	// Vars are "NAME=value" entries for the child, inherited ones first in
	// their original order, then the secrets sorted by name.
	Vars []string
	// Injected are the variable names set from secrets, sorted.
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
	env := &Env{Vars: make([]string, 0, len(inherited)+len(secrets))}
	overridden := map[string]bool{}
	for _, kv := range inherited {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := byVar[name]; ok {
			overridden[name] = true
			continue
		}
		env.Vars = append(env.Vars, kv)
	}
	for name := range byVar {
		env.Injected = append(env.Injected, name)
	}
	sort.Strings(env.Injected)
	for _, name := range env.Injected {
		env.Vars = append(env.Vars, name+"="+byVar[name].Value)
	}
	for name := range overridden {
		env.Overridden = append(env.Overridden, name)
	}
	sort.Strings(env.Overridden)
	return env, nil
}
