package envfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/keep-run/keep/envfile"
)

// The data written here is synthetic, so failures may print it (%q).

const data = "API_KEY='s3cr3t'\n"

// entries lists dir's names, so a test can see that no temporary file is
// left behind.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func checkEntries(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := entries(t, dir); !slices.Equal(got, want) {
		t.Errorf("%s holds %q, want %q (no temporary file left)", dir, got, want)
	}
}

func checkContent(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s holds %q, want %q", path, got, want)
	}
}

// checkRefusal: err is an *envfile.Error whose message has want and that
// says what to do.
func checkRefusal(t *testing.T, err error, want string) {
	t.Helper()
	var e *envfile.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v, want *envfile.Error", err, err)
	}
	if !strings.Contains(e.Error(), want) || e.Hint() == "" {
		t.Errorf("error %q (hint %q), want %q and a hint", e.Error(), e.Hint(), want)
	}
}

// written writes data to .env in a new directory of t's, without
// overwrite, and stops the test if Write fails.
func written(t *testing.T) (dir, path string, f *envfile.File) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, ".env")
	f, err := envfile.Write(path, []byte(data), false)
	if err != nil {
		t.Fatal(err)
	}
	return dir, path, f
}

func TestWrite(t *testing.T) {
	dir, path, f := written(t)
	if f.Path != path {
		t.Errorf("Path = %q, want %q", f.Path, path)
	}
	checkContent(t, path, data)
	checkEntries(t, dir, ".env")
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() {
		t.Errorf("mode %v, want a regular file", fi.Mode())
	}
}

func TestWriteEmpty(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "empty.env")
	if _, err := envfile.Write(path, nil, false); err != nil {
		t.Fatal(err)
	}
	checkContent(t, path, "")
	checkEntries(t, dir, "empty.env")
}

// existing is a .env of someone else's, holding content with mode 0644,
// in a new directory of t's.
func existing(t *testing.T, content string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, ".env")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

func TestWriteRefusesExisting(t *testing.T) {
	dir, path := existing(t, "mine\n")
	_, err := envfile.Write(path, []byte(data), false)
	checkRefusal(t, err, "already exists")
	if err != nil && !strings.Contains(err.(*envfile.Error).Hint(), "--overwrite") {
		t.Errorf("hint %q, want it to name --overwrite", err.(*envfile.Error).Hint())
	}
	checkContent(t, path, "mine\n")
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("the existing file's mode changed to %v", fi.Mode())
	}
	checkEntries(t, dir, ".env")
}

// TestWriteOverwrite replaces the file by rename: a new file (0600 though
// the old one was 0644), while a reader that had the old one open keeps
// reading the old content, never a half-written mix.
func TestWriteOverwrite(t *testing.T) {
	dir, path := existing(t, "old content\n")
	old, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	oldInfo, err := old.Stat()
	if err != nil {
		t.Fatal(err)
	}

	f, err := envfile.Write(path, []byte(data), true)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, path, data)
	checkEntries(t, dir, ".env")
	newInfo, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(oldInfo, newInfo) {
		t.Error("the file was rewritten in place, want a new file renamed over it")
	}
	if got := newInfo.Mode().Perm(); got != 0o600 {
		t.Errorf("mode %v, want 0600", got)
	}
	b := make([]byte, 64)
	n, _ := old.Read(b)
	if string(b[:n]) != "old content\n" {
		t.Errorf("a reader of the old file reads %q, want the old content", b[:n])
	}

	// Overwriting again replaces keep's own file too.
	if _, err := envfile.Write(path, []byte("second\n"), true); err != nil {
		t.Fatal(err)
	}
	checkContent(t, path, "second\n")
	checkEntries(t, dir, ".env")
	// The first File no longer names what is at path: Remove leaves it.
	if err := f.Remove(); err != nil {
		t.Fatal(err)
	}
	checkContent(t, path, "second\n")
}

func TestWriteOverwriteMissingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	if _, err := envfile.Write(path, []byte(data), true); err != nil {
		t.Fatal(err)
	}
	checkContent(t, path, data)
	checkEntries(t, dir, ".env")
}

// TestWriteRefusesSymlink: a symlink at path is refused with and without
// overwrite, whether it points at a file, at nothing, or at a directory,
// and nothing is written through it.
func TestWriteRefusesSymlink(t *testing.T) {
	for _, overwrite := range []bool{false, true} {
		for _, target := range []string{"file", "dangling", "dir"} {
			dir := t.TempDir()
			other := t.TempDir()
			path := filepath.Join(dir, ".env")
			dest := filepath.Join(other, "target")
			switch target {
			case "file":
				if err := os.WriteFile(dest, []byte("target\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			case "dir":
				if err := os.Mkdir(dest, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(dest, path); err != nil {
				t.Fatal(err)
			}
			_, err := envfile.Write(path, []byte(data), overwrite)
			checkRefusal(t, err, "symlink")
			if link, err := os.Readlink(path); err != nil || link != dest {
				t.Errorf("overwrite=%v, %s: the link now reads %q, %v", overwrite, target, link, err)
			}
			switch target {
			case "file":
				checkContent(t, dest, "target\n")
				checkEntries(t, other, "target")
			case "dangling":
				checkEntries(t, other) // not created through the link
			case "dir":
				checkEntries(t, dest)
			}
			checkEntries(t, dir, ".env")
		}
	}
}

func TestWriteRefusesDirectory(t *testing.T) {
	for _, overwrite := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "out")
		if err := os.Mkdir(path, 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := envfile.Write(path, []byte(data), overwrite)
		checkRefusal(t, err, "not a regular file")
		if fi, err := os.Lstat(path); err != nil || !fi.IsDir() {
			t.Errorf("overwrite=%v: the directory is gone: %v", overwrite, err)
		}
		checkEntries(t, path)
		checkEntries(t, dir, "out")
	}
}

func TestWriteMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "no", "such", ".env")
	for _, overwrite := range []bool{false, true} {
		_, err := envfile.Write(path, []byte(data), overwrite)
		checkRefusal(t, err, path)
		var e *envfile.Error
		if errors.As(err, &e) && !strings.Contains(e.Hint(), "directory exists") {
			t.Errorf("hint %q, want it to say the directory must exist", e.Hint())
		}
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("error %v does not wrap fs.ErrNotExist", err)
		}
	}
	checkEntries(t, dir)
}

// TestWriteRace: writers racing for one path without overwrite — one
// wins, the others are refused, whether by the first check or by the link
// that moves the file into place; no temporary file is left either way.
func TestWriteRace(t *testing.T) {
	for round := 0; round < 20; round++ {
		dir := t.TempDir()
		path := filepath.Join(dir, ".env")
		const writers = 8
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = envfile.Write(path, []byte(strings.Repeat("x", i+1)), false)
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
				checkContent(t, path, strings.Repeat("x", i+1))
				continue
			}
			checkRefusal(t, err, "already exists")
		}
		if won != 1 {
			t.Fatalf("round %d: %d writers succeeded, want 1", round, won)
		}
		checkEntries(t, dir, ".env")
	}
}

func TestRemove(t *testing.T) {
	dir, _, f := written(t)
	if err := f.Remove(); err != nil {
		t.Fatal(err)
	}
	checkEntries(t, dir)
	// Gone already: no error, and still nothing there.
	if err := f.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
	checkEntries(t, dir)
}

func TestRemoveGoneFile(t *testing.T) {
	dir, path, f := written(t)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove(); err != nil {
		t.Errorf("Remove of a file already gone: %v", err)
	}
	// The directory gone too.
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove(); err != nil {
		t.Errorf("Remove with the directory gone: %v", err)
	}
}

// TestRemoveLeavesReplacement: a file someone put at path after Write is
// theirs, whether they renamed it over keep's file, deleted keep's file
// and created theirs, or put a symlink or a directory there.
func TestRemoveLeavesReplacement(t *testing.T) {
	replace := map[string]func(t *testing.T, path string){
		"renamed over": func(t *testing.T, path string) {
			tmp := path + ".new"
			if err := os.WriteFile(tmp, []byte("theirs\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		},
		"deleted and created": func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			// A file system may give the new file the old one's inode.
			if err := os.WriteFile(path, []byte("theirs\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"symlink": func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/dev/null", path); err != nil {
				t.Fatal(err)
			}
		},
		"directory": func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, fn := range replace {
		t.Run(name, func(t *testing.T) {
			for range 10 { // inode reuse is a matter of chance
				_, path, f := written(t)
				fn(t, path)
				if err := f.Remove(); err != nil {
					t.Errorf("Remove: %v", err)
				}
				if _, err := os.Lstat(path); err != nil {
					t.Fatalf("Remove deleted the replacement: %v", err)
				}
				if name == "renamed over" || name == "deleted and created" {
					checkContent(t, path, "theirs\n")
				}
			}
		})
	}
}

// TestRemoveAfterEdit: keep's own file, edited in place by the child, is
// still keep's and is removed.
func TestRemoveAfterEdit(t *testing.T) {
	dir, path, f := written(t)
	if err := os.WriteFile(path, []byte("edited in place, longer than before\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove(); err != nil {
		t.Fatal(err)
	}
	checkEntries(t, dir)
}
