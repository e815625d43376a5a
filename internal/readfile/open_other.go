//go:build !unix

package readfile

// Windows opens without blocking anyway, and a symlink cannot be refused
// at open: Read checks that the file is regular once it is open.
const (
	oNonBlock = 0
	oNoFollow = 0
)

func isELOOP(error) bool { return false }
