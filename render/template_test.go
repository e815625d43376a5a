package render_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/render"
)

// The values in this file are synthetic, so failures may print them (%q).

// parse parses src as the template file name and stops the test if it
// does not parse.
func parse(t *testing.T, name, src string) *render.Template {
	t.Helper()
	tmpl, err := render.ParseTemplate(name, src)
	if err != nil {
		t.Fatalf("ParseTemplate(%s, %q): %v", name, src, err)
	}
	return tmpl
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // each problem's Error(), in order
	}{
		{"missing equals", "A=1\nB\n", []string{"t.env:2: expected = after the variable name"}},
		{"missing equals with value", "API_KEY value\n", []string{"t.env:1: expected = after the variable name"}},
		{"colon instead of equals", "A: 1\n", []string{"t.env:1: expected = after the variable name"}},
		{"name starts with a digit", "1A=x\n", []string{`t.env:1: expected a variable name (letters, digits, '_') at the start of the line`}},
		{"name with a dash", "A-B=x\n", []string{"t.env:1: expected = after the variable name"}},
		{"name with a dot", "a.b=x\n", []string{"t.env:1: expected = after the variable name"}},
		{"no name", "=x\n", []string{`t.env:1: expected a variable name (letters, digits, '_') at the start of the line`}},
		{"non-ASCII name", "CAFÉ=x\n", []string{"t.env:1: expected = after the variable name"}},
		{"export alone", "export\n", []string{"t.env:1: expected = after the variable name"}},
		{"export without a name", "export =x\n", []string{`t.env:1: expected a variable name (letters, digits, '_') at the start of the line`}},
		{"unterminated double quote at EOF", "A=1\nB=\"abc\nC=2\n", []string{"t.env:2: unterminated quoted value"}},
		{"unterminated single quote at EOF", "B='abc", []string{"t.env:1: unterminated quoted value"}},
		{"unterminated after an escaped quote", `B="abc\"`, []string{"t.env:1: unterminated quoted value"}},
		{"garbage after a double quote", `A="x" y`, []string{`t.env:1: unexpected text after the closing quote of A's value`}},
		{"garbage after a single quote", `A='x'y z`, []string{`t.env:1: unexpected text after the closing quote of A's value`}},
		{"comment glued to a quote", `A="x"# c`, []string{`t.env:1: unexpected text after the closing quote of A's value`}},
		{"garbage after a multi-line value", "A='x\ny' z\n", []string{`t.env:1: unexpected text after the closing quote of A's value`}},
		{"duplicate", "A=1\n# c\nA=2\n", []string{"t.env:3: A is already set at line 1"}},
		{"duplicate with export", "export A=1\nA=2\n", []string{"t.env:2: A is already set at line 1"}},
		{"duplicate after a multi-line value", "A='1\n2'\nA=3\n", []string{"t.env:3: A is already set at line 1"}},
		{"triplicate names the first", "A=1\nA=2\nA=3\n", []string{"t.env:2: A is already set at line 1", "t.env:3: A is already set at line 1"}},
		// A placeholder with no valid PATH is an error, never text; the
		// message does not quote the PATH.
		{"empty path", "A={sm:}\n", []string{"t.env:1: A: a {sm:…} placeholder with no valid secret PATH"}},
		{"empty path with attr", "A={sm:|x}\n", []string{"t.env:1: A: a {sm:…} placeholder with no valid secret PATH"}},
		{"absolute path", "A={sm:/absolute/path}\n", []string{"t.env:1: A: a {sm:…} placeholder with no valid secret PATH"}},
		{"final slash", "A={sm:a/}\n", []string{"t.env:1: A: a {sm:…} placeholder with no valid secret PATH"}},
		{"empty segment", "A={sm:a//b}\n", []string{"t.env:1: A: a {sm:…} placeholder with no valid secret PATH"}},
		{"space in path", "A='x {sm:hello world} y'\n", []string{"t.env:1: A: a {sm:…} placeholder with no valid secret PATH"}},
		{"@ in path", "A={sm:user@domain}\n", []string{"t.env:1: A: a {sm:…} placeholder with no valid secret PATH"}},
		{"bad key before a field", "A={sm:a b.c}\n", []string{"t.env:1: A: a {sm:…} placeholder with no valid secret PATH"}},
		{"upper-case vault", "A={SM:/x}\n", []string{"t.env:1: A: a {SM:…} placeholder with no valid secret PATH"}},
		{"escaped dollar is no expansion", "A=\"\\${sm:/x}\"\n", []string{"t.env:1: A: a {sm:…} placeholder with no valid secret PATH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := render.ParseTemplate("t.env", tt.src)
			if err == nil {
				t.Fatalf("ParseTemplate(%q) = %d lines, want an error", tt.src, len(tmpl.Lines))
			}
			if tmpl != nil {
				t.Errorf("ParseTemplate(%q) returned a template with its error", tt.src)
			}
			var problems render.TemplateErrors
			if !errors.As(err, &problems) {
				t.Fatalf("ParseTemplate(%q): %T is not TemplateErrors", tt.src, err)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.Error())
				if p.File != "t.env" || p.Hint() == "" {
					t.Errorf("%v: File %q, Hint %q; want t.env and a hint", p, p.File, p.Hint())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseTemplate(%q) problems:\n got  %q\n want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseTemplateListsEveryProblem(t *testing.T) {
	src := strings.Join([]string{
		"# several problems at once", // 1
		"GOOD=1",                     // 2
		"BAD",                        // 3
		"9LIVES=x",                   // 4
		`Q="x" trailing`,             // 5
		"GOOD=2",                     // 6
		"P={sm:/abs}",                // 7
		"OK='multi",                  // 8
		"line'",                      // 9
		"U=\"never closed",           // 10
		"Z=swallowed by the quote",   // 11
	}, "\n")
	_, err := render.ParseTemplate("env/prod.env", src)
	var problems render.TemplateErrors
	if !errors.As(err, &problems) {
		t.Fatalf("ParseTemplate: %v, want TemplateErrors", err)
	}
	var lines []int
	for _, p := range problems {
		lines = append(lines, p.Line)
	}
	if want := []int{3, 4, 5, 6, 7, 10}; !slices.Equal(lines, want) {
		t.Errorf("problems at lines %v, want %v:\n%v", lines, want, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "6 problems:\n  env/prod.env:3: ") {
		t.Errorf("Error() = %q, want it to start with the count and the first FILE:LINE", msg)
	}
	for _, l := range []string{"env/prod.env:3:", "env/prod.env:4:", "env/prod.env:5:", "env/prod.env:6: GOOD is already set at line 2", "env/prod.env:7:", "env/prod.env:10:"} {
		if !strings.Contains(msg, "\n  "+l) {
			t.Errorf("Error() lacks a line starting %q:\n%s", l, msg)
		}
	}
	if problems.Hint() != problems[0].Hint() {
		t.Errorf("Hint() = %q, want the first problem's", problems.Hint())
	}
	// errors.As reaches each problem through Unwrap.
	var te *render.TemplateError
	if !errors.As(err, &te) || te.Line != 3 {
		t.Errorf("errors.As(*TemplateError) = %v, want the line 3 problem", te)
	}
	if got := len(problems.Unwrap()); got != 6 {
		t.Errorf("Unwrap() has %d errors, want 6", got)
	}
}

func TestParseTemplateOneProblemMessage(t *testing.T) {
	_, err := render.ParseTemplate("a.env", "X\n")
	if got, want := err.Error(), "a.env:1: expected = after the variable name"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseTemplateLines(t *testing.T) {
	src := "# head\n\nexport A=1 # c\nB='x\ny'\n  \nC=\"{sm:K.f}\"   # note\nD=\n"
	tmpl := parse(t, "t.env", src)
	type line struct {
		num  int
		text string
		name string
	}
	var got []line
	for _, l := range tmpl.Lines {
		name := ""
		if l.Var != nil {
			name = l.Var.Name
		}
		got = append(got, line{l.Num, l.Text, name})
	}
	want := []line{
		{1, "# head", ""},
		{2, "", ""},
		{3, "export A=1 # c", "A"},
		{4, "B='x\ny'", "B"},
		{6, "  ", ""},
		{7, `C="{sm:K.f}"   # note`, "C"},
		{8, "D=", "D"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Lines:\n got  %+v\n want %+v", got, want)
	}
	if tmpl.File != "t.env" {
		t.Errorf("File = %q", tmpl.File)
	}

	a := tmpl.Lines[2].Var
	if !a.Export || a.Quote != 0 || a.Comment != " # c" {
		t.Errorf("A: Export %v, Quote %q, Comment %q; want true, 0, %q", a.Export, a.Quote, a.Comment, " # c")
	}
	b := tmpl.Lines[3].Var
	if b.Export || b.Quote != '\'' || len(b.Parts) != 1 || b.Parts[0].Text != "x\ny" || b.Parts[0].Expand {
		t.Errorf("B = %+v, want one literal, unexpanded part \"x\\ny\" in single quotes", b)
	}
	c := tmpl.Lines[5].Var
	if c.Quote != '"' || c.Comment != "   # note" || len(c.Parts) != 1 || c.Parts[0].Ref == nil {
		t.Fatalf("C = %+v, want one placeholder in double quotes with its comment", c)
	}
	if got, want := *c.Parts[0].Ref, (render.Ref{Slug: "sm", Key: "K", Field: "f"}); got != want {
		t.Errorf("C's Ref = %+v, want %+v", got, want)
	}
	if c.Parts[0].Text != "{sm:K.f}" {
		t.Errorf("C's placeholder Text = %q, want its source form", c.Parts[0].Text)
	}
}

func TestParseTemplateEmpty(t *testing.T) {
	for _, src := range []string{"", "\n", "# only a comment", "\r\n\r\n"} {
		tmpl := parse(t, "t.env", src)
		vars, err := tmpl.Vars(nil, render.MissingFail, nil)
		if err != nil || len(vars) != 0 || len(tmpl.Refs()) != 0 {
			t.Errorf("ParseTemplate(%q): Vars %v, %v; Refs %v; want none", src, vars, err, tmpl.Refs())
		}
	}
}

func TestRefs(t *testing.T) {
	src := strings.Join([]string{
		"# comment {sm:NOT_A_REF}",                // 1
		"A={secretsmanager:DB_PASSWORD}",          // 2
		"B=\"{legacy:TOKEN}/{sm:K.field}\"",       // 3
		"C='multi",                                // 4
		"{secretsmanager:CERT}",                   // 5
		"'",                                       // 6
		"STRIPE_KEY={secretsmanager}",             // 7
		"LITERAL=x{secretsmanager}",               // 8
		"D={sm:K.field.with.dots} # {sm:IN_NOTE}", // 9
		"E={sm:K}{sm:K}",                          // 10
		"F={sm:api-key}",                          // 11
	}, "\n")
	tmpl := parse(t, "t.env", src)
	want := []render.LineRef{
		{Line: 2, Var: "A", Ref: render.Ref{Slug: "secretsmanager", Key: "DB_PASSWORD"}},
		{Line: 3, Var: "B", Ref: render.Ref{Slug: "legacy", Key: "TOKEN"}},
		{Line: 3, Var: "B", Ref: render.Ref{Slug: "sm", Key: "K", Field: "field"}},
		{Line: 4, Var: "C", Ref: render.Ref{Slug: "secretsmanager", Key: "CERT"}},
		{Line: 7, Var: "STRIPE_KEY", Ref: render.Ref{Slug: "secretsmanager", Key: "STRIPE_KEY"}},
		{Line: 9, Var: "D", Ref: render.Ref{Slug: "sm", Key: "K", Field: "field.with.dots"}},
		{Line: 10, Var: "E", Ref: render.Ref{Slug: "sm", Key: "K"}},
		{Line: 10, Var: "E", Ref: render.Ref{Slug: "sm", Key: "K"}},
		{Line: 11, Var: "F", Ref: render.Ref{Slug: "sm", Key: "api-key"}},
	}
	if got := tmpl.Refs(); !slices.Equal(got, want) {
		t.Errorf("Refs():\n got  %+v\n want %+v", got, want)
	}
}

func TestRefString(t *testing.T) {
	tests := []struct {
		ref  render.Ref
		want string
	}{
		{render.Ref{Slug: "secretsmanager", Key: "DB"}, "{secretsmanager:DB}"},
		{render.Ref{Slug: "sm", Key: "DB", Field: "username"}, "{sm:DB.username}"},
	}
	for _, tt := range tests {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.ref, got, tt.want)
		}
		if got := tt.ref.Secret(); got != (render.Ref{Slug: tt.ref.Slug, Key: tt.ref.Key}) {
			t.Errorf("%+v.Secret() = %+v, want no Field", tt.ref, got)
		}
	}
}

// TestShorthand: {slug} names the secret like the variable only as the
// whole value, quoted or not; inside other text it is literal, and so is
// every brace that is no placeholder.
func TestShorthand(t *testing.T) {
	tests := []struct {
		src     string
		wantRef bool   // the value is the secret named like the variable
		want    string // else the literal value
	}{
		{"API_KEY={secretsmanager}", true, ""},
		{`API_KEY="{secretsmanager}"`, true, ""},
		{"API_KEY='{secretsmanager}'", true, ""},
		{"API_KEY={secretsmanager}   # note", true, ""},
		{"API_KEY=x{secretsmanager}", false, "x{secretsmanager}"},
		{"API_KEY={secretsmanager}x", false, "{secretsmanager}x"},
		{`API_KEY="{secretsmanager} "`, false, "{secretsmanager} "},
		{"API_KEY={secretsmanager}{secretsmanager}", false, "{secretsmanager}{secretsmanager}"},
		{"API_KEY=${HOME}{secretsmanager}", false, "/home/app{secretsmanager}"},
		{"API_KEY='${HOME}{secretsmanager}'", false, "${HOME}{secretsmanager}"},
		{`API_KEY={"a":1}`, false, `{"a":1}`},
		{`API_KEY='{"a":{"b":[1]}}'`, false, `{"a":{"b":[1]}}`},
		{"API_KEY={}", false, "{}"},
		{"API_KEY={secrets manager}", false, "{secrets manager}"},
		{"API_KEY={$HOME}", false, "{$HOME}"},
		{"API_KEY={{secretsmanager}}", false, "{{secretsmanager}}"},
		// keep takes attributes on the shorthand too (the PHP Keep's grammar has
		// them only after a PATH, so it leaves {vault|x} as text).
		{"API_KEY={secretsmanager|label=primary}", true, ""},
		{"API_KEY='{secretsmanager|a|b=c}'   # note", true, ""},
		{"API_KEY=x{secretsmanager|a}", false, "x{secretsmanager|a}"},
		{"API_KEY={{secretsmanager:API_KEY}}", false, "{ak_live_0123456789}"},
	}
	for _, tt := range tests {
		tmpl, err := render.ParseTemplate("t.env", tt.src)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tt.src, err)
			continue
		}
		refs := tmpl.Refs()
		vars, err := tmpl.Vars(testSecrets, render.MissingFail, lookupTestEnv)
		if err != nil {
			t.Errorf("Vars of %q: %v", tt.src, err)
			continue
		}
		if tt.wantRef {
			if len(refs) != 1 || refs[0].Ref.Secret() != sm("API_KEY") {
				t.Errorf("%q: Refs() = %+v, want {secretsmanager:API_KEY}", tt.src, refs)
			}
			tt.want = testSecrets[sm("API_KEY")].Value
		}
		if len(vars) != 1 || vars[0].Value != tt.want {
			t.Errorf("%q: Vars = %q, want API_KEY=%q", tt.src, vars, tt.want)
		}
	}
}

// TestShorthandInTextIsNotARef: a literal {slug} adds no Ref, so
// template:validate and the fetch never ask for it.
func TestShorthandInTextIsNotARef(t *testing.T) {
	tmpl := parse(t, "t.env", "A=x{secretsmanager}\nB=\"{ssm} and {ssm}\"\n")
	if refs := tmpl.Refs(); len(refs) != 0 {
		t.Errorf("Refs() = %+v, want none", refs)
	}
	if problems := tmpl.Check(nil); len(problems) != 0 {
		t.Errorf("Check(nil) = %v, want none", problems)
	}
}

func TestParseTemplateCRLF(t *testing.T) {
	lf := "A=1 # c\nB=\"x\ny\"\nC={sm:K}\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	t1 := parse(t, "t.env", lf)
	t2 := parse(t, "t.env", crlf)
	if len(t1.Lines) != len(t2.Lines) {
		t.Fatalf("CRLF: %d lines, LF: %d", len(t2.Lines), len(t1.Lines))
	}
	for i := range t1.Lines {
		if t1.Lines[i].Text != t2.Lines[i].Text || t1.Lines[i].Num != t2.Lines[i].Num {
			t.Errorf("line %d: CRLF %d %q, LF %d %q", i, t2.Lines[i].Num, t2.Lines[i].Text, t1.Lines[i].Num, t1.Lines[i].Text)
		}
	}
	// A lone CR is no line end: it stays in the value.
	t3 := parse(t, "t.env", "A=\"x\ry\"\n")
	vars, _ := t3.Vars(nil, render.MissingFail, nil)
	if len(vars) != 1 || vars[0].Value != "x\ry" {
		t.Errorf("Vars = %q, want A=\"x\\ry\"", vars)
	}
}

// TestDoubleQuoteEscapes: \n \r \" \\ \$ are escapes; any other backslash
// is kept; \$ is a literal $ that never expands.
func TestDoubleQuoteEscapes(t *testing.T) {
	tests := []struct{ src, want string }{
		{`"a\nb"`, "a\nb"},
		{`"a\rb"`, "a\rb"},
		{`"a\"b"`, `a"b`},
		{`"a\\b"`, `a\b`},
		{`"a\\nb"`, `a\nb`},
		{`"\\\""`, `\"`},
		{`"\$HOME"`, "$HOME"},
		{`"\${HOME}"`, "${HOME}"},
		{`"$\{HOME}"`, `$\{HOME}`},
		{`"\${HOME:-x}${HOME}"`, "${HOME:-x}/home/app"},
		{`"a\tb"`, `a\tb`},
		{`"a\'b"`, `a\'b`},
		{`"\x41"`, `\x41`},
		{`"trailing\\"`, `trailing\`},
		{`'single \n \\ \$'`, `single \n \\ \$`},
	}
	for _, tt := range tests {
		src := "A=" + tt.src
		tmpl, err := render.ParseTemplate("t.env", src)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", src, err)
			continue
		}
		vars, err := tmpl.Vars(nil, render.MissingFail, lookupTestEnv)
		if err != nil || len(vars) != 1 || vars[0].Value != tt.want {
			t.Errorf("%s: Vars = %q, %v; want %q", src, vars, err, tt.want)
		}
	}
}

// TestUnquotedValues: white space around an unquoted value goes, a # starts
// a comment only after white space, and quotes inside are literal.
func TestUnquotedValues(t *testing.T) {
	tests := []struct{ src, want, comment string }{
		{"A=value", "value", ""},
		{"A =  value  ", "value", ""},
		{"A=\tvalue\t", "value", ""},
		{"A=a b  c", "a b  c", ""},
		{"A=a#b", "a#b", ""},
		{"A=a #b", "a", " #b"},
		{"A=a\t\t# b", "a", "\t\t# b"},
		{"A=it's \"x\"", `it's "x"`, ""},
		{"A=x'y'", "x'y'", ""},
		{"A=a=b", "a=b", ""},
		{"A=", "", ""},
		{"A=   ", "", ""},
		{"  A=1", "1", ""},
	}
	for _, tt := range tests {
		tmpl, err := render.ParseTemplate("t.env", tt.src)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tt.src, err)
			continue
		}
		vars, err := tmpl.Vars(nil, render.MissingFail, nil)
		if err != nil || len(vars) != 1 || vars[0].Value != tt.want {
			t.Errorf("%q: Vars = %q, %v; want %q", tt.src, vars, err, tt.want)
		}
		if got := tmpl.Lines[0].Var.Comment; got != tt.comment {
			t.Errorf("%q: Comment = %q, want %q", tt.src, got, tt.comment)
		}
	}
}
