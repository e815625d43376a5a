package write_test

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
	"github.com/keep-run/keep/write"
)

var prod = fetch.Target{Namespace: "app", Env: "production"}

// keepTags are the four tags keep writes on a secret of prod in vault.
func keepTags(vault string) map[string]string {
	return map[string]string{"ManagedBy": "Keep", "Namespace": "app", "Environment": "production", "VaultSlug": vault}
}

// phpTags are the tags the PHP Keep (1.0.0-beta.8) writes on a secret of
// prod in its vault sm_two: Env, not Environment, and the slug slugged.
var phpTags = map[string]string{"ManagedBy": "Keep", "Namespace": "app", "Env": "production", "VaultSlug": "sm-two"}

// withTags is a copy of tags with the pairs kv set.
func withTags(tags map[string]string, kv ...string) map[string]string {
	out := maps.Clone(tags)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// existing is the secret KEY of prod, with tags.
func existing(value string, tags map[string]string) smfake.Secret {
	return smfake.Secret{Name: prod.SecretName("KEY"), Value: value, Tags: tags}
}

// conn is a Conn on prod over a fake holding secrets (their tags copied:
// the fake would change the maps a test compares with).
func conn(t *testing.T, inject func(op, name string) *smfake.Fault, secrets ...smfake.Secret) (*smfake.Server, *fetch.Conn) {
	return connOn(t, prod, inject, secrets...)
}

// connOn is conn on target.
func connOn(t *testing.T, target fetch.Target, inject func(op, name string) *smfake.Fault, secrets ...smfake.Secret) (*smfake.Server, *fetch.Conn) {
	srv := smfake.New()
	for _, sec := range secrets {
		sec.Tags = maps.Clone(sec.Tags)
		srv.Put(sec)
	}
	srv.InjectSecret = inject
	t.Cleanup(srv.Close)
	return srv, fetch.NewConn(srv.Client(fetch.WithPlainBody), smfake.Region, target)
}

func denied(op string) func(string, string) *smfake.Fault {
	return func(o, _ string) *smfake.Fault {
		if o == op {
			return &smfake.Fault{Code: "AccessDeniedException", Message: "not authorized to perform: secretsmanager:" + op}
		}
		return nil
	}
}

// ops are the operations srv received, in order.
func ops(srv *smfake.Server) []string {
	var out []string
	for _, c := range srv.Calls() {
		out = append(out, c.Op)
	}
	return out
}

// body decodes the request of the first op call into v.
func body(t *testing.T, srv *smfake.Server, op string, v any) {
	t.Helper()
	for _, c := range srv.Calls() {
		if c.Op == op {
			if err := json.Unmarshal(c.Body, v); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no %s call", op)
}

// checkErr fails unless err is a *fetch.Error whose message holds want and
// whose hint holds wantHint.
func checkErr(t *testing.T, err error, want, wantHint string) {
	t.Helper()
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T), want a *fetch.Error with %q", err, err, want)
	}
	if !strings.Contains(fe.Error(), want) || !strings.Contains(fe.Hint(), wantHint) {
		t.Errorf("error %q (hint %q), want %q (hint with %q)", fe, fe.Hint(), want, wantHint)
	}
}

func TestSet(t *testing.T) {
	const value = "sk_live_new_v4lue"
	replicated := write.Vault{Slug: "sm", KMSKey: "alias/app", Replicas: []write.Replica{{Region: "us-west-2"}, {Region: "eu-west-1", KMSKey: "alias/eu"}}}
	tests := []struct {
		name     string
		existing []smfake.Secret
		inject   func(op, name string) *smfake.Fault
		vault    write.Vault
		key      string
		value    string

		wantErr, wantHint string
		wantOps           []string
		// What the fake holds afterwards, when wantStored.
		wantStored  bool
		wantCreated bool
		wantVersion string
		wantValue   string
		wantTags    map[string]string
		wantKMS     string
		wantDesc    string
		wantReplica []smfake.Replica
	}{
		{
			name: "create with the vault's KMS key and replicas", vault: replicated, key: "KEY", value: value,
			wantOps:    []string{"DescribeSecret", "CreateSecret"},
			wantStored: true, wantCreated: true, wantVersion: "v1", wantValue: value, wantTags: keepTags("sm"), wantKMS: "alias/app",
			wantDesc:    "Keep secret: KEY for production environment in sm vault",
			wantReplica: []smfake.Replica{{Region: "us-west-2"}, {Region: "eu-west-1", KMSKeyID: "alias/eu"}},
		},
		{
			name: "create with the AWS managed key", vault: write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantOps:    []string{"DescribeSecret", "CreateSecret"},
			wantStored: true, wantCreated: true, wantVersion: "v1", wantValue: value, wantTags: keepTags("sm"),
			wantDesc: "Keep secret: KEY for production environment in sm vault",
		},
		{
			// The PHP Keep slugs the vault's slug (Str::slug) in the tag
			// and the description.
			name: "create in a vault whose slug has '_'", vault: write.Vault{Slug: "sm_two"}, key: "KEY", value: value,
			wantOps:    []string{"DescribeSecret", "CreateSecret"},
			wantStored: true, wantCreated: true, wantVersion: "v1", wantValue: value, wantTags: keepTags("sm-two"),
			wantDesc: "Keep secret: KEY for production environment in sm-two vault",
		},
		{
			// An update puts the value and nothing else: no tag is added,
			// removed or renamed.
			name:     "update a managed secret, leaving its tags as they are",
			existing: []smfake.Secret{existing("sk_live_old", withTags(keepTags("old"), "Extra", "x", "Env", "production"))},
			vault:    replicated, key: "KEY", value: value,
			wantOps:    []string{"DescribeSecret", "PutSecretValue"},
			wantStored: true, wantVersion: "v2", wantValue: value, wantTags: withTags(keepTags("old"), "Extra", "x", "Env", "production"),
		},
		{
			// The PHP Keep's tags: Env, not Environment, on which its
			// users' IAM policies grant access.
			name:     "update a secret the PHP Keep wrote",
			existing: []smfake.Secret{existing("sk_live_old", phpTags)},
			vault:    write.Vault{Slug: "sm_two"}, key: "KEY", value: value,
			wantOps:    []string{"DescribeSecret", "PutSecretValue"},
			wantStored: true, wantVersion: "v2", wantValue: value, wantTags: phpTags,
		},
		{
			name:     "update with keep's tags already there",
			existing: []smfake.Secret{existing("sk_live_old", keepTags("sm"))},
			vault:    write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantOps:    []string{"DescribeSecret", "PutSecretValue"},
			wantStored: true, wantVersion: "v2", wantValue: value, wantTags: keepTags("sm"),
		},
		{
			// No tag call is made, so a role without TagResource updates.
			name:     "update without permission to tag",
			existing: []smfake.Secret{existing("sk_live_old", phpTags)},
			inject:   denied("TagResource"),
			vault:    write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantOps:    []string{"DescribeSecret", "PutSecretValue"},
			wantStored: true, wantVersion: "v2", wantValue: value, wantTags: phpTags,
		},
		{
			name:     "refuse a secret tagged for another environment",
			existing: []smfake.Secret{existing("sk_live_old", withTags(keepTags("sm"), "Environment", "staging"))},
			vault:    write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantErr:  `app/production/KEY exists but is not tagged for environment production (tags Environment="staging", Env="")`,
			wantHint: "keep does not change the tags of an existing secret",
			wantOps:  []string{"DescribeSecret"},
		},
		{
			// Environment wins over the PHP Keep's Env, as in keep's reads.
			name:     "refuse a secret whose Environment tag disagrees with its Env tag",
			existing: []smfake.Secret{existing("sk_live_old", withTags(phpTags, "Environment", "staging"))},
			vault:    write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantErr: `(tags Environment="staging", Env="production")`, wantHint: "fix its Environment tag",
			wantOps: []string{"DescribeSecret"},
		},
		{
			name:     "refuse a secret without an environment tag",
			existing: []smfake.Secret{existing("sk_live_old", map[string]string{"ManagedBy": "Keep", "Namespace": "app"})},
			vault:    write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantErr: `app/production/KEY exists but is not tagged for environment production (tags Environment="", Env="")`, wantHint: "use another KEY",
			wantOps: []string{"DescribeSecret"},
		},
		{
			name:     "refuse a secret keep does not manage",
			existing: []smfake.Secret{existing("sk_live_theirs", map[string]string{"Owner": "them"})},
			vault:    write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantErr: `app/production/KEY exists but is not managed by keep for namespace app (tags ManagedBy="", Namespace="")`, wantHint: "keep does not touch secrets it does not manage",
			wantOps: []string{"DescribeSecret"},
		},
		{
			name:     "refuse another namespace's secret",
			existing: []smfake.Secret{existing("sk_live_theirs", map[string]string{"ManagedBy": "Keep", "Namespace": "other", "Environment": "production"})},
			vault:    write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantErr: `(tags ManagedBy="Keep", Namespace="other")`, wantHint: "Namespace=app",
			wantOps: []string{"DescribeSecret"},
		},
		{
			name:     "refuse a secret scheduled for deletion",
			existing: []smfake.Secret{{Name: prod.SecretName("KEY"), Value: "sk_live_old", Tags: keepTags("sm"), Deleted: true}},
			vault:    write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantErr: "app/production/KEY is scheduled for deletion (on 2023-11-14)", wantHint: "keep restore",
			wantOps: []string{"DescribeSecret"},
		},
		{
			name:     "a refused update does not echo the value",
			existing: []smfake.Secret{existing("sk_live_old", phpTags)},
			inject: func(op, _ string) *smfake.Fault {
				if op == "PutSecretValue" {
					return &smfake.Fault{Code: "AccessDeniedException", Message: "denied for SecretString " + value}
				}
				return nil
			},
			vault: write.Vault{Slug: "sm"}, key: "KEY", value: value,
			wantErr: "PutSecretValue app/production/KEY: AccessDeniedException: denied for SecretString [the value]", wantHint: "you need secretsmanager:PutSecretValue",
			wantOps: []string{"DescribeSecret", "PutSecretValue"},
		},
		{
			name: "a refused create does not echo the value", vault: write.Vault{Slug: "sm"}, key: "KEY", value: value,
			inject: func(op, _ string) *smfake.Fault {
				if op == "CreateSecret" {
					return &smfake.Fault{Code: "AccessDeniedException", Message: "denied for SecretString " + value}
				}
				return nil
			},
			wantErr: "CreateSecret app/production/KEY: AccessDeniedException: denied for SecretString [the value]", wantHint: "aws:TagKeys",
			wantOps: []string{"DescribeSecret", "CreateSecret"},
		},
		{
			name: "a KMS failure names the key", vault: replicated, key: "KEY", value: value,
			inject: func(op, _ string) *smfake.Fault {
				if op == "CreateSecret" {
					return &smfake.Fault{Code: "KMSInvalidStateException", Message: "the key is disabled"}
				}
				return nil
			},
			wantErr: "CreateSecret app/production/KEY: KMSInvalidStateException: the key is disabled", wantHint: "check the KMS key alias/app",
			wantOps: []string{"DescribeSecret", "CreateSecret"},
		},
		{
			name: "an invalid key", vault: write.Vault{Slug: "sm"}, key: "a/b", value: value,
			wantErr: `invalid KEY "a/b"`, wantHint: "1-255 letters",
		},
		{
			name: "an empty value", vault: write.Vault{Slug: "sm"}, key: "KEY", value: "",
			wantErr: "the value is empty", wantHint: "pipe it on stdin",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := conn(t, tc.inject, tc.existing...)
			res, err := write.Set(t.Context(), c, tc.vault, tc.key, tc.value)
			if tc.wantErr != "" {
				checkErr(t, err, tc.wantErr, tc.wantHint)
				if strings.Contains(err.Error(), value) {
					t.Errorf("the error holds the value (%d bytes)", len(value))
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := ops(srv); !slices.Equal(got, tc.wantOps) {
				t.Errorf("calls %q, want %q", got, tc.wantOps)
			}
			stored, ok := srv.Get(prod.SecretName(tc.key))
			if !tc.wantStored {
				if res != nil {
					t.Errorf("result %+v with the error", res)
				}
				if len(tc.existing) > 0 && stored.Value != tc.existing[0].Value {
					t.Errorf("the value changed (%d bytes, was %d)", len(stored.Value), len(tc.existing[0].Value))
				}
				if len(tc.existing) == 0 && ok {
					t.Errorf("%s was created", stored.Name)
				}
				return
			}
			name := prod.SecretName(tc.key)
			if res == nil || *res != (write.SetResult{Name: name, ARN: smfake.ARN(name), VersionID: tc.wantVersion, Created: tc.wantCreated}) {
				t.Errorf("result %+v, want %s %s created=%v", res, name, tc.wantVersion, tc.wantCreated)
			}
			if stored.Value != tc.wantValue {
				t.Errorf("stored a value of %d bytes, want %d", len(stored.Value), len(tc.wantValue))
			}
			if !maps.Equal(stored.Tags, tc.wantTags) {
				t.Errorf("tags %v, want %v", stored.Tags, tc.wantTags)
			}
			if tc.wantCreated && (stored.KMSKeyID != tc.wantKMS || stored.Description != tc.wantDesc || !slices.Equal(stored.Replicas, tc.wantReplica)) {
				t.Errorf("created with key %q, description %q, replicas %+v; want %q, %q, %+v", stored.KMSKeyID, stored.Description, stored.Replicas, tc.wantKMS, tc.wantDesc, tc.wantReplica)
			}
		})
	}
}

// In a scoped vault keep creates the secret with the Scope tag too, as the
// PHP Keep does (it lists a scoped vault by it); an update leaves the tags
// alone, so a secret keep created before it wrote Scope still has none.
func TestSetInAScopedVault(t *testing.T) {
	const value = "sk_live_scoped_v4lue"
	app2 := fetch.Target{Namespace: "app", Scope: "app2", Env: "production"}
	name := app2.SecretName("KEY")
	if name != "app/app2/production/KEY" {
		t.Fatalf("SecretName = %q", name)
	}
	wantTags := withTags(keepTags("sm"), "Scope", "app2")

	srv, c := connOn(t, app2, nil)
	res, err := write.Set(t.Context(), c, write.Vault{Slug: "sm"}, "KEY", value)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := srv.Get(name)
	if !res.Created || !maps.Equal(stored.Tags, wantTags) {
		t.Errorf("created %v with tags %v, want %v", res.Created, stored.Tags, wantTags)
	}
	if want := "Keep secret: KEY for production environment in sm vault"; stored.Description != want {
		t.Errorf("description %q, want %q", stored.Description, want)
	}
	var in struct{ Tags []struct{ Key, Value string } }
	body(t, srv, "CreateSecret", &in)
	var keys []string
	for _, tag := range in.Tags {
		keys = append(keys, tag.Key)
	}
	if want := []string{"ManagedBy", "Namespace", "Environment", "VaultSlug", "Scope"}; !slices.Equal(keys, want) {
		t.Errorf("CreateSecret tag keys %q, want %q", keys, want)
	}

	// Created before keep wrote Scope: updated, still without it.
	old := smfake.Secret{Name: name, Value: "sk_live_old", Tags: keepTags("sm")}
	srv, c = connOn(t, app2, nil, old)
	if _, err := write.Set(t.Context(), c, write.Vault{Slug: "sm"}, "KEY", value); err != nil {
		t.Fatal(err)
	}
	if stored, _ := srv.Get(name); !maps.Equal(stored.Tags, keepTags("sm")) || stored.Value != value {
		t.Errorf("after the update: tags %v (want %v), value of %d bytes", stored.Tags, keepTags("sm"), len(stored.Value))
	}
	if got := ops(srv); !slices.Equal(got, []string{"DescribeSecret", "PutSecretValue"}) {
		t.Errorf("calls %q", got)
	}
}

func TestSlug(t *testing.T) {
	// Laravel's Str::slug, as the PHP Keep calls it.
	for in, want := range map[string]string{
		"secretsmanager":     "secretsmanager",
		"sm_two":             "sm-two",
		"sm__two":            "sm-two",
		"_sm_":               "sm",
		"a-_-b":              "a-b",
		"-":                  "",
		"":                   "",
		"Acme Billing":       "acme-billing",
		"  My   App  ":       "my-app",
		"My App.io":          "my-appio", // dropped, not a separator
		"a/b":                "ab",
		"me@example.com":     "me-at-examplecom",
		"tab\tand\vvt\nnl\r": "tab-and-vt-nl", // PCRE's \s
		"Café Crème":         "cafe-creme",
		"Straße Æsir Øre Þ":  "strasse-aesir-ore-th",
		"日本 app":             "app", // Laravel transliterates more than Latin-1; keep drops it
		"UPPER_lower-Mixed9": "upper-lower-mixed9",
	} {
		if got := write.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckValue(t *testing.T) {
	tests := []struct {
		name, value, wantErr string
	}{
		{"text", "a=1\r\nb=\"2\"\n", ""},
		{"the largest", strings.Repeat("x", write.MaxValueBytes), ""},
		{"empty", "", "the value is empty"},
		{"not UTF-8", "\xff\xfe", "not valid UTF-8"},
		{"a NUL byte", "a\x00b", "contains a NUL byte"},
		{"too long", strings.Repeat("x", write.MaxValueBytes+1), "the value is 65537 bytes; Secrets Manager takes at most 65536"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := write.CheckValue(tc.value)
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("a value of %d bytes: %v", len(tc.value), err)
				}
				return
			}
			checkErr(t, err, tc.wantErr, "")
		})
	}
}

func TestDelete(t *testing.T) {
	managed := existing("sk_live_old", keepTags("sm"))
	scheduled := managed
	scheduled.Deleted = true
	tests := []struct {
		name     string
		existing []smfake.Secret
		inject   func(op, name string) *smfake.Fault
		key      string
		force    bool

		wantErr, wantHint string
		wantOps           []string
		wantBody          string // DeleteSecret's options, as JSON
		wantLeft          bool   // the secret is still there
		wantScheduled     bool   // … scheduled for deletion
	}{
		{
			name: "schedule", existing: []smfake.Secret{managed}, key: "KEY",
			wantOps: []string{"DescribeSecret", "DeleteSecret"}, wantBody: `{"Force":false,"Days":7}`,
			wantLeft: true, wantScheduled: true,
		},
		{
			name: "force", existing: []smfake.Secret{managed}, key: "KEY", force: true,
			wantOps: []string{"DescribeSecret", "DeleteSecret"}, wantBody: `{"Force":true,"Days":0}`,
		},
		{
			name: "force a scheduled secret", existing: []smfake.Secret{scheduled}, key: "KEY", force: true,
			wantOps: []string{"DescribeSecret", "DeleteSecret"}, wantBody: `{"Force":true,"Days":0}`,
		},
		{
			name: "refuse to schedule a scheduled secret again", existing: []smfake.Secret{scheduled}, key: "KEY",
			wantErr: "app/production/KEY is scheduled for deletion", wantHint: "keep restore",
			wantOps: []string{"DescribeSecret"}, wantLeft: true, wantScheduled: true,
		},
		{
			name: "refuse a secret keep does not manage", existing: []smfake.Secret{existing("sk_live_theirs", nil)}, key: "KEY", force: true,
			wantErr: "app/production/KEY exists but is not managed by keep for namespace app", wantHint: "keep does not touch",
			wantOps: []string{"DescribeSecret"}, wantLeft: true,
		},
		{
			// Issue 18, point 9: the namespace alone was checked.
			name: "refuse another environment's secret, force or not", existing: []smfake.Secret{existing("sk_live_staging", withTags(keepTags("sm"), "Environment", "staging"))}, key: "KEY", force: true,
			wantErr: `app/production/KEY exists but is not tagged for environment production (tags Environment="staging", Env="")`, wantHint: "check --env",
			wantOps: []string{"DescribeSecret"}, wantLeft: true,
		},
		{
			name: "refuse a secret with no environment tag", existing: []smfake.Secret{existing("sk_live_none", map[string]string{"ManagedBy": "Keep", "Namespace": "app"})}, key: "KEY",
			wantErr: "is not tagged for environment production", wantHint: "else delete it with the AWS CLI",
			wantOps: []string{"DescribeSecret"}, wantLeft: true,
		},
		{
			name: "the PHP Keep's Env tag", existing: []smfake.Secret{existing("sk_live_php", phpTags)}, key: "KEY", force: true,
			wantOps: []string{"DescribeSecret", "DeleteSecret"}, wantBody: `{"Force":true,"Days":0}`,
		},
		{
			name: "a missing secret", key: "KEY",
			wantErr: "app/production/KEY does not exist", wantHint: "keep show",
			wantOps: []string{"DescribeSecret"},
		},
		{
			name: "denied", existing: []smfake.Secret{managed}, inject: denied("DeleteSecret"), key: "KEY",
			wantErr: "DeleteSecret app/production/KEY: AccessDeniedException", wantHint: "you need secretsmanager:DeleteSecret",
			wantOps: []string{"DescribeSecret", "DeleteSecret"}, wantBody: `{"Force":false,"Days":7}`, wantLeft: true,
		},
		{
			name: "an invalid key", key: "-KEY",
			wantErr: `invalid KEY "-KEY"`, wantHint: "1-255 letters",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := conn(t, tc.inject, tc.existing...)
			res, err := write.Delete(t.Context(), c, tc.key, 7, tc.force)
			if tc.wantErr != "" {
				checkErr(t, err, tc.wantErr, tc.wantHint)
			} else if err != nil {
				t.Fatal(err)
			} else {
				name := prod.SecretName(tc.key)
				want := write.DeleteResult{Name: name, ARN: smfake.ARN(name), DeletionDate: time.Unix(1.7e9, 0)}
				if !res.DeletionDate.Equal(want.DeletionDate) || res.Name != want.Name || res.ARN != want.ARN {
					t.Errorf("result %+v, want %+v", res, want)
				}
			}
			if got := ops(srv); !slices.Equal(got, tc.wantOps) {
				t.Errorf("calls %q, want %q", got, tc.wantOps)
			}
			if tc.wantBody != "" {
				var in struct {
					SecretId                   string
					ForceDeleteWithoutRecovery bool
					RecoveryWindowInDays       int
				}
				body(t, srv, "DeleteSecret", &in)
				got, _ := json.Marshal(struct {
					Force bool
					Days  int
				}{in.ForceDeleteWithoutRecovery, in.RecoveryWindowInDays})
				if string(got) != tc.wantBody || in.SecretId != smfake.ARN(prod.SecretName(tc.key)) {
					t.Errorf("DeleteSecret of %s with %s, want %s by ARN", in.SecretId, got, tc.wantBody)
				}
			}
			s, left := srv.Get(prod.SecretName(tc.key))
			if left != tc.wantLeft || s.Deleted != tc.wantScheduled {
				t.Errorf("afterwards: there %v, scheduled %v; want %v, %v", left, s.Deleted, tc.wantLeft, tc.wantScheduled)
			}
		})
	}
}

func TestRestore(t *testing.T) {
	scheduled := existing("sk_live_old", keepTags("sm"))
	scheduled.Deleted = true
	theirs := existing("sk_live_theirs", map[string]string{"ManagedBy": "Keep", "Namespace": "other"})
	theirs.Deleted = true
	staging := existing("sk_live_staging", withTags(keepTags("sm"), "Environment", "staging"))
	staging.Deleted = true
	tests := []struct {
		name              string
		existing          []smfake.Secret
		inject            func(op, name string) *smfake.Fault
		wantErr, wantHint string
		wantOps           []string
		wantScheduled     bool
	}{
		{name: "restore", existing: []smfake.Secret{scheduled}, wantOps: []string{"DescribeSecret", "RestoreSecret"}},
		{
			name: "not scheduled", existing: []smfake.Secret{existing("sk_live_old", keepTags("sm"))},
			wantErr: "app/production/KEY is not scheduled for deletion", wantHint: "nothing to restore", wantOps: []string{"DescribeSecret"},
		},
		{
			name:    "a missing secret",
			wantErr: "app/production/KEY does not exist (a secret deleted with --force cannot be restored)", wantHint: "check the KEY", wantOps: []string{"DescribeSecret"},
		},
		{
			name: "refuse a secret keep does not manage", existing: []smfake.Secret{theirs},
			wantErr: "not managed by keep for namespace app", wantHint: "keep does not touch", wantOps: []string{"DescribeSecret"}, wantScheduled: true,
		},
		{
			name: "refuse another environment's secret", existing: []smfake.Secret{staging},
			wantErr: "is not tagged for environment production", wantHint: "else restore it with the AWS CLI", wantOps: []string{"DescribeSecret"}, wantScheduled: true,
		},
		{
			name: "denied", existing: []smfake.Secret{scheduled}, inject: denied("RestoreSecret"),
			wantErr: "RestoreSecret app/production/KEY: AccessDeniedException", wantHint: "you need secretsmanager:RestoreSecret",
			wantOps: []string{"DescribeSecret", "RestoreSecret"}, wantScheduled: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := conn(t, tc.inject, tc.existing...)
			err := write.Restore(t.Context(), c, "KEY")
			if tc.wantErr != "" {
				checkErr(t, err, tc.wantErr, tc.wantHint)
			} else if err != nil {
				t.Fatal(err)
			}
			if got := ops(srv); !slices.Equal(got, tc.wantOps) {
				t.Errorf("calls %q, want %q", got, tc.wantOps)
			}
			if s, _ := srv.Get(prod.SecretName("KEY")); s.Deleted != tc.wantScheduled {
				t.Errorf("scheduled for deletion afterwards: %v, want %v", s.Deleted, tc.wantScheduled)
			}
		})
	}
}
