package config_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/keep-run/keep/config"
)

// The PHP Keep's loaders (1.0.0-beta.8: src/Data/Settings.php and
// src/Data/VaultConfig.php, fromArray and validate), restated for the
// files keep writes: what fails them makes every PHP Keep command of the
// project fail.

var (
	phpNamespaceRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	phpEnvRE       = regexp.MustCompile(`^[a-z0-9_-]+$`)
	phpVersionRE   = regexp.MustCompile(`^\d+\.\d+$`)
	phpSlugRE      = regexp.MustCompile(`^[a-z0-9_-]+$`)
	// phpIntKeyRE is a key PHP turns into an integer key.
	phpIntKeyRE = regexp.MustCompile(`^(0|-?[1-9][0-9]*)$`)
)

// phpTrim is PHP's trim() with its default characters.
func phpTrim(s string) string { return strings.Trim(s, " \t\n\r\x00\v") }

// phpEmptyString is PHP's empty() of a string.
func phpEmptyString(s string) bool { return s == "" || s == "0" }

// phpLoadsSettings is nil when the PHP Keep's Settings::fromArray accepts
// data.
func phpLoadsSettings(data []byte) error {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	str := func(k string) (string, error) {
		v, ok := m[k].(string)
		if !ok {
			return "", fmt.Errorf("%s is %T, not a string", k, m[k])
		}
		return v, nil
	}
	app, err := str("app_name")
	if err != nil {
		return err
	}
	if phpEmptyString(phpTrim(app)) || len(app) > 100 {
		return fmt.Errorf("app name %q", app)
	}
	ns, err := str("namespace")
	if err != nil {
		return err
	}
	if ns = phpTrim(ns); !phpNamespaceRE.MatchString(ns) || len(ns) > 100 {
		return fmt.Errorf("namespace %q", ns)
	}
	envs, ok := m["envs"].([]any)
	if !ok || len(envs) == 0 {
		return fmt.Errorf("envs %v", m["envs"])
	}
	seen := map[string]bool{}
	for _, e := range envs {
		env, ok := e.(string)
		if !ok || phpEmptyString(phpTrim(env)) || !phpEnvRE.MatchString(env) || len(env) > 50 || seen[env] {
			return fmt.Errorf("env %v", e)
		}
		seen[env] = true
	}
	if v, ok := m["default_vault"]; ok && v != nil {
		if s, ok := v.(string); !ok || !phpNamespaceRE.MatchString(s) {
			return fmt.Errorf("default_vault %v", v)
		}
	}
	for _, k := range []string{"template_path", "created_at", "updated_at"} {
		if v, ok := m[k]; ok && v != nil {
			if _, ok := v.(string); !ok {
				return fmt.Errorf("%s is %T", k, v)
			}
		}
	}
	if v, ok := m["version"]; ok && v != nil {
		if s, ok := v.(string); !ok || !phpVersionRE.MatchString(s) {
			return fmt.Errorf("version %v", v)
		}
	}
	return nil
}

// phpLoadsVault is nil when the PHP Keep's VaultConfig::fromArray accepts
// data.
func phpLoadsVault(data []byte) error {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	for _, k := range []string{"slug", "driver", "name"} {
		s, ok := m[k].(string)
		if !ok {
			return fmt.Errorf("%s is %T, not a string", k, m[k])
		}
		limit := 50
		if k == "name" {
			limit = 100
		}
		if phpEmptyString(phpTrim(s)) || len(s) > limit || k != "name" && !phpSlugRE.MatchString(s) {
			return fmt.Errorf("%s %q", k, s)
		}
	}
	if v, ok := m["scope"]; ok && v != nil {
		if _, ok := v.(string); !ok {
			return fmt.Errorf("scope is %T", v)
		}
	}
	for k, v := range m {
		switch k {
		case "slug", "driver", "name", "scope", "permissions", "permissions_verified_at":
			continue
		}
		if err := phpConfigValue(k, v); err != nil {
			return err
		}
	}
	return nil
}

// phpConfigValue is validateConfigStructure for one setting: a JSON array
// has integer keys, which it refuses; an object needs non-empty string
// keys (PHP turns "7" into an integer key); strings are at most 1000
// bytes.
func phpConfigValue(path string, v any) error {
	switch v := v.(type) {
	case []any:
		return fmt.Errorf("%s is an array: integer keys", path)
	case map[string]any:
		for k, sub := range v {
			if phpTrim(k) == "" || phpIntKeyRE.MatchString(k) {
				return fmt.Errorf("%s.%s: not a string key", path, k)
			}
			if err := phpConfigValue(path+"."+k, sub); err != nil {
				return err
			}
		}
	case string:
		if len(v) > 1000 {
			return fmt.Errorf("%s is %d bytes", path, len(v))
		}
	}
	return nil
}

// The oracle itself: the PHP Keep's own files load, a vault file with a
// JSON array does not.
func TestPHPLoaders(t *testing.T) {
	php := filepath.Join("testdata", "php", config.Dir)
	if err := phpLoadsSettings(readFile(t, filepath.Join(php, "settings.json"))); err != nil {
		t.Errorf("the PHP Keep's settings.json: %v", err)
	}
	for _, name := range []string{"secretsmanager.json", "ssm.json"} {
		if err := phpLoadsVault(readFile(t, filepath.Join(php, "vaults", name))); err != nil {
			t.Errorf("the PHP Keep's %s: %v", name, err)
		}
	}
	for _, bad := range []string{
		`{"slug": "sm", "driver": "secretsmanager", "name": "SM", "replica_regions": ["us-west-2"]}`,
		`{"slug": "sm", "driver": "secretsmanager", "name": "0"}`,
		`{"slug": "sm", "driver": "secretsmanager", "name": "SM", "key": "` + strings.Repeat("k", 1001) + `"}`,
	} {
		if phpLoadsVault([]byte(bad)) == nil {
			t.Errorf("the oracle accepts %.80s", bad)
		}
	}
}

// Every file the writers' goldens hold, the PHP Keep loads.
func TestGoldensLoadInThePHPKeep(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no goldens (%v)", err)
	}
	for _, file := range files {
		load := phpLoadsVault
		if strings.HasPrefix(filepath.Base(file), "settings") {
			load = phpLoadsSettings
		}
		if err := load(readFile(t, file)); err != nil {
			t.Errorf("the PHP Keep refuses %s: %v", file, err)
		}
	}
}

// checkPHPLoads fails unless the PHP Keep loads the file at path.
func checkPHPLoads(t *testing.T, path string, load func([]byte) error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := load(data); err != nil {
		t.Fatalf("keep wrote %s, which the PHP Keep refuses: %v\n%s", path, err, data)
	}
}
