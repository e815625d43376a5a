package render_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/keep-run/keep/render"
)

// A byte order mark at the start of a template, as Windows editors write
// it, is ignored; anywhere else it is the text it is.
func TestParseTemplateIgnoresALeadingBOM(t *testing.T) {
	for _, src := range []string{"\ufeffA={sm:K}\nB=1\n", "\ufeffA={sm:K}\r\nB=1\r\n", "\ufeff# c\r\nA={sm:K}\nB=1"} {
		tmpl := parse(t, "bom.env", src)
		vars, err := tmpl.Vars(render.Secrets{{Slug: "sm", Key: "K"}: {Value: "v", Found: true}}, render.MissingFail, nil)
		if err != nil || len(vars) != 2 || vars[0] != (render.Var{Name: "A", Value: "v"}) || vars[1] != (render.Var{Name: "B", Value: "1"}) {
			t.Errorf("ParseTemplate(%q) gives %q, %v; want A=v B=1", src, vars, err)
		}
		if tmpl.Lines[0].Num != 1 {
			t.Errorf("ParseTemplate(%q): the first line is line %d", src, tmpl.Lines[0].Num)
		}
	}
	for _, src := range []string{"A=1\n\ufeffB=2\n", "\ufeff\ufeffA=1\n"} {
		if _, err := render.ParseTemplate("bom.env", src); err == nil {
			t.Errorf("ParseTemplate(%q) accepts a BOM that does not start the file", src)
		}
	}
}

func TestCheckValuesRefusesNUL(t *testing.T) {
	ok := []render.Var{{Name: "A", Value: ""}, {Name: "B", Value: "line\nbreak\r\t\x01\x7f"}}
	if err := render.CheckValues(ok); err != nil {
		t.Errorf("CheckValues(%q) = %v", ok, err)
	}
	bad := append(ok, render.Var{Name: "C", Value: "SENTINEL\x00after"})
	err := render.CheckValues(bad)
	var ne *render.NULError
	if !errors.As(err, &ne) || ne.Name != "C" || strings.Contains(err.Error()+ne.Hint(), "SENTINEL") {
		t.Errorf("CheckValues with a NUL in C = %v, want a *NULError naming C and no value", err)
	}
}

// A .env used as a template holds secrets: a syntax error names the line
// and the variable, never the text.
func TestParseErrorsQuoteNoText(t *testing.T) {
	for _, src := range []string{
		"PASSWORD='s3cr3t-sentinel'tail-sentinel\n",
		"KEY=-----BEGIN\nMIIsentinel-body\n",
		"s3cr3t-sentinel\n",
	} {
		_, err := render.ParseTemplate("prod.env", src)
		if err == nil {
			t.Fatalf("ParseTemplate(%q) parsed", src)
		}
		if strings.Contains(err.Error(), "sentinel") {
			t.Errorf("ParseTemplate error quotes the file's text: %v", err)
		}
	}
}
