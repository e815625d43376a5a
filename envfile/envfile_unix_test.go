//go:build unix

package envfile_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/keep-run/keep/envfile"
)

// TestWriteMode0600: the file is 0600 however permissive the umask, with
// and without overwrite. (The umask is per process: no test here runs in
// parallel.)
func TestWriteMode0600(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	for _, overwrite := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, ".env")
		if overwrite {
			if err := os.WriteFile(path, []byte("old\n"), 0o666); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := envfile.Write(path, []byte(data), overwrite); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode(); got != 0o600 {
			t.Errorf("overwrite=%v: mode %v, want -rw-------", overwrite, got)
		}
		checkContent(t, path, data)
		checkEntries(t, dir, ".env")
	}
}
