//go:build linux

package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/keep-run/keep/internal/motoserver"
	"github.com/keep-run/keep/internal/smfake"
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
	// A file written is confirmed on stderr, with what it holds; the count
	// is read back from the file, so --append counts the earlier lines.
	if res.Stderr != "wrote 1 variable to "+out+"\n" {
		t.Errorf("stderr = %q, want the confirmation", res.Stderr)
	}
	seed(t, secret(ns, "production", "OUT_OTHER", "output-other-value"))
	for _, c := range []struct{ format, want string }{
		{"json", "wrote 2 variables to "}, {"csv", "wrote 2 variables to "}, {"env", "wrote 2 variables to "},
	} {
		file := filepath.Join(dir, "all."+c.format)
		res := keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--format=" + c.format, "-o", file}})
		if wantExit(t, res, 0); res.Stderr != c.want+file+"\n" {
			t.Errorf("--format=%s: stderr = %q, want %q", c.format, res.Stderr, c.want+file)
		}
	}
	writeFile(t, dir, "appended.env", "# kept\nEARLIER=1\nOUT_TOKEN=x\n")
	res = keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "-o", filepath.Join(dir, "appended.env"), "--append"}})
	if wantExit(t, res, 0); res.Stderr != "wrote 3 variables to "+filepath.Join(dir, "appended.env")+"\n" {
		t.Errorf("--append: stderr = %q, want 3 variables: EARLIER, OUT_TOKEN and OUT_OTHER", res.Stderr)
	}
	for _, f := range []string{"all.json", "all.csv", "all.env", "appended.env"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}

	writeFile(t, dir, "prod.env", "PRECIOUS=1\n")
	wantExit(t, keep(t, run{Args: args}), 125, out+" already exists", "--overwrite")
	if data, _ := os.ReadFile(out); string(data) != "PRECIOUS=1\n" {
		t.Errorf("the refused export changed the file: %q", data)
	}
	wantExit(t, keep(t, run{Args: append(args, "--overwrite")}), 0)
	wantFile(t, out, "OUT_OTHER='output-other-value'\nOUT_TOKEN='output-token-value'\n")

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
	want := "EXP_A='export-all-a'\nEXP_B='export-all-b'\nQUOTED=\"it's export-all-quoted\"\n"
	args := []string{"export", "--namespace=" + ns, "--env=production"}

	res := keep(t, run{Args: args})
	if res.Code != 0 || res.Stdout != want {
		t.Errorf("exit %d, stdout\n%s\nwant\n%s\nstderr:\n%s", res.Code, res.Stdout, want, res.Stderr)
	}
	got, err := godotenv.Unmarshal(res.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	hasOnly(t, got, map[string]string{"EXP_B": "export-all-b", "EXP_A": "export-all-a", "QUOTED": "it's export-all-quoted"})

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

// csvHostile are values CSV must quote: commas, quotes, newlines, a
// leading space. (No CR LF: encoding/csv reads it back as LF.)
var csvHostile = map[string]string{
	"CSV_COMMAS":  "a,b,,c,",
	"CSV_QUOTES":  `say "hi", then ""bye""`,
	"CSV_LINES":   "line one,\n\"line two\"\nline three\n",
	"CSV_SPACES":  "  spaces, both sides  ",
	"CSV_PEM":     multiLine["TLS_KEY"],
	"CSV_UNICODE": multiLine["UNICODE"],
}

// readCSV parses keep's CSV with encoding/csv: the header, then the rows
// by Key. A failure names the row, never a value.
func readCSV(t *testing.T, what, out string) (header []string, rows map[string][]string) {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%s: encoding/csv cannot read it: %v", what, err)
	}
	if len(records) == 0 {
		t.Fatalf("%s: no header", what)
	}
	rows = map[string][]string{}
	var keys []string
	for _, r := range records[1:] {
		if len(r) != 5 {
			t.Fatalf("%s: row %s has %d fields, want 5", what, r[0], len(r))
		}
		if _, dup := rows[r[0]]; dup {
			t.Errorf("%s: %s twice", what, r[0])
		}
		rows[r[0]] = r
		keys = append(keys, r[0])
	}
	if !slices.IsSorted(keys) {
		t.Errorf("%s: rows not sorted by key: %q", what, keys)
	}
	return records[0], rows
}

// wantCSV checks that out is the CSV of keep export --format=csv with
// exactly want (KEY → value), each row of vault vaultOf[KEY] and env.
func wantCSV(t *testing.T, what, out string, header []string, want, vaultOf map[string]string, env string) {
	t.Helper()
	gotHeader, rows := readCSV(t, what, out)
	if !slices.Equal(gotHeader, header) {
		t.Errorf("%s: header %q, want %q", what, gotHeader, header)
	}
	values := map[string]string{}
	for key, r := range rows {
		values[key] = r[1]
		if r[2] != vaultOf[key] || r[3] != env {
			t.Errorf("%s: %s has vault %q, env %q; want %q, %q", what, key, r[2], r[3], vaultOf[key], env)
		}
		// Modified: when the value was set, as the PHP Keep writes it
		// (2025-06-01T10:00:00+00:00); its template CSV leaves it empty.
		if header[3] == "Env" {
			if r[4] != "" {
				t.Errorf("%s: %s has modified %q; want it empty", what, key, r[4])
			}
		} else if at, err := time.Parse("2006-01-02T15:04:05-07:00", r[4]); err != nil || !strings.HasSuffix(r[4], "+00:00") || time.Since(at) > 24*time.Hour || time.Until(at) > time.Hour {
			t.Errorf("%s: %s has modified %q; want when it was set, like 2025-06-01T10:00:00+00:00", what, key, r[4])
		}
	}
	sameVars(t, what, values, want)
}

// seedTwoVaults seeds, in the project of twoVaults, production secrets of
// vault a (inA) and b (inB), and a staging one of each that production
// must not pull in.
func seedTwoVaults(t *testing.T, ns string, inA, inB map[string]string) {
	t.Helper()
	var secrets []motoserver.Secret
	for k, v := range inA {
		secrets = append(secrets, scopedSecret(ns, "team-a", "production", "a", k, v))
	}
	for k, v := range inB {
		secrets = append(secrets, scopedSecret(ns, "team-b", "production", "b", k, v))
	}
	secrets = append(secrets,
		scopedSecret(ns, "team-a", "staging", "a", "STAGING_A", "staging-only-in-vault-a"),
		scopedSecret(ns, "team-b", "staging", "b", "STAGING_B", "staging-only-in-vault-b"))
	seed(t, secrets...)
}

func TestExportSeveralVaults(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	inA := map[string]string{"DB_PASSWORD": "vault-a-db-password", "CSV_COMMAS": csvHostile["CSV_COMMAS"], "CSV_LINES": csvHostile["CSV_LINES"]}
	inB := map[string]string{"API_TOKEN": "vault-b-api-token", "CSV_QUOTES": csvHostile["CSV_QUOTES"], "CSV_PEM": csvHostile["CSV_PEM"]}
	seedTwoVaults(t, ns, inA, inB)
	both := maps.Clone(inA)
	maps.Copy(both, inB)
	vaultOf := map[string]string{}
	for k := range inA {
		vaultOf[k] = "a"
	}
	for k := range inB {
		vaultOf[k] = "b"
	}
	export := func(args ...string) result {
		return keep(t, run{Dir: dir, Args: append([]string{"export", "--env=production"}, args...)})
	}

	// env: dotenv lines of both vaults, read back byte for byte.
	for _, vault := range []string{"--vault=a,b", "--vault=b,a", "--vault= a , b ", "--vault=a,b,a"} {
		res := export(vault)
		mustSucceed(t, res)
		got, err := godotenv.Unmarshal(res.Stdout)
		if err != nil {
			t.Fatalf("%s: godotenv cannot read the export: %v", vault, err)
		}
		sameVars(t, "export "+vault, got, both)
	}
	res := keep(t, run{Dir: dir, Args: []string{"export", "--env=production"}, Env: []string{"KEEP_VAULT=a,b"}})
	mustSucceed(t, res)
	if got, err := godotenv.Unmarshal(res.Stdout); err != nil || len(got) != len(both) {
		t.Errorf("KEEP_VAULT=a,b: %d variables (%v), want %d", len(got), err, len(both))
	}

	// json: one flat object of both.
	res = export("--vault=a,b", "--format=json")
	mustSucceed(t, res)
	var obj map[string]string
	if err := json.Unmarshal([]byte(res.Stdout), &obj); err != nil {
		t.Fatalf("--format=json: not one flat object of strings: %v", err)
	}
	sameVars(t, "export --vault=a,b --format=json", obj, both)

	// csv: the PHP Keep's header and columns; every value reads back.
	res = export("--vault=a,b", "--format=csv")
	mustSucceed(t, res)
	wantCSV(t, "export --vault=a,b --format=csv", res.Stdout, []string{"Key", "Value", "Vault", "Environment", "Modified"}, both, vaultOf, "production")
	csvOut := res.Stdout

	// --file is --output: the same bytes, in a 0600 file, nothing on stdout.
	out := filepath.Join(t.TempDir(), "secrets.csv")
	res = export("--vault=a,b", "--format=csv", "--file="+out)
	wantExit(t, res, 0)
	wantFile(t, out, csvOut)
	wantExit(t, export("--vault=a,b", "--format=csv", "--file="+out), 125, out+" already exists", "--overwrite")
	wantExit(t, export("--vault=a,b", "--format=csv", "--file="+out, "--overwrite"), 0)
	wantFile(t, out, csvOut)
	wantExit(t, export("--vault=a,b", "--format=csv", "--file="+out, "--append"), 125, "--append writes dotenv lines")

	// Filters apply to every vault.
	res = export("--vault=a,b", "--format=json", "--only=DB_*,API_*")
	mustSucceed(t, res)
	obj = nil
	if err := json.Unmarshal([]byte(res.Stdout), &obj); err != nil || !maps.Equal(obj, map[string]string{"DB_PASSWORD": inA["DB_PASSWORD"], "API_TOKEN": inB["API_TOKEN"]}) {
		t.Errorf("--vault=a,b --only: %v, keys %v", err, slices.Sorted(maps.Keys(obj)))
	}

	// One vault, or the default one (a), as before.
	for _, args := range [][]string{{"--vault=a"}, nil} {
		res = export(append(args, "--format=json")...)
		mustSucceed(t, res)
		obj = nil
		if err := json.Unmarshal([]byte(res.Stdout), &obj); err != nil {
			t.Fatal(err)
		}
		sameVars(t, fmt.Sprintf("export %v", args), obj, inA)
	}

	// -v says what each vault did, by names only.
	res = export("-v", "--vault=a,b")
	mustSucceed(t, res)
	for _, s := range []string{"vault a (", "vault b (", "vault a: 3 secret(s): ", "vault b: 3 secret(s): "} {
		if !strings.Contains(res.Stderr, s) {
			t.Errorf("-v lacks %q:\n%s", s, res.Stderr)
		}
	}
}

func TestExportCSVReadsBackByteExact(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seedVars(t, ns, "production", csvHostile)
	vaultOf := map[string]string{}
	for k := range csvHostile {
		vaultOf[k] = "secretsmanager"
	}
	args := []string{"export", "--namespace=" + ns, "--env=production", "--format=csv"}
	res := keep(t, run{Args: args})
	mustSucceed(t, res)
	wantCSV(t, "export --format=csv", res.Stdout, []string{"Key", "Value", "Vault", "Environment", "Modified"}, csvHostile, vaultOf, "production")
	// The PHP Keep's quoting: a field only when it must be, quotes doubled.
	if !strings.Contains(res.Stdout, "\nCSV_COMMAS,\"a,b,,c,\",secretsmanager,production,") {
		t.Error("CSV_COMMAS is not written as the PHP Keep writes it")
	}
	if !strings.Contains(res.Stdout, "\nCSV_UNICODE,"+csvHostile["CSV_UNICODE"]+",secretsmanager,production,") {
		t.Error("CSV_UNICODE, which needs no quotes, is quoted")
	}

	dir := t.TempDir()
	out := filepath.Join(dir, "secrets.csv")
	wantExit(t, keep(t, run{Args: append(args, "--file="+out)}), 0)
	wantFile(t, out, res.Stdout)
	wantFiles(t, dir, "secrets.csv")
}

func TestExportFileIsOutput(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "FILE_TOKEN", "file-flag-token-value"))
	dir := t.TempDir()
	args := []string{"export", "--namespace=" + ns, "--env=production"}
	res := keep(t, run{Args: args})
	mustSucceed(t, res)
	for _, flag := range []string{"--file=", "--output=", "-o"} {
		out := filepath.Join(dir, strings.Trim(flag, "-=")+".env")
		wantExit(t, keep(t, run{Args: append(args, flag+out)}), 0)
		wantFile(t, out, res.Stdout)
		writeFile(t, dir, filepath.Base(out), "FILE_OTHER=1\n")
		wantExit(t, keep(t, run{Args: append(args, flag+out, "--append")}), 0)
		wantFile(t, out, "FILE_OTHER=1\n"+res.Stdout)
	}
	wantFiles(t, dir, "file.env", "output.env", "o.env")
}

func TestExportKeyInTwoVaultsIsAnError(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	seedTwoVaults(t, ns,
		map[string]string{"DB_PASSWORD": "twice-db-password-of-a", "A_ONLY": "twice-a-only-value"},
		map[string]string{"DB_PASSWORD": "twice-db-password-of-b", "B_ONLY": "twice-b-only-value"})
	out := filepath.Join(t.TempDir(), "out")
	for _, args := range [][]string{
		{"export", "--vault=a,b"},
		{"export", "--vault=b,a", "--format=json"},
		{"export", "--vault=a,b", "--format=csv", "--file=" + out},
		{"export", "--vault=a,b", "--format=json", "--file=" + out},
	} {
		res := keep(t, run{Dir: dir, Args: append(args, "--env=production")})
		wantExit(t, res, 125, "DB_PASSWORD is in vault ", "--except")
		if !strings.Contains(res.Stderr, "DB_PASSWORD is in vault a and in vault b") && !strings.Contains(res.Stderr, "DB_PASSWORD is in vault b and in vault a") {
			t.Errorf("%v: the error does not name both vaults:\n%s", args, res.Stderr)
		}
		if _, err := os.Lstat(out); err == nil {
			t.Fatalf("%v: refused, but wrote %s", args, out)
		}
	}
	// Left out of both, the KEY is no longer in two vaults.
	res := keep(t, run{Dir: dir, Args: []string{"export", "--env=production", "--vault=a,b", "--except=DB_PASSWORD", "--format=json"}})
	mustSucceed(t, res)
	var obj map[string]string
	if err := json.Unmarshal([]byte(res.Stdout), &obj); err != nil {
		t.Fatal(err)
	}
	sameVars(t, "--except=DB_PASSWORD", obj, map[string]string{"A_ONLY": "twice-a-only-value", "B_ONLY": "twice-b-only-value"})
}

func TestExportSeveralVaultsRefusesBeforeWriting(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	writeFile(t, dir, ".keep/vaults/ssm.json", `{"slug": "ssm", "driver": "ssm", "region": "us-east-1"}`)
	writeFile(t, dir, ".keep/vaults/same-as-a.json", `{"slug": "same-as-a", "driver": "secretsmanager", "region": "us-east-1", "scope": "team-a"}`)
	seedTwoVaults(t, ns, map[string]string{"DB_PASSWORD": "refused-db-password"}, nil)
	outDir := t.TempDir()
	out := filepath.Join(outDir, ".env")
	for _, tc := range []struct {
		vault string
		has   []string
	}{
		{"a,missing", []string{`vault "missing" is not configured`, "the project's vaults are a, b, same-as-a, ssm"}},
		{"missing,a", []string{`vault "missing" is not configured`}},
		{"a,ssm", []string{`vault "ssm" uses driver "ssm"`}},
		{"a,,b", []string{`--vault=a,,b holds an empty slug`}},
		{"a,", []string{`holds an empty slug`}},
		{"b,same-as-a,a", []string{"vaults same-as-a and a hold the same secrets: both read " + ns + "/team-a/production/* in us-east-1"}},
	} {
		for _, format := range []string{"env", "csv"} {
			res := keep(t, run{Dir: dir, Args: []string{"export", "--env=production", "--vault=" + tc.vault, "--format=" + format, "--file=" + out}})
			wantExit(t, res, 125, tc.has...)
		}
	}
	// b holds nothing in production: even with a, which does, that is the
	// usual error naming b (a typo in b's scope must not go unnoticed),
	// unless --allow-empty; with another empty vault, it names both.
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"export", "--env=production", "--vault=b,a", "--format=json"}}), 125,
		`no secrets found for namespace "`+ns+`", env "production" (vault b, region us-east-1)`)
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"export", "--env=production", "--vault=b,a", "--format=json", "--allow-empty"}}))
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"export", "--env=staging", "--vault=a,b", "--only=NONE_*", "--file=" + out}}), 125,
		"no secrets left after --only=NONE_*: it leaves out all 2 found for", "vaults a, region us-east-1; b, region us-east-1")
	writeFile(t, dir, ".keep/vaults/c.json", `{"slug": "c", "driver": "secretsmanager", "region": "us-east-1", "scope": "team-c"}`)
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"export", "--env=production", "--vault=b,c", "--file=" + out}}), 125,
		`no secrets found for namespace "`+ns+`", env "production" (vaults b, region us-east-1; c, region us-east-1)`,
		ns+"/team-b/production/<KEY> or "+ns+"/team-c/production/<KEY>", "--allow-empty")
	wantFiles(t, outDir)
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"export", "--env=production", "--vault=b,c", "--allow-empty", "--file=" + out}}), 0)
	wantFile(t, out, "")
	// Without vault files any slug is the unscoped vault: two of them are
	// one vault twice.
	wantExit(t, keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--vault=x,y"}}), 125,
		"vaults x and y hold the same secrets: both read "+ns+"/production/* in the SDK's region")
}

func TestExportSeveralVaultsOneFails(t *testing.T) {
	t.Parallel()
	ns := "app"
	dir := twoVaults(t, ns)
	bad := fakeSecret(ns, "production", "DB_PASSWORD", "one-vault-undecryptable")
	bad.Name = ns + "/team-b/production/DB_PASSWORD"
	bad.ErrorCode = "DecryptionFailure"
	fine := fakeSecret(ns, "production", "API_TOKEN", "one-vault-fine-token")
	fine.Name = ns + "/team-a/production/API_TOKEN"
	srv := smfake.New(bad, fine)
	defer srv.Close()
	out := filepath.Join(t.TempDir(), ".env")
	for _, format := range []string{"env", "json", "csv"} {
		res := keep(t, run{Dir: dir, Endpoint: srv.Env(), Args: []string{"export", "--env=production", "--vault=a,b", "--format=" + format, "--file=" + out}})
		wantExit(t, res, 125, "vault b: ", "secret "+ns+"/team-b/production/DB_PASSWORD: DecryptionFailure")
		if _, err := os.Lstat(out); err == nil {
			t.Fatalf("--format=%s: failed, but wrote %s", format, out)
		}
	}
}

func TestExportTemplateCSV(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	seedTwoVaults(t, ns,
		map[string]string{"DB_PASSWORD": "tcsv-db-password", "A_EXTRA": csvHostile["CSV_QUOTES"]},
		map[string]string{"API_TOKEN": "tcsv-api-token", "B_EXTRA": csvHostile["CSV_LINES"]})
	writeFile(t, dir, "env/production.env", "DB_PASSWORD={a:DB_PASSWORD}\nTOKEN={b:API_TOKEN}\nSTATIC=\"not, a secret\"\nJOINED=\"{a:DB_PASSWORD}:{b:API_TOKEN}\"\n")
	args := []string{"export", "--env=production", "--template=auto", "--format=csv"}

	res := keep(t, run{Dir: dir, Args: args})
	mustSucceed(t, res)
	header := []string{"Key", "Value", "Vault", "Env", "Modified"} // the PHP Keep's template header
	want := map[string]string{"DB_PASSWORD": "tcsv-db-password", "TOKEN": "tcsv-api-token", "STATIC": "not, a secret", "JOINED": "tcsv-db-password:tcsv-api-token"}
	vaultOf := map[string]string{"DB_PASSWORD": "a", "TOKEN": "b"}
	gotHeader, rows := readCSV(t, "template csv", res.Stdout)
	if !slices.Equal(gotHeader, header) {
		t.Errorf("header %q, want %q", gotHeader, header)
	}
	values := map[string]string{}
	for k, r := range rows {
		values[k] = r[1]
		env := ""
		if vaultOf[k] != "" {
			env = "production"
		}
		if r[2] != vaultOf[k] || r[3] != env {
			t.Errorf("%s: vault %q, env %q; want %q, %q", k, r[2], r[3], vaultOf[k], env)
		}
	}
	sameVars(t, "template csv", values, want)

	// --all adds what the template does not name, from the --vault vaults.
	res = keep(t, run{Dir: dir, Args: append(args, "--all", "--vault=a,b")})
	mustSucceed(t, res)
	_, rows = readCSV(t, "template csv --all", res.Stdout)
	for k, vault := range map[string]string{"A_EXTRA": "a", "B_EXTRA": "b"} {
		r, ok := rows[k]
		switch {
		case !ok:
			t.Errorf("--all --vault=a,b lacks %s", k)
		case r[2] != vault:
			t.Errorf("--all: %s has vault %q, want %q", k, r[2], vault)
		}
	}
	if len(rows) != len(want)+2 {
		t.Errorf("--all --vault=a,b: %d rows, want %d", len(rows), len(want)+2)
	}
	if r := rows["A_EXTRA"]; len(r) == 5 && r[1] != csvHostile["CSV_QUOTES"] || len(rows["B_EXTRA"]) == 5 && rows["B_EXTRA"][1] != csvHostile["CSV_LINES"] {
		t.Error("--all: an added value does not read back byte for byte")
	}
	// Without --vault, --all adds the default vault's (a), as before.
	res = keep(t, run{Dir: dir, Args: append(args, "--all")})
	mustSucceed(t, res)
	if _, rows = readCSV(t, "template csv --all", res.Stdout); rows["A_EXTRA"] == nil || rows["B_EXTRA"] != nil {
		t.Errorf("--all without --vault: rows %v", slices.Sorted(maps.Keys(rows)))
	}
}

// --all adds the secrets no placeholder reads: a {vault:A.b} placeholder
// reads the secret named A.b when it exists (the PHP Keep's reading), so
// that secret is not added again under its own variable name.
func TestExportAllSkipsWhatTheTemplateReads(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "Mixed-Case.x", "export-all-dotted"),
		secret(ns, "production", "EXTRA", "export-all-extra"),
	)
	_, path := newTemplate(t, "MIXED={secretsmanager:Mixed-Case.x|label=primary}\n")
	res := keep(t, run{Args: []string{"export", "--namespace=" + ns, "--env=production", "--template=" + path, "--all"}, NoLeakCheck: true})
	mustSucceed(t, res)
	want := "MIXED='export-all-dotted'\n" + "\n# ----- Additional secrets not in template -----\n\n" + "EXTRA='export-all-extra'\n"
	if res.Stdout != want {
		t.Errorf("export --all: got %d bytes, want %d; variables: %q", len(res.Stdout), len(want), exportedNames(res.Stdout))
	}
}

// exportedNames are the variable names of dotenv lines, in order.
func exportedNames(out string) []string {
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if name, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			names = append(names, name)
		}
	}
	return names
}
