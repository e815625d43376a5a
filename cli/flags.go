package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
)

// The flag sets the commands embed, each declared once. A command sets
// the variables a set's tags name with kong's set:"name=value" on the
// embedded field, e.g. TimeoutFlag `set:"timeout=5m"`.

// NamespaceFlag says whose secrets: the project's namespace.
type NamespaceFlag struct {
	Namespace string `env:"KEEP_NAMESPACE" placeholder:"NS" help:"Namespace (default: \"namespace\" in .keep/settings.json)."`
}

// AWSFlags say whose secrets and where: the namespace, and the AWS region
// and profile. Every command that talks to AWS embeds them.
type AWSFlags struct {
	NamespaceFlag
	Region  string `env:"KEEP_REGION" placeholder:"REGION" help:"AWS region, for every vault used (default: each vault file's region, then AWS_REGION or the profile's)."`
	Profile string `env:"AWS_PROFILE" placeholder:"NAME" help:"AWS shared-config profile."`
	// The SDK reads AWS_ENDPOINT_URL(_SECRETS_MANAGER) itself; the flag wins.
	EndpointURL string `name:"endpoint-url" placeholder:"URL" help:"Secrets Manager endpoint, as the AWS CLI's --endpoint-url (default: AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, then AWS's)."`
}

// session is a fetch.Session of f's profile and endpoint that tells logf
// (nil: nothing) of every API call.
func (f AWSFlags) session(logf func(string, ...any)) *fetch.Session {
	s := fetch.NewSession(f.Profile)
	s.Endpoint, s.Log = f.EndpointURL, logf
	return s
}

// TargetFlags choose one environment of one vault: the secrets of run,
// export and the secret commands. run and export take several vaults in
// --vault (see resolveVaults), and say so in its help with
// set:"vault_placeholder=…" and set:"vault_list=…" on the embedded field.
type TargetFlags struct {
	AWSFlags
	Env   string `short:"e" env:"KEEP_ENV" placeholder:"ENV" help:"Environment, e.g. production."`
	Vault string `env:"KEEP_VAULT" placeholder:"${vault_placeholder=SLUG}" help:"${vault_list=Vault slug} (default: ${vault_default=default_vault in .keep/settings.json, the only vault file, or secretsmanager})."`
}

// flags are f for config.Resolve.
func (f TargetFlags) flags() config.Flags {
	return config.Flags{Namespace: f.Namespace, Env: f.Env, Vault: f.Vault, Region: f.Region, Profile: f.Profile}
}

// FilterFlags select secrets by KEY with globs (see render.Filter).
type FilterFlags struct {
	Only   string `env:"KEEP_ONLY" placeholder:"GLOBS" help:"${only_verb=Only} secrets whose KEY matches one of these comma-separated globs, e.g. 'DB_*,API_*'${only_note=}."`
	Except string `env:"KEEP_EXCEPT" placeholder:"GLOBS" help:"Leave out secrets whose KEY matches one of these globs (wins over --only)."`
}

// filter parses the globs.
func (f FilterFlags) filter() (render.Filter, error) {
	return render.ParseFilter(f.Only, f.Except)
}

// ExplicitFilterFlags are FilterFlags without the variables, for copy and
// diff: a KEEP_ONLY exported for keep run must not narrow unnoticed what is
// copied, or what diff --exit-code compares.
type ExplicitFilterFlags struct {
	Only   string `placeholder:"GLOBS" help:"Only KEYs matching one of these comma-separated globs."`
	Except string `placeholder:"GLOBS" help:"Leave out KEYs matching one of these globs (wins over --only)."`
}

// filter parses the globs.
func (f ExplicitFilterFlags) filter() (render.Filter, error) {
	return FilterFlags(f).filter()
}

// TimeoutFlag bounds a command's network work: 30s unless the command
// sets timeout; deadline_of says in --help what it bounds.
type TimeoutFlag struct {
	Timeout time.Duration `env:"KEEP_TIMEOUT" default:"${timeout=30s}" help:"Deadline for ${deadline_of=the whole command}."`
}

// deadline is parent bounded by --timeout. A timeout that is not positive
// would end the command before it starts: a usage error, reported where
// the command starts its network work (template:validate without --env
// never does).
func (f TimeoutFlag) deadline(parent context.Context) (context.Context, context.CancelFunc, error) {
	if f.Timeout <= 0 {
		return nil, nil, &Error{Msg: fmt.Sprintf("--timeout must be positive, not %s", f.Timeout), Help: "e.g. --timeout=30s (the default for most commands) or --timeout=2m"}
	}
	ctx, cancel := context.WithTimeout(parent, f.Timeout)
	return ctx, cancel, nil
}

// SplayFlag spreads a fleet that starts at once: each keep waits a random
// time in [0, Splay) before its first call to AWS, outside --timeout, so
// that thousands of starts neither call nor back off in lockstep.
type SplayFlag struct {
	Splay time.Duration `env:"KEEP_SPLAY" placeholder:"DURATION" help:"Wait a random time between 0 and DURATION before the first call to AWS, so that a fleet starting at once does not call in lockstep (not counted in --timeout)."`
}

// wait sleeps a random time in [0, Splay), or until ctx ends (its cause is
// returned then). A negative splay is a usage error.
func (f SplayFlag) wait(ctx context.Context) error {
	if f.Splay < 0 {
		return &Error{Msg: fmt.Sprintf("--splay must not be negative, not %s", f.Splay), Help: "e.g. --splay=10s spreads the first calls over 10 seconds"}
	}
	if f.Splay == 0 {
		return nil
	}
	t := time.NewTimer(rand.N(f.Splay))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
