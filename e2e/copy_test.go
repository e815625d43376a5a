//go:build linux

package e2e

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/motoserver"
	"github.com/keep-run/keep/internal/smfake"
)

// keep copy through the binary: one key, patterns, names that are taken,
// across vaults, and writes that fail part-way (smfake).

func TestCopyOneKey(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t,
		secret(ns, "staging", "DB_PASSWORD", "copy-one-db-password"),
		secret(ns, "staging", "OTHER", "copy-one-other-value"),
	)
	res := keep(t, run{Args: []string{"copy", "DB_PASSWORD", "--namespace=" + ns, "--from=staging", "--to=production"}})
	mustSucceed(t, res)
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
	wantLines(t, res, 0,
		"Copy 1 secret(s) from "+ns+"/staging (us-east-1) to "+ns+"/production (us-east-1):",
		"  create    DB_PASSWORD",
		"Copied 1 secret(s) to "+ns+"/production")
	wantSecret(t, ns+"/production/DB_PASSWORD", "copy-one-db-password", keeptest.Tags(ns, "production", "secretsmanager"))
	wantNoSecret(t, ns+"/production/OTHER")
	// The source is untouched.
	wantSecret(t, ns+"/staging/DB_PASSWORD", "copy-one-db-password", keeptest.Tags(ns, "staging", "secretsmanager"))

	res = keep(t, run{Args: []string{"copy", "NOPE", "--namespace=" + ns, "--from=staging", "--to=production"}})
	wantExit(t, res, 125, ns+"/staging/NOPE not found")
	wantNoSecret(t, ns+"/production/NOPE")
}

func TestCopyPattern(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	existing := secret(ns, "production", "DB_USER", "copy-prod-db-user")
	existing.Tags["Owner"] = "ops" // not keep's: an overwrite leaves it
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
		wantNoSecret(t, ns+"/production/DB_HOST", ns+"/production/DB_PASSWORD", ns+"/production/API_KEY")
		wantSecret(t, ns+"/production/DB_USER", "copy-prod-db-user", existing.Tags)
	}

	// --dry-run prints the plan by name and writes nothing; it fails as
	// the copy would, saying why: a destination exists.
	res := keep(t, run{Args: append(args, "--dry-run")})
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
	wantLines(t, res, 125, plan, "  create    DB_HOST", "  create    DB_PASSWORD", "  exists    DB_USER")
	wantFailed(t, res, 125, "keep: error: 1 secret(s) exist in "+ns+"/production: DB_USER; the copy would fail (--dry-run: nothing was written)", "pass --overwrite")
	untouched(t)
	res = keep(t, run{Args: append(args, "--dry-run", "--overwrite")})
	wantLines(t, res, 0, plan, "  create    DB_HOST", "  create    DB_PASSWORD", "  overwrite DB_USER")
	untouched(t)

	// A destination exists: nothing at all is written.
	res = keep(t, run{Args: args})
	wantFailed(t, res, 125, "keep: error: 1 secret(s) exist in "+ns+"/production: DB_USER; nothing was copied", "pass --overwrite")
	untouched(t)

	res = keep(t, run{Args: append(args, "--overwrite")})
	mustSucceed(t, res)
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
	wantLines(t, res, 0, plan, "  create    DB_HOST", "  create    DB_PASSWORD", "  overwrite DB_USER", "Copied 3 secret(s) to "+ns+"/production")
	tags := keeptest.Tags(ns, "production", "secretsmanager")
	wantSecret(t, ns+"/production/DB_HOST", "copy-staging-db-host", tags)
	wantSecret(t, ns+"/production/DB_PASSWORD", "copy-staging-db-password", tags)
	// An overwrite puts the value and leaves the tags as they are.
	wantSecret(t, ns+"/production/DB_USER", "copy-staging-db-user", existing.Tags)
	wantNoSecret(t, ns+"/production/API_KEY")

	// --except narrows, --only too.
	res = keep(t, run{Args: []string{"copy", "--namespace=" + ns, "--except=DB_*", "--from=staging", "--to=qa"}})
	wantLines(t, res, 0, "Copy 1 secret(s)", "  create    API_KEY", "Copied 1 secret(s)")
	wantSecret(t, ns+"/qa/API_KEY", "copy-staging-api-key", keeptest.Tags(ns, "qa", "secretsmanager"))
	res = keep(t, run{Args: []string{"copy", "--namespace=" + ns, "--only=NOTHING_*", "--from=staging", "--to=qa"}})
	wantExit(t, res, 125, "no secrets in "+ns+"/staging match --only=NOTHING_*")
}

// copy --dry-run --format=json: the plan, by name.
func TestCopyPlanJSON(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "staging", "A", "copy-plan-a"), secret(ns, "staging", "B", "copy-plan-b"), secret(ns, "production", "B", "copy-plan-b2"))
	res := keep(t, run{Args: []string{"copy", "--only=*", "--from=staging", "--to=production", "--dry-run", "--format=json", "--namespace=" + ns}})
	// The plan on stdout, and on stderr why the copy would fail.
	wantFailed(t, res, 125, "1 secret(s) exist in "+ns+"/production: B; the copy would fail")
	var plan struct {
		From, To string
		DryRun   bool `json:"dry_run"`
		Plan     []struct{ Key, Action string }
	}
	if err := json.Unmarshal([]byte(res.Stdout), &plan); err != nil {
		t.Fatalf("copy --format=json: %v\n%s", err, res.Stdout)
	}
	if !plan.DryRun || len(plan.Plan) != 2 || plan.Plan[0].Action != "create" || plan.Plan[1].Action != "exists" {
		t.Errorf("plan = %+v", plan)
	}
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
	res := keep(t, run{Args: append(args, "--dry-run")})
	wantLines(t, res, 125, "Copy 3 secret(s)", "  exists    DELETED", "  exists    FOREIGN", "  exists    MISTAGGED")
	wantFailed(t, res, 125, "3 secret(s) exist in "+ns+"/production: DELETED, FOREIGN, MISTAGGED; the copy would fail")
	// With --overwrite the dry run checks each one as the copy would, and
	// names the reason the copy would refuse it.
	res = keep(t, run{Args: append(args, "--dry-run", "--overwrite")})
	wantLines(t, res, 125, "Copy 3 secret(s)", "  overwrite DELETED", "  overwrite FOREIGN", "  overwrite MISTAGGED")
	wantFailed(t, res, 125,
		"keep: error: the copy would fail for 3 secret(s) of "+ns+"/production (--dry-run: nothing was written): DELETED ("+ns+"/production/DELETED is scheduled for deletion",
		"FOREIGN ("+ns+"/production/FOREIGN exists but is not managed by keep",
		"MISTAGGED ("+ns+"/production/MISTAGGED exists but is not tagged for environment production")
	wantSecret(t, ns+"/production/MISTAGGED", "taken-mistagged-production", mistagged.Tags)

	res = keep(t, run{Args: args})
	wantFailed(t, res, 125, "3 secret(s) exist in "+ns+"/production: DELETED, FOREIGN, MISTAGGED; nothing was copied")
	if v := valueIn(t, "us-east-1", ns+"/production/MISTAGGED"); v != "taken-mistagged-production" {
		t.Error("the mistagged destination was written over without --overwrite")
	}
	if v := valueIn(t, "us-east-1", ns+"/production/FOREIGN"); v != "taken-foreign-production" {
		t.Error("the foreign destination was written over")
	}

	// --overwrite refuses all three, each with its reason: keep does not
	// retag, so a value written into the mistagged secret would be one
	// keep run never reads.
	res = keep(t, run{Args: append(args, "--overwrite")})
	wantFailed(t, res, 125,
		"keep: error: copied 0 of 3 secret(s) to "+ns+"/production: none; NOT copied: DELETED ("+ns+"/production/DELETED is scheduled for deletion",
		"FOREIGN ("+ns+"/production/FOREIGN exists but is not managed by keep",
		"MISTAGGED ("+ns+"/production/MISTAGGED exists but is not tagged for environment production")
	wantSecret(t, ns+"/production/MISTAGGED", "taken-mistagged-production", mistagged.Tags)
	if v := valueIn(t, "us-east-1", ns+"/production/FOREIGN"); v != "taken-foreign-production" {
		t.Error("the foreign destination was written over")
	}
}

func TestCopyAcrossVaults(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	seed(t, scopedSecret(ns, "team-a", "production", "a", "SHARED_KEY", "copy-vault-shared-key"))

	res := keep(t, run{Dir: dir, Args: []string{"copy", "SHARED_KEY", "--from=a:production", "--to=b:production"}})
	wantLines(t, res, 0, "Copy 1 secret(s) from "+ns+"/team-a/production (us-east-1) to "+ns+"/team-b/production (us-east-1):", "  create    SHARED_KEY", "Copied 1")
	scoped := func(env, scope string) map[string]string {
		tags := keeptest.Tags(ns, env, "b")
		tags["Scope"] = scope
		return tags
	}
	wantSecret(t, ns+"/team-b/production/SHARED_KEY", "copy-vault-shared-key", scoped("production", "team-b"))

	// "production" is the default vault's: a.
	res = keep(t, run{Dir: dir, Args: []string{"copy", "SHARED_KEY", "--from=production", "--to=b:staging"}})
	wantLines(t, res, 0, "Copy 1 secret(s) from "+ns+"/team-a/production (us-east-1) to "+ns+"/team-b/staging (us-east-1):", "  create    SHARED_KEY", "Copied 1")
	wantSecret(t, ns+"/team-b/staging/SHARED_KEY", "copy-vault-shared-key", scoped("staging", "team-b"))

	// The project's envs and vaults are checked.
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"copy", "SHARED_KEY", "--from=a:production", "--to=c:production"}}), 125, `vault "c" is not configured`)
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"copy", "SHARED_KEY", "--from=a:production", "--to=b:qa"}}), 125, `environment "qa" is not one of the project's environments`)
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
			wantExit(t, keep(t, run{Args: append([]string{"copy", "--namespace=" + ns}, tc.args...)}), 125, tc.say)
		})
	}
	wantNoSecret(t, ns+"/production/ARG_KEY")
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
			res := keep(t, run{Endpoint: srv.Env(), Args: args})
			wantFailed(t, res, 125,
				"keep: error: copied 2 of 3 secret(s) to app/production: "+tc.copied+"; NOT copied: "+tc.notCopied,
				"keep: fix the cause and run the copy again with --overwrite for the keys not copied")
			if n := strings.Count(res.Stderr, "\n"); n != 2 {
				t.Errorf("stderr has %d lines, want 2 (the error and what to do):\n%s", n, res.Stderr)
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
				case k != tc.key && !tc.existing && !maps.Equal(got.Tags, keeptest.Tags("app", "production", "secretsmanager")):
					t.Errorf("%s is tagged %v", k, got.Tags)
				case k != tc.key && tc.existing && !maps.Equal(got.Tags, fakeSecret("app", "production", k, "").Tags):
					t.Errorf("%s is tagged %v: an overwrite must leave the tags", k, got.Tags)
				}
			}
		})
	}
}

// An overwrite puts the value and nothing else: a role that may not tag or
// untag copies all the same, and no tag call is made.
func TestCopyOverwriteNeedsNoTagging(t *testing.T) {
	t.Parallel()
	var secrets []smfake.Secret
	for _, k := range []string{"DB_HOST", "DB_USER"} {
		secrets = append(secrets,
			fakeSecret("app", "staging", k, "notag-staging-"+strings.ToLower(k)),
			fakeSecret("app", "production", k, "notag-production-"+strings.ToLower(k)))
	}
	srv := smfake.New(secrets...)
	defer srv.Close()
	srv.InjectSecret = func(op, _ string) *smfake.Fault {
		if op == "TagResource" || op == "UntagResource" {
			return &smfake.Fault{Code: "AccessDeniedException", Message: "not authorized to perform: secretsmanager:" + op}
		}
		return nil
	}
	res := keep(t, run{Endpoint: srv.Env(), Args: []string{"copy", "--namespace=app", "--only=DB_*", "--from=staging", "--to=production", "--overwrite"}})
	wantLines(t, res, 0, "Copy 2 secret(s)", "  overwrite DB_HOST", "  overwrite DB_USER", "Copied 2 secret(s) to app/production")
	for _, c := range srv.Calls() {
		if c.Op == "TagResource" || c.Op == "UntagResource" {
			t.Errorf("keep called %s", c.Op)
		}
	}
	for _, k := range []string{"DB_HOST", "DB_USER"} {
		got, _ := srv.Get("app/production/" + k)
		if got.Value != "notag-staging-"+strings.ToLower(k) || !maps.Equal(got.Tags, fakeSecret("app", "production", k, "").Tags) {
			t.Errorf("%s: %d bytes, tags %v", k, len(got.Value), got.Tags)
		}
	}
}
