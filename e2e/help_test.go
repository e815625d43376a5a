//go:build linux

package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
)

// How keep explains itself through the binary: keep alone, keep help,
// --help of each command, the hint after a command line it cannot parse;
// and the peers' habits it takes (keep exec, -e, --endpoint-url, --format
// in any case).

func TestParseErrorNamesTheCommandRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		hint string
	}{
		{[]string{"show", "--unmasked"}, "keep: see keep show --help"},
		{[]string{"diff"}, "keep: see keep diff --help"},
		{[]string{"copy", "--from=a"}, "keep: see keep copy --help"},
		{[]string{"set", "--bogus"}, "keep: see keep set --help"},
		{[]string{"completion", "powershell"}, "keep: see keep completion --help"},
		{[]string{"vault:add", "--nope"}, "keep: see keep vault:add --help"},
		{[]string{"exec", "--nope"}, "keep: see keep run --help"},
		{[]string{"nope"}, "keep: see keep --help"},
	} {
		res := keep(t, run{Args: tc.args})
		wantExit(t, res, 125, tc.hint+"\n")
		if strings.Contains(res.Stderr, "keep run --help") && tc.args[0] != "exec" {
			t.Errorf("keep %q: the hint still names keep run:\n%s", tc.args, res.Stderr)
		}
	}
}

func TestKeepAloneAndKeepHelp(t *testing.T) {
	t.Parallel()
	full := keep(t, run{Args: []string{"--help"}})
	mustSucceed(t, full)
	if !strings.HasPrefix(full.Stdout, "Usage: keep <command>") {
		t.Fatalf("keep --help:\n%s", full.Stdout)
	}
	// keep alone: the same usage, on stderr, and a failure for scripts.
	alone := keep(t, run{})
	if alone.Code != 125 || alone.Stdout != "" || alone.Stderr != full.Stdout {
		t.Errorf("keep alone: exit %d, stdout %q, stderr:\n%s\nwant 125 and the usage of --help on stderr", alone.Code, alone.Stdout, alone.Stderr)
	}
	if res := keep(t, run{Args: []string{"help"}}); res.Code != 0 || res.Stdout != full.Stdout {
		t.Errorf("keep help: exit %d:\n%s", res.Code, res.Stdout)
	}
	for _, cmd := range [][]string{{"run"}, {"vault:add"}, {"get"}, {"exec"}} {
		want := keep(t, run{Args: append(slices.Clone(cmd), "--help")})
		mustSucceed(t, want)
		res := keep(t, run{Args: append([]string{"help"}, cmd...)})
		if res.Code != 0 || res.Stdout != want.Stdout {
			t.Errorf("keep help %s: exit %d, stdout:\n%s\nwant keep %s --help's:\n%s", cmd[0], res.Code, res.Stdout, cmd[0], want.Stdout)
		}
	}
	wantExit(t, keep(t, run{Args: []string{"help", "nope"}}), 125, "keep: error: no command nope", "keep: keep help lists the commands")
}

// Every command's --help: examples where a command has several ways to be
// called, the run usage line with its --, --version only in keep's own
// help, defaults in one style.
func TestCommandHelp(t *testing.T) {
	t.Parallel()
	root := keep(t, run{Args: []string{"--help"}})
	if !strings.Contains(root.Stdout, "--version") {
		t.Errorf("keep --help lacks --version:\n%s", root.Stdout)
	}
	var commands []string
	for _, line := range strings.Split(keep(t, run{Args: []string{"__complete", "--", ""}}).Stdout, "\n") {
		if line != "" {
			commands = append(commands, line)
		}
	}
	if len(commands) < 20 {
		t.Fatalf("commands: %q", commands)
	}
	needExamples := []string{"run", "export", "set", "get", "show", "delete", "restore", "history", "diff", "copy", "init", "vault:add", "iam", "verify", "template:validate"}
	for _, cmd := range commands {
		res := keep(t, run{Args: []string{cmd, "--help"}})
		mustSucceed(t, res)
		help := res.Stdout
		if versionFlag.MatchString(help) {
			t.Errorf("keep %s --help shows the global --version", cmd)
		}
		if slices.Contains(needExamples, cmd) {
			if _, ex, ok := strings.Cut(help, "Examples:\n"); !ok || !strings.Contains(ex, "keep "+cmd) && !(cmd == "run" && strings.Contains(ex, "keep run")) {
				t.Errorf("keep %s --help has no example of keep %s:\n%s", cmd, cmd, help)
			}
		}
		for _, bad := range []string{",…,...", "(default: (", "[default:", `="`} {
			if strings.Contains(help, bad) {
				t.Errorf("keep %s --help holds %q:\n%s", cmd, bad, help)
			}
		}
	}
	if res := keep(t, run{Args: []string{"run", "--help"}}); !strings.HasPrefix(res.Stdout, "Usage: keep run (exec) [flags] -- <command> [<arg> ...]\n") {
		t.Errorf("keep run --help usage line:\n%s", res.Stdout)
	}
}

var versionFlag = regexp.MustCompile(`--version\s`)

// keep exec is keep run, -e is --env, and --format takes any case.
func TestPeersHabits(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "HABIT_TOKEN", "habit-token-value"))
	res := keep(t, run{Args: []string{"exec", "--namespace=" + ns, "-e", "production", "--", testBin, "child:env"}})
	mustSucceed(t, res)
	if env := childEnv(t, res); env["HABIT_TOKEN"] != "habit-token-value" {
		t.Errorf("keep exec -e production: HABIT_TOKEN of %d bytes", len(env["HABIT_TOKEN"]))
	}
	res = keep(t, run{Args: []string{"export", "--namespace=" + ns, "-e", "production", "--format=JSON"}})
	mustSucceed(t, res)
	if strings.TrimSpace(res.Stdout) != "{\n    \"HABIT_TOKEN\": \"habit-token-value\"\n}" {
		t.Errorf("export --format=JSON printed %d bytes, not the JSON object", len(res.Stdout))
	}
	res = keep(t, run{Args: []string{"show", "--namespace=" + ns, "-e", "production", "--format", "Json"}})
	wantStdout(t, res, `"key": "HABIT_TOKEN"`)
	wantExit(t, keep(t, run{Args: []string{"show", "--namespace=" + ns, "-e", "production", "--format=yaml"}}), 125,
		`--format must be one of "table","json","env" but got "yaml"`)
}

// --endpoint-url, as the AWS CLI's: it wins over AWS_ENDPOINT_URL.
func TestEndpointURLFlag(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "ENDPOINT_TOKEN", "endpoint-token-value"))
	motoURL := ""
	var env []string
	for _, kv := range keeptest.Moto().Env() {
		if url, ok := strings.CutPrefix(kv, "AWS_ENDPOINT_URL="); ok {
			motoURL = url
			continue
		}
		env = append(env, kv)
	}
	dead := append(slices.Clone(env), "AWS_ENDPOINT_URL=http://127.0.0.1:9")
	for _, args := range [][]string{
		{"run", "--namespace=" + ns, "--env=production", "--endpoint-url=" + motoURL, "--", testBin, "child:env"},
		{"get", "ENDPOINT_TOKEN", "--namespace=" + ns, "--env=production", "--format=raw", "--endpoint-url", motoURL},
		{"verify", "--namespace=" + ns, "--env=production", "--endpoint-url=" + motoURL},
	} {
		for _, endpoint := range [][]string{env, dead} {
			res := keep(t, run{Endpoint: endpoint, Args: args})
			if res.Code != 0 {
				t.Errorf("keep %s --endpoint-url=moto: exit %d\n%s", args[0], res.Code, res.Stderr)
			}
		}
	}
	res := keep(t, run{Endpoint: dead, Args: []string{"get", "ENDPOINT_TOKEN", "--namespace=" + ns, "--env=production"}})
	wantExit(t, res, 125, "127.0.0.1:9")
}
