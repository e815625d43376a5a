package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
)

// writeProject creates root/.keep/settings.json (when settings is not "")
// and root/.keep/vaults/<name> for each entry of vaults.
func writeProject(t *testing.T, root, settings string, vaults map[string]string) {
	t.Helper()
	if settings != "" {
		writeFile(t, filepath.Join(root, config.Dir, "settings.json"), settings)
	}
	for name, body := range vaults {
		writeFile(t, filepath.Join(root, config.Dir, "vaults", name), body)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdirs(t *testing.T, parts ...string) string {
	t.Helper()
	dir := filepath.Join(parts...)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// findProject runs FindProject from dir and stops the test unless it finds
// the project at root.
func findProject(t *testing.T, dir, root string) *config.Project {
	t.Helper()
	p, err := config.FindProject(dir)
	if err != nil {
		t.Fatalf("FindProject(%s): %v", dir, err)
	}
	if p == nil || !sameDir(t, p.Root, root) {
		t.Fatalf("FindProject(%s) = %+v, want the project at %s", dir, p, root)
	}
	return p
}

// sameDir reports whether two paths name one directory, after making them
// absolute and resolving symbolic links (t.TempDir may sit under one).
func sameDir(t *testing.T, got, want string) bool {
	t.Helper()
	resolve := func(p string) string {
		p, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		if p, err = filepath.EvalSymlinks(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return resolve(got) == resolve(want)
}

const minimalSettings = `{"app_name": "app", "namespace": "app", "envs": ["production"]}`

// phpNullSettings are settings as the PHP Keep writes them with no default
// vault and no creation time: "default_vault": null, "created_at": null.
const phpNullSettings = `{
    "app_name": "app",
    "namespace": "app",
    "envs": ["local", "production"],
    "default_vault": null,
    "template_path": "env",
    "created_at": null,
    "updated_at": "2025-01-01T00:00:00+00:00",
    "version": "1.0"
}`

func TestFindProjectNone(t *testing.T) {
	dir := t.TempDir()
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, config.Dir, "settings.json")); err == nil {
			t.Skipf("%s has a %s project; the temporary directory is inside it", d, config.Dir)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	sub := mkdirs(t, dir, "a", "b")
	for _, d := range []string{dir, sub} {
		p, err := config.FindProject(d)
		if p != nil || err != nil {
			t.Errorf("FindProject(%s) = %+v, %v; want nil, nil", d, p, err)
		}
	}
}

func TestFindProjectNeedsSettings(t *testing.T) {
	// A .keep directory with vaults but no settings.json is not a project.
	dir := t.TempDir()
	writeProject(t, dir, "", map[string]string{"secretsmanager.json": `{"slug": "secretsmanager", "driver": "secretsmanager"}`})
	p, err := config.FindProject(dir)
	if p != nil || err != nil {
		t.Errorf("FindProject = %+v, %v; want nil, nil", p, err)
	}
}

func TestFindProjectIgnoresKeepFile(t *testing.T) {
	// Rails and others put empty .keep files in directories to keep them in
	// git; such a file is not a project and must not stop the walk up.
	root := t.TempDir()
	writeProject(t, root, minimalSettings, nil)
	sub := mkdirs(t, root, "tmp", "cache")
	writeFile(t, filepath.Join(root, "tmp", ".keep"), "")
	writeFile(t, filepath.Join(sub, ".keep"), "")
	findProject(t, sub, root)

	lone := t.TempDir()
	writeFile(t, filepath.Join(lone, ".keep"), "")
	if p, err := config.FindProject(lone); p != nil || err != nil {
		t.Errorf("FindProject(dir with a .keep file) = %+v, %v; want nil, nil", p, err)
	}
}

func TestFindProjectInDir(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, minimalSettings, nil)
	p := findProject(t, root, root)
	if p.Settings.Namespace != "app" {
		t.Errorf("Namespace = %q, want app", p.Settings.Namespace)
	}
	if p.Vaults == nil || len(p.Vaults) != 0 {
		t.Errorf("Vaults = %v, want an empty, non-nil map", p.Vaults)
	}
	if slugs := p.VaultSlugs(); len(slugs) != 0 {
		t.Errorf("VaultSlugs() = %q, want none", slugs)
	}
}

func TestFindProjectWalksUp(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, minimalSettings, nil)
	p := findProject(t, mkdirs(t, root, "src", "app", "deep"), root)
	if !filepath.IsAbs(p.Root) {
		t.Errorf("Root = %q, want an absolute path", p.Root)
	}
}

func TestFindProjectNearestWins(t *testing.T) {
	outer := t.TempDir()
	writeProject(t, outer, `{"namespace": "outer", "envs": ["production"]}`, nil)
	inner := mkdirs(t, outer, "services", "inner")
	writeProject(t, inner, `{"namespace": "inner", "envs": ["production"]}`, nil)
	if p := findProject(t, mkdirs(t, inner, "cmd"), inner); p.Settings.Namespace != "inner" {
		t.Errorf("FindProject found namespace %q, want the inner project's", p.Settings.Namespace)
	}
}

func TestFindProjectRelativeDir(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, minimalSettings, nil)
	sub := mkdirs(t, root, "web")
	t.Chdir(sub)
	p := findProject(t, ".", root)
	if !filepath.IsAbs(p.Root) {
		t.Errorf("Root = %q, want an absolute path", p.Root)
	}
}

func TestLoadProjectAsPHPKeepWritesIt(t *testing.T) {
	// testdata/php holds files byte for byte as the PHP Keep writes them
	// (JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES, no final newline), with the
	// fields keep ignores (permissions, permissions_verified_at).
	root := filepath.Join("testdata", "php")
	p := findProject(t, filepath.Join(root, config.Dir, "vaults"), root)
	want := config.Settings{
		AppName:      "Acme Billing",
		Namespace:    "acme-billing",
		Envs:         []string{"local", "staging", "production"},
		DefaultVault: "secretsmanager",
		TemplatePath: "env",
		CreatedAt:    "2025-03-04T09:15:27+00:00",
		UpdatedAt:    "2025-03-05T17:02:11+00:00",
		Version:      "1.0",
	}
	got := p.Settings
	if !slices.Equal(got.Envs, want.Envs) {
		t.Errorf("Envs = %q, want %q", got.Envs, want.Envs)
	}
	got.Envs, want.Envs = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Settings = %+v\nwant       %+v", got, want)
	}
	if slugs := p.VaultSlugs(); !slices.Equal(slugs, []string{"secretsmanager", "ssm"}) {
		t.Errorf("VaultSlugs() = %q, want [secretsmanager ssm]", slugs)
	}
	wantVaults := map[string]config.Vault{
		"secretsmanager": {
			Slug:   "secretsmanager",
			Driver: "secretsmanager",
			Name:   "AWS Secrets Manager",
			Region: "eu-west-1",
			Key:    "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			Scope:  "billing/eu",
		},
		"ssm": {Slug: "ssm", Driver: "ssm", Name: "AWS Parameter Store", Region: "us-east-1"},
	}
	for slug, want := range wantVaults {
		if got := p.Vaults[slug]; !reflect.DeepEqual(got, want) {
			t.Errorf("Vaults[%q] = %+v\nwant %+v", slug, got, want)
		}
	}
}

func TestLoadProjectPHPNulls(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, phpNullSettings, nil)
	p, err := config.LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	if p.Settings.DefaultVault != "" || p.Settings.CreatedAt != "" {
		t.Errorf("null fields: DefaultVault = %q, CreatedAt = %q; want empty", p.Settings.DefaultVault, p.Settings.CreatedAt)
	}
}

func TestLoadProjectVaults(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, minimalSettings, map[string]string{
		"main.json":   `{"slug": "main", "driver": "secretsmanager", "name": "Main", "region": "eu-central-1", "key": "alias/keep", "scope": "team-a"}`,
		"noslug.json": `{"driver": "secretsmanager", "name": "No slug"}`,
		"README.md":   "not a vault",
		"main.json~":  "editor backup, not a vault",
	})
	p, err := config.LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	if slugs := p.VaultSlugs(); !slices.Equal(slugs, []string{"main", "noslug"}) {
		t.Fatalf("VaultSlugs() = %q, want [main noslug]", slugs)
	}
	want := config.Vault{Slug: "main", Driver: "secretsmanager", Name: "Main", Region: "eu-central-1", Key: "alias/keep", Scope: "team-a"}
	if got := p.Vaults["main"]; !reflect.DeepEqual(got, want) {
		t.Errorf("Vaults[main] = %+v, want %+v", got, want)
	}
	if got := p.Vaults["noslug"].Slug; got != "noslug" {
		t.Errorf("a vault file without a slug: Slug = %q, want the file name noslug", got)
	}
}

func TestLoadProjectRootWithGlobCharacters(t *testing.T) {
	// The project path is a path, not a pattern.
	for _, name := range []string{"app[1]", "app*", "what?", `back\slash`} {
		root := mkdirs(t, t.TempDir(), name)
		writeProject(t, root, minimalSettings, map[string]string{
			"main.json": `{"slug": "main", "driver": "secretsmanager", "region": "eu-west-1"}`,
		})
		p, err := config.FindProject(root)
		if err != nil {
			t.Errorf("FindProject(%q): %v", name, err)
			continue
		}
		if p == nil {
			t.Errorf("FindProject(%q) found no project", name)
			continue
		}
		if slugs := p.VaultSlugs(); !slices.Equal(slugs, []string{"main"}) {
			t.Errorf("project in %q: VaultSlugs() = %q, want [main]", name, slugs)
		}
	}
}

func TestLoadProjectSlugMismatch(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, minimalSettings, map[string]string{
		"prod.json": `{"slug": "production", "driver": "secretsmanager"}`,
	})
	p, err := config.LoadProject(root)
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("LoadProject = %+v, %v; want a *config.Error", p, err)
	}
	if p != nil {
		t.Errorf("LoadProject returned a project with its error")
	}
	for _, want := range []string{"prod.json", `"production"`} {
		if !strings.Contains(ce.Error(), want) {
			t.Errorf("error %q does not mention %s", ce.Error(), want)
		}
	}
	if !strings.Contains(ce.Hint(), "production.json") || !strings.Contains(ce.Hint(), `"prod"`) {
		t.Errorf("hint %q should offer renaming to production.json or setting the slug to \"prod\"", ce.Hint())
	}
	// FindProject reports the same error.
	if _, err := config.FindProject(root); !errors.As(err, &ce) {
		t.Errorf("FindProject: err = %v, want a *config.Error", err)
	}
}

func TestLoadProjectInvalidJSON(t *testing.T) {
	tests := []struct {
		name     string
		file     string // relative to .keep
		body     string
		wantLine int
	}{
		{
			name:     "missing comma in settings",
			file:     "settings.json",
			body:     "{\n    \"app_name\": \"app\",\n    \"namespace\": \"app\"\n    \"envs\": [\"production\"]\n}",
			wantLine: 4,
		},
		{
			name:     "trailing comma in settings",
			file:     "settings.json",
			body:     "{\n    \"namespace\": \"app\",\n    \"envs\": [\"production\"],\n}",
			wantLine: 4,
		},
		{
			name:     "error on the first line",
			file:     "settings.json",
			body:     "namespace: app\n",
			wantLine: 1,
		},
		{
			name:     "empty settings",
			file:     "settings.json",
			body:     "",
			wantLine: 1,
		},
		{
			name:     "bad vault file",
			file:     "vaults/main.json",
			body:     "{\n    \"slug\": \"main\",\n    \"driver\": 'secretsmanager'\n}",
			wantLine: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeProject(t, root, minimalSettings, nil)
			path := filepath.Join(root, config.Dir, filepath.FromSlash(tt.file))
			writeFile(t, path, tt.body)
			for fn, load := range map[string]func(string) (*config.Project, error){
				"LoadProject": config.LoadProject,
				"FindProject": config.FindProject,
			} {
				p, err := load(root)
				var ce *config.Error
				if !errors.As(err, &ce) {
					t.Fatalf("%s = %+v, %v; want a *config.Error", fn, p, err)
				}
				wantPrefix := path + ":"
				m := regexp.MustCompile(`^(.*):(\d+): `).FindStringSubmatch(ce.Error())
				if m == nil || m[1]+":" != wantPrefix {
					t.Fatalf("%s: error %q does not start with FILE:LINE for %s", fn, ce.Error(), path)
				}
				if m[2] != strconv.Itoa(tt.wantLine) {
					t.Errorf("%s: error %q points at line %s, want %d", fn, ce.Error(), m[2], tt.wantLine)
				}
				if ce.Hint() == "" {
					t.Errorf("%s: no hint", fn)
				}
			}
		})
	}
}

func TestLoadProjectWrongJSONType(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, `{"namespace": "app", "envs": "production"}`, nil)
	_, err := config.LoadProject(root)
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *config.Error", err)
	}
	if !strings.Contains(ce.Error(), filepath.Join(root, config.Dir, "settings.json")) {
		t.Errorf("error %q does not name the file", ce.Error())
	}
}

func TestLoadProjectTrimsScope(t *testing.T) {
	// The PHP Keep trims '/' around the scope (and takes "0" for none), so
	// "/app2/" names the secrets app/app2/<env>/KEY.
	for scope, want := range map[string]string{
		"app2":         "app2",
		"/app2/":       "app2",
		"//app2":       "app2",
		"/billing/eu/": "billing/eu",
		"/":            "",
		"":             "",
		"0":            "",
		"/0/":          "",
		"00":           "00",
		"a//b":         "a//b", // still refused by CheckScope
	} {
		root := t.TempDir()
		writeProject(t, root, minimalSettings, map[string]string{"main.json": fmt.Sprintf(`{"slug": "main", "driver": "secretsmanager", "scope": %q}`, scope)})
		p, err := config.LoadProject(root)
		if err != nil {
			t.Fatalf("scope %q: %v", scope, err)
		}
		if got := p.Vaults["main"].Scope; got != want {
			t.Errorf("scope %q read as %q, want %q", scope, got, want)
		}
		if got := config.TrimScope(scope); got != want {
			t.Errorf("TrimScope(%q) = %q, want %q", scope, got, want)
		}
	}
	root := t.TempDir()
	writeProject(t, root, minimalSettings, map[string]string{"main.json": `{"slug": "main", "driver": "secretsmanager", "scope": "/app2/"}`})
	c, err := config.Resolve(findProject(t, root, root), config.Flags{Env: "production"})
	if err != nil {
		t.Fatal(err)
	}
	if got := (fetch.Target{Namespace: c.Namespace, Scope: c.Vault.Scope, Env: c.Env}).SecretName("KEY"); got != "app/app2/production/KEY" {
		t.Errorf("secret name %q, want app/app2/production/KEY", got)
	}
}

func TestLoadProjectReplicaRegions(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       []string
		wantErr    string
	}{
		{"a string, as keep writes it", `"us-west-2,eu-west-1=alias/k"`, []string{"us-west-2", "eu-west-1=alias/k"}, ""},
		{"a string with spaces and blanks", `" us-west-2 , ,eu-west-1=alias/k, "`, []string{"us-west-2", "eu-west-1=alias/k"}, ""},
		{"one region", `"us-west-2"`, []string{"us-west-2"}, ""},
		{"an empty string", `""`, nil, ""},
		{"null", `null`, nil, ""},
		{"an array, as keep wrote it before", `["us-west-2", "eu-west-1=alias/k"]`, []string{"us-west-2", "eu-west-1=alias/k"}, ""},
		{"a number", `7`, nil, "cannot unmarshal number"},
		{"an object", `{"us-west-2": true}`, nil, "cannot unmarshal object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeProject(t, root, minimalSettings, map[string]string{"main.json": `{"slug": "main", "driver": "secretsmanager", "replica_regions": ` + tc.json + `}`})
			p, err := config.LoadProject(root)
			if tc.wantErr != "" {
				var ce *config.Error
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "main.json") {
					t.Fatalf("LoadProject = %v, want a *config.Error naming main.json with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Vaults["main"].ReplicaRegions; !slices.Equal(got, tc.want) {
				t.Errorf("ReplicaRegions = %q, want %q", got, tc.want)
			}
		})
	}
}
