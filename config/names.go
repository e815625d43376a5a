package config

import (
	"fmt"
	"regexp"
	"strings"
)

// The PHP Keep's rules, so both tools accept the same projects.
var (
	namespaceRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)
	envRE       = regexp.MustCompile(`^[a-z0-9_-]{1,50}$`)
	segmentRE   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// CheckNamespace reports whether ns is a valid namespace: 1–100 of
// [A-Za-z0-9_-].
func CheckNamespace(ns string) error {
	if !namespaceRE.MatchString(ns) {
		return &Error{
			Msg:  fmt.Sprintf("invalid namespace %q", ns),
			Help: "a namespace is 1-100 letters, digits, '_' or '-'",
		}
	}
	return nil
}

// CheckEnv reports whether env is a valid environment name: 1–50 of
// [a-z0-9_-].
func CheckEnv(env string) error {
	if !envRE.MatchString(env) {
		return &Error{
			Msg:  fmt.Sprintf("invalid environment %q", env),
			Help: "an environment is 1-50 lowercase letters, digits, '_' or '-'",
		}
	}
	return nil
}

// CheckScope reports whether scope is empty or one or more path segments of
// [A-Za-z0-9_-] separated by '/'.
func CheckScope(scope string) error {
	if scope == "" {
		return nil
	}
	for _, seg := range strings.Split(scope, "/") {
		if !segmentRE.MatchString(seg) {
			return &Error{
				Msg:  fmt.Sprintf("invalid vault scope %q", scope),
				Help: "a scope is one or more segments of letters, digits, '_' or '-', separated by '/'",
			}
		}
	}
	return nil
}
