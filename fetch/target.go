package fetch

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// Tag keys and values of Keep's scheme.
const (
	TagManagedBy   = "ManagedBy"
	TagNamespace   = "Namespace"
	TagEnvironment = "Environment"
	// TagEnv is the environment tag older Keep installs wrote.
	TagEnv        = "Env"
	TagVaultSlug  = "VaultSlug"
	ManagedByKeep = "Keep"
)

// keyRE is one path segment of [A-Za-z0-9_-], 1–255 characters, not
// starting with '-'.
var keyRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$`)

// Target is the set of secrets a command works on: those of one namespace,
// optional vault scope and environment.
type Target struct {
	Namespace string
	// Scope is the vault's scope, "" for none.
	Scope string
	Env   string
}

// Prefix is the name prefix every secret of t has:
// "<namespace>/[<scope>/]<env>/".
func (t Target) Prefix() string {
	if t.Scope != "" {
		return t.Namespace + "/" + t.Scope + "/" + t.Env + "/"
	}
	return t.Namespace + "/" + t.Env + "/"
}

// SecretName is the Secrets Manager name of key in t.
func (t Target) SecretName(key string) string { return t.Prefix() + key }

// String is "namespace/[scope/]env", for messages.
func (t Target) String() string { return t.Prefix()[:len(t.Prefix())-1] }

// ValidKey reports whether key can be the last segment of a secret name.
func ValidKey(key string) bool { return keyRE.MatchString(key) }

// CheckKey is nil for a valid key, else an *Error that says what a KEY is.
func CheckKey(key string) error {
	if ValidKey(key) {
		return nil
	}
	return &Error{Msg: fmt.Sprintf("invalid KEY %q", key), Help: "a KEY is 1-255 letters, digits, '_' or '-', not starting with '-'"}
}

// Match reports whether a listed secret belongs to t and, if so, its KEY.
// A secret belongs when it is not scheduled for deletion, its name is
// Prefix()+KEY with a valid KEY, and its tags hold exactly ManagedBy=Keep,
// Namespace=<namespace> and the environment: Environment=<env>, or, only
// when there is no Environment tag, the legacy Env=<env>.
func (t Target) Match(e types.SecretListEntry) (key string, ok bool) {
	if e.DeletedDate != nil || e.Name == nil {
		return "", false
	}
	name, prefix := *e.Name, t.Prefix()
	if len(name) <= len(prefix) || name[:len(prefix)] != prefix {
		return "", false
	}
	key = name[len(prefix):]
	if !ValidKey(key) {
		return "", false
	}
	tags := make(map[string]string, len(e.Tags))
	for _, tag := range e.Tags {
		if tag.Key != nil && tag.Value != nil {
			tags[*tag.Key] = *tag.Value
		}
	}
	if tags[TagManagedBy] != ManagedByKeep || tags[TagNamespace] != t.Namespace {
		return "", false
	}
	env, ok := tags[TagEnvironment]
	if !ok {
		env, ok = tags[TagEnv]
	}
	if !ok || env != t.Env {
		return "", false
	}
	return key, true
}
