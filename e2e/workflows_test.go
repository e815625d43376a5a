//go:build linux

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/joho/godotenv"

	"github.com/keep-run/keep/internal/motoserver"
	"github.com/keep-run/keep/internal/smfake"
)

// The cross-environment workflows through the binary: export (formats,
// files, --append, --all), copy, diff, verify and iam, against moto, and
// against smfake for the faults moto cannot produce. Helpers here start
// with wf so that they cannot clash with the other root test files'.

// wfKeepTags are the four tags keep writes on a secret.
func wfKeepTags(ns, env, slug string) map[string]string {
	return map[string]string{"ManagedBy": "Keep", "Namespace": ns, "Environment": env, "VaultSlug": slug}
}

// wfScoped is a Keep-tagged secret of the vault slug with scope.
func wfScoped(ns, scope, env, slug, key, value string) motoserver.Secret {
	return motoserver.Secret{Name: ns + "/" + scope + "/" + env + "/" + key, Value: value, Tags: wfKeepTags(ns, env, slug)}
}

// wfTwoVaults writes a project of ns with envs staging and production and
// two Secrets Manager vaults, a (scope team-a, the default) and b (scope
// team-b), and returns its directory.
func wfTwoVaults(t *testing.T, ns string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, ".keep/settings.json", fmt.Sprintf(`{"namespace": %q, "envs": ["staging", "production"], "default_vault": "a"}`, ns))
	writeFile(t, dir, ".keep/vaults/a.json", `{"slug": "a", "driver": "secretsmanager", "region": "us-east-1", "scope": "team-a"}`)
	writeFile(t, dir, ".keep/vaults/b.json", `{"slug": "b", "driver": "secretsmanager", "region": "us-east-1", "scope": "team-b"}`)
	return dir
}

// wfTags returns the tags of the secret name in moto, or false when there
// is no such secret.
func wfTags(t *testing.T, name string) (map[string]string, bool) {
	t.Helper()
	out, err := moto.Client().DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, false
	}
	if err != nil {
		t.Fatalf("describe %s: %v", name, err)
	}
	tags := map[string]string{}
	for _, tag := range out.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return tags, true
}

// wfValue is the current value of the secret name in moto.
func wfValue(t *testing.T, name string) string {
	t.Helper()
	out, err := moto.Client().GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return aws.ToString(out.SecretString)
}

// wfWant checks that moto holds name with value and exactly tags.
func wfWant(t *testing.T, name, value string, tags map[string]string) {
	t.Helper()
	got, ok := wfTags(t, name)
	if !ok {
		t.Errorf("%s does not exist", name)
		return
	}
	if !maps.Equal(got, tags) {
		t.Errorf("%s is tagged %v, want %v", name, got, tags)
	}
	if v := wfValue(t, name); v != value {
		t.Errorf("%s holds %d bytes, not the %d-byte value it should", name, len(v), len(value))
	}
}

// wfAbsent checks that moto has no secret name, not even one scheduled for
// deletion.
func wfAbsent(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, ok := wfTags(t, name); ok {
			t.Errorf("%s exists; it must not", name)
		}
	}
}

// wfNames lists the secrets in moto whose name starts with prefix,
// including those scheduled for deletion.
func wfNames(t *testing.T, prefix string) []string {
	t.Helper()
	in := &secretsmanager.ListSecretsInput{
		IncludePlannedDeletion: aws.Bool(true),
		Filters:                []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{prefix}}},
	}
	var names []string
	p := secretsmanager.NewListSecretsPaginator(moto.Client(), in)
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.SecretList {
			if name := aws.ToString(e.Name); strings.HasPrefix(name, prefix) {
				names = append(names, name)
			}
		}
	}
	return names
}

// wfOK stops the test unless keep exited 0.
func wfOK(t *testing.T, res result) {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", res.code, res.stderr)
	}
}

// wfFailed checks keep's exit code and stderr, whatever it printed on
// stdout, and that stdout holds no secret value either.
func wfFailed(t *testing.T, res result, code int, stderrHas ...string) {
	t.Helper()
	if res.code != code {
		t.Errorf("exit code = %d, want %d; stderr:\n%s", res.code, code, res.stderr)
	}
	for _, s := range stderrHas {
		if !strings.Contains(res.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, res.stderr)
		}
	}
	assertNoLeak(t, "stdout", res.stdout)
}

// wfRows splits a table on stdout into rows of fields, up to the first
// blank line.
func wfRows(out string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

// ---- export ----

func TestExportJSONIsOneFlatObject(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "DB_PASSWORD", "json-db-password"),
		secret(ns, "production", "TLS_KEY", multiLine["TLS_KEY"]),
		secret(ns, "production", "QUOTES", multiLine["QUOTES"]),
		secret(ns, "production", "UNICODE", multiLine["UNICODE"]),
		secret(ns, "production", "dash-key", "json-dash-key-value"),
		secret(ns, "staging", "STAGING_ONLY", "json-staging-only"),
	)
	want := map[string]string{
		"DB_PASSWORD": "json-db-password",
		"TLS_KEY":     multiLine["TLS_KEY"],
		"QUOTES":      multiLine["QUOTES"],
		"UNICODE":     multiLine["UNICODE"],
		"dash-key":    "json-dash-key-value", // JSON keeps the KEY as it is
	}
	args := []string{"export", "--namespace=" + ns, "--env=production", "--format=json"}
	res := keep(t, run{args: args})
	wfOK(t, res)
	var got map[string]string // a nested value would not decode
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
		t.Fatalf("stdout is not one flat object of strings: %v\n%s", err, res.stdout)
	}
	if !maps.Equal(got, want) {
		t.Errorf("export --format=json has keys %v, want %v (or values differ)", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}

	dir := t.TempDir()
	out := filepath.Join(dir, "secrets.json")
	wfOK(t, keep(t, run{args: append(args, "--output="+out)}))
	wantFile(t, out, res.stdout)
	wantFiles(t, dir, "secrets.json")

	res = keep(t, run{args: append(args, "--only=DB_*")})
	wfOK(t, res)
	got = nil
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || !maps.Equal(got, map[string]string{"DB_PASSWORD": "json-db-password"}) {
		t.Errorf("--only=DB_* --format=json: %v, keys %v", err, slices.Sorted(maps.Keys(got)))
	}

	wantExit(t, keep(t, run{args: append(args, "--output="+filepath.Join(dir, "x.json"), "--append")}), 125, "--append writes dotenv lines")
}

func TestExportDotenvReadsBackByteExact(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	var secrets []motoserver.Secret
	for _, k := range slices.Sorted(maps.Keys(multiLine)) {
		secrets = append(secrets, secret(ns, "production", k, multiLine[k]))
	}
	seed(t, secrets...)
	args := []string{"export", "--namespace=" + ns, "--env=production"}

	res := keep(t, run{args: args})
	wfOK(t, res)
	got, err := godotenv.Unmarshal(res.stdout)
	if err != nil {
		t.Fatalf("godotenv cannot read the export: %v", err)
	}
	hasOnly(t, got, multiLine)
	if len(got) != len(multiLine) {
		t.Errorf("godotenv read %d variables, want %d", len(got), len(multiLine))
	}

	out := filepath.Join(t.TempDir(), ".env")
	wfOK(t, keep(t, run{args: append(args, "--output="+out)}))
	wantFile(t, out, res.stdout)
	fromFile, err := godotenv.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	hasOnly(t, fromFile, multiLine)
}

func TestExportOutputFile(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "OUT_TOKEN", "output-token-value"))
	dir := t.TempDir()
	out := filepath.Join(dir, "prod.env")
	args := []string{"export", "--namespace=" + ns, "--env=production", "--output=" + out}

	res := keep(t, run{args: args})
	wantExit(t, res, 0)
	wantFile(t, out, "OUT_TOKEN='output-token-value'\n")

	writeFile(t, dir, "prod.env", "PRECIOUS=1\n")
	wantExit(t, keep(t, run{args: args}), 125, out+" already exists", "--overwrite")
	if data, _ := os.ReadFile(out); string(data) != "PRECIOUS=1\n" {
		t.Errorf("the refused export changed the file: %q", data)
	}
	wantExit(t, keep(t, run{args: append(args, "--overwrite")}), 0)
	wantFile(t, out, "OUT_TOKEN='output-token-value'\n")

	wantExit(t, keep(t, run{args: append(args, "--overwrite", "--append")}), 125, "--overwrite", "--append")
	wantExit(t, keep(t, run{args: []string{"export", "--namespace=" + ns, "--env=production", "--append"}}), 125, "need --output")
	wantFiles(t, dir, "prod.env")
}

func TestExportAppendAddsOnlyMissingVariables(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "A_NEW", "append-new-a"),
		secret(ns, "production", "B_HAVE", "append-b-from-the-vault"),
		secret(ns, "production", "C_PEM", multiLine["TLS_KEY"]),
	)
	dir := t.TempDir()
	out := filepath.Join(dir, ".env")
	args := []string{"export", "--namespace=" + ns, "--env=production", "--output=" + out, "--append"}
	added := "A_NEW='append-new-a'\nC_PEM='" + multiLine["TLS_KEY"] + "'\n"

	for _, tc := range []struct{ name, existing, want string }{
		{"comments and blank lines", "# local settings\nB_HAVE=local-b   # mine\n\nexport OTHER='keep me'\n", ""},
		{"trailing blank line", "B_HAVE=\"local b\"\n\n", ""},
		{"no final newline", "B_HAVE=local-b", "B_HAVE=local-b\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(out, []byte(tc.existing), 0o644); err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == "" {
				want = tc.existing
			}
			want += added
			wantExit(t, keep(t, run{args: args}), 0)
			wantFile(t, out, want)
			// Again: nothing is missing now, nothing changes.
			wantExit(t, keep(t, run{args: args}), 0)
			wantFile(t, out, want)
		})
	}

	// No file yet: --append creates it with everything.
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	wantExit(t, keep(t, run{args: args}), 0)
	wantFile(t, out, "A_NEW='append-new-a'\nB_HAVE='append-b-from-the-vault'\nC_PEM='"+multiLine["TLS_KEY"]+"'\n")
	wantFiles(t, dir, ".env")
}

// Values are not template placeholders: --append reads a file and keep's
// own output as dotenv, and reports a line it cannot read by number only.
func TestExportAppendReadsDotenvNotTemplates(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "TWIG", "{{name|upper-filter-secret}}"))
	dir := t.TempDir()
	out := filepath.Join(dir, ".env")
	args := []string{"export", "--namespace=" + ns, "--env=production", "--output=" + out, "--append"}

	existing := "LOCAL='{x|local-filter}'\n"
	writeFile(t, dir, ".env", existing)
	wantExit(t, keep(t, run{args: args}), 0)
	wantFile(t, out, existing+"TWIG='{{name|upper-filter-secret}}'\n")

	writeFile(t, dir, ".env", "A=1\nnot dotenv local-secret-fragment\n")
	res := keep(t, run{args: args})
	wantExit(t, res, 125, out+":2: not a NAME=VALUE line")
	if strings.Contains(res.stderr, "fragment") {
		t.Errorf("stderr quotes the file's line:\n%s", res.stderr)
	}
}

func TestExportAllAddsWhatTheTemplateDoesNotName(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "NAMED", "all-named-value"),
		secret(ns, "production", "SHADOWED", "all-shadowed-value"),
		secret(ns, "production", "EXTRA_ONE", "all-extra-one"),
		secret(ns, "production", "EXTRA_TWO", "all-extra-two"),
		secret(ns, "staging", "EXTRA_STAGING", "all-extra-staging"),
	)
	// SHADOWED is no placeholder, but the template sets the variable.
	_, path := newTemplate(t, "# app\nNAMED={secretsmanager}\nSHADOWED=static-in-template\n")
	args := []string{"export", "--namespace=" + ns, "--env=production", "--template=" + path}
	head := "# app\nNAMED='all-named-value'\nSHADOWED=static-in-template\n"
	sep := "\n# ----- Additional secrets not in template -----\n\n"

	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{nil, head},
		{[]string{"--all"}, head + sep + "EXTRA_ONE='all-extra-one'\nEXTRA_TWO='all-extra-two'\n"},
		{[]string{"--all", "--only=EXTRA_O*"}, head + sep + "EXTRA_ONE='all-extra-one'\n"},
		{[]string{"--all", "--except=EXTRA_*"}, head},
	} {
		res := keep(t, run{args: append(args, tc.flags...)})
		if res.code != 0 || res.stdout != tc.want {
			t.Errorf("export %v: exit %d, stdout\n%s\nwant\n%s\nstderr:\n%s", tc.flags, res.code, res.stdout, tc.want, res.stderr)
		}
	}

	res := keep(t, run{args: append(args, "--all", "--format=json")})
	wfOK(t, res)
	var got map[string]string
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"NAMED": "all-named-value", "SHADOWED": "static-in-template", "EXTRA_ONE": "all-extra-one", "EXTRA_TWO": "all-extra-two"}
	if !maps.Equal(got, want) {
		t.Errorf("--all --format=json: keys %v, want %v (or values differ)", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}

	wantExit(t, keep(t, run{args: []string{"export", "--namespace=" + ns, "--env=production", "--all"}}), 125, "--all needs --template")
}

func TestExportOnlyExcept(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "production", "DB_HOST", "filter-db-host"),
		secret(ns, "production", "DB_USER", "filter-db-user"),
		secret(ns, "production", "DB_ADMIN", "filter-db-admin"),
		secret(ns, "production", "API_KEY", "filter-api-key"),
	)
	args := []string{"export", "--namespace=" + ns, "--env=production"}
	for _, tc := range []struct {
		flags []string
		env   []string
		want  string
	}{
		{[]string{"--only=DB_*"}, nil, "DB_ADMIN='filter-db-admin'\nDB_HOST='filter-db-host'\nDB_USER='filter-db-user'\n"},
		{[]string{"--only=DB_*", "--except=DB_ADMIN"}, nil, "DB_HOST='filter-db-host'\nDB_USER='filter-db-user'\n"},
		{[]string{"--except=DB_*"}, nil, "API_KEY='filter-api-key'\n"},
		{nil, []string{"KEEP_ONLY=API_*,DB_USER"}, "API_KEY='filter-api-key'\nDB_USER='filter-db-user'\n"},
		{[]string{"--only=NOTHING_*", "--allow-empty"}, nil, ""},
	} {
		res := keep(t, run{env: tc.env, args: append(args, tc.flags...)})
		if res.code != 0 || res.stdout != tc.want {
			t.Errorf("export %v %v: exit %d, stdout\n%s\nwant\n%s\nstderr:\n%s", tc.env, tc.flags, res.code, res.stdout, tc.want, res.stderr)
		}
	}
	wantExit(t, keep(t, run{args: append(args, "--only=[")}), 125, `--only: malformed glob "["`)
	// Nothing matching is an error, as for keep run: a typo must not write
	// an empty .env.
	wantExit(t, keep(t, run{args: append(args, "--only=NOTHING_*")}), 125, "no secrets left after --only=NOTHING_*", "--allow-empty")
	wantExit(t, keep(t, run{args: []string{"export", "--namespace=" + ns, "--env=prodution"}}), 125, "no secrets found", "--allow-empty")
}

// ---- copy ----

func TestCopyOneKey(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "staging", "DB_PASSWORD", "copy-one-db-password"),
		secret(ns, "staging", "OTHER", "copy-one-other-value"),
	)
	res := keep(t, run{args: []string{"copy", "DB_PASSWORD", "--namespace=" + ns, "--from=staging", "--to=production"}})
	wfOK(t, res)
	assertNoLeak(t, "stdout", res.stdout)
	wantLines(t, res, 0,
		"Copy 1 secret(s) from "+ns+"/staging (us-east-1) to "+ns+"/production (us-east-1):",
		"  create    DB_PASSWORD",
		"Copied 1 secret(s) to "+ns+"/production")
	wfWant(t, ns+"/production/DB_PASSWORD", "copy-one-db-password", wfKeepTags(ns, "production", "secretsmanager"))
	wfAbsent(t, ns+"/production/OTHER")
	// The source is untouched.
	wfWant(t, ns+"/staging/DB_PASSWORD", "copy-one-db-password", motoserver.KeepTags(ns, "staging"))

	res = keep(t, run{args: []string{"copy", "NOPE", "--namespace=" + ns, "--from=staging", "--to=production"}})
	wantExit(t, res, 125, ns+"/staging/NOPE not found")
	wfAbsent(t, ns+"/production/NOPE")
}

func TestCopyPattern(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	existing := secret(ns, "production", "DB_USER", "copy-prod-db-user")
	existing.Tags["Owner"] = "ops" // not keep's: an overwrite removes it
	seed(t,
		secret(ns, "staging", "DB_HOST", "copy-staging-db-host"),
		secret(ns, "staging", "DB_USER", "copy-staging-db-user"),
		secret(ns, "staging", "DB_PASSWORD", "copy-staging-db-password"),
		secret(ns, "staging", "API_KEY", "copy-staging-api-key"),
		existing,
	)
	args := []string{"copy", "--namespace=" + ns, "--only=DB_*", "--from=staging", "--to=production"}
	plan := "Copy 3 secret(s) from " + ns + "/staging (us-east-1) to " + ns + "/production (us-east-1):"
	untouched := func(t *testing.T) {
		t.Helper()
		wfAbsent(t, ns+"/production/DB_HOST", ns+"/production/DB_PASSWORD", ns+"/production/API_KEY")
		wfWant(t, ns+"/production/DB_USER", "copy-prod-db-user", existing.Tags)
	}

	// --dry-run prints the plan by name and writes nothing.
	res := keep(t, run{args: append(args, "--dry-run")})
	assertNoLeak(t, "stdout", res.stdout)
	wantLines(t, res, 0, plan, "  create    DB_HOST", "  create    DB_PASSWORD", "  exists    DB_USER")
	untouched(t)
	res = keep(t, run{args: append(args, "--dry-run", "--overwrite")})
	wantLines(t, res, 0, plan, "  create    DB_HOST", "  create    DB_PASSWORD", "  overwrite DB_USER")
	untouched(t)

	// A destination exists: nothing at all is written.
	res = keep(t, run{args: args})
	wfFailed(t, res, 125, "keep: error: 1 secret(s) exist in "+ns+"/production: DB_USER; nothing was copied", "pass --overwrite")
	untouched(t)

	res = keep(t, run{args: append(args, "--overwrite")})
	wfOK(t, res)
	assertNoLeak(t, "stdout", res.stdout)
	wantLines(t, res, 0, plan, "  create    DB_HOST", "  create    DB_PASSWORD", "  overwrite DB_USER", "Copied 3 secret(s) to "+ns+"/production")
	tags := wfKeepTags(ns, "production", "secretsmanager")
	wfWant(t, ns+"/production/DB_HOST", "copy-staging-db-host", tags)
	wfWant(t, ns+"/production/DB_PASSWORD", "copy-staging-db-password", tags)
	wfWant(t, ns+"/production/DB_USER", "copy-staging-db-user", tags)
	wfAbsent(t, ns+"/production/API_KEY")

	// --except narrows, --only too.
	res = keep(t, run{args: []string{"copy", "--namespace=" + ns, "--except=DB_*", "--from=staging", "--to=qa"}})
	wantLines(t, res, 0, "Copy 1 secret(s)", "  create    API_KEY", "Copied 1 secret(s)")
	wfWant(t, ns+"/qa/API_KEY", "copy-staging-api-key", wfKeepTags(ns, "qa", "secretsmanager"))
	res = keep(t, run{args: []string{"copy", "--namespace=" + ns, "--only=NOTHING_*", "--from=staging", "--to=qa"}})
	wantExit(t, res, 125, "no secrets in "+ns+"/staging match --only=NOTHING_*")
}

// Without --overwrite nothing is written over any secret of the
// destination's name: one that is mistagged, scheduled for deletion, or
// not keep's at all.
func TestCopyNeverWritesOverATakenName(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	mistagged := secret(ns, "production", "MISTAGGED", "taken-mistagged-production")
	mistagged.Tags["Environment"] = "staging"
	deleted := secret(ns, "production", "DELETED", "taken-deleted-production")
	deleted.Deleted = true
	foreign := motoserver.Secret{Name: ns + "/production/FOREIGN", Value: "taken-foreign-production"}
	seed(t,
		secret(ns, "staging", "MISTAGGED", "taken-mistagged-staging"),
		secret(ns, "staging", "DELETED", "taken-deleted-staging"),
		secret(ns, "staging", "FOREIGN", "taken-foreign-staging"),
		mistagged, deleted, foreign,
	)
	args := []string{"copy", "--namespace=" + ns, "--only=*", "--from=staging", "--to=production"}
	res := keep(t, run{args: append(args, "--dry-run")})
	wantLines(t, res, 0, "Copy 3 secret(s)", "  exists    DELETED", "  exists    FOREIGN", "  exists    MISTAGGED")

	res = keep(t, run{args: args})
	wfFailed(t, res, 125, "3 secret(s) exist in "+ns+"/production: DELETED, FOREIGN, MISTAGGED; nothing was copied")
	if v := wfValue(t, ns+"/production/MISTAGGED"); v != "taken-mistagged-production" {
		t.Error("the mistagged destination was written over without --overwrite")
	}
	if v := wfValue(t, ns+"/production/FOREIGN"); v != "taken-foreign-production" {
		t.Error("the foreign destination was written over")
	}

	// --overwrite replaces keep's secret and fixes its tags; the others
	// are refused, each with its reason.
	res = keep(t, run{args: append(args, "--overwrite")})
	wfFailed(t, res, 125,
		"keep: error: copied 1 of 3 secret(s) to "+ns+"/production: MISTAGGED; NOT copied: DELETED ("+ns+"/production/DELETED is scheduled for deletion",
		"FOREIGN ("+ns+"/production/FOREIGN exists but is not managed by keep")
	wfWant(t, ns+"/production/MISTAGGED", "taken-mistagged-staging", wfKeepTags(ns, "production", "secretsmanager"))
	if v := wfValue(t, ns+"/production/FOREIGN"); v != "taken-foreign-production" {
		t.Error("the foreign destination was written over")
	}
}

func TestCopyAcrossVaults(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := wfTwoVaults(t, ns)
	seed(t, wfScoped(ns, "team-a", "production", "a", "SHARED_KEY", "copy-vault-shared-key"))

	res := keep(t, run{dir: dir, args: []string{"copy", "SHARED_KEY", "--from=a:production", "--to=b:production"}})
	wantLines(t, res, 0, "Copy 1 secret(s) from "+ns+"/team-a/production (us-east-1) to "+ns+"/team-b/production (us-east-1):", "  create    SHARED_KEY", "Copied 1")
	wfWant(t, ns+"/team-b/production/SHARED_KEY", "copy-vault-shared-key", wfKeepTags(ns, "production", "b"))

	// "production" is the default vault's: a.
	res = keep(t, run{dir: dir, args: []string{"copy", "SHARED_KEY", "--from=production", "--to=b:staging"}})
	wantLines(t, res, 0, "Copy 1 secret(s) from "+ns+"/team-a/production (us-east-1) to "+ns+"/team-b/staging (us-east-1):", "  create    SHARED_KEY", "Copied 1")
	wfWant(t, ns+"/team-b/staging/SHARED_KEY", "copy-vault-shared-key", wfKeepTags(ns, "staging", "b"))

	// The project's envs and vaults are checked.
	wantExit(t, keep(t, run{dir: dir, args: []string{"copy", "SHARED_KEY", "--from=a:production", "--to=c:production"}}), 125, `vault "c" is not configured`)
	wantExit(t, keep(t, run{dir: dir, args: []string{"copy", "SHARED_KEY", "--from=a:production", "--to=b:qa"}}), 125, `environment "qa" is not one of the project's environments`)
}

func TestCopyRefusesBadArguments(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "staging", "ARG_KEY", "copy-args-value"))
	for _, tc := range []struct {
		name string
		args []string
		say  string
	}{
		{"same context", []string{"ARG_KEY", "--from=staging", "--to=staging"}, "source and destination are the same"},
		{"same context by vault", []string{"ARG_KEY", "--from=staging", "--to=secretsmanager:staging"}, "source and destination are the same"},
		{"key and only", []string{"ARG_KEY", "--only=ARG_*", "--from=staging", "--to=production"}, "give a KEY or --only/--except, not both"},
		{"nothing", []string{"--from=staging", "--to=production"}, "nothing to copy"},
		{"no destination", []string{"ARG_KEY", "--from=staging"}, "--to"},
		{"bad glob", []string{"--only=[", "--from=staging", "--to=production"}, "malformed glob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantExit(t, keep(t, run{args: append([]string{"copy", "--namespace=" + ns}, tc.args...)}), 125, tc.say)
		})
	}
	wfAbsent(t, ns+"/production/ARG_KEY")
}

// A write that fails part-way: keep says exactly which keys were copied
// and which were not, and what failed, without a value.
func TestCopyPartialFailure(t *testing.T) {
	t.Parallel()
	deny := func(op, name string) func(string, string) *smfake.Fault {
		return func(gotOp, gotName string) *smfake.Fault {
			if gotOp == op && gotName == name {
				return &smfake.Fault{Code: "AccessDeniedException", Message: "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: secretsmanager:" + op + " on resource: " + name}
			}
			return nil
		}
	}
	for _, tc := range []struct {
		name      string
		existing  bool // the destination secrets exist; copy with --overwrite
		op, key   string
		copied    string
		notCopied string
	}{
		{"create denied", false, "CreateSecret", "DB_PASSWORD", "DB_HOST, DB_USER",
			"DB_PASSWORD (CreateSecret app/production/DB_PASSWORD: AccessDeniedException: User: arn:aws:iam::123456789012:user/dev is not authorized"},
		{"put denied", true, "PutSecretValue", "DB_USER", "DB_HOST, DB_PASSWORD",
			"DB_USER (PutSecretValue app/production/DB_USER: AccessDeniedException"},
		{"tagging denied", true, "TagResource", "DB_HOST", "DB_PASSWORD, DB_USER",
			"DB_HOST (the new value of app/production/DB_HOST is stored (version v2), but its tags could not be set: TagResource: AccessDeniedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			keys := []string{"DB_HOST", "DB_PASSWORD", "DB_USER"}
			var secrets []smfake.Secret
			for _, k := range keys {
				secrets = append(secrets, fakeSecret("app", "staging", k, "partial-staging-"+strings.ToLower(k)))
				if tc.existing {
					secrets = append(secrets, fakeSecret("app", "production", k, "partial-production-"+strings.ToLower(k)))
				}
			}
			srv := smfake.New(secrets...)
			defer srv.Close()
			srv.InjectSecret = deny(tc.op, "app/production/"+tc.key)
			args := []string{"copy", "--namespace=app", "--only=DB_*", "--from=staging", "--to=production"}
			if tc.existing {
				args = append(args, "--overwrite")
			}
			res := keepWith(t, srv.Env(), run{args: args})
			wfFailed(t, res, 125,
				"keep: error: copied 2 of 3 secret(s) to app/production: "+tc.copied+"; NOT copied: "+tc.notCopied,
				"keep: fix the cause and run the copy again with --overwrite for the keys not copied")
			if n := strings.Count(res.stderr, "\n"); n != 2 {
				t.Errorf("stderr has %d lines, want 2 (the error and what to do):\n%s", n, res.stderr)
			}
			for _, k := range keys {
				got, ok := srv.Get("app/production/" + k)
				switch {
				case k == tc.key && tc.op == "CreateSecret":
					if ok {
						t.Errorf("%s was created although CreateSecret was denied", k)
					}
				case k == tc.key && tc.op == "PutSecretValue":
					if got.Value != "partial-production-"+strings.ToLower(k) {
						t.Errorf("%s changed although PutSecretValue was denied", k)
					}
				case !ok || got.Value != "partial-staging-"+strings.ToLower(k):
					t.Errorf("%s was not copied (exists %v)", k, ok)
				case k != tc.key && !maps.Equal(got.Tags, wfKeepTags("app", "production", "secretsmanager")):
					t.Errorf("%s is tagged %v", k, got.Tags)
				}
			}
		})
	}
}

// ---- diff ----

// wfDiffJSON is keep diff --format=json.
type wfDiffJSON struct {
	Contexts []string
	Secrets  []struct {
		Key    string
		Values map[string]*string
		Status string
	}
}

func wfDecodeDiff(t *testing.T, res result) wfDiffJSON {
	t.Helper()
	var d wfDiffJSON
	dec := json.NewDecoder(strings.NewReader(res.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("diff --format=json: %v\n%s\nstderr:\n%s", err, res.stdout, res.stderr)
	}
	return d
}

// status is the rows of a diff as KEY → status.
func (d wfDiffJSON) status() map[string]string {
	out := map[string]string{}
	for _, s := range d.Secrets {
		out[s.Key] = s.Status
	}
	return out
}

func TestDiffMatrix(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "staging", "SAME", "diff-same-value"),
		secret(ns, "production", "SAME", "diff-same-value"),
		secret(ns, "staging", "PEM", multiLine["TLS_KEY"]),
		secret(ns, "production", "PEM", multiLine["TLS_KEY"]),
		secret(ns, "staging", "CHANGED", "diff-changed-staging"),
		secret(ns, "production", "CHANGED", "diff-changed-production"),
		secret(ns, "staging", "ONLY_STAGING", "diff-only-staging"),
	)
	args := []string{"diff", "--namespace=" + ns, "--env=staging,production"}

	// Masked by default; exit 0 although they differ.
	res := keep(t, run{args: args})
	wfOK(t, res)
	assertNoLeak(t, "stdout", res.stdout)
	want := [][]string{
		{"KEY", "staging", "production", "STATUS"},
		{"CHANGED", "✓", "di****", "✓", "di****", "different"},
		{"ONLY_STAGING", "✓", "di****", "—", "incomplete"},
		{"PEM", "✓", "--****", "✓", "--****", "identical"},
		{"SAME", "✓", "di****", "✓", "di****", "identical"},
	}
	if got := wfRows(res.stdout); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("diff table:\n%s\nwant rows %q", res.stdout, want)
	}
	if !strings.HasSuffix(res.stdout, "\n4 secrets: 2 identical, 1 different, 1 missing somewhere\n") {
		t.Errorf("diff summary:\n%s", res.stdout)
	}

	// --unmask shows the values (on one line each in the table).
	res = keep(t, run{args: append(args, "--unmask")})
	wfOK(t, res)
	for _, v := range []string{"✓ diff-changed-staging", "✓ diff-changed-production", "✓ diff-only-staging", `✓ -----BEGIN PRIVATE KEY-----\nMIIE`} {
		if !strings.Contains(res.stdout, v) {
			t.Errorf("diff --unmask lacks %q:\n%s", v, res.stdout)
		}
	}

	// JSON: contexts, and per KEY its value in each (null where missing).
	d := wfDecodeDiff(t, keep(t, run{args: append(args, "--format=json")}))
	if !slices.Equal(d.Contexts, []string{"staging", "production"}) {
		t.Errorf("contexts %q", d.Contexts)
	}
	if got, want := d.status(), map[string]string{"CHANGED": "different", "ONLY_STAGING": "incomplete", "PEM": "identical", "SAME": "identical"}; !maps.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	for _, s := range d.Secrets {
		if len(s.Values) != 2 {
			t.Errorf("%s has values for %d contexts", s.Key, len(s.Values))
		}
		for ctx, v := range s.Values {
			switch {
			case s.Key == "ONLY_STAGING" && ctx == "production":
				if v != nil {
					t.Errorf("ONLY_STAGING in production is %q, want null", *v)
				}
			case v == nil || !strings.HasSuffix(*v, "****"):
				t.Errorf("%s in %s is not masked", s.Key, ctx)
			}
		}
	}
	d = wfDecodeDiff(t, keep(t, run{args: append(args, "--format=json", "--unmask")}))
	for _, s := range d.Secrets {
		if s.Key == "PEM" && (s.Values["production"] == nil || *s.Values["production"] != multiLine["TLS_KEY"]) {
			t.Error("diff --format=json --unmask does not hold PEM's exact value")
		}
		if s.Key == "CHANGED" && (s.Values["staging"] == nil || *s.Values["staging"] != "diff-changed-staging") {
			t.Error("diff --format=json --unmask does not hold CHANGED's value in staging")
		}
	}

	// --exit-code: 1 when they differ (the matrix is still printed), 0 when
	// they do not.
	res = keep(t, run{args: append(args, "--exit-code")})
	if res.code != 1 || !strings.Contains(res.stdout, "different") {
		t.Errorf("diff --exit-code: exit %d, want 1; stdout:\n%s", res.code, res.stdout)
	}
	if first, _, _ := strings.Cut(res.stderr, "\n"); first != "keep: error: the contexts differ" {
		t.Errorf("diff --exit-code: stderr %q", res.stderr)
	}
	res = keep(t, run{args: append(args, "--exit-code", "--only=SAME,PEM")})
	wfOK(t, res)
	if rows := wfRows(res.stdout); len(rows) != 3 {
		t.Errorf("--only=SAME,PEM:\n%s", res.stdout)
	}
	res = keep(t, run{args: append(args, "--exit-code", "--except=CHANGED,ONLY_*")})
	wfOK(t, res)
	res = keep(t, run{args: append(args, "--exit-code", "--format=json", "--only=ONLY_*")})
	if res.code != 1 || !maps.Equal(wfDecodeDiff(t, res).status(), map[string]string{"ONLY_STAGING": "incomplete"}) {
		t.Errorf("an incomplete KEY is a difference: exit %d\n%s", res.code, res.stdout)
	}
}

func TestDiffVaults(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := wfTwoVaults(t, ns)
	seed(t,
		wfScoped(ns, "team-a", "production", "a", "K_SAME", "diff-vault-same"),
		wfScoped(ns, "team-b", "production", "b", "K_SAME", "diff-vault-same"),
		wfScoped(ns, "team-a", "production", "a", "K_DIFF", "diff-vault-a"),
		wfScoped(ns, "team-b", "production", "b", "K_DIFF", "diff-vault-b"),
		wfScoped(ns, "team-b", "production", "b", "K_ONLY_B", "diff-vault-only-b"),
		wfScoped(ns, "team-a", "staging", "a", "K_STAGING", "diff-vault-staging"),
	)
	want := map[string]string{"K_SAME": "identical", "K_DIFF": "different", "K_ONLY_B": "incomplete"}
	for _, args := range [][]string{
		{"--env=production", "--vault=a,b"},
		{"--env=a:production,b:production"},
	} {
		d := wfDecodeDiff(t, keep(t, run{dir: dir, args: append([]string{"diff", "--format=json"}, args...)}))
		if !slices.Equal(d.Contexts, []string{"a:production", "b:production"}) || !maps.Equal(d.status(), want) {
			t.Errorf("diff %v: contexts %q, statuses %v; want %v", args, d.Contexts, d.status(), want)
		}
	}

	// Two envs times two vaults: four contexts.
	d := wfDecodeDiff(t, keep(t, run{dir: dir, args: []string{"diff", "--format=json", "--env=staging,production", "--vault=a,b"}}))
	if !slices.Equal(d.Contexts, []string{"a:staging", "b:staging", "a:production", "b:production"}) {
		t.Errorf("contexts %q", d.Contexts)
	}
	if got := d.status(); len(got) != 4 || got["K_STAGING"] != "incomplete" || got["K_SAME"] != "incomplete" {
		t.Errorf("statuses %v", got)
	}
}

func TestDiffNeedsTwoContexts(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := wfTwoVaults(t, ns)
	for _, args := range [][]string{
		{"--env=production"},
		{"--env=production", "--vault=a"},
		{"--env=production,production"},
		{"--env=a:production", "--vault=a,a"},
	} {
		wantExit(t, keep(t, run{dir: dir, args: append([]string{"diff"}, args...)}), 125, "diff needs at least two contexts")
	}
	wantExit(t, keep(t, run{dir: dir, args: []string{"diff", "--env=production,qa"}}), 125, `environment "qa" is not one of the project's environments`)
	wantExit(t, keep(t, run{dir: dir, args: []string{"diff"}}), 125, "--env")
}

// ---- verify ----

func TestVerifyAgainstMoto(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "VERIFY_KEY", "verify-key-value"))
	args := []string{"verify", "--namespace=" + ns, "--env=production,staging"}

	res := keep(t, run{args: args})
	wfOK(t, res)
	assertNoLeak(t, "stdout", res.stdout)
	want := [][]string{
		{"VAULT:ENV", "REGION", "CREDENTIALS", "LIST", "READ", "WRITE", "RESULT"},
		{"production", "us-east-1", "✓", "✓", "1", "secret(s)", "✓", "skipped", "ok"},
		{"staging", "us-east-1", "✓", "✓", "0", "secret(s)", "–", "nothing", "to", "read", "skipped", "ok"},
	}
	if got := wfRows(res.stdout); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("verify:\n%s\nwant rows %q", res.stdout, want)
	}

	// --write: a create and delete round trip that leaves nothing behind,
	// not even a secret scheduled for deletion.
	res = keep(t, run{args: append(args, "--write")})
	wfOK(t, res)
	for _, row := range wfRows(res.stdout)[1:] {
		if !strings.HasSuffix(strings.Join(row, " "), "✓ create+delete ok") {
			t.Errorf("verify --write row %q", row)
		}
	}
	for _, name := range wfNames(t, ns+"/") {
		if strings.Contains(name, "keep-verify-") {
			t.Errorf("verify --write left %s behind", name)
		}
	}
	if names := wfNames(t, ns+"/"); len(names) != 1 {
		t.Errorf("secrets of %s after verify --write: %q", ns, names)
	}
}

func TestVerifyProjectDefaults(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := wfTwoVaults(t, ns)
	seed(t, wfScoped(ns, "team-b", "staging", "b", "VERIFY_B", "verify-b-value"))
	res := keep(t, run{dir: dir, args: []string{"verify"}})
	wfOK(t, res)
	var got []string
	for _, row := range wfRows(res.stdout)[1:] {
		got = append(got, row[0]+" "+row[4])
	}
	want := []string{"a:staging 0", "b:staging 1", "a:production 0", "b:production 0"}
	if !slices.Equal(got, want) {
		t.Errorf("verify in a project checks %q, want %q:\n%s", got, want, res.stdout)
	}
	wantExit(t, keep(t, run{args: []string{"verify", "--namespace=" + ns}}), 125, "no environments to verify")
}

func TestVerifyFailures(t *testing.T) {
	t.Parallel()
	denied := func(op string) *smfake.Fault {
		return &smfake.Fault{Code: "AccessDeniedException", Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: secretsmanager:" + op}
	}
	for _, tc := range []struct {
		name   string
		op     string
		column int // of the ✗ cell
		write  bool
	}{
		{"credentials", "ListSecrets", 2, false},
		{"read", "BatchGetSecretValue", 4, false},
		{"write", "CreateSecret", 5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := smfake.New(fakeSecret("app", "production", "VERIFY_TOKEN", "verify-fake-token"))
			defer srv.Close()
			srv.Inject = func(op string, _ int) *smfake.Fault {
				if op == tc.op {
					return denied(op)
				}
				return nil
			}
			args := []string{"verify", "--namespace=app", "--env=production"}
			if tc.write {
				args = append(args, "--write")
			}
			res := keepWith(t, srv.Env(), run{args: args})
			wfFailed(t, res, 1, "keep: error: some checks failed (see the ✗ cells above)")
			lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("verify:\n%s", res.stdout)
			}
			// Cells are separated by two or more spaces.
			var cells []string
			for _, c := range strings.Split(lines[1], "  ") {
				if c = strings.TrimSpace(c); c != "" {
					cells = append(cells, c)
				}
			}
			want := "✗ " + tc.op + ": AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: secretsmanager:" + tc.op
			if tc.op == "BatchGetSecretValue" || tc.op == "CreateSecret" {
				want = "✗ " // the cell names the call; its wording is the fetch's
			}
			if len(cells) <= tc.column || !strings.HasPrefix(cells[tc.column], want) || !strings.Contains(cells[tc.column], "AccessDeniedException") {
				t.Errorf("cell %d of %q, want %q…", tc.column, cells, want)
			}
			if n := srv.Count("CreateSecret"); n > 0 && !tc.write {
				t.Errorf("%d CreateSecret calls without --write", n)
			}
		})
	}
}

// ---- iam ----

func TestIamPrintsTheDocumentedPolicies(t *testing.T) {
	t.Parallel()
	// The vaults of iam/policy_test.go, so the output is its golden files.
	dir := t.TempDir()
	writeFile(t, dir, ".keep/settings.json", `{"namespace": "myapp", "envs": ["staging", "qa", "production"]}`)
	writeFile(t, dir, ".keep/vaults/secretsmanager.json", `{"slug": "secretsmanager", "driver": "secretsmanager", "region": "us-east-1"}`)
	writeFile(t, dir, ".keep/vaults/eu.json", `{"slug": "eu", "driver": "secretsmanager", "region": "eu-west-1", "key": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}`)
	writeFile(t, dir, ".keep/vaults/team.json", `{"slug": "team", "driver": "secretsmanager", "region": "us-east-1", "key": "alias/myapp-team"}`)
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"full", nil},
		{"full", []string{"--access=full"}},
		{"write", []string{"--access=write", "--env=staging,qa"}},
		{"read", []string{"--access=read", "--env=production"}},
	} {
		res := keep(t, run{dir: dir, args: append([]string{"iam"}, tc.args...)})
		wfOK(t, res)
		if !json.Valid([]byte(res.stdout)) {
			t.Errorf("keep iam %v is not JSON:\n%s", tc.args, res.stdout)
		}
		want, err := os.ReadFile(filepath.Join("..", "iam", "testdata", tc.golden+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if res.stdout != string(want) {
			t.Errorf("keep iam %v differs from iam/testdata/%s.json:\n%s", tc.args, tc.golden, res.stdout)
		}
	}

	// --vault: that vault's key only.
	res := keep(t, run{dir: dir, args: []string{"iam", "--vault=eu"}})
	wfOK(t, res)
	if !strings.Contains(res.stdout, `"KeepKmsVaultKeys"`) || strings.Contains(res.stdout, "alias/") {
		t.Errorf("keep iam --vault=eu:\n%s", res.stdout)
	}
	// Outside a project: the namespace from the flag, the managed key in
	// any region.
	res = keep(t, run{args: []string{"iam", "--namespace=other-app"}})
	wfOK(t, res)
	var doc struct{ Statement []json.RawMessage }
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || len(doc.Statement) == 0 ||
		!strings.Contains(res.stdout, `"other-app"`) || !strings.Contains(res.stdout, "secretsmanager.*.amazonaws.com") {
		t.Errorf("keep iam --namespace=other-app (%v):\n%s", err, res.stdout)
	}
	if bytes.Contains([]byte(res.stdout), []byte("myapp")) {
		t.Error("keep iam outside the project names the project's namespace")
	}
}

func TestIamRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, ".keep/settings.json", `{"namespace": "myapp", "envs": ["staging", "production"]}`)
	writeFile(t, dir, ".keep/vaults/main.json", `{"slug": "main", "driver": "secretsmanager", "region": "us-east-1"}`)
	for _, tc := range []struct {
		name string
		dir  string
		args []string
		say  string
	}{
		{"unknown access", dir, []string{"--access=admin"}, "--access must be one of"},
		{"write without env", dir, []string{"--access=write"}, "--access=write needs --env"},
		{"read without env", dir, []string{"--access=read"}, "--access=read describes one environment"},
		{"read with two envs", dir, []string{"--access=read", "--env=staging,production"}, "--access=read describes one environment"},
		{"invalid env", dir, []string{"--access=write", "--env=bad/env"}, "bad/env"},
		{"unknown vault", dir, []string{"--vault=nope"}, `no Secrets Manager vault "nope"`},
		{"no namespace", "", nil, "no namespace given"},
		{"invalid namespace", "", []string{"--namespace=Bad Name"}, "Bad Name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantExit(t, keep(t, run{dir: tc.dir, args: append([]string{"iam"}, tc.args...)}), 125, tc.say)
		})
	}
}
