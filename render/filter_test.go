package render_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/keep-run/keep/render"
)

func TestFilterMatch(t *testing.T) {
	tests := []struct {
		name         string
		only, except string
		match        []string
		skip         []string
	}{
		{
			name:  "empty filter matches all",
			match: []string{"DB_PASSWORD", "API_KEY", "api-key", "X", "_"},
		},
		{
			name:  "only list",
			only:  "DB_*,API_*",
			match: []string{"DB_PASSWORD", "DB_", "API_KEY"},
			skip:  []string{"MAIL_HOST", "DB", "db_password", "XDB_PASSWORD", "API"},
		},
		{
			name:  "spaces and empty items are ignored",
			only:  " DB_* , ,,API_KEY ,",
			match: []string{"DB_HOST", "API_KEY"},
			skip:  []string{"API_KEY2", "MAIL_HOST"},
		},
		{
			name:   "except wins over only",
			only:   "DB_*",
			except: "DB_ADMIN*",
			match:  []string{"DB_HOST", "DB_PASSWORD"},
			skip:   []string{"DB_ADMIN", "DB_ADMIN_PASSWORD", "API_KEY"},
		},
		{
			name:   "except alone",
			except: "DEBUG_*, LEGACY",
			match:  []string{"DB_HOST", "LEGACY_TOKEN", "DEBUG"},
			skip:   []string{"DEBUG_", "DEBUG_SQL", "LEGACY"},
		},
		{
			name:  "question mark matches one character",
			only:  "KEY?",
			match: []string{"KEY1", "KEYA", "KEY-", "KEY_"},
			skip:  []string{"KEY", "KEY12"},
		},
		{
			name:  "character class",
			only:  "[a-z]*",
			match: []string{"api_key", "x"},
			skip:  []string{"API_KEY", "1KEY", "_key"},
		},
		{
			name:  "negated character class",
			only:  "[^A-Z]*",
			match: []string{"api_key", "1KEY"},
			skip:  []string{"API_KEY"},
		},
		{
			name:  "globs are case-sensitive",
			only:  "db_*",
			match: []string{"db_host"},
			skip:  []string{"DB_HOST"},
		},
		{
			name:  "exact name",
			only:  "DB_PASSWORD",
			match: []string{"DB_PASSWORD"},
			skip:  []string{"DB_PASSWORD2", "XDB_PASSWORD"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := render.ParseFilter(tt.only, tt.except)
			if err != nil {
				t.Fatalf("ParseFilter(%q, %q): %v", tt.only, tt.except, err)
			}
			for _, key := range tt.match {
				if !f.Match(key) {
					t.Errorf("filter %q: Match(%q) = false, want true", f, key)
				}
			}
			for _, key := range tt.skip {
				if f.Match(key) {
					t.Errorf("filter %q: Match(%q) = true, want false", f, key)
				}
			}
		})
	}
}

func TestZeroFilterMatchesAll(t *testing.T) {
	var f render.Filter
	if !f.IsZero() {
		t.Error("zero Filter: IsZero() = false")
	}
	for _, key := range []string{"A", "DB_PASSWORD", "api-key"} {
		if !f.Match(key) {
			t.Errorf("zero Filter: Match(%q) = false", key)
		}
	}
}

func TestParseFilterWithoutGlobs(t *testing.T) {
	// A list of only separators was meant to hold globs: selecting
	// everything instead would be a surprise.
	for _, list := range []string{",", " , ,, "} {
		if _, err := render.ParseFilter(list, ""); err == nil || !strings.Contains(err.Error(), "--only: no glob") {
			t.Errorf("ParseFilter(%q, \"\") error = %v, want --only: no glob", list, err)
		}
		if _, err := render.ParseFilter("", list); err == nil || !strings.Contains(err.Error(), "--except: no glob") {
			t.Errorf("ParseFilter(\"\", %q) error = %v, want --except: no glob", list, err)
		}
	}
}

func TestParseFilterIgnoresEmptyItems(t *testing.T) {
	for _, list := range []string{"", " "} {
		f, err := render.ParseFilter(list, list)
		if err != nil {
			t.Fatalf("ParseFilter(%q, %q): %v", list, list, err)
		}
		if !f.IsZero() {
			t.Errorf("ParseFilter(%q, %q) = %+v, want the zero filter", list, list, f)
		}
	}
	f, err := render.ParseFilter(" DB_* ,, API_* ", ", LEGACY ,")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.Only, "|"), "DB_*|API_*"; got != want {
		t.Errorf("Only = %q, want %q", got, want)
	}
	if got, want := strings.Join(f.Except, "|"), "LEGACY"; got != want {
		t.Errorf("Except = %q, want %q", got, want)
	}
	if f.IsZero() {
		t.Error("IsZero() = true for a filter with globs")
	}
}

func TestParseFilterMalformedGlob(t *testing.T) {
	tests := []struct {
		only, except string
		flag, glob   string
	}{
		{only: "[", flag: "--only", glob: "["},
		{only: "DB_*, [a-", flag: "--only", glob: "[a-"},
		{only: "DB_[", flag: "--only", glob: "DB_["},
		{only: `KEY\`, flag: "--only", glob: `KEY\`},
		{except: "[", flag: "--except", glob: "["},
		{only: "DB_*", except: "API_*,[]", flag: "--except", glob: "[]"},
	}
	for _, tt := range tests {
		f, err := render.ParseFilter(tt.only, tt.except)
		var fe *render.FilterError
		if !errors.As(err, &fe) {
			t.Errorf("ParseFilter(%q, %q) = %+v, %v; want a *render.FilterError", tt.only, tt.except, f, err)
			continue
		}
		if fe.Flag != tt.flag || fe.Glob != tt.glob {
			t.Errorf("ParseFilter(%q, %q): FilterError{Flag: %q, Glob: %q}, want {%q, %q}", tt.only, tt.except, fe.Flag, fe.Glob, tt.flag, tt.glob)
		}
		if msg := err.Error(); !strings.Contains(msg, tt.flag) || !strings.Contains(msg, tt.glob) {
			t.Errorf("error %q does not name the flag %s and the glob %q", msg, tt.flag, tt.glob)
		}
		if fe.Hint() == "" {
			t.Error("FilterError.Hint() is empty")
		}
		if !f.IsZero() {
			t.Errorf("ParseFilter(%q, %q) returned %+v with its error, want the zero Filter", tt.only, tt.except, f)
		}
	}
}

func TestFilterString(t *testing.T) {
	tests := []struct {
		only, except, want string
	}{
		{"", "", ""},
		{"DB_*", "", "--only=DB_*"},
		{"DB_*, API_*", "", "--only=DB_*,API_*"},
		{"", "DB_ADMIN", "--except=DB_ADMIN"},
		{"DB_*", "DB_ADMIN,DB_ROOT", "--only=DB_* --except=DB_ADMIN,DB_ROOT"},
	}
	for _, tt := range tests {
		f, err := render.ParseFilter(tt.only, tt.except)
		if err != nil {
			t.Fatalf("ParseFilter(%q, %q): %v", tt.only, tt.except, err)
		}
		if got := f.String(); got != tt.want {
			t.Errorf("ParseFilter(%q, %q).String() = %q, want %q", tt.only, tt.except, got, tt.want)
		}
	}
}
