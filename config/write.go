package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The PHP Keep's files, byte for byte where it matters: its JSON is
// pretty-printed with four spaces, slashes unescaped, non-ASCII as \uXXXX,
// keys in a fixed order, no final newline.

// SettingsVersion is the "version" the PHP Keep writes.
const SettingsVersion = "1.0"

// DefaultTemplatePath is the PHP Keep's template_path default.
const DefaultTemplatePath = "env"

// dirPerm is the mode keep creates .keep/ and its directories with, as the
// PHP Keep (Laravel's ensureDirectoryExists) does.
const dirPerm = 0o755

// gitignore is .keep/.gitignore as the PHP Keep writes it.
const gitignore = "# Ignore local user-specific files\nlocal/\n\n# But ensure this .gitignore file is tracked\n!.gitignore\n"

// Timestamp is the PHP Keep's date('c') format.
func Timestamp(t time.Time) string { return t.Format("2006-01-02T15:04:05-07:00") }

var (
	slugRE    = regexp.MustCompile(`^[a-z0-9_-]{1,50}$`)
	appNameRE = regexp.MustCompile(`^.{1,100}$`)
	versionRE = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
)

// What the PHP Keep's loaders (src/Data/Settings.php, VaultConfig.php)
// refuse, which keep must not write: they count bytes (strlen), and take
// "0" for empty (PHP's empty()).
const (
	maxNameBytes    = 100  // app_name, a vault's name
	maxSettingBytes = 1000 // a vault file's other settings
)

// phpEmpty is PHP's empty(trim(s)): true for "", "0", and what PHP's trim
// (space, \t, \n, \r, \0, \v) leaves as either.
func phpEmpty(s string) bool {
	t := strings.Trim(s, " \t\n\r\x00\v")
	return t == "" || t == "0"
}

// CheckSlug reports whether slug is a valid vault slug: 1–50 of [a-z0-9_-],
// not "0" (which the PHP Keep takes for empty).
func CheckSlug(slug string) error {
	if !slugRE.MatchString(slug) || phpEmpty(slug) {
		return &Error{Msg: fmt.Sprintf("invalid vault slug %q", slug), Help: "a slug is 1-50 lowercase letters, digits, '_' or '-', and not \"0\""}
	}
	return nil
}

// CheckSettings validates s as the PHP Keep does, so that it loads what
// keep writes.
func CheckSettings(s Settings) error {
	if name := strings.TrimSpace(s.AppName); !appNameRE.MatchString(name) || len(name) > maxNameBytes || phpEmpty(name) {
		return &Error{Msg: fmt.Sprintf("invalid app name %q", s.AppName), Help: "an app name is 1-100 bytes (UTF-8), on one line, and not \"0\""}
	}
	if err := CheckNamespace(s.Namespace); err != nil {
		return err
	}
	if len(s.Envs) == 0 {
		return &Error{Msg: "no environments", Help: "give at least one, e.g. --envs=local,staging,production"}
	}
	for i, env := range s.Envs {
		if err := CheckEnv(env); err != nil {
			return err
		}
		if phpEmpty(env) {
			return &Error{Msg: `invalid environment "0"`, Help: `the PHP Keep takes "0" for no name and refuses the whole project; choose another name`}
		}
		if slices.Contains(s.Envs[:i], env) {
			return &Error{Msg: fmt.Sprintf("environment %q is listed twice", env), Help: "list each environment once"}
		}
	}
	if s.DefaultVault != "" {
		if err := CheckSlug(s.DefaultVault); err != nil {
			return err
		}
	}
	if s.Version != "" && !versionRE.MatchString(s.Version) {
		return &Error{Msg: fmt.Sprintf("invalid settings version %q", s.Version), Help: `a version is major.minor, e.g. "1.0"`}
	}
	return nil
}

// settingsFile is Settings in the PHP Keep's key order, with
// default_vault null until a vault exists.
type settingsFile struct {
	AppName      string   `json:"app_name"`
	Namespace    string   `json:"namespace"`
	Envs         []string `json:"envs"`
	DefaultVault *string  `json:"default_vault"`
	TemplatePath string   `json:"template_path"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	Version      string   `json:"version"`
}

// SaveSettings validates s and writes root/.keep/settings.json, with
// updated_at now, created_at now if unset, and the defaults the PHP Keep
// fills in.
func SaveSettings(root string, s Settings, now time.Time) error {
	if err := CheckSettings(s); err != nil {
		return err
	}
	f := settingsFile{
		AppName: strings.TrimSpace(s.AppName), Namespace: s.Namespace, Envs: s.Envs,
		TemplatePath: s.TemplatePath, CreatedAt: s.CreatedAt, UpdatedAt: Timestamp(now), Version: s.Version,
	}
	if s.DefaultVault != "" {
		f.DefaultVault = &s.DefaultVault
	}
	if f.TemplatePath == "" {
		f.TemplatePath = DefaultTemplatePath
	}
	if f.CreatedAt == "" {
		f.CreatedAt = f.UpdatedAt
	}
	if f.Version == "" {
		f.Version = SettingsVersion
	}
	return writeJSON(filepath.Join(root, Dir, "settings.json"), f)
}

// vaultFile is a Secrets Manager vault in the PHP Keep's key order: scope
// always, empty settings left out, every value a string (see Replicas).
type vaultFile struct {
	Slug           string `json:"slug"`
	Driver         string `json:"driver"`
	Name           string `json:"name"`
	Scope          string `json:"scope"`
	Region         string `json:"region,omitempty"`
	Key            string `json:"key,omitempty"`
	ReplicaRegions string `json:"replica_regions,omitempty"`
}

// SaveVault validates v and writes root/.keep/vaults/<slug>.json, creating
// .keep/vaults if it is missing (git keeps no empty directory), in a form
// the PHP Keep loads. It refuses to replace an existing vault file.
func SaveVault(root string, v Vault) error {
	return saveVault(root, v, false)
}

// UpdateVault validates v and rewrites its existing vault file, as
// SaveVault writes one. As the PHP Keep's vault:edit, it keeps only the
// settings a Secrets Manager vault has (Vault's fields).
func UpdateVault(root string, v Vault) error {
	return saveVault(root, v, true)
}

func saveVault(root string, v Vault, update bool) error {
	if err := CheckSlug(v.Slug); err != nil {
		return err
	}
	if v.Driver != DriverSecretsManager {
		return &Error{Msg: fmt.Sprintf("vault driver %q", v.Driver), Help: "keep writes Secrets Manager vaults only"}
	}
	if name := strings.TrimSpace(v.Name); phpEmpty(name) || len(name) > maxNameBytes {
		return &Error{Msg: fmt.Sprintf("invalid vault name %q", v.Name), Help: "a vault name is 1-100 bytes (UTF-8), and not \"0\""}
	}
	if err := CheckScope(v.Scope); err != nil {
		return err
	}
	if err := CheckRegion(v.Region); err != nil {
		return err
	}
	if len(v.Key) > maxSettingBytes {
		return &Error{Msg: fmt.Sprintf("the KMS key is %d bytes long", len(v.Key)), Help: "the PHP Keep loads no vault setting longer than 1000 bytes; give the key's id, alias or ARN"}
	}
	for _, r := range v.ReplicaRegions {
		if r == "" || strings.ContainsFunc(r, func(c rune) bool { return c == ',' || unicode.IsSpace(c) }) {
			return &Error{Msg: fmt.Sprintf("invalid replica region %q", r), Help: "each replica is region or region=kms-key, without spaces or commas, e.g. us-west-2,eu-west-1=alias/my-key"}
		}
	}
	replicas := strings.Join(v.ReplicaRegions, ",")
	if len(replicas) > maxSettingBytes {
		return &Error{Msg: fmt.Sprintf("the replica regions are %d bytes long", len(replicas)), Help: "the PHP Keep loads no vault setting longer than 1000 bytes; replicate to fewer regions"}
	}
	path := filepath.Join(root, Dir, "vaults", v.Slug+".json")
	_, err := os.Stat(path)
	switch {
	case err == nil && !update:
		return &Error{Msg: fmt.Sprintf("a vault with slug %q already exists (%s)", v.Slug, path), Help: "choose another --slug, change it with keep vault:edit, or keep vault:delete it first"}
	case errors.Is(err, fs.ErrNotExist) && update:
		return &Error{Msg: fmt.Sprintf("no vault %q (%s)", v.Slug, path), Help: "keep vault:list shows the vaults; keep vault:add adds one"}
	}
	return writeJSON(path, vaultFile{
		Slug: v.Slug, Driver: v.Driver, Name: strings.TrimSpace(v.Name), Scope: v.Scope,
		Region: v.Region, Key: v.Key, ReplicaRegions: replicas,
	})
}

// DeleteVault removes root/.keep/vaults/<slug>.json: local configuration
// only, never a secret.
func DeleteVault(root, slug string) error {
	err := os.Remove(filepath.Join(root, Dir, "vaults", slug+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return &Error{Msg: fmt.Sprintf("no vault %q", slug), Help: "keep vault:list shows the vaults"}
	}
	return err
}

// InitDirs creates root/.keep with vaults/ and local/ and, if missing, the
// PHP Keep's .gitignore (which keeps local/ out of git).
func InitDirs(root string) error {
	for _, dir := range []string{"vaults", "local"} {
		if err := os.MkdirAll(filepath.Join(root, Dir, dir), dirPerm); err != nil {
			return err
		}
	}
	path := filepath.Join(root, Dir, ".gitignore")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return os.WriteFile(path, []byte(gitignore), 0o644)
	}
	return nil
}

// writeJSON writes v as PHP's json_encode(JSON_PRETTY_PRINT |
// JSON_UNESCAPED_SLASHES) would, through a temporary file. Like the PHP
// Keep's saveToFile, it creates the file's directory if it is missing,
// with InitDirs' permissions.
func writeJSON(path string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	data := escapeNonASCII(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	if err := os.MkdirAll(filepath.Dir(path), dirPerm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// escapeNonASCII writes runes above U+007F as \uXXXX (surrogate pairs above
// U+FFFF), as PHP does without JSON_UNESCAPED_UNICODE. Valid only for
// encoded JSON, where such runes occur inside strings alone.
func escapeNonASCII(data []byte) []byte {
	var out bytes.Buffer
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		switch {
		case r < utf8.RuneSelf:
			out.WriteByte(data[0])
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
		data = data[size:]
	}
	return out.Bytes()
}
