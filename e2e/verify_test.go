//go:build linux

package e2e

import (
	"encoding/json"
	"net"
	"reflect"
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

	// staging holds nothing: keep run fails there, and so does verify.
	res := keep(t, run{Args: args})
	wantFailed(t, res, 1, "some checks failed")
	want := [][]string{
		{"VAULT:ENV", "REGION", "CREDENTIALS", "LIST", "READ", "WRITE", "RESULT"},
		{"production", "us-east-1", "✓", "✓", "1", "secret(s)", "✓", "skipped", "ok"},
		{"staging", "us-east-1", "✓", "✗", "(1)", "—", "skipped", "FAILED"},
	}
	if got := tableRows(res.Stdout); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("verify:\n%s\nwant rows %q", res.Stdout, want)
	}
	if !strings.Contains(res.Stdout, "(1) no secrets found under "+ns+"/staging/* in us-east-1: keep run fails here") {
		t.Errorf("verify does not explain the empty env:\n%s", res.Stdout)
	}
	keeptest.AssertNoLeak(t, "stdout", res.Stdout)

	// --allow-empty: as keep run --allow-empty.
	res = keep(t, run{Args: append(args, "--allow-empty")})
	mustSucceed(t, res)
	if rows := tableRows(res.Stdout); len(rows) != 3 || strings.Join(rows[2], " ") != "staging us-east-1 ✓ ✓ 0 secret(s) – nothing to read skipped ok" {
		t.Errorf("verify --allow-empty:\n%s", res.Stdout)
	}

	// --write: a create and delete round trip that leaves nothing behind,
	// not even a secret scheduled for deletion.
	res = keep(t, run{Args: append(args, "--write", "--allow-empty")})
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
	res := keep(t, run{Dir: dir, Args: []string{"verify", "--allow-empty"}})
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

	// A misspelt env or vault is one error of the command line, before
	// any call, as for every other command.
	wantExit(t, keep(t, run{Dir: dir, Args: []string{"verify", "--env=prodution"}}), 125,
		`keep: error: environment "prodution" is not one of the project's environments (staging, production)`)
	res = keep(t, run{Dir: dir, Args: []string{"verify", "--vault=nope"}})
	wantExit(t, res, 125, `vault "nope" is not configured`)
	if n := strings.Count(res.Stderr, "keep: error:"); n != 1 {
		t.Errorf("verify --vault=nope: %d errors, want 1:\n%s", n, res.Stderr)
	}
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
			rows := tableRows(res.Stdout)
			if len(rows) != 2 {
				t.Fatalf("verify:\n%s", res.Stdout)
			}
			// Cells are separated by two or more spaces.
			var cells []string
			for _, c := range strings.Split(strings.Split(res.Stdout, "\n")[1], "  ") {
				if c = strings.TrimSpace(c); c != "" {
					cells = append(cells, c)
				}
			}
			if len(cells) <= tc.column || cells[tc.column] != "✗ (1)" {
				t.Errorf("cell %d of %q, want ✗ (1)", tc.column, cells)
			}
			note := "\n(1) " + tc.op + ": AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: secretsmanager:" + tc.op
			if tc.op == "BatchGetSecretValue" || tc.op == "CreateSecret" {
				note = "\n(1) " // the wording is the fetch's
			}
			if !strings.Contains(res.Stdout, note) || !strings.Contains(res.Stdout, "AccessDeniedException") {
				t.Errorf("verify does not explain the ✗ under the table, want %q:\n%s", note, res.Stdout)
			}
			if n := srv.Count("CreateSecret"); n > 0 && !tc.write {
				t.Errorf("%d CreateSecret calls without --write", n)
			}
		})
	}
}

// A missing credential is said once, whatever the number of contexts, and
// the region is still shown.
func TestVerifyWithoutCredentials(t *testing.T) {
	t.Parallel()
	endpoint := []string{"AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_REGION=eu-west-2", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/nonexistent/keep-test/config", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent/keep-test/credentials"}
	res := keep(t, run{Endpoint: endpoint, Args: []string{"verify", "--namespace=app", "--env=staging,production,qa"}})
	wantFailed(t, res, 1, "some checks failed")
	rows := tableRows(res.Stdout)
	if len(rows) != 4 {
		t.Fatalf("verify:\n%s", res.Stdout)
	}
	for _, row := range rows[1:] {
		if got := strings.Join(row[1:], " "); got != "eu-west-2 ✗ (1) — — skipped FAILED" {
			t.Errorf("row %q, want the region and a ✗ pointing at note 1", row)
		}
	}
	if n := strings.Count(res.Stdout, "no AWS credentials"); n != 1 || !strings.Contains(res.Stdout, "\n(1) no AWS credentials") {
		t.Errorf("the credentials error is said %d times, want once, as note (1):\n%s", n, res.Stdout)
	}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if len(line) > 120 && !strings.HasPrefix(line, "(1)") {
			t.Errorf("a %d-column line: %q", len(line), line)
		}
	}
}

// An endpoint that never answers: each context times out on the call that
// hung, not on credentials, which were static.
func TestVerifyHangingEndpoint(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn // accepted, never answered
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	res := keep(t, run{Endpoint: smfake.EndpointEnv("http://" + ln.Addr().String()),
		Args: []string{"verify", "--namespace=app", "--env=staging,production", "--timeout=2s"}})
	wantFailed(t, res, 1, "some checks failed")
	if strings.Contains(res.Stdout, "credentials") || !strings.Contains(res.Stdout, "(1) ListSecrets: timed out") {
		t.Errorf("verify against a hanging endpoint, want ListSecrets: timed out, once:\n%s", res.Stdout)
	}
}

// verify --format=json: one object per context, booleans and counts, the
// error as a string; no table glyphs.
func TestVerifyJSON(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	seed(t, secret(ns, "production", "K", "verify-json-value"))
	res := keep(t, run{Args: []string{"verify", "--format=JSON", "--namespace=" + ns, "--env=production,staging"}})
	wantFailed(t, res, 1, "some checks failed")
	type row struct {
		Context     string `json:"context"`
		Region      string `json:"region"`
		Credentials *bool  `json:"credentials"`
		List        *bool  `json:"list"`
		Secrets     int    `json:"secrets"`
		Read        *bool  `json:"read"`
		Write       *bool  `json:"write"`
		OK          bool   `json:"ok"`
		Error       string `json:"error"`
	}
	var rows []row
	if err := json.Unmarshal([]byte(res.Stdout), &rows); err != nil {
		t.Fatalf("verify --format=json: %v\n%s", err, res.Stdout)
	}
	yes, no := true, false
	want := []row{
		{"production", "us-east-1", &yes, &yes, 1, &yes, nil, true, ""},
		{"staging", "us-east-1", &yes, &no, 0, nil, nil, false, "no secrets found under " + ns + "/staging/* in us-east-1: keep run fails here"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("verify --format=json:\n%s", res.Stdout)
	}
	for _, glyph := range []string{"✓", "✗", "—"} {
		if strings.Contains(res.Stdout, glyph) {
			t.Errorf("verify --format=json holds %q:\n%s", glyph, res.Stdout)
		}
	}
}
