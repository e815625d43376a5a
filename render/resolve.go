package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Missing says what happens to a placeholder whose secret does not exist.
type Missing int

const (
	MissingFail   Missing = iota // stop with an error naming FILE:LINE and the secret
	MissingSkip                  // leave the placeholder text as it is
	MissingBlank                 // use an empty value
	MissingRemove                // drop the variable (comment the line out in a file)
)

// MissingChoices are the names ParseMissing accepts, in order.
var MissingChoices = []string{"fail", "skip", "blank", "remove"}

// ParseMissing reads a --missing value.
func ParseMissing(s string) (Missing, error) {
	for i, c := range MissingChoices {
		if s == c {
			return Missing(i), nil
		}
	}
	return 0, fmt.Errorf("--missing=%s: want one of %s", s, strings.Join(MissingChoices, ", "))
}

// Secrets are what the template's secrets resolved to, by Ref.Secret().
type Secrets map[Ref]SecretValue

// SecretValue is one secret a template names.
type SecretValue struct {
	Name  string // full Secrets Manager name, for messages
	Value string
	Found bool // false: the secret does not exist
}

// Var is a variable for the child.
type Var struct {
	Name  string
	Value string
}

var expandRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}`)

// Vars resolves t for the child's environment: placeholders become secret
// values (never expanded or altered); ${VAR} and ${VAR:-default} in
// unquoted and double-quoted literal text expand from the template's
// earlier variables, then from inherited (nil for none), as a dotenv
// loader would. Variables come in template order.
func (t *Template) Vars(secrets Secrets, missing Missing, inherited func(string) (string, bool)) ([]Var, error) {
	var vars []Var
	defined := map[string]string{}
	lookup := func(name string) (string, bool) {
		if v, ok := defined[name]; ok {
			return v, true
		}
		if inherited != nil {
			return inherited(name)
		}
		return "", false
	}
	for _, l := range t.Lines {
		if l.Var == nil {
			continue
		}
		value, _, drop, err := t.assign(l, secrets, missing, func(p Part) string {
			if p.Expand {
				return expand(p.Text, lookup)
			}
			return p.Text
		})
		if err != nil {
			return nil, err
		}
		if drop {
			continue
		}
		defined[l.Var.Name] = value
		vars = append(vars, Var{Name: l.Var.Name, Value: value})
	}
	return vars, nil
}

// assign resolves the value of the assignment on l: placeholders become
// their secrets' values, literal parts what literal makes of them. found
// counts the placeholders whose secret exists; drop is set when one is
// missing under MissingRemove; a missing one under MissingFail is an
// error, under MissingSkip it keeps its text, under MissingBlank it is
// empty.
func (t *Template) assign(l Line, secrets Secrets, missing Missing, literal func(Part) string) (value string, found int, drop bool, err error) {
	var b strings.Builder
	for _, p := range l.Var.Parts {
		if p.Ref == nil {
			b.WriteString(literal(p))
			continue
		}
		v, ok, err := t.value(l, *p.Ref, secrets)
		if err != nil {
			return "", 0, false, err
		}
		if ok {
			found++
		} else {
			switch missing {
			case MissingFail:
				return "", 0, false, t.missingError(l, *p.Ref, secrets)
			case MissingSkip:
				v = p.Text
			case MissingRemove:
				drop = true
			}
		}
		b.WriteString(v)
	}
	return b.String(), found, drop, nil
}

func expand(s string, lookup func(string) (string, bool)) string {
	return expandRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := expandRE.FindStringSubmatch(m)
		if v, ok := lookup(sub[1]); ok && (v != "" || !strings.Contains(m, ":-")) {
			return v
		}
		return sub[2]
	})
}

// Render resolves t for a file: lines are written as the template has
// them, except that an assignment with placeholders gets its resolved
// value, quoted so that dotenv parsers read back the exact bytes (see
// QuoteDotenv). ${VAR} on a line without placeholders is left for the
// reader of the file to expand; on a line with one, the whole value is
// quoted literally, so set composed values on lines of their own
// (DATABASE_URL=postgresql://app:${DB_PASSWORD}@db). With MissingSkip a
// placeholder whose secret is missing keeps its text; a line with no
// secret found at all is written as it was.
//
// nonPortable names the variables written in a form that not every
// dotenv parser reads back exactly (see QuoteDotenv), for a warning. A
// value that would spill into other variables (see Contained) is a
// *DotenvError naming the variable and its line.
func (t *Template) Render(secrets Secrets, missing Missing) (data []byte, nonPortable []string, err error) {
	var out bytes.Buffer
	for _, l := range t.Lines {
		if l.Var == nil || !hasRef(l.Var) {
			out.WriteString(l.Text + "\n")
			continue
		}
		value, found, drop, err := t.assign(l, secrets, missing, func(p Part) string { return p.Text })
		if err != nil {
			return nil, nil, err
		}
		switch {
		case drop:
			for _, text := range strings.Split(l.Text, "\n") {
				out.WriteString("# " + text + "\n")
			}
		case missing == MissingSkip && found == 0:
			out.WriteString(l.Text + "\n")
		default:
			if l.Var.Export {
				out.WriteString("export ")
			}
			if !Contained(value) {
				return nil, nil, &DotenvError{Name: l.Var.Name, At: fmt.Sprintf("%s:%d: ", t.File, l.Num)}
			}
			q, portable := QuoteDotenv(value)
			if !portable {
				nonPortable = append(nonPortable, l.Var.Name)
			}
			out.WriteString(l.Var.Name + "=" + q + l.Var.Comment + "\n")
		}
	}
	return out.Bytes(), nonPortable, nil
}

func hasRef(a *Assignment) bool {
	for _, p := range a.Parts {
		if p.Ref != nil {
			return true
		}
	}
	return false
}

// value is what ref resolves to, and whether its secret exists. A ref
// with a Field reads the secret named Key.Field (ref.Whole, the PHP Keep's
// reading) or the Field of the JSON-object secret Key (keep's): whichever
// exists; both at once is an error, since the template is then ambiguous.
// For keep's reading, a secret Key that is not a JSON object, or whose
// field is missing or not a string, number or boolean, is an error naming
// the secret and the field — unless the whole reading exists.
func (t *Template) value(l Line, ref Ref, secrets Secrets) (string, bool, error) {
	sv := secrets[ref.Secret()]
	if ref.Field == "" {
		return sv.Value, sv.Found, nil
	}
	var whole SecretValue
	if w, ok := ref.Whole(); ok {
		whole = secrets[w]
	}
	if !sv.Found {
		return whole.Value, whole.Found, nil
	}
	v, err := t.field(l, ref, sv.Value, secrets)
	switch {
	case whole.Found && err == nil:
		w, _ := ref.Whole()
		return "", true, &TemplateError{File: t.File, Line: l.Num,
			Msg: fmt.Sprintf("%s is ambiguous: both the secret %s and field %q of the secret %s exist",
				ref, secretName(w, secrets), ref.Field, secretName(ref, secrets)),
			Help: "rename or delete one of them"}
	case whole.Found:
		return whole.Value, true, nil
	}
	return v, true, err
}

// field is ref.Field of value, the JSON object of the secret ref.Secret().
func (t *Template) field(l Line, ref Ref, value string, secrets Secrets) (string, error) {
	fail := func(what string) error {
		return &TemplateError{File: t.File, Line: l.Num,
			Msg:  fmt.Sprintf("%s: secret %s %s", ref, secretName(ref, secrets), what),
			Help: "a {vault:KEY.field} placeholder needs a JSON-object secret whose field is a string, number or boolean"}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(value), &obj); err != nil || obj == nil {
		return "", fail("is not a JSON object")
	}
	raw, ok := obj[ref.Field]
	if !ok {
		return "", fail(fmt.Sprintf("has no field %q", ref.Field))
	}
	var field any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&field); err != nil {
		return "", fail(fmt.Sprintf("has an unreadable field %q", ref.Field))
	}
	switch f := field.(type) {
	case string:
		return f, nil
	case json.Number:
		return f.String(), nil
	case bool:
		return fmt.Sprint(f), nil
	}
	return "", fail(fmt.Sprintf("field %q is not a string, number or boolean", ref.Field))
}

func secretName(ref Ref, secrets Secrets) string {
	if name := secrets[ref.Secret()].Name; name != "" {
		return name
	}
	return ref.Key
}

func (t *Template) missingError(l Line, ref Ref, secrets Secrets) error {
	what := "secret " + secretName(ref, secrets) + " not found"
	if w, ok := ref.Whole(); ok {
		what = fmt.Sprintf("neither the secret %s nor the secret %s (for its field %q) found", secretName(w, secrets), secretName(ref, secrets), ref.Field)
	}
	return &TemplateError{File: t.File, Line: l.Num,
		Msg:  fmt.Sprintf("%s: %s", ref, what),
		Help: "create it, fix the placeholder, or choose what to do with --missing=skip|blank|remove"}
}

// Check reports every placeholder that does not resolve with secrets —
// missing secrets, bad JSON fields — by line, for template:validate.
func (t *Template) Check(secrets Secrets) TemplateErrors {
	var problems TemplateErrors
	for _, l := range t.Lines {
		if l.Var == nil {
			continue
		}
		for _, p := range l.Var.Parts {
			if p.Ref == nil {
				continue
			}
			_, found, err := t.value(l, *p.Ref, secrets)
			if err == nil && !found {
				err = t.missingError(l, *p.Ref, secrets)
			}
			var te *TemplateError
			switch {
			case errors.As(err, &te):
				problems = append(problems, te)
			case err != nil: // no such error today; never its text, which could quote a value
				problems = append(problems, &TemplateError{File: t.File, Line: l.Num, Msg: fmt.Sprintf("%s cannot be resolved", p.Ref)})
			}
		}
	}
	return problems
}
