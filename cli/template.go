package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/errgroup"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
)

// autoTemplate is the --template value that means <template_path>/<env>.env.
const autoTemplate = "auto"

// templatePath resolves --template: "auto" is <template_path>/<env>.env,
// template_path from settings (default "env") and relative to the
// project's root, or to the working directory without a project.
func templatePath(flag string, p *config.Project, env string) string {
	if flag != autoTemplate {
		return flag
	}
	dir, root := "env", "."
	if p != nil {
		root = p.Root
		if p.Settings.TemplatePath != "" {
			dir = p.Settings.TemplatePath
		}
	}
	if filepath.IsAbs(dir) {
		return filepath.Join(dir, env+".env")
	}
	path := filepath.Join(root, dir, env+".env")
	if rel, err := filepath.Rel(".", path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// loadTemplate reads and parses the template at path.
func loadTemplate(path string) (*render.Template, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Msg: fmt.Sprintf("template %s not found", path), Help: "give its path with --template=FILE (auto means <template_path>/<env>.env)"}
	}
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	return render.ParseTemplate(path, string(src))
}

// checkSlugs reports, by FILE:LINE, every placeholder whose slug is not a
// Secrets Manager vault of vaults.
func checkSlugs(t *render.Template, vaults map[string]config.Vault) render.TemplateErrors {
	known := make([]string, 0, len(vaults))
	for slug, v := range vaults {
		if v.Driver == config.DriverSecretsManager {
			known = append(known, slug)
		}
	}
	sort.Strings(known)
	var problems render.TemplateErrors
	for _, r := range t.Refs() {
		v, ok := vaults[r.Ref.Slug]
		switch {
		case !ok:
			problems = append(problems, &render.TemplateError{File: t.File, Line: r.Line,
				Msg:  fmt.Sprintf("%s: %q is not a configured vault", r.Ref, r.Ref.Slug),
				Help: fmt.Sprintf("the vaults here are %s; add the vault to .keep/vaults or fix the placeholder", strings.Join(known, ", "))})
		case v.Driver != config.DriverSecretsManager:
			problems = append(problems, &render.TemplateError{File: t.File, Line: r.Line,
				Msg:  fmt.Sprintf("%s: vault %q uses driver %q; keep reads only Secrets Manager vaults", r.Ref, r.Ref.Slug, v.Driver),
				Help: "move the secret to a Secrets Manager vault"})
		}
	}
	return problems
}

// templateFetch says where a template's secrets are.
type templateFetch struct {
	Namespace, Env string
	Vaults         map[string]config.Vault
	// Region, when set, overrides every vault's region (--region).
	Region  string
	Profile string
}

// fetched is what fetchTemplate found.
type fetched struct {
	Secrets render.Secrets
	Calls   fetch.Calls
	Vaults  []string // the slugs fetched from, sorted
}

// fetchTemplate fetches every secret t names by name, from all its vaults
// at once: one round trip whatever the size (see fetch.Fetcher.ByName).
// Slugs must have been checked with checkSlugs.
func fetchTemplate(ctx context.Context, t *render.Template, where templateFetch) (*fetched, error) {
	keys := map[string][]string{} // by slug
	for _, r := range t.Refs() {
		if !slices.Contains(keys[r.Ref.Slug], r.Ref.Key) {
			keys[r.Ref.Slug] = append(keys[r.Ref.Slug], r.Ref.Key)
		}
	}
	// config.Resolve checked the chosen vault only; check every one named
	// before any fetch starts.
	for slug := range keys {
		vault := where.Vaults[slug]
		if err := config.CheckScope(vault.Scope); err != nil {
			return nil, fmt.Errorf("vault %s: %w", slug, err)
		}
		if err := config.CheckRegion(vault.Region); err != nil && where.Region == "" {
			return nil, fmt.Errorf("vault %s: %w", slug, err)
		}
	}
	res := &fetched{Secrets: render.Secrets{}}
	var mu sync.Mutex
	clients := newClients(where.Profile)
	g, gctx := errgroup.WithContext(ctx)
	for slug, ks := range keys {
		res.Vaults = append(res.Vaults, slug)
		vault := where.Vaults[slug]
		g.Go(func() error {
			region := where.Region
			if region == "" {
				region = vault.Region
			}
			client, resolved, err := clients.get(gctx, region)
			if err != nil {
				return err
			}
			target := fetch.Target{Namespace: where.Namespace, Scope: vault.Scope, Env: where.Env}
			named, err := (&fetch.Fetcher{API: client, Region: resolved}).ByName(gctx, target, ks)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, k := range ks {
				s, found := named.Secrets[k]
				res.Secrets[render.Ref{Slug: slug, Key: k}] = render.SecretValue{Name: target.SecretName(k), Value: s.Value, Found: found}
			}
			res.Calls.ListSecrets += named.Calls.ListSecrets
			res.Calls.BatchGetSecretValue += named.Calls.BatchGetSecretValue
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sort.Strings(res.Vaults)
	return res, nil
}

// clients makes one Secrets Manager client per region, on first use.
type clients struct {
	profile string
	mu      sync.Mutex
	byName  map[string]*client
}

type client struct {
	once   sync.Once
	api    *secretsmanager.Client
	region string
	err    error
}

func newClients(profile string) *clients {
	return &clients{profile: profile, byName: map[string]*client{}}
}

func (c *clients) get(ctx context.Context, region string) (*secretsmanager.Client, string, error) {
	c.mu.Lock()
	cl, ok := c.byName[region]
	if !ok {
		cl = &client{}
		c.byName[region] = cl
	}
	c.mu.Unlock()
	cl.once.Do(func() { cl.api, cl.region, cl.err = fetch.NewClient(ctx, region, c.profile) })
	return cl.api, cl.region, cl.err
}

// logTemplate reports a template fetch for --verbose, by names only.
func logTemplate(logf func(string, ...any), t *render.Template, f *fetched, took time.Duration) {
	logf("template %s: %d placeholder(s) naming %d secret(s) in vault(s) %s",
		t.File, len(t.Refs()), len(f.Secrets), strings.Join(f.Vaults, ", "))
	var missing []string
	for ref, s := range f.Secrets {
		if !s.Found {
			missing = append(missing, ref.Key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		logf("not found: %s", strings.Join(missing, ", "))
	}
	logf("%d API call(s) (%d BatchGetSecretValue) in %s",
		f.Calls.ListSecrets+f.Calls.BatchGetSecretValue, f.Calls.BatchGetSecretValue, took.Round(time.Millisecond))
}
