package cli

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/alecthomas/kong"
)

// How keep explains itself: keep help, the help printer, the hint after a
// command line kong cannot parse, and enum values in any case.

// HelpCmd is keep help [COMMAND…].
type HelpCmd struct {
	Command []string `arg:"" optional:"" placeholder:"COMMAND" help:"The command to explain, e.g. run or vault:add."`
}

// Help is the detail shown by keep help --help.
func (c *HelpCmd) Help() string {
	return `Prints the same help as keep COMMAND --help.

Examples:
  keep help
  keep help run`
}

// Run prints the help of c.Command, or keep's own.
func (c *HelpCmd) Run(k *kong.Context) error {
	ctx, err := kong.Trace(k.Kong, c.Command)
	if err != nil {
		return err
	}
	if ctx.Error != nil {
		return &Error{Msg: "no command " + strings.Join(c.Command, " "), Help: "keep help lists the commands", Err: ctx.Error}
	}
	return ctx.PrintUsage(false)
}

// usageLiner is a command whose usage line kong cannot write itself
// (keep run's "--").
type usageLiner interface{ usage() string }

// printHelp is kong's help with keep's changes: a command's own usage line
// (usageLiner), and the flags only keep itself takes (--version) left out
// of the commands' help.
func printHelp(options kong.HelpOptions, ctx *kong.Context) error {
	node := ctx.Selected()
	if node != nil {
		for _, f := range ctx.Model.Flags {
			if f.Name == "version" && !f.Hidden {
				f.Hidden = true
				defer func() { f.Hidden = false }()
			}
		}
	}
	var buf bytes.Buffer
	out := ctx.Stdout
	ctx.Stdout = &buf
	err := kong.DefaultHelpPrinter(options, ctx)
	ctx.Stdout = out
	if err != nil {
		return err
	}
	text := buf.String()
	if node != nil && node.Target.CanAddr() {
		if u, ok := node.Target.Addr().Interface().(usageLiner); ok {
			if first, rest, ok := strings.Cut(text, "\n"); ok && strings.HasPrefix(first, "Usage: ") {
				text = "Usage: " + u.usage() + "\n" + rest
			}
		}
	}
	_, err = io.WriteString(out, text)
	return err
}

// parseHint is what to do after err, an error of kong's parser: the
// error's own hint, or the help of the command that was run.
func parseHint(err error) string {
	var h Hinter
	if errors.As(err, &h) && h.Hint() != "" {
		return h.Hint()
	}
	var pe *kong.ParseError
	if errors.As(err, &pe) && pe.Context != nil {
		if node := pe.Context.Selected(); node != nil {
			return "see " + commandPath(node) + " --help"
		}
	}
	return "see keep --help"
}

// commandPath is "keep vault:add": node's name and its parents', without
// kong's aliases.
func commandPath(node *kong.Node) string {
	var names []string
	for n := node; n != nil; n = n.Parent {
		names = append([]string{n.Name}, names...)
	}
	return strings.Join(names, " ")
}

// describeDefaults gives the flags under node one style for defaults: a
// placeholder that names the kind of value (FORMAT, DURATION, N), never
// the default itself, and "(default: X)" at the end of the help, as the
// flags whose default is not a constant say it.
func describeDefaults(node *kong.Node) {
	for _, f := range node.Flags {
		if !f.HasDefault || f.IsBool() || f.Default == "" {
			continue
		}
		if f.PlaceHolder == "" {
			switch {
			case f.Target.Type() == reflect.TypeOf(time.Duration(0)):
				f.PlaceHolder = "DURATION"
			case f.Target.Kind() == reflect.Int:
				f.PlaceHolder = "N"
			default:
				f.PlaceHolder = strings.ToUpper(f.Name)
			}
		}
		if !strings.Contains(f.Help, "(default: ") {
			f.Help = strings.TrimSuffix(f.Help, ".") + " (default: " + f.Default + ")."
		}
	}
	for _, child := range node.Children {
		describeDefaults(child)
	}
}

// foldEnums makes every enum of lower-case values under node take its
// value in any case (--format=JSON), as the peers' CLIs do: the value is
// lower-cased before kong checks it against the enum.
func foldEnums(node *kong.Node) {
	fold := func(v *kong.Value) {
		if v.Enum != "" && v.Enum == strings.ToLower(v.Enum) && v.Target.Kind() == reflect.String {
			v.Mapper = lowerMapper{v.Mapper}
		}
	}
	for _, f := range node.Flags {
		fold(f.Value)
	}
	for _, p := range node.Positional {
		fold(p)
	}
	for _, child := range node.Children {
		foldEnums(child)
	}
}

// lowerMapper decodes with its Mapper, then lower-cases the string.
type lowerMapper struct{ kong.Mapper }

func (m lowerMapper) Decode(ctx *kong.DecodeContext, target reflect.Value) error {
	if err := m.Mapper.Decode(ctx, target); err != nil {
		return err
	}
	target.SetString(strings.ToLower(target.String()))
	return nil
}

// usage is keep run's usage line: the command comes after "--".
func (*RunCmd) usage() string { return "keep run (exec) [flags] -- <command> [<arg> ...]" }
