package cli

import (
	"errors"
	"sync"

	"github.com/keep-run/keep/envfile"
)

// output is the file of --output: replaced atomically by each re-render,
// removed once when keep exits, and never written again after that.
type output struct {
	path   string
	mu     sync.Mutex
	file   *envfile.File
	closed bool
}

// replace writes data over the file atomically (a new file beside it,
// 0600, renamed over it).
func (o *output) replace(data []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return errors.New("the command has ended")
	}
	f, err := envfile.Write(o.path, data, true)
	if err != nil {
		return err
	}
	_ = o.file.Remove() // the old one is gone: this only lets go of it
	o.file = f
	return nil
}

// remove deletes the file, once; later replaces fail.
func (o *output) remove() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.closed {
		o.closed = true
		_ = o.file.Remove()
	}
}
