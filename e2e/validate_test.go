//go:build linux

package e2e

import (
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
)

// keep template:validate reports every problem of the file in one run: a
// quote never closed is the problem of its line, not the end of the check,
// and the vaults of the lines that parsed are checked too.
func TestTemplateValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	noAWS := []string{"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/nonexistent/keep-test/config", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent/keep-test/credentials"}
	_, path := newTemplate(t, `APP=ok
OPEN="never closed
B={ssm:X}
not an assignment
A=1
A=2
C={secretsmanager:/K}
D={secretsmanager:GOOD}
`)
	want := []string{
		path + ":2: unterminated quoted value",
		path + `:3: {ssm:X}: "ssm" is not a configured vault`,
		path + ":4: expected = after the variable name",
		path + ":6: A is already set at line 5",
		path + ":7: ",
	}
	wantLines(t, validate(t, noAWS, run{Args: []string{path}}), 1, want...)
	// With --env: nothing fetched, and it says why.
	res := validate(t, keeptest.Moto().Env(), run{Args: []string{"--namespace=validate", "-e", "production", path}})
	wantLines(t, res, 1, append(want, path+": placeholders not resolved in production: fix the problems above first")...)

	// The file is an argument here, not --template.
	res = validate(t, noAWS, run{Args: []string{"/nonexistent/template.env"}})
	wantExit(t, res, 125, "template /nonexistent/template.env not found", "keep template:validate env/production.env")
	if strings.Contains(res.Stderr, "--template") {
		t.Errorf("template:validate names a flag it does not have:\n%s", res.Stderr)
	}
}
