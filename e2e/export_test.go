//go:build linux

package e2e

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/joho/godotenv"

	"github.com/keep-run/keep/internal/motoserver"
)

// keep export through the binary against moto: formats, files, --append,
// --all, --only and --except, every secret or a --template.

func TestExportJSONIsOneFlatObject(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	want := map[string]string{
		"DB_PASSWORD": "json-db-password",
		"TLS_KEY":     multiLine["TLS_KEY"],
		"QUOTES":      multiLine["QUOTES"],
		"UNICODE":     multiLine["UNICODE"],
		"dash-key":    "json-dash-key-value", // JSON keeps the KEY as it is
	}
	seedVars(t, ns, "production", want)
	seed(t, secret(ns, "staging", "STAGING_ONLY", "json-staging-only"))
	args := []string{"export", "--namespace=" + ns, "--env=production", "--format=json"}
	res := keep(t, run{Args: args})
	mustSucceed(t, res)
	var got map[string]string // a nested value would not decode
	if err := json.Unmarshal([]byte(res.Stdout), &got); err != nil {
		t.Fatalf("stdout is not one flat object of strings: %v\n%s", err, res.Stdout)
	}
	sameVars(t, "export --format=json", got, want)

	dir := t.TempDir()
	out := filepath.Join(dir, "secrets.json")
	mustSucceed(t, keep(t, run{Args: append(args, "--output="+out)}))
	wantFile(t, out, res.Stdout)
	wantFiles(t, dir, "secrets.json")

	res = keep(t, run{Args: append(args, "--only=DB_*")})
	mustSucceed(t, res)
	got = nil
	if err := json.Unmarshal([]byte(res.Stdout), &got); err != nil || !maps.Equal(got, map[string]string{"DB_PASSWORD": "json-db-password"}) {
		t.Errorf("--only=DB_* --format=json: %v, keys %v", err, slices.Sorted(maps.Keys(got)))
	}

	wantExit(t, keep(t, run{Args: append(args, "--output="+filepath.Join(dir, "x.json"), "--append")}), 125, "--append writes dotenv lines")
}

func TestExportDotenvReadsBackByteExact(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedVars(t, ns, "production", multiLine)
	args := []string{"export", "--namespace=" + ns, "--env=production"}

	res := keep(t, run{Args: args})
	mustSucceed(t, res)
	got, err := godotenv.Unmarshal(res.Stdout)
	if err != nil {
		t.Fatalf("godotenv cannot read the export: %v", err)
	}
	hasOnly(t, got, multiLine)
	if len(got) != len(multiLine) {
		t.Errorf("godotenv read %d variables, want %d", len(got), len(multiLine))
	}

	out := filepath.Join(t.TempDir(), ".env")
	mustSucceed(t, keep(t, run{Args: append(args, "--output="+out)}))
	wantFile(t, out, res.Stdout)
	fromFile, err := godotenv.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	hasOnly(t, fromFile, multiLine)
}

func TestExportOutputFile(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "OUT_TOKEN", "output-token-value"))
	dir := t.TempDir()
	out := filepath.Join(dir, "prod.env")
	args := []string{"export", "--namespace=" + ns, "--env=production", "--output=" + out}

	res := keep(t, run{Args: args})
	wantExit(t, res, 0)
	wantFile(t, out, "OUT_TOKEN='output-token-value'\n")

	writeFile(t, dir, "prod.env", "PRECIOUS=1\n")
	wantExit(t, keep(t, run{Args: args}), 125, out+" already exists", "--overwrite")
	if data, _ := os.ReadFile(out); string(data) != "PRECIOUS=1\n" {
		t.Errorf("the refused export changed the file: %q", data)
	}
	wantExit(t, keep(t, run{Args: append(args, "--overwrite")}), 0)
	wantFile(t, out, "OUT_TOKEN='output-token-value'\n")

	wantExit(t, keep(t, run{Args: append(args, "--overwrite", "--append")}), 125, "--overwrite", "--append")
	wantExit(t, keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--append"}}), 125, "need --output")
	wantFiles(t, dir, "prod.env")
}

func TestExportAppendAddsOnlyMissingVariables(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "A_NEW", "append-new-a"),
		secret(ns, "production", "B_HAVE", "append-b-from-the-vault"),
		secret(ns, "production", "C_PEM", multiLine["TLS_KEY"]),
	)
	dir := t.TempDir()
	out := filepath.Join(dir, ".env")
	args := []string{"export", "--namespace=" + ns, "--env=production", "--output=" + out, "--append"}
	added := "A_NEW='append-new-a'\nC_PEM='" + multiLine["TLS_KEY"] + "'\n"

	for _, tc := range []struct{ name, existing, want string }{
		{"comments and blank lines", "# local settings\nB_HAVE=local-b   # mine\n\nexport OTHER='keep me'\n", ""},
		{"trailing blank line", "B_HAVE=\"local b\"\n\n", ""},
		{"no final newline", "B_HAVE=local-b", "B_HAVE=local-b\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(out, []byte(tc.existing), 0o644); err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == "" {
				want = tc.existing
			}
			want += added
			wantExit(t, keep(t, run{Args: args}), 0)
			wantFile(t, out, want)
			// Again: nothing is missing now, nothing changes.
			wantExit(t, keep(t, run{Args: args}), 0)
			wantFile(t, out, want)
		})
	}

	// No file yet: --append creates it with everything.
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	wantExit(t, keep(t, run{Args: args}), 0)
	wantFile(t, out, "A_NEW='append-new-a'\nB_HAVE='append-b-from-the-vault'\nC_PEM='"+multiLine["TLS_KEY"]+"'\n")
	wantFiles(t, dir, ".env")
}

// Values are not template placeholders: --append reads a file and keep's
// own output as dotenv, and reports a line it cannot read by number only.
func TestExportAppendReadsDotenvNotTemplates(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TWIG", "{{name|upper-filter-secret}}"))
	dir := t.TempDir()
	out := filepath.Join(dir, ".env")
	args := []string{"export", "--namespace=" + ns, "--env=production", "--output=" + out, "--append"}

	existing := "LOCAL='{x|local-filter}'\n"
	writeFile(t, dir, ".env", existing)
	wantExit(t, keep(t, run{Args: args}), 0)
	wantFile(t, out, existing+"TWIG='{{name|upper-filter-secret}}'\n")

	writeFile(t, dir, ".env", "A=1\nnot dotenv local-secret-fragment\n")
	res := keep(t, run{Args: args})
	wantExit(t, res, 125, out+":2: not a NAME=VALUE line")
	if strings.Contains(res.Stderr, "fragment") {
		t.Errorf("stderr quotes the file's line:\n%s", res.Stderr)
	}
}

func TestExportAllAddsWhatTheTemplateDoesNotName(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "NAMED", "all-named-value"),
		secret(ns, "production", "SHADOWED", "all-shadowed-value"),
		secret(ns, "production", "EXTRA_ONE", "all-extra-one"),
		secret(ns, "production", "EXTRA_TWO", "all-extra-two"),
		secret(ns, "staging", "EXTRA_STAGING", "all-extra-staging"),
	)
	// SHADOWED is no placeholder, but the template sets the variable.
	_, path := newTemplate(t, "# app\nNAMED={secretsmanager}\nSHADOWED=static-in-template\n")
	args := []string{"export", "--namespace=" + ns, "--env=production", "--template=" + path}
	head := "# app\nNAMED='all-named-value'\nSHADOWED=static-in-template\n"
	sep := "\n# ----- Additional secrets not in template -----\n\n"

	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{nil, head},
		{[]string{"--all"}, head + sep + "EXTRA_ONE='all-extra-one'\nEXTRA_TWO='all-extra-two'\n"},
		{[]string{"--all", "--only=EXTRA_O*"}, head + sep + "EXTRA_ONE='all-extra-one'\n"},
		{[]string{"--all", "--except=EXTRA_*"}, head},
	} {
		res := keep(t, run{Args: append(args, tc.flags...)})
		if res.Code != 0 || res.Stdout != tc.want {
			t.Errorf("export %v: exit %d, stdout\n%s\nwant\n%s\nstderr:\n%s", tc.flags, res.Code, res.Stdout, tc.want, res.Stderr)
		}
	}

	res := keep(t, run{Args: append(args, "--all", "--format=json")})
	mustSucceed(t, res)
	var got map[string]string
	if err := json.Unmarshal([]byte(res.Stdout), &got); err != nil {
		t.Fatal(err)
	}
	sameVars(t, "export --all --format=json", got, map[string]string{"NAMED": "all-named-value", "SHADOWED": "static-in-template", "EXTRA_ONE": "all-extra-one", "EXTRA_TWO": "all-extra-two"})

	wantExit(t, keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--all"}}), 125, "--all needs --template")
}

func TestExportOnlyExcept(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "DB_HOST", "filter-db-host"),
		secret(ns, "production", "DB_USER", "filter-db-user"),
		secret(ns, "production", "DB_ADMIN", "filter-db-admin"),
		secret(ns, "production", "API_KEY", "filter-api-key"),
	)
	args := []string{"export", "--namespace=" + ns, "--env=production"}
	for _, tc := range []struct {
		flags []string
		env   []string
		want  string
	}{
		{[]string{"--only=DB_*"}, nil, "DB_ADMIN='filter-db-admin'\nDB_HOST='filter-db-host'\nDB_USER='filter-db-user'\n"},
		{[]string{"--only=DB_*", "--except=DB_ADMIN"}, nil, "DB_HOST='filter-db-host'\nDB_USER='filter-db-user'\n"},
		{[]string{"--except=DB_*"}, nil, "API_KEY='filter-api-key'\n"},
		{nil, []string{"KEEP_ONLY=API_*,DB_USER"}, "API_KEY='filter-api-key'\nDB_USER='filter-db-user'\n"},
		{[]string{"--only=NOTHING_*", "--allow-empty"}, nil, ""},
	} {
		res := keep(t, run{Env: tc.env, Args: append(args, tc.flags...)})
		if res.Code != 0 || res.Stdout != tc.want {
			t.Errorf("export %v %v: exit %d, stdout\n%s\nwant\n%s\nstderr:\n%s", tc.env, tc.flags, res.Code, res.Stdout, tc.want, res.Stderr)
		}
	}
	wantExit(t, keep(t, run{Args: append(args, "--only=[")}), 125, `--only: malformed glob "["`)
	// Nothing matching is an error, as for keep run: a typo must not write
	// an empty .env.
	wantExit(t, keep(t, run{Args: append(args, "--only=NOTHING_*")}), 125, "no secrets left after --only=NOTHING_*", "--allow-empty")
	wantExit(t, keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=prodution"}}), 125, "no secrets found", "--allow-empty")
}

func TestExportTemplate(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "EXP_TOKEN", "export-token-value"),
		secret(ns, "production", "PEM", multiLine["TLS_KEY"]),
	)
	dir, path := newTemplate(t, "# exported\nNAME=export-static\nEXP_TOKEN={secretsmanager}\nPEM={secretsmanager}   # a key\n")
	rendered := "# exported\nNAME=export-static\nEXP_TOKEN='export-token-value'\nPEM='" + multiLine["TLS_KEY"] + "'   # a key\n"
	out := filepath.Join(dir, "app.env")
	args := []string{"export", "-v", "--namespace=" + ns, "--env=production", "--template=" + path}

	res := keep(t, run{Args: append(args, "--output="+out)})
	wantExit(t, res, 0, "1 API call(s) (1 BatchGetSecretValue)")
	wantFile(t, out, rendered)

	// Not over an existing file, unless asked.
	_, other := newTemplate(t, "EXP_TOKEN={secretsmanager}\n")
	res = keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--template=" + other, "--output=" + out}})
	wantExit(t, res, 125, out+" already exists", "--overwrite")
	wantFile(t, out, rendered)
	res = keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--template=" + other, "--output=" + out, "--overwrite"}})
	wantExit(t, res, 0)
	wantFile(t, out, "EXP_TOKEN='export-token-value'\n")
	wantFiles(t, dir, "production.env", "app.env")

	// To stdout by default.
	res = keep(t, run{Args: args})
	if res.Code != 0 || res.Stdout != rendered {
		t.Errorf("exit %d, stdout\n%s\nwant\n%s", res.Code, res.Stdout, rendered)
	}
}

func TestExportEverySecret(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "EXP_B", "export-all-b"),
		secret(ns, "production", "exp-a", "export-all-a"),
		secret(ns, "production", "QUOTED", "it's export-all-quoted"),
		secret(ns, "staging", "EXP_STAGING", "export-all-staging"),
		motoserver.Secret{Name: ns + "/production/UNTAGGED", Value: "export-all-untagged"},
	)
	want := "EXP_B='export-all-b'\nQUOTED=\"it's export-all-quoted\"\nexp_a='export-all-a'\n"
	args := []string{"export", "--namespace=" + ns, "--env=production"}

	res := keep(t, run{Args: args})
	if res.Code != 0 || res.Stdout != want {
		t.Errorf("exit %d, stdout\n%s\nwant\n%s\nstderr:\n%s", res.Code, res.Stdout, want, res.Stderr)
	}
	got, err := godotenv.Unmarshal(res.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	hasOnly(t, got, map[string]string{"EXP_B": "export-all-b", "exp_a": "export-all-a", "QUOTED": "it's export-all-quoted"})

	dir := t.TempDir()
	out := filepath.Join(dir, "all.env")
	wantExit(t, keep(t, run{Args: append(args, "--output="+out)}), 0)
	wantFile(t, out, want)
	wantExit(t, keep(t, run{Args: append(args, "--output="+out)}), 125, "already exists")
	wantFile(t, out, want)
	wantExit(t, keep(t, run{Args: append(args, "--output="+out, "--overwrite", "--only=EXP_*")}), 0)
	wantFile(t, out, "EXP_B='export-all-b'\n")
	wantFiles(t, dir, "all.env")
}
