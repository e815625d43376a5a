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

// TestVarName: the PHP Keep's Secret::sanitizedKey, case for case. The
// first group is the PHP Keep's own tests (tests/Unit/Data/SecretTest.php,
// "sanitizedKey method"); the rest follow from its code (src/Data/Secret.php).
func TestVarName(t *testing.T) {
	tests := []struct{ key, want string }{
		// tests/Unit/Data/SecretTest.php
		{"DB_HOST", "DB_HOST"},
		{"API_KEY", "API_KEY"},
		{"USER_PASSWORD", "USER_PASSWORD"},
		{"my-api-key", "MY_API_KEY"},
		{"user.email", "USER_EMAIL"},
		{"my key", "MY_KEY"},
		{"user@domain.com", "USER_DOMAIN_COM"},
		{"app-config.json", "APP_CONFIG_JSON"},
		{"my_api_key", "MY_API_KEY"},
		{"MyApi_Key", "MYAPI_KEY"},
		{"_private_key", "PRIVATE_KEY"},
		{"1api_key", "KEY_1API_KEY"},
		{"123secret", "KEY_123SECRET"},
		{"_user.config-file", "USER_CONFIG_FILE"},
		{"1user@domain.com", "KEY_1USER_DOMAIN_COM"},
		{"@#$%^&*()", "UNNAMED_KEY"},

		// The issue's examples.
		{"api-token", "API_TOKEN"},
		{"_lead", "LEAD"},
		{"1num", "KEY_1NUM"},
		{"Mixed-Case.x", "MIXED_CASE_X"},

		{"api-key", "API_KEY"},
		{"db_password", "DB_PASSWORD"},
		{"MixedCase_9", "MIXEDCASE_9"},
		{"KEY2", "KEY2"},
		{"_", "UNNAMED_KEY"},
		{"__X__", "X__"},                 // only leading '_' go
		{"___", "UNNAMED_KEY"},           // nothing left
		{"_9", "KEY_9"},                  // '_' go first, then the digit gets KEY_
		{"-9", "KEY_9"},                  // '-' → '_' → gone
		{"0", "KEY_0"},                   // never empty (PHP's empty("0") is not reached)
		{"0123456789", "KEY_0123456789"}, // a leading digit is prefixed
		{"1PASSWORD", "KEY_1PASSWORD"},   //
		{"9-lives", "KEY_9_LIVES"},       //
		{"-leading", "LEADING"},          //
		{"a--b", "A__B"},                 // runs are not collapsed
		{"a.b", "A_B"},                   //
		{"a/b", "A_B"},                   // a KEY with '/' (listed from another tool)
		{"path/to/key", "PATH_TO_KEY"},   //
		{"a=b", "A_B"},                   //
		{"a+b", "A_B"},                   //
		{"a$b", "A_B"},                   //
		{"a\tb\n", "A_B_"},               // trailing ones stay
		{"a\x00b", "A_B"},                //
		{"café", "CAF__"},                // one '_' per byte, as PHP's byte-wise preg_replace
		{"ключ", "UNNAMED_KEY"},          // eight '_', all leading
		{"KEY_😀", "KEY_____"},            // a 4-byte rune gives four
		{"ＡＢ", "UNNAMED_KEY"},            // fullwidth letters are not ASCII letters
		{"a\xffb", "A_B"},                // invalid UTF-8 becomes '_' too
		{"ß", "UNNAMED_KEY"},             // strtoupper is ASCII-only; nothing is left anyway
		{"", "UNNAMED_KEY"},              //
		{"unnamed_key", "UNNAMED_KEY"},   // the same as an empty KEY: a collision
		{"key_1num", "KEY_1NUM"},         // the same as 1num
	}
	for _, tt := range tests {
		if got := render.VarName(tt.key); got != tt.want {
			t.Errorf("VarName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// TestVarNameOneCharacter: every one-byte or one-rune KEY.
func TestVarNameOneCharacter(t *testing.T) {
	const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for r := rune(0); r < 0x250; r++ {
		in := string(r)
		want := "UNNAMED_KEY"
		switch {
		case r >= 'A' && r <= 'Z':
			want = in
		case r >= 'a' && r <= 'z':
			want = string(upper[r-'a'])
		case r >= '0' && r <= '9':
			want = "KEY_" + in
		}
		if got := render.VarName(in); got != want {
			t.Errorf("VarName(%q) = %q, want %q", in, got, want)
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
	// The secret api-key becomes API_KEY, which replaces an inherited
	// API_KEY but leaves the inherited api_key and api-key alone.
	inherited := []string{"API_KEY=old", "api_key=lower", "api-key=other"}
	env := environ(t, inherited, secrets("api-key", "new"))
	checkVars(t, env.Vars, []string{"api_key=lower", "api-key=other", "API_KEY=new"})
	checkNames(t, "Injected", env.Injected, []string{"API_KEY"})
	checkNames(t, "Overridden", env.Overridden, []string{"API_KEY"})
}

func TestEnvironOrder(t *testing.T) {
	inherited := []string{"Z=1", "A=2", "M=3", "B=4"}
	env := environ(t, inherited, secrets("ZETA", "z", "alpha", "a", "Beta", "b", "_U", "u", "9X", "9"))
	// Inherited first in their order, then secrets sorted by variable name.
	checkVars(t, env.Vars, []string{
		"Z=1", "A=2", "M=3", "B=4",
		"ALPHA=a", "BETA=b", "KEY_9X=9", "U=u", "ZETA=z",
	})
	checkNames(t, "Injected", env.Injected, []string{"ALPHA", "BETA", "KEY_9X", "U", "ZETA"})
	if len(env.Overridden) != 0 {
		t.Errorf("Overridden = %q, want none", env.Overridden)
	}
}

func TestEnvironSortsByVarNameNotKey(t *testing.T) {
	// KEY "a-b" sorts before "a_a" by key, but its variable A_B sorts after A_A.
	env := environ(t, nil, secrets("a-b", "1", "a_a", "2"))
	checkVars(t, env.Vars, []string{"A_A=2", "A_B=1"})
	checkNames(t, "Injected", env.Injected, []string{"A_A", "A_B"})
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
		{"dash and underscore", secrets("api-key", "1", "api_key", "2"), "API_KEY", "api-key", "api_key"},
		{"reverse order", secrets("api_key", "2", "api-key", "1"), "API_KEY", "api-key", "api_key"},
		{"two non-underscore keys", secrets("DB", "x", "a-b", "1", "a.b", "2"), "A_B", "a-b", "a.b"},
		{"among others", secrets("A", "1", "X-Y", "2", "B", "3", "X_Y", "4"), "X_Y", "X-Y", "X_Y"},
		// The PHP Keep's mapping adds collisions of its own.
		{"case", secrets("db_password", "1", "DB_PASSWORD", "2"), "DB_PASSWORD", "DB_PASSWORD", "db_password"},
		{"leading underscore", secrets("_lead", "1", "LEAD", "2"), "LEAD", "LEAD", "_lead"},
		{"leading digit", secrets("1num", "1", "KEY_1NUM", "2"), "KEY_1NUM", "1num", "KEY_1NUM"},
		{"nothing left", secrets("---", "1", "@", "2"), "UNNAMED_KEY", "---", "@"},
		{"nested key", secrets("a/b", "1", "A_B", "2"), "A_B", "A_B", "a/b"},
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
	// API_KEY=k=1
	// DB_PASSWORD=s3cret
	// injected: [API_KEY DB_PASSWORD]
	// overridden: [DB_PASSWORD]
	// secrets api-key and api_key both map to the variable API_KEY
}

func ExampleVarName() {
	for _, key := range []string{"DB_PASSWORD", "api-token", "_lead", "1num", "Mixed-Case.x", "---"} {
		fmt.Println(render.VarName(key))
	}
	// Output:
	// DB_PASSWORD
	// API_TOKEN
	// LEAD
	// KEY_1NUM
	// MIXED_CASE_X
	// UNNAMED_KEY
}
