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
	// regionRE is what the SDK accepts as a region, lowercase: a host
	// label, us-east-1 or a fake's "local".
	regionRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// CheckRegion reports whether region is empty (the SDK's chain decides) or
// a valid AWS region name such as us-east-1. The SDK refuses others only
// on the first call, with a message that looks like a network problem.
func CheckRegion(region string) error {
	if region != "" && (len(region) > 63 || !regionRE.MatchString(region)) {
		return &Error{
			Msg:  fmt.Sprintf("invalid region %q", region),
			Help: "a region is like us-east-1: lowercase letters, digits and '-'; check --region, KEEP_REGION and the vault file's \"region\"",
		}
	}
	return nil
}

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
