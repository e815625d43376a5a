//go:build linux

package e2e

import (
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
)

// versionOutputs runs bin --version and bin version, checks that they
// print the same single line, and returns it.
func versionOutputs(t *testing.T, bin string) string {
	t.Helper()
	var lines []string
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("keep %s: %v", args[0], err)
		}
		lines = append(lines, string(out))
	}
	if lines[0] != lines[1] {
		t.Errorf("keep --version says %q, keep version %q", lines[0], lines[1])
	}
	if strings.Count(lines[0], "\n") != 1 {
		t.Errorf("keep --version: want one line, got %q", lines[0])
	}
	return strings.TrimSuffix(lines[0], "\n")
}

func TestVersionFromLdflags(t *testing.T) {
	bin := keeptest.Build(t, "-ldflags", "-X main.version=v9.8.7 -X main.commit=0123456789ab -X main.date=2026-01-02T03:04:05Z")
	want := "keep v9.8.7 (commit 0123456789ab, built 2026-01-02T03:04:05Z, " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if got := versionOutputs(t, bin); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestVersionWithoutBuildStamp(t *testing.T) {
	got := versionOutputs(t, keeptest.Build(t, "-buildvcs=false"))
	if !strings.HasPrefix(got, "keep dev (commit unknown, built unknown, go") {
		t.Errorf("got %q, want dev and unknowns", got)
	}
}

// TestVersionFromVCS builds in this checkout with -buildvcs=true, as a
// developer's go build does when GOFLAGS does not turn it off.
func TestVersionFromVCS(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout, or no git (%v): the VCS stamp is not checked", err)
	}
	got := versionOutputs(t, keeptest.Build(t, "-buildvcs=true"))
	want := regexp.MustCompile(`^keep v\S+ \(commit ` + string(head[:12]) + `(-dirty)?, built \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, go`)
	if !want.MatchString(got) {
		t.Errorf("got %q, want it to match %s", got, want)
	}
}
