package render_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
)

// Failure messages in this file name variables and report value lengths;
// they never print a secret value.

func TestVarName(t *testing.T) {
	tests := []struct{ key, want string }{
		{"api-key", "api_key"},
		{"DB_PASSWORD", "DB_PASSWORD"},
		{"db_password", "db_password"},
		{"MixedCase_9", "MixedCase_9"},
		{"_", "_"},
		{"__X__", "__X__"},
		{"KEY2", "KEY2"},
		{"0123456789", "0123456789"},
		{"1PASSWORD", "1PASSWORD"}, // a leading digit is kept, not prefixed
		{"9-lives", "9_lives"},
		{"-leading", "_leading"},
		{"a--b", "a__b"},
		{"a.b", "a_b"},
		{"a b", "a_b"},
		{"a/b", "a_b"},
		{"a=b", "a_b"},
		{"a$b", "a_b"},
		{"a\tb\n", "a_b_"},
		{"a\x00b", "a_b"},
		{"!@#%^&*()+[]{}|;:'\",<>?`~", "_________________________"},
		{"café", "caf_"},   // one '_' per character, not per byte
		{"ключ", "____"},   // non-ASCII letters are outside [A-Za-z0-9_]
		{"KEY_😀", "KEY__"}, // a 4-byte rune is one character
		{"ＡＢ", "__"},       // fullwidth letters are not ASCII letters
		{"a\xffb", "a_b"},  // invalid UTF-8 becomes '_' too
		{"", ""},
	}
	for _, tt := range tests {
		if got := render.VarName(tt.key); got != tt.want {
			t.Errorf("VarName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestVarNameValidNamesUnchanged(t *testing.T) {
	const valid = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
	if got := render.VarName(valid); got != valid {
		t.Errorf("VarName(%q) = %q, want it unchanged", valid, got)
	}
	for r := rune(0); r < 0x250; r++ {
		in := string(r)
		got := render.VarName(in)
		if strings.ContainsRune(valid, r) {
			if got != in {
				t.Errorf("VarName(%q) = %q, want it unchanged", in, got)
			}
		} else if got != "_" {
			t.Errorf("VarName(%q) = %q, want \"_\"", in, got)
		}
	}
}

func secrets(kv ...string) []fetch.Secret {
	var s []fetch.Secret
	for i := 0; i+1 < len(kv); i += 2 {
		s = append(s, fetch.Secret{Key: kv[i], Name: "app/prod/" + kv[i], Value: kv[i+1]})
	}
	return s
}

// describe lists entries as NAME(len N) so a failure never shows a value.
func describe(vars []string) string {
	var b strings.Builder
	for i, kv := range vars {
		if i > 0 {
			b.WriteString(" ")
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			fmt.Fprintf(&b, "%s(no '=')", name)
			continue
		}
		fmt.Fprintf(&b, "%s(len %d)", name, len(value))
	}
	return "[" + b.String() + "]"
}

// checkVars compares environments entry by entry without printing values.
func checkVars(t *testing.T, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	if len(got) != len(want) {
		t.Errorf("Vars has %d entries, want %d:\n got  %s\n want %s", len(got), len(want), describe(got), describe(want))
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("Vars[%d] = %s, want %s (values differ; not shown)", i, describe(got[i:i+1]), describe(want[i:i+1]))
		}
	}
}

func checkNames(t *testing.T, field string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

// environ is render.Environ's answer; an error stops the test.
func environ(t *testing.T, inherited []string, secrets []fetch.Secret) *render.Env {
	t.Helper()
	env, err := render.Environ(inherited, secrets)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestEnvironSecretOverridesInherited(t *testing.T) {
	inherited := []string{
		"PATH=/usr/bin:/bin",
		"DB_PASSWORD=from-parent",
		"HOME=/root",
		"DB_PASSWORD=duplicate-from-parent",
		"API_KEY=parent-key",
		"TERM=xterm",
	}
	env := environ(t, inherited, secrets("DB_PASSWORD", "s3cret", "API_KEY", "k3y"))
	checkVars(t, env.Vars, []string{
		"PATH=/usr/bin:/bin",
		"HOME=/root",
		"TERM=xterm",
		"API_KEY=k3y",
		"DB_PASSWORD=s3cret",
	})
	checkNames(t, "Injected", env.Injected, []string{"API_KEY", "DB_PASSWORD"})
	checkNames(t, "Overridden", env.Overridden, []string{"API_KEY", "DB_PASSWORD"})
	for _, kv := range env.Vars {
		if strings.Contains(kv, "parent") {
			name, _, _ := strings.Cut(kv, "=")
			t.Errorf("inherited %s survived although a secret overrides it", name)
		}
	}
}

func TestEnvironOverrideUsesVarName(t *testing.T) {
	// The secret api-key becomes api_key, which replaces an inherited api_key
	// but leaves an inherited entry literally named api-key alone.
	inherited := []string{"api_key=old", "api-key=other"}
	env := environ(t, inherited, secrets("api-key", "new"))
	checkVars(t, env.Vars, []string{"api-key=other", "api_key=new"})
	checkNames(t, "Injected", env.Injected, []string{"api_key"})
	checkNames(t, "Overridden", env.Overridden, []string{"api_key"})
}

func TestEnvironOrder(t *testing.T) {
	inherited := []string{"Z=1", "A=2", "M=3", "B=4"}
	env := environ(t, inherited, secrets("ZETA", "z", "alpha", "a", "Beta", "b", "ALPHA", "A", "_U", "u", "9X", "9"))
	// Inherited first in their order, then secrets sorted by variable name
	// (byte order: digits, upper case, '_', lower case).
	checkVars(t, env.Vars, []string{
		"Z=1", "A=2", "M=3", "B=4",
		"9X=9", "ALPHA=A", "Beta=b", "ZETA=z", "_U=u", "alpha=a",
	})
	checkNames(t, "Injected", env.Injected, []string{"9X", "ALPHA", "Beta", "ZETA", "_U", "alpha"})
	if len(env.Overridden) != 0 {
		t.Errorf("Overridden = %q, want none", env.Overridden)
	}
}

func TestEnvironSortsByVarNameNotKey(t *testing.T) {
	// KEY "a-b" sorts before "a_a" by key, but its variable a_b sorts after a_a.
	env := environ(t, nil, secrets("a-b", "1", "a_a", "2"))
	checkVars(t, env.Vars, []string{"a_a=2", "a_b=1"})
	checkNames(t, "Injected", env.Injected, []string{"a_a", "a_b"})
}

func TestEnvironNoInherit(t *testing.T) {
	for _, inherited := range [][]string{nil, {}} {
		env := environ(t, inherited, secrets("B", "2", "A", "1"))
		checkVars(t, env.Vars, []string{"A=1", "B=2"})
		checkNames(t, "Injected", env.Injected, []string{"A", "B"})
		if len(env.Overridden) != 0 {
			t.Errorf("Overridden = %q, want none", env.Overridden)
		}
	}
}

func TestEnvironNoSecrets(t *testing.T) {
	inherited := []string{"PATH=/bin", "HOME=/root"}
	env := environ(t, inherited, nil)
	checkVars(t, env.Vars, inherited)
	if len(env.Injected) != 0 || len(env.Overridden) != 0 {
		t.Errorf("Injected = %q, Overridden = %q; want none", env.Injected, env.Overridden)
	}
	if env.Vars == nil {
		t.Error("Vars is nil; want an empty, non-nil slice so exec does not fall back to keep's environment")
	}
	env = environ(t, nil, nil)
	if env.Vars == nil || len(env.Vars) != 0 {
		t.Errorf("Environ(nil, nil).Vars = %s (nil: %t), want empty and non-nil", describe(env.Vars), env.Vars == nil)
	}
}

func TestEnvironDoesNotModifyInputs(t *testing.T) {
	inherited := []string{"A=1", "DB=parent", "B=2"}
	orig := slices.Clone(inherited)
	sec := secrets("DB", "child", "C", "3")
	origSec := slices.Clone(sec)
	if _, err := render.Environ(inherited, sec); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(inherited, orig) {
		t.Errorf("inherited changed: %s, was %s", describe(inherited), describe(orig))
	}
	if !slices.Equal(sec, origSec) {
		t.Error("secrets slice changed")
	}
}

func TestEnvironCollision(t *testing.T) {
	tests := []struct {
		name      string
		secrets   []fetch.Secret
		v, k1, k2 string
	}{
		{"dash and underscore", secrets("api-key", "1", "api_key", "2"), "api_key", "api-key", "api_key"},
		{"reverse order", secrets("api_key", "2", "api-key", "1"), "api_key", "api-key", "api_key"},
		{"two non-underscore keys", secrets("DB", "x", "a-b", "1", "a.b", "2"), "a_b", "a-b", "a.b"},
		{"among others", secrets("A", "1", "X-Y", "2", "B", "3", "X_Y", "4"), "X_Y", "X-Y", "X_Y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := render.Environ([]string{"PATH=/bin"}, tt.secrets)
			var ce *render.CollisionError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (env %v), want a *render.CollisionError", err, env != nil)
			}
			if env != nil {
				t.Error("Environ returned an Env together with its error")
			}
			if ce.Var != tt.v || ce.Key1 != tt.k1 || ce.Key2 != tt.k2 {
				t.Errorf("CollisionError{Var: %q, Key1: %q, Key2: %q}, want {%q, %q, %q}", ce.Var, ce.Key1, ce.Key2, tt.v, tt.k1, tt.k2)
			}
			msg := err.Error()
			for _, want := range []string{tt.v, tt.k1, tt.k2} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			if ce.Hint() == "" {
				t.Error("CollisionError.Hint() is empty")
			}
		})
	}
}

func TestEnvironCollisionErrorHidesValues(t *testing.T) {
	const v1, v2 = "very-secret-value-one", "very-secret-value-two"
	_, err := render.Environ(nil, secrets("api-key", v1, "api_key", v2))
	if err == nil {
		t.Fatal("no error for colliding keys")
	}
	for _, s := range []string{err.Error(), err.(interface{ Hint() string }).Hint()} {
		if strings.Contains(s, v1) || strings.Contains(s, v2) {
			t.Errorf("error or hint contains a secret value (message length %d)", len(s))
		}
	}
}

func TestEnvironKeepsValuesByteForByte(t *testing.T) {
	values := map[string]string{
		"NEWLINES":  "line1\nline2\r\nline3\n",
		"EQUALS":    "a=b==c=",
		"ONLY_EQ":   "=",
		"QUOTES":    `"double" 'single' \"escaped\" ` + "`back`",
		"UNICODE":   "pässwörd 🔑 ключ 日本",
		"SPACES":    "  leading and trailing  ",
		"TABS":      "\tvalue\t",
		"EMPTY":     "",
		"SHELL":     "$HOME ${PATH} $(id) `id` ; | & > <",
		"JSON":      `{"user":"u","pass":"p=1\n"}`,
		"BACKSLASH": `C:\path\to\dir\`,
		"BINARYISH": "\x01\x7f\xff\xfe",
		"PERCENT":   "%s %d %%",
	}
	var sec []fetch.Secret
	for k, v := range values {
		sec = append(sec, fetch.Secret{Key: k, Value: v})
	}
	env := environ(t, []string{"EQUALS=inherited"}, sec)
	got := map[string]string{}
	for _, kv := range env.Vars {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			t.Errorf("entry %s has no '='", describe([]string{kv}))
			continue
		}
		if _, dup := got[name]; dup {
			t.Errorf("%s appears twice", name)
		}
		got[name] = value
	}
	for name, want := range values {
		v, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s missing", name)
		case v != want:
			t.Errorf("%s: value changed (len %d, want len %d)", name, len(v), len(want))
		}
	}
	if len(got) != len(values) {
		t.Errorf("got %d variables, want %d", len(got), len(values))
	}
}

func TestEnvironInheritedEdgeCases(t *testing.T) {
	inherited := []string{
		"NOEQUALS",        // no '=' at all: kept as is
		"EMPTY=",          // empty value
		"=C:=C:\\windows", // Windows-style hidden entry with an empty name
		"MULTI=a=b=c",     // value with '='
		"LINES=one\ntwo",  // value with a newline
		"SPACE NAME=x",    // odd name, not touched by keep
		"DUP=1",
		"DUP=2",  // duplicates without a secret are kept as they are
		"SECRET", // no '=', but its name is a secret's: replaced
		"SECRET=inherited",
	}
	env := environ(t, inherited, secrets("SECRET", "s"))
	checkVars(t, env.Vars, []string{
		"NOEQUALS",
		"EMPTY=",
		"=C:=C:\\windows",
		"MULTI=a=b=c",
		"LINES=one\ntwo",
		"SPACE NAME=x",
		"DUP=1",
		"DUP=2",
		"SECRET=s",
	})
	checkNames(t, "Overridden", env.Overridden, []string{"SECRET"})
	checkNames(t, "Injected", env.Injected, []string{"SECRET"})
}

func TestEnvironNameMatchIsExact(t *testing.T) {
	// DB must not replace DB_HOST, db or DB2; DB_HOST must not replace DB.
	inherited := []string{"DB_HOST=h", "db=lower", "DB2=2", "DB =space", "DB=old"}
	env := environ(t, inherited, secrets("DB", "new"))
	checkVars(t, env.Vars, []string{"DB_HOST=h", "db=lower", "DB2=2", "DB =space", "DB=new"})
	checkNames(t, "Overridden", env.Overridden, []string{"DB"})
}

func ExampleEnviron() {
	inherited := []string{"PATH=/usr/bin", "DB_PASSWORD=stale", "HOME=/home/app"}
	secrets := []fetch.Secret{
		{Key: "DB_PASSWORD", Value: "s3cret"},
		{Key: "api-key", Value: "k=1"},
	}
	env, err := render.Environ(inherited, secrets)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, kv := range env.Vars {
		fmt.Println(kv)
	}
	fmt.Println("injected:", env.Injected)
	fmt.Println("overridden:", env.Overridden)

	_, err = render.Environ(nil, []fetch.Secret{{Key: "api_key"}, {Key: "api-key"}})
	fmt.Println(err)
	// Output:
	// PATH=/usr/bin
	// HOME=/home/app
	// DB_PASSWORD=s3cret
	// api_key=k=1
	// injected: [DB_PASSWORD api_key]
	// overridden: [DB_PASSWORD]
	// secrets api-key and api_key both map to the variable api_key
}

func ExampleVarName() {
	for _, key := range []string{"DB_PASSWORD", "api-key", "2FA.secret"} {
		fmt.Println(render.VarName(key))
	}
	// Output:
	// DB_PASSWORD
	// api_key
	// 2FA_secret
}
