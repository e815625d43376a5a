package cli

import (
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/keep-run/keep/runner"
)

// Control bytes a terminal in raw mode passes through.
const (
	ctrlC     = 0x03
	ctrlD     = 0x04
	ctrlU     = 0x15
	ctrlBack  = 0x1c // Ctrl-\, SIGQUIT outside raw mode
	backspace = 0x08
	del       = 0x7f
)

// readHidden reads one line from the terminal f without echo. It puts the
// terminal in raw mode and reads byte by byte, rather than calling
// term.ReadPassword, which spins forever on Ctrl-D (a read of 0 bytes
// with no error) instead of seeing the input end. Enter ends the line;
// Ctrl-D on an empty line is io.EOF; Ctrl-C makes keep die of SIGINT, as
// it would outside raw mode (Ctrl-\ too); backspace and Ctrl-U edit; other
// control bytes but tab (Ctrl-Z…) are dropped, not stored. The terminal is
// restored before readHidden returns.
func readHidden(f *os.File) (string, error) {
	fd := int(f.Fd())
	state, err := term.MakeRaw(fd)
	if err != nil {
		return "", err
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			_ = term.Restore(fd, state)
		}
	}
	defer restore()
	var line []byte
	var b [1]byte
	for {
		n, err := f.Read(b[:])
		if n == 0 {
			if err == nil {
				err = io.EOF
			}
			return "", err
		}
		switch c := b[0]; c {
		case '\r', '\n':
			return string(line), nil
		case ctrlD:
			if len(line) == 0 {
				return "", io.EOF
			}
		case ctrlC, ctrlBack:
			restore()
			runner.Die(os.Interrupt)
			return "", &Error{Msg: "interrupted at the prompt", Help: "nothing was done"}
		case ctrlU:
			line = line[:0]
		case backspace, del:
			if len(line) > 0 { // the last character, all its bytes
				_, size := utf8.DecodeLastRune(line)
				line = line[:len(line)-size]
			}
		default:
			if c >= 0x20 || c == '\t' {
				line = append(line, c)
			}
		}
	}
}
