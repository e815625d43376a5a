package render

// Placed is what the placeholders of t put into the command's variables:
// one Var per distinct placeholder whose secret exists, named by the
// placeholder ({vault:KEY}) and holding the value it resolves to (a
// field's, for {vault:KEY.field}), in template order. Placeholders that do
// not resolve are left out; Vars and Render report them.
func (t *Template) Placed(secrets Secrets) []Var {
	var out []Var
	seen := map[Ref]bool{}
	for _, l := range t.Lines {
		if l.Var == nil {
			continue
		}
		for _, p := range l.Var.Parts {
			if p.Ref == nil || seen[*p.Ref] {
				continue
			}
			seen[*p.Ref] = true
			if v, ok, err := t.value(l, *p.Ref, secrets); ok && err == nil {
				out = append(out, Var{Name: p.Ref.String(), Value: v})
			}
		}
	}
	return out
}
