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
	"time"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/readfile"
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
	src, err := readfile.Read(path, readfile.MaxDotenv, false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Msg: fmt.Sprintf("template %s not found", path), Help: "give its path with --template=FILE (auto means <template_path>/<env>.env)"}
	}
	var he *Error
	if errors.As(err, &he) {
		return nil, err
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
	Region string
}

// fetched is what fetchTemplate found.
type fetched struct {
	Secrets render.Secrets
	Calls   fetch.Calls
	Vaults  []string // the slugs fetched from, sorted
	// Wanted is where each vault's secrets were read, by slug; Versions
	// the VersionId of each secret found: what --watch follows.
	Wanted   map[string]fetch.Wanted
	Versions map[render.Ref]string
}

// fetchTemplate fetches every secret t names by name, from all its vaults
// at once: one round trip whatever the size (see fetch.Session.ByName).
// Slugs must have been checked with checkSlugs.
func fetchTemplate(ctx context.Context, session *fetch.Session, t *render.Template, where templateFetch) (*fetched, error) {
	keys := map[string][]string{} // by slug
	for _, r := range t.Refs() {
		for _, read := range r.Ref.Reads() { // {vault:KEY.field} reads two ways
			if !slices.Contains(keys[read.Slug], read.Key) {
				keys[read.Slug] = append(keys[read.Slug], read.Key)
			}
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
	want := make(map[string]fetch.Wanted, len(keys))
	for slug, ks := range keys {
		vault := where.Vaults[slug]
		region := where.Region
		if region == "" {
			region = vault.Region
		}
		want[slug] = fetch.Wanted{Region: region, Target: fetch.Target{Namespace: where.Namespace, Scope: vault.Scope, Env: where.Env}, Keys: ks}
	}
	named, err := session.ByName(ctx, want)
	if err != nil {
		return nil, err
	}
	res := &fetched{Secrets: render.Secrets{}, Wanted: want, Versions: map[render.Ref]string{}}
	for slug, w := range want {
		res.Vaults = append(res.Vaults, slug)
		for _, k := range w.Keys {
			s, found := named[slug].Secrets[k]
			res.Secrets[render.Ref{Slug: slug, Key: k}] = render.SecretValue{Name: w.Target.SecretName(k), Value: s.Value, Found: found}
			if found {
				res.Versions[render.Ref{Slug: slug, Key: k}] = s.VersionID
			}
		}
		res.Calls.ListSecrets += named[slug].Calls.ListSecrets
		res.Calls.BatchGetSecretValue += named[slug].Calls.BatchGetSecretValue
		res.Calls.GetSecretValue += named[slug].Calls.GetSecretValue
	}
	sort.Strings(res.Vaults)
	return res, nil
}

// logTemplate reports a template fetch for --verbose, by names only.
func logTemplate(logf func(string, ...any), t *render.Template, f *fetched, took time.Duration) {
	// A {vault:KEY.field} was looked up two ways (render.Ref.Reads): count
	// the secret it reads, the whole name when that exists.
	named := map[render.Ref]bool{}
	var missing []string
	for _, r := range t.Refs() {
		read := r.Ref.Secret()
		if whole, ok := r.Ref.Whole(); ok && f.Secrets[whole].Found {
			read = whole
		}
		if !named[read] && !f.Secrets[read].Found {
			missing = append(missing, read.Key)
		}
		named[read] = true
	}
	logf("template %s: %d placeholder(s) naming %d secret(s) in vault(s) %s",
		t.File, len(t.Refs()), len(named), strings.Join(f.Vaults, ", "))
	sort.Strings(missing)
	if len(missing) > 0 {
		logf("not found: %s", strings.Join(missing, ", "))
	}
	logf("%d API call(s) (%d BatchGetSecretValue%s) in %s",
		f.Calls.ListSecrets+f.Calls.BatchGetSecretValue+f.Calls.GetSecretValue, f.Calls.BatchGetSecretValue, getCalls(f.Calls), took.Round(time.Millisecond))
}

// requirePlaceholders refuses a template that names no secret, unless
// allowEmpty: as a listing that finds none, a truncated or empty template
// must not start the command (or write the file) without secrets.
func requirePlaceholders(t *render.Template, allowEmpty bool) error {
	if allowEmpty || len(t.Refs()) > 0 {
		return nil
	}
	return &Error{
		Msg:  fmt.Sprintf("template %s has no {vault:KEY} placeholder, so it gives no secret", t.File),
		Help: "check that the file is complete and is the template you meant, or pass --allow-empty",
	}
}

// notTheTemplate refuses an --output that is the template file itself (by
// inode: a hard link or another spelling too), which --overwrite would
// replace with secrets.
func notTheTemplate(cfg *config.Config, templateFlag, output string) error {
	path := templatePath(templateFlag, cfg.Project, cfg.Env)
	ti, err := os.Stat(path)
	if err != nil {
		return nil // loadTemplate says what is wrong
	}
	oi, err := os.Stat(output)
	if err != nil || !os.SameFile(ti, oi) {
		return nil
	}
	return &Error{
		Msg:  fmt.Sprintf("--output %s is the template %s itself", output, path),
		Help: "write the rendered file somewhere else: keep would replace the template with secrets",
	}
}
