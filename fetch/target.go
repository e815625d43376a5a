package fetch

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

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

// TagScope holds the vault's scope on secrets created in a scoped vault;
// the PHP Keep lists a scoped vault by it. The name holds the scope, so
// it is part of membership only for a KEY with '/' (see Target.Match).
const TagScope = "Scope"

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

// ValidPath reports whether path can be the PATH of a template placeholder
// {vault:PATH}: the PHP Keep's grammar, one or more of [A-Za-z0-9_.-/] not
// starting with '/' — and, since the PHP Keep trims a final '/' from a
// name it reads, keep refuses the ambiguous ones too: no final '/' and no
// empty segment ("a//b"). Every valid KEY is a valid PATH.
func ValidPath(path string) bool { return segments(path, "_-./") }

// readableKey reports whether key is a KEY keep reads, listed or by name:
// what the PHP Keep takes as the KEY (the rest of the name after
// Prefix(), '/' included), if it is one Secrets Manager can hold (ASCII
// letters, digits and /_+=.@-) and not ambiguous: not empty, and no empty
// segment (no leading or final '/', no "//"). It is wider than ValidKey,
// which says what keep writes: secrets other tools created under the
// prefix are read too, and the variable name (render.VarName) makes any
// of them a valid name.
func readableKey(key string) bool { return segments(key, "/_+=.@-") }

// segments reports whether s is one or more '/'-separated segments, none
// empty, of ASCII letters, digits and the bytes of also (which holds '/').
func segments(s, also string) bool {
	if s == "" || s[0] == '/' || s[len(s)-1] == '/' || strings.Contains(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && strings.IndexByte(also, c) < 0 {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Match reports whether a listed secret belongs to t and, if so, its KEY.
// A secret belongs when it is not scheduled for deletion, its name is
// Prefix()+KEY with a KEY keep reads (see readableKey: the PHP Keep reads
// any rest of the name, and so does keep but for the ambiguous ones), and
// its tags hold exactly ManagedBy=Keep, Namespace=<namespace> and the
// environment: Environment=<env>, or, only when there is no Environment
// tag, the legacy Env=<env>.
//
// A KEY with '/' could be the name of another vault's secret: with scope
// "production" and env "production", the secret "app/production/production/DB"
// is also "app/production/" + "production/DB". Such a KEY belongs only
// when none of its segments but the last is named like t's env (which the
// other vault's name would need, its env tag being t's) and the secret
// carries no Scope tag other than t's scope.
func (t Target) Match(e types.SecretListEntry) (key string, ok bool) {
	key, ok, _ = t.match(e)
	return key, ok
}

// Ambiguous reports whether e is tagged as one of t's secrets, exactly, but
// Match refuses its name: a KEY keep cannot place (an empty segment, a
// character Secrets Manager names cannot hold, a segment before the last
// named like the env) and no Scope tag that places it in another vault.
// Such a secret may be one the command needs, so listing it fails rather
// than skips it.
func (t Target) Ambiguous(e types.SecretListEntry) bool {
	_, ok, tagged := t.match(e)
	return !ok && tagged
}

// match is Match, and whether e's tags alone make it t's: ManagedBy,
// Namespace and the env exact, no other scope, not scheduled for deletion,
// named under t's prefix.
func (t Target) match(e types.SecretListEntry) (key string, ok, tagged bool) {
	if e.DeletedDate != nil || e.Name == nil {
		return "", false, false
	}
	name, prefix := *e.Name, t.Prefix()
	if len(name) <= len(prefix) || name[:len(prefix)] != prefix {
		return "", false, false
	}
	key = name[len(prefix):]
	tags := make(map[string]string, len(e.Tags))
	for _, tag := range e.Tags {
		if tag.Key != nil && tag.Value != nil {
			tags[*tag.Key] = *tag.Value
		}
	}
	if tags[TagManagedBy] != ManagedByKeep || tags[TagNamespace] != t.Namespace {
		return "", false, false
	}
	env, ok := tags[TagEnvironment]
	if !ok {
		env, ok = tags[TagEnv]
	}
	if !ok || env != t.Env {
		return "", false, false
	}
	last := strings.LastIndexByte(key, '/')
	if scope, scoped := tags[TagScope]; last >= 0 && scoped && strings.Trim(scope, "/") != t.Scope {
		return "", false, false // another vault's, by its own Scope tag
	}
	if !readableKey(key) || last >= 0 && slices.Contains(strings.Split(key[:last], "/"), t.Env) {
		return "", false, true
	}
	return key, true, true
}
