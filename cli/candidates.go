package cli

import (
	"slices"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/keep-run/keep/config"
)

// projectValues are the dynamic completion candidates that come from the
// project's .keep/ files.
type projectValues struct {
	Namespace string
	Envs      []string // settings' envs
	Vaults    []string // vault slugs
}

// Directives: candidates' whole answer when the shell, not keep, has the
// candidates. No candidate starts with ':'. With no answer at all, the
// shell completes file names.
const (
	completeCommands = ":commands" // the shell's command names: keep run -- printe<Tab>
	completeNothing  = ":none"     // nothing, not even file names: keep get <Tab>
)

// candidates returns what may complete the last of words, the words typed
// after "keep" (the last one partial, possibly empty): commands and flags
// from the kong model, enum values, and env names, vault slugs and
// vault:env contexts from pv. The command keep run starts gets the
// completeCommands directive, its arguments nothing (the shell completes
// files); a secret's KEY or value gets completeNothing (listing the KEYs
// would call AWS on every Tab).
func candidates(app *kong.Node, words []string, pv projectValues) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur := words[len(words)-1]
	node := app
	var valueOf *kong.Flag // the flag whose value the next word is
	positional := 0        // index of the next positional argument of node
	for i, w := range words[:len(words)-1] {
		switch {
		case valueOf != nil:
			valueOf = nil
		case w == "--":
			if i == len(words)-2 && hasPassthrough(node) && !strings.HasPrefix(cur, "-") {
				return []string{completeCommands}
			}
			return nil
		case strings.HasPrefix(w, "--"):
			if f := findFlag(node, strings.TrimPrefix(w, "--")); f != nil && takesValue(f) {
				valueOf = f
			}
		case strings.HasPrefix(w, "-") && len(w) > 1:
			// -vn, -o PATH: a short flag with a value takes the next word
			// unless the value is glued on (-oPATH).
			for i, r := range w[1:] {
				if f := findShort(node, r); f != nil && takesValue(f) {
					if i == len(w)-2 {
						valueOf = f
					}
					break
				}
			}
		default:
			if child := findChild(node, w); child != nil {
				node, positional = child, 0
				continue
			}
			if positional < len(node.Positional) && isPassthrough(node.Positional[positional]) {
				return nil // the command keep run starts, and its arguments
			}
			positional++
		}
	}

	if valueOf != nil {
		return flagValues(valueOf, cur, pv)
	}
	if name, value, ok := strings.Cut(cur, "="); ok && strings.HasPrefix(name, "--") {
		f := findFlag(node, strings.TrimPrefix(name, "--"))
		if f == nil {
			return nil
		}
		var out []string
		for _, v := range flagValues(f, value, pv) {
			out = append(out, name+"="+v)
		}
		return out
	}
	if strings.HasPrefix(cur, "-") {
		var out []string
		for _, group := range node.AllFlags(true) {
			for _, f := range group {
				name := "--" + f.Name
				if takesValue(f) {
					name += "="
				}
				if strings.HasPrefix(name, cur) {
					out = append(out, name)
				}
			}
		}
		return out
	}
	var out []string
	for _, c := range node.Children {
		if c.Hidden || c.Type != kong.CommandNode {
			continue
		}
		for _, name := range append([]string{c.Name}, c.Aliases...) {
			if strings.HasPrefix(name, cur) {
				out = append(out, name)
			}
		}
	}
	if len(out) > 0 || len(node.Children) > 0 {
		return out
	}
	if positional < len(node.Positional) {
		p := node.Positional[positional]
		var values []string
		switch {
		case isPassthrough(p) && !strings.HasPrefix(cur, "-"):
			return []string{completeCommands}
		case isPassthrough(p):
			return nil
		case p.Enum != "":
			values = p.EnumSlice()
		case p.Name == "slug": // vault:delete SLUG, vault:edit SLUG
			values = pv.Vaults
		case p.Name == "key" || p.Name == "value" || p.Name == "old" || p.Name == "new" || p.Name == "query":
			return []string{completeNothing} // a secret's KEY or a value: no file names
		case p.Name == "command": // keep help COMMAND
			for _, c := range app.Children {
				if !c.Hidden && c.Type == kong.CommandNode {
					values = append(values, c.Name)
				}
			}
		case node.Name == "env:remove":
			values = pv.Envs
		}
		return withPrefix(values, cur)
	}
	return nil
}

// hasPassthrough reports whether node's arguments end in a command to run.
func hasPassthrough(node *kong.Node) bool {
	for _, p := range node.Positional {
		if isPassthrough(p) {
			return true
		}
	}
	return false
}

// flagValues completes the value of f, given its part typed so far. Lists
// (--env=staging,prod) complete their last item.
func flagValues(f *kong.Flag, typed string, pv projectValues) []string {
	var values []string
	list := false
	switch {
	case f.Enum != "":
		values = f.EnumSlice()
	case f.Name == "env":
		values, list = pv.Envs, true
	case f.Name == "vault":
		values, list = pv.Vaults, true
	case f.Name == "namespace" && pv.Namespace != "":
		values = []string{pv.Namespace}
	case f.Name == "from" || f.Name == "to":
		values = slices.Clone(pv.Envs)
		for _, slug := range pv.Vaults {
			for _, env := range pv.Envs {
				values = append(values, slug+":"+env)
			}
		}
	}
	if !list {
		return withPrefix(values, typed)
	}
	i := strings.LastIndex(typed, ",") + 1
	head, last := typed[:i], typed[i:]
	done := strings.Split(head, ",")
	var out []string
	for _, v := range withPrefix(values, last) {
		if !slices.Contains(done, v) {
			out = append(out, head+v)
		}
	}
	return out
}

func withPrefix(values []string, prefix string) []string {
	var out []string
	for _, v := range values {
		if strings.HasPrefix(v, prefix) {
			out = append(out, v)
		}
	}
	return out
}

// findFlag finds a long flag by name (or alias) on node or its parents.
func findFlag(node *kong.Node, name string) *kong.Flag {
	for _, group := range node.AllFlags(false) {
		for _, f := range group {
			if f.Name == name || slices.Contains(f.Aliases, name) {
				return f
			}
		}
	}
	return nil
}

func findShort(node *kong.Node, r rune) *kong.Flag {
	for _, group := range node.AllFlags(false) {
		for _, f := range group {
			if f.Short == r {
				return f
			}
		}
	}
	return nil
}

func findChild(node *kong.Node, name string) *kong.Node {
	for _, c := range node.Children {
		if c.Type == kong.CommandNode && (c.Name == name || slices.Contains(c.Aliases, name)) {
			return c
		}
	}
	return nil
}

func takesValue(f *kong.Flag) bool { return !f.IsBool() && !f.IsCounter() }

func isPassthrough(v *kong.Value) bool {
	return v.PassthroughMode != kong.PassThroughModeNone
}

// loadProjectValues reads the candidates of the project around dir; a
// missing or broken project gives none (completion never reports errors).
func loadProjectValues(dir string) projectValues {
	p, err := config.FindProject(dir)
	if err != nil || p == nil {
		return projectValues{}
	}
	return projectValues{Namespace: p.Settings.Namespace, Envs: p.Settings.Envs, Vaults: p.VaultSlugs()}
}
