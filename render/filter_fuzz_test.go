package render_test

import (
	"errors"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/render"
)

// FuzzFilter: ParseFilter never panics; it rejects a list with a
// malformed glob as a *FilterError naming the flag, and otherwise keeps
// exactly the list's non-empty items, trimmed. A glob it accepts is well
// formed for every KEY — Match ignores path.Match's error, so a glob that
// failed on some KEY would quietly let a secret through --except — and
// Match agrees with path.Match on each glob: out if any --except glob
// matches, else in if --only is empty or one of its globs matches.
func FuzzFilter(f *testing.F) {
	for _, tc := range []struct{ only, except, key string }{
		{"", "", "DB_PASSWORD"},
		{"DB_*,API_*", "", "DB_PASSWORD"},
		{" DB_* , ,,API_KEY ,", "", "API_KEY"},
		{"DB_*", "DB_ADMIN*", "DB_ADMIN_PASSWORD"},
		{"", "DEBUG_*, LEGACY", "LEGACY"},
		{"KEY?", "", "KEY-"},
		{"[a-z]*", "", "api_key"},
		{"[^A-Z]*", "[!a]*", "b"},
		{`\*`, "", "*"},
		{"[", "", "x"},
		{"*[", "", ""},
		{"a[", "", "a"},
		{`a\`, "", "a"},
		{"[]", "", "]"},
		{"[a-]", "", "-"},
		{"[\\]]", "", "]"},
		{"DB_*", "[z-a]", "DB_X"},
		{",", "", "x"},
		{" , ", "x", "x"},
		{"*", "*/x", "a/x"},
		{"é*", "", "éclair"},
		{"\xff*", "", "\xffx"},
		{"[\xff]", "", "\xff"},
	} {
		f.Add(tc.only, tc.except, tc.key)
	}
	f.Fuzz(func(t *testing.T, only, except, key string) {
		filter, err := render.ParseFilter(only, except)
		if err != nil {
			var fe *render.FilterError
			if !errors.As(err, &fe) || fe.Flag != "--only" && fe.Flag != "--except" || fe.Hint() == "" {
				t.Fatalf("ParseFilter(%q, %q): %T %v, want a *FilterError naming its flag, with a hint", only, except, err, err)
			}
			if list := map[string]string{"--only": only, "--except": except}[fe.Flag]; !strings.Contains(list, strings.TrimSpace(fe.Glob)) {
				t.Fatalf("ParseFilter(%q, %q): %v names a glob not in %s", only, except, err, fe.Flag)
			}
			return
		}
		checkGlobs(t, "--only", only, filter.Only, key)
		checkGlobs(t, "--except", except, filter.Except, key)

		want := !slices.ContainsFunc(filter.Except, func(g string) bool { return match(g, key) }) &&
			(len(filter.Only) == 0 || slices.ContainsFunc(filter.Only, func(g string) bool { return match(g, key) }))
		if got := filter.Match(key); got != want {
			t.Fatalf("%s: Match(%q) = %v, path.Match on each glob says %v", filter, key, got, want)
		}
		if filter.IsZero() != (len(filter.Only) == 0 && len(filter.Except) == 0) {
			t.Fatalf("%s: IsZero() = %v", filter, filter.IsZero())
		}
		if filter.IsZero() && !filter.Match(key) {
			t.Fatalf("the zero filter does not match %q", key)
		}
	})
}

// checkGlobs: globs are list's non-empty comma-separated items, trimmed,
// each well formed for key.
func checkGlobs(t *testing.T, flag, list string, globs []string, key string) {
	t.Helper()
	var want []string
	for _, g := range strings.Split(list, ",") {
		if g = strings.TrimSpace(g); g != "" {
			want = append(want, g)
		}
	}
	if !slices.Equal(globs, want) {
		t.Fatalf("%s=%q gives the globs %q, want %q", flag, list, globs, want)
	}
	for _, g := range globs {
		if _, err := path.Match(g, key); err != nil {
			t.Fatalf("%s=%q: ParseFilter accepted %q, but path.Match(%q, %q) fails: %v", flag, list, g, g, key, err)
		}
	}
}

func match(glob, key string) bool {
	ok, err := path.Match(glob, key)
	return ok && err == nil
}
