package render

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/keep-run/keep/fetch"
)

// A template is a dotenv-style file whose values may hold placeholders for
// secrets, the format of the PHP Keep:
//
//	# comment
//	export APP_NAME=MyApplication
//	DB_PASSWORD={secretsmanager:DB_PASSWORD}
//	API_KEY="{secretsmanager:API_KEY}"   # quotes and inline comments are fine
//	STRIPE_KEY={secretsmanager}          # the secret named like the variable
//	MAIL_KEY={secretsmanager:MAIL_KEY|label=primary} # attributes are ignored
//	DB_USER={secretsmanager:DB.username} # a field of a JSON-object secret
//	DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/app
//
// A placeholder is {VAULT[:PATH][|ATTR…]}, the PHP Keep's grammar
// (src/Data/Template.php): VAULT is [A-Za-z0-9_-]+, PATH is
// [A-Za-z0-9_.-/]+ not starting with '/' (fetch.ValidPath), and the
// attribute blocks are accepted and ignored, as the PHP Keep ignores them.
// keep also takes placeholders inside a longer value, and {VAULT:KEY.field}
// for a field of a JSON-object secret. Anything of this shape is a
// placeholder, so a typo cannot reach the command as text: a PATH keep
// cannot read is an error, and a secret that does not exist is missing
// (see Missing). Only ${NAME} and ${NAME:-default}, which are expansions,
// are not placeholders.

// Template is a parsed template file.
type Template struct {
	File  string
	Lines []Line
}

// Line is one logical line: a blank line, a comment, or an assignment
// (which may span several physical lines inside quotes).
type Line struct {
	Num  int    // 1-based number of its first physical line
	Text string // as written, without the final newline
	// Var is the assignment, or nil for a blank line or a comment.
	Var *Assignment
}

// Assignment is NAME=VALUE.
type Assignment struct {
	Export bool
	Name   string
	Quote  byte // 0, '\'' or '"': how the value was written
	Parts  []Part
	// Comment is an inline comment after the value, with the white space
	// before it ("   # note"), or "".
	Comment string
}

// Part is a piece of a value: literal text, or a placeholder.
type Part struct {
	// Text is the literal text, unquoted and unescaped; for a placeholder,
	// its source form ("{secretsmanager:DB_PASSWORD}").
	Text string
	// Expand is set on literal text in which ${VAR} and ${VAR:-default} are
	// expanded in environment mode (unquoted and double-quoted values).
	Expand bool
	// Ref is the placeholder, or nil for literal text.
	Ref *Ref
}

// Ref is a placeholder: the secret KEY of the vault Slug, and optionally a
// Field of its JSON-object value.
//
// With a Field, {Slug:Key.Field} reads two ways: as the PHP Keep reads it,
// the secret named Key.Field (when that is a valid PATH: see Whole), and as
// keep's field of the secret Key. Whichever exists is the value; both at
// once are an error (see Template.Vars).
type Ref struct {
	Slug  string
	Key   string
	Field string
	// Attrs are the "|attr…" blocks as written ("|label=primary"), or "".
	// They are ignored, as the PHP Keep ignores them.
	Attrs string
}

// String is the placeholder's canonical form, without attributes.
func (r Ref) String() string {
	if r.Field != "" {
		return "{" + r.Slug + ":" + r.Key + "." + r.Field + "}"
	}
	return "{" + r.Slug + ":" + r.Key + "}"
}

// Secret is the secret a Ref reads as keep does: the same for every field.
func (r Ref) Secret() Ref { return Ref{Slug: r.Slug, Key: r.Key} }

// Whole is the secret the PHP Keep reads for a Ref with a Field: the one
// named Key.Field, if that is a valid PATH. ok is false without a Field.
func (r Ref) Whole() (whole Ref, ok bool) {
	if r.Field == "" || !fetch.ValidPath(r.Key+"."+r.Field) {
		return Ref{}, false
	}
	return Ref{Slug: r.Slug, Key: r.Key + "." + r.Field}, true
}

// Reads are the secrets r may read, to fetch by name: Secret(), and Whole()
// when there is one.
func (r Ref) Reads() []Ref {
	if whole, ok := r.Whole(); ok {
		return []Ref{r.Secret(), whole}
	}
	return []Ref{r.Secret()}
}

// TemplateError is a problem at a line of a template.
type TemplateError struct {
	File string
	Line int
	Msg  string
	Help string
}

func (e *TemplateError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Hint says what to do.
func (e *TemplateError) Hint() string { return e.Help }

// TemplateErrors are several problems, in line order.
type TemplateErrors []*TemplateError

func (es TemplateErrors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return fmt.Sprintf("%d problems:\n  %s", len(es), strings.Join(lines, "\n  "))
}

// Hint is the first problem's.
func (es TemplateErrors) Hint() string {
	if len(es) == 0 {
		return ""
	}
	return es[0].Hint()
}

// Unwrap gives errors.As access to each *TemplateError.
func (es TemplateErrors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

var (
	// placeholderRE is the shape of a placeholder: {slug}, {slug:BODY},
	// each with optional |attr blocks. checkRefs then requires a valid
	// PATH (or KEY.field) as BODY.
	placeholderRE = regexp.MustCompile(`\{([A-Za-z0-9_-]+)(?::([^{}|]*))?((?:\|[^{}|]*)*)\}`)
	// expansionRE is what follows the '$' of ${NAME} or ${NAME:-default}:
	// an expansion, never a placeholder.
	expansionRE = regexp.MustCompile(`^\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$`)
)

// ParseTemplate parses src, the contents of file. A UTF-8 byte order mark
// at the start, which Windows editors write, is ignored; lines may end in
// CR LF. Its error is a TemplateErrors listing every problem by file:line;
// no message quotes the file's text, which may hold a secret (a .env used
// as a template).
func ParseTemplate(file string, src string) (*Template, error) {
	return parsed(parse(file, src, true))
}

// CheckTemplate parses src as ParseTemplate does, for a checker: it
// returns the lines that parsed (blank lines, comments and every
// assignment without a problem) with every problem, so that the caller can
// check those lines further. Parsing resumes after a problem; a quoted
// value that is never closed is a problem of its first line only.
func CheckTemplate(file string, src string) (*Template, TemplateErrors) {
	return parse(file, src, true)
}

// ParseDotenv parses src, a .env file, as a template without placeholders:
// every brace is literal text, as the file's values are the user's own.
func ParseDotenv(file string, src string) (*Template, error) {
	return parsed(parse(file, src, false))
}

// parsed is t, or its problems if any.
func parsed(t *Template, problems TemplateErrors) (*Template, error) {
	if len(problems) > 0 {
		return nil, problems
	}
	return t, nil
}

// dotenvMode parses without placeholders.
type dotenvMode bool

func parse(file string, src string, placeholders bool) (*Template, TemplateErrors) {
	t := &Template{File: file}
	lit := dotenvMode(!placeholders)
	var problems TemplateErrors
	src = strings.TrimPrefix(src, "\ufeff")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	seen := map[string]int{}
	// One pass: each logical line is read once from where it starts, a
	// quoted value on across physical lines.
	for pos, num := 0, 1; pos < len(src); {
		n := strings.IndexByte(src[pos:], '\n')
		if n < 0 {
			n = len(src) - pos
		}
		if trimmed := strings.TrimSpace(src[pos : pos+n]); trimmed == "" || strings.HasPrefix(trimmed, "#") {
			t.Lines = append(t.Lines, Line{Num: num, Text: src[pos : pos+n]})
			pos, num = pos+n+1, num+1
			continue
		}
		a, m, err := lit.parseAssignment(src[pos:])
		// A value never closed is the problem of its first line only; the
		// lines after it are read again, as lines of their own. That stays
		// linear: the failed scan found no closing quote in the rest of
		// the file, so no later value opened with that quote reads far.
		if err != errUnterminated && m > 0 {
			n = m
		}
		text := src[pos : pos+n]
		switch {
		case err == errUnterminated:
			problems = append(problems, &TemplateError{File: file, Line: num, Msg: err.Error(), Help: "close the quote; a quoted value may span lines"})
		case err != nil:
			problems = append(problems, &TemplateError{File: file, Line: num, Msg: err.Error(), Help: "lines are NAME=VALUE, optionally quoted, # comments"})
		case seen[a.Name] != 0:
			problems = append(problems, &TemplateError{File: file, Line: num, Msg: fmt.Sprintf("%s is already set at line %d", a.Name, seen[a.Name]), Help: "set each variable once"})
		default:
			seen[a.Name] = num
			if err := checkRefs(a); err != nil {
				problems = append(problems, &TemplateError{File: file, Line: num, Msg: err.Error(), Help: "placeholders are {vault}, {vault:PATH} or {vault:KEY.field}, optionally with |attr blocks; a PATH is letters, digits, '_', '-', '.' and '/', not starting or ending with '/'"})
			}
			t.Lines = append(t.Lines, Line{Num: num, Text: text, Var: a})
		}
		pos, num = pos+n+1, num+strings.Count(text, "\n")+1
	}
	return t, problems
}

var errUnterminated = fmt.Errorf("unterminated quoted value")

// parseAssignment reads the assignment at the start of src, the rest of
// the file. n is the length of its logical line, without the final
// newline: a quoted value may span physical lines. n is 0 when only the
// first physical line was read (an error before the value).
func (lit dotenvMode) parseAssignment(src string) (a *Assignment, n int, err error) {
	a = &Assignment{}
	s := strings.TrimLeft(src, " \t")
	if rest, ok := strings.CutPrefix(s, "export "); ok {
		a.Export, s = true, strings.TrimLeft(rest, " \t")
	}
	a.Name = varName(s)
	if a.Name == "" {
		return nil, 0, fmt.Errorf("expected a variable name (letters, digits, '_') at the start of the line")
	}
	s = strings.TrimLeft(s[len(a.Name):], " \t")
	if !strings.HasPrefix(s, "=") {
		return nil, 0, fmt.Errorf("expected = after the variable name")
	}
	s = strings.TrimLeft(s[1:], " \t")
	// lineEnd is n for a logical line that ends where tail's first physical
	// line does (tail: a suffix of src), and that line.
	lineEnd := func(tail string) (int, string) {
		line, _, _ := strings.Cut(tail, "\n")
		return len(src) - len(tail) + len(line), line
	}
	var rest string
	switch {
	case strings.HasPrefix(s, "'"):
		end := strings.IndexByte(s[1:], '\'')
		if end < 0 {
			return nil, 0, errUnterminated
		}
		a.Quote = '\''
		a.Parts = lit.splitRefs(s[1:1+end], false, false)
		n, rest = lineEnd(s[2+end:])
	case strings.HasPrefix(s, `"`):
		parts, m, err := lit.parseDoubleQuoted(s[1:])
		if err != nil {
			return nil, 0, err
		}
		a.Quote, a.Parts = '"', parts
		n, rest = lineEnd(s[1+m:])
	default:
		n, s = lineEnd(s)
		value := s
		if i := inlineComment(s); i >= 0 {
			value, rest = s[:i], s[i:]
		}
		// A value that is one placeholder may have its comment right after
		// the brace, as in the PHP Keep's grammar: X={vault:KEY}#note.
		if m := placeholderRE.FindStringIndex(value); m != nil && m[0] == 0 && strings.HasPrefix(value[m[1]:], "#") {
			value, rest = s[:m[1]], s[m[1]:]
		}
		a.Parts = lit.splitRefs(strings.TrimRight(value, " \t"), true, false)
		return a, n, finishComment(a, rest, true)
	}
	return a, n, finishComment(a, rest, false)
}

// varName is the variable name at the start of s ([A-Za-z_][A-Za-z0-9_]*),
// or "".
func varName(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return s[:i]
		}
	}
	return s
}

// finishComment checks what follows a value: nothing, or white space and
// a # comment (unquoted values keep the comment's leading space in rest).
func finishComment(a *Assignment, rest string, unquoted bool) error {
	trimmed := strings.TrimLeft(rest, " \t")
	switch {
	case trimmed == "":
		return nil
	case strings.HasPrefix(trimmed, "#") && (unquoted || trimmed != rest || onePlaceholder(a)):
		a.Comment = rest
		if trimmed == rest {
			// Rendered, the value is no placeholder any more: a space keeps
			// the # a comment for every dotenv parser.
			a.Comment = " " + rest
		}
		return nil
	}
	return fmt.Errorf("unexpected text after the closing quote of %s's value", a.Name)
}

// onePlaceholder reports whether a's value is one placeholder and nothing
// else: the PHP Keep's grammar then takes a # right after the closing
// quote ("{vault:KEY}"#note) as a comment.
func onePlaceholder(a *Assignment) bool {
	return len(a.Parts) == 1 && a.Parts[0].Ref != nil
}

// inlineComment is the index of " #" (any white space before #) in an
// unquoted value, or -1.
func inlineComment(s string) int {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			j := i - 1
			for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
				j--
			}
			return j
		}
	}
	return -1
}

// parseDoubleQuoted reads a double-quoted value after its opening quote,
// interpreting \n, \r, \", \\ and \$ (a literal $, never expanded); other
// backslashes are kept. It returns the parts and the number of bytes read,
// closing quote included.
func (lit dotenvMode) parseDoubleQuoted(s string) ([]Part, int, error) {
	var parts []Part
	var b strings.Builder
	afterDollar := false // b starts right after a \$
	flush := func(expand bool) {
		if b.Len() > 0 {
			parts = append(parts, lit.splitRefs(b.String(), expand, afterDollar)...)
			b.Reset()
			afterDollar = false
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			flush(true)
			return mergeText(parts), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case '"', '\\':
				b.WriteByte(s[i])
			case '$':
				flush(true)
				parts = append(parts, Part{Text: "$"})
				afterDollar = true
			default:
				b.WriteByte('\\')
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return nil, 0, errUnterminated
}

// splitRefs splits literal text into text and placeholder parts. A brace
// right after a '$' (dollar: s itself follows one) that reads as ${NAME}
// or ${NAME:-default} is an expansion, not a placeholder.
func (lit dotenvMode) splitRefs(s string, expand, dollar bool) []Part {
	if lit {
		return []Part{{Text: s, Expand: expand}}
	}
	var parts []Part
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(s, -1) {
		text := s[m[0]:m[1]]
		if (m[0] > 0 && s[m[0]-1] == '$' || m[0] == 0 && dollar) && expansionRE.MatchString(text) {
			continue
		}
		if m[0] > last {
			parts = append(parts, Part{Text: s[last:m[0]], Expand: expand})
		}
		ref := &Ref{Slug: s[m[2]:m[3]], Attrs: s[m[6]:m[7]]}
		if m[4] >= 0 {
			ref.Key, ref.Field = splitPath(s[m[4]:m[5]])
		}
		parts = append(parts, Part{Text: text, Ref: ref})
		last = m[1]
	}
	if last < len(s) || len(parts) == 0 {
		parts = append(parts, Part{Text: s[last:], Expand: expand})
	}
	return parts
}

// splitPath reads a placeholder's BODY: KEY.field when the part before the
// first '.' is a PATH and a field follows (keep's reading; Ref.Whole is
// the PHP Keep's), else the whole BODY as the KEY, valid or not.
func splitPath(body string) (key, field string) {
	if k, f, ok := strings.Cut(body, "."); ok && f != "" && fetch.ValidPath(k) {
		return k, f
	}
	return body, ""
}

// mergeText joins neighbouring literal parts with the same Expand.
func mergeText(parts []Part) []Part {
	var out []Part
	for _, p := range parts {
		if n := len(out); n > 0 && p.Ref == nil && out[n-1].Ref == nil && out[n-1].Expand == p.Expand {
			out[n-1].Text += p.Text
			continue
		}
		out = append(out, p)
	}
	return out
}

// checkRefs validates the placeholders of a. The shorthand {slug} (with
// or without attributes) stands for the secret named like the variable,
// and only as the whole value, as in the PHP Keep; inside other text it is
// literal, like any brace that is no placeholder. A placeholder whose PATH
// keep cannot read is an error.
func checkRefs(a *Assignment) error {
	for i := range a.Parts {
		p := &a.Parts[i]
		if p.Ref == nil {
			continue
		}
		if shorthand := p.Text[1+len(p.Ref.Slug)] != ':'; shorthand {
			if len(a.Parts) != 1 {
				*p = Part{Text: p.Text, Expand: a.Quote != '\''}
				continue
			}
			p.Ref.Key = a.Name
		}
		if !fetch.ValidPath(p.Ref.Key) {
			// The PATH is not quoted: it could be a secret's text in a
			// file that was never meant as a template.
			return fmt.Errorf("%s: a {%s:…} placeholder with no valid secret PATH", a.Name, p.Ref.Slug)
		}
	}
	a.Parts = mergeText(a.Parts)
	return nil
}

// Refs returns the placeholders of t in order, with their line numbers.
func (t *Template) Refs() []LineRef {
	var refs []LineRef
	for _, l := range t.Lines {
		if l.Var == nil {
			continue
		}
		for _, p := range l.Var.Parts {
			if p.Ref != nil {
				refs = append(refs, LineRef{Line: l.Num, Var: l.Var.Name, Ref: *p.Ref})
			}
		}
	}
	return refs
}

// LineRef is a placeholder and where it is.
type LineRef struct {
	Line int
	Var  string
	Ref  Ref
}
