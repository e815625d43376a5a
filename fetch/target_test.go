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

		// KEY is one valid segment.
		{"empty key", prod, entry("myapp/production/", keep), ""},
		{"name is the bare env", prod, entry("myapp/production", keep), ""},
		{"nested key", prod, entry("myapp/production/a/b", keep), ""},
		{"leading dash", prod, entry("myapp/production/-DB", keep), ""},
		{"dot", prod, entry("myapp/production/db.password", keep), ""},
		{"space", prod, entry("myapp/production/DB PASSWORD", keep), ""},
		{"dash inside", prod, entry("myapp/production/api-key", keep), "api-key"},
		{"255 chars", prod, entry("myapp/production/"+long, keep), long},
		{"256 chars", prod, entry("myapp/production/"+long+"K", keep), ""},

		// Scopes: <ns>/<scope>/<env>/<KEY>; tags carry no scope.
		{"scoped", euScope, entry("myapp/eu/production/DB", keep), "DB"},
		{"scoped target, unscoped name", euScope, entry("myapp/production/DB", keep), ""},
		{"unscoped target, scoped name", prod, entry("myapp/eu/production/DB", keep), ""},
		{"scope named like the env", prod, entry("myapp/production/staging/DB", keep), ""},
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
