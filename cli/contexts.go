package cli

import (
	"context"
	"slices"
	"strings"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
)

// A context is where secrets live for the cross-environment commands:
// "env" (in the default vault) or "vault:env".
type contextRef struct {
	Vault string // "" for the default vault
	Env   string
}

func parseContext(s string) contextRef {
	if vault, env, ok := strings.Cut(s, ":"); ok {
		return contextRef{Vault: vault, Env: env}
	}
	return contextRef{Env: s}
}

// contexts are the contexts of --env lists and --vault lists: every vault
// with every env, each once. An env of the form vault:env names its vault
// itself.
func contexts(envs, vaults string) []contextRef {
	vs := splitList(vaults)
	if len(vs) == 0 {
		vs = []string{""}
	}
	var out []contextRef
	add := func(ref contextRef) {
		if !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	for _, e := range splitList(envs) {
		if ref := parseContext(e); ref.Vault != "" {
			add(ref)
			continue
		}
		for _, v := range vs {
			add(contextRef{Vault: v, Env: e})
		}
	}
	return out
}

// opener resolves contexts against one project and shares clients. With
// -v it reports each context's vault, region and target, and every API
// call (fetch.Session.Log).
type opener struct {
	project *config.Project
	flags   AWSFlags // vault and env come per context
	session *fetch.Session
	logf    func(string, ...any)
}

func newOpener(flags AWSFlags, g *Globals) (*opener, error) {
	project, err := config.FindProject(".")
	if err != nil {
		return nil, err
	}
	logf := g.Logger().Printf
	return &opener{project: project, flags: flags, session: flags.session(logf), logf: logf}, nil
}

// open resolves ref into its vault, target and client.
func (o *opener) open(ctx context.Context, ref contextRef) (*vaultEnv, error) {
	cfg, err := o.resolve(ref)
	if err != nil {
		return nil, err
	}
	return o.connect(ctx, cfg)
}

// resolve is ref's configuration: files and flags, no network.
func (o *opener) resolve(ref contextRef) (*config.Config, error) {
	flags := TargetFlags{AWSFlags: o.flags, Env: ref.Env, Vault: ref.Vault}
	return config.Resolve(o.project, flags.flags()) // its errors name the env or vault at fault
}

// connect makes (or reuses) the client for cfg.
func (o *opener) connect(ctx context.Context, cfg *config.Config) (*vaultEnv, error) {
	conn, err := o.session.Open(ctx, cfg.Region, targetOf(cfg))
	if err != nil {
		return nil, err
	}
	logWhere(o.logf, cfg, conn.Region, o.flags.Region)
	return &vaultEnv{cfg: cfg, conn: conn}, nil
}

// targetOf is the secrets cfg names: its namespace, its vault's scope and
// its env.
func targetOf(cfg *config.Config) fetch.Target {
	return fetch.Target{Namespace: cfg.Namespace, Scope: cfg.Vault.Scope, Env: cfg.Env}
}

// String is "env" or "vault:env".
func (r contextRef) String() string {
	if r.Vault == "" {
		return r.Env
	}
	return r.Vault + ":" + r.Env
}

// envs are the project's environments, or none without a project.
func (o *opener) envs() []string {
	if o.project == nil {
		return nil
	}
	return o.project.Settings.Envs
}
