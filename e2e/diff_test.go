//go:build linux

package e2e

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
)

// keep diff through the binary against moto: the matrix, across vaults,
// and what it refuses.

// diffJSON is keep diff --format=json.
type diffJSON struct {
	Contexts []string
	Secrets  []struct {
		Key    string
		Values map[string]*string
		Status string
	}
}

func decodeDiff(t *testing.T, res result) diffJSON {
	t.Helper()
	var d diffJSON
	dec := json.NewDecoder(strings.NewReader(res.Stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("diff --format=json: %v\n%s\nstderr:\n%s", err, res.Stdout, res.Stderr)
	}
	return d
}

// status is the rows of a diff as KEY → status.
func (d diffJSON) status() map[string]string {
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
	res := keep(t, run{Args: args})
	mustSucceed(t, res)
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
	want := [][]string{
		{"KEY", "staging", "production", "STATUS"},
		{"CHANGED", "✓", "di****", "✓", "di****", "different"},
		{"ONLY_STAGING", "✓", "di****", "—", "incomplete"},
		{"PEM", "✓", "--****", "✓", "--****", "identical"},
		{"SAME", "✓", "di****", "✓", "di****", "identical"},
	}
	if got := tableRows(res.Stdout); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("diff table:\n%s\nwant rows %q", res.Stdout, want)
	}
	if !strings.HasSuffix(res.Stdout, "\n4 secrets: 2 identical, 1 different, 1 missing somewhere\n") {
		t.Errorf("diff summary:\n%s", res.Stdout)
	}

	// --unmask shows the values (on one line each in the table).
	res = keep(t, run{Args: append(args, "--unmask")})
	mustSucceed(t, res)
	for _, v := range []string{"✓ diff-changed-staging", "✓ diff-changed-production", "✓ diff-only-staging", `✓ -----BEGIN PRIVATE KEY-----\nMIIE`} {
		if !strings.Contains(res.Stdout, v) {
			t.Errorf("diff --unmask lacks %q:\n%s", v, res.Stdout)
		}
	}

	// JSON: contexts, and per KEY its value in each (null where missing).
	d := decodeDiff(t, keep(t, run{Args: append(args, "--format=json")}))
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
	d = decodeDiff(t, keep(t, run{Args: append(args, "--format=json", "--unmask")}))
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
	res = keep(t, run{Args: append(args, "--exit-code")})
	if res.Code != 1 || !strings.Contains(res.Stdout, "different") {
		t.Errorf("diff --exit-code: exit %d, want 1; stdout:\n%s", res.Code, res.Stdout)
	}
	if first, _, _ := strings.Cut(res.Stderr, "\n"); first != "keep: error: the contexts differ" {
		t.Errorf("diff --exit-code: stderr %q", res.Stderr)
	}
	res = keep(t, run{Args: append(args, "--exit-code", "--only=SAME,PEM")})
	mustSucceed(t, res)
	if rows := tableRows(res.Stdout); len(rows) != 3 {
		t.Errorf("--only=SAME,PEM:\n%s", res.Stdout)
	}
	res = keep(t, run{Args: append(args, "--exit-code", "--except=CHANGED,ONLY_*")})
	mustSucceed(t, res)
	res = keep(t, run{Args: append(args, "--exit-code", "--format=json", "--only=ONLY_*")})
	if res.Code != 1 || !maps.Equal(decodeDiff(t, res).status(), map[string]string{"ONLY_STAGING": "incomplete"}) {
		t.Errorf("an incomplete KEY is a difference: exit %d\n%s", res.Code, res.Stdout)
	}
}

func TestDiffVaults(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	seed(t,
		scopedSecret(ns, "team-a", "production", "a", "K_SAME", "diff-vault-same"),
		scopedSecret(ns, "team-b", "production", "b", "K_SAME", "diff-vault-same"),
		scopedSecret(ns, "team-a", "production", "a", "K_DIFF", "diff-vault-a"),
		scopedSecret(ns, "team-b", "production", "b", "K_DIFF", "diff-vault-b"),
		scopedSecret(ns, "team-b", "production", "b", "K_ONLY_B", "diff-vault-only-b"),
		scopedSecret(ns, "team-a", "staging", "a", "K_STAGING", "diff-vault-staging"),
	)
	want := map[string]string{"K_SAME": "identical", "K_DIFF": "different", "K_ONLY_B": "incomplete"}
	for _, args := range [][]string{
		{"--env=production", "--vault=a,b"},
		{"--env=a:production,b:production"},
	} {
		d := decodeDiff(t, keep(t, run{Dir: dir, Args: append([]string{"diff", "--format=json"}, args...)}))
		if !slices.Equal(d.Contexts, []string{"a:production", "b:production"}) || !maps.Equal(d.status(), want) {
			t.Errorf("diff %v: contexts %q, statuses %v; want %v", args, d.Contexts, d.status(), want)
		}
	}

	// Two envs times two vaults: four contexts.
	d := decodeDiff(t, keep(t, run{Dir: dir, Args: []string{"diff", "--format=json", "--env=staging,production", "--vault=a,b"}}))
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
	dir := twoVaults(t, ns)
	for _, args := range [][]string{
		{"--env=production"},
		{"--env=production", "--vault=a"},
		{"--env=production,production"},
		{"--env=a:production", "--vault=a,a"},
	} {
		wantExit(t, keep(t, run{Dir: dir, Args: append([]string{"diff"}, args...)}), 125, "diff needs at least two contexts")
	}
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"diff", "--env=production,qa"}}), 125, `environment "qa" is not one of the project's environments`)
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"diff"}}), 125, "--env")
}
