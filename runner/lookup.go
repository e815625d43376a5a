package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Lookup resolves name the way execvp(3) does, on keep's own PATH: a name
// with a slash is used as is, others are searched in PATH. A command found
// only without execute permission is a *StartError with code 126; a missing
// one, 127.
func Lookup(name string) (string, error) {
	if name == "" {
		return "", &StartError{Command: `""`, Err: fs.ErrNotExist}
	}
	if strings.ContainsRune(name, filepath.Separator) || strings.ContainsRune(name, '/') {
		if err := checkExecutable(name); err != nil {
			return "", &StartError{Command: name, Err: err}
		}
		return name, nil
	}
	path, err := exec.LookPath(name)
	if errors.Is(err, exec.ErrDot) {
		// A relative PATH entry such as "."; execvp would run it, so do we.
		err = nil
	}
	if err == nil {
		return path, nil
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, statErr := os.Stat(p); statErr == nil && !fi.IsDir() {
			return "", &StartError{Command: name, Err: checkExecutable(p)}
		}
	}
	return "", &StartError{Command: name, Err: fs.ErrNotExist}
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("is a directory")
	}
	if !isExecutable(fi) {
		return fs.ErrPermission
	}
	return nil
}
