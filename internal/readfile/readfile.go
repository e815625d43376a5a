// Package readfile reads the files keep is given — settings, vault files,
// templates, an existing .env — safely: only a regular file, opened
// without blocking (a FIFO or a device is refused, never waited on or
// read), and at most a documented size, so that a hostile path cannot
// hang keep or grow it without bound.
package readfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/keep-run/keep/internal/hint"
)

// The caps, far above what keep's files hold: a settings or vault file is
// a few hundred bytes; a template or .env a few KiB (a Secrets Manager
// value is at most 64 KiB).
const (
	MaxJSON   = 1 << 20 // .keep/settings.json and .keep/vaults/*.json: 1 MiB
	MaxDotenv = 4 << 20 // a template, or the .env export --append adds to: 4 MiB
)

// Read returns the contents of the regular file at path, at most max
// bytes. With noFollow, a symlink at path is refused too (where the
// platform can tell). A missing file is an error that wraps
// fs.ErrNotExist; the others are *hint.Error naming path.
func Read(path string, max int64, noFollow bool) ([]byte, error) {
	flags := os.O_RDONLY | oNonBlock
	if noFollow {
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, symlink(path)
		}
		flags |= oNoFollow // and no link put there since
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		if noFollow && isLoop(err) {
			return nil, symlink(path)
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &hint.Error{Msg: fmt.Sprintf("%s is not a regular file (%s)", path, kind(fi.Mode())), Help: "give the path of a regular file"}
	}
	if fi.Size() > max {
		return nil, tooLarge(path, max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max { // it grew while read
		return nil, tooLarge(path, max)
	}
	return data, nil
}

func symlink(path string) error {
	return &hint.Error{Msg: fmt.Sprintf("%s is a symlink; keep does not read or write secrets through one", path), Help: "remove the link, or give the file's own path"}
}

func tooLarge(path string, max int64) error {
	return &hint.Error{Msg: fmt.Sprintf("%s is larger than %d MiB, more than keep reads from such a file", path, max>>20), Help: "check that this is the file you meant"}
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// isLoop: O_NOFOLLOW on a symlink fails with ELOOP.
func isLoop(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && isELOOP(pe.Err)
}
