//go:build linux

package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

// The red-team cases of issue 18 (a hostile neighbour, a hostile value, a
// hostile file), through the binary. docs/reliability.md lists them.

// A value ending in a backslash would make the dotenv parsers read on into
// the next value (python-dotenv, godotenv, Node's dotenv, compose): keep
// export and run --output refuse it, naming the KEY, and write nothing.
func TestDotenvRefusesSpillingValue(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedVars(t, ns, "production", map[string]string{"A_PATH": `redteam-spill\`, "B_NEXT": "\nINJECTED=redteam-pwned\n"})
	dir := t.TempDir()
	out := filepath.Join(dir, ".env")
	for _, args := range [][]string{
		{"export", "--namespace=" + ns, "--env=production"},
		{"export", "--namespace=" + ns, "--env=production", "--output=" + out},
	} {
		res := keep(t, run{Args: args})
		wantExit(t, res, 125, "A_PATH: the value ends with a backslash", "keep run without --output")
		keeptest.AssertNoLeak(t, "stderr", res.Stderr)
	}
	_, tmpl := newTemplate(t, "A_PATH={secretsmanager}\nB_NEXT={secretsmanager}\n")
	res := keep(t, run{Args: withTemplate(ns, tmpl, []string{"--output=" + out}, "true")})
	wantExit(t, res, 125, "production.env:1: A_PATH: the value ends with a backslash")
	wantFiles(t, dir)
	// JSON holds it exactly.
	wantStdout(t, keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--format=json"}}), `"A_PATH": "redteam-spill\\"`)
}

// A value that no dotenv form reads back exactly everywhere is written in
// its best form with a warning naming the KEY, never the value (issue 16).
func TestDotenvWarnsNonPortable(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedVars(t, ns, "production", map[string]string{"MIXED": `redteam 'a' "b" $c`, "CRLF": "redteam\r\nline", "PLAIN": "redteam-plain"})
	res := keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production"}})
	mustSucceed(t, res)
	wantCode(t, res, 0, "keep: warning: CRLF, MIXED: no dotenv quoting reads these values back exactly", "JSON or base64")
	keeptest.AssertNoLeak(t, "stderr", res.Stderr)
	if strings.Contains(res.Stderr, "PLAIN") {
		t.Errorf("the warning names a portable value:\n%s", res.Stderr)
	}

	dir, tmpl := newTemplate(t, "MIXED={secretsmanager}\nPLAIN={secretsmanager}\n")
	out := filepath.Join(dir, ".env")
	res = keep(t, run{Args: withTemplate(ns, tmpl, []string{"--output=" + out}, "true")})
	wantCode(t, res, 0, "keep: warning: MIXED: no dotenv quoting reads this value back exactly")
	keeptest.AssertNoLeak(t, "stderr", res.Stderr)

	res = keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--only=PLAIN"}})
	mustSucceed(t, res)
	if res.Stderr != "" {
		t.Errorf("a portable export warns:\n%s", res.Stderr)
	}
}

// A .keep/ that others may write to decides nothing: keep refuses it,
// naming it, before any call (a planted template_path or vault file would
// choose the app's environment or where keep set writes), and
// KEEP_PROJECT=DIR trusts it. The mode is real, so this holds for root;
// config's unit tests fake other owners.
func TestPlantedProjectRefused(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedVars(t, ns, "production", map[string]string{"DB_PASSWORD": "redteam-planted-db"})
	shared := t.TempDir()
	writeFile(t, shared, ".keep/settings.json", `{"namespace":"`+ns+`","template_path":"env"}`)
	writeFile(t, shared, ".keep/vaults/secretsmanager.json", `{"slug":"secretsmanager","driver":"secretsmanager","region":"eu-west-3"}`)
	if err := os.Chmod(filepath.Join(shared, ".keep"), 0o777); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(shared, "build")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "--env=production", "--", testBin, "child:env"}
	env := []string{"KEEP_NAMESPACE=" + ns}
	for _, a := range [][]string{args, {"set", "NEWKEY", "x", "--env=production", "-n"}} {
		res := keep(t, run{Args: a, Dir: work, Env: env})
		wantExit(t, res, 125, "refusing the keep project at "+shared+": "+filepath.Join(shared, ".keep")+" is writable by every user", "KEEP_PROJECT="+shared)
	}
	// Trusted: the project decides (its region holds no secret here).
	res := keep(t, run{Args: args, Dir: work, Env: append(env, "KEEP_PROJECT="+shared)})
	wantExit(t, res, 125, "eu-west-3")
	if err := os.Chmod(filepath.Join(shared, ".keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	wantExit(t, keep(t, run{Args: args, Dir: work, Env: env}), 125, "eu-west-3")
}

// keep reads settings, vault files, templates and the .env of --append only
// when they are regular files of at most a documented size, opened without
// blocking: /dev/zero as settings.json grew keep until the OOM killer, a
// FIFO as --template hung it, and export --append read through a symlink
// before refusing to write it. Each run here would hang or exhaust memory
// before the fix (keeptest fails a run still going after Timeout).
func TestHostileFilesRefused(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedVars(t, ns, "production", map[string]string{"DB_PASSWORD": "redteam-files-db"})
	base := []string{"--namespace=" + ns, "--env=production"}
	fifo := func(dir string) string {
		p := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hang := 20 * time.Second

	dir := t.TempDir()
	res := keep(t, run{Args: append([]string{"run", "--template=" + fifo(dir)}, append(base, "--", "true")...), Timeout: hang})
	wantExit(t, res, 125, "fifo is not a regular file (a named pipe)")

	for name, target := range map[string]string{"settings.json": "/dev/zero", "vaults/secretsmanager.json": "/dev/zero"} {
		proj := t.TempDir()
		writeFile(t, proj, ".keep/settings.json", `{"namespace":"`+ns+`"}`)
		p := filepath.Join(proj, ".keep", name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		// /dev/zero is writable by all, which the trust check refuses
		// first; trusted, the read itself refuses it.
		wantExit(t, keep(t, run{Args: []string{"run", "--env=production", "--", "true"}, Dir: proj, Timeout: hang}), 125, "is writable by every user")
		wantExit(t, keep(t, run{Args: []string{"run", "--env=production", "--", "true"}, Dir: proj, Env: []string{"KEEP_PROJECT=" + proj}, Timeout: hang}), 125, name+" is not a regular file (a device)")
	}

	big := t.TempDir()
	writeFile(t, big, ".keep/settings.json", `{"namespace":"`+ns+`"}`)
	if err := os.Truncate(filepath.Join(big, ".keep", "settings.json"), 2<<20); err != nil {
		t.Fatal(err)
	}
	wantExit(t, keep(t, run{Args: []string{"run", "--env=production", "--", "true"}, Dir: big, Timeout: hang}), 125, "settings.json is larger than 1 MiB")

	// Completion in a project whose settings.json is a FIFO froze the
	// shell: it completes commands, and no env names.
	frozen := t.TempDir()
	if err := os.Mkdir(filepath.Join(frozen, ".keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(frozen, ".keep", "settings.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, env := range [][]string{nil, {"KEEP_PROJECT=" + frozen}} {
		res = keep(t, run{Dir: frozen, Env: env, Args: []string{"__complete", "--", "ru"}, Timeout: hang})
		if res.Code != 0 || !strings.Contains(res.Stdout, "run") {
			t.Errorf("completion next to a FIFO settings.json: exit %d, %q, stderr %q", res.Code, res.Stdout, res.Stderr)
		}
		wantExit(t, keep(t, run{Dir: frozen, Env: env, Args: []string{"run", "--env=production", "--", "true"}, Timeout: hang}), 125, "settings.json")
	}

	out := t.TempDir()
	link := filepath.Join(out, ".env")
	if err := os.Symlink(fifo(out), link); err != nil {
		t.Fatal(err)
	}
	res = keep(t, run{Args: append([]string{"export", "--output=" + link, "--append"}, base...), Timeout: hang})
	wantExit(t, res, 125, link+" is a symlink")
}

// A template that names no secret (empty, truncated) does not start the
// command or write the file, unless --allow-empty, as a listing that finds
// none.
func TestTemplateWithoutPlaceholderRefused(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir, tmpl := newTemplate(t, "APP_NAME=x\n# the rest was cut off\n")
	empty := filepath.Join(dir, "empty.env")
	writeFile(t, dir, "empty.env", "")
	for _, path := range []string{tmpl, empty} {
		wantExit(t, keep(t, run{Args: withTemplate(ns, path, nil, testBin, "child:env")}), 125, "has no {vault:KEY} placeholder", "--allow-empty")
		wantExit(t, keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--template=" + path}}), 125, "has no {vault:KEY} placeholder")
	}
	env := childEnv(t, keep(t, run{Args: withTemplate(ns, tmpl, []string{"--allow-empty"}, testBin, "child:env")}))
	if env["APP_NAME"] != "x" {
		t.Errorf("--allow-empty: APP_NAME = %q, want x", env["APP_NAME"])
	}
	wantStdout(t, keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--template=" + tmpl, "--allow-empty"}}), "APP_NAME=x")
}

// --output that is the template (the same path, or a hard link to it) is
// refused, with or without --overwrite: keep would replace the template
// with secrets (and, for run, delete it when the command ends).
func TestOutputIsTheTemplateRefused(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedVars(t, ns, "production", map[string]string{"DB_PASSWORD": "redteam-same-file-db"})
	src := "DB_PASSWORD={secretsmanager}\n"
	dir, tmpl := newTemplate(t, src)
	link := filepath.Join(dir, "link.env")
	if err := os.Link(tmpl, link); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{tmpl, link, "./production.env"} {
		for _, over := range [][]string{nil, {"--overwrite"}} {
			flags := append([]string{"--output=" + out}, over...)
			wantExit(t, keep(t, run{Args: withTemplate(ns, tmpl, flags, "true"), Dir: dir}), 125, "is the template "+tmpl+" itself")
			args := append([]string{"export", "--namespace=" + ns, "--env=production", "--template=" + tmpl}, flags...)
			wantExit(t, keep(t, run{Args: args, Dir: dir}), 125, "is the template")
		}
	}
	if got, err := os.ReadFile(tmpl); err != nil || string(got) != src {
		t.Errorf("the template now holds %d bytes (%v), want it as it was", len(got), err)
	}
}

// A negative --kill-timeout was taken for "not set" and silently meant
// exec mode.
func TestNegativeKillTimeoutRefused(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--kill-timeout=-5s", "--kill-timeout=-1ns"} {
		wantExit(t, keep(t, run{Args: []string{"run", "--namespace=x", "--env=production", arg, "--", "true"}}), 125, "is negative")
	}
	wantExit(t, keep(t, run{Args: []string{"run", "--namespace=x", "--env=production", "--", "true"}, Env: []string{"KEEP_KILL_TIMEOUT=-5s"}}), 125, "--kill-timeout=-5s is negative")
}

// delete --force checked only the namespace: ns/production/X tagged
// Environment=staging was deleted by keep delete X --env=production
// --force. Deletes (and restores) check the environment tags as reads do.
func TestDeleteChecksEnvironmentTag(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	s := secret(ns, "production", "X", "redteam-delete-staging")
	s.Tags["Environment"] = "staging"
	seed(t, s)
	for _, force := range []string{"--force", "--recovery-days=7"} {
		res := keep(t, run{Args: []string{"delete", "X", "--namespace=" + ns, "--env=production", force, "-n"}})
		wantCode(t, res, 125, ns+`/production/X exists but is not tagged for environment production (tags Environment="staging"`)
	}
	wantSecret(t, ns+"/production/X", "redteam-delete-staging", s.Tags)
}

// SIGABRT to a supervising keep with --output left the rendered file on
// disk (the Go runtime's crash skipped the cleanup). Every signal that
// ends keep and that Go lets it catch now removes the file first; keep
// then ends as the signal would have ended it.
func TestTemplateFileRemovedOnFatalSignal(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "redteam-abort-token"))
	dir, path := newTemplate(t, "TOKEN={secretsmanager}\n")
	for _, sig := range []syscall.Signal{syscall.SIGABRT, syscall.SIGSYS, syscall.SIGSEGV} {
		t.Run(unix.SignalName(sig), func(t *testing.T) {
			out := filepath.Join(dir, unix.SignalName(sig)+".env")
			log := filepath.Join(t.TempDir(), "signals.log")
			r := startKeep(t, launch{
				env:  []string{"GODEBUG=asyncpreemptoff=1"},
				args: withTemplate(ns, path, []string{"--output=" + out}, testBin, "child:trap", log, "term"),
			})
			r.log = log
			r.waitSignals(0)
			if _, err := os.Lstat(out); err != nil {
				t.Fatalf("the file is not there while the child runs: %v", err)
			}
			r.signal(sig)
			res := r.wait()
			if res.State.Success() {
				t.Errorf("keep ended with %s after %s", ending(res.State), unix.SignalName(sig))
			}
			keeptest.AssertNoLeak(t, "stderr", res.Stderr)
			wantGone(t, out)
		})
	}
}

// Names and error messages from the endpoint reached stderr with escape
// sequences and newlines: a hostile endpoint could forge a "keep:" line or
// clear the screen. Every such string is shown with its unprintable
// characters escaped.
func TestEndpointTextIsPrintable(t *testing.T) {
	t.Parallel()
	const forged = "\x1b[2J\nkeep: forged line\u202e"
	tags := func(env string) map[string]string {
		return map[string]string{"ManagedBy": "Keep", "Namespace": "app", "Environment": env}
	}
	check := func(t *testing.T, res result, want string) {
		t.Helper()
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
		}
		for _, line := range strings.Split(res.Stderr, "\n") {
			if strings.HasPrefix(line, "keep: forged") || strings.ContainsAny(line, "\x1b\u202e") {
				t.Errorf("stderr holds the endpoint's raw text: %q", line)
			}
		}
	}
	args := []string{"run", "--namespace=app", "--env=production", "-v", "--", "true"}

	// A name keep cannot place: an error naming it.
	srv := smfake.New(fakeSecret("app", "production", "DB", "redteam-printable-db"),
		smfake.Secret{Name: "app/production/X" + forged, Value: "redteam-printable-x", Tags: tags("production")})
	t.Cleanup(srv.Close)
	res := keep(t, run{Endpoint: srv.Env(), Args: args})
	wantCode(t, res, 125)
	check(t, res, `app/production/X\x1b[2J\nkeep: forged line\u202e`)

	// A skipped name, which -v lists.
	srv = smfake.New(fakeSecret("app", "production", "DB", "redteam-printable-db"),
		smfake.Secret{Name: "app/production/Y" + forged, Value: "redteam-printable-y", Tags: tags("staging")})
	t.Cleanup(srv.Close)
	res = keep(t, run{Endpoint: srv.Env(), Args: args})
	mustSucceed(t, res)
	check(t, res, `Y\x1b[2J\nkeep: forged line\u202e`)

	// An error message.
	srv = smfake.New(fakeSecret("app", "production", "DB", "redteam-printable-db"))
	t.Cleanup(srv.Close)
	srv.Inject = func(op string, _ int) *smfake.Fault {
		return &smfake.Fault{Code: "WeirdException", Message: "odd" + forged}
	}
	res = keep(t, run{Endpoint: srv.Env(), Args: args})
	wantCode(t, res, 125)
	check(t, res, `WeirdException: odd\x1b[2J\nkeep: forged line\u202e`)
}

// A 200 MB response was read whole (545 MB of memory): keep reads at most
// 16 MiB of one response, then fails naming the call.
func TestHugeResponseRefused(t *testing.T) {
	t.Parallel()
	const huge = 128 << 20
	var sent atomic.Int64
	srv := smfake.New()
	t.Cleanup(srv.Close)
	srv.Raw = func(w http.ResponseWriter, _ *http.Request, _ smfake.Call) bool {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, `{"SecretList":[{"Name":"`)
		chunk := []byte(strings.Repeat("a", 64<<10))
		for sent.Load() < huge {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				break
			}
		}
		return true
	}
	res := keep(t, run{Endpoint: srv.Env(), Args: []string{"run", "--namespace=app", "--env=production", "--", "true"}})
	wantExit(t, res, 125, "the response is larger than 16 MiB")
	srv.Close()
	if got := sent.Load(); got >= huge {
		t.Errorf("keep read the whole %d MiB body", got>>20)
	}
}
