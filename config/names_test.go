package config_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/keep-run/keep/config"
)

type nameCase struct {
	in string
	ok bool
}

func checkNameTable(t *testing.T, what string, check func(string) error, tests []nameCase) {
	t.Helper()
	for _, tt := range tests {
		err := check(tt.in)
		if tt.ok {
			if err != nil {
				t.Errorf("%s(%q) = %v, want nil", what, tt.in, err)
			}
			continue
		}
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Errorf("%s(%q) = %v, want a *config.Error", what, tt.in, err)
			continue
		}
		if !strings.Contains(ce.Error(), strconv.Quote(tt.in)) {
			t.Errorf("%s(%q): error %q does not quote the value", what, tt.in, ce.Error())
		}
		if ce.Hint() == "" {
			t.Errorf("%s(%q): no hint", what, tt.in)
		}
	}
}

func TestCheckNamespace(t *testing.T) {
	checkNameTable(t, "CheckNamespace", config.CheckNamespace, []nameCase{
		{"app", true},
		{"a", true},
		{"A", true},
		{"MyApp", true}, // upper case is allowed in namespaces
		{"my-app_2", true},
		{"123", true},
		{"-", true},
		{"_", true},
		{"-leading-dash", true},
		{strings.Repeat("n", 100), true},

		{"", false},
		{strings.Repeat("n", 101), false},
		{"my app", false},
		{" app", false},
		{"app ", false},
		{"app\n", false}, // a trailing newline must not slip past '$'
		{"\napp", false},
		{"my/app", false},
		{"my.app", false},
		{"my:app", false},
		{"app*", false},
		{"äpp", false},
		{"app\x00", false},
	})
}

func TestCheckEnv(t *testing.T) {
	checkNameTable(t, "CheckEnv", config.CheckEnv, []nameCase{
		{"production", true},
		{"local", true},
		{"prod-eu", true},
		{"stage_2", true},
		{"0", true},
		{"-", true},
		{strings.Repeat("e", 50), true},

		{"", false},
		{strings.Repeat("e", 51), false},
		{"Production", false}, // environments are lower case
		{"PROD", false},
		{"prod eu", false},
		{"prod/eu", false},
		{"prod.eu", false},
		{"prod\n", false},
		{" prod", false},
		{"prød", false},
		{"prod*", false},
	})
}

func TestCheckScope(t *testing.T) {
	checkNameTable(t, "CheckScope", config.CheckScope, []nameCase{
		{"", true}, // no scope
		{"team", true},
		{"Team-A_1", true},
		{"team/eu", true},
		{"a/b/c/d", true},
		{"-/_", true},

		{"/", false},
		{"/team", false},
		{"team/", false},
		{"a//b", false},
		{"team eu", false},
		{"team.eu", false},
		{"..", false},
		{"a/../b", false},
		{"team\n", false},
		{"team/eu\n", false},
		{`team\eu`, false},
		{"équipe", false},
	})
}
