//go:build linux

package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

// keep verify through the binary: against moto, in a project, and the
// failures moto cannot produce (smfake).

func TestVerifyAgainstMoto(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "VERIFY_KEY", "verify-key-value"))
	args := []string{"verify", "--namespace=" + ns, "--env=production,staging"}

	res := keep(t, run{Args: args})
	mustSucceed(t, res)
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)
	want := [][]string{
		{"VAULT:ENV", "REGION", "CREDENTIALS", "LIST", "READ", "WRITE", "RESULT"},
		{"production", "us-east-1", "✓", "✓", "1", "secret(s)", "✓", "skipped", "ok"},
		{"staging", "us-east-1", "✓", "✓", "0", "secret(s)", "–", "nothing", "to", "read", "skipped", "ok"},
	}
	if got := tableRows(res.Stdout); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("verify:\n%s\nwant rows %q", res.Stdout, want)
	}

	// --write: a create and delete round trip that leaves nothing behind,
	// not even a secret scheduled for deletion.
	res = keep(t, run{Args: append(args, "--write")})
	mustSucceed(t, res)
	for _, row := range tableRows(res.Stdout)[1:] {
		if !strings.HasSuffix(strings.Join(row, " "), "✓ create+delete ok") {
			t.Errorf("verify --write row %q", row)
		}
	}
	for _, name := range secretNames(t, ns+"/") {
		if strings.Contains(name, "keep-verify-") {
			t.Errorf("verify --write left %s behind", name)
		}
	}
	if names := secretNames(t, ns+"/"); len(names) != 1 {
		t.Errorf("secrets of %s after verify --write: %q", ns, names)
	}
}

func TestVerifyProjectDefaults(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	dir := twoVaults(t, ns)
	seed(t, scopedSecret(ns, "team-b", "staging", "b", "VERIFY_B", "verify-b-value"))
	res := keep(t, run{Dir: dir, Args: []string{"verify"}})
	mustSucceed(t, res)
	var got []string
	for _, row := range tableRows(res.Stdout)[1:] {
		got = append(got, row[0]+" "+row[4])
	}
	want := []string{"a:staging 0", "b:staging 1", "a:production 0", "b:production 0"}
	if !slices.Equal(got, want) {
		t.Errorf("verify in a project checks %q, want %q:\n%s", got, want, res.Stdout)
	}
	wantExit(t, keep(t, run{Args: []string{"verify", "--namespace=" + ns}}), 125, "no environments to verify")
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
			res := keep(t, run{Endpoint: srv.Env(), Args: args})
			wantFailed(t, res, 1, "keep: error: some checks failed (see the ✗ cells above)")
			lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("verify:\n%s", res.Stdout)
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

// verify --format=json: one object per context.
func TestVerifyJSON(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "K", "verify-json-value"))
	res := keep(t, run{Args: []string{"verify", "--format=json", "--namespace=" + ns, "--env=production"}})
	mustSucceed(t, res)
	var rows []struct {
		Context string `json:"context"`
		OK      bool   `json:"ok"`
		List    string `json:"list"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &rows); err != nil {
		t.Fatalf("verify --format=json: %v\n%s", err, res.Stdout)
	}
	if len(rows) != 1 || rows[0].Context != "production" || !rows[0].OK || rows[0].List != "✓ 1 secret(s)" {
		t.Errorf("rows = %+v", rows)
	}
}
