package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
)

// The two ways run and export get secrets: every secret of the
// environment (the list path), or those a template names (by name).

// resolveVaults is the configuration of each vault of --vault, a
// comma-separated list (spaces around a slug are trimmed, a slug named
// twice counts once), in its order; without --vault, of the vault
// config.Resolve chooses. Every vault must be configured and a Secrets
// Manager vault before anything is fetched: config.Resolve's checks, for
// each; and two vaults that hold the same secrets (one name prefix, one
// region, as any two slugs without vault files do) are an error, not a
// clash on every KEY. The configurations differ only in the vault and its
// region.
func resolveVaults(p *config.Project, f TargetFlags) ([]*config.Config, error) {
	slugs := []string{f.Vault}
	if strings.Contains(f.Vault, ",") {
		slugs = nil
		for _, slug := range strings.Split(f.Vault, ",") {
			slug = strings.TrimSpace(slug)
			if slug == "" {
				return nil, &Error{Msg: fmt.Sprintf("--vault=%s holds an empty slug", f.Vault), Help: "list vault slugs separated by commas, e.g. --vault=a,b"}
			}
			if !slices.Contains(slugs, slug) {
				slugs = append(slugs, slug)
			}
		}
	}
	cfgs := make([]*config.Config, 0, len(slugs))
	for _, slug := range slugs {
		flags := f.flags()
		flags.Vault = slug
		cfg, err := config.Resolve(p, flags)
		if err != nil {
			if len(slugs) > 1 && !strings.Contains(err.Error(), strconv.Quote(slug)) {
				err = fmt.Errorf("vault %s: %w", slug, err) // a bad scope or region of one of them
			}
			return nil, err
		}
		for _, other := range cfgs {
			if other.Region == cfg.Region && targetOf(other).Prefix() == targetOf(cfg).Prefix() {
				region := cfg.Region
				if region == "" {
					region = "the SDK's region"
				}
				return nil, &Error{
					Msg:  fmt.Sprintf("vaults %s and %s hold the same secrets: both read %s* in %s", other.Vault.Slug, slug, targetOf(cfg).Prefix(), region),
					Help: "pass one of them (a vault file in .keep/vaults with its own scope or region makes a vault's secrets its own)",
				}
			}
		}
		cfgs = append(cfgs, cfg)
	}
	return cfgs, nil
}

// listed is a secret and the slug of the vault it was listed in.
type listed struct {
	fetch.Secret
	Vault string
}

// listSecrets lists and reads the secrets of every vault of cfgs (see
// resolveVaults) that pass filter, the vaults concurrently over one
// fetch.Session, and returns them vault by vault, in cfgs' order. A
// failure in any vault fails the whole, naming the vault when there are
// several. None across all the vaults is an error unless allowEmpty: a
// typo in --env must find nothing loudly. A KEY found in two vaults is not
// checked here: see distinct. regionFlag is --region, for -v's account of
// where the region came from.
func listSecrets(ctx context.Context, session *fetch.Session, cfgs []*config.Config, regionFlag string, filter render.Filter, allowEmpty bool, logf func(string, ...any)) ([]listed, error) {
	results := make([]*vaultList, len(cfgs))
	g, gctx := errgroup.WithContext(ctx)
	for i, cfg := range cfgs {
		g.Go(func() error {
			vlogf := logf
			if len(cfgs) > 1 {
				vlogf = func(format string, args ...any) { logf("vault "+cfg.Vault.Slug+": "+format, args...) }
			}
			r, err := listVault(gctx, session, cfg, regionFlag, filter, logf, vlogf)
			if err != nil {
				if len(cfgs) > 1 {
					return fmt.Errorf("vault %s: %w", cfg.Vault.Slug, err)
				}
				return err
			}
			results[i] = r
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []listed
	unwanted := 0
	for i, r := range results {
		for _, s := range r.res.Secrets {
			out = append(out, listed{Secret: s, Vault: cfgs[i].Vault.Slug})
		}
		unwanted += len(r.res.Unwanted)
	}
	if allowEmpty {
		return out, nil
	}
	// Each vault must hold secrets of the environment, filters aside: a
	// typo in one vault's scope or region must not go unnoticed because
	// another vault has secrets.
	var emptyCfgs []*config.Config
	var empty []*vaultList
	for i, r := range results {
		if len(r.res.Secrets)+len(r.res.Unwanted) == 0 {
			emptyCfgs, empty = append(emptyCfgs, cfgs[i]), append(empty, r)
		}
	}
	if len(empty) > 0 {
		return nil, noSecrets(ctx, emptyCfgs, empty, filter, 0)
	}
	if len(out) == 0 {
		return nil, noSecrets(ctx, cfgs, results, filter, unwanted)
	}
	return out, nil
}

// vaultList is what listVault found in one vault.
type vaultList struct {
	res    *fetch.Result
	target fetch.Target
	region string // as resolved
	conn   *fetch.Conn
}

// listVault lists and reads the secrets of cfg's vault that pass filter.
// logf reports where, vlogf (logf, or with the vault's slug before it
// when there are several) the rest.
func listVault(ctx context.Context, session *fetch.Session, cfg *config.Config, regionFlag string, filter render.Filter, logf, vlogf func(string, ...any)) (*vaultList, error) {
	target := targetOf(cfg)
	conn, err := session.Open(ctx, cfg.Region, target)
	if err != nil {
		return nil, err
	}
	region := conn.Region
	logWhere(logf, cfg, region, regionFlag)

	began := time.Now()
	res, err := conn.List(ctx, filter.Match)
	if err != nil {
		return nil, err
	}
	vlogf("%d API calls (%d ListSecrets, %d BatchGetSecretValue%s) in %s",
		res.Calls.ListSecrets+res.Calls.BatchGetSecretValue+res.Calls.GetSecretValue, res.Calls.ListSecrets, res.Calls.BatchGetSecretValue,
		getCalls(res.Calls), time.Since(began).Round(time.Millisecond))
	if len(res.Skipped) > 0 {
		vlogf("ignored %d secrets under %s whose name or tags do not match exactly: %s", len(res.Skipped), target.Prefix(), strings.Join(res.Skipped, ", "))
	}
	if len(res.Unwanted) > 0 {
		vlogf("left out by %s: %s", filter, strings.Join(res.Unwanted, ", "))
	}
	keys := make([]string, len(res.Secrets))
	for i, s := range res.Secrets {
		keys[i] = s.Key
	}
	vlogf("%d secret(s): %s", len(keys), strings.Join(keys, ", "))
	return &vaultList{res: res, target: target, region: region, conn: conn}, nil
}

// logWhere tells logf (-v) where cfg's secrets are: the vault and its
// file, the region in use and where it came from (regionFlag is --region),
// the namespace, env and name prefix.
func logWhere(logf func(string, ...any), cfg *config.Config, region, regionFlag string) {
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
	logf("vault %s (%s), region %s (%s), namespace %s, env %s: secrets %s*", cfg.Vault.Slug, vaultFrom, region, regionFrom, cfg.Namespace, cfg.Env, targetOf(cfg).Prefix())
}

// noSecrets says that the vaults of cfgs hold no secret of the
// environment, or none that filter leaves (unwanted were left out). For
// the first, it names the secrets under the prefix that keep left out
// (see unlisted), at the cost of a ListSecrets call: the listing's filters
// hide those without keep's tags.
func noSecrets(ctx context.Context, cfgs []*config.Config, lists []*vaultList, filter render.Filter, unwanted int) error {
	cfg := cfgs[0]
	var in, prefixes []string
	for i, c := range cfgs {
		in = append(in, fmt.Sprintf("%s, region %s", c.Vault.Slug, lists[i].region))
		prefixes = append(prefixes, lists[i].target.Prefix()+"<KEY>")
	}
	vaults := "vault " + in[0]
	if len(cfgs) > 1 {
		vaults = "vaults " + strings.Join(in, "; ")
	}
	where := fmt.Sprintf("namespace %q, env %q (%s)", cfg.Namespace, cfg.Env, vaults)
	if unwanted > 0 {
		return &Error{
			Msg:  fmt.Sprintf("no secrets left after %s: it leaves out all %d found for %s", filter, unwanted, where),
			Help: "check the globs (they match the KEY, the last part of the name, case-sensitively); -v lists what was found; pass --allow-empty if none is intended",
		}
	}
	var skipped, untagged []string
	for _, l := range lists {
		skipped = append(skipped, l.res.Skipped...)
		untagged = append(untagged, unlisted(ctx, l.conn, l.res.Skipped)...)
	}
	var regions []string
	for _, l := range lists {
		if !slices.Contains(regions, l.region) {
			regions = append(regions, l.region)
		}
	}
	return &Error{
		Msg: "no secrets found for " + where + skippedNote(skipped, untagged),
		Help: fmt.Sprintf("check --env and --namespace, and that the secrets are named %s and tagged ManagedBy=Keep, Namespace=%s, Environment=%s (exactly: tags are case-sensitive); if they are in another region than %s, pass --region; pass --allow-empty if none is intended",
			strings.Join(prefixes, " or "), cfg.Namespace, cfg.Env, strings.Join(regions, " or ")),
	}
}

// unlisted are the names under conn's prefix that a listing which found
// none of the target's secrets did not list, nor skip: secrets without
// the tag ManagedBy=Keep, or scheduled for deletion. It is only a hint: a
// failure to list them is none.
func unlisted(ctx context.Context, conn *fetch.Conn, skipped []string) []string {
	keys, err := conn.Occupied(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, key := range keys {
		if name := conn.Target.SecretName(key); !slices.Contains(skipped, name) {
			out = append(out, name)
		}
	}
	return out
}

// skippedNote is what "no secrets" adds about the secrets named under the
// prefix that keep left out — skipped, their tags not matching exactly;
// untagged, without ManagedBy=Keep or scheduled for deletion —: how many,
// and the first few names of each. "" for none.
func skippedNote(skipped, untagged []string) string {
	list := func(names []string) string {
		const shown = 3
		s := strings.Join(names[:min(len(names), shown)], ", ")
		if len(names) > shown {
			s += fmt.Sprintf(" and %d more", len(names)-shown)
		}
		return s
	}
	var note string
	if len(skipped) > 0 {
		note += fmt.Sprintf("; %d secret(s) named under the prefix were skipped because their tags do not match exactly: %s", len(skipped), list(skipped))
	}
	if len(untagged) > 0 {
		note += fmt.Sprintf("; %d secret(s) named under the prefix are not tagged ManagedBy=Keep, or are scheduled for deletion: %s", len(untagged), list(untagged))
	}
	return note
}

// distinct are the secrets of ls, each KEY once. A KEY listed in two
// vaults is an error naming the KEY and both vaults: keep never picks one
// of two values for a variable. (The PHP Keep's export prints both as
// dotenv or CSV lines, and keeps the later vault's in JSON.)
func distinct(ls []listed) ([]fetch.Secret, error) {
	from := make(map[string]string, len(ls)) // KEY → vault
	var clashes []string
	out := make([]fetch.Secret, 0, len(ls))
	for _, s := range ls {
		if vault, ok := from[s.Key]; ok {
			clashes = append(clashes, fmt.Sprintf("%s is in vault %s and in vault %s", s.Key, vault, s.Vault))
			continue
		}
		from[s.Key] = s.Vault
		out = append(out, s.Secret)
	}
	if len(clashes) > 0 {
		sort.Strings(clashes)
		return nil, &Error{
			Msg:  "the same KEY in two vaults: " + strings.Join(clashes, "; "),
			Help: "keep does not choose between vaults: rename or delete one of the two secrets, leave the KEY out with --except, or read the vaults one at a time",
		}
	}
	return out, nil
}

// templateSecrets loads the template of --template (a path, or auto) and
// fetches the secrets it names from all its vaults at once. Its
// placeholders may name any vault of the project, and the vaults of cfgs
// (--vault) with or without a file. regionFlag, --region, overrides every
// vault's region.
func templateSecrets(ctx context.Context, session *fetch.Session, cfgs []*config.Config, templateFlag, regionFlag string, logf func(string, ...any)) (*render.Template, *fetched, error) {
	cfg := cfgs[0]
	t, err := loadTemplate(templatePath(templateFlag, cfg.Project, cfg.Env))
	if err != nil {
		return nil, nil, err
	}
	vaults := map[string]config.Vault{}
	for _, c := range cfgs {
		maps.Copy(vaults, config.TemplateVaults(c.Project, c.Vault))
	}
	if problems := checkSlugs(t, vaults); len(problems) > 0 {
		return nil, nil, problems
	}
	began := time.Now()
	f, err := fetchTemplate(ctx, session, t, templateFetch{
		Namespace: cfg.Namespace, Env: cfg.Env, Vaults: vaults, Region: regionFlag,
	})
	if err != nil {
		return nil, nil, err
	}
	logTemplate(logf, t, f, time.Since(began))
	return t, f, nil
}

// getCalls is ", N GetSecretValue" for --verbose when a fetch read with
// GetSecretValue (BatchGetSecretValue was throttled), else "".
func getCalls(c fetch.Calls) string {
	if c.GetSecretValue == 0 {
		return ""
	}
	return fmt.Sprintf(", %d GetSecretValue", c.GetSecretValue)
}
