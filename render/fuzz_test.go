package render_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/joho/godotenv"

	"github.com/keep-run/keep/render"
)

// The fuzz tests print the inputs the fuzzer made up; they are no secrets.

// FuzzParseTemplate: ParseTemplate never panics and reports problems by
// lines of the file. A template that parses resolves in both modes once
// every secret it names is found (with secret as each value, or a JSON
// object holding it for fields), and the file Render writes is a template
// keep parses again: the same variables in the same order, lines without
// placeholders as they were, and each placeholder line holding exactly its
// resolved value.
func FuzzParseTemplate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.env"))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src), "s3cr3t")
	}
	for _, src := range []string{
		"A={sm:K}\nB=\"{sm:K.f}\" # c\nexport C='{sm}'\n",
		"A=\"x\\\"{sm:K}\\$\"\n",
		"A='\n{sm:K}\n'\r\nB=${A:-x}\n",
		"A={a{sm:K}|b}\n",
		"A=\"unterminated\nB=1\n",
		"A={sm:K|attr}\nA=2\n1=x\n",
		"A={sm:K|label=primary|v=2}\nB={Sm:a/b.c}\nC={sm:/x}\nD=${E:-{sm:K}}\n",
		"A=\"\\${sm:K}\\${B:-x}\"\nC={sm|x}\nD={sm:}\n",
		"A=1 #c\n#\n\n  \texport B = {sm}\t#",
	} {
		for _, secret := range []string{"", "s3cr3t", "it's \"x\" $y \\", "line1\r\nline2\n", "{sm|x}", "${A}"} {
			f.Add(src, secret)
		}
	}
	f.Fuzz(func(t *testing.T, src, secret string) {
		tmpl, err := render.ParseTemplate("f.env", src)
		if err != nil {
			checkProblems(t, src, err)
			return
		}
		secrets, ok := fuzzSecrets(tmpl, secret)
		if !ok {
			return
		}
		if _, err := tmpl.Vars(secrets, render.MissingFail, func(string) (string, bool) { return "", false }); err != nil {
			t.Fatalf("Vars with every secret found: %v", err)
		}
		if problems := tmpl.Check(secrets); len(problems) != 0 {
			t.Fatalf("Check with every secret found: %v", problems)
		}
		for _, m := range []render.Missing{render.MissingSkip, render.MissingBlank, render.MissingRemove} {
			if _, err := tmpl.Vars(nil, m, nil); err != nil {
				t.Fatalf("Vars with no secrets, --missing=%s: %v", render.MissingChoices[m], err)
			}
			var de *render.DotenvError // a value left ending in a backslash
			if _, _, err := tmpl.Render(nil, m); err != nil && !errors.As(err, &de) {
				t.Fatalf("Render with no secrets, --missing=%s: %v", render.MissingChoices[m], err)
			}
		}
		file, _, err := tmpl.Render(secrets, render.MissingFail)
		if spill := spilling(tmpl, secrets, secret); spill != "" {
			var de *render.DotenvError
			if !errors.As(err, &de) || de.Name != spill {
				t.Fatalf("Render with %s ending in a backslash: %v, want a DotenvError naming it", spill, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Render with every secret found: %v", err)
		}
		checkRendered(t, tmpl, secrets, secret, string(file))
	})
}

// checkProblems: a parse error is TemplateErrors, in line order, each at a
// line of the file.
func checkProblems(t *testing.T, src string, err error) {
	t.Helper()
	var problems render.TemplateErrors
	if !errors.As(err, &problems) || len(problems) == 0 {
		t.Fatalf("ParseTemplate error %T %v, want TemplateErrors", err, err)
	}
	lines := strings.Count(strings.ReplaceAll(src, "\r\n", "\n"), "\n") + 1
	last := 0
	for _, p := range problems {
		if p.File != "f.env" || p.Line < 1 || p.Line > lines || p.Line < last || p.Msg == "" {
			t.Fatalf("problem %q at line %d of %d (after %d)", p.Error(), p.Line, lines, last)
		}
		last = p.Line
	}
	_ = problems.Error()
}

// fuzzSecrets finds every secret tmpl names: secret itself, or for a
// secret read by fields, a JSON object with secret in each field. It
// fails for a field name that is not UTF-8, which no JSON object has.
func fuzzSecrets(tmpl *render.Template, secret string) (render.Secrets, bool) {
	fields := map[render.Ref]map[string]string{}
	for _, r := range tmpl.Refs() {
		s := r.Ref.Secret()
		if fields[s] == nil {
			fields[s] = map[string]string{}
		}
		if r.Ref.Field != "" {
			if !utf8.ValidString(r.Ref.Field) {
				return nil, false
			}
			fields[s][r.Ref.Field] = secret
		}
	}
	secrets := render.Secrets{}
	for s, fs := range fields {
		v := secret
		if len(fs) > 0 {
			b, err := json.Marshal(fs)
			if err != nil {
				panic(err)
			}
			v = string(b)
		}
		secrets[s] = render.SecretValue{Name: "app/" + s.Key, Value: v, Found: true}
	}
	return secrets, true
}

// jsonString is s as a JSON string field gives it back: invalid UTF-8
// becomes U+FFFD.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	var out string
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// resolved is what a placeholder line holds in file mode: its literal text
// as parsed (no ${VAR} expanded) and its secrets' values.
func resolved(a *render.Assignment, secrets render.Secrets, secret string) string {
	var b strings.Builder
	for _, p := range a.Parts {
		switch {
		case p.Ref == nil:
			b.WriteString(p.Text)
		case p.Ref.Field != "":
			b.WriteString(jsonString(secret))
		default:
			b.WriteString(secrets[p.Ref.Secret()].Value)
		}
	}
	return b.String()
}

// spilling is the first placeholder line's variable whose resolved value
// ends in a backslash, which Render refuses, or "".
func spilling(tmpl *render.Template, secrets render.Secrets, secret string) string {
	for _, l := range tmpl.Lines {
		if l.Var != nil && hasPlaceholder(l.Var) && strings.HasSuffix(resolved(l.Var, secrets, secret), `\`) {
			return l.Var.Name
		}
	}
	return ""
}

func checkRendered(t *testing.T, tmpl *render.Template, secrets render.Secrets, secret, file string) {
	t.Helper()
	// keep's template syntax has no escape for a placeholder: a value that
	// holds one with no valid PATH is written correctly for dotenv
	// readers, but keep itself rejects it. The same goes for one the
	// secret completes ("{a:" + secret + "}").
	for _, l := range tmpl.Lines {
		if l.Var != nil && hasPlaceholder(l.Var) && badPlaceholder(resolved(l.Var, secrets, secret)) {
			return
		}
	}
	again, err := render.ParseTemplate("rendered.env", file)
	if err != nil {
		t.Fatalf("the rendered file does not parse: %v\n%q", err, file)
	}
	if len(again.Lines) != len(tmpl.Lines) {
		t.Fatalf("the rendered file has %d lines, the template %d:\n%q", len(again.Lines), len(tmpl.Lines), file)
	}
	vars, err := again.Vars(nil, render.MissingSkip, nil)
	if err != nil {
		t.Fatalf("Vars of the rendered file: %v", err)
	}
	values := map[string]string{}
	for _, v := range vars {
		values[v.Name] = v.Value
	}
	for i, l := range tmpl.Lines {
		r := again.Lines[i]
		switch {
		case l.Var == nil || !hasPlaceholder(l.Var):
			// Written as the template has it; a CR it has before a line
			// end (CR CR LF, or a final CR) then reads as part of a CRLF.
			if want := strings.TrimSuffix(strings.ReplaceAll(l.Text+"\n", "\r\n", "\n"), "\n"); r.Text != want {
				t.Fatalf("line %d: rendered %q, want it as the template has it, %q", l.Num, r.Text, l.Text)
			}
		case r.Var == nil || r.Var.Name != l.Var.Name || r.Var.Export != l.Var.Export:
			t.Fatalf("line %d: rendered %q for %s", l.Num, r.Text, l.Var.Name)
		case values[l.Var.Name] != resolved(l.Var, secrets, secret):
			t.Fatalf("line %d: the rendered file gives %s=%q, want %q", l.Num, l.Var.Name, values[l.Var.Name], resolved(l.Var, secrets, secret))
		}
	}
}

// FuzzQuoteDotenv: portable is false exactly for the documented classes;
// keep's template parser reads every quoted value back exactly (but for
// values holding a placeholder with no valid PATH, which its syntax
// rejects); and
// godotenv reads back every portable one.
func FuzzQuoteDotenv(f *testing.F) {
	for _, tc := range quoteDotenvCases {
		f.Add(tc.value)
	}
	for _, v := range []string{"\x00", "a\x00b", "\xff", "\xc3", "'\xff'", "\u2028", "\u0085x", "\ufeff", "a\vb\f", "{a|b}", "{a:}", "{a:/b}", "${A:-b}", "'\\", "\\'"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, value string) {
		quoted, portable := render.QuoteDotenv(value)
		if want := !documentedNonPortable(value); portable != want {
			t.Fatalf("QuoteDotenv(%q): portable = %v, the documented classes say %v", value, portable, want)
		}
		if !badPlaceholder(value) {
			checkKeepReadsBack(t, value)
		}
		if !portable {
			return
		}
		src := "K=" + quoted + "\n"
		got, err := godotenv.Unmarshal(src)
		if err != nil {
			t.Fatalf("godotenv.Unmarshal(%q): %v", src, err)
		}
		if got["K"] != value {
			t.Fatalf("godotenv reads %q back as %q, want %q", src, got["K"], value)
		}
	})
}

// FuzzVarName: VarName is the PHP Keep's mapping: the KEY's bytes with
// each one outside [A-Za-z0-9_] replaced by '_', without the leading '_',
// after KEY_ when they start with a digit, UNNAMED_KEY when empty, upper
// case. So its result is a name, ^[A-Z][A-Z0-9_]*$; it is idempotent; it
// keeps a KEY that is such a name already; and it is blind to ASCII case
// and to which byte it replaced.
func FuzzVarName(f *testing.F) {
	for _, k := range []string{"api-key", "DB_PASSWORD", "café", "KEY_😀", "a\xffb", "", "ａ", "_lead", "1num", "Mixed-Case.x", "___", "_9", "unnamed_key"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		name := render.VarName(key)
		if !varNameRE.MatchString(name) {
			t.Fatalf("VarName(%q) = %q, not a name of ^[A-Z][A-Z0-9_]*$", key, name)
		}
		if again := render.VarName(name); again != name {
			t.Fatalf("VarName(VarName(%q)) = %q, want %q", key, again, name)
		}
		if upper := render.VarName(asciiUpper(key)); upper != name {
			t.Fatalf("VarName(%q) = %q, but of it upper-cased %q", key, name, upper)
		}
		mapped := []byte(key)
		for i, c := range mapped {
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				mapped[i] = '_'
			}
		}
		if again := render.VarName(string(mapped)); again != name {
			t.Fatalf("VarName(%q) = %q, but of its mapped bytes %q", key, name, again)
		}
		if varNameRE.MatchString(key) && name != key {
			t.Fatalf("VarName(%q) = %q: a name is kept", key, name)
		}
		want := strings.ToUpper(strings.TrimLeft(string(mapped), "_"))
		switch {
		case want == "":
			want = "UNNAMED_KEY"
		case want[0] >= '0' && want[0] <= '9':
			want = "KEY_" + want
		}
		if name != want {
			t.Fatalf("VarName(%q) = %q, want %q", key, name, want)
		}
	})
}

var varNameRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// asciiUpper upper-cases the ASCII letters of s, byte by byte.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
