//go:build linux

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/keep-run/keep/internal/keeptest"
)

// The terminal tests type into an interactive bash on a pseudo-terminal, as
// a user does: bash gives each job its own process group and the terminal,
// and the line discipline sends Ctrl-C (INT) and Ctrl-Z (TSTP) to that whole
// foreground group — keep and, in supervise mode, its child.

// hangGuard bounds every wait on the terminal, a log or /proc. It only
// stops a hung test; no result depends on it.
const hangGuard = 10 * time.Second

// ps1 makes each prompt show $?, the status of the job that just ended or
// stopped. Nothing typed in these tests contains "keep-pty[".
const ps1 = `keep-pty[$?]> `

var promptRE = regexp.MustCompile(`keep-pty\[(\d+)\]> `)

// ptyShell is an interactive bash on a pty.
type ptyShell struct {
	t   *testing.T
	cmd *exec.Cmd
	pty *os.File

	mu   sync.Mutex
	out  []byte // everything the terminal showed
	seen int    // how much of out expect has consumed

	read chan struct{} // closed when reading the pty ends
}

// startShell starts bash on a new pty, with moto's environment, and waits
// for its first prompt. --noediting: without readline the kernel echoes
// the input, and bash prints each prompt exactly once.
func startShell(t *testing.T) *ptyShell {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash for an interactive shell with job control")
	}
	cmd := exec.Command("bash", "--norc", "--noprofile", "--noediting", "-i")
	cmd.Env = append(keeptest.BaseEnv(t, keeptest.Moto().Env()), "PS1="+ps1, "TERM=dumb", "GODEBUG=asyncpreemptoff=1")
	cmd.Dir = t.TempDir()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 400})
	if err != nil {
		t.Fatalf("start bash on a pty: %v", err)
	}
	s := &ptyShell{t: t, cmd: cmd, pty: f, read: make(chan struct{})}
	go s.drain()
	t.Cleanup(s.close)
	if code := s.prompt(); code != 0 {
		t.Fatalf("first prompt shows status %d", code)
	}
	return s
}

// drain copies the terminal's output into s.out until the pty is closed
// or bash and every process holding the terminal are gone.
func (s *ptyShell) drain() {
	defer close(s.read)
	buf := make([]byte, 4096)
	for {
		n, err := s.pty.Read(buf)
		s.mu.Lock()
		s.out = append(s.out, buf[:n]...)
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (s *ptyShell) close() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	_ = s.pty.Close()
	<-s.read
	keeptest.AssertNoLeak(s.t, "the terminal", s.output())
}

// send types text.
func (s *ptyShell) send(text string) {
	s.t.Helper()
	if _, err := s.pty.Write([]byte(text)); err != nil {
		s.t.Fatalf("type %q: %v", text, err)
	}
}

func (s *ptyShell) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.out)
}

// expect waits until the output not yet consumed matches re, consumes it
// up to the end of the match, and returns what it consumed and the
// submatches.
func (s *ptyShell) expect(re *regexp.Regexp) (before string, sub []string) {
	s.t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		s.mu.Lock()
		rest := s.out[s.seen:]
		if loc := re.FindSubmatchIndex(rest); loc != nil {
			before = string(rest[:loc[0]])
			for i := 0; i < len(loc); i += 2 {
				sub = append(sub, string(rest[loc[i]:loc[i+1]]))
			}
			s.seen += loc[1]
			s.mu.Unlock()
			return before, sub
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			s.t.Fatalf("the terminal shows no %q after %s; it shows:\n%s", re, hangGuard, strconv.Quote(s.output()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// prompt waits for bash's next prompt and returns the $? it shows.
func (s *ptyShell) prompt() int {
	s.t.Helper()
	_, sub := s.expect(promptRE)
	code, _ := strconv.Atoi(sub[1])
	return code
}

// promptAfter is prompt, also returning what the terminal showed before it.
func (s *ptyShell) promptAfter() (string, int) {
	s.t.Helper()
	before, sub := s.expect(promptRE)
	code, _ := strconv.Atoi(sub[1])
	return before, code
}

// commandLine quotes argv for the shell.
func commandLine(argv ...string) string {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// keepRunLine is the command line that makes keep run argv in mode.
func keepRunLine(t *testing.T, mode string, argv ...string) string {
	return commandLine(append([]string{keeptest.Bin(t), "run", mode, "--allow-empty", "--namespace=" + namespace(t), "--env=production", "--"}, argv...)...) + "\n"
}

// trapLog is the log a child:trap (or stoppable, adopt, orphans) writes.
type trapLog string

func newTrapLog(t *testing.T) trapLog { return trapLog(filepath.Join(t.TempDir(), "signals.log")) }

func (l trapLog) lines() []string {
	data, _ := os.ReadFile(string(l))
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// count is how many lines start with word.
func (l trapLog) count(word string) int {
	n := 0
	for _, line := range l.lines() {
		if w, _, _ := strings.Cut(line, " "); w == word {
			n++
		}
	}
	return n
}

// wait waits for a line starting with word and returns the rest of it.
func (l trapLog) wait(t *testing.T, word string) string {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		for _, line := range l.lines() {
			if w, rest, _ := strings.Cut(line, " "); w == word {
				return rest
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child logged no %s after %s; log:\n%s", word, hangGuard, strings.Join(l.lines(), "\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ready waits for the child's "ready PID" line and returns the PID.
func (l trapLog) ready(t *testing.T) int {
	t.Helper()
	pid, err := strconv.Atoi(l.wait(t, "ready"))
	if err != nil {
		t.Fatalf("bad ready line in %s: %v", l, err)
	}
	return pid
}

func TestTerminalCtrlCReachesTheChildOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, mode string
		// barrier: the child dies of INT only on a later USR1, so that a
		// second INT, were keep to forward the terminal's, is logged first.
		barrier bool
	}{
		{"supervise", "--supervise", false},
		{"supervise-counted", "--supervise", true},
		{"exec", "--exec", false},
		{"exec-counted", "--exec", true},
		{"redact", "--redact", false}, // the child's stdout is a pty of keep's
		{"redact-counted", "--redact", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sh := startShell(t)
			log := newTrapLog(t)
			trapMode := "int"
			if tc.barrier {
				trapMode = "int-at-usr1"
			}
			sh.send(keepRunLine(t, tc.mode, testBin, "child:trap", string(log), trapMode))
			child := log.ready(t)
			keepPID := child // exec: keep became the child
			if tc.mode != "--exec" {
				keepPID = pstatOf(t, child).ppid
			}
			killAtCleanup(t, keepPID, child)

			sh.send("\x03") // Ctrl-C
			log.wait(t, "SIGINT")
			if tc.barrier {
				// keep handles its pending signals, and the child receives
				// its own, lowest number first: a forwarded INT would
				// reach the child before this USR1.
				if err := syscall.Kill(keepPID, syscall.SIGUSR1); err != nil {
					t.Fatal(err)
				}
			}
			if code := sh.prompt(); code != 130 {
				t.Errorf("$? = %d after Ctrl-C, want 130 (128+SIGINT); log:\n%s", code, strings.Join(log.lines(), "\n"))
			}
			if n := log.count("SIGINT"); n != 1 {
				t.Errorf("the child got SIGINT %d times, want once; log:\n%s", n, strings.Join(log.lines(), "\n"))
			}
			if tc.barrier && log.count("SIGUSR1") != 1 {
				t.Errorf("the child did not log the USR1 barrier; log:\n%s", strings.Join(log.lines(), "\n"))
			}
		})
	}
}

func TestTerminalCtrlZStopsKeepAndTheChildAndFgResumesThem(t *testing.T) {
	t.Parallel()
	sh := startShell(t)
	log := newTrapLog(t)
	sh.send(keepRunLine(t, "--supervise", testBin, "child:stoppable", string(log)))
	child := log.ready(t)
	keepPID := pstatOf(t, child).ppid
	killAtCleanup(t, keepPID, child)
	if keepPID == sh.cmd.Process.Pid {
		t.Fatalf("the child's parent is bash, not keep: keep did not supervise")
	}

	sh.send("\x1a") // Ctrl-Z
	waitProcState(t, "keep", keepPID, true)
	waitProcState(t, "the child", child, true)
	if code := sh.prompt(); code != 148 {
		t.Errorf("$? = %d after Ctrl-Z, want 148 (128+SIGTSTP)", code)
	}

	sh.send("fg\n")
	waitProcState(t, "keep", keepPID, false)
	waitProcState(t, "the child", child, false)
	log.wait(t, "SIGCONT")
	// Best effort: a CONT keep forwarded after fg's usually reaches the
	// child before this USR1 does. A correct keep never fails this check.
	if err := syscall.Kill(keepPID, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	log.wait(t, "SIGUSR1")
	if n := log.count("SIGCONT"); n != 1 {
		t.Errorf("the child got SIGCONT %d times after fg, want once; log:\n%s", n, strings.Join(log.lines(), "\n"))
	}

	if err := syscall.Kill(keepPID, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := sh.prompt(); code != 0 {
		t.Errorf("$? = %d after TERM to keep, want the child's 0; log:\n%s", code, strings.Join(log.lines(), "\n"))
	}
	if log.count("SIGTERM") != 1 {
		t.Errorf("the child did not get keep's TERM once; log:\n%s", strings.Join(log.lines(), "\n"))
	}
}

var procJSON = regexp.MustCompile(`\{[^\r\n]*"tty"[^\r\n]*\}`)

func TestTerminalChildSharesKeepsTerminalGroupAndSession(t *testing.T) {
	t.Parallel()
	sh := startShell(t)
	sh.send(keepRunLine(t, "--supervise", testBin, "child:proc"))
	shown, code := sh.promptAfter()
	if code != 0 {
		t.Fatalf("$? = %d; the terminal shows:\n%s", code, strconv.Quote(shown))
	}
	var p struct {
		PID, PPID, PGID, SID int
		TTY                  []bool
	}
	if err := json.Unmarshal([]byte(procJSON.FindString(shown)), &p); err != nil {
		t.Fatalf("no child:proc output (%v); the terminal shows:\n%s", err, strconv.Quote(shown))
	}
	bash := sh.cmd.Process.Pid
	keepPID := p.PPID
	if keepPID == bash {
		t.Fatalf("the child's parent is bash: keep did not supervise")
	}
	if len(p.TTY) != 3 || !p.TTY[0] || !p.TTY[1] || !p.TTY[2] {
		t.Errorf("isatty of the child's stdin, stdout, stderr = %v, want all true", p.TTY)
	}
	// bash made keep the leader of the job's process group; the child must
	// be in it, so that the terminal's signals and job control reach both.
	if p.PGID != keepPID {
		t.Errorf("child's process group %d, want keep's %d", p.PGID, keepPID)
	}
	if p.SID != bash {
		t.Errorf("child's session %d, want the shell's %d", p.SID, bash)
	}
}
