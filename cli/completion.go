package cli

import (
	"embed"
	"fmt"
	"os"
	"strings"

	"github.com/alecthomas/kong"
)

//go:embed completions/keep.bash completions/keep.zsh completions/keep.fish
var completionScripts embed.FS

// CompletionCmd is keep completion SHELL.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

// Help is the command's detailed help: how to install each script.
func (CompletionCmd) Help() string {
	return `Commands and flags come from keep itself; env names and vault slugs from the
.keep/ project around the working directory; the command after keep run --
from the shell's own commands. A secret's KEY is not completed (that would
call AWS on every Tab), nor taken for a file name.

    bash:  source <(keep completion bash)                       # in ~/.bashrc
    zsh:   source <(keep completion zsh)                        # in ~/.zshrc, after compinit
    fish:  keep completion fish > ~/.config/fish/completions/keep.fish`
}

// Run prints the script.
func (c *CompletionCmd) Run() error {
	script, err := completionScripts.ReadFile("completions/keep." + c.Shell)
	if err != nil {
		return err // the enum and the embedded files disagree: a bug
	}
	_, err = os.Stdout.Write(script)
	return err
}

// CompleteCmd is keep __complete -- WORD… CURRENT, which the completion
// scripts call: it prints the candidates for CURRENT, one per line, and
// nothing (the shell then completes files) when it has none.
type CompleteCmd struct {
	Words []string `arg:"" optional:"" passthrough:"all" help:"The words after keep, the last one being completed."`
}

// Run prints the candidates. It never fails: a broken project just gives
// no env names or vault slugs.
func (c *CompleteCmd) Run(k *kong.Context) error {
	words := c.Words
	if len(words) > 0 && words[0] == "--" {
		words = words[1:] // passthrough keeps it
	}
	var pv projectValues
	if dir, err := os.Getwd(); err == nil {
		pv = loadProjectValues(dir)
	}
	out := candidates(k.Model.Node, words, pv)
	if len(out) > 0 {
		fmt.Fprintln(os.Stdout, strings.Join(out, "\n"))
	}
	return nil
}
