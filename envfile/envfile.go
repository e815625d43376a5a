// Package envfile writes rendered .env files that hold secrets: created
// 0600 and complete before anyone can open them, never through a symlink,
// never over an existing file unless asked, and removed again only if it
// is still the file keep wrote.
package envfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/keep-run/keep/internal/hint"
)

// File is a file Write created.
type File struct {
	Path string
	info os.FileInfo
	// pin holds the file open until Remove (on Unix), so that its inode
	// number cannot be reused by a file put in its place: file systems
	// such as ext4 hand a freed number to the next new file at once.
	pin *os.File
}

// Error is a refusal or failure to write, with what to do.
type Error = hint.Error

// Write writes data to path. It writes a temporary file in the same
// directory (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600), syncs it, and moves it
// into place: with overwrite by rename, which replaces an existing file
// atomically; without, by link, which fails if path exists by then. A
// symlink or non-regular file at path is refused, with or without
// overwrite.
func Write(path string, data []byte, overwrite bool) (*File, error) {
	if fi, err := os.Lstat(path); err == nil {
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil, &Error{Msg: fmt.Sprintf("%s is a symlink; keep does not write secrets through one", path), Help: "remove the link or choose another --output"}
		case !fi.Mode().IsRegular():
			return nil, &Error{Msg: fmt.Sprintf("%s exists and is not a regular file", path), Help: "choose another --output"}
		case !overwrite:
			return nil, &Error{Msg: fmt.Sprintf("%s already exists", path), Help: "pass --overwrite to replace it, or choose another --output"}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Msg: fmt.Sprintf("check %s: %v", path, err), Err: err}
	}

	tmp, pin, err := writeTemp(path, data)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("write %s: %v", path, err), Help: "check that the directory exists and is writable", Err: err}
	}
	defer os.Remove(tmp) // a no-op once renamed
	if overwrite {
		err = os.Rename(tmp, path)
	} else {
		err = os.Link(tmp, path)
	}
	if err != nil {
		if pin != nil {
			pin.Close()
		}
		if errors.Is(err, fs.ErrExist) {
			return nil, &Error{Msg: fmt.Sprintf("%s already exists", path), Help: "pass --overwrite to replace it, or choose another --output", Err: err}
		}
		return nil, &Error{Msg: fmt.Sprintf("write %s: %v", path, err), Err: err}
	}
	// In place: from here a failure must not leave the secrets behind.
	var info os.FileInfo
	if pin != nil {
		info, err = pin.Stat()
	} else {
		info, err = os.Lstat(path)
	}
	if err != nil {
		if pin != nil {
			pin.Close()
		}
		os.Remove(path)
		return nil, &Error{Msg: fmt.Sprintf("write %s: %v", path, err), Err: err}
	}
	return &File{Path: path, info: info, pin: pin}, nil
}

// writeTemp writes data to a new file next to path and returns its name,
// and on Unix the file still open, to pin its inode.
func writeTemp(path string, data []byte) (string, *os.File, error) {
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return "", nil, err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".keep-"+hex.EncodeToString(suffix[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	if err != nil {
		return "", nil, err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err != nil || !pinInode {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		f = nil
	}
	if err != nil {
		os.Remove(tmp)
		return "", nil, err
	}
	return tmp, f, nil
}

// Remove deletes the file if path still names the file Write created; a
// file someone put in its place is left alone. A file already gone is not
// an error. Call it once: it lets go of the file.
func (f *File) Remove() error {
	if f.pin != nil {
		defer f.pin.Close() // after the comparison: until then the inode is ours
	}
	fi, err := os.Lstat(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !os.SameFile(fi, f.info) {
		return nil
	}
	return os.Remove(f.Path)
}
