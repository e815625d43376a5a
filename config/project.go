// Package config resolves what a keep command works on — namespace,
// environment, vault, region — from the project's .keep/ files, KEEP_*
// environment variables and flags, in that order of increasing precedence.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/keep-run/keep/internal/readfile"
)

// Dir is the name of the project directory that holds keep's files.
const Dir = ".keep"

// Settings is .keep/settings.json as the PHP Keep writes it.
type Settings struct {
	AppName      string   `json:"app_name,omitempty"`
	Namespace    string   `json:"namespace,omitempty"`
	Envs         []string `json:"envs,omitempty"`
	DefaultVault string   `json:"default_vault,omitempty"`
	TemplatePath string   `json:"template_path,omitempty"`
	CreatedAt    string   `json:"created_at,omitempty"`
	UpdatedAt    string   `json:"updated_at,omitempty"`
	Version      string   `json:"version,omitempty"`
}

// Vault is one .keep/vaults/<slug>.json file.
type Vault struct {
	Slug   string `json:"slug"`
	Driver string `json:"driver"`
	Name   string `json:"name,omitempty"`
	Region string `json:"region,omitempty"`
	// Key is the KMS key for new secrets; empty means the AWS managed key.
	Key string `json:"key,omitempty"`
	// Scope is an optional path inserted between namespace and env in
	// secret names: <namespace>/<scope>/<env>/<KEY>. LoadProject trims it
	// as the PHP Keep does (TrimScope).
	Scope string `json:"scope,omitempty"`
	// ReplicaRegions are regions new secrets are replicated to, each
	// "region" or "region=kms-key" (keys are regional; none means that
	// region's AWS managed key). keep's own addition to the format.
	ReplicaRegions Replicas `json:"replica_regions,omitempty"`
}

// Replicas are a vault file's replica_regions. The file holds them as one
// comma-separated string, "us-west-2,eu-west-1=alias/key": the PHP Keep
// loads a vault file only if each of its other settings is a string,
// number, boolean, null or an object with string keys, and refuses the
// whole project over a JSON array (src/Data/VaultConfig.php,
// validateConfigStructure). The array keep wrote before is read too.
type Replicas []string

// UnmarshalJSON reads the comma-separated string (blank entries dropped,
// spaces around entries trimmed), or an array of strings.
func (r *Replicas) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*r = splitReplicas(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	*r = list
	return nil
}

func splitReplicas(s string) Replicas {
	var out Replicas
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// TrimScope is a vault file's scope as the PHP Keep uses it
// (src/Vaults/AwsSecretsManagerVault.php, format and getSecretTags): '/'
// trimmed from both ends, so "/app2/" is app2; and "0", which PHP takes
// for false, is no scope at all.
func TrimScope(scope string) string {
	if scope = strings.Trim(scope, "/"); scope == "0" {
		return ""
	}
	return scope
}

// DriverSecretsManager is the only vault driver keep speaks.
const DriverSecretsManager = "secretsmanager"

// Project is a .keep/ directory and what it holds.
type Project struct {
	// Root is the directory that contains .keep/.
	Root     string
	Settings Settings
	// Vaults by slug, from .keep/vaults/*.json.
	Vaults map[string]Vault
}

// FindProject looks for .keep/settings.json in dir and then in each parent
// of dir. It returns nil and no error when there is none: a project
// directory is optional. The first one found must be trusted (see
// checkTrust): another user's .keep/ is an error, never skipped.
func FindProject(dir string) (*Project, error) {
	root, err := FindRoot(dir)
	if err != nil || root == "" {
		return nil, err
	}
	if err := checkTrust(root); err != nil {
		return nil, err
	}
	return LoadProject(root)
}

// FindRoot is FindProject without reading the project: the directory
// holding the .keep/settings.json nearest to dir, or "" for none.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", Dir, err)
	}
	for {
		settings := filepath.Join(dir, Dir, "settings.json")
		// ENOTDIR: .keep is a file, like the empty placeholders that keep
		// directories in git (Rails' tmp/.keep); not a project, walk on.
		if _, err := os.Stat(settings); err == nil {
			return dir, nil
		} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return "", fmt.Errorf("find %s: %w", Dir, err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// LoadProject reads root/.keep/settings.json and every vault file in
// root/.keep/vaults.
func LoadProject(root string) (*Project, error) {
	p := &Project{Root: root, Vaults: map[string]Vault{}}
	if err := readJSON(filepath.Join(root, Dir, "settings.json"), &p.Settings); err != nil {
		return nil, err
	}
	// Not filepath.Glob: root is a path, and may contain [ * ? or \.
	vaultDir := filepath.Join(root, Dir, "vaults")
	if fi, err := os.Stat(vaultDir); err == nil && !fi.IsDir() {
		// Not even opened: a FIFO there would block os.ReadDir.
		return nil, &Error{Msg: fmt.Sprintf("%s is not a directory", vaultDir), Help: "remove it; keep init and vault:add make the directory"}
	}
	entries, err := os.ReadDir(vaultDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list vaults: %w", err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(vaultDir, e.Name())
		var v Vault
		if err := readJSON(path, &v); err != nil {
			return nil, err
		}
		v.Scope = TrimScope(v.Scope)
		slug := strings.TrimSuffix(filepath.Base(path), ".json")
		if v.Slug == "" {
			v.Slug = slug
		}
		if v.Slug != slug {
			return nil, &Error{
				Msg:  fmt.Sprintf("%s: slug %q does not match the file name", path, v.Slug),
				Help: fmt.Sprintf("rename the file to %s.json or set \"slug\": %q", v.Slug, slug),
			}
		}
		p.Vaults[slug] = v
	}
	return p, nil
}

// VaultSlugs returns the configured vault slugs, sorted.
func (p *Project) VaultSlugs() []string {
	slugs := make([]string, 0, len(p.Vaults))
	for s := range p.Vaults {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	return slugs
}

func readJSON(path string, v any) error {
	data, err := readfile.Read(path, readfile.MaxJSON, false)
	var he *Error
	if errors.As(err, &he) {
		return err
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if bytes.HasPrefix(data, []byte("\ufeff")) {
		// As the PHP Keep, which shares the file, keep reads JSON without
		// a byte order mark; say so rather than "invalid character 'ï'".
		return &Error{Msg: fmt.Sprintf("%s: invalid JSON: the file starts with a UTF-8 byte order mark", path), Help: "save the file as UTF-8 without a BOM"}
	}
	if err := json.Unmarshal(data, v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line := 1 + strings.Count(string(data[:min(int(syn.Offset), len(data))]), "\n")
			return &Error{Msg: fmt.Sprintf("%s:%d: invalid JSON: %v", path, line, err), Help: "fix the file or recreate it with the Keep CLI"}
		}
		return &Error{Msg: fmt.Sprintf("%s: invalid JSON: %v", path, err), Help: "fix the file or recreate it with the Keep CLI"}
	}
	return nil
}
