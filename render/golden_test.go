package render_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/joho/godotenv"

	"github.com/keep-run/keep/render"
)

// The values in this file are synthetic, so failures may print them (%q).

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// PEM is a multi-line secret with a final newline, as keys usually are.
const testPEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n"

// testSecrets is the fake Secrets Manager that every template test reads:
// two vaults, secretsmanager and legacy. {secretsmanager:MISSING} was looked
// up and not found; {legacy:MISSING} was not looked up at all.
var testSecrets = render.Secrets{
	sm("DB_PASSWORD"): found("myapp/production/DB_PASSWORD", "pa$$w0rd-${HOME}-$HOME"),
	sm("API_KEY"):     found("myapp/production/API_KEY", "ak_live_0123456789"),
	sm("STRIPE_KEY"):  found("myapp/production/STRIPE_KEY", "sk_test_it's_a_key"),
	sm("TEMPLATED"):   found("myapp/production/TEMPLATED", `Hello ${USER}, it's $5 "off"`),
	sm("TLS_KEY"):     found("myapp/production/TLS_KEY", testPEM),
	sm("WINDOWS"):     found("myapp/production/WINDOWS", "line1\r\nline2"),
	sm("DB"): found("myapp/production/DB", `{"username":"app_user","port":5432,"ssl":true,"ratio":1.50,`+
		`"big":12345678901234567890,"name":"caf\u00e9 ☕","off":false,"quote":"it's \"q\"",`+
		`"nested":{"a":1},"list":[1,2],"nothing":null}`),
	sm("MISSING"):     {Name: "myapp/production/MISSING"},
	legacy("API_KEY"): found("legacy-app/production/API_KEY", "legacy-key"),
	legacy("TOKEN"):   found("legacy-app/production/TOKEN", "tok/en+=="),
	// KEYs another tool wrote, which the PHP Keep reads: a {vault:PATH}
	// may hold '.' and '/'.
	sm("Mixed-Case.x"): found("myapp/production/Mixed-Case.x", "mixed-case-value"),
	sm("path/to/key"):  found("myapp/production/path/to/key", "nested-value"),
	// {secretsmanager:PLAIN.v1}: the secret PLAIN.v1 (the PHP Keep's
	// reading); PLAIN is no JSON object, so keep's field reading fails
	// and is not taken.
	sm("PLAIN"):    found("myapp/production/PLAIN", "plain-value"),
	sm("PLAIN.v1"): found("myapp/production/PLAIN.v1", "plain-v1-value"),
	// {secretsmanager:MISSING.field} was looked up both ways.
	sm("MISSING.field"): {Name: "myapp/production/MISSING.field"},
}

func sm(key string) render.Ref     { return render.Ref{Slug: "secretsmanager", Key: key} }
func legacy(key string) render.Ref { return render.Ref{Slug: "legacy", Key: key} }

func found(name, value string) render.SecretValue {
	return render.SecretValue{Name: name, Value: value, Found: true}
}

// testEnv is the inherited environment of the template tests.
var testEnv = map[string]string{
	"HOME":            "/home/app",
	"REGION":          "eu-west-1",
	"INHERITED_EMPTY": "",
	"LOG_LEVEL":       "warn",
	"USER":            "app",
}

func lookupTestEnv(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

// goldenCases are the templates in testdata/ and the --missing policy each
// is rendered with. Goldens are testdata/<name>[.<missing>].vars.golden
// (Vars: NAME=<Go-quoted value> per line) and .file.golden (Render); an
// error is written as "error: <message>".
var goldenCases = []goldenCase{
	{"issue-example", render.MissingFail},
	{"export", render.MissingFail},
	{"quotes", render.MissingFail},
	{"multiline", render.MissingFail},
	{"json", render.MissingFail},
	{"expand", render.MissingFail},
	{"secret-dollar", render.MissingFail},
	{"crlf", render.MissingFail},
	{"vaults", render.MissingFail},
	{"shorthand", render.MissingFail},
	{"php", render.MissingFail},
	{"placeholder-shape", render.MissingFail},
	{"placeholder-shape", render.MissingSkip},
	{"placeholder-shape", render.MissingBlank},
	{"placeholder-shape", render.MissingRemove},
	{"missing", render.MissingFail},
	{"missing", render.MissingSkip},
	{"missing", render.MissingBlank},
	{"missing", render.MissingRemove},
}

type goldenCase struct {
	name    string
	missing render.Missing
}

func goldenBase(name string, missing render.Missing) string {
	if missing == render.MissingFail && name != "missing" && name != "placeholder-shape" {
		return name
	}
	return name + "." + render.MissingChoices[missing]
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		base := goldenBase(tc.name, tc.missing)
		t.Run(base, func(t *testing.T) {
			tmpl := parseTestdata(t, tc.name)
			vars, err := tmpl.Vars(testSecrets, tc.missing, lookupTestEnv)
			checkGolden(t, base+".vars.golden", formatVars(vars, err))
			file, _, err := tmpl.Render(testSecrets, tc.missing)
			checkGolden(t, base+".file.golden", formatFile(file, err))
		})
	}
}

// TestGoldenCasesListEveryTemplate keeps goldenCases and testdata/ in step.
func TestGoldenCasesListEveryTemplate(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".env")
		if !slices.ContainsFunc(goldenCases, func(c goldenCase) bool { return c.name == name }) {
			t.Errorf("%s has no entry in goldenCases", f)
		}
	}
}

// TestGoldenCRLFInput guards against a checkout that converts line ends
// (testdata/.gitattributes marks the file -text).
func TestGoldenCRLFInput(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "crlf.env"))
	if err != nil {
		t.Fatal(err)
	}
	if n, lines := bytes.Count(src, []byte("\r\n")), bytes.Count(src, []byte("\n")); n != lines {
		t.Fatalf("testdata/crlf.env has %d CRLF line ends of %d: it must be all CRLF", n, lines)
	}
	lf, err := render.ParseTemplate("crlf.env", strings.ReplaceAll(string(src), "\r\n", "\n"))
	if err != nil {
		t.Fatal(err)
	}
	crlf := parseTestdata(t, "crlf")
	want, err := lf.Vars(testSecrets, render.MissingFail, lookupTestEnv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := crlf.Vars(testSecrets, render.MissingFail, lookupTestEnv)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("CRLF template: Vars = %q, want the LF template's %q", got, want)
	}
}

// TestGoldenFileAgreesWithEnv reads every rendered golden template with
// godotenv: each variable that holds a placeholder gets the value that
// environment mode gives it, when QuoteDotenv calls that value portable.
// (Other lines are left to the reader, whose ${VAR} rules differ.)
func TestGoldenFileAgreesWithEnv(t *testing.T) {
	for _, tc := range goldenCases {
		if tc.missing != render.MissingFail || tc.name == "missing" || tc.name == "placeholder-shape" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			tmpl := parseTestdata(t, tc.name)
			file, _, err := tmpl.Render(testSecrets, tc.missing)
			if err != nil {
				t.Fatal(err)
			}
			// godotenv cannot read some keep lines (a '#' after a closing
			// quote with no space is keep's error too, so that is fine):
			// give it only the rendered secret lines.
			vars, err := tmpl.Vars(testSecrets, tc.missing, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for _, v := range vars {
				want[v.Name] = v.Value
			}
			rendered, err := render.ParseTemplate("rendered", string(file))
			if err != nil {
				t.Fatalf("the rendered file does not parse: %v", err)
			}
			for _, l := range rendered.Lines {
				orig := lineOf(tmpl, l.Var)
				if orig == nil || !hasPlaceholder(orig) {
					continue
				}
				if _, portable := render.QuoteDotenv(want[l.Var.Name]); !portable {
					continue
				}
				got, err := godotenv.Unmarshal(l.Text)
				if err != nil {
					t.Errorf("godotenv cannot read the rendered line of %s: %v", l.Var.Name, err)
					continue
				}
				if !literalOnly(orig) {
					continue // ${VAR} in literal text: env mode expands it, the file keeps it
				}
				if got[l.Var.Name] != want[l.Var.Name] {
					t.Errorf("%s: godotenv reads %q from the file, environment mode gives %q", l.Var.Name, got[l.Var.Name], want[l.Var.Name])
				}
			}
		})
	}
}

func lineOf(t *render.Template, a *render.Assignment) *render.Assignment {
	if a == nil {
		return nil
	}
	for _, l := range t.Lines {
		if l.Var != nil && l.Var.Name == a.Name {
			return l.Var
		}
	}
	return nil
}

func hasPlaceholder(a *render.Assignment) bool {
	return slices.ContainsFunc(a.Parts, func(p render.Part) bool { return p.Ref != nil })
}

// literalOnly: no literal part of a has ${ to expand.
func literalOnly(a *render.Assignment) bool {
	return !slices.ContainsFunc(a.Parts, func(p render.Part) bool {
		return p.Ref == nil && p.Expand && strings.Contains(p.Text, "${")
	})
}

func parseTestdata(t *testing.T, name string) *render.Template {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".env"))
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, name+".env", string(src))
}

func formatVars(vars []render.Var, err error) []byte {
	if err != nil {
		return []byte("error: " + err.Error() + "\n")
	}
	var b bytes.Buffer
	for _, v := range vars {
		fmt.Fprintf(&b, "%s=%s\n", v.Name, strconv.Quote(v.Value))
	}
	return b.Bytes()
}

func formatFile(file []byte, err error) []byte {
	if err != nil {
		return []byte("error: " + err.Error() + "\n")
	}
	return file
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./render -run Golden -update rewrites it):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff lists the lines that differ, Go-quoted.
func lineDiff(want, got string) string {
	w, g := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}
