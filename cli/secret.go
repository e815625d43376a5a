package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
	"github.com/keep-run/keep/write"
)

// secretFlags are the flags of the commands that work on one vault and env.
type secretFlags struct {
	TargetFlags
	TimeoutFlag
}

// keyFlags are those of the commands on one existing secret: secretFlags
// and its KEY.
type keyFlags struct {
	secretFlags
	Key string `arg:"" help:"The secret's KEY."`
}

// vaultEnv is one resolved vault and environment with its connection,
// which carries the target and the region in use.
type vaultEnv struct {
	cfg  *config.Config
	conn *fetch.Conn
}

// errDeclined: the user answered no to a confirmation; nothing is done.
var errDeclined = errors.New("declined")

// withVault resolves the vault and env — asking for a missing --env on a
// terminal — and calls prepare (nil: none) with the target; then, within
// --timeout, makes the client and calls do. Prompts come before the
// deadline, so a user who takes their time does not see "timed out".
func (f *secretFlags) withVault(g *Globals, prepare func(fetch.Target) error, do func(ctx context.Context, ve *vaultEnv) error) error {
	o, err := newOpener(f.AWSFlags, g)
	if err != nil {
		return err
	}
	if envs := o.envs(); f.Env == "" && len(envs) > 0 {
		if p := g.prompter(); p.interactive {
			if err := p.choose(&f.Env, "--env=ENV", "Environment ("+strings.Join(envs, ", ")+")", envs); err != nil {
				return err
			}
		}
	}
	cfg, err := o.resolve(contextRef{Vault: f.Vault, Env: f.Env})
	if err != nil {
		return err
	}
	if prepare != nil {
		if err := prepare(targetOf(cfg)); errors.Is(err, errDeclined) {
			return nil
		} else if err != nil {
			return err
		}
	}
	ctx, cancel, err := f.deadline(context.Background())
	if err != nil {
		return err
	}
	defer cancel()
	ve, err := o.connect(ctx, cfg)
	if err != nil {
		return err
	}
	return do(ctx, ve)
}

// SetCmd is keep set.
type SetCmd struct {
	secretFlags
	Key   string  `arg:"" optional:"" help:"The secret's KEY: one segment of letters, digits, '_' or '-' (asked for on a terminal when omitted)."`
	Value *string `arg:"" optional:"" help:"The value; omitted, it is read from stdin (hidden on a terminal, byte for byte from a pipe, a final newline included: pipe with printf '%s', not echo)."`
}

// Help is the detail shown by keep set --help.
func (c *SetCmd) Help() string {
	return `Creates <namespace>/<env>/<KEY> with Keep's tags, or puts a new value in the
existing secret (its tags untouched). Without VALUE, the value is read from
stdin: hidden on a terminal, every byte of a pipe (a trailing newline too,
which keep warns about). On a terminal keep asks for what is missing: the
KEY, the environment, then the value.

Examples:
  keep set DB_PASSWORD --env=production            # asks for the value, hidden
  keep set TLS_KEY --env=production < tls.key
  printf %s "$TOKEN" | keep set API_TOKEN --env=staging
  keep set FEATURE_FLAG on --env=staging --vault=shared`
}

// Run stores the secret. On a terminal it asks for what is missing in
// the PHP Keep's order: the KEY, the environment, then the hidden value,
// so that no typed secret is lost to a mistyped environment.
func (c *SetCmd) Run(g *Globals) error {
	if err := c.askKey(g.prompter()); err != nil {
		return err
	}
	var value string
	readValue := func(fetch.Target) (err error) {
		value, err = c.readValue(g)
		return err
	}
	return c.withVault(g, readValue, func(ctx context.Context, ve *vaultEnv) error {
		vault, err := writeVault(ve.cfg.Vault)
		if err != nil {
			return err
		}
		res, err := write.Set(ctx, ve.conn, vault, c.Key, value)
		if err != nil {
			return err
		}
		what := "Updated"
		if res.Created {
			what = "Created"
		}
		fmt.Printf("%s %s in %s (version %s)\n", what, res.Name, ve.conn.Region, res.VersionID)
		return nil
	})
}

// askKey checks the KEY argument, or asks for one on a terminal until it
// is valid.
func (c *SetCmd) askKey(p *prompter) error {
	if c.Key != "" || !p.interactive {
		if c.Key == "" {
			return &Error{Msg: "missing the KEY", Help: "keep set KEY [VALUE] --env=ENV (keep asks for it only on a terminal, without --no-interaction)"}
		}
		return fetch.CheckKey(c.Key)
	}
	for {
		if err := p.ask(&c.Key, "KEY", "Key", ""); err != nil {
			return err
		}
		err := fetch.CheckKey(c.Key)
		if err == nil {
			return nil
		}
		fmt.Fprintf(p.out, "%v: %s\n", err, hintOf(err))
		c.Key = ""
	}
}

// readValue is the VALUE argument, or stdin: hidden on a terminal, every
// byte of a pipe. A piped value ending in a newline is stored with it, as
// documented; keep says so on stderr, since echo adds one unasked.
func (c *SetCmd) readValue(g *Globals) (string, error) {
	if c.Value != nil {
		return *c.Value, nil
	}
	p := g.prompter()
	if p.interactive {
		return p.secret("VALUE", "Value of "+c.Key)
	}
	if g.NoInteraction && term.IsTerminal(int(os.Stdin.Fd())) {
		return "", &Error{Msg: "missing the value", Help: "pass it as the second argument, or pipe it on stdin: keep set KEY --env=E < file"}
	}
	b, err := io.ReadAll(os.Stdin)
	if err != nil {
		return "", fmt.Errorf("read the value from stdin: %w", err)
	}
	if strings.HasSuffix(string(b), "\n") {
		fmt.Fprintf(os.Stderr, "keep: warning: the value read from stdin ends with a newline, which is stored as part of it\n")
		fmt.Fprintf(os.Stderr, "keep: if it should not be, pipe it without one (printf '%%s' \"$VALUE\" | keep set %s, not echo) or pass the value as an argument\n", c.Key)
	}
	return string(b), nil
}

// hintOf is err's hint, or "".
func hintOf(err error) string {
	var h Hinter
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// GetCmd is keep get.
type GetCmd struct {
	keyFlags
	Format       string `enum:"table,json,raw" default:"table" help:"table, json, or raw (the value exactly, no newline added)."`
	Plain        bool   `short:"q" help:"Print the value only, exactly: the same as --format=raw."`
	VersionStage string `xor:"version" placeholder:"STAGE" help:"The version with this stage, e.g. AWSPREVIOUS (default: AWSCURRENT)."`
	VersionID    string `xor:"version" name:"version-id" placeholder:"ID" help:"The version with this id (instead of --version-stage)."`
}

// Help is the detail shown by keep get --help.
func (c *GetCmd) Help() string {
	return `Prints the value in full: the command for reading one, by design.

Examples:
  keep get DB_PASSWORD --env=production
  keep get DB_PASSWORD --env=production -q > db-password
  keep get DB_PASSWORD --env=production --version-stage=AWSPREVIOUS
  keep get DB_PASSWORD --env=production --format=json`
}

// Run prints the value: the command for reading one, by design.
func (c *GetCmd) Run(g *Globals) error {
	if c.Plain {
		if c.Format != "table" && c.Format != "raw" {
			return &Error{Msg: fmt.Sprintf("--plain and --format=%s exclude each other", c.Format), Help: "--plain is --format=raw: pass one of them"}
		}
		c.Format = "raw"
	}
	return c.withVault(g, nil, func(ctx context.Context, ve *vaultEnv) error {
		stop := spin("reading " + ve.conn.Target.SecretName(c.Key))
		info, err := ve.conn.Get(ctx, c.Key, c.VersionStage, c.VersionID, c.Format == "json")
		stop()
		if err != nil {
			return err
		}
		switch c.Format {
		case "raw":
			_, err = io.WriteString(os.Stdout, info.Value)
			return err
		case "json":
			return printJSON(secretJSON(info.Key, info.Value, info.Version, info.Replicas))
		}
		w := newTable()
		fmt.Fprintln(w, "KEY\tVALUE\tREVISION\tSTAGES")
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", info.Key, oneLineValue(info.Value), info.ID, strings.Join(info.Stages, ","))
		return w.Flush()
	})
}

// ShowCmd is keep show.
type ShowCmd struct {
	secretFlags
	Unmask bool   `help:"Show values in full."`
	Format string `enum:"table,json,env" default:"table" help:"table, json or env."`
	FilterFlags
}

// Help is the detail shown by keep show --help.
func (c *ShowCmd) Help() string {
	return `Lists the secrets keep run would load, values masked unless --unmask.

Examples:
  keep show --env=staging
  keep show --env=production --only='DB_*' --unmask
  keep show --env=production --format=json`
}

// Run lists the environment's secrets, masked unless --unmask.
func (c *ShowCmd) Run(g *Globals) error {
	filter, err := c.filter()
	if err != nil {
		return err
	}
	return c.withVault(g, nil, func(ctx context.Context, ve *vaultEnv) error {
		stop := spin("listing " + ve.conn.Target.String())
		res, err := ve.conn.List(ctx, filter.Match)
		stop()
		if err != nil {
			return err
		}
		show := func(v string) string {
			if c.Unmask {
				return v
			}
			return render.Mask(v)
		}
		switch c.Format {
		case "env":
			// The variables keep run would set: the same names, the same
			// error for two KEYs that map to one.
			shown := make([]fetch.Secret, len(res.Secrets))
			for i, s := range res.Secrets {
				shown[i] = fetch.Secret{Key: s.Key, Value: show(s.Value)}
			}
			vars, err := render.SecretVars(shown)
			if err != nil {
				return err
			}
			out := dotenv(vars)
			if !c.Unmask {
				out = maskedDotenv(out)
			}
			_, err = os.Stdout.Write(out)
			return err
		case "json":
			var replicas map[string][]fetch.ReplicaStatus
			if len(ve.cfg.Vault.ReplicaRegions) > 0 {
				if replicas, err = replicationOf(ctx, ve, res.Secrets); err != nil {
					return err
				}
			}
			out := make([]any, len(res.Secrets))
			for i, s := range res.Secrets {
				out[i] = secretJSON(s.Key, show(s.Value), fetch.Version{ID: s.VersionID}, replicas[s.Key])
			}
			return printJSON(out)
		}
		if len(res.Secrets) == 0 {
			var untagged []string
			if len(res.Unwanted) == 0 {
				untagged = unlisted(ctx, ve.conn, res.Skipped)
			}
			fmt.Fprintf(os.Stderr, "no secrets in %s (%s)%s\n", ve.conn.Target, ve.conn.Region, skippedNote(res.Skipped, untagged))
			return nil
		}
		w := newTable()
		fmt.Fprintln(w, "KEY\tVALUE\tREVISION")
		for _, s := range res.Secrets {
			fmt.Fprintf(w, "%s\t%s\t%s\n", s.Key, oneLineValue(show(s.Value)), s.VersionID)
		}
		return w.Flush()
	})
}

// maskedDotenv comments out every line of env, dotenv lines of masked
// values, under a header that says so: no dotenv parser loads it, and no
// reader takes it for a .env file.
func maskedDotenv(env []byte) []byte {
	if len(env) == 0 {
		return nil
	}
	out := []byte("# masked values, not a .env file: keep show --format=env --unmask prints the values\n")
	for _, line := range strings.SplitAfter(string(env), "\n") {
		if line != "" {
			out = append(out, "# "+line...)
		}
	}
	return out
}

// replicationOf reads the replication status of each secret.
func replicationOf(ctx context.Context, ve *vaultEnv, secrets []fetch.Secret) (map[string][]fetch.ReplicaStatus, error) {
	out := map[string][]fetch.ReplicaStatus{}
	for _, s := range secrets {
		rs, err := ve.conn.Replication(ctx, s.Key)
		if err != nil {
			return nil, err
		}
		out[s.Key] = rs
	}
	return out, nil
}

// DeleteCmd is keep delete.
type DeleteCmd struct {
	keyFlags
	Force        bool `help:"Delete at once, without a recovery window: it cannot be restored."`
	RecoveryDays int  `name:"recovery-days" default:"30" help:"Days before a scheduled deletion is final, 7 to 30; keep restore undoes it until then."`
}

// Help is the detail shown by keep delete --help.
func (c *DeleteCmd) Help() string {
	return `Examples:
  keep delete OLD_API_KEY --env=staging                   # restorable for 30 days
  keep delete OLD_API_KEY --env=staging --recovery-days=7
  keep delete OLD_API_KEY --env=staging --force           # gone at once`
}

// Run schedules the deletion, or deletes with --force.
func (c *DeleteCmd) Run(g *Globals) error {
	if c.RecoveryDays < 7 || c.RecoveryDays > 30 {
		return &Error{Msg: fmt.Sprintf("--recovery-days=%d is outside 7..30", c.RecoveryDays), Help: "Secrets Manager keeps a deleted secret 7 to 30 days; --force deletes at once"}
	}
	confirm := func(t fetch.Target) error {
		if !c.Force {
			return nil
		}
		ok, err := g.prompter().confirm(fmt.Sprintf("Delete %s now, with no way to restore it?", t.SecretName(c.Key)), true)
		if err == nil && !ok {
			err = errDeclined
		}
		return err
	}
	return c.withVault(g, confirm, func(ctx context.Context, ve *vaultEnv) error {
		name := ve.conn.Target.SecretName(c.Key)
		out, err := write.Delete(ctx, ve.conn, c.Key, c.RecoveryDays, c.Force)
		if err != nil {
			return err
		}
		if c.Force {
			fmt.Printf("Deleted %s for good\n", name)
			return nil
		}
		fmt.Printf("Scheduled %s for deletion on %s; keep restore %s --env=%s undoes it until then\n",
			name, out.DeletionDate.Format("2006-01-02"), c.Key, ve.cfg.Env)
		return nil
	})
}

// RestoreCmd is keep restore.
type RestoreCmd struct {
	keyFlags
}

// Help is the detail shown by keep restore --help.
func (c *RestoreCmd) Help() string {
	return `Works until the end of the recovery window keep delete gave the secret.

Examples:
  keep restore OLD_API_KEY --env=staging`
}

// Run cancels a scheduled deletion.
func (c *RestoreCmd) Run(g *Globals) error {
	return c.withVault(g, nil, func(ctx context.Context, ve *vaultEnv) error {
		if err := write.Restore(ctx, ve.conn, c.Key); err != nil {
			return err
		}
		fmt.Printf("Restored %s\n", ve.conn.Target.SecretName(c.Key))
		return nil
	})
}

// HistoryCmd is keep history.
type HistoryCmd struct {
	keyFlags
	Unmask bool   `help:"Show values in full."`
	Format string `enum:"table,json" default:"table" help:"table or json."`
}

// Help is the detail shown by keep history --help.
func (c *HistoryCmd) Help() string {
	return `Lists the versions Secrets Manager keeps, newest first, with their stages
(AWSCURRENT, AWSPREVIOUS); keep get --version-id reads one.

Examples:
  keep history DB_PASSWORD --env=production
  keep history DB_PASSWORD --env=production --unmask --format=json`
}

// Run lists the versions, newest first, values masked unless --unmask.
func (c *HistoryCmd) Run(g *Globals) error {
	return c.withVault(g, nil, func(ctx context.Context, ve *vaultEnv) error {
		versions, err := ve.conn.History(ctx, c.Key, true)
		if err != nil {
			return err
		}
		for i := range versions {
			if !c.Unmask {
				versions[i].Value = render.Mask(versions[i].Value)
			}
		}
		if c.Format == "json" {
			out := make([]any, len(versions))
			for i, v := range versions {
				out[i] = secretJSON(c.Key, v.Value, v, nil)
			}
			return printJSON(out)
		}
		w := newTable()
		fmt.Fprintln(w, "REVISION\tSTAGES\tCREATED\tVALUE")
		for _, v := range versions {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", v.ID, strings.Join(v.Stages, ","), v.Created.UTC().Format(time.RFC3339), oneLineValue(v.Value))
		}
		return w.Flush()
	})
}

// secretJSON is how a secret is printed as JSON: the PHP Keep's key, value
// and revision, then what keep adds.
func secretJSON(key, value string, v fetch.Version, replicas []fetch.ReplicaStatus) any {
	type replica struct {
		Region  string `json:"region"`
		Status  string `json:"status"`
		Message string `json:"message,omitempty"`
	}
	out := struct {
		Key         string    `json:"key"`
		Value       string    `json:"value"`
		Revision    string    `json:"revision"`
		Stages      []string  `json:"stages,omitempty"`
		Created     string    `json:"created,omitempty"`
		Replication []replica `json:"replication,omitempty"`
	}{Key: key, Value: value, Revision: v.ID, Stages: v.Stages}
	if !v.Created.IsZero() {
		out.Created = v.Created.UTC().Format(time.RFC3339)
	}
	for _, r := range replicas {
		out.Replication = append(out.Replication, replica{Region: r.Region, Status: r.Status, Message: r.Message})
	}
	return out
}
