//go:build linux

package e2e

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/motoserver"
	"github.com/keep-run/keep/internal/smfake"
)

// Templates through the real binary against moto: keep run --template in
// environment mode and file mode (--output), --missing, JSON fields,
// multi-line values, vault slugs, multi-vault templates, the number of
// round trips, and keep template:validate. Static values written into the
// templates are never seeded as secrets, so keep's leak check stays
// about secrets.

// newTemplate writes src as production.env into a fresh directory and returns
// the directory and the template's absolute path.
func newTemplate(t *testing.T, src string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	writeFile(t, dir, "production.env", src)
	return dir, filepath.Join(dir, "production.env")
}

// withTemplate is keep run's argv for ns, env production and the template
// at path: flags, then the command.
func withTemplate(ns, path string, flags []string, command ...string) []string {
	args := append([]string{"run", "--namespace=" + ns, "--env=production", "--template=" + path}, flags...)
	return append(append(args, "--"), command...)
}

// catFile is a command that prints the file at path.
func catFile(path string) []string {
	return []string{"sh", "-c", `cat "$1"`, "sh", path}
}

func TestTemplateEnvMode(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "DB_PASSWORD", "tmpl-env-db-password"),
		secret(ns, "production", "API_KEY", "tmpl-env-api-key"),
		secret(ns, "production", "STRIPE_KEY", "tmpl-env-stripe-key"),
		secret(ns, "production", "RAW", "raw-${APP_NAME}-$HOME-`id`-value"),
		secret(ns, "production", "NOT_NAMED", "tmpl-env-not-named"),
	)
	_, path := newTemplate(t, `# env/production.env
APP_NAME=MyApplication
export LOG_LEVEL=info

DB_PASSWORD={secretsmanager:DB_PASSWORD}
API_KEY="{secretsmanager:API_KEY}"   # quotes and inline comments are fine
STRIPE_KEY={secretsmanager}          # shorthand: the secret named like the variable
RAW_SECRET={secretsmanager:RAW}
DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/app
HOME_URL="https://${INHERITED_HOST}/home"
FALLBACK=${UNSET_IN_TEMPLATE_TEST:-fallback-static}
EMPTY_FALLBACK=${EMPTY_IN_TEMPLATE_TEST:-used-when-empty}
LITERAL='${APP_NAME} stays as written'
SHADOWED=from-the-template
`)
	templateVars := map[string]string{
		"APP_NAME":       "MyApplication",
		"LOG_LEVEL":      "info",
		"DB_PASSWORD":    "tmpl-env-db-password",
		"API_KEY":        "tmpl-env-api-key",
		"STRIPE_KEY":     "tmpl-env-stripe-key",
		"RAW_SECRET":     "raw-${APP_NAME}-$HOME-`id`-value", // secrets are never expanded
		"DATABASE_URL":   "postgresql://app:tmpl-env-db-password@db:5432/app",
		"HOME_URL":       "https://inherited.example/home",
		"FALLBACK":       "fallback-static",
		"EMPTY_FALLBACK": "used-when-empty",
		"LITERAL":        "${APP_NAME} stays as written",
		"SHADOWED":       "from-the-template",
	}
	inherited := []string{"INHERITED_HOST=inherited.example", "EMPTY_IN_TEMPLATE_TEST=", "SHADOWED=from-the-shell", "ONLY_INHERITED=kept-from-shell"}

	res := keep(t, run{Env: inherited, Args: withTemplate(ns, path, []string{"-v"}, testBin, "child:env")})
	env := childEnv(t, res)
	want := maps.Clone(templateVars)
	want["ONLY_INHERITED"] = "kept-from-shell"
	hasOnly(t, env, want, "NOT_NAMED")
	for _, s := range []string{
		"4 placeholder(s) naming 4 secret(s) in vault(s) secretsmanager",
		"1 API call(s) (1 BatchGetSecretValue)",
	} {
		if !strings.Contains(res.Stderr, s) {
			t.Errorf("verbose output lacks %q:\n%s", s, res.Stderr)
		}
	}
	if strings.Contains(res.Stderr, "ListSecrets") {
		t.Errorf("a template fetch lists secrets:\n%s", res.Stderr)
	}

	// --no-inherit: exactly the template's variables; ${VAR} finds nothing
	// outside the template.
	res = keep(t, run{Env: inherited, Args: withTemplate(ns, path, []string{"--no-inherit"}, testBin, "child:env")})
	env = childEnv(t, res)
	want = maps.Clone(templateVars)
	want["HOME_URL"] = "https:///home"
	hasOnly(t, env, want)
	if got, wantNames := slices.Sorted(maps.Keys(env)), slices.Sorted(maps.Keys(want)); !slices.Equal(got, wantNames) {
		t.Errorf("with --no-inherit the child has %q, want exactly %q", got, wantNames)
	}
}

func TestTemplateAuto(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "AUTO_TOKEN", "auto-token-production"),
		secret(ns, "staging", "AUTO_TOKEN", "auto-token-staging"),
	)
	root := t.TempDir()
	writeFile(t, root, ".keep/settings.json", fmt.Sprintf(`{"namespace": %q, "envs": ["staging", "production"], "template_path": "config/env"}`, ns))
	writeFile(t, root, "config/env/production.env", "FROM=config-env-production\nAUTO_TOKEN={secretsmanager}\n")
	writeFile(t, root, "config/env/staging.env", "FROM=config-env-staging\nAUTO_TOKEN={secretsmanager}\n")
	writeFile(t, root, "env/production.env", "FROM=default-dir-not-used\n")
	sub := filepath.Join(root, "app", "public")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	command := []string{"--", testBin, "child:env"}

	// From a subdirectory: template_path is relative to the project root.
	res := keep(t, run{Dir: sub, Args: append([]string{"run", "--env=production", "--template=auto"}, command...)})
	hasOnly(t, childEnv(t, res), map[string]string{"FROM": "config-env-production", "AUTO_TOKEN": "auto-token-production"})
	res = keep(t, run{Dir: root, Env: []string{"KEEP_TEMPLATE=auto", "KEEP_ENV=staging"}, Args: append([]string{"run"}, command...)})
	hasOnly(t, childEnv(t, res), map[string]string{"FROM": "config-env-staging", "AUTO_TOKEN": "auto-token-staging"})

	// Without .keep/: ./env/<env>.env.
	plain := t.TempDir()
	writeFile(t, plain, "env/production.env", "FROM=plain-env-dir\nAUTO_TOKEN={secretsmanager}\n")
	res = keep(t, run{Dir: plain, Args: append([]string{"run", "--namespace=" + ns, "--env=production", "--template=auto"}, command...)})
	hasOnly(t, childEnv(t, res), map[string]string{"FROM": "plain-env-dir", "AUTO_TOKEN": "auto-token-production"})

	res = keep(t, run{Args: append([]string{"run", "--namespace=" + ns, "--env=production", "--template=auto"}, command...)})
	wantExit(t, res, 125, "template env/production.env not found", "--template=FILE")
}

func TestTemplateFileMode(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "DB_PASSWORD", "file-mode-db-password"),
		secret(ns, "production", "API_KEY", "file-mode-api-key"),
		secret(ns, "production", "UNUSED", "file-mode-unused"),
	)
	dir, path := newTemplate(t, `# rendered for the app
APP_NAME=FileModeApp
export DB_PASSWORD={secretsmanager:DB_PASSWORD}
API_KEY="{secretsmanager:API_KEY}"   # inline comment kept
DATABASE_URL=postgresql://app:${DB_PASSWORD}@db/app

URL="https://user:{secretsmanager:API_KEY}@host/path"
`)
	rendered := `# rendered for the app
APP_NAME=FileModeApp
export DB_PASSWORD='file-mode-db-password'
API_KEY='file-mode-api-key'   # inline comment kept
DATABASE_URL=postgresql://app:${DB_PASSWORD}@db/app

URL='https://user:file-mode-api-key@host/path'
`
	out := filepath.Join(dir, "app.env")

	res := keep(t, run{Args: withTemplate(ns, path, []string{"-v", "--output=" + out},
		"sh", "-c", `cat "$1" && stat -c %a "$1"`, "sh", out)})
	if res.Code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", res.Code, res.Stderr)
	}
	if want := rendered + "600\n"; res.Stdout != want {
		t.Errorf("the child read\n%s\nwant\n%s", res.Stdout, want)
	}
	if !strings.Contains(res.Stderr, "1 API call(s) (1 BatchGetSecretValue)") {
		t.Errorf("verbose output lacks the call count:\n%s", res.Stderr)
	}
	wantGone(t, out)
	wantFiles(t, dir, "production.env")

	// The child's exit status is keep's; the file goes either way.
	for _, code := range []string{"0", "3"} {
		res = keep(t, run{Args: withTemplate(ns, path, []string{"--output=" + out},
			"sh", "-c", `test -f "$1" || exit 9; exit "$2"`, "sh", out, code)})
		if fmt.Sprint(res.Code) != code {
			t.Errorf("child exit %s: keep exited %d; stderr:\n%s", code, res.Code, res.Stderr)
		}
		wantGone(t, out)
	}
	wantFiles(t, dir, "production.env")

	// The variables go to the file, not into the child's environment.
	res = keep(t, run{Env: []string{"INHERITED_VAR=still-here"}, Args: withTemplate(ns, path, []string{"--output=" + out}, testBin, "child:env")})
	hasOnly(t, childEnv(t, res), map[string]string{"INHERITED_VAR": "still-here"},
		"APP_NAME", "DB_PASSWORD", "API_KEY", "DATABASE_URL", "URL", "UNUSED")
	wantGone(t, out)
}

func TestTemplateFileRemovedWhenKeepIsTerminated(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "terminated-token-value"))
	dir, path := newTemplate(t, "TOKEN={secretsmanager}\n")
	for _, tc := range []struct{ mode, ending string }{
		{"term", "exit 0"},            // the child exits 0 on SIGTERM
		{"die", "killed by SIGTERM"},  // the child dies of it
		{"none", "killed by SIGKILL"}, // the child ignores it, until --kill-timeout
	} {
		t.Run(tc.mode, func(t *testing.T) {
			out := filepath.Join(dir, tc.mode+".env")
			log := filepath.Join(t.TempDir(), "signals.log")
			flags := []string{"--output=" + out}
			if tc.mode == "none" {
				flags = append(flags, "--kill-timeout=200ms")
			}
			r := startKeep(t, launch{
				env:  []string{"GODEBUG=asyncpreemptoff=1"},
				args: withTemplate(ns, path, flags, testBin, "child:trap", log, tc.mode),
			})
			r.log = log
			r.waitSignals(0)
			fi, err := os.Lstat(out)
			if err != nil {
				t.Fatalf("the file is not there while the child runs: %v", err)
			}
			if fi.Mode() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode())
			}
			r.signal(syscall.SIGTERM)
			res := r.wait()
			if got := ending(res.State); got != tc.ending {
				t.Errorf("keep ended with %s, want %s; stderr:\n%s", got, tc.ending, res.Stderr)
			}
			if got := r.signals(); !slices.Equal(got, []string{"SIGTERM"}) {
				t.Errorf("the child caught %v, want SIGTERM once", got)
			}
			keeptest.AssertNoLeak(t, "stderr", res.Stderr)
			wantGone(t, out)
		})
	}
}

func TestTemplateOutputRefusesExistingFiles(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TOKEN", "refuse-existing-token"))
	dir, path := newTemplate(t, "TOKEN={secretsmanager}\n")
	out := filepath.Join(dir, "app.env")
	writeFile(t, dir, "app.env", "precious=1\n")

	res := keep(t, run{Args: withTemplate(ns, path, []string{"--output=" + out}, catFile(out)...)})
	wantExit(t, res, 125, out+" already exists", "--overwrite")
	if data, _ := os.ReadFile(out); string(data) != "precious=1\n" {
		t.Errorf("the existing file was changed: %q", data)
	}

	// --overwrite replaces it; keep then removes what it wrote.
	res = keep(t, run{Args: withTemplate(ns, path, []string{"--output=" + out, "--overwrite"}, catFile(out)...)})
	if res.Code != 0 || res.Stdout != "TOKEN='refuse-existing-token'\n" {
		t.Errorf("exit %d, the child read %q; stderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	wantGone(t, out)

	// A symlink is refused even with --overwrite, dangling or not.
	target := filepath.Join(dir, "target.env")
	writeFile(t, dir, "target.env", "target=1\n")
	for _, to := range []string{target, filepath.Join(dir, "nowhere.env")} {
		link := filepath.Join(t.TempDir(), "link.env")
		if err := os.Symlink(to, link); err != nil {
			t.Fatal(err)
		}
		for _, flags := range [][]string{{"--output=" + link}, {"--output=" + link, "--overwrite"}} {
			res = keep(t, run{Args: withTemplate(ns, path, flags, catFile(link)...)})
			wantExit(t, res, 125, link+" is a symlink")
			if got, err := os.Readlink(link); err != nil || got != to {
				t.Errorf("the link now points to %q (%v), want %q", got, err, to)
			}
		}
	}
	if data, _ := os.ReadFile(target); string(data) != "target=1\n" {
		t.Errorf("the symlink's target was changed: %q", data)
	}
	wantFiles(t, dir, "production.env", "target.env")
}

func TestTemplateMissingSecret(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "PRESENT", "missing-test-present"))
	_, path := newTemplate(t, "APP=static-missing-test\nPRESENT={secretsmanager}\nABSENT={secretsmanager:NOPE_KEY}\nAFTER=after-the-missing-one\n")

	res := keep(t, run{Args: withTemplate(ns, path, nil, testBin, "child:env")})
	wantExit(t, res, 125, path+":3: {secretsmanager:NOPE_KEY}: secret "+ns+"/production/NOPE_KEY not found", "--missing=skip|blank|remove")
	res = keep(t, run{Args: withTemplate(ns, path, []string{"--output=" + filepath.Join(t.TempDir(), "out.env")}, testBin, "child:env")})
	wantExit(t, res, 125, path+":3:", ns+"/production/NOPE_KEY")

	base := map[string]string{"APP": "static-missing-test", "PRESENT": "missing-test-present", "AFTER": "after-the-missing-one"}
	for _, tc := range []struct {
		missing string
		absent  string // "" when ABSENT is set
		value   string
		line    string // how export renders the line
	}{
		{"blank", "", "", "ABSENT=''"},
		{"skip", "", "{secretsmanager:NOPE_KEY}", "ABSENT={secretsmanager:NOPE_KEY}"},
		{"remove", "ABSENT", "", "# ABSENT={secretsmanager:NOPE_KEY}"},
	} {
		t.Run(tc.missing, func(t *testing.T) {
			res := keep(t, run{Args: withTemplate(ns, path, []string{"--missing=" + tc.missing}, testBin, "child:env")})
			want := maps.Clone(base)
			if tc.absent == "" {
				want["ABSENT"] = tc.value
			}
			hasOnly(t, childEnv(t, res), want, tc.absent)

			res = keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--template=" + path, "--missing=" + tc.missing}})
			wantOut := "APP=static-missing-test\nPRESENT='missing-test-present'\n" + tc.line + "\nAFTER=after-the-missing-one\n"
			if res.Code != 0 || res.Stdout != wantOut {
				t.Errorf("export exited %d with %d bytes (variables %q), want %d bytes (%q); stderr:\n%s",
					res.Code, len(res.Stdout), exportedNames(res.Stdout), len(wantOut), exportedNames(wantOut), res.Stderr)
			}
		})
	}
}

// TestTemplatePHPKeepGrammar: a template in the PHP Keep's grammar —
// attribute blocks, the {vault} shorthand, spacing around '=', quotes and
// inline comments, PATHs with '.' and '/' — gives the variables and values
// the PHP Keep gives (Template::merge, then its dotenv parse), in both
// modes and through export.
func TestTemplatePHPKeepGrammar(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "API_KEY", "php-grammar-api-key"),
		secret(ns, "production", "STRIPE_SECRET", "php-grammar-stripe-secret"),
		secret(ns, "production", "MAIL_USERNAME", "postmaster@php-grammar.example"),
		secret(ns, "production", "DB_PASSWORD", "php grammar \"db\" pässword $x"),
		secret(ns, "production", "Mixed-Case.x", "php-grammar-mixed-case"),
		secret(ns, "production", "path/to/key", "php-grammar-nested"),
		secret(ns, "production", "DB", `{"username":"php-grammar-json-user"}`),
	)
	_, path := newTemplate(t, `# As the PHP Keep's tests write templates.
APP_NAME="My App"
APP_DEBUG=false
API_KEY='{secretsmanager:API_KEY|label=primary}'
STRIPE_SECRET={secretsmanager:STRIPE_SECRET|environment=production|version=latest}
MAIL_USERNAME="{secretsmanager}"
DB_PASSWORD = {secretsmanager}    # Production password
  SPACED  =  {secretsmanager:API_KEY}
MIXED={secretsmanager:Mixed-Case.x|label=primary}
NESTED={secretsmanager:path/to/key}
DB_USER={secretsmanager:DB.username}
`)
	want := map[string]string{
		"APP_NAME":      "My App",
		"APP_DEBUG":     "false",
		"API_KEY":       "php-grammar-api-key",
		"STRIPE_SECRET": "php-grammar-stripe-secret",
		"MAIL_USERNAME": "postmaster@php-grammar.example",
		"DB_PASSWORD":   "php grammar \"db\" pässword $x",
		"SPACED":        "php-grammar-api-key",
		"MIXED":         "php-grammar-mixed-case",
		"NESTED":        "php-grammar-nested",
		"DB_USER":       "php-grammar-json-user", // keep's .field
	}
	res := keep(t, run{Args: withTemplate(ns, path, []string{"--no-inherit", "-v"}, testBin, "child:env")})
	sameVars(t, "keep run --template", childEnv(t, res), want)
	// One BatchGetSecretValue for every secret (MIXED and DB_USER read two
	// names each), and one ListSecrets for the nested PATH, at the same time.
	if !strings.Contains(res.Stderr, "2 API call(s) (1 BatchGetSecretValue)") {
		t.Errorf("verbose output lacks the call counts:\n%s", res.Stderr)
	}

	out := filepath.Join(t.TempDir(), "out.env")
	res = keep(t, run{Args: withTemplate(ns, path, []string{"--output=" + out}, catFile(out)...), NoLeakCheck: true})
	mustSucceed(t, res)
	got, err := godotenv.Unmarshal(res.Stdout)
	if err != nil {
		t.Fatalf("godotenv cannot read the rendered file: %v", err)
	}
	sameVars(t, "the rendered file", got, want)

	res = keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--template=" + path}, NoLeakCheck: true})
	mustSucceed(t, res)
	if got, err = godotenv.Unmarshal(res.Stdout); err != nil {
		t.Fatalf("godotenv cannot read the export: %v", err)
	}
	sameVars(t, "keep export --template", got, want)

	mustSucceed(t, keep(t, run{Args: []string{"template:validate", path, "--namespace=" + ns, "--env=production"}}))
}

// TestTemplatePlaceholderShape: anything of the placeholder's shape is a
// placeholder. {secretsmanager:path/to/key} with no such secret is missing
// — --missing decides, the default fails naming FILE:LINE and the
// placeholder — never text passed on; a PATH keep cannot read is an
// error; a nested PATH whose secret the listing would not take as the
// environment's is an error naming the secret.
func TestTemplatePlaceholderShape(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "PRESENT", "shape-test-present"))
	_, path := newTemplate(t, "PRESENT={secretsmanager:PRESENT|label=x}\nX={secretsmanager:path/to/key}\nAFTER=static-after\n")

	for _, flags := range [][]string{nil, {"--output=" + filepath.Join(t.TempDir(), "out.env")}} {
		res := keep(t, run{Args: withTemplate(ns, path, flags, testBin, "child:env")})
		wantExit(t, res, 125, path+":2: {secretsmanager:path/to/key}: secret "+ns+"/production/path/to/key not found", "--missing=skip|blank|remove")
	}
	wantExit(t, keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--template=" + path}}), 125, path+":2: {secretsmanager:path/to/key}")
	res := keep(t, run{Args: []string{"template:validate", path, "--namespace=" + ns, "--env=production"}})
	wantLines(t, res, 1, path+":2: {secretsmanager:path/to/key}: secret "+ns+"/production/path/to/key not found")

	base := map[string]string{"PRESENT": "shape-test-present", "AFTER": "static-after"}
	for _, tc := range []struct {
		missing string
		absent  string // "" when X is set
		value   string
		line    string // how export renders the line
	}{
		{"blank", "", "", "X=''"},
		{"skip", "", "{secretsmanager:path/to/key}", "X={secretsmanager:path/to/key}"},
		{"remove", "X", "", "# X={secretsmanager:path/to/key}"},
	} {
		t.Run(tc.missing, func(t *testing.T) {
			res := keep(t, run{Args: withTemplate(ns, path, []string{"--missing=" + tc.missing, "--no-inherit"}, testBin, "child:env")})
			want := maps.Clone(base)
			if tc.absent == "" {
				want["X"] = tc.value
			}
			sameVars(t, "keep run --missing="+tc.missing, childEnv(t, res), want)

			res = keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--template=" + path, "--missing=" + tc.missing}})
			wantOut := "PRESENT='shape-test-present'\n" + tc.line + "\nAFTER=static-after\n"
			if res.Code != 0 || res.Stdout != wantOut {
				t.Errorf("export exited %d with %d bytes (variables %q), want %d bytes (%q); stderr:\n%s",
					res.Code, len(res.Stdout), exportedNames(res.Stdout), len(wantOut), exportedNames(wantOut), res.Stderr)
			}
		})
	}

	// A PATH keep cannot read: an error whatever --missing says.
	_, bad := newTemplate(t, "X={secretsmanager:/absolute/path}\n")
	for _, flags := range [][]string{nil, {"--missing=skip"}} {
		wantExit(t, keep(t, run{Args: withTemplate(ns, bad, flags, testBin, "child:env")}), 125, bad+":1: X: a {secretsmanager:…} placeholder with no valid secret PATH")
	}
	// A vault in capitals is a vault all the same.
	_, upper := newTemplate(t, "X={SecretsManager:PRESENT}\n")
	wantExit(t, keep(t, run{Args: withTemplate(ns, upper, nil, testBin, "child:env")}), 125, upper+":1:", `"SecretsManager" is not a configured vault`)

	// Secrets a nested PATH must not read by name: it could be another
	// vault's (scope "production", env "production"), or it is not tagged
	// for the environment.
	scoped := keeptest.Tags(ns, "production", "secretsmanager")
	scoped["Scope"] = "production"
	seed(t,
		motoserver.Secret{Name: ns + "/production/production/DB", Value: "shape-test-other-vault", Tags: scoped},
		motoserver.Secret{Name: ns + "/production/other/tool", Value: "shape-test-untagged"},
	)
	for placeholder, name := range map[string]string{"production/DB": ns + "/production/production/DB", "other/tool": ns + "/production/other/tool"} {
		_, p := newTemplate(t, "X={secretsmanager:"+placeholder+"}\n")
		for _, flags := range [][]string{nil, {"--missing=blank"}} {
			wantExit(t, keep(t, run{Args: withTemplate(ns, p, flags, testBin, "child:env")}), 125, "secret "+name+": NotPlaced", "another vault")
		}
	}
}

func TestTemplateJSONField(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "DB", `{"username":"json_user_name","port":5432,"ssl":true,"ratio":1.50,"big":12345678901234567890,"nested":{"a":"json-nested-value"},"list":["json-list-value"],"nothing":null}`),
		secret(ns, "production", "PLAIN", "plain-not-json-value"),
		secret(ns, "production", "ARRAY", `["json-array-value"]`),
	)
	_, path := newTemplate(t, `DB_USER={secretsmanager:DB.username}
DB_PORT={secretsmanager:DB.port}
DB_SSL={secretsmanager:DB.ssl}
RATIO={secretsmanager:DB.ratio}
BIG={secretsmanager:DB.big}
DSN="postgres://{secretsmanager:DB.username}@db:{secretsmanager:DB.port}/app"
`)
	res := keep(t, run{Args: withTemplate(ns, path, []string{"-v"}, testBin, "child:env")})
	hasOnly(t, childEnv(t, res), map[string]string{
		"DB_USER": "json_user_name", "DB_PORT": "5432", "DB_SSL": "true", "RATIO": "1.50",
		"BIG": "12345678901234567890", "DSN": "postgres://json_user_name@db:5432/app",
	}, "DB")
	if !strings.Contains(res.Stderr, "7 placeholder(s) naming 1 secret(s)") || !strings.Contains(res.Stderr, "1 API call(s)") {
		t.Errorf("seven placeholders of one secret should cost one call:\n%s", res.Stderr)
	}

	for _, tc := range []struct{ placeholder, say string }{
		{"{secretsmanager:PLAIN.field}", "secret " + ns + "/production/PLAIN is not a JSON object"},
		{"{secretsmanager:ARRAY.field}", "secret " + ns + "/production/ARRAY is not a JSON object"},
		{"{secretsmanager:DB.nested}", `secret ` + ns + `/production/DB field "nested" is not a string, number or boolean`},
		{"{secretsmanager:DB.list}", `secret ` + ns + `/production/DB field "list" is not a string, number or boolean`},
		{"{secretsmanager:DB.nothing}", `secret ` + ns + `/production/DB field "nothing" is not a string, number or boolean`},
		{"{secretsmanager:DB.nope}", `secret ` + ns + `/production/DB has no field "nope"`},
	} {
		t.Run(tc.placeholder, func(t *testing.T) {
			_, path := newTemplate(t, "FIRST=static-json-test\nVALUE="+tc.placeholder+"\n")
			for _, flags := range [][]string{nil, {"--output=" + filepath.Join(t.TempDir(), "out.env")}} {
				res := keep(t, run{Args: withTemplate(ns, path, flags, testBin, "child:env")})
				wantExit(t, res, 125, path+":2: "+tc.placeholder+": "+tc.say)
				for _, v := range []string{"json_user_name", "5432", "json-nested-value", "json-list-value", "json-array-value"} {
					if strings.Contains(res.Stderr, v) {
						t.Errorf("stderr shows %q:\n%s", v, res.Stderr)
					}
				}
			}
		})
	}
}

func TestTemplateMultiLineValues(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	var secrets []motoserver.Secret
	var src strings.Builder
	src.WriteString("# values that need quoting\nSTATIC=plain-static-multiline-test\n")
	for _, k := range slices.Sorted(maps.Keys(multiLine)) {
		secrets = append(secrets, secret(ns, "production", k, multiLine[k]))
		src.WriteString(k + "={secretsmanager}\n")
	}
	seed(t, secrets...)
	dir, path := newTemplate(t, src.String())
	want := maps.Clone(multiLine)
	want["STATIC"] = "plain-static-multiline-test"

	res := keep(t, run{Args: withTemplate(ns, path, nil, testBin, "child:env")})
	hasOnly(t, childEnv(t, res), want)

	out := filepath.Join(dir, "app.env")
	res = keep(t, run{Args: withTemplate(ns, path, []string{"--output=" + out}, catFile(out)...)})
	if res.Code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", res.Code, res.Stderr)
	}
	got, err := godotenv.Unmarshal(res.Stdout)
	if err != nil {
		t.Fatalf("godotenv cannot read the rendered file: %v", err)
	}
	hasOnly(t, got, want)
	if len(got) != len(want) {
		t.Errorf("godotenv read %d variables, want %d", len(got), len(want))
	}
	wantGone(t, out)
}

func TestTemplateVaultSlugs(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "OK_KEY", "slug-test-ok-value"))

	_, path := newTemplate(t, "OK={secretsmanager:OK_KEY}\nBAD={ssm:SOME_KEY}\n")
	res := keep(t, run{Args: withTemplate(ns, path, nil, testBin, "child:env")})
	wantExit(t, res, 125, path+`:2: {ssm:SOME_KEY}: "ssm" is not a configured vault`, "the vaults here are secretsmanager")

	// Without .keep/, the vault keep run uses counts as configured, and
	// only that one.
	_, path = newTemplate(t, "OK={mine:OK_KEY}\n")
	res = keep(t, run{Env: []string{"KEEP_VAULT=mine"}, Args: withTemplate(ns, path, nil, testBin, "child:env")})
	hasOnly(t, childEnv(t, res), map[string]string{"OK": "slug-test-ok-value"})
	res = keep(t, run{Args: withTemplate(ns, path, nil, testBin, "child:env")})
	wantExit(t, res, 125, path+`:1: {mine:OK_KEY}: "mine" is not a configured vault`)

	// A vault file with another driver is not readable.
	root := t.TempDir()
	writeFile(t, root, ".keep/settings.json", fmt.Sprintf(`{"namespace": %q, "default_vault": "main"}`, ns))
	writeFile(t, root, ".keep/vaults/main.json", `{"slug": "main", "driver": "secretsmanager", "region": "us-east-1"}`)
	writeFile(t, root, ".keep/vaults/legacy.json", `{"slug": "legacy", "driver": "ssm", "region": "us-east-1"}`)
	writeFile(t, root, "production.env", "OK={main:OK_KEY}\nOLD={legacy:OLD_KEY}\n")
	res = keep(t, run{Dir: root, Args: []string{"run", "--env=production", "--template=production.env", "--", testBin, "child:env"}})
	wantExit(t, res, 125, `production.env:2: {legacy:OLD_KEY}: vault "legacy" uses driver "ssm"`)
}

func TestTemplateMultiVault(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		scopedSecret(ns, "team-a", "production", "secretsmanager", "K1", "team-a-k1-value"),
		scopedSecret(ns, "team-a", "production", "secretsmanager", "K2", "team-a-k2-wrong-scope"),
		scopedSecret(ns, "team-b", "production", "secretsmanager", "K2", "team-b-k2-value"),
	)
	root := twoVaults(t, ns)
	writeFile(t, root, "env/production.env", "K1={a:K1}\nK2={b:K2}\nBOTH=\"{a:K1}+{b:K2}\"\n")

	res := keep(t, run{Dir: root, Args: []string{"run", "-v", "--env=production", "--template=auto", "--", testBin, "child:env"}})
	hasOnly(t, childEnv(t, res), map[string]string{"K1": "team-a-k1-value", "K2": "team-b-k2-value", "BOTH": "team-a-k1-value+team-b-k2-value"})
	for _, s := range []string{
		"4 placeholder(s) naming 2 secret(s) in vault(s) a, b",
		"2 API call(s) (2 BatchGetSecretValue)",
	} {
		if !strings.Contains(res.Stderr, s) {
			t.Errorf("verbose output lacks %q:\n%s", s, res.Stderr)
		}
	}
}

// roundTripTemplate seeds n secrets and writes a template naming each.
func roundTripTemplate(t *testing.T, ns string, n int) string {
	var secrets []motoserver.Secret
	var src strings.Builder
	for i := range n {
		key := fmt.Sprintf("RT_%02d", i)
		secrets = append(secrets, secret(ns, "production", key, fmt.Sprintf("round-trip-%02d-%s", i, ns)))
		fmt.Fprintf(&src, "V_%02d={secretsmanager:%s}\n", i, key)
	}
	seed(t, secrets...)
	_, path := newTemplate(t, src.String())
	return path
}

func TestTemplateRoundTrips(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n     int
		calls string
	}{
		// The note's figure: 15 placeholders cost one BatchGetSecretValue
		// call, one round trip, and no listing.
		{15, "1 API call(s) (1 BatchGetSecretValue)"},
		{45, "3 API call(s) (3 BatchGetSecretValue)"},
	} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			t.Parallel()
			ns := namespace(t)
			path := roundTripTemplate(t, ns, tc.n)
			res := keep(t, run{Args: withTemplate(ns, path, []string{"-v"}, testBin, "child:env")})
			env := childEnv(t, res)
			want := map[string]string{}
			for i := range tc.n {
				want[fmt.Sprintf("V_%02d", i)] = fmt.Sprintf("round-trip-%02d-%s", i, ns)
			}
			hasOnly(t, env, want)
			if !strings.Contains(res.Stderr, tc.calls) {
				t.Errorf("verbose output lacks %q:\n%s", tc.calls, res.Stderr)
			}
			t.Logf("%d placeholders: %s", tc.n, tc.calls)
		})
	}
}

// The chunks of a template fetch are in flight together: one round trip
// (smfake, which times each call).
func TestTemplateFetchIsOneRoundTrip(t *testing.T) {
	t.Parallel()
	var secrets []smfake.Secret
	var src strings.Builder
	want := map[string]string{}
	for i := range 45 {
		key := fmt.Sprintf("K%02d", i)
		value := fmt.Sprintf("one-round-trip-%02d", i)
		secrets = append(secrets, fakeSecret("app", "production", key, value))
		fmt.Fprintf(&src, "%s={secretsmanager}\n", key)
		want[key] = value
	}
	srv := smfake.New(secrets...)
	defer srv.Close()
	srv.Latency = 300 * time.Millisecond
	_, path := newTemplate(t, src.String())
	res := keep(t, run{Endpoint: srv.Env(), Args: withTemplate("app", path, nil, testBin, "child:env")})
	hasOnly(t, childEnv(t, res), want)
	var batches []smfake.Call
	for _, c := range srv.Calls() {
		if c.Op != "BatchGetSecretValue" {
			t.Errorf("unexpected %s call", c.Op)
		}
		batches = append(batches, c)
	}
	if len(batches) != 3 {
		t.Fatalf("%d BatchGetSecretValue calls, want 3", len(batches))
	}
	for _, c := range batches {
		for _, o := range batches {
			if !c.Start.Before(o.End) {
				t.Errorf("call %d started after call %d ended: more than one round trip", c.N, o.N)
			}
		}
	}
}

// A secret that exists but cannot be read is a failure, not "missing",
// whatever --missing says (smfake: moto has no KMS).
func TestTemplateUnreadableSecret(t *testing.T) {
	t.Parallel()
	srv := undecryptable(t)
	_, path := newTemplate(t, "API_KEY={secretsmanager}\nDB_PASSWORD={secretsmanager}\n")
	for _, flags := range [][]string{nil, {"--missing=blank"}, {"--output=" + filepath.Join(t.TempDir(), "out.env")}} {
		res := keep(t, run{Endpoint: srv.Env(), Args: withTemplate("app", path, flags, testBin, "child:env")})
		wantExit(t, res, 125, "secret app/production/DB_PASSWORD: DecryptionFailure", "app/production in us-east-1", "kms:Decrypt")
	}
}

// validate runs keep template:validate with r's args against the server
// env points at.
func validate(t *testing.T, env []string, r run) result {
	t.Helper()
	r.Args = append([]string{"template:validate"}, r.Args...)
	r.Endpoint = env
	return keep(t, r)
}

func TestTemplateValidate(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "GOOD", "validate-good-value"),
		secret(ns, "production", "NOTJSON", "validate-not-json-value"),
		secret(ns, "production", "OBJ", `{"user":"validate-user-value"}`),
	)
	noAWS := []string{"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/nonexistent/keep-test/config", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent/keep-test/credentials"}

	_, good := newTemplate(t, "# fine\nSTATIC=validate-static\nGOOD={secretsmanager}\nUSER={secretsmanager:OBJ.user}\n")
	// Without --env nothing is fetched: no AWS configuration needed.
	res := validate(t, noAWS, run{Args: []string{good}})
	if res.Code != 0 || res.Stdout != good+": ok (syntax and vaults)\n" {
		t.Errorf("exit %d, stdout %q; stderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}
	res = validate(t, keeptest.Moto().Env(), run{Args: []string{"--namespace=" + ns, "--env=production", good}})
	if res.Code != 0 || res.Stdout != good+": ok (syntax and vaults, and every placeholder resolves in production)\n" {
		t.Errorf("exit %d, stdout %q; stderr:\n%s", res.Code, res.Stdout, res.Stderr)
	}

	_, syntax := newTemplate(t, `APP=ok
this is not an assignment
A=1
A=2
B={secretsmanager:/K|trim}
C="unterminated
`)
	res = validate(t, noAWS, run{Args: []string{syntax}})
	wantLines(t, res, 1, syntax+":2: ", syntax+":4: A is already set at line 3", syntax+":5: ", syntax+":6: unterminated")

	_, unresolved := newTemplate(t, `GOOD={secretsmanager}
GONE={secretsmanager:NOT_THERE}
FIELD={secretsmanager:NOTJSON.user}
NOFIELD={secretsmanager:OBJ.password}
STATIC=validate-static
`)
	res = validate(t, keeptest.Moto().Env(), run{Args: []string{"-v", "--namespace=" + ns, "--env=production", unresolved}})
	wantLines(t, res, 1,
		unresolved+":2: {secretsmanager:NOT_THERE}: secret "+ns+"/production/NOT_THERE not found",
		unresolved+":3: {secretsmanager:NOTJSON.user}: secret "+ns+"/production/NOTJSON is not a JSON object",
		unresolved+":4: {secretsmanager:OBJ.password}: secret "+ns+`/production/OBJ has no field "password"`)
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
	// Without --env the same template is fine: it is well-formed.
	if res = validate(t, noAWS, run{Args: []string{unresolved}}); res.Code != 0 {
		t.Errorf("without --env: exit %d, stdout %q", res.Code, res.Stdout)
	}

	_, slug := newTemplate(t, "A={ssm:X}\nB={secretsmanager:GOOD}\n")
	res = validate(t, noAWS, run{Args: []string{slug}})
	wantLines(t, res, 1, slug+`:1: {ssm:X}: "ssm" is not a configured vault`)

	// With --env keep must fetch: without credentials or region it cannot
	// check, which is not the template's fault.
	res = validate(t, withoutVars(keeptest.Moto().Env(), "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), run{Args: []string{"--namespace=" + ns, "--env=production", good}})
	wantExit(t, res, 125, "no AWS credentials")
	res = validate(t, withoutVars(keeptest.Moto().Env(), "AWS_REGION"), run{Args: []string{"--namespace=" + ns, "--env=production", good}})
	wantExit(t, res, 125, "no AWS region")
	res = validate(t, noAWS, run{Args: []string{"/nonexistent/template.env"}})
	wantExit(t, res, 125, "template /nonexistent/template.env not found")
}

func TestTemplateFlagCombinations(t *testing.T) {
	t.Parallel()
	_, path := newTemplate(t, "A=flag-test-static\n")
	out := filepath.Join(t.TempDir(), "out.env")
	command := []string{"--", testBin, "child:env"}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		say  []string
	}{
		{"only with template", nil, []string{"run", "--template=" + path, "--only=A*"}, []string{"--only/--except do not apply with --template"}},
		{"except with template", nil, []string{"run", "--template=" + path, "--except=A*"}, []string{"--only/--except do not apply with --template"}},
		{"KEEP_ONLY with template", []string{"KEEP_ONLY=A*"}, []string{"run", "--template=" + path}, []string{"--only/--except do not apply with --template"}},
		{"output without template", nil, []string{"run", "--output=" + out}, []string{"--output needs --template"}},
		{"overwrite without output", nil, []string{"run", "--template=" + path, "--overwrite"}, []string{"--overwrite needs --output"}},
		{"exec with output", nil, []string{"run", "--template=" + path, "--output=" + out, "--exec"}, []string{"--exec cannot be combined with --output"}},
		{"bad missing", nil, []string{"run", "--template=" + path, "--missing=ignore"}, []string{"--missing"}},
		{"export only with template", nil, []string{"export", "--template=" + path, "--only=A*"}, []string{"--only/--except apply with --template only to what --all adds"}},
		{"export overwrite without output", nil, []string{"export", "--overwrite"}, []string{"--overwrite and --append need --output"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(tc.args, "--namespace=flagtest", "--env=production")
			if args[0] == "run" {
				args = append(args, command...)
			}
			wantExit(t, keep(t, run{Env: tc.env, Args: args}), 125, tc.say...)
			wantGone(t, out)
		})
	}
}
