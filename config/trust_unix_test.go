//go:build unix

package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// ownedBy is a FileInfo whose owner is uid.
type ownedBy struct {
	fs.FileInfo
	uid uint32
}

func (o ownedBy) Sys() any { return &syscall.Stat_t{Uid: o.uid} }

// fakeOwners makes stat report owners: uid for the paths in owners, and
// me for everything else; euid is me. Whoever runs the test (root in CI
// owns every temporary file), the check sees these owners.
func fakeOwners(t *testing.T, me uint32, owners map[string]uint32) {
	t.Helper()
	oldStat, oldEuid, oldGetenv := stat, euid, getenv
	t.Cleanup(func() { stat, euid, getenv = oldStat, oldEuid, oldGetenv })
	euid = func() int { return int(me) }
	getenv = func(string) string { return "" }
	stat = func(p string) (fs.FileInfo, error) {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if uid, ok := owners[p]; ok {
			return ownedBy{fi, uid}, nil
		}
		return ownedBy{fi, me}, nil
	}
}

// trustProject makes a project under a fresh directory: root/.keep with
// settings and one vault file.
func trustProject(t *testing.T) (root string) {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, Dir, "vaults"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"settings.json": `{"namespace":"app"}`, "vaults/sm.json": `{"driver":"secretsmanager"}`} {
		if err := os.WriteFile(filepath.Join(root, Dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func wantRefused(t *testing.T, dir string, has ...string) {
	t.Helper()
	p, err := FindProject(dir)
	if err == nil {
		t.Fatalf("FindProject(%s) = %+v, want it refused", dir, p)
	}
	var ce *Error
	if !strings.HasPrefix(err.Error(), "refusing the keep project at ") {
		t.Errorf("error %q", err)
	}
	for _, s := range has {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if !asError(err, &ce) || !strings.Contains(ce.Help, TrustEnv+"=") {
		t.Errorf("error %T %v: want a config.Error whose hint names %s", err, err, TrustEnv)
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	*target = e
	return ok
}

// Issue 18, point 1: another user's .keep/ (/tmp/.keep planted by a
// neighbour) is refused, naming the directory and its owner, unless
// KEEP_PROJECT names it; so is a project inside another user's directory,
// or one with a file inside .keep/ that is not ours.
func TestFindProjectRefusesAnotherUsersProject(t *testing.T) {
	root := trustProject(t)
	sub := filepath.Join(root, "app", "src")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, planted := range []string{
		filepath.Join(root, Dir),
		filepath.Join(root, Dir, "settings.json"),
		filepath.Join(root, Dir, "vaults"),
		filepath.Join(root, Dir, "vaults", "sm.json"),
		root,
		filepath.Dir(root),
	} {
		fakeOwners(t, 1000, map[string]uint32{planted: 4242})
		wantRefused(t, sub, "refusing the keep project at "+root, planted+" is owned by uid 4242, not by you (", "uid 1000)) or root")

		getenv = func(name string) string {
			if name == TrustEnv {
				return "/elsewhere" + string(filepath.ListSeparator) + root
			}
			return ""
		}
		if p, err := FindProject(sub); err != nil || p == nil || p.Root != root {
			t.Errorf("with %s=%s: FindProject = %+v, %v; want the project", TrustEnv, root, p, err)
		}
	}
	// Root's files are trusted, and so are ours.
	fakeOwners(t, 1000, map[string]uint32{filepath.Join(root, Dir): 0, root: 0})
	if p, err := FindProject(sub); err != nil || p == nil {
		t.Errorf("root's .keep/: FindProject = %+v, %v", p, err)
	}
}

// A .keep/ (or a directory above it) that every user may write to is
// refused whoever owns it — the real modes, so this holds for root too —
// but a world-writable parent with the sticky bit, like /tmp, is not.
func TestFindProjectRefusesWorldWritable(t *testing.T) {
	for _, rel := range []string{Dir, filepath.Join(Dir, "vaults"), filepath.Join(Dir, "settings.json"), "."} {
		root := trustProject(t)
		path := filepath.Join(root, rel)
		if err := os.Chmod(path, 0o777); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, root, "is writable by every user (mode -rwxrwxrwx)")
		t.Setenv(TrustEnv, root)
		if p, err := FindProject(root); err != nil || p == nil {
			t.Errorf("%s 0777 with %s set: FindProject = %+v, %v", rel, TrustEnv, p, err)
		}
		t.Setenv(TrustEnv, "")
	}
	root := trustProject(t)
	if err := os.Chmod(root, 0o777|fs.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if p, err := FindProject(root); err != nil || p == nil {
		t.Errorf("a sticky world-writable root: FindProject = %+v, %v", p, err)
	}
	if err := os.Chmod(filepath.Join(root, Dir), 0o777|fs.ModeSticky); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, root, filepath.Join(root, Dir)+" is writable by every user")
}
