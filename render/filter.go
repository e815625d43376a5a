package render

import (
	"fmt"
	"path"
	"strings"
)

// Filter selects secrets by KEY with globs matched like path.Match.
// The zero Filter selects everything.
type Filter struct {
	Only   []string // when non-empty, a KEY must match one of these
	Except []string // a KEY matching one of these is left out, even if in Only
}

// ParseFilter builds a Filter from comma-separated glob lists such as
// "DB_*,API_*". Empty items are ignored; a malformed glob is an error.
func ParseFilter(only, except string) (Filter, error) {
	var f Filter
	var err error
	if f.Only, err = splitGlobs("--only", only); err != nil {
		return Filter{}, err
	}
	if f.Except, err = splitGlobs("--except", except); err != nil {
		return Filter{}, err
	}
	return f, nil
}

func splitGlobs(flag, list string) ([]string, error) {
	if strings.TrimSpace(list) != "" && strings.Trim(list, ", ") == "" {
		return nil, &FilterError{Flag: flag, Glob: list}
	}
	var globs []string
	for _, g := range strings.Split(list, ",") {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		if _, err := path.Match(g, ""); err != nil {
			return nil, &FilterError{Flag: flag, Glob: g}
		}
		globs = append(globs, g)
	}
	return globs, nil
}

// Match reports whether key passes the filter: --except wins over --only.
func (f Filter) Match(key string) bool {
	for _, g := range f.Except {
		if ok, _ := path.Match(g, key); ok {
			return false
		}
	}
	if len(f.Only) == 0 {
		return true
	}
	for _, g := range f.Only {
		if ok, _ := path.Match(g, key); ok {
			return true
		}
	}
	return false
}

// IsZero reports whether f selects everything.
func (f Filter) IsZero() bool { return len(f.Only) == 0 && len(f.Except) == 0 }

// String describes f for messages, e.g. "--only=DB_* --except=DB_ADMIN".
func (f Filter) String() string {
	var parts []string
	if len(f.Only) > 0 {
		parts = append(parts, "--only="+strings.Join(f.Only, ","))
	}
	if len(f.Except) > 0 {
		parts = append(parts, "--except="+strings.Join(f.Except, ","))
	}
	return strings.Join(parts, " ")
}

// FilterError is a malformed glob.
type FilterError struct {
	Flag, Glob string
}

func (e *FilterError) Error() string {
	if strings.Trim(e.Glob, ", ") == "" {
		return fmt.Sprintf("%s: no glob in %q", e.Flag, e.Glob)
	}
	return fmt.Sprintf("%s: malformed glob %q", e.Flag, e.Glob)
}

// Hint explains the glob syntax.
func (e *FilterError) Hint() string {
	return "globs use * ? and [a-z], separated by commas, e.g. --only='DB_*,API_*'"
}
