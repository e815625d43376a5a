//go:build unix

package readfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path     string
		max      int64
		noFollow bool
		want     string // data, or the error's text
	}{
		{file, 10, false, "0123456789"},
		{file, 9, false, "is larger than 0 MiB"},
		{link, 10, false, "0123456789"},
		{link, 10, true, "link is a symlink"},
		{fifo, 10, false, "fifo is not a regular file (a named pipe)"}, // returns at once: opened without blocking
		{dir, 10, false, "is not a regular file (a directory)"},
		{"/dev/zero", 10, false, "is not a regular file (a device)"},
	} {
		data, err := Read(tc.path, tc.max, tc.noFollow)
		got := string(data)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("Read(%s, %d, %v) = %q, want %q", tc.path, tc.max, tc.noFollow, got, tc.want)
		}
	}
	if _, err := Read(filepath.Join(dir, "none"), 10, false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
}
