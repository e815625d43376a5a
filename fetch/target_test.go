package fetch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keep-run/keep/fetch"
)

func TestTargetNames(t *testing.T) {
	tests := []struct {
		target             fetch.Target
		prefix, name, text string
	}{
		{fetch.Target{Namespace: "myapp", Env: "production"}, "myapp/production/", "myapp/production/DB_PASSWORD", "myapp/production"},
		{fetch.Target{Namespace: "myapp", Scope: "eu", Env: "production"}, "myapp/eu/production/", "myapp/eu/production/DB_PASSWORD", "myapp/eu/production"},
		{fetch.Target{Namespace: "myapp", Scope: "eu/west", Env: "staging"}, "myapp/eu/west/staging/", "myapp/eu/west/staging/DB_PASSWORD", "myapp/eu/west/staging"},
	}
	for _, tt := range tests {
		if got := tt.target.Prefix(); got != tt.prefix {
			t.Errorf("%+v.Prefix() = %q, want %q", tt.target, got, tt.prefix)
		}
		if got := tt.target.SecretName("DB_PASSWORD"); got != tt.name {
			t.Errorf("%+v.SecretName() = %q, want %q", tt.target, got, tt.name)
		}
		if got := tt.target.String(); got != tt.text {
			t.Errorf("%+v.String() = %q, want %q", tt.target, got, tt.text)
		}
	}
}

func TestValidKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"DB_PASSWORD", true},
		{"api-key", true},
		{"_private", true},
		{"9LIVES", true},
		{"trailing-", true},
		{"x", true},
		{strings.Repeat("k", 255), true},
		{"", false},
		{strings.Repeat("k", 256), false},
		{"-leading", false},
		{"a/b", false},
		{"/a", false},
		{"a.b", false},
		{"a b", false},
		{"a=b", false},
		{"a:b", false},
		{"KEY\n", false},
		{"ÄRGER", false},
		{"a\x00b", false},
	}
	for _, tt := range tests {
		if got := fetch.ValidKey(tt.key); got != tt.want {
			t.Errorf("ValidKey(%.20q… len %d) = %v, want %v", tt.key, len(tt.key), got, tt.want)
		}
	}
}

// TestValidPath: a placeholder's PATH, the PHP Keep's grammar
// ((?!\/)[A-Za-z0-9_.\-\/]+ in src/Data/Template.php) without the
// ambiguous empty segments.
func TestValidPath(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"DB_PASSWORD", true},
		{"api-key", true},
		{"Mixed-Case.x", true},
		{"path/to/key", true},
		{".env", true},
		{"K.", true},
		{"-x", true},
		{"a/./b", true},
		{strings.Repeat("k", 300), true},
		{"", false},
		{"/absolute/path", false},
		{"a/", false},
		{"a//b", false},
		{"a b", false},
		{"user@domain", false},
		{"a+b", false},
		{"a=b", false},
		{"a:b", false},
		{"a|b", false},
		{"ÄRGER", false},
	}
	for _, tt := range tests {
		if got := fetch.ValidPath(tt.path); got != tt.want {
			t.Errorf("ValidPath(%.20q…) = %v, want %v", tt.path, got, tt.want)
		}
	}
	// Every KEY keep writes is a PATH.
	for _, k := range []string{"DB_PASSWORD", "api-key", "_private", "9LIVES", "trailing-", strings.Repeat("k", 255)} {
		if !fetch.ValidKey(k) || !fetch.ValidPath(k) {
			t.Errorf("ValidKey(%.20q…) = %v, ValidPath = %v; want both", k, fetch.ValidKey(k), fetch.ValidPath(k))
		}
	}
}

func TestTargetMatch(t *testing.T) {
	prod := fetch.Target{Namespace: "myapp", Env: "production"}
	euScope := fetch.Target{Namespace: "myapp", Scope: "eu", Env: "production"}
	twoSeg := fetch.Target{Namespace: "myapp", Scope: "eu/west", Env: "production"}
	keep := tags("ManagedBy", "Keep", "Namespace", "myapp", "Environment", "production")
	long := strings.Repeat("K", 255)

	tests := []struct {
		desc    string
		target  fetch.Target
		entry   types.SecretListEntry
		wantKey string // "" means no match
	}{
		{"exact", prod, entry("myapp/production/DB", keep), "DB"},
		{"extra tags are fine", prod, entry("myapp/production/DB", append(tags("VaultSlug", "aws", "Team", "x"), keep...)), "DB"},

		// Environment is matched exactly, by name and by tag.
		{"name in production-eu", prod, entry("myapp/production-eu/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "Environment", "production-eu")), ""},
		{"tag production-eu", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "Environment", "production-eu")), ""},
		{"tag prod (prefix of production)", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "Environment", "prod")), ""},
		{"tag Production", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "Environment", "Production")), ""},
		{"tag key environment lowercase", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "environment", "production")), ""},

		// Namespace is matched exactly, by name and by tag.
		{"name myapp2", prod, entry("myapp2/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp2", "Environment", "production")), ""},
		{"tag myapp2", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp2", "Environment", "production")), ""},
		{"name myapp2 with myapp tags", prod, entry("myapp2/production/DB", keep), ""},
		{"no namespace tag", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Environment", "production")), ""},

		// ManagedBy.
		{"untagged", prod, entry("myapp/production/DB", nil), ""},
		{"no ManagedBy", prod, entry("myapp/production/DB", tags("Namespace", "myapp", "Environment", "production")), ""},
		{"ManagedBy=Terraform", prod, entry("myapp/production/DB", tags("ManagedBy", "Terraform", "Namespace", "myapp", "Environment", "production")), ""},
		{"ManagedBy=keep", prod, entry("myapp/production/DB", tags("ManagedBy", "keep", "Namespace", "myapp", "Environment", "production")), ""},
		{"ManagedBy=Keeper", prod, entry("myapp/production/DB", tags("ManagedBy", "Keeper", "Namespace", "myapp", "Environment", "production")), ""},
		{"ManagedBy empty", prod, entry("myapp/production/DB", tags("ManagedBy", "", "Namespace", "myapp", "Environment", "production")), ""},

		// The legacy Env tag counts only when Environment is absent.
		{"legacy Env", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "Env", "production")), "DB"},
		{"legacy Env production-eu", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "Env", "production-eu")), ""},
		{"Environment=staging wins over Env", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "Environment", "staging", "Env", "production")), ""},
		{"empty Environment wins over Env", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "Environment", "", "Env", "production")), ""},
		{"Environment wins, Env differs", prod, entry("myapp/production/DB", tags("ManagedBy", "Keep", "Namespace", "myapp", "Environment", "production", "Env", "staging")), "DB"},

		// Scheduled for deletion.
		{"deleted", prod, deleted(entry("myapp/production/DB", keep)), ""},
		{"no name", prod, types.SecretListEntry{Tags: keep}, ""},

		// KEY is the rest of the name, as the PHP Keep takes it
		// (AwsSecretsManagerVault::list): other tools' KEYs too.
		{"empty key", prod, entry("myapp/production/", keep), ""},
		{"name is the bare env", prod, entry("myapp/production", keep), ""},
		{"dash inside", prod, entry("myapp/production/api-key", keep), "api-key"},
		{"mixed case and a dot", prod, entry("myapp/production/Mixed-Case.x", keep), "Mixed-Case.x"},
		{"api-token", prod, entry("myapp/production/api-token", keep), "api-token"},
		{"leading underscore", prod, entry("myapp/production/_lead", keep), "_lead"},
		{"leading digit", prod, entry("myapp/production/1num", keep), "1num"},
		{"zero (PHP's empty(\"0\") would skip it)", prod, entry("myapp/production/0", keep), "0"},
		{"leading dash", prod, entry("myapp/production/-DB", keep), "-DB"},
		{"dot", prod, entry("myapp/production/db.password", keep), "db.password"},
		{"every character a name may hold", prod, entry("myapp/production/a+b=c.d@e-f_g", keep), "a+b=c.d@e-f_g"},
		{"255 chars", prod, entry("myapp/production/"+long, keep), long},
		{"256 chars", prod, entry("myapp/production/"+long+"K", keep), long + "K"},
		{"nested key", prod, entry("myapp/production/a/b", keep), "a/b"},
		{"nested three deep", prod, entry("myapp/production/path/to/key", keep), "path/to/key"},

		// Fail closed on what Secrets Manager cannot hold or what is
		// ambiguous.
		{"space", prod, entry("myapp/production/DB PASSWORD", keep), ""},
		{"newline", prod, entry("myapp/production/DB\n", keep), ""},
		{"non-ASCII", prod, entry("myapp/production/ÄRGER", keep), ""},
		{"colon", prod, entry("myapp/production/a:b", keep), ""},
		{"leading slash", prod, entry("myapp/production//DB", keep), ""},
		{"final slash", prod, entry("myapp/production/DB/", keep), ""},
		{"empty segment", prod, entry("myapp/production/a//b", keep), ""},
		{"slash only", prod, entry("myapp/production//", keep), ""},

		// Scopes: <ns>/<scope>/<env>/<KEY>; tags carry no scope.
		{"scoped", euScope, entry("myapp/eu/production/DB", keep), "DB"},
		{"scoped target, unscoped name", euScope, entry("myapp/production/DB", keep), ""},
		{"unscoped target, scoped name", prod, entry("myapp/eu/production/DB", keep), ""},
		// A nested KEY that could be another vault's scoped secret.
		{"nested key, tagged for the env", prod, entry("myapp/production/staging/DB", keep), "staging/DB"},
		{"scope and env named alike", prod, entry("myapp/production/production/DB", keep), ""},
		{"env named like a deeper segment", prod, entry("myapp/production/eu/production/DB", keep), ""},
		{"env named like the last segment", prod, entry("myapp/production/a/production", keep), "a/production"},
		{"nested key with a Scope tag", prod, entry("myapp/production/staging/DB", append(tags("Scope", "production"), keep...)), ""},
		{"nested key with an empty Scope tag", prod, entry("myapp/production/staging/DB", append(tags("Scope", ""), keep...)), "staging/DB"},
		{"flat key with a Scope tag", prod, entry("myapp/production/DB", append(tags("Scope", "eu"), keep...)), "DB"},
		{"scoped nested key, its Scope tag", euScope, entry("myapp/eu/production/a/DB", append(tags("Scope", "eu"), keep...)), "a/DB"},
		{"scoped nested key, a '/'-trimmed Scope tag", euScope, entry("myapp/eu/production/a/DB", append(tags("Scope", "/eu/"), keep...)), "a/DB"},
		{"scoped nested key, another Scope tag", euScope, entry("myapp/eu/production/a/DB", append(tags("Scope", "eu/production"), keep...)), ""},
		{"scoped, scope and env named alike", euScope, entry("myapp/eu/production/production/DB", keep), ""},
		{"scope of two segments", twoSeg, entry("myapp/eu/west/production/DB", keep), "DB"},
		{"one-segment scope vs two-segment name", euScope, entry("myapp/eu/west/production/DB", keep), ""},
		{"two-segment scope vs one-segment name", twoSeg, entry("myapp/eu/production/DB", keep), ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			key, ok := tt.target.Match(tt.entry)
			if ok != (tt.wantKey != "") || key != tt.wantKey {
				t.Errorf("%s.Match(%q) = (%.20q…, %v), want (%.20q…, %v)",
					tt.target, aws.ToString(tt.entry.Name), key, ok, tt.wantKey, tt.wantKey != "")
			}
		})
	}
}

// tags builds a tag list from key, value pairs.
func tags(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func entry(name string, tags []types.Tag) types.SecretListEntry {
	return types.SecretListEntry{Name: aws.String(name), ARN: aws.String("arn:" + name), Tags: tags}
}

func deleted(e types.SecretListEntry) types.SecretListEntry {
	e.DeletedDate = aws.Time(time.Unix(1.7e9, 0))
	return e
}
