// Unix vs Windows: Unix gives the child a pipe or a pseudo-terminal per output and pumps it; Windows lets os/exec copy.

package runner

import (
	"io"
	"os"
	"os/exec"
	"time"
)

// filterOutputs routes cmd's stdout and stderr through filter (nil: keep's
// own files) and returns what flushes the filters once cmd.Wait returned.
// os/exec copies, and Wait waits for the copies, for a second at most after
// the child ended (a descendant may hold the pipes open).
func filterOutputs(cmd *exec.Cmd, filter func(io.Writer) io.WriteCloser) (finish func()) {
	if filter == nil {
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		return func() {}
	}
	out, errOut := filter(os.Stdout), filter(os.Stderr)
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.WaitDelay = time.Second
	return func() {
		_ = out.Close()
		_ = errOut.Close()
	}
}
