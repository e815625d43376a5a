//go:build unix

package runner

import (
	"io"
	"os"
	"syscall"
	"testing"
	"time"
)

// The supervisor's decisions for a watch, on a real process (sleep).
func TestController(t *testing.T) {
	start := func() *os.Process {
		p, err := os.StartProcess("/bin/sleep", []string{"sleep", "60"}, &os.ProcAttr{})
		if err != nil {
			t.Skip("no /bin/sleep:", err)
		}
		t.Cleanup(func() { _ = p.Kill(); _, _ = p.Wait() })
		return p
	}
	done := make(chan error, 1)

	// The child's own end, with nothing pending: neither restart nor exit.
	ctl := &controller{killTimeout: time.Second}
	if r, e := ctl.ended(); r != nil || e != nil {
		t.Errorf("own end: restart %v, exit %v; want neither", r, e)
	}

	// Restart: SIGTERM, a kill timer, then the restart to carry out.
	p := start()
	if kill := ctl.begin(Control{Action: Restart, Env: []string{"A=1"}, Done: done}, p); kill == nil {
		t.Error("restart armed no kill timer")
	}
	if st, _ := p.Wait(); st.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Errorf("restart: the child ended %v, want SIGTERM", st)
	}
	r, e := ctl.ended()
	if r == nil || e != nil || r.Env[0] != "A=1" {
		t.Fatalf("after a restart's stop: restart %v, exit %v", r, e)
	}
	ctl.restarted(r, nil)
	if err := <-done; err != nil {
		t.Errorf("restart done: %v", err)
	}

	// A second Restart while one is pending: its secrets and its filter
	// win, so that --redact masks the values the new child gets.
	p = start()
	filter := func(w io.Writer) io.WriteCloser { return nopCloser{w} }
	ctl.begin(Control{Action: Restart, Env: []string{"A=1"}}, p)
	ctl.begin(Control{Action: Restart, Env: []string{"A=2"}, Filter: filter, Done: done}, p)
	if err := <-done; err != nil {
		t.Errorf("the second restart: %v", err)
	}
	_, _ = p.Wait()
	if r, _ := ctl.ended(); r == nil || r.Env[0] != "A=2" || r.Filter == nil {
		t.Errorf("after two restarts: %+v, want the second's env and filter", r)
	}

	// A TERM during a restart calls it off.
	p = start()
	ctl.begin(Control{Action: Restart, Done: done}, p)
	ctl.saw(syscall.SIGTERM)
	if r, e := ctl.ended(); r != nil || e != nil {
		t.Errorf("restart after TERM: restart %v, exit %v; want neither", r, e)
	}
	if err := <-done; err == nil {
		t.Error("a called-off restart reported success")
	}

	// Stop ends keep with ExitChanged.
	p = start()
	ctl.begin(Control{Action: Stop}, p)
	if _, e := ctl.ended(); e == nil || e.Code != ExitChanged {
		t.Errorf("stop: exit %v, want %d", e, ExitChanged)
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
