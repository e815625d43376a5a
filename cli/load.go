package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
)

// The two ways run and export get secrets: every secret of the
// environment (the list path), or those a template names (by name).

// listSecrets lists and reads the secrets of cfg that pass filter. None is
// an error unless allowEmpty: a typo in --env must find nothing loudly.
// regionFlag is --region, for -v's account of where the region came from.
func listSecrets(ctx context.Context, cfg *config.Config, regionFlag string, filter render.Filter, allowEmpty bool, logf func(string, ...any)) ([]fetch.Secret, error) {
	target := targetOf(cfg)
	conn, err := fetch.NewSession(cfg.Profile).Open(ctx, cfg.Region, target)
	if err != nil {
		return nil, err
	}
	region := conn.Region
	vaultFrom := "no vault file"
	if cfg.VaultFile != "" {
		vaultFrom = cfg.VaultFile
	}
	regionFrom := "from the AWS SDK's chain"
	switch {
	case regionFlag != "":
		regionFrom = "from --region/KEEP_REGION"
	case cfg.Vault.Region != "":
		regionFrom = "from the vault file"
	}
	logf("vault %s (%s), region %s (%s), namespace %s, env %s: listing %s*", cfg.Vault.Slug, vaultFrom, region, regionFrom, cfg.Namespace, cfg.Env, target.Prefix())

	began := time.Now()
	res, err := conn.List(ctx, filter.Match)
	if err != nil {
		return nil, err
	}
	logf("%d API calls (%d ListSecrets, %d BatchGetSecretValue) in %s",
		res.Calls.ListSecrets+res.Calls.BatchGetSecretValue, res.Calls.ListSecrets, res.Calls.BatchGetSecretValue,
		time.Since(began).Round(time.Millisecond))
	if len(res.Skipped) > 0 {
		logf("ignored %d secrets under %s whose name or tags do not match exactly: %s", len(res.Skipped), target.Prefix(), strings.Join(res.Skipped, ", "))
	}
	if len(res.Unwanted) > 0 {
		logf("left out by %s: %s", filter, strings.Join(res.Unwanted, ", "))
	}
	keys := make([]string, len(res.Secrets))
	for i, s := range res.Secrets {
		keys[i] = s.Key
	}
	logf("%d secret(s): %s", len(keys), strings.Join(keys, ", "))

	if len(res.Secrets) == 0 && !allowEmpty {
		return nil, noSecrets(cfg, target, region, filter, len(res.Unwanted))
	}
	return res.Secrets, nil
}

func noSecrets(cfg *config.Config, t fetch.Target, region string, filter render.Filter, unwanted int) error {
	where := fmt.Sprintf("namespace %q, env %q (vault %s, region %s)", cfg.Namespace, cfg.Env, cfg.Vault.Slug, region)
	if unwanted > 0 {
		return &Error{
			Msg:  fmt.Sprintf("no secrets left after %s: it leaves out all %d found for %s", filter, unwanted, where),
			Help: "check the globs (they match the KEY, the last part of the name, case-sensitively); -v lists what was found; pass --allow-empty if none is intended",
		}
	}
	return &Error{
		Msg: "no secrets found for " + where,
		Help: fmt.Sprintf("check --env and --namespace, and that the secrets are named %s<KEY> and tagged ManagedBy=Keep, Namespace=%s, Environment=%s; pass --allow-empty if none is intended",
			t.Prefix(), cfg.Namespace, cfg.Env),
	}
}

// templateSecrets loads the template of --template (a path, or auto) and
// fetches the secrets it names from all its vaults at once. regionFlag,
// --region, overrides every vault's region.
func templateSecrets(ctx context.Context, cfg *config.Config, templateFlag, regionFlag string, logf func(string, ...any)) (*render.Template, *fetched, error) {
	t, err := loadTemplate(templatePath(templateFlag, cfg.Project, cfg.Env))
	if err != nil {
		return nil, nil, err
	}
	vaults := config.TemplateVaults(cfg.Project, cfg.Vault)
	if problems := checkSlugs(t, vaults); len(problems) > 0 {
		return nil, nil, problems
	}
	began := time.Now()
	f, err := fetchTemplate(ctx, t, templateFetch{
		Namespace: cfg.Namespace, Env: cfg.Env, Vaults: vaults, Region: regionFlag, Profile: cfg.Profile,
	})
	if err != nil {
		return nil, nil, err
	}
	logTemplate(logf, t, f, time.Since(began))
	return t, f, nil
}
