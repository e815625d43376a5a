//go:build linux

package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/smfake"
)

// keep import through the binary against moto: a messy real-world .env
// round-trips through keep export, reruns are safe, conflicts and bad
// lines stop it before any write.

// messyEnv is a .env as teams have them, and messyValues the secrets it
// must give, written out by hand: EMPTY and QUOTED_EMPTY are skipped.
const messyEnv = "\ufeff# Production, as copied from the old server\r\n" +
	"APP_NAME=\"My App\"\n" +
	"export APP_KEY=base64:abc/def+ghi=\n" +
	"DB_PASSWORD='p@ss w0rd #not a comment'\n" +
	"DB_URL=postgres://u:p@h:5432/db?sslmode=require   # the primary\n" +
	"\n" +
	"EMPTY=\n" +
	"QUOTED_EMPTY=\"\"\n" +
	"EQUALS=a=b=c\n" +
	"SPACES_AROUND = spaced value\n" +
	"JSON_BLOB='{\"a\": 1, \"b\": [true]}'\n" +
	"PEM=\"-----BEGIN PRIVATE KEY-----\n" +
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n" +
	"abc+/=\n" +
	"-----END PRIVATE KEY-----\"\n" +
	"ESCAPED=\"line1\\nline2 \\\"quoted\\\" \\$HOME\"\n" +
	"DOLLAR='${NOT_EXPANDED}'\n" +
	"   # an indented comment\n" +
	"UNICODE=\"ünïcödé ✓\"\n" +
	"LAST=no final newline"

var messyValues = map[string]string{
	"APP_NAME":      "My App",
	"APP_KEY":       "base64:abc/def+ghi=",
	"DB_PASSWORD":   "p@ss w0rd #not a comment",
	"DB_URL":        "postgres://u:p@h:5432/db?sslmode=require",
	"EQUALS":        "a=b=c",
	"SPACES_AROUND": "spaced value",
	"JSON_BLOB":     `{"a": 1, "b": [true]}`,
	"PEM":           "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nabc+/=\n-----END PRIVATE KEY-----",
	"ESCAPED":       "line1\nline2 \"quoted\" $HOME",
	"DOLLAR":        "${NOT_EXPANDED}",
	"UNICODE":       "ünïcödé ✓",
	"LAST":          "no final newline",
}

// exported is keep export --format=json of env: variable → value.
func (p keepProject) exported(t *testing.T, env string) map[string]string {
	t.Helper()
	res := p.keep(t, "export", "--env="+env, "--format=json")
	mustSucceed(t, res)
	var got map[string]string
	if err := json.Unmarshal([]byte(res.Stdout), &got); err != nil {
		t.Fatalf("export --format=json: %v", err)
	}
	return got
}

// revisions is the revision of each secret of env (keep show --format=json).
func (p keepProject) revisions(t *testing.T, env string) map[string]string {
	t.Helper()
	res := p.keep(t, "show", "--env="+env, "--format=json")
	mustSucceed(t, res)
	var rows []struct{ Key, Revision string }
	if err := json.Unmarshal([]byte(res.Stdout), &rows); err != nil {
		t.Fatalf("show --format=json: %v", err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Key] = r.Revision
	}
	return out
}

// importStatuses is keep import --format=json's status of each KEY.
func importStatuses(t *testing.T, res result) map[string]string {
	t.Helper()
	var rows []struct{ Key, Status, Reason string }
	if err := json.Unmarshal([]byte(res.Stdout), &rows); err != nil {
		t.Fatalf("import --format=json printed %d bytes that are not JSON: %v; stderr:\n%s", len(res.Stdout), err, res.Stderr)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Key] = strings.TrimSpace(r.Status + " " + r.Reason)
	}
	return out
}

func TestImportOfAMessyEnvRoundTripsThroughExport(t *testing.T) {
	t.Parallel()
	keeptest.Remember(slicesOf(messyValues)...)
	p := newProject(t)
	writeFile(t, p.dir, "old.env", messyEnv)

	res := p.keep(t, "import", "old.env", "--env=production", "--format=json")
	mustSucceed(t, res)
	want := map[string]string{"EMPTY": "skipped empty: Secrets Manager cannot store an empty value", "QUOTED_EMPTY": "skipped empty: Secrets Manager cannot store an empty value"}
	for k := range messyValues {
		want[k] = "created"
	}
	sameVars(t, "import statuses", importStatuses(t, res), want)
	sameVars(t, "exported values", p.exported(t, "production"), messyValues)
	wantSecret(t, p.ns+"/production/PEM", messyValues["PEM"], keeptest.Tags(p.ns, "production", "secretsmanager"))

	// export's dotenv imports back to the same bytes.
	env := p.keep(t, "export", "--env=production")
	mustSucceed(t, env)
	again := keep(t, run{Dir: p.dir, Args: []string{"import", "-", "--env=staging"}, Stdin: strings.NewReader(env.Stdout)})
	wantStdout(t, again, "created 12, updated 0, skipped 0, failed 0")
	sameVars(t, "values exported, imported and exported again", p.exported(t, "staging"), messyValues)

	// A rerun with --skip-existing changes nothing.
	before := p.revisions(t, "production")
	rerun := p.keep(t, "import", "old.env", "--env=production", "--skip-existing")
	wantStdout(t, rerun, "created 0, updated 0, skipped 14, failed 0")
	if after := p.revisions(t, "production"); !maps.Equal(before, after) {
		t.Errorf("revisions changed by a rerun with --skip-existing:\nbefore %v\nafter  %v", before, after)
	}

	// Without a strategy, a rerun is refused and names the keys.
	wantFailed(t, p.keep(t, "import", "old.env", "--env=production", "--only=DB_*"), 125,
		"2 of the file's secrets exist already", "DB_PASSWORD, DB_URL", "nothing was imported", "--skip-existing")
	if after := p.revisions(t, "production"); !maps.Equal(before, after) {
		t.Errorf("revisions changed by a refused import")
	}
}

func slicesOf(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestImportOverwriteUpdatesOnlyWhatItIsTold(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	keeptest.Remember("imp-old-1", "imp-new-1", "imp-new-2", "imp-keep-3")
	p.set(t, "production", "A", "imp-old-1")
	p.set(t, "production", "C", "imp-keep-3")
	writeFile(t, p.dir, "new.env", "A=imp-new-1\nB=imp-new-2\nC=imp-keep-3\n")

	dry := p.keep(t, "import", "new.env", "--env=production", "--dry-run")
	wantFailed(t, dry, 1, "the import would fail for A, C")
	wantNoSecret(t, p.ns+"/production/B")

	dry = p.keep(t, "import", "new.env", "--env=production", "--dry-run", "--overwrite", "--format=json")
	mustSucceed(t, dry)
	sameVars(t, "dry run", importStatuses(t, dry), map[string]string{"A": "would update", "B": "would create", "C": "would update"})
	wantNoSecret(t, p.ns+"/production/B")

	res := p.keep(t, "import", "new.env", "--env=production", "--overwrite", "--except=C")
	wantStdout(t, res, "created 1, updated 1, skipped 0, failed 0")
	sameVars(t, "after --overwrite", p.exported(t, "production"), map[string]string{"A": "imp-new-1", "B": "imp-new-2", "C": "imp-keep-3"})
}

func TestImportRefusesABadFileBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		file string
		want []string
	}{
		"duplicate key":  {"A=imp-dup-1\nB=x\nA=imp-dup-2\n", []string{"dup.env:3: A is already set at line 1"}},
		"not a variable": {"A=imp-bad-1\nthis is not a line\n", []string{"dup.env:2: expected"}},
		"unclosed quote": {"A=imp-bad-1\nB=\"open\n", []string{"dup.env:2: unterminated"}},
		"one variable":   {"A=imp-bad-1\na=imp-bad-2\n", []string{"secrets A and a both map to the variable A"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := newProject(t)
			writeFile(t, p.dir, "dup.env", tc.file)
			wantFailed(t, p.keep(t, "import", "dup.env", "--env=production"), 125, tc.want...)
			if names := secretNames(t, p.ns+"/"); len(names) != 0 {
				t.Errorf("a refused import created %v", names)
			}
		})
	}
}

// ListSecrets lags behind writes: a secret it does not show yet is found
// by CreateSecret's ResourceExistsException, and --overwrite updates it
// as it would a listed one.
func TestImportOverwritesASecretNotListedYet(t *testing.T) {
	t.Parallel()
	srv := smfake.New()
	defer srv.Close()
	keeptest.Remember("import-old-value", "import-new-value")
	srv.Put(smfake.Secret{Name: "app/production/LATE", Value: "import-old-value", Tags: keeptest.Tags("app", "production", "secretsmanager")})
	srv.Inject = func(op string, _ int) *smfake.Fault {
		if op == "ListSecrets" {
			return &smfake.Fault{Body: `{"SecretList":[]}`}
		}
		return nil
	}
	dir := t.TempDir()
	writeFile(t, dir, "late.env", "LATE=import-new-value\n")
	res := keep(t, run{Dir: dir, Endpoint: srv.Env(), Args: []string{"import", "late.env", "--overwrite", "--namespace=app", "--env=production", "--region=us-east-1", "--format=json"}})
	mustSucceed(t, res)
	if s := importStatuses(t, res)["LATE"]; s != "updated" {
		t.Errorf("LATE: %q, want updated", s)
	}
	if got, _ := srv.Get("app/production/LATE"); got.Value != "import-new-value" {
		t.Errorf("LATE holds a value of %d bytes, not the imported one", len(got.Value))
	}
}

func TestImportWritesConcurrentlyAndReportsAPartialFailure(t *testing.T) {
	t.Parallel()
	srv := smfake.New()
	defer srv.Close()
	srv.Latency = 20 * time.Millisecond
	srv.InjectSecret = func(op, name string) *smfake.Fault {
		if op == "CreateSecret" && name == "app/production/K07" {
			return &smfake.Fault{Code: "AccessDeniedException", Message: "not authorized to perform: secretsmanager:CreateSecret"}
		}
		return nil
	}
	var file strings.Builder
	for i := range 40 {
		fmt.Fprintf(&file, "K%02d=import-many-%02d\n", i, i)
	}
	dir := t.TempDir()
	writeFile(t, dir, "many.env", file.String())
	args := []string{"import", "many.env", "--namespace=app", "--env=production", "--region=us-east-1"}

	res := keep(t, run{Dir: dir, Endpoint: srv.Env(), Args: append(args, "--format=json")})
	wantFailed(t, res, 125, "1 of 40 secrets failed: K07", "rerun with --skip-existing")
	statuses := importStatuses(t, res)
	if !strings.HasPrefix(statuses["K07"], "failed CreateSecret app/production/K07: AccessDeniedException") {
		t.Errorf("K07: %q", statuses["K07"])
	}
	for k, s := range statuses {
		if k != "K07" && s != "created" {
			t.Errorf("%s: %q, want created", k, s)
		}
		if _, ok := srv.Get("app/production/" + k); ok == (k == "K07") {
			t.Errorf("%s exists = %v, but import reported %q", k, ok, s)
		}
	}
	// One listing, one CreateSecret each, eight at a time at most.
	if n, d := srv.Count("CreateSecret"), srv.Count("DescribeSecret"); n != 40 || d != 0 {
		t.Errorf("%d CreateSecret and %d DescribeSecret calls, want 40 and 0", n, d)
	}
	if m := srv.MaxInFlight(); m < 2 || m > 8 {
		t.Errorf("at most %d requests in flight, want 2..8 (writes are concurrent, 8 at a time)", m)
	}

	srv2 := smfake.New()
	defer srv2.Close()
	for i := range 40 {
		if i != 7 {
			srv2.Put(smfake.Secret{Name: fmt.Sprintf("app/production/K%02d", i), Value: fmt.Sprintf("import-many-%02d", i), Tags: keeptest.Tags("app", "production", "secretsmanager")})
		}
	}
	res = keep(t, run{Dir: dir, Endpoint: srv2.Env(), Args: append(args, "--skip-existing")})
	wantStdout(t, res, "created 1, updated 0, skipped 39, failed 0")
	if n := srv2.Count("CreateSecret"); n != 1 {
		t.Errorf("the rerun made %d CreateSecret calls, want 1 (K07)", n)
	}
}
