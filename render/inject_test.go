package render_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/joho/godotenv"

	"github.com/keep-run/keep/render"
)

// The values here are synthetic, so failures may print them.

// A secret value must never add a variable to a rendered file (issue 18,
// point 2): whatever the values, every dotenv parser we can run reads from
// the file only variables it reads from the same template rendered with
// harmless values. The parsers: godotenv (the Go one, also the base of
// docker compose's), Node's dotenv (its line regex, restated below; Go's
// regexp picks the match a backtracking engine picks), and python-dotenv
// through python3 when it is importable.

// redTeam is the reproduction of issue 18: a value ending in \ made
// python-dotenv (and godotenv) read on into the next value, whose text
// became INJECTED=pwned.
var redTeam = []struct{ a, b string }{
	{`x\`, "\nINJECTED=pwned\n"},
	{`x\`, "\nINJECTED=pwned\n#"},
	{`it's "x" \`, "'\nINJECTED=pwned\n'"},
	{`\\`, "\"\nINJECTED=pwned\n\""},
	{`\`, " \nINJECTED=pwned # "},
}

const twoVars = "A={sm:A}\nB={sm:B}\nC=after\n"

func TestRenderNoInjection(t *testing.T) {
	tmpl, err := render.ParseTemplate("t.env", twoVars)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range redTeam {
		checkNoInjection(t, tmpl, tc.a, tc.b)
		checkEncodeNoInjection(t, tc.a, tc.b)
	}
}

// FuzzRenderNoInjection: for any template that parses and any two values
// (given to its secrets in turn), the rendered file holds no variable
// that the harmless rendering does not; the same for EncodeDotenv's lines
// (keep export). A refusal must be a DotenvError for a value that ends in
// a backslash.
func FuzzRenderNoInjection(f *testing.F) {
	for _, tc := range redTeam {
		f.Add(twoVars, tc.a, tc.b)
	}
	for _, src := range []string{
		"A='{sm:A}'\nB=\"{sm:B}\" # c\nexport C={sm:C}x\n",
		"A=\"pre{sm:A}\"\nB='{sm:B}post'\n",
		"A={sm:A.f}\nB={sm:B}\n",
	} {
		for _, v := range []string{"", "x", "it's \"x\" $y \\", "line1\r\nline2\n", "a\\'\nX=1\n'", "\\\"\nY=2\n\""} {
			f.Add(src, v, "\nZ=3\n")
		}
	}
	f.Fuzz(func(t *testing.T, src, a, b string) {
		tmpl, err := render.ParseTemplate("f.env", src)
		if err != nil {
			return
		}
		for _, r := range tmpl.Refs() {
			if !utf8.ValidString(r.Ref.Field) {
				return // no JSON object has such a field: nothing renders
			}
		}
		checkNoInjection(t, tmpl, a, b)
		checkEncodeNoInjection(t, a, b)
	})
}

// twoSecrets gives the secrets tmpl names the values a and b in turn (a
// JSON object of them for fields).
func twoSecrets(tmpl *render.Template, a, b string) render.Secrets {
	fields := map[render.Ref]map[string]string{}
	var order []render.Ref
	for _, r := range tmpl.Refs() {
		s := r.Ref.Secret()
		if fields[s] == nil {
			fields[s] = map[string]string{}
			order = append(order, s)
		}
		if r.Ref.Field != "" {
			fields[s][r.Ref.Field] = ""
		}
	}
	secrets := render.Secrets{}
	for i, s := range order {
		v := a
		if i%2 == 1 {
			v = b
		}
		if fs := fields[s]; len(fs) > 0 {
			for k := range fs {
				fs[k] = v
			}
			j, err := json.Marshal(fs)
			if err != nil {
				panic(err)
			}
			v = string(j)
		}
		secrets[s] = render.SecretValue{Name: "app/" + s.Key, Value: v, Found: true}
	}
	return secrets
}

func checkNoInjection(t *testing.T, tmpl *render.Template, a, b string) {
	t.Helper()
	harmless, _, err := tmpl.Render(twoSecrets(tmpl, "x", "y"), render.MissingFail)
	var de *render.DotenvError
	if err != nil {
		if !errors.As(err, &de) {
			t.Fatalf("Render with harmless values: %v", err)
		}
		return // the template's own text ends a value in a backslash
	}
	secrets := twoSecrets(tmpl, a, b)
	file, _, err := tmpl.Render(secrets, render.MissingFail)
	if err != nil {
		if !errors.As(err, &de) || !strings.HasSuffix(composed(tmpl, de.Name, secrets), `\`) {
			t.Fatalf("Render: %v, want a DotenvError only for a variable whose value ends in a backslash", err)
		}
		return
	}
	checkSameVariables(t, string(harmless), string(file))
}

// composed is the value the variable name gets in a rendered file: its
// literal text as parsed and its secrets' values (a field's for fields).
func composed(tmpl *render.Template, name string, secrets render.Secrets) string {
	var b strings.Builder
	for _, l := range tmpl.Lines {
		if l.Var == nil || l.Var.Name != name {
			continue
		}
		for _, p := range l.Var.Parts {
			if p.Ref == nil {
				b.WriteString(p.Text)
				continue
			}
			v := secrets[p.Ref.Secret()].Value
			if p.Ref.Field != "" {
				var obj map[string]string
				_ = json.Unmarshal([]byte(v), &obj)
				v = obj[p.Ref.Field]
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

func checkEncodeNoInjection(t *testing.T, a, b string) {
	t.Helper()
	file, _, err := render.EncodeDotenv([]render.Var{{Name: "A", Value: a}, {Name: "B", Value: b}, {Name: "C", Value: "after"}})
	if spills := strings.HasSuffix(a, `\`) || strings.HasSuffix(b, `\`); spills || err != nil {
		var de *render.DotenvError
		if !spills || !errors.As(err, &de) || file != nil {
			t.Fatalf("EncodeDotenv: %q, %v; a DotenvError exactly for a value ending in a backslash", file, err)
		}
		return
	}
	checkSameVariables(t, "A=x\nB=y\nC=after\n", string(file))
}

// checkSameVariables: no parser reads from file a variable it does not
// read from harmless.
func checkSameVariables(t *testing.T, harmless, file string) {
	t.Helper()
	for _, p := range parsers(t) {
		want, err := p.keys(harmless)
		if err != nil {
			continue // the parser rejects the template's own text
		}
		got, err := p.keys(file)
		if err != nil {
			continue // rejected whole: nothing is set
		}
		for _, k := range got {
			if !slices.Contains(want, k) {
				t.Fatalf("%s reads %s from the rendered file, which the template does not set:\n%q", p.name, k, file)
			}
		}
	}
}

type parser struct {
	name string
	keys func(src string) ([]string, error)
}

func parsers(t *testing.T) []parser {
	ps := []parser{{"godotenv", godotenvKeys}, {"Node's dotenv", nodeDotenvKeys}}
	if py := pythonDotenv(t); py != nil {
		ps = append(ps, parser{"python-dotenv", py.keys})
	}
	return ps
}

func godotenvKeys(src string) ([]string, error) {
	m, err := godotenv.Unmarshal(src)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// nodeLine is LINE of Node's dotenv (lib/main.js, v16), which parse runs
// over the file with its line ends normalised to LF.
var nodeLine = regexp.MustCompile("(?m)(?:^|^)\\s*(?:export\\s+)?([\\w.-]+)(?:\\s*=\\s*?|:\\s+?)(\\s*'(?:\\\\'|[^'])*'|\\s*\"(?:\\\\\"|[^\"])*\"|\\s*`(?:\\\\`|[^`])*`|[^#\\r\\n]+)?\\s*(?:#.*)?(?:$|$)")

func nodeDotenvKeys(src string) ([]string, error) {
	src = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(src)
	var keys []string
	for _, m := range nodeLine.FindAllStringSubmatch(src, -1) {
		if !slices.Contains(keys, m[1]) {
			keys = append(keys, m[1])
		}
	}
	sort.Strings(keys)
	return keys, nil
}

func TestNodeDotenvModel(t *testing.T) {
	for src, want := range map[string]string{
		"A=1\nB='x\ny'\n# c\nexport C=\"q\\\"\"\n": "A B C",
		"A='x\\'\nB='\nI=1\n'\n":                   "A I",
		"A: 1\n":                                   "A",
	} {
		if got, _ := nodeDotenvKeys(src); strings.Join(got, " ") != want {
			t.Errorf("nodeDotenvKeys(%q) = %q, want %q", src, got, want)
		}
	}
}

// python is a python3 process that parses files with python-dotenv
// (interpolation off, as keep's quoting assumes): one JSON string a line
// in, one JSON answer a line out.
type python struct {
	mu  sync.Mutex
	in  io.Writer
	out *bufio.Reader
}

var (
	pyOnce sync.Once
	py     *python
	pyWhy  string
)

const pyScript = `
import io, json, logging, sys
logging.disable(logging.CRITICAL)
from dotenv import dotenv_values
for line in sys.stdin:
    try:
        out = {"keys": sorted(dotenv_values(stream=io.StringIO(json.loads(line)), interpolate=False).keys())}
    except Exception as e:
        out = {"error": type(e).__name__}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
`

// pythonDotenv starts the python3 helper once, or returns nil (logged)
// when python3 or its dotenv module is missing: install python-dotenv to
// fuzz against it too.
func pythonDotenv(t *testing.T) *python {
	pyOnce.Do(func() {
		if err := exec.Command("python3", "-c", "import dotenv").Run(); err != nil {
			pyWhy = "python3 with python-dotenv not available (" + err.Error() + "): checked with godotenv and Node's dotenv only"
			return
		}
		cmd := exec.Command("python3", "-c", pyScript)
		cmd.Env = append(cmd.Environ(), "PYTHONIOENCODING=utf-8", "PYTHONUTF8=1")
		in, err := cmd.StdinPipe()
		if err != nil {
			pyWhy = err.Error()
			return
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			pyWhy = err.Error()
			return
		}
		if err := cmd.Start(); err != nil {
			pyWhy = err.Error()
			return
		}
		py = &python{in: in, out: bufio.NewReader(out)} // ends with the test binary
	})
	if py == nil {
		t.Log(pyWhy)
	}
	return py
}

func (p *python) keys(src string) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line, err := json.Marshal(src)
	if err != nil {
		return nil, err
	}
	if _, err := p.in.Write(append(line, '\n')); err != nil {
		return nil, err
	}
	answer, err := p.out.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	var r struct {
		Keys  []string
		Error string
	}
	if err := json.Unmarshal(answer, &r); err != nil {
		return nil, err
	}
	if r.Error != "" {
		return nil, errors.New(r.Error)
	}
	return r.Keys, nil
}

func TestPythonDotenvHelper(t *testing.T) {
	p := pythonDotenv(t)
	if p == nil {
		t.Skip(pyWhy)
	}
	got, err := p.keys("A='x\\'\nB='\nINJECTED=1\n'\n")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, "INJECTED") {
		t.Errorf("python-dotenv reads %q; the helper does not see the injection", got)
	}
}
