//go:build unix

// Unix vs Windows: Unix gives the child a pipe or a pseudo-terminal per output and pumps it; Windows lets os/exec copy.

package runner

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// After the child has ended, keep copies what is left of its output until
// the end of it, or until it has been quiet for drainQuiet (a descendant
// may hold it open), for drainLimit at most.
const (
	drainQuiet = 50 * time.Millisecond
	drainLimit = time.Second
)

// outputs is the plumbing of Child.Filter. Without a filter the child gets
// keep's own files. With one, each of keep's stdout and stderr gets a pump:
// the child writes into a pipe, or into a pseudo-terminal where keep's file
// is a terminal, and the pump copies that through the filter to keep's
// file. When keep's stdout and stderr are the same file (2>&1, one
// terminal), the child's share one pump too, so their order is kept.
type outputs struct {
	files [3]*os.File // the child's stdin, stdout and stderr
	ends  []*os.File  // the child's ends, which keep closes once it started
	pumps []*pump
}

// pump copies the child's output from src through dst.
type pump struct {
	src    *os.File       // a pipe's read end or a pty master, pollable (deadlines work)
	dst    io.WriteCloser // the filter, writing to a duplicate of keep's file
	ptyOf  int            // the fd of keep's terminal whose size the pty copies, or -1
	ending atomic.Bool    // the child has ended: stop at the first quiet spell
	stop   atomic.Bool    // stop now
	done   chan struct{}
}

// openOutputs sets up the child's stdout and stderr for filter (nil: keep's
// own files) and starts the pumps.
func openOutputs(filter func(io.Writer) io.WriteCloser) (*outputs, error) {
	o := &outputs{files: [3]*os.File{os.Stdin, os.Stdout, os.Stderr}}
	if filter == nil {
		return o, nil
	}
	shared := sameFile(1, 2)
	for fd := 1; fd <= 2; fd++ {
		if fd == 2 && shared {
			o.files[2] = o.files[1]
			continue
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			continue // keep has no such file: neither has the child
		}
		end, err := o.open(fd, filter)
		if err != nil {
			o.started()
			o.drain()
			return nil, fmt.Errorf("pass the command's output through keep: %w", err)
		}
		o.files[fd] = end
	}
	return o, nil
}

// open starts the pump of keep's fd and returns the child's end.
func (o *outputs) open(fd int, filter func(io.Writer) io.WriteCloser) (*os.File, error) {
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	// A duplicate: a broken pipe on it is an error, where on fd 1 or 2 the
	// Go runtime would kill keep with SIGPIPE.
	own := os.NewFile(uintptr(dup), fmt.Sprintf("fd %d", fd))
	p := &pump{ptyOf: -1, done: make(chan struct{})}
	var end *os.File
	if term.IsTerminal(fd) {
		p.src, end, err = openPty(fd)
		p.ptyOf = fd
	} else {
		p.src, end, err = os.Pipe()
	}
	if err != nil {
		_ = own.Close()
		return nil, err
	}
	p.dst = filter(own)
	o.ends = append(o.ends, end)
	o.pumps = append(o.pumps, p)
	go p.run(own)
	return end, nil
}

// openPty opens a pseudo-terminal the size of keep's terminal fd, its
// output processing off (keep's terminal does it, as the child's own
// settings on it say). It returns the master, non-blocking so that
// deadlines work, and the slave.
func openPty(fd int) (master, slave *os.File, err error) {
	m, s, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	defer m.Close()
	if _, err := term.MakeRaw(int(s.Fd())); err != nil {
		_ = s.Close()
		return nil, nil, err
	}
	if ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ); err == nil {
		_ = unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, ws)
	}
	dup, err := unix.FcntlInt(m.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err == nil {
		err = unix.SetNonblock(dup, true)
	}
	if err != nil {
		_ = s.Close()
		return nil, nil, err
	}
	return os.NewFile(uintptr(dup), "pty"), s, nil
}

// started closes keep's copies of the child's ends, so that a pump sees the
// end of the output when the child and its descendants have closed theirs.
func (o *outputs) started() {
	for _, f := range o.ends {
		_ = f.Close()
	}
	o.ends = nil
}

// run copies until the end of the output, a deadline once the child has
// ended, or a write error, then flushes the filter. Closing src then makes
// the child's next write fail with EPIPE (SIGPIPE), as it would have on
// keep's broken file.
func (p *pump) run(own *os.File) {
	defer close(p.done)
	buf := make([]byte, 32<<10)
	for !p.stop.Load() {
		if p.ending.Load() {
			_ = p.src.SetReadDeadline(time.Now().Add(drainQuiet))
		}
		n, err := p.src.Read(buf)
		if n > 0 {
			if _, werr := p.dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil { // io.EOF; EIO from a pty whose slave is closed; the deadline
			break
		}
	}
	_ = p.dst.Close()
	_ = p.src.Close()
	_ = own.Close()
}

// drain waits, once the child has ended, for the pumps to copy what is
// left (see drainQuiet and drainLimit).
func (o *outputs) drain() {
	for _, p := range o.pumps {
		p.ending.Store(true)
		_ = p.src.SetReadDeadline(time.Now().Add(drainQuiet))
	}
	if o.wait(drainLimit) {
		return
	}
	for _, p := range o.pumps { // a descendant still writes: stop reading
		p.stop.Store(true)
		_ = p.src.SetReadDeadline(time.Now())
	}
	o.wait(drainQuiet)
}

// wait waits up to d for every pump to end, and reports whether they did.
func (o *outputs) wait(d time.Duration) bool {
	limit := time.After(d)
	for _, p := range o.pumps {
		select {
		case <-p.done:
		case <-limit:
			return false
		}
	}
	return true
}

// resize gives each pty the size of keep's terminal, and reports whether
// one changed: the child may have read the old size after the terminal's
// SIGWINCH, so it must get one more.
func (o *outputs) resize() bool {
	changed := false
	for _, p := range o.pumps {
		if p.ptyOf < 0 {
			continue
		}
		ws, err := unix.IoctlGetWinsize(p.ptyOf, unix.TIOCGWINSZ)
		if err != nil {
			continue
		}
		conn, err := p.src.SyscallConn()
		if err != nil {
			continue
		}
		_ = conn.Control(func(fd uintptr) {
			old, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ)
			if err == nil && *old == *ws {
				return
			}
			if unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, ws) == nil {
				changed = true
			}
		})
	}
	return changed
}

// sameFile reports whether fds a and b are the same file.
func sameFile(a, b int) bool {
	var sa, sb unix.Stat_t
	if unix.Fstat(a, &sa) != nil || unix.Fstat(b, &sb) != nil {
		return false
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}
