//go:build linux

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/keep-run/keep/internal/keeptest"
)

// completionProject makes a project with three envs and two vaults, and a
// directory with keep on it for the completion scripts to call by name.
func completionProject(t *testing.T) (dir, binDir string) {
	t.Helper()
	dir = t.TempDir()
	files := map[string]string{
		".keep/settings.json":              `{"namespace": "myapp", "envs": ["local", "staging", "production"]}`,
		".keep/vaults/secretsmanager.json": `{"slug": "secretsmanager", "driver": "secretsmanager"}`,
		".keep/vaults/legacy.json":         `{"slug": "legacy", "driver": "secretsmanager"}`,
	}
	for name, data := range files {
		writeFile(t, dir, name, data)
	}
	binDir = t.TempDir()
	if err := os.Symlink(keeptest.Bin(t), filepath.Join(binDir, "keep")); err != nil {
		t.Fatal(err)
	}
	return dir, binDir
}

// inShell runs argv in dir with binDir first on PATH and a HOME of its own,
// and returns the lines it printed, stderr included. It fails the test if
// the shell fails.
func inShell(t *testing.T, dir, binDir string, argv ...string) []string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + binDir + ":" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", argv[0], err, out)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

func TestCompleteCommand(t *testing.T) {
	dir, _ := completionProject(t)
	sub := filepath.Join(dir, "app", "src") // the project is found from below
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		words []string
		want  []string
	}{
		{[]string{"ver"}, []string{"verify", "version"}},
		{[]string{"run", "--ex"}, []string{"--except=", "--exec"}},
		{[]string{"run", "--env="}, []string{"--env=local", "--env=staging", "--env=production"}},
		{[]string{"show", "--env", "st"}, []string{"staging"}},
		{[]string{"run", "--vault="}, []string{"--vault=legacy", "--vault=secretsmanager"}},
		{[]string{"copy", "--to=secretsmanager:p"}, []string{"--to=secretsmanager:production"}},
		{[]string{"vault:delete", ""}, []string{"legacy", "secretsmanager"}},
		{[]string{"run", "--", ""}, []string{":commands"}}, // the shell lists its commands
		{[]string{"get", ""}, []string{":none"}},           // and no file names
	} {
		res := keep(t, run{Dir: sub, Args: append([]string{"__complete", "--"}, tc.words...)})
		var got []string
		if res.Stdout != "" {
			got = strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
		}
		if res.Code != 0 || res.Stderr != "" || !slices.Equal(got, tc.want) {
			t.Errorf("keep __complete -- %q: exit %d, %q, stderr %q; want %q", tc.words, res.Code, got, res.Stderr, tc.want)
		}
	}

	// A broken project: commands still complete, env names quietly don't.
	broken := t.TempDir()
	writeFile(t, broken, ".keep/settings.json", "{")
	res := keep(t, run{Dir: broken, Args: []string{"__complete", "--", "run", "--env="}})
	if res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
		t.Errorf("broken project: exit %d, stdout %q, stderr %q; want exit 0 and nothing", res.Code, res.Stdout, res.Stderr)
	}
	res = keep(t, run{Dir: broken, Args: []string{"__complete", "--", "ru"}})
	if res.Stdout != "run\n" {
		t.Errorf("broken project: commands = %q, want run", res.Stdout)
	}
	if res := keep(t, run{Args: []string{"--help"}}); strings.Contains(res.Stdout, "__complete") {
		t.Errorf("keep --help shows the hidden __complete command")
	}
}

func TestCompletionScriptsPrinted(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		res := keep(t, run{Args: []string{"completion", shell}})
		if res.Code != 0 || !strings.Contains(res.Stdout, "__complete") {
			t.Errorf("keep completion %s: exit %d, stdout %q, stderr %q", shell, res.Code, res.Stdout, res.Stderr)
		}
	}
	res := keep(t, run{Args: []string{"completion", "tcsh"}})
	if res.Code != 125 || !strings.Contains(res.Stderr, "bash") {
		t.Errorf("keep completion tcsh: exit %d, stderr %q; want 125 naming the shells", res.Code, res.Stderr)
	}
}

// TestCompletionBash sources the bash script and calls its function the
// way bash does: COMP_WORDS split at blanks and at = and :, COMP_LINE and
// COMP_POINT up to the cursor.
func TestCompletionBash(t *testing.T) {
	dir, binDir := completionProject(t)
	script := `source <(keep completion bash)
complete -p keep
t() {
	COMP_LINE=$1 COMP_POINT=${#1}
	shift
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
	_keep_complete
	printf '%s|' "${COMPREPLY[@]}"
	echo
}
t 'keep r' keep r
t 'keep vault:d' keep vault : d
t 'keep run --e' keep run --e
t 'keep run --env=' keep run --env =
t 'keep run --env=pr' keep run --env = pr
t 'keep run --env ' keep run --env ''
t 'keep diff --env=local,st' keep diff --env = local,st
t 'keep copy --from=legacy:' keep copy --from = legacy :
t 'keep copy --from=legacy:st' keep copy --from = legacy : st
t 'keep run -- printe' keep run -- printe
t 'keep run -- printenv ' keep run -- printenv ''
t 'keep get ' keep get ''
t 'KEEP_ENV=x keep vault:d' KEEP_ENV = x keep vault : d
`
	want := []string{
		"complete -o default -F _keep_complete keep",
		"run|restore|rename|",
		"delete|",
		"--endpoint-url=|--env=|--except=|--exec|",
		"local|staging|production|",
		"production|",
		"local|staging|production|",
		"local,staging|",
		"local|staging|production|",
		"staging|",
		"printenv|", // the shell's commands
		"|",         // none: bash completes file names
		"|",         // none, and no file names either (compopt)
		"delete|",
	}
	if got := inShell(t, dir, binDir, "bash", "--norc", "--noprofile", "-c", script); !slices.Equal(got, want) {
		t.Errorf("bash completion:\n got %q\nwant %q", got, want)
	}
}

// TestCompletionInteractive types into bash and zsh on a terminal and
// checks what TAB makes of the line: the shell's own splitting at = and :
// included.
func TestCompletionInteractive(t *testing.T) {
	dir, binDir := completionProject(t)
	shells := map[string][]string{
		"bash": {"bash", "--norc", "--noprofile", "-i"},
		"zsh":  {"zsh", "-f", "-i"},
	}
	setup := map[string]string{
		"bash": "PS1='$ '; source <(keep completion bash)\n",
		"zsh":  "PS1='$ '; autoload -U compinit; compinit -u -d " + filepath.Join(t.TempDir(), "zcompdump") + "; source <(keep completion zsh)\n",
	}
	for _, shell := range []string{"bash", "zsh"} {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath(shell); err != nil {
				t.Skipf("%s is not installed (.ci/run installs it with apt-get)", shell)
			}
			for _, tc := range []struct{ typed, want string }{
				{"keep vault:del\t", "keep vault:delete "},
				{"keep run --env=pr\t", "keep run --env=production "},
				{"keep run --env\t", "keep run --env="},
				{"keep run --env=local -- printe\t", "keep run --env=local -- printenv "},
				{"keep copy --from=legacy:st\t", "keep copy --from=legacy:staging "},
				{"keep diff --env=local,st\t", "keep diff --env=local,staging "},
			} {
				out := typeInShell(t, dir, binDir, shells[shell], setup[shell], tc.typed, tc.want)
				if !strings.Contains(out, tc.want) {
					t.Errorf("%q + TAB: the terminal shows %q, want %q", strings.TrimSuffix(tc.typed, "\t"), out, tc.want)
				}
			}
		})
	}
}

// typeInShell starts the shell on a terminal, sends setup, waits for the
// prompt, types typed, and returns what the terminal shows from then on
// once it contains want (or after a few seconds).
func typeInShell(t *testing.T, dir, binDir string, argv []string, setup, typed, want string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + binDir + ":" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=dumb"}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatalf("start %s on a pty: %v", argv[0], err)
	}
	defer func() {
		f.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	var buf bytes.Buffer
	chunks := make(chan []byte)
	go func() {
		for {
			b := make([]byte, 4096)
			n, err := f.Read(b)
			if n > 0 {
				chunks <- b[:n]
			}
			if err != nil {
				close(chunks)
				return
			}
		}
	}()
	// waitFor reads until the output since mark contains s.
	waitFor := func(mark int, s string, d time.Duration) string {
		deadline := time.After(d)
		for !strings.Contains(buf.String()[mark:], s) {
			select {
			case b, ok := <-chunks:
				if !ok {
					return buf.String()[mark:]
				}
				buf.Write(b)
			case <-deadline:
				return buf.String()[mark:]
			}
		}
		return buf.String()[mark:]
	}
	if _, err := f.WriteString(setup + "echo ready-$((6*7))\n"); err != nil {
		t.Fatal(err)
	}
	if out := waitFor(0, "ready-42", hangGuard); !strings.Contains(out, "ready-42") {
		t.Fatalf("%s did not start: %q", argv[0], out)
	}
	waitFor(strings.LastIndex(buf.String(), "ready-42"), "$ ", time.Second)
	mark := buf.Len()
	if _, err := f.WriteString(typed); err != nil {
		t.Fatal(err)
	}
	return waitFor(mark, want, 5*time.Second)
}

// TestCompletionZsh checks the zsh script's syntax and runs its function
// with compadd and _files replaced by functions that print what they get.
func TestCompletionZsh(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh is not installed (.ci/run installs it with apt-get): zsh completion not checked")
	}
	dir, binDir := completionProject(t)
	script := filepath.Join(t.TempDir(), "_keep")
	if err := os.WriteFile(script, []byte(keep(t, run{Args: []string{"completion", "zsh"}}).Stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("zsh", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	driver := `source ` + script + `
compadd() {
	local suffix=' '
	while [[ $1 == -* && $1 != -- ]]; do
		if [[ $1 == -S ]]; then suffix=$2; shift; fi
		shift
	done
	[[ $1 == -- ]] && shift
	local c
	for c in "$@"; do print -rn -- "$c$suffix|"; done
}
_files() { print -rn -- "<files>|" }
_command_names() { print -rn -- "<commands $*>|" }
t() { words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}; _keep; print }
t keep r
t keep run --e
t keep run --env=pr
t keep copy --from legacy:
t keep vault:delete ''
t keep run -- ''
t keep run -- printenv ''
t keep get ''
`
	got := inShell(t, dir, binDir, "zsh", "-f", "-c", driver)
	want := []string{
		"run |restore |rename |",
		"--endpoint-url=|--env=|--except=|--exec |",
		"--env=production |",
		"legacy:local |legacy:staging |legacy:production |",
		"legacy |secretsmanager |",
		"<commands -e>|",
		"<files>|",
		"",
	}
	if !slices.Equal(got, want) {
		t.Errorf("zsh completion:\n got %q\nwant %q", got, want)
	}
}

// TestCompletionFish loads the fish script and asks fish itself what it
// would complete (complete -C), file fallback included.
func TestCompletionFish(t *testing.T) {
	if _, err := exec.LookPath("fish"); err != nil {
		t.Skip("fish is not installed (.ci/run installs it with apt-get): fish completion not checked")
	}
	dir, binDir := completionProject(t)
	if err := os.WriteFile(filepath.Join(dir, "server.js"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "keep.fish")
	if err := os.WriteFile(script, []byte(keep(t, run{Args: []string{"completion", "fish"}}).Stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("fish", "--no-execute", script).CombinedOutput(); err != nil {
		t.Fatalf("fish --no-execute: %v\n%s", err, out)
	}
	cases := []struct{ line, want string }{
		{"keep r", "rename|restore|run"},
		{"keep run --env=pr", "--env=production"},
		{"keep run --env ", "local|production|staging"},
		{"keep copy --from=legacy:s", "--from=legacy:staging"},
		{"keep vault:delete ", "legacy|secretsmanager"},
		{"keep run -- node ", "server.js"},
		{"keep run -- printe", "printenv"},
		{"keep get ", ""},
		{"KEEP_ENV=x keep vault:d", "vault:delete"},
	}
	var driver strings.Builder
	driver.WriteString("source " + script + "\n")
	for _, c := range cases {
		driver.WriteString("set r (complete -C '" + c.line + "' | string replace -r '\\t.*' '' | sort); echo (string join '|' -- $r)\n")
	}
	got := inShell(t, dir, binDir, "fish", "--no-config", "-c", driver.String())
	for i, c := range cases {
		if i >= len(got) || got[i] != c.want {
			t.Errorf("fish: complete -C %q: want %q; fish printed %q", c.line, c.want, got)
			break
		}
	}
}
