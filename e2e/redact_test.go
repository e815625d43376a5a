//go:build linux

package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/keep-run/keep/internal/keeptest"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// keep run --redact: the child's output passes through keep, which masks
// the values it injected. The child (child:out) prints what a test tells
// it to; the values are the seeded ones, so keep's output must hold none.

const mask = "*****"

// redactValues are the secrets the tests inject. Each is long enough to be
// masked; SHORT is not.
var redactValues = map[string]string{
	"TOKEN":   "tok_9f8e7d6c5b4a3210",
	"TLS_KEY": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nbWFkZSB1cCBrZXkgbWF0ZXJpYWw=\n-----END PRIVATE KEY-----\n",
	"ODD":     `pa"ss/wörd<&>` + "\t+ =?",
	"SHORT":   "abc",
}

// seedRedact seeds redactValues in a namespace of the test's and returns
// keep run's arguments up to the child's: --redact, the test binary,
// child:out.
func seedRedact(t *testing.T, flags ...string) []string {
	ns := namespace(t)
	seedVars(t, ns, "test", redactValues)
	args := append([]string{"run", "--redact", "--namespace=" + ns, "--env=test"}, flags...)
	return append(args, "--", testBin, "child:out")
}

// childOut is child:out: each argument is a step.
//
//	1:TEXT, 2:TEXT        write TEXT (Go escapes allowed) to fd 1 or 2, one write
//	1env:NAME[:A:B]       write $NAME (bytes A to B of it) to fd 1
//	sleep:MS              sleep
//	exit:N, kill:N        exit with N, die of signal N
//	bin:N:NAME            write binaryStream(N, $NAME) to fd 1, 8 KiB a write
//	tty                   print {"tty":…,"rows":…,"cols":…} for fd 1
//	winch:ROWS            print "ready", then "size R C" on each SIGWINCH until R is ROWS
func childOut(steps []string) int {
	for _, step := range steps {
		kind, arg, _ := strings.Cut(step, ":")
		switch kind {
		case "1", "2":
			text, err := strconv.Unquote(`"` + arg + `"`)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bad step", step)
				return 2
			}
			_, _ = os.NewFile(uintptr(kind[0]-'0'), "out").WriteString(text)
		case "1env":
			name, rest, _ := strings.Cut(arg, ":")
			v := os.Getenv(name)
			if rest != "" {
				a, b, _ := strings.Cut(rest, ":")
				from, _ := strconv.Atoi(a)
				to, _ := strconv.Atoi(b)
				v = v[from:to]
			}
			_, _ = os.Stdout.WriteString(v)
		case "sleep":
			ms, _ := strconv.Atoi(arg)
			time.Sleep(time.Duration(ms) * time.Millisecond)
		case "exit":
			n, _ := strconv.Atoi(arg)
			return n
		case "kill":
			n, _ := strconv.Atoi(arg)
			die(syscall.Signal(n))
		case "bin":
			n, name, _ := strings.Cut(arg, ":")
			size, _ := strconv.Atoi(n)
			data := binaryStream(size, os.Getenv(name))
			for len(data) > 0 {
				k := min(len(data), 8<<10)
				_, _ = os.Stdout.Write(data[:k])
				data = data[k:]
			}
		case "tty":
			ws, err := unix.IoctlGetWinsize(1, unix.TIOCGWINSZ)
			out := map[string]any{"tty": term.IsTerminal(1)}
			if err == nil {
				out["rows"], out["cols"] = ws.Row, ws.Col
			}
			_ = json.NewEncoder(os.Stdout).Encode(out)
		case "winch":
			rows, _ := strconv.Atoi(arg)
			sigs := make(chan os.Signal, 8)
			signal.Notify(sigs, syscall.SIGWINCH)
			fmt.Println("ready")
			for range sigs {
				ws, _ := unix.IoctlGetWinsize(1, unix.TIOCGWINSZ)
				fmt.Printf("size %d %d\n", ws.Row, ws.Col)
				if int(ws.Row) == rows {
					break
				}
			}
		default:
			fmt.Fprintln(os.Stderr, "unknown step", step)
			return 2
		}
	}
	return 0
}

// binaryStream is size bytes of pseudo-random binary with value inserted
// at every 100,000th byte.
func binaryStream(size int, value string) []byte {
	r := rand.New(rand.NewPCG(uint64(size), 42))
	out := make([]byte, 0, size)
	for len(out) < size {
		if len(out)%100_000 < len(value) && len(out) >= 100_000 {
			out = append(out, value...)
			continue
		}
		out = append(out, byte(r.UintN(256)))
	}
	return out
}

func TestRedactMasksEachEncoding(t *testing.T) {
	t.Parallel()
	args := seedRedact(t)
	var steps []string
	var want strings.Builder
	line := func(label, text string) {
		quoted := strconv.Quote(label + " " + text + " end\n")
		steps = append(steps, "1:"+quoted[1:len(quoted)-1])
		want.WriteString(label + " " + mask + " end\n")
	}
	for _, key := range []string{"TOKEN", "ODD", "TLS_KEY"} {
		v := redactValues[key]
		goJSON, _ := json.Marshal(v)
		line(key+"-raw", v)
		line(key+"-base64", base64.StdEncoding.EncodeToString([]byte(v)))
		line(key+"-base64url", base64.URLEncoding.EncodeToString([]byte(v)))
		line(key+"-query", url.QueryEscape(v))
		line(key+"-path", url.PathEscape(v))
		line(key+"-json", string(goJSON[1:len(goJSON)-1]))
	}
	for i, l := range strings.Split(strings.TrimSpace(redactValues["TLS_KEY"]), "\n") {
		line(fmt.Sprintf("pem-line-%d", i), l)
	}
	// Inside a longer base64 text (HTTP basic auth), at every alignment.
	for _, user := range []string{"u", "us", "use"} {
		steps = append(steps, "2:Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+redactValues["TOKEN"]))+"\\n")
	}
	steps = append(steps, "2:short "+redactValues["SHORT"]+"\\n")
	res := keep(t, run{Args: append(args, steps...)})
	if res.Code != 0 {
		t.Fatalf("keep exited %d; stderr:\n%s", res.Code, res.Stderr)
	}
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
	if res.Stdout != want.String() {
		t.Errorf("stdout: %s", mismatch(res.Stdout, want.String()))
	}
	for _, user := range []string{"u", "us", "use"} {
		full := base64.StdEncoding.EncodeToString([]byte(user + ":" + redactValues["TOKEN"]))
		if strings.Contains(res.Stderr, full) {
			t.Errorf("the basic auth header of user %q passed unmasked", user)
		}
	}
	if got := strings.Count(res.Stderr, "Authorization: Basic "); got != 3 {
		t.Errorf("stderr has %d auth lines, want 3", got)
	}
	if !strings.Contains(res.Stderr, "short abc\n") {
		t.Errorf("a value under 4 bytes was masked (stderr: %d bytes)", len(res.Stderr))
	}
}

func TestRedactVerboseNamesShortValues(t *testing.T) {
	t.Parallel()
	args := seedRedact(t, "-v")
	res := keep(t, run{Args: args})
	if res.Code != 0 {
		t.Fatalf("keep exited %d; stderr:\n%s", res.Code, res.Stderr)
	}
	if !strings.Contains(res.Stderr, "shorter than 4 bytes: SHORT") {
		t.Errorf("-v does not name SHORT as too short to mask; stderr:\n%s", res.Stderr)
	}
	if !strings.Contains(res.Stderr, "masking 3 values") {
		t.Errorf("-v does not say how many values are masked; stderr:\n%s", res.Stderr)
	}
}

// A value written in pieces, split at every byte, is masked.
func TestRedactValueSplitAcrossWrites(t *testing.T) {
	t.Parallel()
	args := seedRedact(t)
	v := redactValues["TOKEN"]
	var steps []string
	var want strings.Builder
	for k := 1; k < len(v); k++ {
		steps = append(steps, "1:[", fmt.Sprintf("1env:TOKEN:0:%d", k), fmt.Sprintf("1env:TOKEN:%d:%d", k, len(v)), "1:]\\n")
		want.WriteString("[" + mask + "]\n")
	}
	res := keep(t, run{Args: append(args, steps...)})
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
	if res.Code != 0 || res.Stdout != want.String() {
		t.Errorf("exit %d, stdout: %s", res.Code, mismatch(res.Stdout, want.String()))
	}
}

// 8 MiB of binary arrive byte for byte, but for the masks.
func TestRedactBinaryPassesThrough(t *testing.T) {
	t.Parallel()
	args := seedRedact(t)
	const size = 8 << 20
	v := redactValues["TOKEN"]
	want := bytes.ReplaceAll(binaryStream(size, v), []byte(v), []byte(mask))
	res := keep(t, run{Args: append(args, fmt.Sprintf("bin:%d:TOKEN", size))})
	if res.Code != 0 {
		t.Fatalf("keep exited %d; stderr:\n%s", res.Code, res.Stderr)
	}
	if got := []byte(res.Stdout); !bytes.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		t.Errorf("stdout differs from the masked stream at byte %d (lengths %d, want %d)", i, len(got), len(want))
	}
}

// Lines come out in order, each stream on its own, and the last bytes are
// there however the child ends: by exiting, or killed, even in the middle
// of what may be a value.
func TestRedactOrderAndTail(t *testing.T) {
	t.Parallel()
	args := seedRedact(t)
	var steps []string
	var wantOut, wantErr strings.Builder
	for i := range 2000 {
		steps = append(steps, fmt.Sprintf("1:out %d ", i), "1env:TOKEN", "1:\\n", fmt.Sprintf("2:err %d\\n", i))
		fmt.Fprintf(&wantOut, "out %d %s\n", i, mask)
		fmt.Fprintf(&wantErr, "err %d\n", i)
	}
	prefix := redactValues["TOKEN"][:6] // could begin the value: held until the end
	for _, end := range []struct{ step, ending string }{
		{"exit:3", "exit 3"},
		{"kill:9", "killed by SIGKILL"},
		{"kill:15", "killed by SIGTERM"},
	} {
		t.Run(end.step, func(t *testing.T) {
			t.Parallel()
			all := append(append(steps[:len(steps):len(steps)], "1:last "+prefix, "2:last words"), end.step)
			res := keep(t, run{Args: append(args[:len(args):len(args)], all...)})
			keeptest.AssertNoLeak(t, "stdout", res.Stdout)
			if got := ending(res.State); got != end.ending {
				t.Errorf("keep: %s, want %s", got, end.ending)
			}
			if want := wantOut.String() + "last " + prefix; res.Stdout != want {
				t.Errorf("stdout (%d bytes) is not the child's lines in order, masked, then %q", len(res.Stdout), "last "+prefix)
			}
			if !strings.HasPrefix(res.Stderr, wantErr.String()+"last words") {
				t.Errorf("stderr (%d bytes) is not the child's lines in order", len(res.Stderr))
			}
		})
	}
}

// Exit codes and signal deaths are the child's, as without --redact.
func TestRedactExitStatus(t *testing.T) {
	t.Parallel()
	args := seedRedact(t)
	for _, tc := range []struct{ step, want string }{
		{"exit:0", "exit 0"}, {"exit:1", "exit 1"}, {"exit:255", "exit 255"},
		{"kill:2", "killed by SIGINT"}, {"kill:1", "killed by SIGHUP"}, {"kill:10", "exit 138"}, {"kill:6", "exit 134"},
	} {
		t.Run(tc.step, func(t *testing.T) {
			t.Parallel()
			res := keep(t, run{Args: append(args[:len(args):len(args)], tc.step)})
			if got := ending(res.State); got != tc.want {
				t.Errorf("child %s: keep %s, want %s; stderr:\n%s", tc.step, got, tc.want, res.Stderr)
			}
		})
	}
}

func TestRedactModeNeedsToStay(t *testing.T) {
	t.Parallel()
	res := keep(t, run{Args: []string{"run", "--redact", "--exec", "--allow-empty", "--namespace=" + namespace(t), "--env=test", "--", testBin, "child:exit", "0"}})
	if res.Code != 125 || !strings.Contains(res.Stderr, "--redact") {
		t.Errorf("--redact --exec: exit %d, stderr:\n%s\nwant 125 naming --redact", res.Code, res.Stderr)
	}
	res = keep(t, run{Args: []string{"run", "--allow-empty", "--namespace=" + namespace(t), "--env=test", "-v", "--", testBin, "child:exit", "0"}, Env: []string{"KEEP_REDACT=1"}})
	if res.Code != 0 || !strings.Contains(res.Stderr, "supervise") {
		t.Errorf("KEEP_REDACT=1: exit %d, want supervise mode; stderr:\n%s", res.Code, res.Stderr)
	}
}

// Template mode masks what the placeholders put in, a field's value too,
// not the template's own text; file mode (--output) masks the values it
// wrote to the file.
func TestRedactTemplateAndFile(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "TOKEN", "tpl-token-777"),
		secret(ns, "production", "DB", `{"user":"app","password":"db-pass-0x5eed"}`),
	)
	keeptest.Remember("db-pass-0x5eed")
	dir, path := newTemplate(t, "API={secretsmanager:TOKEN}\nPASS={secretsmanager:DB.password}\nNAME=literal-text\n")
	file := filepath.Join(dir, "app.env")
	for _, tc := range []struct {
		name    string
		flags   []string
		command []string
		want    string
	}{
		{"env", []string{"--redact"}, []string{testBin, "child:out", "1env:NAME", "1: ", "1env:API", "1: ", "1env:PASS", "1:\\n"},
			"literal-text " + mask + " " + mask + "\n"},
		{"file", []string{"--redact", "--output=" + file}, catFile(file),
			"API='" + mask + "'\nPASS='" + mask + "'\nNAME=literal-text\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := keep(t, run{Args: withTemplate(ns, path, tc.flags, tc.command...)})
			keeptest.AssertNoLeak(t, "stdout", res.Stdout)
			if res.Code != 0 || res.Stdout != tc.want {
				t.Errorf("exit %d, stdout: %s; stderr: %d bytes", res.Code, mismatch(res.Stdout, tc.want), len(res.Stderr))
			}
		})
	}
}

// On a terminal the child gets a pty of its own: isatty holds, the size is
// the terminal's and follows a resize, colours pass, values are masked.
func TestRedactTerminal(t *testing.T) {
	t.Parallel()
	args := seedRedact(t)
	cmd := exec.Command(keeptest.Bin(t), append(args, "tty", "1:\\x1b[31mred ", "1env:TOKEN", "1:\\x1b[0m\\n", "winch:50")...)
	cmd.Env = append(keeptest.BaseEnv(t, keeptest.Moto().Env()), "TERM=xterm-256color")
	cmd.Dir = t.TempDir()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seen bytes.Buffer
	got := make(chan []byte, 64)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			got <- append([]byte(nil), buf[:n]...)
			if err != nil {
				close(got)
				return
			}
		}
	}()
	waitFor := func(what string) {
		t.Helper()
		deadline := time.After(hangGuard)
		for !strings.Contains(seen.String(), what) {
			select {
			case b, ok := <-got:
				if !ok {
					t.Fatalf("the terminal closed before showing %q; it shows %q", what, seen.String())
				}
				seen.Write(b)
			case <-deadline:
				t.Fatalf("the terminal shows no %q after %s; it shows %q", what, hangGuard, seen.String())
			}
		}
	}
	waitFor("ready")
	if err := pty.Setsize(f, &pty.Winsize{Rows: 50, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	waitFor("size 50 160")
	_ = cmd.Wait()
	for b := range got {
		seen.Write(b)
	}
	shown := seen.String()
	keeptest.AssertNoLeak(t, "the terminal", shown)
	if !strings.Contains(shown, `{"cols":120,"rows":40,"tty":true}`) {
		t.Errorf("the child's stdout is not a terminal of keep's size; the terminal shows %q", shown)
	}
	if !strings.Contains(shown, "\x1b[31mred "+mask+"\x1b[0m") {
		t.Errorf("the colour escapes or the mask are missing; the terminal shows %q", shown)
	}
	if got := ending(cmd.ProcessState); got != "exit 0" {
		t.Errorf("keep: %s, want exit 0", got)
	}
}

// As PID 1 (a container's entrypoint), exit codes follow PID 1's rules,
// orphans are reaped, and the tail of the output is there.
func TestRedactAsPID1(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		end  string
		code int
	}{
		{"exit:7", 7},
		{"kill:9", 137},
		{"kill:15", 143},
	} {
		t.Run(tc.end, func(t *testing.T) {
			t.Parallel()
			argv := append(keepRunArgs(t, "--redact"), testBin, "child:out", "1:first\\n", "2:to stderr\\n", "1:last, no newline", tc.end)
			res := startInit(t, argv...).wait()
			if res.Code != tc.code {
				t.Errorf("keep --redact as PID 1 exited %d, want %d; stderr:\n%s", res.Code, tc.code, res.Stderr)
			}
			if res.Stdout != "first\nlast, no newline" || !strings.HasPrefix(res.Stderr, "to stderr\n") {
				t.Errorf("stdout: %s; stderr: %d bytes: the child's output is not all there", mismatch(res.Stdout, "first\nlast, no newline"), len(res.Stderr))
			}
		})
	}
}

// A reader that goes away (keep run --redact … | head -c 100) breaks the
// child's pipe, as without --redact: the child dies of SIGPIPE, keep
// exits 128+13, and keep itself is not killed by the broken pipe.
func TestRedactBrokenPipe(t *testing.T) {
	t.Parallel()
	args := seedRedact(t)
	cmd := exec.Command(keeptest.Bin(t), append(args, "bin:20000000:TOKEN")...)
	cmd.Env = keeptest.BaseEnv(t, keeptest.Moto().Env())
	cmd.Dir = t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	if _, err := r.Read(make([]byte, 100)); err != nil {
		t.Fatalf("read keep's output: %v", err)
	}
	_ = r.Close()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(hangGuard):
		_ = cmd.Process.Kill()
		t.Fatalf("keep still runs %s after its reader went away", hangGuard)
	}
	if got := ending(cmd.ProcessState); got != "exit 141" {
		t.Errorf("keep: %s, want exit 141 (the child died of SIGPIPE); stderr:\n%s", got, stderr.String())
	}
}

// mismatch says how got differs from want by lengths and the first
// differing byte, never by content: the output may hold a value that a
// mask missed, and test logs are kept.
func mismatch(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("%d bytes, want %d; they differ from byte %d", len(got), len(want), i)
}
