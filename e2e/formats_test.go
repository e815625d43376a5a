//go:build linux

package e2e

import (
	"encoding/json"
	"testing"
)

// --format=json wherever keep prints a table.

func TestVaultListJSON(t *testing.T) {
	t.Parallel()
	dir := wfTwoVaults(t, namespace(t))
	res := keep(t, run{dir: dir, args: []string{"vault:list", "--format=json"}})
	wfOK(t, res)
	var vaults []struct {
		Slug    string `json:"slug"`
		Driver  string `json:"driver"`
		Scope   string `json:"scope"`
		Default bool   `json:"default"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &vaults); err != nil {
		t.Fatalf("vault:list --format=json: %v\n%s", err, res.stdout)
	}
	if len(vaults) != 2 || vaults[0].Slug != "a" || !vaults[0].Default || vaults[1].Slug != "b" || vaults[1].Default || vaults[1].Scope != "team-b" {
		t.Errorf("vaults = %+v", vaults)
	}
}

func TestVerifyJSON(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "K", "verify-json-value"))
	res := keep(t, run{args: []string{"verify", "--format=json", "--namespace=" + ns, "--env=production"}})
	wfOK(t, res)
	var rows []struct {
		Context string `json:"context"`
		OK      bool   `json:"ok"`
		List    string `json:"list"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rows); err != nil {
		t.Fatalf("verify --format=json: %v\n%s", err, res.stdout)
	}
	if len(rows) != 1 || rows[0].Context != "production" || !rows[0].OK || rows[0].List != "✓ 1 secret(s)" {
		t.Errorf("rows = %+v", rows)
	}
}

func TestCopyPlanJSON(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "staging", "A", "copy-plan-a"), secret(ns, "staging", "B", "copy-plan-b"), secret(ns, "production", "B", "copy-plan-b2"))
	res := keep(t, run{args: []string{"copy", "--only=*", "--from=staging", "--to=production", "--dry-run", "--format=json", "--namespace=" + ns}})
	wfOK(t, res)
	assertNoLeak(t, "stdout", res.stdout)
	var plan struct {
		From, To string
		DryRun   bool `json:"dry_run"`
		Plan     []struct{ Key, Action string }
	}
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil {
		t.Fatalf("copy --format=json: %v\n%s", err, res.stdout)
	}
	if !plan.DryRun || len(plan.Plan) != 2 || plan.Plan[0].Action != "create" || plan.Plan[1].Action != "exists" {
		t.Errorf("plan = %+v", plan)
	}
}
