//go:build linux

package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keep iam through the binary: the policies it prints and what it refuses.

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
		res := keep(t, run{Dir: dir, Args: append([]string{"iam"}, tc.args...)})
		mustSucceed(t, res)
		if !json.Valid([]byte(res.Stdout)) {
			t.Errorf("keep iam %v is not JSON:\n%s", tc.args, res.Stdout)
		}
		want, err := os.ReadFile(filepath.Join("..", "iam", "testdata", tc.golden+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Stdout != string(want) {
			t.Errorf("keep iam %v differs from iam/testdata/%s.json:\n%s", tc.args, tc.golden, res.Stdout)
		}
	}

	// --vault: that vault's key only.
	res := keep(t, run{Dir: dir, Args: []string{"iam", "--vault=eu"}})
	mustSucceed(t, res)
	if !strings.Contains(res.Stdout, `"KeepKmsVaultKeys"`) || strings.Contains(res.Stdout, "alias/") {
		t.Errorf("keep iam --vault=eu:\n%s", res.Stdout)
	}
	// Outside a project: the namespace from the flag, the managed key in
	// any region.
	res = keep(t, run{Args: []string{"iam", "--namespace=other-app"}})
	mustSucceed(t, res)
	var doc struct{ Statement []json.RawMessage }
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil || len(doc.Statement) == 0 ||
		!strings.Contains(res.Stdout, `"other-app"`) || !strings.Contains(res.Stdout, "secretsmanager.*.amazonaws.com") {
		t.Errorf("keep iam --namespace=other-app (%v):\n%s", err, res.Stdout)
	}
	if bytes.Contains([]byte(res.Stdout), []byte("myapp")) {
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
			wantExit(t, keep(t, run{Dir: tc.dir, Args: append([]string{"iam"}, tc.args...)}), 125, tc.say)
		})
	}
}

// A scoped vault: keep creates its secrets with the Scope tag, so the
// policy lets CreateSecret carry it (iam/testdata/scoped.json); a policy
// for an unscoped vault alone does not.
func TestIamAllowsTheScopeTag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, ".keep/settings.json", `{"namespace": "myapp", "envs": ["staging", "qa", "production"]}`)
	writeFile(t, dir, ".keep/vaults/secretsmanager.json", `{"slug": "secretsmanager", "driver": "secretsmanager", "region": "us-east-1"}`)
	writeFile(t, dir, ".keep/vaults/eu.json", `{"slug": "eu", "driver": "secretsmanager", "region": "eu-west-1", "key": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}`)
	writeFile(t, dir, ".keep/vaults/team.json", `{"slug": "team", "driver": "secretsmanager", "region": "us-east-1", "key": "alias/myapp-team", "scope": "/app2/"}`)
	res := keep(t, run{Dir: dir, Args: []string{"iam", "--access=write", "--env=staging"}})
	mustSucceed(t, res)
	want, err := os.ReadFile(filepath.Join("..", "iam", "testdata", "scoped.json"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stdout != string(want) {
		t.Errorf("keep iam differs from iam/testdata/scoped.json:\n%s", res.Stdout)
	}
	res = keep(t, run{Dir: dir, Args: []string{"iam", "--vault=eu"}})
	if mustSucceed(t, res); strings.Contains(res.Stdout, `"Scope"`) {
		t.Errorf("keep iam --vault=eu (no scope) allows the Scope tag:\n%s", res.Stdout)
	}
}

// A misspelt --env or --vault fails as in every other command, not with a
// policy that grants nothing.
func TestIamChecksEnvAndVaultAgainstTheProject(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, ".keep/settings.json", `{"namespace": "myapp", "envs": ["staging", "production"]}`)
	writeFile(t, dir, ".keep/vaults/secretsmanager.json", `{"slug": "secretsmanager", "driver": "secretsmanager", "region": "us-east-1"}`)
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"iam", "--access=read", "--env=prodution"}}), 125,
		`keep: error: environment "prodution" is not one of the project's environments (staging, production)`)
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"iam", "--access=write", "-e", "staging,qa"}}), 125, `environment "qa"`)
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"iam", "--vault=nope"}}), 125, `no Secrets Manager vault "nope"`)
	mustSucceed(t, keep(t, run{Dir: dir, Args: []string{"iam", "--access=read", "--env=production"}}))
	// Outside a project any well-formed env goes.
	mustSucceed(t, keep(t, run{Args: []string{"iam", "--namespace=myapp", "--access=read", "--env=qa"}}))
}
