// Package cli is keep's command line: the grammar (kong), one file per
// command or command family, and the wiring from flags to config, fetch,
// render and runner. It prompts, prints tables and JSON, and turns errors
// into "what failed / what to do"; it never touches the AWS SDK.
package cli

import (
	"io"
	"log"
	"os"

	"github.com/alecthomas/kong"

	"github.com/keep-run/keep/runner"
)

// Globals are the flags every command takes.
type Globals struct {
	Verbose       bool `short:"v" env:"KEEP_VERBOSE" help:"Report to stderr what keep does: vault, region, secret names, API calls, time taken. Never values."`
	NoInteraction bool `short:"n" env:"KEEP_NO_INTERACTION" help:"Never prompt: a missing value takes its default, or is an error naming its flag."`
}

// Logger returns where --verbose output goes: stderr, or nowhere.
func (g *Globals) Logger() *log.Logger {
	if !g.Verbose {
		return log.New(io.Discard, "", 0)
	}
	return log.New(printableLines{os.Stderr}, "keep: ", 0)
}

// CLI is keep's grammar.
type CLI struct {
	Globals

	Version kong.VersionFlag `help:"Print keep's version and exit."`

	Run              RunCmd              `cmd:"" aliases:"exec" help:"Run a command with the secrets of one environment in its environment."`
	Export           ExportCmd           `cmd:"" help:"Write the secrets of one environment, or a rendered template, as a .env file."`
	TemplateValidate TemplateValidateCmd `cmd:"" name:"template:validate" help:"Check a template: syntax, vaults, and with --env that every placeholder resolves."`

	Set     SetCmd     `cmd:"" group:"Secrets" help:"Create or update a secret (the value from an argument or stdin)."`
	Get     GetCmd     `cmd:"" group:"Secrets" help:"Print one secret's value."`
	Show    ShowCmd    `cmd:"" group:"Secrets" help:"List an environment's secrets, masked unless --unmask."`
	Delete  DeleteCmd  `cmd:"" group:"Secrets" help:"Schedule a secret's deletion (or delete at once with --force)."`
	Restore RestoreCmd `cmd:"" group:"Secrets" help:"Cancel a scheduled deletion."`
	History HistoryCmd `cmd:"" group:"Secrets" help:"List a secret's versions."`
	Import  ImportCmd  `cmd:"" group:"Secrets" help:"Create secrets from a .env file."`
	Rename  RenameCmd  `cmd:"" group:"Secrets" help:"Give a secret another KEY (value, tags and KMS key kept)."`
	Search  SearchCmd  `cmd:"" group:"Secrets" help:"Find the secrets whose value contains a text."`

	Init        InitCmd        `cmd:"" group:"Project" help:"Create .keep/settings.json for this project."`
	VaultAdd    VaultAddCmd    `cmd:"" name:"vault:add" group:"Project" help:"Add a Secrets Manager vault (.keep/vaults/<slug>.json)."`
	VaultList   VaultListCmd   `cmd:"" name:"vault:list" group:"Project" help:"List the project's vaults."`
	VaultDelete VaultDeleteCmd `cmd:"" name:"vault:delete" group:"Project" help:"Remove a vault from the project (its secrets stay)."`
	EnvAdd      EnvAddCmd      `cmd:"" name:"env:add" group:"Project" help:"Add an environment to the project."`
	EnvRemove   EnvRemoveCmd   `cmd:"" name:"env:remove" group:"Project" help:"Remove an environment from the project (its secrets stay)."`
	VaultEdit   VaultEditCmd   `cmd:"" name:"vault:edit" group:"Project" help:"Change a vault's settings, or make it the default vault."`
	TemplateAdd TemplateAddCmd `cmd:"" name:"template:add" group:"Project" help:"Write a template with a placeholder for each secret of an environment."`
	Info        InfoCmd        `cmd:"" group:"Project" help:"Show keep's version, the project, its vaults, and where credentials and region come from."`
	Iam         IamCmd         `cmd:"" group:"Project" help:"Print the IAM policy for the project's namespace."`
	Verify      VerifyCmd      `cmd:"" group:"Project" help:"Check credentials and access for each vault and environment."`

	Copy CopyCmd `cmd:"" group:"Across environments" help:"Copy secrets from one environment or vault to another."`
	Diff DiffCmd `cmd:"" group:"Across environments" help:"Compare secrets across environments and vaults."`

	VersionCmd VersionCmd    `cmd:"" name:"version" group:"Setup" help:"Print keep's version, commit and build date."`
	Completion CompletionCmd `cmd:"" group:"Setup" help:"Print a shell completion script: bash, zsh or fish."`
	Help       HelpCmd       `cmd:"" group:"Setup" help:"Print the help of keep, or of a command: keep help run."`
	Complete   CompleteCmd   `cmd:"" name:"__complete" hidden:"" help:"Print completion candidates for the words so far (used by the completion scripts)."`
}

const description = `keep loads the secrets of a namespace and environment from AWS Secrets Manager and starts a program with them.

  keep run --env=production -- php-fpm -F`

// Main runs keep with args, the words after "keep", and exits: with the
// child's status, or as fail says. s is the release build's stamp.
func Main(s Stamp, args []string) {
	stamp = s
	defer guardPanic(os.Stderr)
	noDump()
	var cli CLI
	parser := newParser(&cli)
	if len(args) == 0 {
		// keep alone: the usage --help prints, on stderr, and exit 125 (a
		// script that lost its arguments must not look successful).
		parser.Stdout = os.Stderr
		parser.Exit = func(int) { os.Exit(runner.CodeFailed) }
		args = []string{"--help"}
	}
	ctx, err := parser.Parse(args)
	if err != nil {
		// kong says 80 for its own errors; keep's usage errors are 125.
		fail(os.Stderr, usageError{hinted(err, parseHint(err))})
	}
	if err := ctx.Run(&cli.Globals); err != nil {
		fail(os.Stderr, err)
	}
}

// newParser is keep's grammar over cli, with keep's help printer, enum
// values read case-insensitively and defaults described alike.
func newParser(cli *CLI) *kong.Kong {
	parser, err := kong.New(cli,
		kong.Name("keep"),
		kong.Description(description),
		kong.Vars{"version": currentBuild().String()},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Help(printHelp),
	)
	if err != nil {
		panic(err) // a bug in the grammar
	}
	foldEnums(parser.Model.Node)
	describeDefaults(parser.Model.Node)
	return parser
}
