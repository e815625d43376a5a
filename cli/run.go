package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/envfile"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
	"github.com/keep-run/keep/runner"
)

// RunCmd is keep run.
type RunCmd struct {
	TargetFlags `set:"vault_placeholder=SLUG,…" set:"vault_list=Vault slug, or several comma-separated"`

	FilterFlags `set:"only_verb=Inject only"`
	TimeoutFlag `set:"deadline_of=everything before the command starts"`
	SplayFlag
	WatchFlags
	NoInherit  bool `env:"KEEP_NO_INHERIT" help:"Give the command only the secrets, not keep's own environment."`
	AllowEmpty bool `env:"KEEP_ALLOW_EMPTY" help:"Run the command even when no secret matches."`

	AllowOverride []string `name:"allow-override" env:"KEEP_ALLOW_OVERRIDE" sep:"," placeholder:"NAME" help:"Let secrets set these protected variables (PATH, LD_*, DYLD_*), which keep refuses otherwise."`

	Template  string `env:"KEEP_TEMPLATE" placeholder:"FILE" help:"Set exactly the variables of this template (dotenv with {vault:KEY} placeholders); auto means <template_path>/<env>.env."`
	Output    string `placeholder:"PATH" help:"With --template: write the rendered template to PATH (0600) for the command to read, instead of setting variables; removed when keep exits (implies --supervise)."`
	Overwrite bool   `help:"With --output: replace an existing file."`
	Missing   string `enum:"fail,skip,blank,remove" default:"fail" help:"With --template, a placeholder whose secret does not exist: fail, skip (keep the placeholder text), blank (empty value) or remove (drop the variable)."`

	Exec        bool          `help:"Replace keep with the command (the default, unless keep is PID 1 or must stay)."`
	Supervise   bool          `help:"Stay as the command's parent: forward signals, reap zombies, exit as it did."`
	KillTimeout time.Duration `env:"KEEP_KILL_TIMEOUT" placeholder:"DURATION" help:"SIGKILL the command if it still runs this long after a forwarded SIGTERM (implies --supervise; default: never)."`
	Subreaper   bool          `env:"KEEP_SUBREAPER" help:"Adopt and reap orphaned descendants, as PID 1 does (Linux; implies --supervise)."`
	Redact      bool          `env:"KEEP_REDACT" help:"Mask the secrets' values, and their common encodings, in the command's output (implies --supervise). A guard against accidents, not a security boundary."`

	Command []string `arg:"" optional:"" passthrough:"partial" help:"The command and its arguments, after --."`
}

const runExample = "keep run --env=production -- php-fpm -F"

// Help is the detail shown by keep run --help.
func (c *RunCmd) Help() string {
	return `keep finds every secret named <namespace>/<env>/<KEY> and tagged ManagedBy=Keep,
Namespace=<namespace>, Environment=<env>, fetches them, sets each as a variable
named as the PHP Keep names it (KEY upper-cased, other characters than A-Z, 0-9
and _ become _, leading _ dropped, KEY_ before a digit: api-token → API_TOKEN,
1num → KEY_1NUM), and replaces itself with the command. No match is an error unless --allow-empty.
--vault=a,b loads the secrets of both vaults, listed concurrently; a KEY found
in both is an error naming it and the two vaults.

With --template, the command gets exactly the template's variables, and only
the secrets it names are fetched, by name, in one round trip; with --output the
rendered template goes to a file instead, deleted when keep exits.

Examples:
  ` + runExample + `
  keep run --namespace=myapp --env=staging --only='DB_*,REDIS_*' -- ./migrate
  KEEP_NAMESPACE=myapp KEEP_ENV=production keep run -- node server.js
  keep run --env=production --template=env/production.env -- php artisan serve
  keep run --env=production --template=auto --output=.env -- npm start
  keep run --env=production --watch=5m --splay=30s -- node server.js

With --watch, keep stays and polls the secrets' versions (metadata only);
when one rotates, appears or disappears it fetches what changed and acts as
--on-change says: restart the command (default), re-render --output and
send a signal, exit 75, or only report. See docs/watch.md.

keep execs the command by default. It supervises it instead — stays as its
parent, forwards signals, reaps zombies — with --supervise, when it is PID 1,
on Windows, and with --kill-timeout, --subreaper or --redact.

With --redact, the command's stdout and stderr pass through keep, which
masks every value it injected (also in a --output file), as *****: the value,
its base64, URL and JSON encodings, and each line of a multi-line value.
Values under 4 bytes are not masked (-v names them). Where keep's output is a
terminal the command gets a pseudo-terminal, so colours and the window size
work. It guards against accidents (an echo, a stack trace, set -x), not
against a command that means to leak a value.

Exit status: the command's own (a supervised command killed by SIGHUP, SIGINT,
SIGTERM or SIGKILL makes keep die of the same signal; other signals, and any
signal when keep is PID 1, give 128+N); 125 if keep failed, 126 if the command
cannot be executed, 127 if it was not found; 75 after --on-change=exit.`
}

// Run loads the secrets and starts the command: keep execs it, or
// supervises it (see runner). Four steps, each a function of its own:
// prepare (flags, project, mode, the command's path: no network), load
// (the secrets, within --timeout), environ (the command's environment) and
// start.
func (c *RunCmd) Run(g *Globals) error {
	began := time.Now()
	// Caught from the start until the child runs: see runner.WithInterrupts.
	ctx, stop := runner.WithInterrupts(context.Background())
	defer stop()
	logf := g.Logger().Printf
	p, err := c.prepare()
	if err != nil {
		return err
	}
	if err := c.wait(ctx); err != nil {
		return interrupted(ctx, err)
	}
	ctx, cancel, err := c.deadline(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	l, err := c.load(ctx, p, logf)
	if err != nil {
		return interrupted(ctx, err)
	}
	env, err := c.environ(p, l.vars, logf)
	if err != nil {
		return err
	}
	l.filter = c.redactFilter(l.injected, logf)
	logf("%s %s after %s", p.mode, p.path, time.Since(began).Round(time.Millisecond))
	if p.watch != nil {
		return c.watched(ctx, p, l, env, stop, logf)
	}
	return c.start(p, env, l, stop)
}

// runPlan is what prepare decided, before any network call.
type runPlan struct {
	cfgs    []*config.Config // one per vault of --vault (see resolveVaults)
	filter  render.Filter
	missing render.Missing
	mode    runner.Mode
	path    string   // the command, found on keep's own PATH
	argv    []string // the command and its arguments
	// inherited is keep's environment, which the command inherits (nil
	// with --no-inherit); lookup reads it (nil with --no-inherit).
	inherited []string
	lookup    func(string) (string, bool)
	watch     *watchPlan // --watch; nil without
}

// prepare checks the flags, reads the project and chooses the mode and the
// command's path. A typo in the command fails here, before any network
// call; the path is looked up on keep's PATH, which --no-inherit does not
// hide.
func (c *RunCmd) prepare() (*runPlan, error) {
	p := &runPlan{argv: c.Command}
	if len(p.argv) > 0 && p.argv[0] == "--" {
		p.argv = p.argv[1:]
	}
	if len(p.argv) == 0 {
		return nil, &Error{Msg: "missing the command to run", Help: "put it after --, e.g. " + runExample}
	}
	var err error
	if p.filter, err = c.filter(); err != nil {
		return nil, err
	}
	if err := c.checkTemplateFlags(p.filter); err != nil {
		return nil, err
	}
	if c.KillTimeout < 0 { // else it would silently mean "not set"
		return nil, &Error{Msg: fmt.Sprintf("--kill-timeout=%s is negative", c.KillTimeout), Help: "give how long the command may run after a forwarded SIGTERM, e.g. --kill-timeout=10s"}
	}
	if p.missing, err = render.ParseMissing(c.Missing); err != nil {
		return nil, err
	}
	project, err := config.FindProject(".")
	if err != nil {
		return nil, err
	}
	if p.cfgs, err = resolveVaults(project, c.TargetFlags); err != nil {
		return nil, err
	}
	if p.watch, err = c.watchPlan(); err != nil {
		return nil, err
	}
	if p.mode, err = runner.ChooseMode(c.modeRequest()); err != nil {
		return nil, hinted(err, "see keep run --help")
	}
	if p.mode == runner.ModeExec && runner.IsPID1() {
		fmt.Fprintln(os.Stderr, "keep: warning: --exec as PID 1: forwarding signals and reaping zombies are now the command's job")
	}
	if p.path, err = runner.Lookup(p.argv[0]); err != nil {
		return nil, err
	}
	if !c.NoInherit {
		p.inherited, p.lookup = os.Environ(), os.LookupEnv
	}
	return p, nil
}

// loaded is what load got: the command's variables, and in file mode
// (--output) the removal of the rendered file; the secret values the
// command gets, in its variables or its file, which --redact masks; and
// then --redact's filter.
type loaded struct {
	vars     []render.Var
	cleanup  func()
	injected []render.Var
	filter   func(io.Writer) io.WriteCloser
	// What --watch follows: the session, and the secrets listed (list
	// path) or the template and what it fetched, and the file written.
	session *fetch.Session
	listed  []listed
	tmpl    *render.Template
	fetched *fetched
	output  *output
}

// load fetches the secrets and makes them the command's variables: every
// secret of the environment, or the template's variables — none in file
// mode, where the rendered template goes to --output instead.
func (c *RunCmd) load(ctx context.Context, p *runPlan, logf func(string, ...any)) (*loaded, error) {
	session := c.session(nil) // -v: load reports the calls, counted
	if c.Template == "" {
		ls, err := listSecrets(ctx, session, p.cfgs, c.Region, p.filter, c.AllowEmpty, logf)
		if err != nil {
			return nil, err
		}
		secrets, err := distinct(ls)
		if err != nil {
			return nil, err
		}
		if testPanic != nil {
			testPanic(secrets)
		}
		vars, err := render.SecretVars(secrets)
		return &loaded{vars: vars, injected: vars, session: session, listed: ls}, err
	}
	if c.Output != "" {
		if err := notTheTemplate(p.cfgs[0], c.Template, c.Output); err != nil {
			return nil, err
		}
	}
	t, f, err := templateSecrets(ctx, session, p.cfgs, c.Template, c.Region, logf)
	if err != nil {
		return nil, err
	}
	if err := requirePlaceholders(t, c.AllowEmpty); err != nil {
		return nil, err
	}
	if c.Output == "" {
		vars, err := t.Vars(f.Secrets, p.missing, p.lookup)
		return &loaded{vars: vars, injected: t.Placed(f.Secrets), session: session, tmpl: t, fetched: f}, err
	}
	data, nonPortable, err := t.Render(f.Secrets, p.missing)
	if err != nil {
		return nil, err
	}
	warnNonPortable(nonPortable)
	file, err := envfile.Write(c.Output, data, c.Overwrite)
	if err != nil {
		return nil, err
	}
	logf("wrote %s; it is removed when keep exits", c.Output)
	out := &output{path: c.Output, file: file}
	return &loaded{cleanup: out.remove, injected: t.Placed(f.Secrets), session: session, tmpl: t, fetched: f, output: out}, nil
}

// environ checks vars (no NUL byte; no protected name unless
// --allow-override) and puts them over the inherited environment.
func (c *RunCmd) environ(p *runPlan, vars []render.Var, logf func(string, ...any)) ([]string, error) {
	if err := render.CheckValues(vars); err != nil {
		return nil, err
	}
	if err := render.CheckProtected(vars, c.AllowOverride); err != nil {
		return nil, err
	}
	env := render.EnvironVars(p.inherited, vars)
	for _, name := range env.Overridden {
		logf("%s: the secret overrides the inherited variable", name)
	}
	return env.Vars, nil
}

// child is the supervised command, started with env: l.cleanup (nil:
// none) runs when it has ended, and l.filter (nil: none) gets its output.
func (c *RunCmd) child(p *runPlan, env []string, l *loaded, handover func() error) runner.Child {
	return runner.Child{
		Path:        p.path,
		Args:        p.argv,
		Env:         runner.SupervisedEnv(env),
		KillTimeout: c.KillTimeout,
		Subreaper:   c.Subreaper,
		Cleanup:     l.cleanup,
		Filter:      l.filter,
		Handover:    handover,
	}
}

// start execs the command or supervises it (see child). handover stops
// keep's own interrupt handling just before the command takes over the
// signals.
func (c *RunCmd) start(p *runPlan, env []string, l *loaded, handover func() error) error {
	if p.mode == runner.ModeExec {
		return runner.Exec(p.path, p.argv, env, handover)
	}
	return runner.Supervise(c.child(p, env, l, handover))
}

// interrupted returns the interrupting signal as the error if one ended
// the fetch, else err.
func interrupted(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && errors.As(cause, new(*runner.Interrupted)) {
		return cause
	}
	return err
}

// checkTemplateFlags rejects flag combinations that mean nothing.
func (c *RunCmd) checkTemplateFlags(filter render.Filter) error {
	switch {
	case c.Template == "" && c.Output != "":
		return &Error{Msg: "--output needs --template", Help: "keep renders a template into the file: add --template=FILE (or auto)"}
	case c.Template != "" && !filter.IsZero():
		return &Error{Msg: "--only/--except do not apply with --template", Help: "the template says which variables the command gets; edit it instead"}
	case c.Overwrite && c.Output == "":
		return &Error{Msg: "--overwrite needs --output", Help: "it says whether --output may replace an existing file"}
	}
	return nil
}

func (c *RunCmd) modeRequest() runner.ModeRequest {
	r := runner.ModeRequest{Exec: c.Exec, Supervise: c.Supervise, KillTimeout: c.KillTimeout > 0, Subreaper: c.Subreaper}
	switch {
	case c.Output != "":
		r.MustStay, r.Why = true, "--output (keep deletes the file when the command ends)"
	case c.Redact:
		r.MustStay, r.Why = true, "--redact (keep masks the command's output)"
	case c.KillTimeout > 0:
		r.MustStay, r.Why = true, "--kill-timeout"
	case c.Subreaper:
		r.MustStay, r.Why = true, "--subreaper"
	case c.Watch > 0:
		r.MustStay, r.Why = true, "--watch"
	}
	return r
}

// testPanic is nil except in binaries built with the keep_testpanic tag,
// which the tests use to check that a panic prints no secret value.
var testPanic func([]fetch.Secret)
