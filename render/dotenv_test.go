package render_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/joho/godotenv"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
)

// The values in this file are synthetic, so failures may print them (%q).

// quoteDotenvCases are values a secret may hold, with the form QuoteDotenv
// gives them and whether that form is portable.
var quoteDotenvCases = []struct {
	name     string
	value    string
	quoted   string
	portable bool
}{
	{"empty", "", `''`, true},
	{"plain", "s3cr3t", `'s3cr3t'`, true},
	{"space inside", "a b", `'a b'`, true},
	{"leading and trailing spaces", "  padded\t ", "'  padded\t '", true},
	{"only spaces", "   ", `'   '`, true},
	{"pem key", testPEM, "'" + testPEM + "'", true},
	{"pem key without final newline", strings.TrimSuffix(testPEM, "\n"), "'" + strings.TrimSuffix(testPEM, "\n") + "'", true},
	{"blank lines", "\n\na\n\n", "'\n\na\n\n'", true},
	{"newline then comment", "a\n# not a comment\nb", "'a\n# not a comment\nb'", true},
	{"newline then assignment", "a\nB=c\n", "'a\nB=c\n'", true},
	{"double quotes", `say "hi"`, `'say "hi"'`, true},
	{"only a double quote", `"`, `'"'`, true},
	{"dollar", "pa$$word", `'pa$$word'`, true},
	{"dollar brace", "${HOME}", `'${HOME}'`, true},
	{"dollar brace default", "${HOME:-/root}", `'${HOME:-/root}'`, true},
	{"dollar paren", "$(id)", `'$(id)'`, true},
	{"hash", "a #b", `'a #b'`, true},
	{"leading hash", "#a", `'#a'`, true},
	{"equals", "a=b==", `'a=b=='`, true},
	{"export word", "export X=1", `'export X=1'`, true},
	{"backslash inside", `C:\path\file`, `'C:\path\file'`, true},
	{"backslash n", `a\nb`, `'a\nb'`, true},
	{"backslash before quote char", `\"`, `'\"'`, true},
	{"unicode", "café ☕ 日本 😀", "'café ☕ 日本 😀'", true},
	{"tab", "a\tb", "'a\tb'", true},
	{"json", `{"a":1,"b":[true]}`, `'{"a":1,"b":[true]}'`, true},
	{"backtick", "a`b`", "'a`b`'", true},
	{"colon", "a: b", `'a: b'`, true},
	{"single quote", "it's", `"it's"`, true},
	{"only a single quote", "'", `"'"`, true},
	{"single quotes around", "'x'", `"'x'"`, true},
	{"single quote and newline", "it's\nmine", "\"it's\nmine\"", true},
	{"single quote and hash", "it's #1", `"it's #1"`, true},
	{"single quote and spaces", " it's ", `" it's "`, true},

	// Not portable: the documented classes.
	{"single and double quote", `it's "x"`, `"it's \"x\""`, false},
	{"single quote and dollar", "it's $5", `"it's \$5"`, false},
	{"single quote and dollar brace", "it's ${HOME}", `"it's \${HOME}"`, false},
	{"single quote and backslash", `it's C:\`, `"it's C:\\"`, false},
	{"backslash at the end", `C:\`, `'C:\'`, false},
	{"only a backslash", `\`, `'\'`, false},
	{"double backslash", `a\\b`, `'a\\b'`, false},
	{"carriage return", "a\rb", `"a\rb"`, false},
	{"crlf", "line1\r\nline2\r\n", "\"line1\\r\nline2\\r\n\"", false},
	{"carriage return at the end", "a\r", `"a\r"`, false},
	{"carriage return and single quote", "it's\r\n", "\"it's\\r\n\"", false},
}

// documentedNonPortable is QuoteDotenv's documented list of the values no
// single form suits every parser.
func documentedNonPortable(v string) bool {
	return strings.Contains(v, "'") && strings.ContainsAny(v, `"\$`) ||
		strings.Contains(v, "\r") ||
		strings.HasSuffix(v, `\`) ||
		strings.Contains(v, `\\`)
}

func TestQuoteDotenv(t *testing.T) {
	for _, tc := range quoteDotenvCases {
		t.Run(tc.name, func(t *testing.T) {
			quoted, portable := render.QuoteDotenv(tc.value)
			if quoted != tc.quoted || portable != tc.portable {
				t.Errorf("QuoteDotenv(%q) = %q, %v; want %q, %v", tc.value, quoted, portable, tc.quoted, tc.portable)
			}
			if want := !documentedNonPortable(tc.value); portable != want {
				t.Errorf("QuoteDotenv(%q): portable = %v, but the documented classes say %v", tc.value, portable, want)
			}
		})
	}
}

// TestQuoteDotenvGodotenv: every value QuoteDotenv calls portable reads
// back exactly with godotenv, the well-known Go dotenv parser, alone, after
// other lines, and with an inline comment.
func TestQuoteDotenvGodotenv(t *testing.T) {
	for _, tc := range quoteDotenvCases {
		quoted, portable := render.QuoteDotenv(tc.value)
		if !portable {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			for _, src := range []string{
				"K=" + quoted,
				"K=" + quoted + "\n",
				"# comment\nA=1\nexport K=" + quoted + "   # inline comment\nZ=2\n",
			} {
				got, err := godotenv.Unmarshal(src)
				if err != nil {
					t.Fatalf("godotenv.Unmarshal(%q): %v", src, err)
				}
				if got["K"] != tc.value {
					t.Errorf("godotenv.Unmarshal(%q)[K] = %q, want %q", src, got["K"], tc.value)
				}
			}
		})
	}
}

// TestQuoteDotenvGodotenvNonPortable: the classes called not portable are
// real — godotenv misreads the single-quoted form of a value ending in a
// backslash, and CR LF inside single quotes — and a carriage return is
// written as \r in double quotes, which godotenv (like keep) reads exactly.
func TestQuoteDotenvGodotenvNonPortable(t *testing.T) {
	for _, v := range []string{`C:\`, "a\r\nb"} {
		naive := "K='" + v + "'"
		if got, err := godotenv.Unmarshal(naive); err == nil && got["K"] == v {
			t.Errorf("godotenv reads %q back exactly: the class is portable after all", naive)
		}
	}
	for _, v := range []string{"a\r\nb", "a\rb\r", "\r\n", "x\r\ny\n"} {
		q, portable := render.QuoteDotenv(v)
		if portable {
			t.Errorf("QuoteDotenv(%q) is portable, want not", v)
		}
		got, err := godotenv.Unmarshal("K=" + q)
		if err != nil || got["K"] != v {
			t.Errorf("godotenv reads K=%s as %q, %v; want %q", q, got["K"], err, v)
		}
	}
}

// TestQuoteDotenvKeepReadsBack: keep's own template parser reads every
// quoted value back exactly, portable or not, alone and between lines.
func TestQuoteDotenvKeepReadsBack(t *testing.T) {
	for _, tc := range quoteDotenvCases {
		t.Run(tc.name, func(t *testing.T) {
			checkKeepReadsBack(t, tc.value)
		})
	}
}

// shapeRE and expansionShapeRE restate render's placeholder shape and
// the ${NAME} / ${NAME:-default} expansions that are exempt from it.
var (
	shapeRE          = regexp.MustCompile(`\{([A-Za-z0-9_-]+)(?::([^{}|]*))?((?:\|[^{}|]*)*)\}`)
	expansionShapeRE = regexp.MustCompile(`^\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$`)
)

// badPlaceholder reports whether s holds text that keep's parser takes for
// a placeholder with no valid PATH: an error in a template, so a value
// that holds one cannot be read back by keep (dotenv parsers read it
// fine). A placeholder with a valid PATH reads back as itself under
// MissingSkip.
func badPlaceholder(s string) bool {
	for _, m := range shapeRE.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > 0 && s[m[0]-1] == '$' && expansionShapeRE.MatchString(s[m[0]:m[1]]) {
			continue
		}
		if m[4] < 0 {
			continue // {slug}: literal inside text, the variable's own name as the whole value
		}
		body := s[m[4]:m[5]]
		k, f, dot := strings.Cut(body, ".")
		if !fetch.ValidPath(body) && !(dot && f != "" && fetch.ValidPath(k)) {
			return true
		}
	}
	return false
}

// checkKeepReadsBack renders value as K=<quoted> into a template, parses
// it, and resolves it with no secrets: placeholder-like text in the value
// stays as it is (MissingSkip) and nothing expands.
func checkKeepReadsBack(t *testing.T, value string) {
	t.Helper()
	quoted, _ := render.QuoteDotenv(value)
	for _, src := range []string{
		"K=" + quoted,
		"K=" + quoted + "\n",
		"# comment\nexport K=" + quoted + " # inline comment\nZ=${K}\n",
	} {
		tmpl, err := render.ParseTemplate("roundtrip.env", src)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", src, err)
			continue
		}
		vars, err := tmpl.Vars(nil, render.MissingSkip, nil)
		if err != nil {
			t.Errorf("Vars of %q: %v", src, err)
			continue
		}
		if len(vars) == 0 || vars[0].Name != "K" || vars[0].Value != value {
			t.Errorf("keep reads %q back as %q, want K=%q", src, vars, value)
		}
		if len(vars) == 2 && vars[1].Value != value {
			t.Errorf("keep expands ${K} of %q to %q, want %q", src, vars[1].Value, value)
		}
	}
}

// TestQuoteDotenvPlaceholderText: a value that looks like a placeholder is
// still read back by keep, unless it is one with no valid PATH, which
// keep's template syntax rejects (the rendered file is for dotenv readers;
// keep never reads it).
func TestQuoteDotenvPlaceholderText(t *testing.T) {
	for _, v := range []string{"{secretsmanager}", "{secretsmanager:KEY}", "x{a:B.c}y", `{"a":1}`, "{ssm:path/x|label=a}", "{a|b}", "${A:-x}"} {
		if badPlaceholder(v) {
			t.Errorf("badPlaceholder(%q) = true", v)
		}
		checkKeepReadsBack(t, v)
	}
	for _, v := range []string{"{ssm:/path/x}", "{a:}", "{a:b c}"} {
		if !badPlaceholder(v) {
			t.Errorf("badPlaceholder(%q) = false", v)
		}
		q, _ := render.QuoteDotenv(v)
		_, err := render.ParseTemplate("t.env", "K="+q)
		var te *render.TemplateError
		if !errors.As(err, &te) || !strings.Contains(te.Msg, "no valid secret PATH") {
			t.Errorf("ParseTemplate(K=%s) = %v, want the PATH error", q, err)
		}
	}
}
