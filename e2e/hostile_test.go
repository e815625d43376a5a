//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
)

// Hostile input through the real binary against moto: broken and
// ill-typed .keep/ files, names that try to leave their namespace, CRLF
// and byte order marks, values at Secrets Manager's size limit, huge
// templates, keys that collide once mapped to variable names, and
// secrets named like the variables that decide what a command runs.
//
// Every secret value here is a sentinel ("SENTINEL-…") and every run
// checks that keep itself prints none: on stderr always, and on stdout
// when it failed (the child never ran, so anything there is keep's).
// Failing runs are repeated with --verbose.

// sentinelValue is a recognisable secret value for what, unique to ns.
func sentinelValue(ns, what string) string {
	v := "SENTINEL-" + what + "-" + ns
	keeptest.Remember(v)
	return v
}

// noSentinel fails if keep printed a sentinel.
func noSentinel(t *testing.T, res result) {
	t.Helper()
	if strings.Contains(res.Stderr, "SENTINEL") {
		t.Errorf("keep's stderr holds a secret value:\n%s", res.Stderr)
	}
	if res.Code != 0 && strings.Contains(res.Stdout, "SENTINEL") {
		t.Errorf("keep failed (%d) and its stdout holds a secret value:\n%s", res.Code, res.Stdout)
	}
}

// withVerbose is args with -v after the command name.
func withVerbose(args []string) []string {
	return append([]string{args[0], "-v"}, args[1:]...)
}

// wantRefused runs keep, then again with --verbose; both must exit with code
// before the child runs, name each of stderrHas and print no sentinel.
func wantRefused(t *testing.T, r run, code int, stderrHas ...string) {
	t.Helper()
	for _, args := range [][]string{r.Args, withVerbose(r.Args)} {
		r.Args = args
		res := keep(t, r)
		wantExit(t, res, code, stderrHas...)
		noSentinel(t, res)
	}
}

// wantChildEnv runs keep (with --verbose too) and returns the child's
// environment from the first run; keep's stderr holds no sentinel.
func wantChildEnv(t *testing.T, r run) map[string]string {
	t.Helper()
	res := keep(t, r)
	noSentinel(t, res)
	env := childEnv(t, res)
	r.Args = withVerbose(r.Args)
	res = keep(t, r)
	noSentinel(t, res)
	childEnv(t, res)
	return env
}

func envDumpArgs(args ...string) []string {
	return append(args, "--", testBin, "child:env")
}

func TestHostileProjectFiles(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	// Were keep to read past a broken file, it would inject this.
	seed(t, secret(ns, "production", "TOKEN", sentinelValue(ns, "project-token")))
	settings := fmt.Sprintf(`{"namespace": %q, "envs": ["production"]}`, ns)
	vault := `{"slug": "main", "driver": "secretsmanager", "region": "us-east-1"}`
	for _, tc := range []struct {
		name     string
		settings string
		vaults   map[string]string // file name under .keep/vaults → content
		flags    []string
		want     []string
	}{
		{name: "settings truncated", settings: settings[:len(settings)-1],
			want: []string{"settings.json:1: invalid JSON: unexpected end of JSON input", "fix the file"}},
		{name: "settings trailing comma", settings: "{\n  \"namespace\": \"" + ns + "\",\n  \"envs\": [\"production\"],\n}",
			want: []string{"settings.json:4: invalid JSON"}},
		{name: "settings empty file", settings: "", want: []string{"settings.json", "invalid JSON"}},
		{name: "settings with a BOM", settings: "\ufeff" + settings,
			want: []string{"settings.json: invalid JSON: the file starts with a UTF-8 byte order mark", "without a BOM"}},
		{name: "settings an array", settings: `[]`, want: []string{"settings.json", "invalid JSON", "cannot unmarshal array"}},
		{name: "settings null", settings: `null`, want: []string{"no namespace given", "--namespace"}},
		{name: "namespace a number", settings: `{"namespace": 42, "envs": ["production"]}`,
			want: []string{"settings.json", "invalid JSON", "cannot unmarshal number"}},
		{name: "envs a string", settings: fmt.Sprintf(`{"namespace": %q, "envs": "production"}`, ns),
			want: []string{"settings.json", "invalid JSON", "cannot unmarshal string"}},
		{name: "namespace empty", settings: `{"namespace": "", "envs": ["production"]}`, want: []string{"no namespace given"}},
		{name: "namespace with a slash", settings: fmt.Sprintf(`{"namespace": "%s/x"}`, ns), want: []string{`invalid namespace "` + ns + `/x"`, "1-100 letters"}},
		{name: "namespace ..", settings: `{"namespace": ".."}`, want: []string{`invalid namespace ".."`}},
		{name: "namespace with a space", settings: `{"namespace": "my app"}`, want: []string{`invalid namespace "my app"`}},
		{name: "namespace unicode", settings: `{"namespace": "prøject"}`, want: []string{`invalid namespace "prøject"`}},
		{name: "env not the project's", settings: fmt.Sprintf(`{"namespace": %q, "envs": ["staging"]}`, ns),
			want: []string{`environment "production" is not one of the project's environments (staging)`}},
		{name: "vault truncated", settings: settings, vaults: map[string]string{"main.json": vault[:20]},
			want: []string{"main.json:1: invalid JSON"}},
		{name: "vault slug a number", settings: settings, vaults: map[string]string{"main.json": `{"slug": 7, "driver": "secretsmanager"}`},
			want: []string{"main.json", "invalid JSON", "cannot unmarshal number"}},
		{name: "vault replica_regions a number", settings: settings, vaults: map[string]string{"main.json": `{"driver": "secretsmanager", "replica_regions": 7}`},
			want: []string{"main.json", "invalid JSON", "cannot unmarshal number"}},
		{name: "unknown driver", settings: settings, vaults: map[string]string{"main.json": `{"slug": "main", "driver": "hashicorp-vault"}`},
			want: []string{`vault "main" uses driver "hashicorp-vault"; keep only reads "secretsmanager" vaults`}},
		{name: "no driver", settings: settings, vaults: map[string]string{"main.json": `{"slug": "main"}`},
			want: []string{`vault "main" uses driver ""`}},
		{name: "driver in other case", settings: settings, vaults: map[string]string{"main.json": `{"driver": "SecretsManager"}`},
			want: []string{`uses driver "SecretsManager"`}},
		{name: "slug not the file name", settings: settings, vaults: map[string]string{"main.json": `{"slug": "other", "driver": "secretsmanager"}`},
			want: []string{`slug "other" does not match the file name`, "rename the file to other.json"}},
		{name: "scope ..", settings: settings, vaults: map[string]string{"main.json": `{"driver": "secretsmanager", "scope": "../other"}`},
			want: []string{`invalid vault scope "../other"`}},
		{name: "scope with an empty segment", settings: settings, vaults: map[string]string{"main.json": `{"driver": "secretsmanager", "scope": "a//b"}`},
			want: []string{`invalid vault scope "a//b"`}},
		{name: "scope with a space", settings: settings, vaults: map[string]string{"main.json": `{"driver": "secretsmanager", "scope": "team a"}`},
			want: []string{`invalid vault scope "team a"`}},
		{name: "scope unicode", settings: settings, vaults: map[string]string{"main.json": `{"driver": "secretsmanager", "scope": "tëam"}`},
			want: []string{`invalid vault scope "tëam"`}},
		{name: "region a path", settings: settings, vaults: map[string]string{"main.json": `{"driver": "secretsmanager", "region": "us-east-1/../x"}`},
			want: []string{`invalid region "us-east-1/../x"`, `vault file's "region"`}},
		{name: "region flag with a space", settings: settings, vaults: map[string]string{"main.json": vault},
			flags: []string{"--region=us east 1"}, want: []string{`invalid region "us east 1"`}},
		{name: "default_vault names no vault", settings: fmt.Sprintf(`{"namespace": %q, "default_vault": "nope"}`, ns),
			vaults: map[string]string{"main.json": vault}, want: []string{`vault "nope" is not configured`, "main"}},
		{name: "vault flag ..", settings: settings, vaults: map[string]string{"main.json": vault},
			flags: []string{"--vault=../main"}, want: []string{`vault "../main" is not configured`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, dir, ".keep/settings.json", tc.settings)
			for name, content := range tc.vaults {
				writeFile(t, dir, ".keep/vaults/"+name, content)
			}
			wantRefused(t, run{Dir: dir, Args: envDumpArgs(append([]string{"run", "--env=production"}, tc.flags...)...)}, 125, tc.want...)
		})
	}
	// keep writes no vault file that it would refuse to read.
	dir := t.TempDir()
	writeFile(t, dir, ".keep/settings.json", settings)
	for _, flag := range []string{"--region=us-east-1/../x", "--scope=../up", "--slug=../up", "--slug=Main"} {
		wantRefused(t, run{Dir: dir, Args: []string{"vault:add", "--no-interaction", flag}}, 125, "invalid")
	}
	if entries, err := os.ReadDir(filepath.Join(dir, ".keep", "vaults")); err == nil && len(entries) > 0 {
		t.Errorf("vault:add wrote %d files for invalid input", len(entries))
	}
}

// Namespaces and environments from flags and variables: nothing outside
// the PHP Keep's character sets reaches a secret name, for reads or
// writes.
func TestHostileNamesOnTheCommandLine(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	key := strings.ToUpper(strings.ReplaceAll(ns, "-", "_"))
	seed(t, secret(ns, "production", key, sentinelValue(ns, "cli")))
	value := sentinelValue(ns, "set")
	for _, tc := range []struct {
		ns, env string
		want    string
	}{
		{ns + "/production", "x", `invalid namespace "` + ns + `/production"`},
		{"..", "production", `invalid namespace ".."`},
		{"../" + ns, "production", `invalid namespace "../` + ns + `"`},
		{ns + " x", "production", "invalid namespace"},
		{"ñamespace", "production", `invalid namespace "ñamespace"`},
		{ns + "\u200b", "production", "invalid namespace"},
		{ns + "\n", "production", "invalid namespace"},
		{strings.Repeat("n", 101), "production", "invalid namespace"},
		{"", "production", "no namespace given"},
		{ns, "", "no environment given"},
		{ns, "prod/uction", `invalid environment "prod/uction"`},
		{ns, "../production", `invalid environment "../production"`},
		{ns, "..", `invalid environment ".."`},
		{ns, "pro duction", `invalid environment "pro duction"`},
		{ns, "prodüction", `invalid environment "prodüction"`},
		{ns, "PRODUCTION", `invalid environment "PRODUCTION"`},
		{ns, "production/" + key, "invalid environment"},
	} {
		t.Run(fmt.Sprintf("%q/%q", tc.ns, tc.env), func(t *testing.T) {
			t.Parallel()
			wantRefused(t, run{Args: envDumpArgs("run", "--namespace="+tc.ns, "--env="+tc.env)}, 125, tc.want)
			wantRefused(t, run{Env: []string{"KEEP_NAMESPACE=" + tc.ns, "KEEP_ENV=" + tc.env}, Args: envDumpArgs("run")}, 125, tc.want)
			wantRefused(t, run{Args: []string{"get", key, "--namespace=" + tc.ns, "--env=" + tc.env}}, 125, tc.want)
			wantRefused(t, run{Args: []string{"set", key, value, "--namespace=" + tc.ns, "--env=" + tc.env}}, 125, tc.want)
			wantNoSecret(t, tc.ns+"/"+tc.env+"/"+key)
		})
	}
}

func TestHostileTemplates(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	token := sentinelValue(ns, "template-token")
	big := sentinelValue(ns, "big")
	big += strings.Repeat("x", 65536-len(big)) // Secrets Manager's maximum
	seed(t, secret(ns, "production", "TOKEN", token), secret(ns, "production", "BIG", big))
	args := func(path string, flags ...string) []string {
		return envDumpArgs(append([]string{"run", "--namespace=" + ns, "--env=production", "--template=" + path}, flags...)...)
	}

	t.Run("CRLF and BOM", func(t *testing.T) {
		t.Parallel()
		body := "# production\nA={secretsmanager:TOKEN}\nexport B=\"two words\"   # comment\nC='{secretsmanager:TOKEN}'\nD=plain\n"
		for name, src := range map[string]string{
			"LF":         body,
			"CRLF":       strings.ReplaceAll(body, "\n", "\r\n"),
			"BOM":        "\ufeff" + body,
			"BOM CRLF":   "\ufeff" + strings.ReplaceAll(body, "\n", "\r\n"),
			"BOM NAME":   "\ufeff" + strings.TrimPrefix(body, "# production\n"),
			"CRLF noEOL": strings.TrimSuffix(strings.ReplaceAll(body, "\n", "\r\n"), "\r\n"),
		} {
			_, path := newTemplate(t, src)
			env := wantChildEnv(t, run{Args: args(path)})
			hasOnly(t, env, map[string]string{"A": token, "B": "two words", "C": token, "D": "plain"}, "\ufeffA", "\ufeff#")
			for k, v := range env {
				if strings.ContainsAny(k+v, "\r\ufeff") {
					t.Errorf("%s: the child has %q=%q: a CR or BOM of the file leaked into the environment", name, k, v)
				}
			}
		}
		// File mode: the rendered file starts with the first line, not a BOM.
		dir, path := newTemplate(t, "\ufeffA={secretsmanager:TOKEN}\r\nD=plain\r\n")
		out := filepath.Join(dir, "out.env")
		res := keep(t, run{Args: append([]string{"run", "--namespace=" + ns, "--env=production", "--template=" + path, "--output=" + out, "--"}, catFile(out)...)})
		noSentinel(t, res)
		if want := "A='" + token + "'\nD=plain\n"; res.Code != 0 || res.Stdout != want {
			t.Errorf("rendered file %q (exit %d), want %q; stderr:\n%s", res.Stdout, res.Code, want, res.Stderr)
		}
	})

	for _, tc := range []struct{ name, src, want string }{
		{"BOM not at the start", "A={secretsmanager:TOKEN}\r\n\ufeffB=1\r\n", "production.env:2: expected a variable name"},
		{"NUL byte", "A={secretsmanager:TOKEN}\nB=x\x00y\n", "the value of B holds a NUL byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, path := newTemplate(t, tc.src)
			wantRefused(t, run{Args: args(path)}, 125, tc.want)
		})
	}

	t.Run("64 KiB value", func(t *testing.T) {
		t.Parallel()
		_, path := newTemplate(t, "BIG={secretsmanager:BIG}\nQUOTED=\"{secretsmanager:BIG}\"\nTOKEN={secretsmanager}\n")
		hasOnly(t, wantChildEnv(t, run{Args: args(path)}), map[string]string{"BIG": big, "QUOTED": big, "TOKEN": token})
	})

	t.Run("10000 lines", func(t *testing.T) {
		t.Parallel()
		var b strings.Builder
		want := map[string]string{}
		for i := range 10000 {
			switch {
			case i%10 == 0:
				fmt.Fprintf(&b, "# section %d\n", i)
			case i%10 == 1:
				b.WriteString("\n")
			case i%100 == 2:
				fmt.Fprintf(&b, "T_%d=\"{secretsmanager:TOKEN}\" # %d\n", i, i)
				want[fmt.Sprintf("T_%d", i)] = token
			default:
				fmt.Fprintf(&b, "V_%d=value-%d\n", i, i)
				want[fmt.Sprintf("V_%d", i)] = fmt.Sprintf("value-%d", i)
			}
		}
		_, path := newTemplate(t, b.String())
		res := keep(t, run{Args: args(path, "--no-inherit")})
		noSentinel(t, res)
		env := childEnv(t, res)
		hasOnly(t, env, want)
		if len(env) != len(want) {
			t.Errorf("the child has %d variables, want the template's %d", len(env), len(want))
		}
		wantStdout(t, keep(t, run{Args: []string{"template:validate", path, "--namespace=" + ns, "--env=production"}}))
	})

	t.Run("vault with an unknown driver", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		writeFile(t, dir, ".keep/settings.json", fmt.Sprintf(`{"namespace": %q, "envs": ["production"], "default_vault": "main"}`, ns))
		writeFile(t, dir, ".keep/vaults/main.json", `{"slug": "main", "driver": "secretsmanager"}`)
		writeFile(t, dir, ".keep/vaults/hv.json", `{"slug": "hv", "driver": "hashicorp-vault"}`)
		writeFile(t, dir, ".keep/vaults/up.json", `{"slug": "up", "driver": "secretsmanager", "scope": "../x"}`)
		writeFile(t, dir, "a.env", "A={main:TOKEN}\nB={hv:TOKEN}\n")
		writeFile(t, dir, "b.env", "A={main:TOKEN}\nB={up:TOKEN}\n")
		wantRefused(t, run{Dir: dir, Args: envDumpArgs("run", "--env=production", "--template=a.env")}, 125, "a.env:2", "hv")
		wantRefused(t, run{Dir: dir, Args: envDumpArgs("run", "--env=production", "--template=b.env")}, 125, `vault up: invalid vault scope "../x"`)
	})
}

// 64 KiB, the Secrets Manager maximum, through keep set and keep run.
func TestHostile64KiBValue(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	big := sentinelValue(p.ns, "big")
	big += strings.Repeat("é", (65536-len(big))/2)
	big += strings.Repeat("x", 65536-len(big))
	res := keep(t, run{Dir: p.dir, Args: []string{"set", "BIG", "--env=production"}, Stdin: strings.NewReader(big)})
	mustSucceed(t, res)
	noSentinel(t, res)
	if strings.Contains(res.Stdout, "SENTINEL") {
		t.Errorf("keep set printed the value (stdout: %d bytes)", len(res.Stdout))
	}
	hasOnly(t, wantChildEnv(t, run{Dir: p.dir, Args: envDumpArgs("run", "--env=production")}), map[string]string{"BIG": big})
	// One byte more is refused, without the value.
	wantRefused(t, run{Dir: p.dir, Args: []string{"set", "BIG", big + "y", "--env=production"}}, 125, "at most 65536")
}

func TestHostileKeysThatCollide(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "api-key", sentinelValue(ns, "dash")),
		secret(ns, "production", "api_key", sentinelValue(ns, "underscore")),
		secret(ns, "production", "OTHER", sentinelValue(ns, "other")),
	)
	wantRefused(t, run{Args: envDumpArgs("run", "--namespace="+ns, "--env=production")}, 125,
		"secrets api-key and api_key both map to the variable API_KEY", "--except")
	hasOnly(t, wantChildEnv(t, run{Args: envDumpArgs("run", "--namespace="+ns, "--env=production", "--except=api-key")}),
		map[string]string{"API_KEY": sentinelValue(ns, "underscore"), "OTHER": sentinelValue(ns, "other")})
}

// Secrets named like the variables that decide what a command runs or
// loads are refused unless --allow-override names them; HOME is not one.
func TestHostileProtectedVariables(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	v := func(what string) string { return sentinelValue(ns, what) }
	seed(t,
		secret(ns, "path", "PATH", v("path")),
		secret(ns, "preload", "LD_PRELOAD", v("preload")),
		secret(ns, "dashed", "LD-PRELOAD", v("dashed")),
		secret(ns, "library", "LD_LIBRARY_PATH", v("library")),
		secret(ns, "dyld", "DYLD_INSERT_LIBRARIES", v("dyld")),
		secret(ns, "home", "HOME", v("home")),
		secret(ns, "both", "PATH", v("both-path")), secret(ns, "both", "LD_PRELOAD", v("both-preload")), secret(ns, "both", "OK", v("both-ok")),
	)
	cmd := func(env string, flags ...string) []string {
		return envDumpArgs(append([]string{"run", "--namespace=" + ns, "--env=" + env}, flags...)...)
	}
	refused := func(name string) []string {
		return []string{"refusing to set " + name + " from a secret or template", "--allow-override=" + name}
	}
	wantRefused(t, run{Args: cmd("path")}, 125, refused("PATH")...)
	wantRefused(t, run{Args: cmd("path", "--allow-override=HOME")}, 125, refused("PATH")...)
	wantRefused(t, run{Args: cmd("preload")}, 125, refused("LD_PRELOAD")...)
	wantRefused(t, run{Args: cmd("dashed")}, 125, refused("LD_PRELOAD")...)
	wantRefused(t, run{Args: cmd("library")}, 125, refused("LD_LIBRARY_PATH")...)
	wantRefused(t, run{Args: cmd("dyld")}, 125, refused("DYLD_INSERT_LIBRARIES")...)
	wantRefused(t, run{Args: cmd("both", "--allow-override=PATH")}, 125, refused("LD_PRELOAD")...)

	hasOnly(t, wantChildEnv(t, run{Args: cmd("path", "--allow-override=PATH")}), map[string]string{"PATH": v("path")})
	hasOnly(t, wantChildEnv(t, run{Env: []string{"KEEP_ALLOW_OVERRIDE=PATH"}, Args: cmd("path")}), map[string]string{"PATH": v("path")})
	hasOnly(t, wantChildEnv(t, run{Args: cmd("home")}), map[string]string{"HOME": v("home")})
	hasOnly(t, wantChildEnv(t, run{Args: cmd("both", "--except=PATH,LD_*")}), map[string]string{"OK": v("both-ok")}, "LD_PRELOAD")
	res := keep(t, run{Args: withVerbose(cmd("home"))})
	noSentinel(t, res)
	if !strings.Contains(res.Stderr, "HOME: the secret overrides the inherited variable") {
		t.Errorf("--verbose does not report the override of HOME:\n%s", res.Stderr)
	}

	// Templates: a placeholder or a plain value.
	_, path := newTemplate(t, "PATH={secretsmanager:PATH}\n")
	wantRefused(t, run{Args: envDumpArgs("run", "--namespace="+ns, "--env=path", "--template="+path)}, 125, refused("PATH")...)
	hasOnly(t, wantChildEnv(t, run{Args: envDumpArgs("run", "--namespace="+ns, "--env=path", "--template="+path, "--allow-override=PATH")}), map[string]string{"PATH": v("path")})
	_, path = newTemplate(t, "A=1\nLD_PRELOAD=/tmp/evil.so\n") // no placeholder: --allow-empty
	wantRefused(t, run{Args: envDumpArgs("run", "--namespace="+ns, "--env=path", "--template="+path, "--allow-empty")}, 125, refused("LD_PRELOAD")...)
}

// A secret holding a NUL byte, which no environment variable can carry,
// is an error naming the variable, not a command that "cannot execute".
func TestHostileNULInASecret(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "NUL", sentinelValue(ns, "nul")+"\x00after"))
	wantRefused(t, run{Args: envDumpArgs("run", "--namespace="+ns, "--env=production")}, 125, "the value of NUL holds a NUL byte")
}
