package render_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/render"
)

// The values in this file are synthetic, so failures may print them (%q),
// except where a test proves an error message never shows a value.

func TestParseMissing(t *testing.T) {
	for i, s := range []string{"fail", "skip", "blank", "remove"} {
		m, err := render.ParseMissing(s)
		if err != nil || m != render.Missing(i) {
			t.Errorf("ParseMissing(%q) = %v, %v; want %v", s, m, err, i)
		}
	}
	if render.MissingFail != 0 {
		t.Errorf("MissingFail = %d, want the zero value", render.MissingFail)
	}
	for _, s := range []string{"", "FAIL", "ignore", "skip "} {
		_, err := render.ParseMissing(s)
		if err == nil || !strings.Contains(err.Error(), "fail, skip, blank, remove") {
			t.Errorf("ParseMissing(%q) = %v, want an error listing the choices", s, err)
		}
	}
}

// TestMissing: each --missing policy in both modes, for a one-line and a
// multi-line variable, with another placeholder on the line that exists.
func TestMissing(t *testing.T) {
	src := "A=1\nGONE=x-{secretsmanager:MISSING}-{secretsmanager:API_KEY} # c\nM='{secretsmanager:MISSING}\nsecond line'\nZ=${GONE:-unset}\n"
	tests := []struct {
		missing  render.Missing
		wantVars []render.Var
		wantFile string
	}{
		{
			render.MissingSkip,
			[]render.Var{{"A", "1"}, {"GONE", "x-{secretsmanager:MISSING}-ak_live_0123456789"}, {"M", "{secretsmanager:MISSING}\nsecond line"}, {"Z", "x-{secretsmanager:MISSING}-ak_live_0123456789"}},
			// Found placeholders are replaced; a missing one keeps its text.
			"A=1\nGONE='x-{secretsmanager:MISSING}-ak_live_0123456789' # c\nM='{secretsmanager:MISSING}\nsecond line'\nZ=${GONE:-unset}\n",
		},
		{
			render.MissingBlank,
			[]render.Var{{"A", "1"}, {"GONE", "x--ak_live_0123456789"}, {"M", "\nsecond line"}, {"Z", "x--ak_live_0123456789"}},
			"A=1\nGONE='x--ak_live_0123456789' # c\nM='\nsecond line'\nZ=${GONE:-unset}\n",
		},
		{
			render.MissingRemove,
			[]render.Var{{"A", "1"}, {"Z", "unset"}},
			"A=1\n# GONE=x-{secretsmanager:MISSING}-{secretsmanager:API_KEY} # c\n# M='{secretsmanager:MISSING}\n# second line'\nZ=${GONE:-unset}\n",
		},
	}
	tmpl := parse(t, "t.env", src)
	for _, tt := range tests {
		name := render.MissingChoices[tt.missing]
		vars, err := tmpl.Vars(testSecrets, tt.missing, nil)
		if err != nil || !slices.Equal(vars, tt.wantVars) {
			t.Errorf("--missing=%s: Vars = %q, %v; want %q", name, vars, err, tt.wantVars)
		}
		file, _, err := tmpl.Render(testSecrets, tt.missing)
		if err != nil || string(file) != tt.wantFile {
			t.Errorf("--missing=%s: Render =\n%q, %v; want\n%q", name, file, err, tt.wantFile)
		}
		// A file with removed lines is still a template keep reads.
		if _, err := render.ParseTemplate("rendered", string(file)); err != nil {
			t.Errorf("--missing=%s: the rendered file does not parse: %v", name, err)
		}
	}
}

// TestMissingFail: the error names FILE:LINE and the secret's full name —
// or its key when it was never looked up — in both modes, and the first
// missing placeholder is the one reported.
func TestMissingFail(t *testing.T) {
	tests := []struct{ src, want string }{
		{"A=1\n\nB={secretsmanager:MISSING}\nC={legacy:MISSING}\n", "t.env:3: {secretsmanager:MISSING}: secret myapp/production/MISSING not found"},
		{"A='multi\nline'\nC={legacy:MISSING}\n", "t.env:3: {legacy:MISSING}: secret MISSING not found"},
		{"F={secretsmanager:MISSING.field}\n", `t.env:1: {secretsmanager:MISSING.field}: neither the secret myapp/production/MISSING.field nor the secret myapp/production/MISSING (for its field "field") found`},
		{"F={secretsmanager:path/to/MISSING}\n", "t.env:1: {secretsmanager:path/to/MISSING}: secret path/to/MISSING not found"},
		{"MISSING={secretsmanager}\n", "t.env:1: {secretsmanager:MISSING}: secret myapp/production/MISSING not found"},
		{"B=\"{secretsmanager:API_KEY}{other:KEY}\"\n", "t.env:1: {other:KEY}: secret KEY not found"},
	}
	for _, tt := range tests {
		tmpl := parse(t, "t.env", tt.src)
		_, verr := tmpl.Vars(testSecrets, render.MissingFail, nil)
		_, _, rerr := tmpl.Render(testSecrets, render.MissingFail)
		for mode, err := range map[string]error{"Vars": verr, "Render": rerr} {
			var te *render.TemplateError
			if !errors.As(err, &te) || err.Error() != tt.want || !strings.Contains(te.Hint(), "--missing") {
				t.Errorf("%s of %q: %v; want %q with a --missing hint", mode, tt.src, err, tt.want)
			}
		}
	}
}

// TestJSONFieldErrors: a field of a secret that is not a JSON object, or a
// field that is missing or not a string, number or boolean, is an error in
// Vars, Render and Check that names the secret's full name and the field
// but never the value.
func TestJSONFieldErrors(t *testing.T) {
	const secretValue = "hunter2-do-not-print"
	tests := []struct {
		name  string
		json  string // the secret's value; each contains secretValue
		field string
		want  string // the message after "t.env:2: {sm:CONF.<field>}: secret app/prod/CONF "
	}{
		{"plain text", secretValue, "user", "is not a JSON object"},
		{"array", `["` + secretValue + `"]`, "user", "is not a JSON object"},
		{"string", `"` + secretValue + `"`, "user", "is not a JSON object"},
		{"number", `42`, "user", "is not a JSON object"},
		{"null", `null`, "user", "is not a JSON object"},
		{"broken object", `{"user":"` + secretValue + `"`, "user", "is not a JSON object"},
		{"missing field", `{"password":"` + secretValue + `"}`, "user", `has no field "user"`},
		{"field case differs", `{"User":"` + secretValue + `"}`, "user", `has no field "user"`},
		{"array field", `{"user":["` + secretValue + `"]}`, "user", `field "user" is not a string, number or boolean`},
		{"object field", `{"user":{"name":"` + secretValue + `"}}`, "user", `field "user" is not a string, number or boolean`},
		{"null field", `{"user":null,"p":"` + secretValue + `"}`, "user", `field "user" is not a string, number or boolean`},
		{"nested path", `{"a":{"b":"` + secretValue + `"}}`, "a.b", `has no field "a.b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secrets := render.Secrets{{Slug: "sm", Key: "CONF"}: found("app/prod/CONF", tt.json)}
			placeholder := "{sm:CONF." + tt.field + "}"
			tmpl := parse(t, "t.env", "A=1\nX="+placeholder+"\n")
			want := "t.env:2: " + placeholder + ": secret app/prod/CONF " + tt.want
			_, verr := tmpl.Vars(secrets, render.MissingFail, nil)
			_, _, rerr := tmpl.Render(secrets, render.MissingFail)
			// A bad field is not a missing secret: every policy reports it.
			_, skipErr := tmpl.Vars(secrets, render.MissingSkip, nil)
			problems := tmpl.Check(secrets)
			var checkErr error
			if len(problems) > 0 {
				checkErr = problems
			}
			for mode, err := range map[string]error{"Vars": verr, "Render": rerr, "Vars --missing=skip": skipErr, "Check": checkErr} {
				if err == nil {
					t.Errorf("%s: no error, want %q", mode, want)
					continue
				}
				if strings.Contains(err.Error(), secretValue) {
					t.Errorf("%s: the error shows the secret's value (%d bytes of message)", mode, len(err.Error()))
					continue
				}
				var te *render.TemplateError
				if !errors.As(err, &te) || err.Error() != want || te.Hint() == "" {
					t.Errorf("%s: %v; want %q with a hint", mode, err, want)
				}
			}
		})
	}
}

func TestJSONFieldValues(t *testing.T) {
	secrets := render.Secrets{{Slug: "sm", Key: "J"}: found("app/J",
		`{"s":"x y","empty":"","n":-1.5e3,"t":true,"f":false,"u":"\u00e9\n","dup":1,"dup":2,"dot.ted":"d","q":"a\"b"}`)}
	tests := []struct{ field, want string }{
		{"s", "x y"},
		{"empty", ""},
		{"t", "true"},
		{"f", "false"},
		{"u", "é\n"},
		{"dup", "2"},
		{"dot.ted", "d"},
		{"q", `a"b`},
	}
	for _, tt := range tests {
		tmpl := parse(t, "t.env", "X={sm:J."+tt.field+"}")
		vars, err := tmpl.Vars(secrets, render.MissingFail, nil)
		if err != nil || len(vars) != 1 || vars[0].Value != tt.want {
			t.Errorf("field %q: Vars = %q, %v; want %q", tt.field, vars, err, tt.want)
		}
	}
	// Invalid JSON ("007") is not an object, whichever field is asked for.
	secrets[render.Ref{Slug: "sm", Key: "J"}] = found("app/J", `{"s":"x","i":007}`)
	tmpl, _ := render.ParseTemplate("t.env", "X={sm:J.s}")
	if _, err := tmpl.Vars(secrets, render.MissingFail, nil); err == nil || !strings.Contains(err.Error(), "is not a JSON object") {
		t.Errorf("a secret with invalid JSON: %v, want \"is not a JSON object\"", err)
	}
	// Numbers are kept as written.
	secrets[render.Ref{Slug: "sm", Key: "J"}] = found("app/J", `{"n":-1.5e3,"big":123456789012345678901234567890,"f":1.50}`)
	for field, want := range map[string]string{"n": "-1.5e3", "big": "123456789012345678901234567890", "f": "1.50"} {
		tmpl, _ := render.ParseTemplate("t.env", "X={sm:J."+field+"}")
		vars, err := tmpl.Vars(secrets, render.MissingFail, nil)
		if err != nil || len(vars) != 1 || vars[0].Value != want {
			t.Errorf("number field %q: Vars = %q, %v; want %q", field, vars, err, want)
		}
	}
}

// TestCheck lists every problem — missing secrets and bad fields — by
// FILE:LINE in line order, and none for a template that resolves.
func TestCheck(t *testing.T) {
	src := strings.Join([]string{
		"OK={secretsmanager:API_KEY}",            // 1
		"GONE={secretsmanager:MISSING}",          // 2
		"# {secretsmanager:IN_A_COMMENT}",        // 3
		"BAD_FIELD={secretsmanager:DB.nested}",   // 4
		"NO_FIELD={secretsmanager:DB.nope}",      // 5
		"NOT_JSON={secretsmanager:API_KEY.user}", // 6
		"TWO=\"{legacy:NOPE}{legacy:TOKEN}\"",    // 7
		"FIELD={secretsmanager:DB.username}",     // 8
	}, "\n")
	tmpl := parse(t, "env/prod.env", src)
	want := []string{
		"env/prod.env:2: {secretsmanager:MISSING}: secret myapp/production/MISSING not found",
		`env/prod.env:4: {secretsmanager:DB.nested}: secret myapp/production/DB field "nested" is not a string, number or boolean`,
		`env/prod.env:5: {secretsmanager:DB.nope}: secret myapp/production/DB has no field "nope"`,
		"env/prod.env:6: {secretsmanager:API_KEY.user}: secret myapp/production/API_KEY is not a JSON object",
		"env/prod.env:7: {legacy:NOPE}: secret NOPE not found",
	}
	var got []string
	for _, p := range tmpl.Check(testSecrets) {
		got = append(got, p.Error())
	}
	if !slices.Equal(got, want) {
		t.Errorf("Check:\n got  %q\n want %q", got, want)
	}

	ok := parse(t, "t.env", "A={secretsmanager:API_KEY}\nB={secretsmanager:DB.port}\nC=${A}\n")
	if problems := ok.Check(testSecrets); len(problems) != 0 {
		t.Errorf("Check of a template that resolves = %v, want none", problems)
	}
}

// TestSecretValuesNeverExpand: a secret's value is used byte for byte in
// both modes, whatever it holds, and what ${VAR} copies from it is not
// expanded again.
func TestSecretValuesNeverExpand(t *testing.T) {
	values := []string{"${HOME}", "$HOME", "${HOME:-x}", `\$`, `\n`, "a\nb", "  spaced  ", "#x", "'\"", "{secretsmanager:API_KEY}", "", "${A}"}
	for _, v := range values {
		secrets := render.Secrets{sm("S"): found("app/S", v)}
		tmpl := parse(t, "t.env", "A=${HOME}\nS={secretsmanager:S}\nQ=\"{secretsmanager:S}\"\nR='{secretsmanager:S}'\nCOPY=${S}\nCOPY_Q=\"<${S}>\"\n")
		vars, err := tmpl.Vars(secrets, render.MissingFail, lookupTestEnv)
		if err != nil {
			t.Fatal(err)
		}
		want := []render.Var{{"A", "/home/app"}, {"S", v}, {"Q", v}, {"R", v}, {"COPY", v}, {"COPY_Q", "<" + v + ">"}}
		if !slices.Equal(vars, want) {
			t.Errorf("secret %q: Vars = %q, want %q", v, vars, want)
		}
	}
}

// TestVarsInherited: inherited is only asked for names the template has
// not defined yet; nil means no inherited environment.
func TestVarsInherited(t *testing.T) {
	tmpl := parse(t, "t.env", "A=${X}\nX=template\nB=${X}\nC=${Y:-dflt}\n")
	var asked []string
	vars, err := tmpl.Vars(nil, render.MissingFail, func(name string) (string, bool) {
		asked = append(asked, name)
		if name == "X" {
			return "inherited", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []render.Var{{"A", "inherited"}, {"X", "template"}, {"B", "template"}, {"C", "dflt"}}
	if !slices.Equal(vars, want) {
		t.Errorf("Vars = %q, want %q", vars, want)
	}
	if !slices.Equal(asked, []string{"X", "Y"}) {
		t.Errorf("inherited was asked for %q, want [X Y]", asked)
	}
	vars, err = tmpl.Vars(nil, render.MissingFail, nil)
	if err != nil {
		t.Fatal(err)
	}
	if vars[0].Value != "" {
		t.Errorf("with no inherited environment, A = %q, want empty", vars[0].Value)
	}
}

// TestRenderKeepsLinesWithoutPlaceholders: in file mode, lines without a
// placeholder are written exactly as the template has them, ${VAR} and
// escapes included; lines with one are rewritten NAME=<quoted value>.
func TestRenderKeepsLinesWithoutPlaceholders(t *testing.T) {
	src := "  # indented comment\n\t\nexport  A = \"x\\n${HOME}\"   # c\nB='y'\nC=${A:-z}\n   D={secretsmanager:API_KEY}\t# t\n"
	tmpl := parse(t, "t.env", src)
	file, _, err := tmpl.Render(testSecrets, render.MissingFail)
	if err != nil {
		t.Fatal(err)
	}
	want := "  # indented comment\n\t\nexport  A = \"x\\n${HOME}\"   # c\nB='y'\nC=${A:-z}\nD='ak_live_0123456789'\t# t\n"
	if string(file) != want {
		t.Errorf("Render =\n%q\nwant\n%q", file, want)
	}
	// No final newline in the template: the file still ends with one.
	tmpl, _ = render.ParseTemplate("t.env", "A=1")
	if file, _, _ := tmpl.Render(nil, render.MissingFail); string(file) != "A=1\n" {
		t.Errorf("Render = %q, want \"A=1\\n\"", file)
	}
}

// TestRenderQuotesSecretValues: a placeholder line gets the form QuoteDotenv
// gives the whole resolved value, export and comment kept, and names it
// when that form is not portable. A value ending in a backslash is refused
// with the variable and its line named.
func TestRenderQuotesSecretValues(t *testing.T) {
	for _, tc := range quoteDotenvCases {
		secrets := render.Secrets{sm("S"): found("app/S", tc.value)}
		tmpl := parse(t, "t.env", "A=1\nexport S={secretsmanager}  # c\n")
		file, nonPortable, err := tmpl.Render(secrets, render.MissingFail)
		if strings.HasSuffix(tc.value, `\`) {
			var de *render.DotenvError
			if !errors.As(err, &de) || de.Name != "S" || !strings.HasPrefix(err.Error(), "t.env:2: S: ") || file != nil {
				t.Errorf("%s: Render = %q, %v; want a DotenvError for t.env:2 S", tc.name, file, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := "A=1\nexport S=" + tc.quoted + "  # c\n"; string(file) != want {
			t.Errorf("%s: Render = %q, want %q", tc.name, file, want)
		}
		if want := []string{"S"}; tc.portable && nonPortable != nil || !tc.portable && !slices.Equal(nonPortable, want) {
			t.Errorf("%s: Render names %q as not portable", tc.name, nonPortable)
		}
	}
}
