package keeptest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Module is the import path of keep's main package, the module root. Keep
// is built by this path, not by a relative directory, so a build works
// from any package of the module.
const Module = "github.com/keep-run/keep"

// build runs go build for keep with flags, writing the binary to out.
func build(out string, flags ...string) error {
	args := append(append([]string{"build", "-o", out}, flags...), Module)
	if msg, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return nil
}

// Build builds keep afresh with extra go build flags (-ldflags,
// -buildvcs, …) into a directory of t's and returns the binary's path. It
// fails the test if the build fails. Tests that only need keep call Bin,
// which builds once.
func Build(t testing.TB, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "keep")
	if err := build(bin, flags...); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Bin is the path of keep built with the given build tags (none: the
// plain keep Main built before the tests). Each tag set is built once per
// test binary, on first use, by whichever test asks first; the others
// wait for it. A failed build fails every test that asks for it. Main
// removes the binaries when the tests end, so Bin is for packages whose
// TestMain calls Main.
func Bin(t testing.TB, tags ...string) string {
	t.Helper()
	path, err := binary(tags)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// builds are the binaries Bin made, by tag set, all in buildDir.
var (
	buildsMu sync.Mutex
	builds   = map[string]func() (string, error){}
	buildDir string
)

// binary builds keep with tags once and returns its path.
func binary(tags []string) (string, error) {
	tags = slices.Sorted(slices.Values(tags))
	key := strings.Join(tags, ",")
	buildsMu.Lock()
	once, ok := builds[key]
	if !ok {
		once = sync.OnceValues(func() (string, error) {
			dir, err := dirForBuilds()
			if err != nil {
				return "", err
			}
			name := "keep"
			var flags []string
			if len(tags) > 0 {
				name += "-" + strings.Join(tags, "-")
				flags = []string{"-tags", key}
			}
			path := filepath.Join(dir, name)
			return path, build(path, flags...)
		})
		builds[key] = once
	}
	buildsMu.Unlock()
	return once()
}

// dirForBuilds makes buildDir on first use.
func dirForBuilds() (string, error) {
	buildsMu.Lock()
	defer buildsMu.Unlock()
	if buildDir == "" {
		dir, err := os.MkdirTemp("", "keeptest-")
		if err != nil {
			return "", err
		}
		buildDir = dir
	}
	return buildDir, nil
}

// removeBuilds removes every binary Bin built.
func removeBuilds() {
	buildsMu.Lock()
	defer buildsMu.Unlock()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}
