//go:build unix

package runner

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLookup(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exe := write("keep-exe", 0o755)
	noexec := write("keep-noexec", 0o644)
	t.Setenv("PATH", dir+string(filepath.ListSeparator)+"/nonexistent")

	for _, tc := range []struct {
		name     string
		wantPath string
		wantCode int // 0: found
	}{
		{"keep-exe", exe, 0},
		{exe, exe, 0},
		{"keep-noexec", "", CodeNotExecutable},
		{noexec, "", CodeNotExecutable},
		{dir, "", CodeNotExecutable},
		{"keep-missing", "", CodeNotFound},
		{filepath.Join(dir, "missing"), "", CodeNotFound},
		{"", "", CodeNotFound},
	} {
		path, err := Lookup(tc.name)
		if tc.wantCode == 0 {
			if err != nil || path != tc.wantPath {
				t.Errorf("Lookup(%q) = %q, %v; want %q", tc.name, path, err, tc.wantPath)
			}
			continue
		}
		var se *StartError
		if !errors.As(err, &se) || se.ExitCode() != tc.wantCode {
			t.Errorf("Lookup(%q) error = %v, want a StartError with code %d", tc.name, err, tc.wantCode)
			continue
		}
		if se.Hint() == "" {
			t.Errorf("Lookup(%q): no hint", tc.name)
		}
	}
}
