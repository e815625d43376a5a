//go:build linux

package e2e

import (
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
)

// -v for the commands beside run and export: each says where (vault,
// region, prefix) and every API call it makes (operation, secret name,
// outcome), never a value. keep checks stderr for seeded and remembered
// values on every run.
func TestVerboseSecretCommands(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "staging", "VERBOSE_DB", "verbose-db-value"))
	keeptest.Remember("verbose-set-value")
	where := func(env string) string {
		return "keep: vault secretsmanager (no vault file), region us-east-1 (from the AWS SDK's chain), namespace " + ns + ", env " + env + ": secrets " + ns + "/" + env + "/*"
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"set", "VERBOSE_NEW", "verbose-set-value", "--env=staging"},
			[]string{where("staging"), "keep: DescribeSecret " + ns + "/staging/VERBOSE_NEW: ResourceNotFoundException after ", "keep: CreateSecret " + ns + "/staging/VERBOSE_NEW: ok in "}},
		{[]string{"get", "VERBOSE_DB", "--env=staging"},
			[]string{where("staging"), "keep: GetSecretValue " + ns + "/staging/VERBOSE_DB: ok in "}},
		{[]string{"show", "--env=staging"},
			[]string{where("staging"), "keep: ListSecrets: 2 listed in ", "keep: BatchGetSecretValue"}},
		{[]string{"diff", "--env=staging,production"},
			[]string{where("staging"), where("production"), "keep: ListSecrets: 0 listed in "}},
		{[]string{"copy", "VERBOSE_DB", "--from=staging", "--to=production", "--dry-run"},
			[]string{where("staging"), where("production"), "keep: BatchGetSecretValue (1 names): 1 read, 0 errors in "}},
		{[]string{"verify", "--env=staging"},
			[]string{where("staging"), "keep: ListSecrets: 1 listed in "}},
	} {
		args := append([]string{"-v", tc.args[0], "--namespace=" + ns}, tc.args[1:]...)
		res := keep(t, run{Args: args})
		if res.Code != 0 && tc.args[0] != "diff" {
			t.Errorf("keep %s: exit %d\n%s", strings.Join(args, " "), res.Code, res.Stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(res.Stderr, w) {
				t.Errorf("keep -v %s: stderr lacks %q:\n%s", tc.args[0], w, res.Stderr)
			}
		}
		if strings.Contains(res.Stderr, "verbose-set-value") || strings.Contains(res.Stderr, "verbose-db-value") {
			t.Errorf("keep -v %s printed a value", tc.args[0])
		}
		// Without -v: none of it.
		quiet := keep(t, run{Args: args[1:]})
		if strings.Contains(quiet.Stderr, "keep: vault ") || strings.Contains(quiet.Stderr, " in us-east-1 (") {
			t.Errorf("keep %s without -v:\n%s", tc.args[0], quiet.Stderr)
		}
	}
}
