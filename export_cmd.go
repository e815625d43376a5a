package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/envfile"
	"github.com/keep-run/keep/render"
)

// ExportCmd is keep export: the secrets of an environment as a .env file.
type ExportCmd struct {
	TargetFlags

	Template  string        `env:"KEEP_TEMPLATE" placeholder:"FILE" help:"Render this template (dotenv with {vault:KEY} placeholders) instead of listing every secret; auto means <template_path>/<env>.env."`
	Output    string        `short:"o" placeholder:"PATH" help:"Write to PATH (created 0600) instead of stdout."`
	Overwrite bool          `help:"Replace an existing --output file."`
	Missing   string        `enum:"fail,skip,blank,remove" default:"fail" help:"With --template, a placeholder whose secret does not exist: fail, skip (keep the placeholder), blank (empty value) or remove (comment the line out)."`
	Only      string        `env:"KEEP_ONLY" placeholder:"GLOBS" help:"Export only secrets whose KEY matches one of these comma-separated globs."`
	Except    string        `env:"KEEP_EXCEPT" placeholder:"GLOBS" help:"Leave out secrets whose KEY matches one of these globs (wins over --only)."`
	Timeout   time.Duration `env:"KEEP_TIMEOUT" default:"30s" help:"Deadline for the whole export."`
}

// Help is the detail shown by keep export --help.
func (c *ExportCmd) Help() string {
	return `Values are single-quoted (double-quoted when they hold ') so that dotenv
parsers — godotenv, phpdotenv, Node's dotenv, docker compose, python-dotenv —
read back the exact bytes; see the README for the few values no one form suits.

Examples:
  keep export --env=production --output=.env
  keep export --env=production --template=env/production.env --output=.env`
}

// Run writes the export.
func (c *ExportCmd) Run(g *Globals) error {
	logf := g.Logger().Printf
	if c.Timeout <= 0 {
		return &helpError{msg: fmt.Sprintf("--timeout must be positive, not %s", c.Timeout), help: "e.g. --timeout=30s"}
	}
	filter, err := render.ParseFilter(c.Only, c.Except)
	if err != nil {
		return err
	}
	missing, err := render.ParseMissing(c.Missing)
	if err != nil {
		return err
	}
	switch {
	case c.Template != "" && !filter.IsZero():
		return &helpError{msg: "--only/--except do not apply with --template", help: "the template says which variables are exported; edit it instead"}
	case c.Overwrite && c.Output == "":
		return &helpError{msg: "--overwrite needs --output", help: "it says whether --output may replace an existing file"}
	}
	project, err := config.FindProject(".")
	if err != nil {
		return err
	}
	cfg, err := config.Resolve(project, c.flags())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()

	var data []byte
	if c.Template != "" {
		run := &RunCmd{TargetFlags: c.TargetFlags, Template: c.Template}
		t, f, err := run.fetchTemplate(ctx, cfg, logf)
		if err != nil {
			return err
		}
		if data, err = t.Render(f.Secrets, missing); err != nil {
			return err
		}
	} else {
		run := &RunCmd{TargetFlags: c.TargetFlags, AllowEmpty: true}
		secrets, err := run.fetch(ctx, cfg, filter, logf)
		if err != nil {
			return err
		}
		vars, err := render.SecretVars(secrets)
		if err != nil {
			return err
		}
		data = dotenv(vars)
	}
	if c.Output == "" {
		_, err := os.Stdout.Write(data)
		return err
	}
	if _, err := envfile.Write(c.Output, data, c.Overwrite); err != nil {
		return err
	}
	logf("wrote %s", c.Output)
	return nil
}

// dotenv encodes vars as NAME='value' lines.
func dotenv(vars []render.Var) []byte {
	var b bytes.Buffer
	for _, v := range vars {
		q, _ := render.QuoteDotenv(v.Value)
		b.WriteString(v.Name + "=" + q + "\n")
	}
	return b.Bytes()
}
