//go:build linux

package e2e

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
)

// The checks tests make of how keep ended, what it printed and the files
// it left.

// mustSucceed stops the test unless keep exited 0.
func mustSucceed(t *testing.T, res result) {
	t.Helper()
	if res.Code != 0 {
		// Not stdout: a command's or its child's may hold a value.
		t.Fatalf("keep exited %d; stdout: %d bytes; stderr:\n%s", res.Code, len(res.Stdout), res.Stderr)
	}
}

// wantStdout checks that keep succeeded and printed each of has.
func wantStdout(t *testing.T, res result, has ...string) {
	t.Helper()
	mustSucceed(t, res)
	for _, s := range has {
		if !strings.Contains(res.Stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, res.Stdout)
		}
	}
}

// wantExit checks keep's exit code, that stderr holds each of stderrHas,
// and that keep printed nothing on stdout.
func wantExit(t *testing.T, res result, code int, stderrHas ...string) {
	t.Helper()
	wantCode(t, res, code, stderrHas...)
	if res.Stdout != "" {
		t.Errorf("keep wrote to stdout (the child never ran, so it was keep): %q", res.Stdout)
	}
}

// wantFailed checks keep's exit code and that stderr holds each of
// stderrHas, whatever keep printed on stdout — but no secret value there
// either.
func wantFailed(t *testing.T, res result, code int, stderrHas ...string) {
	t.Helper()
	wantCode(t, res, code, stderrHas...)
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
}

func wantCode(t *testing.T, res result, code int, stderrHas ...string) {
	t.Helper()
	if res.Code != code {
		t.Errorf("exit code = %d, want %d; stderr:\n%s", res.Code, code, res.Stderr)
	}
	for _, s := range stderrHas {
		if !strings.Contains(res.Stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, res.Stderr)
		}
	}
}

// wantLines checks keep's exit code and that stdout is exactly one line per
// entry of lines, each starting with it.
func wantLines(t *testing.T, res result, code int, lines ...string) {
	t.Helper()
	if res.Code != code {
		t.Errorf("exit code = %d, want %d; stderr:\n%s", res.Code, code, res.Stderr)
	}
	got := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	if len(got) != len(lines) {
		t.Errorf("stdout has %d lines, want %d:\n%s", len(got), len(lines), res.Stdout)
		return
	}
	for i, l := range lines {
		if !strings.HasPrefix(got[i], l) {
			t.Errorf("line %d is %q, want it to start with %q", i+1, got[i], l)
		}
	}
}

// tableRows splits a table on stdout into rows of fields, up to the first
// blank line.
func tableRows(out string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

// childEnv decodes the child:env dump from stdout.
func childEnv(t *testing.T, res result) map[string]string {
	t.Helper()
	if res.Code != 0 {
		t.Fatalf("keep exited %d; stderr:\n%s", res.Code, res.Stderr)
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(res.Stdout), &env); err != nil {
		t.Fatalf("child output is not an env dump (%v); stderr:\n%s", err, res.Stderr)
	}
	return env
}

// hasOnly checks that env holds each of want with its value, and none of
// absent.
func hasOnly(t *testing.T, env map[string]string, want map[string]string, absent ...string) {
	t.Helper()
	for k, v := range want {
		got, ok := env[k]
		switch {
		case !ok:
			t.Errorf("child lacks %s", k)
		case got != v:
			t.Errorf("child's %s differs from the secret (%d bytes, want %d)", k, len(got), len(v))
		}
	}
	for _, k := range absent {
		if _, ok := env[k]; ok {
			t.Errorf("child has %s, which must not be injected", k)
		}
	}
}

// sameVars checks that got holds exactly the variables of want, with their
// values. what names the output in the messages, which name the variables
// that differ, never a value.
func sameVars(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		v, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s lacks %s", what, k)
		case v != want[k]:
			t.Errorf("%s: %s differs (%d bytes, want %d)", what, k, len(v), len(want[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s has %s, want none", what, k)
		}
	}
}

// signaled is the signal keep died of, if it died of one.
func signaled(res result) (syscall.Signal, bool) {
	ws, ok := res.State.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	return ws.Signal(), true
}

// wantFile checks that path is a 0600 file holding exactly content. A
// difference is told by lengths and offset, never by the contents: they
// hold secret values.
func wantFile(t *testing.T, path, content string) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(data); got != content {
		at := 0
		for at < min(len(got), len(content)) && got[at] == content[at] {
			at++
		}
		t.Errorf("%s differs: %d bytes, want %d; first difference at byte %d (line %d)",
			path, len(got), len(content), at, strings.Count(got[:at], "\n")+1)
	}
}

// wantFiles fails unless dir holds exactly the named entries: no temporary
// file of keep's is left behind.
func wantFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// wantGone fails if path still exists.
func wantGone(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); err == nil {
		t.Errorf("%s still exists after keep exited", path)
	} else if !os.IsNotExist(err) {
		t.Error(err)
	}
}
