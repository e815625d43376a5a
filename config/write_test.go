package config_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/config"
)

// The writers' goldens under testdata/golden hold .keep/ files byte for byte
// as the PHP Keep writes them (json_encode with JSON_PRETTY_PRINT |
// JSON_UNESCAPED_SLASHES: four spaces, slashes as they are, non-ASCII as
// \uXXXX, no final newline), in its key order. The integration tests of
// keep init and keep vault:add compare the binary's files with the same
// goldens. go test ./config -update rewrites them.
var update = flag.Bool("update", false, "rewrite testdata/golden from the writers' output")

// goldenTime is the time the goldens were written at: 2025-03-04 09:15:27
// in UTC, as PHP's date('c') prints it.
var goldenTime = time.Date(2025, 3, 4, 9, 15, 27, 0, time.UTC)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./config -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from %s\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}

// initDirs is a fresh directory with .keep/, .keep/vaults and .keep/local.
func initDirs(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := config.InitDirs(root); err != nil {
		t.Fatal(err)
	}
	return root
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSaveSettingsGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		s      config.Settings
	}{
		{
			// keep init --name='Acme Billing' --namespace=acme-billing --envs=local,staging,production
			golden: "settings-init.json",
			s:      config.Settings{AppName: "Acme Billing", Namespace: "acme-billing", Envs: []string{"local", "staging", "production"}},
		},
		{
			// … then keep vault:add: the first vault becomes the default.
			golden: "settings-default-vault.json",
			s: config.Settings{AppName: "Acme Billing", Namespace: "acme-billing", Envs: []string{"local", "staging", "production"},
				DefaultVault: "secretsmanager"},
		},
		{
			// A name PHP escapes: non-ASCII as \uXXXX (a surrogate pair
			// above U+FFFF), '/' and HTML characters as they are, quotes
			// and backslashes escaped.
			golden: "settings-escapes.json",
			s: config.Settings{AppName: `Café ☕ 🚀 a/b <x>&"q"\`, Namespace: "cafe", Envs: []string{"prod"},
				TemplatePath: "config/env", Version: "1.1"},
		},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			root := initDirs(t)
			if err := config.SaveSettings(root, tc.s, goldenTime); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, readFile(t, filepath.Join(root, config.Dir, "settings.json")))
		})
	}
}

func TestSaveSettingsKeepsCreatedAt(t *testing.T) {
	root := initDirs(t)
	s := config.Settings{AppName: "app", Namespace: "app", Envs: []string{"production"}, CreatedAt: "2024-01-02T03:04:05-05:00"}
	later := time.Date(2025, 6, 7, 8, 9, 10, 0, time.FixedZone("", 2*3600))
	if err := config.SaveSettings(root, s, later); err != nil {
		t.Fatal(err)
	}
	p, err := config.LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	if p.Settings.CreatedAt != s.CreatedAt {
		t.Errorf("created_at = %q, want the one it had, %q", p.Settings.CreatedAt, s.CreatedAt)
	}
	if want := "2025-06-07T08:09:10+02:00"; p.Settings.UpdatedAt != want {
		t.Errorf("updated_at = %q, want %q (PHP's date('c'))", p.Settings.UpdatedAt, want)
	}
}

func TestSaveSettingsRoundTrips(t *testing.T) {
	root := initDirs(t)
	s := config.Settings{AppName: "Café", Namespace: "cafe", Envs: []string{"local", "prod"}, DefaultVault: "sm",
		TemplatePath: "env", Version: "1.0"}
	if err := config.SaveSettings(root, s, goldenTime); err != nil {
		t.Fatal(err)
	}
	p, err := config.LoadProject(root)
	if err != nil {
		t.Fatal(err)
	}
	s.CreatedAt, s.UpdatedAt = config.Timestamp(goldenTime), config.Timestamp(goldenTime)
	if !reflect.DeepEqual(p.Settings, s) {
		t.Errorf("read back %+v\nwant        %+v", p.Settings, s)
	}
}

func TestSaveSettingsRefusesInvalid(t *testing.T) {
	ok := config.Settings{AppName: "app", Namespace: "app", Envs: []string{"local", "production"}}
	for _, tc := range []struct {
		name string
		edit func(*config.Settings)
		want string
	}{
		{"empty app name", func(s *config.Settings) { s.AppName = "  " }, "invalid app name"},
		{"long app name", func(s *config.Settings) { s.AppName = strings.Repeat("a", 101) }, "invalid app name"},
		// The PHP Keep counts bytes, and takes "0" for empty.
		{"app name of 102 bytes", func(s *config.Settings) { s.AppName = strings.Repeat("é", 51) }, "invalid app name"},
		{"app name 0", func(s *config.Settings) { s.AppName = " 0 " }, "invalid app name"},
		{"app name NUL", func(s *config.Settings) { s.AppName = "\x00" }, "invalid app name"},
		{"env 0", func(s *config.Settings) { s.Envs = []string{"local", "0"} }, `invalid environment "0"`},
		{"version not major.minor", func(s *config.Settings) { s.Version = "1" }, "invalid settings version"},
		{"namespace with a slash", func(s *config.Settings) { s.Namespace = "my/app" }, "invalid namespace"},
		{"namespace with a space", func(s *config.Settings) { s.Namespace = "my app" }, "invalid namespace"},
		{"long namespace", func(s *config.Settings) { s.Namespace = strings.Repeat("n", 101) }, "invalid namespace"},
		{"no envs", func(s *config.Settings) { s.Envs = nil }, "no environments"},
		{"upper-case env", func(s *config.Settings) { s.Envs = []string{"Production"} }, "invalid environment"},
		{"long env", func(s *config.Settings) { s.Envs = []string{strings.Repeat("e", 51)} }, "invalid environment"},
		{"duplicate env", func(s *config.Settings) { s.Envs = []string{"local", "prod", "local"} }, "listed twice"},
		{"bad default vault", func(s *config.Settings) { s.DefaultVault = "My Vault" }, "invalid vault slug"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := initDirs(t)
			s := ok
			tc.edit(&s)
			err := config.SaveSettings(root, s, goldenTime)
			var ce *config.Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) || ce.Hint() == "" {
				t.Fatalf("SaveSettings = %v, want a *config.Error with %q and a hint", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(root, config.Dir, "settings.json")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("settings.json written for invalid settings (stat: %v)", err)
			}
		})
	}
}

func TestSaveVaultGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		v      config.Vault
	}{
		{
			// keep vault:add with the defaults: scope always present, an
			// empty key left out (the PHP Keep stores only non-empty
			// settings).
			golden: "vault-default.json",
			v:      config.Vault{Slug: "secretsmanager", Driver: "secretsmanager", Name: "AWS Secrets Manager", Region: "us-east-1"},
		},
		{
			// Every setting: scope, region, key (slashes unescaped), and
			// keep's replica_regions last.
			golden: "vault-full.json",
			v: config.Vault{Slug: "billing-eu", Driver: "secretsmanager", Name: "  Billing EU  ", Scope: "billing/eu", Region: "eu-west-1",
				Key:            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				ReplicaRegions: []string{"us-west-2", "eu-central-1=alias/replica-key"}},
		},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			root := initDirs(t)
			if err := config.SaveVault(root, tc.v); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, readFile(t, filepath.Join(root, config.Dir, "vaults", tc.v.Slug+".json")))
			p, err := config.LoadProject(writeSettingsFor(t, root))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.v
			want.Name = strings.TrimSpace(want.Name)
			if got := p.Vaults[tc.v.Slug]; !reflect.DeepEqual(got, want) {
				t.Errorf("read back %+v\nwant        %+v", got, want)
			}
		})
	}
}

// writeSettingsFor gives root a settings.json, so LoadProject reads it.
func writeSettingsFor(t *testing.T, root string) string {
	t.Helper()
	s := config.Settings{AppName: "app", Namespace: "app", Envs: []string{"production"}}
	if err := config.SaveSettings(root, s, goldenTime); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestSaveVaultRefuses(t *testing.T) {
	ok := config.Vault{Slug: "sm", Driver: "secretsmanager", Name: "SM", Region: "us-east-1"}
	for _, tc := range []struct {
		name string
		edit func(*config.Vault)
		want string
	}{
		{"upper-case slug", func(v *config.Vault) { v.Slug = "Prod" }, "invalid vault slug"},
		{"slug with a dot", func(v *config.Vault) { v.Slug = "a.b" }, "invalid vault slug"},
		{"empty slug", func(v *config.Vault) { v.Slug = "" }, "invalid vault slug"},
		{"long slug", func(v *config.Vault) { v.Slug = strings.Repeat("s", 51) }, "invalid vault slug"},
		{"other driver", func(v *config.Vault) { v.Driver = "ssm" }, "driver"},
		{"empty name", func(v *config.Vault) { v.Name = " " }, "invalid vault name"},
		{"long name", func(v *config.Vault) { v.Name = strings.Repeat("n", 101) }, "invalid vault name"},
		// What the PHP Keep's loader refuses: more than 100 bytes, "0",
		// a setting over 1000 bytes.
		{"name of 102 bytes", func(v *config.Vault) { v.Name = strings.Repeat("é", 51) }, "invalid vault name"},
		{"name 0", func(v *config.Vault) { v.Name = "0" }, "invalid vault name"},
		{"slug 0", func(v *config.Vault) { v.Slug = "0" }, "invalid vault slug"},
		{"long key", func(v *config.Vault) { v.Key = "alias/" + strings.Repeat("k", 995) }, "the KMS key is 1001 bytes long"},
		{"replica with a comma", func(v *config.Vault) { v.ReplicaRegions = []string{"us-west-2,eu-west-1"} }, "invalid replica region"},
		{"replica with a space", func(v *config.Vault) { v.ReplicaRegions = []string{"us-west-2 "} }, "invalid replica region"},
		{"empty replica", func(v *config.Vault) { v.ReplicaRegions = []string{""} }, "invalid replica region"},
		{"replicas over 1000 bytes", func(v *config.Vault) {
			v.ReplicaRegions = nil
			for range 100 {
				v.ReplicaRegions = append(v.ReplicaRegions, "eu-west-1=k")
			}
		}, "the replica regions are 1199 bytes long"},
		{"bad scope", func(v *config.Vault) { v.Scope = "a//b" }, "invalid vault scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := initDirs(t)
			v := ok
			tc.edit(&v)
			err := config.SaveVault(root, v)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("SaveVault = %v, want an error with %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(filepath.Join(root, config.Dir, "vaults")); len(entries) != 0 {
				t.Errorf("vaults/ holds %d files after a refused SaveVault", len(entries))
			}
		})
	}
}

// git keeps no empty directory: in a fresh clone .keep/vaults is often
// missing, and SaveVault creates it as keep init does.
func TestSaveVaultCreatesTheVaultsDir(t *testing.T) {
	root := writeSettingsFor(t, t.TempDir())
	if _, err := os.Stat(filepath.Join(root, config.Dir, "vaults")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("vaults/ exists before SaveVault (stat: %v)", err)
	}
	v := config.Vault{Slug: "sm", Driver: "secretsmanager", Name: "SM", Region: "us-east-1"}
	if err := config.SaveVault(root, v); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(root, config.Dir, "vaults"))
	if err != nil {
		t.Fatal(err)
	}
	initFi, err := os.Stat(filepath.Join(initDirs(t), config.Dir, "vaults"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != initFi.Mode() {
		t.Errorf("vaults/ created with mode %v, keep init creates %v", fi.Mode(), initFi.Mode())
	}
	p, err := config.LoadProject(root)
	if err != nil || !reflect.DeepEqual(p.Vaults["sm"], v) {
		t.Errorf("read back %+v, %v; want %+v", p.Vaults["sm"], err, v)
	}
}

func TestSaveVaultRefusesToReplace(t *testing.T) {
	root := initDirs(t)
	v := config.Vault{Slug: "sm", Driver: "secretsmanager", Name: "First", Region: "us-east-1"}
	if err := config.SaveVault(root, v); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, config.Dir, "vaults", "sm.json")
	before := readFile(t, path)
	v.Name = "Second"
	if err := config.SaveVault(root, v); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second SaveVault = %v, want already exists", err)
	}
	if after := readFile(t, path); string(after) != string(before) {
		t.Errorf("the vault file changed:\n%s", after)
	}
}

func TestWritersLeaveNoTemporaryFile(t *testing.T) {
	root := initDirs(t)
	if err := config.SaveSettings(root, config.Settings{AppName: "a", Namespace: "a", Envs: []string{"p"}}, goldenTime); err != nil {
		t.Fatal(err)
	}
	if err := config.SaveVault(root, config.Vault{Slug: "sm", Driver: "secretsmanager", Name: "SM"}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{config.Dir, filepath.Join(config.Dir, "vaults")} {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".tmp") {
				t.Errorf("%s left in %s", e.Name(), dir)
			}
		}
	}
}

func TestDeleteVault(t *testing.T) {
	root := initDirs(t)
	if err := config.SaveVault(root, config.Vault{Slug: "sm", Driver: "secretsmanager", Name: "SM"}); err != nil {
		t.Fatal(err)
	}
	if err := config.DeleteVault(root, "sm"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, config.Dir, "vaults", "sm.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("sm.json still there (stat: %v)", err)
	}
	var ce *config.Error
	if err := config.DeleteVault(root, "sm"); !errors.As(err, &ce) || !strings.Contains(err.Error(), `no vault "sm"`) {
		t.Errorf("DeleteVault of a missing vault = %v, want no vault \"sm\"", err)
	}
}

func TestInitDirs(t *testing.T) {
	root := t.TempDir()
	if err := config.InitDirs(root); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"vaults", "local"} {
		if fi, err := os.Stat(filepath.Join(root, config.Dir, dir)); err != nil || !fi.IsDir() {
			t.Errorf(".keep/%s is not a directory (%v)", dir, err)
		}
	}
	gitignore := filepath.Join(root, config.Dir, ".gitignore")
	golden(t, "gitignore", readFile(t, gitignore))

	// A .gitignore the user edited stays as it is.
	if err := os.WriteFile(gitignore, []byte("local/\nmine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := config.InitDirs(root); err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, gitignore)); got != "local/\nmine\n" {
		t.Errorf("InitDirs replaced an existing .gitignore with %q", got)
	}
}

func TestTimestampIsPHPDateC(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{goldenTime, "2025-03-04T09:15:27+00:00"},
		{time.Date(2025, 12, 31, 23, 59, 59, 999, time.FixedZone("", -(5*3600+30*60))), "2025-12-31T23:59:59-05:30"},
	} {
		if got := config.Timestamp(tc.t); got != tc.want {
			t.Errorf("Timestamp(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}
