//go:build linux

// Package examples holds no code: its tests check the recipes beside them.
// Each recipe's keep command is run as written against moto, with the test
// binary standing in for the application (php, node, make, myapp…): it
// records its arguments, environment and .env files for the test to read.
// Static checks — systemd-analyze verify, shellcheck — skip with a reason
// when the tool is not installed (.ci/run installs them).
package examples

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/motoserver"
)

// standins are the programs the test binary plays, by the name it is
// started as.
var standins = []string{"php", "node", "make", "myapp", "server"}

// secrets are what moto holds for namespace myapp, by env.
var secrets = map[string]map[string]string{
	"production": {"DB_PASSWORD": "prod-db-pässword", "API_KEY": "sk_live_123", "APP_KEY": "base64:cHJvZC1hcHAta2V5", "MAIL_PASSWORD": "prod-mail-pw"},
	"ci":         {"DB_PASSWORD": "ci-db-password", "API_KEY": "sk_test_456"},
}

func TestMain(m *testing.M) {
	if slices.Contains(standins, filepath.Base(os.Args[0])) {
		os.Exit(playApp())
	}
	var seed []motoserver.Secret
	for env, kv := range secrets {
		for k, v := range kv {
			seed = append(seed, keeptest.Secret("myapp", env, k, v))
		}
	}
	os.Exit(keeptest.Main(m, keeptest.Options{Moto: true, Seed: seed}))
}

// appRun is what a stand-in application saw.
type appRun struct {
	Args  []string          // after the program name
	Dir   string            // working directory
	Env   map[string]string // environment
	Files map[string]string // ./.env and any --env-file=PATH, by the name given
}

// playApp records how the stand-in was started in $STANDIN_OUT/<name>.json.
func playApp() int {
	run := appRun{Args: os.Args[1:], Env: map[string]string{}, Files: map[string]string{}}
	run.Dir, _ = os.Getwd()
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		run.Env[k] = v
	}
	paths := []string{".env"}
	for _, a := range os.Args[1:] {
		if p, ok := strings.CutPrefix(a, "--env-file="); ok {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			run.Files[p] = string(data)
		}
	}
	data, _ := json.Marshal(run)
	if err := os.WriteFile(filepath.Join(os.Getenv("STANDIN_OUT"), filepath.Base(os.Args[0])+".json"), data, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// world is a PATH where keep and the stand-ins are, and where they report.
type world struct {
	bin, out string
}

func newWorld(t *testing.T) world {
	t.Helper()
	w := world{bin: t.TempDir(), out: t.TempDir()}
	for name, target := range map[string]string{"keep": keeptest.Bin(t)} {
		if err := os.Symlink(target, filepath.Join(w.bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range standins {
		if err := os.Symlink(keeptest.Self(), filepath.Join(w.bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// env is the environment a recipe runs with: moto, the stand-ins' PATH,
// and extra (which may not override moto's).
func (w world) env(extra ...string) []string {
	env := append(extra, "PATH="+w.bin+":/usr/bin:/bin", "HOME="+w.out, "STANDIN_OUT="+w.out, keeptest.NoExitSleep)
	return append(env, keeptest.Moto().Env()...)
}

// app returns what the stand-in called name saw; it fails the test if it
// did not run.
func (w world) app(t *testing.T, name string) appRun {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(w.out, name+".json"))
	if err != nil {
		t.Fatalf("%s did not run: %v", name, err)
	}
	var r appRun
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// hasSecrets checks that env holds each of the secrets of myapp/env named.
func hasSecrets(t *testing.T, where string, got map[string]string, env string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		want, ok := secrets[env][k]
		if !ok {
			t.Fatalf("no secret %s in %s", k, env)
		}
		if got[k] != want {
			t.Errorf("%s: %s = %q, want the %s secret", where, k, got[k], env)
		}
	}
}

// run runs argv in dir with env and fails the test if it fails.
func run(t *testing.T, dir string, env []string, argv ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%q: %v\n%s", argv, err, out)
	}
}

// shellcheck checks script, written for shell (sh or bash).
func shellcheck(t *testing.T, name, shell, script string) {
	t.Helper()
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Logf("SKIP shellcheck of %s: shellcheck is not installed (.ci/run installs it with apt-get)", name)
		return
	}
	cmd := exec.Command("shellcheck", "--shell="+shell, "-")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck %s: %v\n%s\nscript:\n%s", name, err, out, script)
	}
}

// copyDir copies the example directory src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// dockerfile is the final stage of a Dockerfile, and its RUN commands.
type dockerfile struct {
	stages     []string // stage names, "" for unnamed ones
	from       string   // the final stage's base image
	copies     []string // the final stage's COPY arguments
	env        []string // the final stage's ENV, as KEY=VALUE
	entrypoint []string
	cmd        []string
	runs       []string // every RUN command, all stages
}

func parseDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d dockerfile
	var logical string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			logical += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		logical += line
		instr, args, _ := strings.Cut(logical, " ")
		logical = ""
		args = strings.TrimSpace(args)
		jsonArgs := func() []string {
			var v []string
			if err := json.Unmarshal([]byte(args), &v); err != nil {
				t.Errorf("%s: %s %s: not the exec (JSON) form: %v", path, instr, args, err)
			}
			return v
		}
		switch strings.ToUpper(instr) {
		case "FROM":
			f := strings.Fields(args)
			d.from, d.copies, d.env, d.entrypoint, d.cmd = f[0], nil, nil, nil, nil
			name := ""
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				name = f[2]
			}
			d.stages = append(d.stages, name)
		case "RUN":
			d.runs = append(d.runs, args)
		case "COPY":
			d.copies = append(d.copies, args)
		case "ENV":
			d.env = append(d.env, args)
		case "ENTRYPOINT":
			d.entrypoint = jsonArgs()
		case "CMD":
			d.cmd = jsonArgs()
		}
	}
	return d
}

// TestDockerfiles checks each Dockerfile's final image — keep copied from
// a static build, ENTRYPOINT keep run --, a distroless or scratch base —,
// shell-checks its RUN commands, and runs its ENTRYPOINT and CMD as the
// container would, with KEEP_ENV=production given at docker run.
func TestDockerfiles(t *testing.T) {
	paths, _ := filepath.Glob("*/Dockerfile")
	if len(paths) < 2 {
		t.Fatalf("Dockerfiles: %q, want the docker and node examples", paths)
	}
	for _, path := range paths {
		t.Run(filepath.Dir(path), func(t *testing.T) {
			d := parseDockerfile(t, path)
			if !strings.HasPrefix(d.from, "gcr.io/distroless/") && d.from != "scratch" {
				t.Errorf("final image FROM %s: want distroless or scratch", d.from)
			}
			if !slices.Equal(d.entrypoint, []string{"keep", "run", "--"}) {
				t.Errorf("ENTRYPOINT %q, want [keep run --]", d.entrypoint)
			}
			if len(d.cmd) == 0 {
				t.Fatal("no CMD")
			}
			copied := false
			for _, c := range d.copies {
				f := strings.Fields(c)
				if len(f) == 3 && f[2] == "/usr/local/bin/keep" {
					stage, _ := strings.CutPrefix(f[0], "--from=")
					copied = slices.Contains(d.stages, stage) && stage != ""
				}
			}
			if !copied {
				t.Errorf("no COPY --from=<an earlier stage> … /usr/local/bin/keep in the final stage: %q", d.copies)
			}
			static := false
			for i, r := range d.runs {
				shellcheck(t, fmt.Sprintf("%s RUN #%d", path, i+1), "sh", r+"\n")
				static = static || strings.Contains(r, "CGO_ENABLED=0") && strings.Contains(r, "github.com/keep-run/keep@")
			}
			if !static {
				t.Errorf("keep is not built with CGO_ENABLED=0: distroless/static and scratch have no libc")
			}

			// The container: ENV, then docker run -e KEEP_ENV=production.
			// CMD's program is a stand-in of the same name; keep is on PATH.
			w := newWorld(t)
			argv := append(slices.Clone(d.entrypoint), d.cmd...)
			argv[0] = keeptest.Bin(t)
			argv[len(d.entrypoint)] = filepath.Join(w.bin, filepath.Base(d.cmd[0]))
			run(t, t.TempDir(), w.env(append(d.env, "KEEP_ENV=production")...), argv...)
			app := w.app(t, filepath.Base(d.cmd[0]))
			hasSecrets(t, "CMD", app.Env, "production", "DB_PASSWORD", "API_KEY")
			if !slices.Equal(app.Args, d.cmd[1:]) {
				t.Errorf("CMD got arguments %q, want %q", app.Args, d.cmd[1:])
			}
		})
	}
}

// unit is a systemd unit's [Service] settings.
func serviceSettings(t *testing.T, unit string) map[string]string {
	t.Helper()
	settings := map[string]string{}
	section := ""
	for _, line := range strings.Split(unit, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		case section == "[Service]":
			k, v, _ := strings.Cut(line, "=")
			settings[k] = v
		}
	}
	return settings
}

// TestSystemdUnits runs systemd-analyze verify on each unit, and its
// ExecStart with the environment file's variables (AWS_REGION aside: moto
// is in us-east-1). Paths are moved into a temporary directory: verify
// needs ExecStart's program to exist.
func TestSystemdUnits(t *testing.T) {
	units, _ := filepath.Glob("systemd/*.service")
	if len(units) < 2 {
		t.Fatalf("units: %q", units)
	}
	envFile, err := os.ReadFile("systemd/keep.env")
	if err != nil {
		t.Fatal(err)
	}
	var fileEnv []string
	for _, line := range strings.Split(string(envFile), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "AWS_REGION=") {
			fileEnv = append(fileEnv, line)
		}
	}
	for _, path := range units {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			w := newWorld(t)
			root := t.TempDir()
			for _, d := range []string{"etc/myapp", "run/myapp"} {
				if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range []string{"keep.env", "env.template"} {
				if err := os.WriteFile(filepath.Join(root, "etc/myapp", f), must(os.ReadFile("systemd/"+f)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			unit := strings.NewReplacer(
				"/usr/local/bin/keep", keeptest.Bin(t),
				"/usr/local/bin/myapp", filepath.Join(w.bin, "myapp"),
				"/etc/myapp/", filepath.Join(root, "etc/myapp")+"/",
				"/run/myapp/", filepath.Join(root, "run/myapp")+"/",
			).Replace(string(data))
			s := serviceSettings(t, unit)
			if s["Type"] != "exec" && s["Type"] != "notify" {
				t.Errorf("Type=%s", s["Type"])
			}
			if s["Type"] == "notify" && (s["NotifyAccess"] != "all" || s["KillMode"] != "mixed") {
				t.Errorf("Type=notify with keep supervising needs NotifyAccess=all and KillMode=mixed")
			}
			if s["Restart"] == "" || s["EnvironmentFile"] == "" {
				t.Errorf("no Restart= or EnvironmentFile=")
			}

			t.Run("systemd-analyze verify", func(t *testing.T) {
				if _, err := exec.LookPath("systemd-analyze"); err != nil {
					t.Skip("systemd-analyze is not installed: the unit is not verified")
				}
				copyPath := filepath.Join(root, filepath.Base(path))
				if err := os.WriteFile(copyPath, []byte(unit), 0o644); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command("systemd-analyze", "verify", "--man=no", copyPath).CombinedOutput()
				if err != nil || len(out) > 0 {
					t.Errorf("systemd-analyze verify: %v\n%s", err, out)
				}
			})

			run(t, root, w.env(fileEnv...), strings.Fields(s["ExecStart"])...)
			app := w.app(t, "myapp")
			envFile := filepath.Join(root, "run/myapp/.env")
			if !strings.Contains(unit, envFile) {
				hasSecrets(t, "myapp", app.Env, "production", "DB_PASSWORD", "API_KEY")
			} else {
				rendered := app.Files[envFile]
				for _, want := range []string{"PORT=8080", "DB_PASSWORD='" + secrets["production"]["DB_PASSWORD"] + "'"} {
					if !strings.Contains(rendered, want) {
						t.Errorf("the rendered .env lacks %s:\n%s", want, rendered)
					}
				}
				if _, err := os.Stat(envFile); !os.IsNotExist(err) {
					t.Errorf("%s is still there after myapp ended (%v)", envFile, err)
				}
			}
		})
	}
}

// runSteps returns the run: commands of a GitHub Actions workflow, by step
// name (the step's name, else its command). It reads one-line run: values
// only, and fails on a block (run: |), which it would misread.
func runSteps(t *testing.T, workflow string) map[string]string {
	t.Helper()
	steps := map[string]string{}
	name := ""
	for _, line := range strings.Split(workflow, "\n") {
		line = strings.TrimSpace(line)
		if l, ok := strings.CutPrefix(line, "- "); ok {
			name, line = "", l
		}
		if n, ok := strings.CutPrefix(line, "name: "); ok {
			name = n
		}
		cmd, ok := strings.CutPrefix(line, "run: ")
		if !ok {
			continue
		}
		if strings.HasPrefix(cmd, "|") || strings.HasPrefix(cmd, ">") {
			t.Fatalf("run: %s: a block; teach runSteps to read it", cmd)
		}
		if name == "" {
			name = cmd
		}
		steps[name] = cmd
	}
	return steps
}

// TestGitHubActionsJob shell-checks the job's commands and runs its keep
// step in a project with a ci environment, make being a stand-in.
func TestGitHubActionsJob(t *testing.T) {
	workflow := string(must(os.ReadFile("ci/github-actions.yml")))
	if strings.Contains(workflow, "\t") {
		t.Error("a tab in YAML")
	}
	// A YAML parser, where one is at hand, must read the same Test step.
	parse := exec.Command("python3", "-c", `import json, sys, yaml
steps = yaml.safe_load(sys.stdin)["jobs"]["test"]["steps"]
print(json.dumps([s["run"] for s in steps if s.get("name") == "Test"]))`)
	parse.Stdin = strings.NewReader(workflow)
	if out, err := parse.Output(); err != nil {
		t.Logf("SKIP YAML check: python3 with PyYAML not available (%v)", err)
	} else if string(bytes.TrimSpace(out)) != `["keep run --env=ci -- make test"]` {
		t.Errorf("the YAML's Test step runs %s", out)
	}
	steps := runSteps(t, workflow)
	test, ok := steps["Test"]
	if !ok || !strings.HasPrefix(test, "keep run") {
		t.Fatalf("no Test step running keep: %q", steps)
	}
	for name, cmd := range steps {
		shellcheck(t, "step "+name, "bash", cmd+"\n")
	}
	w := newWorld(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".keep/settings.json"), []byte(`{"namespace": "myapp", "envs": ["local", "ci", "production"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// GitHub runs a step as bash -e {0}.
	run(t, dir, w.env("CI=true", "GITHUB_ACTIONS=true"), "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", test)
	app := w.app(t, "make")
	hasSecrets(t, "make", app.Env, "ci", "DB_PASSWORD", "API_KEY")
	if !slices.Equal(app.Args, []string{"test"}) {
		t.Errorf("make got %q, want [test]", app.Args)
	}
	if _, ok := app.Env["APP_KEY"]; ok {
		t.Error("make got a production secret")
	}
}

// TestLaravelRecipes runs both config:cache scripts in a copy of the
// example app, php being a stand-in.
func TestLaravelRecipes(t *testing.T) {
	for _, script := range []string{"config-cache.sh", "config-cache-dotenv.sh"} {
		t.Run(script, func(t *testing.T) {
			shellcheck(t, script, "sh", string(must(os.ReadFile(filepath.Join("laravel", script)))))
			app := copyDir(t, "laravel")
			w := newWorld(t)
			run(t, app, w.env(), "sh", script)
			php := w.app(t, "php")
			if !slices.Equal(php.Args, []string{"artisan", "config:cache"}) {
				t.Errorf("php got %q, want artisan config:cache", php.Args)
			}
			if script == "config-cache.sh" {
				hasSecrets(t, "php", php.Env, "production", "APP_KEY", "DB_PASSWORD", "MAIL_PASSWORD")
				if php.Env["APP_NAME"] != "MyApp" || php.Env["DB_HOST"] != "db.internal" {
					t.Errorf("php lacks the template's static values: APP_NAME=%q DB_HOST=%q", php.Env["APP_NAME"], php.Env["DB_HOST"])
				}
			} else {
				dotenv := php.Files[".env"]
				for _, want := range []string{"APP_NAME=MyApp", "APP_KEY='" + secrets["production"]["APP_KEY"] + "'", "MAIL_PASSWORD='" + secrets["production"]["MAIL_PASSWORD"] + "'"} {
					if !strings.Contains(dotenv, want) {
						t.Errorf(".env as php saw it lacks %s:\n%s", want, dotenv)
					}
				}
				if _, ok := php.Env["APP_KEY"]; ok {
					t.Error("php got APP_KEY in its environment too; want it in .env only")
				}
			}
			if _, err := os.Stat(filepath.Join(app, ".env")); !os.IsNotExist(err) {
				t.Errorf(".env is there after the deploy step (%v)", err)
			}
		})
	}
}

// TestNodeRecipe runs package.json's scripts as npm run does (sh -c, in
// the package's directory), node being a stand-in.
func TestNodeRecipe(t *testing.T) {
	var pkg struct{ Scripts map[string]string }
	if err := json.Unmarshal(must(os.ReadFile("node/package.json")), &pkg); err != nil {
		t.Fatal(err)
	}
	for name, cmd := range pkg.Scripts {
		shellcheck(t, "npm script "+name, "sh", cmd+"\n")
	}
	cmd, ok := pkg.Scripts["start:production"]
	if !ok {
		t.Fatalf("no start:production script: %q", pkg.Scripts)
	}
	app := copyDir(t, "node")
	w := newWorld(t)
	run(t, app, w.env("npm_lifecycle_event=start:production"), "sh", "-c", cmd)
	node := w.app(t, "node")
	hasSecrets(t, "node", node.Env, "production", "DB_PASSWORD", "API_KEY")
	if !slices.Equal(node.Args, []string{"server.js"}) {
		t.Errorf("node got %q, want server.js", node.Args)
	}
}

// TestExamplesAreTested: every file here is one the tests above read.
func TestExamplesAreTested(t *testing.T) {
	tested := regexp.MustCompile(`^(docker/Dockerfile|node/Dockerfile|node/package\.json|node/\.keep/settings\.json|systemd/[^/]+\.(service|env|template)|ci/github-actions\.yml|laravel/[^/]+\.sh|laravel/env/production\.env|laravel/\.keep/settings\.json|README\.md|examples_test\.go)$`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !tested.MatchString(filepath.ToSlash(path)) {
			t.Errorf("%s: no test exercises it (add one, and add it here)", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
