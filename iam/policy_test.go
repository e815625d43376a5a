package iam_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/iam"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	ns     = "myapp"
	keyARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	alias  = "alias/myapp-team"
)

// vaults name the three kinds of KMS key a vault can have: none (the AWS
// managed key), a customer key by ARN, and one by alias.
var vaults = []iam.Vault{
	{Slug: "secretsmanager", Region: "us-east-1"},
	{Slug: "eu", Region: "eu-west-1", KMSKey: keyARN},
	{Slug: "team", Region: "us-east-1", KMSKey: alias},
}

// scopedVaults are vaults with one scoped vault among them: keep creates
// its secrets with the Scope tag too.
var scopedVaults = []iam.Vault{vaults[0], vaults[1], {Slug: "team", Region: "us-east-1", KMSKey: alias, Scope: "app2"}}

// scenarios are the three policies the Keep documentation shows, and
// write access in a project with a scoped vault.
var scenarios = []struct {
	name string
	req  iam.Request
}{
	{"full", iam.Request{Namespace: ns, Access: iam.Full, Vaults: vaults}},
	{"write", iam.Request{Namespace: ns, Envs: []string{"staging", "qa"}, Access: iam.Write, Vaults: vaults}},
	{"read", iam.Request{Namespace: ns, Envs: []string{"production"}, Access: iam.Read, Vaults: vaults}},
	{"scoped", iam.Request{Namespace: ns, Envs: []string{"staging"}, Access: iam.Write, Vaults: scopedVaults}},
}

func policyJSON(t *testing.T, r iam.Request) []byte {
	t.Helper()
	p, err := iam.Build(r)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := policyJSON(t, sc.req)
			path := filepath.Join("testdata", sc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./iam -run Golden -update creates it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs (go test ./iam -run Golden -update rewrites it); got:\n%s", path, got)
			}
			if again := policyJSON(t, sc.req); !bytes.Equal(again, got) {
				t.Error("two builds of the same request differ")
			}
		})
	}
}

// document is a policy as IAM reads it.
type document struct {
	Version   string
	Statement []statement
}

type statement struct {
	Sid       string
	Effect    string
	Action    []string
	Resource  json.RawMessage // "*" or a list of ARNs
	Condition map[string]map[string][]string
}

func (s statement) resources() []string {
	var one string
	if json.Unmarshal(s.Resource, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(s.Resource, &many)
	return many
}

// cond is the values of key under operator op, or nil.
func (s statement) cond(op, key string) []string { return s.Condition[op][key] }

func parse(t *testing.T, data []byte) document {
	t.Helper()
	var d document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("the policy is not a valid IAM document: %v\n%s", err, data)
	}
	return d
}

// allowing returns the statements that allow action.
func (d document) allowing(action string) []statement {
	var out []statement
	for _, s := range d.Statement {
		if slices.Contains(s.Action, action) {
			out = append(out, s)
		}
	}
	return out
}

// only returns the one statement that allows action.
func (d document) only(t *testing.T, action string) statement {
	t.Helper()
	ss := d.allowing(action)
	if len(ss) != 1 {
		t.Fatalf("%d statements allow %s, want 1", len(ss), action)
	}
	return ss[0]
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

var (
	readActions  = []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"}
	writeActions = []string{"secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret", "secretsmanager:RestoreSecret", "secretsmanager:UpdateSecret"}
	// keep never tags or untags an existing secret: no policy allows it.
	tagActions  = []string{"secretsmanager:TagResource", "secretsmanager:UntagResource"}
	keepTagKeys = []string{"ManagedBy", "Namespace", "Environment", "VaultSlug"}
)

func TestConditions(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			d := parse(t, policyJSON(t, sc.req))
			envs := sc.req.Envs
			if d.Version != "2012-10-17" {
				t.Errorf("Version %q", d.Version)
			}
			sids := map[string]bool{}
			for _, s := range d.Statement {
				if s.Effect != "Allow" || s.Sid == "" || sids[s.Sid] {
					t.Errorf("statement %q: Effect %q; Sids must be set and unique", s.Sid, s.Effect)
				}
				sids[s.Sid] = true
			}

			// keep run lists and batch-reads account-wide: these actions
			// take no resource-level conditions.
			for _, a := range []string{"secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue"} {
				s := d.only(t, a)
				if r := s.resources(); !slices.Equal(r, []string{"*"}) || s.Condition != nil {
					t.Errorf("%s: Resource %v, Condition %v; want \"*\" and none", a, r, s.Condition)
				}
			}

			// Every other Secrets Manager action is limited to keep's
			// secrets of this namespace (and envs), by resource or request tag.
			for _, s := range d.Statement {
				for _, a := range s.Action {
					if !strings.HasPrefix(a, "secretsmanager:") || a == "secretsmanager:ListSecrets" || a == "secretsmanager:BatchGetSecretValue" {
						continue
					}
					tagPrefix := "secretsmanager:ResourceTag/"
					if a == "secretsmanager:CreateSecret" {
						tagPrefix = "aws:RequestTag/"
					}
					eq := s.Condition["StringEquals"]
					if !slices.Equal(eq[tagPrefix+"Namespace"], []string{ns}) || !slices.Equal(eq[tagPrefix+"ManagedBy"], []string{"Keep"}) {
						t.Errorf("%s (%s) is not limited to %sManagedBy=Keep, Namespace=%s: %v", a, s.Sid, tagPrefix, ns, s.Condition)
					}
					envTag := "Environment"
					if strings.HasSuffix(s.Sid, "TaggedEnv") {
						// The PHP Keep's secrets: Env, and no Environment tag.
						envTag = "Env"
						if null := s.Condition["Null"][tagPrefix+"Environment"]; !slices.Equal(null, []string{"true"}) || len(envs) == 0 {
							t.Errorf("%s (%s) must require no Environment tag, and only with --env: %v", a, s.Sid, s.Condition)
						}
					}
					if got := eq[tagPrefix+envTag]; !slices.Equal(got, envs) {
						t.Errorf("%s (%s): %s%s is %v, want %v", a, s.Sid, tagPrefix, envTag, got, envs)
					}
				}
			}

			for _, a := range readActions {
				for _, s := range d.allowing(a) {
					if !slices.Equal(s.resources(), []string{"*"}) {
						t.Errorf("%s on %v", a, s.resources())
					}
				}
				// One statement by Environment, and with --env one more for
				// the PHP Keep's secrets tagged Env.
				want := 1
				if len(envs) > 0 {
					want = 2
				}
				if n := len(d.allowing(a)); n != want {
					t.Errorf("%d statements allow %s, want %d", n, a, want)
				}
			}

			for _, a := range tagActions {
				if ss := d.allowing(a); len(ss) > 0 {
					t.Errorf("the policy allows %s (%s)", a, ss[0].Sid)
				}
			}
			if sc.req.Access == iam.Read {
				for _, a := range append(writeActions, "secretsmanager:CreateSecret") {
					if ss := d.allowing(a); len(ss) > 0 {
						t.Errorf("read-only policy allows %s (%s)", a, ss[0].Sid)
					}
				}
			} else {
				for _, a := range writeActions {
					if n, want := len(d.allowing(a)), len(d.allowing("secretsmanager:GetSecretValue")); n != want {
						t.Errorf("%d statements allow %s, want %d, as for reads", n, a, want)
					}
				}
				// Creating carries only keep's tags, with this namespace's
				// values; Scope too when a vault has a scope.
				create := d.only(t, "secretsmanager:CreateSecret")
				wantKeys := keepTagKeys
				if sc.name == "scoped" {
					wantKeys = append(slices.Clone(keepTagKeys), "Scope")
				}
				if got := create.cond("ForAllValues:StringEquals", "aws:TagKeys"); !sameSet(got, wantKeys) {
					t.Errorf("%s: aws:TagKeys %v, want %v", create.Sid, got, wantKeys)
				}
				eq := create.Condition["StringEquals"]
				if !slices.Equal(eq["aws:RequestTag/ManagedBy"], []string{"Keep"}) || !slices.Equal(eq["aws:RequestTag/Namespace"], []string{ns}) ||
					!slices.Equal(eq["aws:RequestTag/Environment"], envs) {
					t.Errorf("%s: request tag conditions %v", create.Sid, eq)
				}
				if got := create.cond("StringEquals", "secretsmanager:ResourceTag/Namespace"); got != nil {
					t.Errorf("CreateSecret has a ResourceTag condition %v: a new secret has no tags yet", got)
				}
			}

			checkKMS(t, d, sc.req.Access)
		})
	}
}

// checkKMS: the customer key by ARN, the alias through kms:ResourceAliases,
// the AWS managed key only through Secrets Manager; decrypt-only for read.
func checkKMS(t *testing.T, d document, access iam.Access) {
	t.Helper()
	want := []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}
	if access == iam.Read {
		want = []string{"kms:Decrypt"}
	}
	var byARN, byAlias, managed int
	for _, s := range d.Statement {
		if !strings.HasPrefix(s.Action[0], "kms:") {
			continue
		}
		if !sameSet(s.Action, want) {
			t.Errorf("%s allows %v, want %v", s.Sid, s.Action, want)
		}
		res := s.resources()
		switch aliases := s.cond("ForAnyValue:StringEquals", "kms:ResourceAliases"); {
		case slices.Equal(res, []string{keyARN}) && s.Condition == nil:
			byARN++
		case slices.Equal(res, []string{"*"}) && slices.Equal(aliases, []string{alias}) && len(s.Condition) == 1:
			byAlias++
		case slices.Equal(res, []string{"*"}) && slices.Equal(aliases, []string{"alias/aws/secretsmanager"}):
			// The managed key vaults are all in us-east-1.
			if via := s.cond("StringEquals", "kms:ViaService"); !slices.Equal(via, []string{"secretsmanager.us-east-1.amazonaws.com"}) {
				t.Errorf("%s: kms:ViaService %v", s.Sid, via)
			}
			managed++
		default:
			t.Errorf("unexpected KMS statement %s: Resource %v, Condition %v", s.Sid, res, s.Condition)
		}
	}
	if byARN != 1 || byAlias != 1 || managed != 1 {
		t.Errorf("KMS statements: %d for the key ARN, %d for the alias, %d for the managed key; want one each", byARN, byAlias, managed)
	}
}

func TestKMSKeyForms(t *testing.T) {
	for _, tc := range []struct {
		name   string
		vaults []iam.Vault
		want   string // a fragment of the KMS statements
	}{
		{"no vault: managed key in any region", nil, `"StringLike": {
                    "kms:ViaService": [
                        "secretsmanager.*.amazonaws.com"`},
		{"vault without region", []iam.Vault{{Slug: "v"}}, `"secretsmanager.*.amazonaws.com"`},
		{"managed key by its alias", []iam.Vault{{Slug: "v", Region: "eu-west-1", KMSKey: "alias/aws/secretsmanager"}}, `"StringEquals": {
                    "kms:ViaService": [
                        "secretsmanager.eu-west-1.amazonaws.com"`},
		{"key id", []iam.Vault{{Slug: "v", Region: "eu-west-1", KMSKey: "1234abcd-12ab"}}, `"arn:aws:kms:eu-west-1:*:key/1234abcd-12ab"`},
		{"two regions", []iam.Vault{{Slug: "a", Region: "us-east-1"}, {Slug: "b", Region: "eu-west-1"}}, `"kms:ViaService": [
                        "secretsmanager.eu-west-1.amazonaws.com",
                        "secretsmanager.us-east-1.amazonaws.com"
                    ]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := policyJSON(t, iam.Request{Namespace: ns, Access: iam.Full, Vaults: tc.vaults})
			parse(t, out)
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("policy lacks %s:\n%s", tc.want, out)
			}
		})
	}
}

func TestBuildRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  iam.Request
		want string
	}{
		{"write without envs", iam.Request{Namespace: ns, Access: iam.Write}, "--access=write needs --env"},
		{"read without env", iam.Request{Namespace: ns, Access: iam.Read}, "--access=read describes one environment"},
		{"read with two envs", iam.Request{Namespace: ns, Access: iam.Read, Envs: []string{"staging", "production"}}, "--access=read describes one environment"},
		{"unknown access", iam.Request{Namespace: ns, Access: "admin"}, `unknown access "admin"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := iam.Build(tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build = %v, %v; want an error with %q", p, err, tc.want)
			}
		})
	}
}

func ExampleBuild() {
	p, err := iam.Build(iam.Request{Namespace: "myapp", Envs: []string{"production"}, Access: iam.Read})
	if err != nil {
		panic(err)
	}
	for _, s := range p.Statement {
		fmt.Println(s.Sid, s.Action)
	}
	// Output:
	// KeepReadSecrets [secretsmanager:DescribeSecret secretsmanager:GetSecretValue secretsmanager:ListSecretVersionIds]
	// KeepReadSecretsTaggedEnv [secretsmanager:DescribeSecret secretsmanager:GetSecretValue secretsmanager:ListSecretVersionIds]
	// KeepListAccountWide [secretsmanager:BatchGetSecretValue secretsmanager:ListSecrets]
	// KeepKmsAwsManagedKey [kms:Decrypt]
}
