//go:build linux

package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/joho/godotenv"
	"golang.org/x/sys/unix"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/motoserver"
	"github.com/keep-run/keep/internal/smfake"
)

// The secret commands through the binary against moto: set, get, show,
// delete, restore, history, and replication to a second region.

// set runs keep set KEY VALUE --env=ENV in the project and returns the
// version it reports.
func (p keepProject) set(t *testing.T, env, key, value string, flags ...string) string {
	t.Helper()
	keeptest.Remember(value)
	res := p.keep(t, append([]string{"set", key, value, "--env=" + env}, flags...)...)
	mustSucceed(t, res)
	m := setLineRE.FindStringSubmatch(res.Stdout)
	if m == nil {
		t.Fatalf("keep set printed %q, want Created|Updated NAME in REGION (version ID)", res.Stdout)
	}
	return m[3]
}

var setLineRE = regexp.MustCompile(`^(Created|Updated) (\S+) in \S+ \(version ([0-9a-f-]+)\)\n$`)

func TestSetCreatesTheSecretWithExactlyKeepsTags(t *testing.T) {
	t.Parallel()
	t.Run("kms key", func(t *testing.T) {
		t.Parallel()
		p := newProject(t, "--kms-key=alias/keep-test")
		name := p.ns + "/production/DB_PASSWORD"
		res := p.keep(t, "set", "DB_PASSWORD", "set-create-1", "--env=production")
		keeptest.Remember("set-create-1")
		wantStdout(t, res, "Created "+name+" in us-east-1 (version ")
		d := describeIn(t, "us-east-1", name)
		wantTags(t, name, d.Tags, keeptest.Tags(p.ns, "production", "secretsmanager"))
		if got, want := aws.ToString(d.Description), "Keep secret: DB_PASSWORD for production environment in secretsmanager vault"; got != want {
			t.Errorf("Description = %q, want %q", got, want)
		}
		if got := aws.ToString(d.KmsKeyId); got != "alias/keep-test" {
			t.Errorf("KmsKeyId = %q, want the vault's alias/keep-test", got)
		}
		if len(d.ReplicationStatus) != 0 {
			t.Errorf("replicated without replica_regions: %+v", d.ReplicationStatus)
		}
		if got := valueIn(t, "us-east-1", name); got != "set-create-1" {
			t.Errorf("value = %q", got)
		}
	})
	t.Run("AWS managed key", func(t *testing.T) {
		t.Parallel()
		p := newProject(t)
		name := p.ns + "/local/PLAIN"
		p.set(t, "local", "PLAIN", "set-create-2")
		d := describeIn(t, "us-east-1", name)
		wantTags(t, name, d.Tags, keeptest.Tags(p.ns, "local", "secretsmanager"))
		// No key in the vault file: keep passes none, so AWS uses
		// alias/aws/secretsmanager (moto then reports no key).
		if d.KmsKeyId != nil {
			t.Errorf("KmsKeyId = %q, want none passed", aws.ToString(d.KmsKeyId))
		}
	})
	t.Run("scope", func(t *testing.T) {
		t.Parallel()
		p := newProject(t, "--slug=billing", "--scope=billing/eu")
		name := p.ns + "/billing/eu/staging/API-KEY"
		p.set(t, "staging", "API-KEY", "set-create-3")
		d := describeIn(t, "us-east-1", name)
		// and Scope, which the PHP Keep lists a scoped vault by
		tags := keeptest.Tags(p.ns, "staging", "billing")
		tags["Scope"] = "billing/eu"
		wantTags(t, name, d.Tags, tags)
		if got := valueIn(t, "us-east-1", name); got != "set-create-3" {
			t.Errorf("value = %q", got)
		}
		// and keep reads it back through the same vault
		res := p.keep(t, "get", "API-KEY", "--env=staging", "--format=raw")
		if mustSucceed(t, res); res.Stdout != "set-create-3" {
			t.Errorf("get = %q", res.Stdout)
		}
	})
}

func TestSetUpdatesTheValueAndLeavesTheTags(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	name := p.ns + "/production/TOKEN"
	first := p.set(t, "production", "TOKEN", "update-old-1")
	// Tags keep leaves as they are: another, the PHP Keep's Env, another
	// VaultSlug.
	_, err := keeptest.Moto().Client().TagResource(context.Background(), &secretsmanager.TagResourceInput{SecretId: aws.String(name), Tags: []types.Tag{
		{Key: aws.String("Extra"), Value: aws.String("x")},
		{Key: aws.String("Env"), Value: aws.String("production")},
		{Key: aws.String("VaultSlug"), Value: aws.String("old-vault")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	before := tagMap(t, describeIn(t, "us-east-1", name).Tags)
	if len(before) != 6 {
		t.Fatalf("the secret has %d tags before the update, want 6", len(before))
	}
	res := p.keep(t, "set", "TOKEN", "update-new-2", "--env=production")
	keeptest.Remember("update-new-2")
	wantStdout(t, res, "Updated "+name+" in us-east-1 (version ")
	second := setLineRE.FindStringSubmatch(res.Stdout)[3]
	if second == first {
		t.Errorf("the update reports the first version %s", first)
	}
	d := describeIn(t, "us-east-1", name)
	wantTags(t, name+" after the update", d.Tags, before)
	if got := d.VersionIdsToStages[second]; !slices.Equal(got, []string{"AWSCURRENT"}) {
		t.Errorf("the new version has stages %q", got)
	}
	if got := d.VersionIdsToStages[first]; !slices.Equal(got, []string{"AWSPREVIOUS"}) {
		t.Errorf("the old version has stages %q", got)
	}
	if got := valueIn(t, "us-east-1", name); got != "update-new-2" {
		t.Errorf("value = %q", got)
	}

	// A secret an older Keep wrote (Env, not Environment) is keep's too,
	// and keeps its tags.
	legacy := p.ns + "/production/LEGACY"
	legacyTags := map[string]string{"ManagedBy": "Keep", "Namespace": p.ns, "Env": "production"}
	seed(t, motoserver.Secret{Name: legacy, Value: "legacy-old-1", Tags: legacyTags})
	p.set(t, "production", "LEGACY", "legacy-new-2")
	wantTags(t, legacy, describeIn(t, "us-east-1", legacy).Tags, legacyTags)
	if got := valueIn(t, "us-east-1", legacy); got != "legacy-new-2" {
		t.Errorf("value = %q", got)
	}
}

func TestSetValueIsByteExact(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	for _, tc := range []struct{ name, value string }{
		{"PEM", "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\nq1w2+/=\n-----END PRIVATE KEY-----"},
		{"TRAILING_NEWLINE", "ends with one newline\n"},
		{"NEWLINES_ONLY", "\n\n\n"},
		{"CRLF", "a=1\r\nb=2\r\n"},
		{"UNICODE", "pässwörd — 🔑 日本語 \u200b"},
		{"BLANKS", "  \tpadded value\t  "},
		{"SHELL", `it's "quoted" $HOME ${X} \n ` + "`id` !x"},
		{"JSON", `{"user":"admin","password":"p@ss\"w0rd"}`},
		{"CONTROL", "bell\a tab\t esc\x1b[0m del\x7f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keeptest.Remember(tc.value)
			name := p.ns + "/production/" + tc.name
			check := func(how string) {
				t.Helper()
				if got := valueIn(t, "us-east-1", name); got != tc.value {
					t.Errorf("%s: stored %q, want %q", how, got, tc.value)
				}
				res := p.keep(t, "get", tc.name, "--env=production", "--format=raw")
				if mustSucceed(t, res); res.Stdout != tc.value {
					t.Errorf("%s: keep get --format=raw printed %d bytes, not the value of %d bytes", how, len(res.Stdout), len(tc.value))
				}
			}
			// stdin, piped: every byte, nothing added or trimmed; a final
			// newline is kept, and keep warns that it is, on stderr
			res := keep(t, run{Dir: p.dir, Args: []string{"set", tc.name, "--env=production"}, Stdin: strings.NewReader(tc.value)})
			mustSucceed(t, res)
			check("stdin")
			warned := strings.Contains(res.Stderr, "keep: warning: the value read from stdin ends with a newline, which is stored as part of it\n") &&
				strings.Contains(res.Stderr, "printf '%s' \"$VALUE\" | keep set "+tc.name+", not echo")
			if ends := strings.HasSuffix(tc.value, "\n"); warned != ends {
				t.Errorf("the value ends with a newline: %v; keep warned: %v; stderr:\n%s", ends, warned, res.Stderr)
			}
			// the argument (an update; after --, as the PEM starts with
			// '-'), --no-interaction changes nothing
			mustSucceed(t, p.keep(t, "set", tc.name, "x", "--env=production"))
			mustSucceed(t, p.keep(t, "set", tc.name, "--env=production", "--no-interaction", "--", tc.value))
			check("argument")
			// a pipe under --no-interaction is still read
			mustSucceed(t, p.keep(t, "set", tc.name, "x", "--env=production"))
			mustSucceed(t, keep(t, run{Dir: p.dir, Args: []string{"set", tc.name, "--env=production", "--no-interaction"}, Stdin: strings.NewReader(tc.value)}))
			check("stdin with --no-interaction")
		})
	}
}

func TestSetRefusesValuesItCannotStore(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	for _, tc := range []struct{ name, value, want string }{
		{"NUL", "before\x00after", "NUL byte"},
		{"LATIN1", "caf\xe9 au lait", "not valid UTF-8"},
		{"BINARY", "\xff\xfe\x00\x01binary", "not valid UTF-8"},
		{"HUGE", strings.Repeat("v", 65537), "at most 65536"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keeptest.Remember(tc.value)
			wantExit(t, keep(t, run{Dir: p.dir, Args: []string{"set", tc.name, "--env=production"}, Stdin: strings.NewReader(tc.value)}), 125, tc.want)
			wantNoSecret(t, p.ns+"/production/"+tc.name)
		})
	}
	// An empty value: Secrets Manager has no empty SecretString (moto
	// creates a secret without a version, which then fails keep run for
	// the whole environment), so keep refuses it — from a pipe, from
	// stdin at /dev/null, and as the argument.
	wantExit(t, keep(t, run{Dir: p.dir, Args: []string{"set", "EMPTY", "--env=production"}, Stdin: strings.NewReader("")}), 125, "the value is empty", "pipe it on stdin")
	wantExit(t, p.keep(t, "set", "EMPTY", "--env=production"), 125, "the value is empty")
	wantExit(t, p.keep(t, "set", "EMPTY", "", "--env=production"), 125, "the value is empty")
	wantNoSecret(t, p.ns+"/production/EMPTY")
	// Up to the limit is fine.
	big := strings.Repeat("w", 65536)
	keeptest.Remember(big)
	mustSucceed(t, keep(t, run{Dir: p.dir, Args: []string{"set", "BIG", "--env=production"}, Stdin: strings.NewReader(big)}))
}

func TestSetRefusesInvalidKeys(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	for _, key := range []string{"a.b", "a/b", "a b", "ÄBC", "x=y", strings.Repeat("K", 256)} {
		wantExit(t, p.keep(t, "set", key, "some-value", "--env=production"), 125, "invalid KEY", "1-255 letters, digits, '_' or '-'")
		wantExit(t, keep(t, run{Dir: p.dir, Args: []string{"set", key, "--env=production"}, Stdin: strings.NewReader("some-value")}), 125, "invalid KEY")
	}
	// 255 characters is the longest KEY.
	p.set(t, "production", strings.Repeat("K", 255), "long-key-value")
}

func TestSetRefusesSecretsKeepDoesNotManage(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	for _, tc := range []struct {
		key  string
		tags map[string]string
	}{
		{"NO_TAGS", nil},
		{"OTHER_TOOL", map[string]string{"ManagedBy": "Terraform", "Namespace": p.ns, "Environment": "production"}},
		{"OTHER_NAMESPACE", map[string]string{"ManagedBy": "Keep", "Namespace": p.ns + "2", "Environment": "production"}},
		{"NAMESPACE_CASE", map[string]string{"ManagedBy": "Keep", "Namespace": strings.ToUpper(p.ns), "Environment": "production"}},
		{"NO_NAMESPACE", map[string]string{"ManagedBy": "Keep", "Environment": "production"}},
		{"MANAGED_CASE", map[string]string{"ManagedBy": "keep", "Namespace": p.ns, "Environment": "production"}},
	} {
		t.Run(tc.key, func(t *testing.T) {
			name := p.ns + "/production/" + tc.key
			old := "unmanaged-" + strings.ToLower(tc.key)
			seed(t, motoserver.Secret{Name: name, Value: old, Tags: tc.tags})
			before := describeIn(t, "us-east-1", name)
			keeptest.Remember("replacement-value")
			wantExit(t, p.keep(t, "set", tc.key, "replacement-value", "--env=production"), 125,
				name+" exists but is not managed by keep for namespace "+p.ns, "keep does not touch secrets it does not manage")
			if got := valueIn(t, "us-east-1", name); got != old {
				t.Errorf("the value changed to %q", got)
			}
			after := describeIn(t, "us-east-1", name)
			if !maps.Equal(tagMap(t, after.Tags), tagMap(t, before.Tags)) {
				t.Errorf("tags changed from %v to %v", tagMap(t, before.Tags), tagMap(t, after.Tags))
			}
		})
	}
}

func TestSetRefusesASecretScheduledForDeletion(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	seed(t, motoserver.Secret{Name: p.ns + "/production/GONE", Value: "scheduled-1", Tags: keeptest.Tags(p.ns, "production", "secretsmanager"), Deleted: true})
	keeptest.Remember("revived-value")
	wantExit(t, p.keep(t, "set", "GONE", "revived-value", "--env=production"), 125, p.ns+"/production/GONE is scheduled for deletion", "keep restore")
	wantExit(t, keep(t, run{Dir: p.dir, Args: []string{"set", "GONE", "--env=production"}, Stdin: strings.NewReader("revived-value")}), 125, "scheduled for deletion")
}

func TestSecretCommandsNeedAnEnv(t *testing.T) {
	t.Parallel()
	// Without a terminal a missing --env is an error naming it, for every
	// secret command.
	p := newProject(t)
	for _, args := range [][]string{
		{"set", "KEY", "value"},
		{"get", "KEY"},
		{"show"},
		{"delete", "KEY"},
		{"restore", "KEY"},
		{"history", "KEY"},
	} {
		for _, ni := range []string{"--no-interaction", "--verbose"} {
			wantExit(t, p.keep(t, append(args, ni)...), 125, "no environment given", "pass --env=NAME or set KEEP_ENV; this project has local, staging, production")
		}
	}
}

// echoing reports whether the terminal echoes input. TCGETS on the pty's
// master reads the terminal's (the slave's) modes.
func echoing(t *testing.T, sh *ptyShell) bool {
	t.Helper()
	conn, err := sh.pty.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var tio *unix.Termios
	var ioErr error
	if err := conn.Control(func(fd uintptr) { tio, ioErr = unix.IoctlGetTermios(int(fd), unix.TCGETS) }); err != nil {
		t.Fatal(err)
	}
	if ioErr != nil {
		t.Fatal(ioErr)
	}
	return tio.Lflag&unix.ECHO != 0
}

// waitEchoOff waits until the terminal no longer echoes input: the state
// keep's hidden prompt sets after printing its label. Typing earlier would
// race with it.
func waitEchoOff(t *testing.T, sh *ptyShell) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for echoing(t, sh) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal still echoes %s after the hidden prompt", hangGuard)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSecretCommandsOnATerminal(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	sh := startShell(t)
	sh.send("cd " + commandLine(p.dir) + "\n")
	sh.prompt()

	t.Run("no-interaction, no value", func(t *testing.T) {
		sh.send(commandLine(keeptest.Bin(t), "set", "NOPE", "--env=production", "--no-interaction") + "\n")
		shown, code := sh.promptAfter()
		if code != 125 || !strings.Contains(shown, "keep: error: missing the value") || !strings.Contains(shown, "pass it as the second argument, or pipe it on stdin") {
			t.Errorf("$? = %d, want 125 and the flag to pass; the terminal shows:\n%s", code, shown)
		}
		wantNoSecret(t, p.ns+"/production/NOPE")
	})

	t.Run("no-interaction, no env", func(t *testing.T) {
		sh.send(commandLine(keeptest.Bin(t), "show", "--no-interaction") + "\n")
		shown, code := sh.promptAfter()
		if code != 125 || !strings.Contains(shown, "no environment given") || !strings.Contains(shown, "pass --env=NAME") || strings.Contains(shown, "Environment (") {
			t.Errorf("$? = %d, want 125 naming --env without a prompt; the terminal shows:\n%s", code, shown)
		}
	})

	const typed = "typed s3cret, not echoed"
	keeptest.Remember(typed)
	t.Run("hidden prompt", func(t *testing.T) {
		if !echoing(t, sh) {
			t.Fatal("the terminal does not echo at the shell's prompt: waitEchoOff could not see keep turn echo off")
		}
		sh.send(commandLine(keeptest.Bin(t), "set", "TYPED", "--env=production") + "\n")
		sh.expect(regexp.MustCompile(`Value of TYPED \(input hidden\): `))
		waitEchoOff(t, sh)
		sh.send(typed + "\n")
		shown, code := sh.promptAfter()
		if code != 0 || !strings.Contains(shown, "Created "+p.ns+"/production/TYPED") {
			t.Fatalf("$? = %d; the terminal shows:\n%s", code, shown)
		}
		if strings.Contains(shown, "s3cret") {
			t.Errorf("the terminal echoed the value:\n%s", shown)
		}
		if !echoing(t, sh) {
			t.Errorf("keep left the terminal without echo")
		}
		if got := valueIn(t, "us-east-1", p.ns+"/production/TYPED"); got != typed {
			t.Errorf("stored %d bytes, not the %d typed", len(got), len(typed))
		}
	})

	t.Run("the env, then the hidden value; a wrong env asks again", func(t *testing.T) {
		sh.send(commandLine(keeptest.Bin(t), "set", "TYPED2") + "\n")
		sh.expect(regexp.MustCompile(`Environment \(local, staging, production\): `))
		sh.send("prodution\n")
		sh.expect(regexp.MustCompile(`"prodution" is not one of local, staging, production\r?\nEnvironment \(local, staging, production\): `))
		sh.send("staging\n")
		sh.expect(regexp.MustCompile(`Value of TYPED2 \(input hidden\): `))
		waitEchoOff(t, sh)
		sh.send(typed + "\n")
		shown, code := sh.promptAfter()
		if code != 0 || !strings.Contains(shown, "Created "+p.ns+"/staging/TYPED2") {
			t.Fatalf("$? = %d; the terminal shows:\n%s", code, shown)
		}
		if got := valueIn(t, "us-east-1", p.ns+"/staging/TYPED2"); got != typed {
			t.Errorf("stored %d bytes, not the %d typed", len(got), len(typed))
		}
	})

	t.Run("no KEY: asks for it until it is valid", func(t *testing.T) {
		sh.send(commandLine(keeptest.Bin(t), "set", "--env=production") + "\n")
		sh.expect(regexp.MustCompile(`Key: `))
		sh.send("bad key\n")
		sh.expect(regexp.MustCompile(`invalid KEY "bad key": a KEY is 1-255 letters, digits, '_' or '-', not starting with '-'\r?\nKey: `))
		sh.send("ASKED\n")
		sh.expect(regexp.MustCompile(`Value of ASKED \(input hidden\): `))
		waitEchoOff(t, sh)
		sh.send(typed + "\n")
		shown, code := sh.promptAfter()
		if code != 0 || !strings.Contains(shown, "Created "+p.ns+"/production/ASKED") {
			t.Fatalf("$? = %d; the terminal shows:\n%s", code, shown)
		}
		if got := valueIn(t, "us-east-1", p.ns+"/production/ASKED"); got != typed {
			t.Errorf("stored %d bytes, not the %d typed", len(got), len(typed))
		}
	})

	// Ctrl-D at a prompt ends keep with its error on a line of its own.
	for _, c := range []struct {
		what, prompt, err, help string
		args                    []string
	}{
		{"at the KEY", `Key: `, "no key: the input ended", "answer the prompt, or pass KEY", []string{"set", "--env=production"}},
		{"at the env", `Environment \(local, staging, production\): `, "no environment: the input ended", "answer the prompt, or pass --env=ENV", []string{"set", "EOF_KEY"}},
		{"at the hidden value", `Value of EOF_KEY \(input hidden\): `, "no value of EOF_KEY: the input ended", "answer the prompt, or pass VALUE", []string{"set", "EOF_KEY", "--env=production"}},
		{"at a confirmation", `\[y/N\]: `, "no answer: the input ended", "nothing was done", []string{"delete", "TYPED", "--env=production", "--force"}},
	} {
		t.Run("Ctrl-D "+c.what, func(t *testing.T) {
			sh.send(commandLine(append([]string{keeptest.Bin(t)}, c.args...)...) + "\n")
			sh.expect(regexp.MustCompile(c.prompt))
			if strings.Contains(c.prompt, "hidden") {
				waitEchoOff(t, sh)
			}
			sh.send("\x04")
			shown, code := sh.promptAfter()
			want := regexp.MustCompile(`(?m)^keep: error: ` + regexp.QuoteMeta(c.err) + "\r?\nkeep: " + regexp.QuoteMeta(c.help) + "\r?$")
			if code != 125 || !want.MatchString(shown) || strings.Contains(shown, "EOF\r") {
				t.Errorf("$? = %d, want 125 and %q on a line of its own; the terminal shows:\n%q", code, want, shown)
			}
		})
	}
	t.Run("Ctrl-C at the hidden value", func(t *testing.T) {
		sh.send(commandLine(keeptest.Bin(t), "set", "EOF_KEY", "--env=production") + "\n")
		sh.expect(regexp.MustCompile(`Value of EOF_KEY \(input hidden\): `))
		waitEchoOff(t, sh)
		sh.send("half typed\x03")
		if shown, code := sh.promptAfter(); code != 130 {
			t.Errorf("$? = %d, want 130 (killed by SIGINT); the terminal shows:\n%q", code, shown)
		}
		if !echoing(t, sh) {
			t.Errorf("keep left the terminal without echo")
		}
	})
	t.Run("backspace edits the hidden value", func(t *testing.T) {
		sh.send(commandLine(keeptest.Bin(t), "set", "EDITED", "--env=production") + "\n")
		sh.expect(regexp.MustCompile(`Value of EDITED \(input hidden\): `))
		waitEchoOff(t, sh)
		sh.send("edited-valuä\x7f\x7f\x1aue\r") // and Ctrl-Z, dropped
		if shown, code := sh.promptAfter(); code != 0 {
			t.Fatalf("$? = %d; the terminal shows:\n%q", code, shown)
		}
		if got := valueIn(t, "us-east-1", p.ns+"/production/EDITED"); got != "edited-value" {
			t.Errorf("stored %d bytes, not edited-value", len(got))
		}
	})
	wantNoSecret(t, p.ns+"/production/EOF_KEY")
	if describeIn(t, "us-east-1", p.ns+"/production/TYPED").DeletedDate != nil {
		t.Errorf("Ctrl-D at delete's confirmation deleted the secret")
	}

	t.Run("empty hidden answer", func(t *testing.T) {
		sh.send(commandLine(keeptest.Bin(t), "set", "BLANK", "--env=production") + "\n")
		sh.expect(regexp.MustCompile(`Value of BLANK \(input hidden\): `))
		waitEchoOff(t, sh)
		sh.send("\n")
		shown, code := sh.promptAfter()
		if code != 125 || !strings.Contains(shown, "the value is empty") {
			t.Errorf("$? = %d, want 125 and the value is empty; the terminal shows:\n%s", code, shown)
		}
		wantNoSecret(t, p.ns+"/production/BLANK")
	})

	t.Run("delete --force asks", func(t *testing.T) {
		name := p.ns + "/staging/TYPED2"
		line := commandLine(keeptest.Bin(t), "delete", "TYPED2", "--env=staging", "--force") + "\n"
		sh.send(line)
		sh.expect(regexp.MustCompile(`Delete ` + regexp.QuoteMeta(name) + ` now, with no way to restore it\? \[y/N\]: `))
		sh.send("n\n")
		if shown, code := sh.promptAfter(); code != 0 || strings.Contains(shown, "for good") {
			t.Errorf("answered no: $? = %d, the terminal shows:\n%s", code, shown)
		}
		if describeIn(t, "us-east-1", name).DeletedDate != nil {
			t.Errorf("%s scheduled for deletion after no", name)
		}
		sh.send(line)
		sh.expect(regexp.MustCompile(`\[y/N\]: `))
		sh.send("y\n")
		if shown, code := sh.promptAfter(); code != 0 || !strings.Contains(shown, "Deleted "+name+" for good") {
			t.Errorf("answered yes: $? = %d, the terminal shows:\n%s", code, shown)
		}
		wantNoSecret(t, name)
	})

	t.Run("vault:delete asks", func(t *testing.T) {
		mustSucceed(t, p.keep(t, "vault:add", "--no-interaction", "--slug=spare"))
		line := commandLine(keeptest.Bin(t), "vault:delete", "spare") + "\n"
		sh.send(line)
		sh.expect(regexp.MustCompile(`Remove vault spare from \.keep/vaults\? Its secrets stay in AWS\. \[y/N\]: `))
		sh.send("\n") // no is the default
		if _, code := sh.promptAfter(); code != 0 || !strings.Contains(p.file(t, "vaults/spare.json"), `"slug": "spare"`) {
			t.Errorf("answered the default: $? = %d, and vaults/spare.json must stay", code)
		}
		sh.send(line)
		sh.expect(regexp.MustCompile(`\[y/N\]: `))
		sh.send("yes\n")
		if shown, code := sh.promptAfter(); code != 0 || !strings.Contains(shown, "Removed vault spare") {
			t.Errorf("answered yes: $? = %d, the terminal shows:\n%s", code, shown)
		}
	})

	t.Run("env prompt", func(t *testing.T) {
		sh.send(commandLine(keeptest.Bin(t), "show") + "\n")
		sh.expect(regexp.MustCompile(`Environment \(local, staging, production\): `))
		sh.send("production\n")
		shown, code := sh.promptAfter()
		if code != 0 || !regexp.MustCompile(`TYPED +ty\*\*\*\* `).MatchString(shown) {
			t.Errorf("$? = %d, want 0 and TYPED masked; the terminal shows:\n%s", code, shown)
		}
	})
}

// getJSON is keep get --format=json's output.
type getJSON struct {
	Key         string   `json:"key"`
	Value       string   `json:"value"`
	Revision    string   `json:"revision"`
	Stages      []string `json:"stages"`
	Created     string   `json:"created"`
	Replication []struct {
		Region  string `json:"region"`
		Status  string `json:"status"`
		Message string `json:"message"`
	} `json:"replication"`
}

func decodeJSON(t *testing.T, res result, v any) {
	t.Helper()
	mustSucceed(t, res)
	dec := json.NewDecoder(strings.NewReader(res.Stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("output is not the expected JSON (%v):\n%s", err, res.Stdout)
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	const v1, v2 = "get-first\nversion", "get-second-version"
	id1 := p.set(t, "production", "GET_ME", v1)
	id2 := p.set(t, "production", "GET_ME", v2)

	raw := func(flags ...string) string {
		t.Helper()
		res := p.keep(t, append([]string{"get", "GET_ME", "--env=production", "--format=raw"}, flags...)...)
		mustSucceed(t, res)
		return res.Stdout
	}
	if got := raw(); got != v2 {
		t.Errorf("raw = %q, want %q (no newline added)", got, v2)
	}
	if got := raw("--version-stage=AWSPREVIOUS"); got != v1 {
		t.Errorf("raw AWSPREVIOUS = %q, want %q", got, v1)
	}
	if got := raw("--version-stage=AWSCURRENT"); got != v2 {
		t.Errorf("raw AWSCURRENT = %q, want %q", got, v2)
	}
	if got := raw("--version-id=" + id1); got != v1 {
		t.Errorf("raw --version-id=%s = %q, want %q", id1, got, v1)
	}

	var j getJSON
	decodeJSON(t, p.keep(t, "get", "GET_ME", "--env=production", "--format=json"), &j)
	if j.Key != "GET_ME" || j.Value != v2 || j.Revision != id2 || !slices.Equal(j.Stages, []string{"AWSCURRENT"}) || j.Replication != nil {
		t.Errorf("json = %+v, want key, the current value, revision %s, stages [AWSCURRENT], no replication", j, id2)
	}
	if _, err := time.Parse(time.RFC3339, j.Created); err != nil {
		t.Errorf("created = %q: %v", j.Created, err)
	}
	j = getJSON{}
	decodeJSON(t, p.keep(t, "get", "GET_ME", "--env=production", "--format=json", "--version-stage=AWSPREVIOUS"), &j)
	if j.Value != v1 || j.Revision != id1 || !slices.Equal(j.Stages, []string{"AWSPREVIOUS"}) {
		t.Errorf("json AWSPREVIOUS = %+v, want %q, revision %s, stages [AWSPREVIOUS]", j, v1, id1)
	}

	for _, flags := range [][]string{nil, {"--format=table"}} {
		res := p.keep(t, append([]string{"get", "GET_ME", "--env=production"}, flags...)...)
		mustSucceed(t, res)
		lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
		if len(lines) != 2 || !slices.Equal(strings.Fields(lines[0]), []string{"KEY", "VALUE", "REVISION", "STAGES"}) ||
			!slices.Equal(strings.Fields(lines[1]), []string{"GET_ME", v2, id2, "AWSCURRENT"}) {
			t.Errorf("table %v =\n%s", flags, res.Stdout)
		}
	}
	// A multi-line value stays on its row.
	res := p.keep(t, "get", "GET_ME", "--env=production", "--version-stage=AWSPREVIOUS")
	if mustSucceed(t, res); !strings.Contains(res.Stdout, `get-first\nversion`) {
		t.Errorf("table of a multi-line value =\n%s", res.Stdout)
	}

	wantExit(t, p.keep(t, "get", "MISSING", "--env=production"), 125, p.ns+"/production/MISSING not found", "keep show lists the secrets")
	wantExit(t, p.keep(t, "get", "GET_ME", "--env=staging", "--format=raw"), 125, p.ns+"/staging/GET_ME not found")
	// A version the secret does not have is named as such, with the
	// stages it has, not as a missing secret.
	const noVersion = "00000000-0000-0000-0000-000000000000"
	wantExit(t, p.keep(t, "get", "GET_ME", "--env=production", "--version-id="+noVersion), 125,
		p.ns+"/production/GET_ME exists but has no version "+noVersion+" (its stages: AWSCURRENT, AWSPREVIOUS)", "keep history GET_ME --env=production lists its versions")
	res = p.keep(t, "get", "GET_ME", "--env=production", "--version-stage=AWSPENDING")
	wantExit(t, res, 125, p.ns+"/production/GET_ME exists but has no version in stage AWSPENDING (its stages: AWSCURRENT, AWSPREVIOUS)")
	if strings.Contains(res.Stderr, "not found") {
		t.Errorf("a missing stage reads as a missing secret:\n%s", res.Stderr)
	}
	wantExit(t, p.keep(t, "get", "MISSING", "--env=production", "--version-stage=AWSPENDING"), 125, p.ns+"/production/MISSING not found")
	wantExit(t, p.keep(t, "get", "GET_ME", "--env=production", "--version-stage=AWSCURRENT", "--version-id="+id2), 125, "--version-stage and --version-id can't be used together")
	// --plain and -q are --format=raw.
	for _, flag := range []string{"--plain", "-q"} {
		res := p.keep(t, "get", "GET_ME", "--env=production", flag)
		if mustSucceed(t, res); res.Stdout != v2 {
			t.Errorf("get %s = %q, want %q", flag, res.Stdout, v2)
		}
	}
	wantExit(t, p.keep(t, "get", "GET_ME", "--env=production", "--plain", "--format=json"), 125, "--plain and --format=json exclude each other")
	wantExit(t, p.keep(t, "get", "a.b", "--env=production"), 125, `invalid KEY "a.b"`)
	wantExit(t, p.keep(t, "get", "GET_ME", "--env=production", "--format=yaml"), 125)
}

// showJSON is one entry of keep show --format=json.
type showJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Revision    string `json:"revision"`
	Replication []struct {
		Region  string `json:"region"`
		Status  string `json:"status"`
		Message string `json:"message"`
	} `json:"replication"`
}

func TestShow(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	shown := map[string]string{
		"LONG":    "abcdefgh-show",
		"FIVE":    "abcde",
		"FOUR":    "abcd",
		"SHORT":   "abc",
		"UNI":     "äöü-secret-show",
		"api-key": "dashed-key-show",
	}
	masked := map[string]string{"LONG": "ab****", "FIVE": "ab****", "FOUR": "****", "SHORT": "****", "UNI": "äö****", "api-key": "da****"}
	seedVars(t, p.ns, "production", shown)

	table := func(flags ...string) map[string]string {
		t.Helper()
		res := p.keep(t, append([]string{"show", "--env=production"}, flags...)...)
		mustSucceed(t, res)
		lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
		if !slices.Equal(strings.Fields(lines[0]), []string{"KEY", "VALUE", "REVISION"}) {
			t.Errorf("header = %q", lines[0])
		}
		rows := map[string]string{}
		var keys []string
		for _, line := range lines[1:] {
			f := strings.Fields(line)
			if len(f) != 3 {
				t.Errorf("row %q", line)
				continue
			}
			rows[f[0]] = f[1]
			keys = append(keys, f[0])
		}
		if !sort.StringsAreSorted(keys) {
			t.Errorf("rows not sorted by KEY: %q", keys)
		}
		return rows
	}
	jsonShow := func(flags ...string) map[string]string {
		t.Helper()
		var entries []showJSON
		decodeJSON(t, p.keep(t, append([]string{"show", "--env=production", "--format=json"}, flags...)...), &entries)
		out := map[string]string{}
		for _, e := range entries {
			out[e.Key] = e.Value
			if e.Revision == "" || e.Replication != nil {
				t.Errorf("json entry %+v: want a revision and no replication", e)
			}
		}
		return out
	}
	envShow := func(flags ...string) map[string]string {
		t.Helper()
		res := p.keep(t, append([]string{"show", "--env=production", "--format=env"}, flags...)...)
		mustSucceed(t, res)
		vars, err := godotenv.Unmarshal(res.Stdout)
		if err != nil {
			t.Fatalf("show --format=env is not dotenv (%v):\n%s", err, res.Stdout)
		}
		if slices.Contains(flags, "--unmask") {
			return vars
		}
		// Masked: every line a comment under a header that says so, so
		// that nothing loads it as a .env file; uncommented, the lines
		// are the masked variables.
		if len(vars) != 0 {
			t.Errorf("masked show --format=env loads as dotenv variables %q", slices.Sorted(maps.Keys(vars)))
		}
		header, body, _ := strings.Cut(res.Stdout, "\n")
		if header != "# masked values, not a .env file: keep show --format=env --unmask prints the values" {
			t.Errorf("masked show --format=env starts with %q", header)
		}
		var uncommented strings.Builder
		for _, line := range strings.SplitAfter(body, "\n") {
			if line != "" && !strings.HasPrefix(line, "# ") {
				t.Errorf("masked show --format=env line %q is not commented", line)
			}
			uncommented.WriteString(strings.TrimPrefix(line, "# "))
		}
		if vars, err = godotenv.Unmarshal(uncommented.String()); err != nil {
			t.Fatalf("masked show --format=env, uncommented, is not dotenv (%v):\n%s", err, res.Stdout)
		}
		return vars
	}
	asVars := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[strings.ToUpper(strings.ReplaceAll(k, "-", "_"))] = v // the PHP Keep's names
		}
		return out
	}
	only := map[string]string{"FIVE": "ab****", "FOUR": "****"}
	for _, c := range []struct {
		what  string
		show  func(flags ...string) map[string]string
		flags []string
		want  map[string]string
	}{
		{"show", table, nil, masked},
		{"show --format=table", table, []string{"--format=table"}, masked},
		{"show --unmask", table, []string{"--unmask"}, shown},
		{"show --format=json", jsonShow, nil, masked},
		{"show --format=json --unmask", jsonShow, []string{"--unmask"}, shown},
		{"show --format=env", envShow, nil, asVars(masked)},
		{"show --format=env --unmask", envShow, []string{"--unmask"}, asVars(shown)},
		// --only and --except, in each format
		{"show --only=F*,S* --except=SHORT", table, []string{"--only=F*,S*", "--except=SHORT"}, only},
		{"show --format=json --only=F*,S* --except=SHORT", jsonShow, []string{"--only=F*,S*", "--except=SHORT"}, only},
		{"show --format=env --only=api-*", envShow, []string{"--only=api-*"}, map[string]string{"API_KEY": "da****"}},
	} {
		sameVars(t, c.what, c.show(c.flags...), c.want)
	}
	wantExit(t, p.keep(t, "show", "--env=production", "--format=xml"), 125)
}

func TestShowListsWhatRunInjects(t *testing.T) {
	t.Parallel()
	// keep show uses run's fetch path: the same exact tag and name matching.
	p := newProject(t)
	ns := p.ns
	seed(t,
		secret(ns, "production", "GOOD", "show-run-good"),
		motoserver.Secret{Name: ns + "/production/LEGACY", Value: "show-run-legacy", Tags: map[string]string{"ManagedBy": "Keep", "Namespace": ns, "Env": "production"}},
		motoserver.Secret{Name: ns + "/production/OTHER_NS", Value: "show-run-other-ns", Tags: keeptest.Tags(ns+"2", "production", "secretsmanager")},
		motoserver.Secret{Name: ns + "/production/EU_TAG", Value: "show-run-eu-tag", Tags: keeptest.Tags(ns, "production-eu", "secretsmanager")},
		secret(ns, "production-eu", "EU", "show-run-eu"),
		secret(ns+"2", "production", "NS2", "show-run-ns2"),
		motoserver.Secret{Name: ns + "/production/TERRAFORM", Value: "show-run-terraform", Tags: map[string]string{"ManagedBy": "Terraform", "Namespace": ns, "Environment": "production"}},
		motoserver.Secret{Name: ns + "/production/DELETED", Value: "show-run-deleted", Tags: keeptest.Tags(ns, "production", "secretsmanager"), Deleted: true},
		secret(ns, "production", "nested/KEY", "show-run-nested"),
	)
	var entries []showJSON
	decodeJSON(t, p.keep(t, "show", "--env=production", "--format=json", "--unmask"), &entries)
	var shownKeys []string
	for _, e := range entries {
		shownKeys = append(shownKeys, e.Key)
	}
	if want := []string{"GOOD", "LEGACY", "nested/KEY"}; !slices.Equal(shownKeys, want) {
		t.Errorf("show lists %q, want %q", shownKeys, want)
	}
	env := childEnv(t, p.keep(t, "run", "--env=production", "--", testBin, "child:env"))
	hasOnly(t, env, map[string]string{"GOOD": "show-run-good", "LEGACY": "show-run-legacy", "NESTED_KEY": "show-run-nested"},
		"OTHER_NS", "EU_TAG", "EU", "NS2", "TERRAFORM", "DELETED", "nested_KEY", "KEY", "PRODUCTION_KEY")

	// An environment with no secrets: a message, exit 0.
	wantExit(t, p.keep(t, "show", "--env=staging"), 0, "no secrets in "+ns+"/staging (us-east-1)")
	res := p.keep(t, "show", "--env=staging", "--format=json")
	if mustSucceed(t, res); strings.TrimSpace(res.Stdout) != "[]" {
		t.Errorf("show --format=json of an empty env = %q, want []", res.Stdout)
	}
	res = p.keep(t, "show", "--env=staging", "--format=env")
	if mustSucceed(t, res); res.Stdout != "" {
		t.Errorf("show --format=env of an empty env = %q, want nothing", res.Stdout)
	}
}

// Secrets named as the environment's but tagged for another case of it,
// or not tagged as keep's at all, are skipped; "no secrets" says so,
// naming them, and suggests --region, without -v.
func TestNoSecretsNamesTheSkippedOnes(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	wrongCase := secret(ns, "production", "WRONG_CASE", "skipped-wrong-case")
	wrongCase.Tags["Environment"] = "Production"
	wrongNS := secret(ns, "production", "WRONG_NS", "skipped-wrong-ns")
	wrongNS.Tags["Namespace"] = strings.ToUpper(ns)
	// and those the listing's filters hide: no keep tags, or deleted
	untagged := motoserver.Secret{Name: ns + "/production/UNTAGGED", Value: "skipped-untagged"}
	deleted := secret(ns, "production", "DELETED", "skipped-deleted")
	deleted.Deleted = true
	seed(t, wrongCase, wrongNS, untagged, deleted)
	note := "2 secret(s) named under the prefix were skipped because their tags do not match exactly: " + ns + "/production/WRONG_CASE, " + ns + "/production/WRONG_NS" +
		"; 2 secret(s) named under the prefix are not tagged ManagedBy=Keep, or are scheduled for deletion: " + ns + "/production/DELETED, " + ns + "/production/UNTAGGED"
	for _, args := range [][]string{
		{"run", "--namespace=" + ns, "--env=production", "--", "true"},
		{"export", "--namespace=" + ns, "--env=production"},
	} {
		wantExit(t, keep(t, run{Args: args}), 125, "no secrets found for namespace", note,
			"(exactly: tags are case-sensitive)", "if they are in another region than us-east-1, pass --region")
	}
	wantExit(t, keep(t, run{Args: []string{"show", "--namespace=" + ns, "--env=production"}}), 0, "no secrets in "+ns+"/production (us-east-1); "+note)
	// Nothing under the prefix: no note, the --region hint still.
	res := keep(t, run{Args: []string{"run", "--namespace=" + ns, "--env=staging", "--", "true"}})
	wantExit(t, res, 125, "no secrets found", "pass --region")
	if strings.Contains(res.Stderr, "were skipped") {
		t.Errorf("nothing was skipped, yet:\n%s", res.Stderr)
	}
}

// wantDate checks that line names a date days from now.
func wantDate(t *testing.T, line string, days int) {
	t.Helper()
	now := time.Now()
	for _, d := range []int{days, days - 1, days + 1} { // around midnight
		if strings.Contains(line, " on "+now.AddDate(0, 0, d).Format("2006-01-02")+";") {
			return
		}
	}
	t.Errorf("%q does not name the date %d days from now", line, days)
}

func TestDeleteAndRestore(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	name := p.ns + "/production/DOOMED"
	p.set(t, "production", "DOOMED", "delete-me-1")
	listed := func() []string {
		var entries []showJSON
		decodeJSON(t, p.keep(t, "show", "--env=production", "--format=json"), &entries)
		var keys []string
		for _, e := range entries {
			keys = append(keys, e.Key)
		}
		return keys
	}
	if got := listed(); !slices.Equal(got, []string{"DOOMED"}) {
		t.Fatalf("show lists %q before the delete", got)
	}

	res := p.keep(t, "delete", "DOOMED", "--env=production")
	wantStdout(t, res, "Scheduled "+name+" for deletion on ", "keep restore DOOMED --env=production undoes it until then")
	wantDate(t, res.Stdout, 30)
	if describeIn(t, "us-east-1", name).DeletedDate == nil {
		t.Errorf("no DeletedDate after keep delete")
	}
	if got := listed(); len(got) != 0 {
		t.Errorf("show lists %q after the delete", got)
	}
	wantExit(t, p.keep(t, "set", "DOOMED", "new-value-1", "--env=production"), 125, "scheduled for deletion", "keep restore")
	wantExit(t, p.keep(t, "get", "DOOMED", "--env=production"), 125, name, "keep restore")
	wantExit(t, p.keep(t, "delete", "DOOMED", "--env=production"), 125, "scheduled for deletion")

	wantStdout(t, p.keep(t, "restore", "DOOMED", "--env=production"), "Restored "+name)
	if got := listed(); !slices.Equal(got, []string{"DOOMED"}) {
		t.Errorf("show lists %q after the restore", got)
	}
	if res := p.keep(t, "get", "DOOMED", "--env=production", "--format=raw"); res.Stdout != "delete-me-1" {
		t.Errorf("get after restore = %q (exit %d)", res.Stdout, res.Code)
	}
	wantExit(t, p.keep(t, "restore", "DOOMED", "--env=production"), 125, "is not scheduled for deletion")

	// --recovery-days: 7 to 30
	res = p.keep(t, "delete", "DOOMED", "--env=production", "--recovery-days=7")
	mustSucceed(t, res)
	wantDate(t, res.Stdout, 7)
	mustSucceed(t, p.keep(t, "restore", "DOOMED", "--env=production"))
	for _, days := range []string{"6", "31", "0", "-7"} {
		wantExit(t, p.keep(t, "delete", "DOOMED", "--env=production", "--recovery-days="+days), 125, "--recovery-days="+days+" is outside 7..30")
	}
	if describeIn(t, "us-east-1", name).DeletedDate != nil {
		t.Errorf("a refused delete scheduled the deletion")
	}

	// --force: gone for good
	wantStdout(t, p.keep(t, "delete", "DOOMED", "--env=production", "--force"), "Deleted "+name+" for good")
	wantNoSecret(t, name)
	wantExit(t, p.keep(t, "restore", "DOOMED", "--env=production"), 125, "does not exist (a secret deleted with --force cannot be restored)")
	wantExit(t, p.keep(t, "get", "DOOMED", "--env=production"), 125, name+" not found")
	wantExit(t, p.keep(t, "delete", "DOOMED", "--env=production"), 125, name+" does not exist")

	// --force also ends a scheduled deletion early.
	p.set(t, "production", "SCHEDULED", "delete-me-2")
	mustSucceed(t, p.keep(t, "delete", "SCHEDULED", "--env=production"))
	wantStdout(t, p.keep(t, "delete", "SCHEDULED", "--env=production", "--force"), "for good")
	wantNoSecret(t, p.ns+"/production/SCHEDULED")
}

func TestDeleteAndRestoreRefuseSecretsKeepDoesNotManage(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	other := map[string]string{"ManagedBy": "Keep", "Namespace": p.ns + "2", "Environment": "production"}
	seed(t,
		motoserver.Secret{Name: p.ns + "/production/FOREIGN", Value: "foreign-value-1"},
		motoserver.Secret{Name: p.ns + "/production/OTHER_NS", Value: "foreign-value-2", Tags: other},
		motoserver.Secret{Name: p.ns + "/production/FOREIGN_DELETED", Value: "foreign-value-3", Deleted: true},
	)
	for _, key := range []string{"FOREIGN", "OTHER_NS"} {
		for _, force := range []string{"--force=false", "--force"} {
			wantExit(t, p.keep(t, "delete", key, "--env=production", force), 125, "not managed by keep for namespace "+p.ns)
		}
		if d := describeIn(t, "us-east-1", p.ns+"/production/"+key); d.DeletedDate != nil {
			t.Errorf("%s is scheduled for deletion", key)
		}
	}
	// Scheduled for deletion by someone else: keep neither ends the
	// recovery window early nor cancels the deletion.
	wantExit(t, p.keep(t, "delete", "FOREIGN_DELETED", "--env=production", "--force"), 125, "not managed by keep")
	wantExit(t, p.keep(t, "restore", "FOREIGN_DELETED", "--env=production"), 125, "not managed by keep")
	if d := describeIn(t, "us-east-1", p.ns+"/production/FOREIGN_DELETED"); d.DeletedDate == nil {
		t.Errorf("FOREIGN_DELETED is no longer scheduled for deletion")
	}
	wantExit(t, p.keep(t, "delete", "MISSING", "--env=production"), 125, p.ns+"/production/MISSING does not exist")
	wantExit(t, p.keep(t, "delete", "a.b", "--env=production"), 125, `invalid KEY "a.b"`)
}

// historyJSON is one entry of keep history --format=json.
type historyJSON struct {
	Key      string   `json:"key"`
	Value    string   `json:"value"`
	Revision string   `json:"revision"`
	Stages   []string `json:"stages"`
	Created  string   `json:"created"`
}

func TestHistory(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	vals := []string{"one-history", "two-history", "three-history"}
	var ids []string
	for _, v := range vals {
		ids = append(ids, p.set(t, "production", "ROTATED", v))
	}
	// newest first
	wantIDs := []string{ids[2], ids[1], ids[0]}
	wantStages := [][]string{{"AWSCURRENT"}, {"AWSPREVIOUS"}, nil}
	wantMasked := []string{"th****", "tw****", "on****"}
	wantValues := []string{vals[2], vals[1], vals[0]}

	table := func(flags ...string) {
		t.Helper()
		unmask := slices.Contains(flags, "--unmask")
		res := p.keep(t, append([]string{"history", "ROTATED", "--env=production"}, flags...)...)
		mustSucceed(t, res)
		lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
		if len(lines) != 4 || !slices.Equal(strings.Fields(lines[0]), []string{"REVISION", "STAGES", "CREATED", "VALUE"}) {
			t.Fatalf("history %v =\n%s", flags, res.Stdout)
		}
		for i, line := range lines[1:] {
			want := []string{wantIDs[i]}
			want = append(want, wantStages[i]...)
			f := strings.Fields(line)
			if len(f) != len(want)+2 || !slices.Equal(f[:len(want)], want) {
				t.Errorf("history %v row %d = %q, want %q, a date, a value", flags, i, line, want)
				continue
			}
			if _, err := time.Parse(time.RFC3339, f[len(want)]); err != nil {
				t.Errorf("row %d: created %q: %v", i, f[len(want)], err)
			}
			value := wantMasked[i]
			if unmask {
				value = wantValues[i]
			}
			if f[len(f)-1] != value {
				t.Errorf("history %v row %d value = %q, want %q", flags, i, f[len(f)-1], value)
			}
		}
	}
	table()
	table("--format=table")
	table("--unmask")

	for _, unmask := range []bool{false, true} {
		args := []string{"history", "ROTATED", "--env=production", "--format=json"}
		if unmask {
			args = append(args, "--unmask")
		}
		var entries []historyJSON
		decodeJSON(t, p.keep(t, args...), &entries)
		if len(entries) != 3 {
			t.Fatalf("history json has %d entries, want 3", len(entries))
		}
		for i, e := range entries {
			value := wantMasked[i]
			if unmask {
				value = wantValues[i]
			}
			if e.Key != "ROTATED" || e.Revision != wantIDs[i] || !slices.Equal(e.Stages, wantStages[i]) || e.Value != value {
				t.Errorf("json entry %d (unmask %v) = %+v, want revision %s, stages %q, value %q", i, unmask, e, wantIDs[i], wantStages[i], value)
			}
			if _, err := time.Parse(time.RFC3339, e.Created); err != nil {
				t.Errorf("entry %d created %q: %v", i, e.Created, err)
			}
		}
	}
	// AWS answers ResourceNotFoundException here (keep then says "not
	// found"); moto 5.2 fails with a 500 Internal Server Error instead.
	wantExit(t, p.keep(t, "history", "MISSING", "--env=production"), 125, p.ns+"/production/MISSING")
	wantExit(t, p.keep(t, "history", "ROTATED", "--env=production", "--format=env"), 125)
}

func TestReplication(t *testing.T) {
	t.Parallel()
	p := newProject(t, "--replica-regions=us-west-2")
	// A string, not an array: the PHP Keep refuses a vault file with one.
	if !strings.Contains(p.file(t, "vaults/secretsmanager.json"), `"replica_regions": "us-west-2"`) {
		t.Errorf("the vault file lacks replica_regions:\n%s", p.file(t, "vaults/secretsmanager.json"))
	}
	name := p.ns + "/production/DR_SECRET"
	p.set(t, "production", "DR_SECRET", "replicated-1")

	primary := describeIn(t, "us-east-1", name)
	if len(primary.ReplicationStatus) != 1 || aws.ToString(primary.ReplicationStatus[0].Region) != "us-west-2" || primary.ReplicationStatus[0].Status != types.StatusTypeInSync {
		t.Errorf("ReplicationStatus = %+v, want us-west-2 InSync", primary.ReplicationStatus)
	}
	replica := describeIn(t, "us-west-2", name)
	if got := aws.ToString(replica.PrimaryRegion); got != "us-east-1" {
		t.Errorf("the replica's PrimaryRegion = %q, want us-east-1", got)
	}
	wantTags(t, "the replica", replica.Tags, keeptest.Tags(p.ns, "production", "secretsmanager"))
	if got := valueIn(t, "us-west-2", name); got != "replicated-1" {
		t.Errorf("the replica's value = %q", got)
	}

	var j getJSON
	decodeJSON(t, p.keep(t, "get", "DR_SECRET", "--env=production", "--format=json"), &j)
	if len(j.Replication) != 1 || j.Replication[0].Region != "us-west-2" || j.Replication[0].Status != "InSync" {
		t.Errorf("get --format=json replication = %+v, want us-west-2 InSync", j.Replication)
	}
	var entries []showJSON
	decodeJSON(t, p.keep(t, "show", "--env=production", "--format=json"), &entries)
	if len(entries) != 1 || len(entries[0].Replication) != 1 || entries[0].Replication[0].Status != "InSync" {
		t.Errorf("show --format=json = %+v, want DR_SECRET replicated to us-west-2", entries)
	}

	// Disaster recovery: keep run reads the replicas.
	env := childEnv(t, p.keep(t, "run", "--region=us-west-2", "--env=production", "--", testBin, "child:env"))
	hasOnly(t, env, map[string]string{"DR_SECRET": "replicated-1"})
	// An update reaches the replica; the tags stay as they were.
	p.set(t, "production", "DR_SECRET", "replicated-2")
	env = childEnv(t, p.keep(t, "run", "--region=us-west-2", "--env=production", "--", testBin, "child:env"))
	hasOnly(t, env, map[string]string{"DR_SECRET": "replicated-2"})
	wantTags(t, "the replica after an update", describeIn(t, "us-west-2", name).Tags, keeptest.Tags(p.ns, "production", "secretsmanager"))
	res := p.keep(t, "get", "DR_SECRET", "--env=production", "--region=us-west-2", "--format=raw")
	if mustSucceed(t, res); res.Stdout != "replicated-2" {
		t.Errorf("get --region=us-west-2 = %q", res.Stdout)
	}
	// Writes go to the primary: the replica refuses them.
	keeptest.Remember("replicated-3")
	wantExit(t, p.keep(t, "set", "DR_SECRET", "replicated-3", "--env=production", "--region=us-west-2"), 125, "primary")

	// AWS (and moto) refuse DeleteSecret while a secret has replicas:
	// keep says so and the secret stays.
	wantExit(t, p.keep(t, "delete", "DR_SECRET", "--env=production"), 125, "replica")
	if describeIn(t, "us-east-1", name).DeletedDate != nil {
		t.Errorf("scheduled for deletion despite the error")
	}
}

func TestReplicaKMSKeys(t *testing.T) {
	t.Parallel()
	p := newProject(t, "--kms-key=alias/primary", "--replica-regions=us-west-2=alias/west,eu-west-1")
	name := p.ns + "/production/KEYED"
	p.set(t, "production", "KEYED", "replica-keyed-1")
	d := describeIn(t, "us-east-1", name)
	if got := aws.ToString(d.KmsKeyId); got != "alias/primary" {
		t.Errorf("KmsKeyId = %q, want alias/primary", got)
	}
	var regions []string
	for _, r := range d.ReplicationStatus {
		regions = append(regions, aws.ToString(r.Region))
	}
	sort.Strings(regions)
	if !slices.Equal(regions, []string{"eu-west-1", "us-west-2"}) {
		t.Errorf("replicated to %q, want eu-west-1 and us-west-2", regions)
	}
	for _, region := range []string{"us-west-2", "eu-west-1"} {
		if got := valueIn(t, region, name); got != "replica-keyed-1" {
			t.Errorf("the %s replica's value = %q", region, got)
		}
	}

	// moto ignores a replica's KmsKeyId (it reports alias/aws/secretsmanager
	// for every replica), so the request keep sends is read from smfake,
	// answering the two calls of a create.
	srv := smfake.New()
	defer srv.Close()
	srv.Inject = func(op string, n int) *smfake.Fault {
		switch op {
		case "DescribeSecret":
			return &smfake.Fault{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}
		case "CreateSecret":
			return &smfake.Fault{Body: `{"ARN":"` + smfake.ARN(p.ns+"/production/KEYED2") + `","Name":"` + p.ns + `/production/KEYED2","VersionId":"v1"}`}
		}
		return nil
	}
	keeptest.Remember("replica-keyed-2")
	mustSucceed(t, keep(t, run{Endpoint: srv.Env(), Dir: p.dir, Args: []string{"set", "KEYED2", "replica-keyed-2", "--env=production"}}))
	var create struct {
		Name              string
		KmsKeyId          string
		AddReplicaRegions []struct{ Region, KmsKeyId string }
	}
	for _, c := range srv.Calls() {
		if c.Op == "CreateSecret" {
			if err := json.Unmarshal(c.Body, &create); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := []struct{ Region, KmsKeyId string }{{"us-west-2", "alias/west"}, {"eu-west-1", ""}}
	if create.Name != p.ns+"/production/KEYED2" || create.KmsKeyId != "alias/primary" || !slices.Equal(create.AddReplicaRegions, want) {
		t.Errorf("CreateSecret got %+v, want KmsKeyId alias/primary and replicas %+v (no key: the region's AWS managed key)", create, want)
	}
}

// A secret the PHP Keep created carries its tags — Env, not Environment —
// and its users' IAM policies grant access by them: keep set must leave
// them exactly as they are.
func TestSetOnAPHPKeepSecretKeepsItsTags(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	name := p.ns + "/production/PHP_SECRET"
	phpTags := map[string]string{"ManagedBy": "Keep", "Namespace": p.ns, "Env": "production", "VaultSlug": "secretsmanager"}
	seed(t, motoserver.Secret{Name: name, Value: "php-created-value-1", Tags: phpTags})

	keeptest.Remember("php-updated-value-2")
	res := p.keep(t, "set", "PHP_SECRET", "php-updated-value-2", "--env=production")
	wantStdout(t, res, "Updated "+name+" in us-east-1 (version ")
	wantSecret(t, name, "php-updated-value-2", phpTags)
	env := childEnv(t, p.keep(t, "run", "--env=production", "--", testBin, "child:env"))
	hasOnly(t, env, map[string]string{"PHP_SECRET": "php-updated-value-2"})

	// copy --overwrite onto it follows the same rule.
	seed(t, secret(p.ns, "staging", "PHP_SECRET", "php-staging-value-3"))
	res = p.keep(t, "copy", "PHP_SECRET", "--from=staging", "--to=production", "--overwrite")
	wantStdout(t, res, "overwrite PHP_SECRET", "Copied 1 secret(s)")
	wantSecret(t, name, "php-staging-value-3", phpTags)
}

func TestRenameKeepsValueTagsAndKMSKey(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	oldName, newName := p.ns+"/production/OLD_TOKEN", p.ns+"/production/NEW_TOKEN"
	keeptest.Remember("rename-value-1", "rename-taken-2")
	// As the PHP Keep creates it: Env, not Environment; a vault's KMS key.
	phpTags := map[string]string{"ManagedBy": "Keep", "Namespace": p.ns, "Env": "production", "VaultSlug": "secretsmanager"}
	var tags []types.Tag
	for k, v := range phpTags {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := keeptest.Moto().Client().CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
		Name: aws.String(oldName), SecretString: aws.String("rename-value-1"), Tags: tags, KmsKeyId: aws.String("alias/php-key"),
		Description: aws.String("Keep secret: OLD_TOKEN for production environment in secretsmanager vault"),
	}); err != nil {
		t.Fatal(err)
	}
	p.set(t, "production", "TAKEN", "rename-taken-2")

	wantFailed(t, p.keep(t, "rename", "OLD_TOKEN", "TAKEN", "--env=production"), 125, p.ns+"/production/TAKEN already exists; nothing was changed")
	wantFailed(t, p.keep(t, "rename", "MISSING", "OTHER", "--env=production"), 125, p.ns+"/production/MISSING does not exist")
	wantFailed(t, p.keep(t, "rename", "OLD_TOKEN", "bad/key", "--env=production"), 125, "bad/key")
	if describeIn(t, "us-east-1", oldName).DeletedDate != nil {
		t.Fatalf("a refused rename scheduled %s for deletion", oldName)
	}

	res := p.keep(t, "rename", "OLD_TOKEN", "NEW_TOKEN", "--env=production")
	wantStdout(t, res, "Renamed "+oldName+" to "+newName+" (version ", oldName+" is scheduled for deletion on ", "keep restore OLD_TOKEN --env=production")
	wantSecret(t, newName, "rename-value-1", phpTags)
	d := describeIn(t, "us-east-1", newName)
	if got := aws.ToString(d.KmsKeyId); got != "alias/php-key" {
		t.Errorf("KmsKeyId = %q, want the old secret's alias/php-key", got)
	}
	if got, want := aws.ToString(d.Description), "Keep secret: NEW_TOKEN for production environment in secretsmanager vault"; got != want {
		t.Errorf("Description = %q, want %q", got, want)
	}
	if describeIn(t, "us-east-1", oldName).DeletedDate == nil {
		t.Errorf("%s is not scheduled for deletion after the rename", oldName)
	}
	got := p.exported(t, "production")
	if _, ok := got["OLD_TOKEN"]; ok || got["NEW_TOKEN"] != "rename-value-1" {
		t.Errorf("after the rename, export has variables %v, want NEW_TOKEN (with the value) and not OLD_TOKEN", slices.Sorted(maps.Keys(got)))
	}
}

func TestSearchFindsAndMasks(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	keeptest.Remember("xx-OldPassw0rd-yy", "postgres://app:oldpassw0rd@db/app", "nothing-here-3", "OldPassw0rd")
	seedVars(t, p.ns, "production", map[string]string{
		"DB_PASSWORD": "xx-OldPassw0rd-yy",
		"DB_URL":      "postgres://app:oldpassw0rd@db/app",
		"API_KEY":     "nothing-here-3",
	})
	res := p.keep(t, "search", "OldPassw0rd", "--env=production")
	wantStdout(t, res, "DB_PASSWORD  xx****  chars 4-14 of 17", "DB_URL       po****  chars 16-26 of 33")
	if strings.Contains(res.Stdout, "API_KEY") {
		t.Errorf("search listed API_KEY, which does not contain the text:\n%s", res.Stdout)
	}
	keeptest.AssertNoLeak(t, "search's stdout", res.Stdout)

	res = p.keep(t, "search", "OldPassw0rd", "--env=production", "--case-sensitive", "--format=json")
	mustSucceed(t, res)
	var hits []struct {
		Key, Value string
		At         []int
	}
	if err := json.Unmarshal([]byte(res.Stdout), &hits); err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Key != "DB_PASSWORD" || hits[0].Value != "xx****" || !slices.Equal(hits[0].At, []int{3}) {
		t.Errorf("--case-sensitive --format=json = %+v, want DB_PASSWORD masked, at [3]", hits)
	}

	res = keep(t, run{Dir: p.dir, Args: []string{"search", "--env=production", "--unmask", "--only=DB_URL"}, Stdin: strings.NewReader("OLDPASSW0RD\n"), NoLeakCheck: true})
	wantStdout(t, res, "DB_URL  postgres://app:oldpassw0rd@db/app  chars 16-26 of 33")

	wantFailed(t, p.keep(t, "search", "no-such-text", "--env=production"), 1, "no secret of "+p.ns+"/production (3 searched) contains the text")
}

func TestSearchAsksForTheTextHiddenOnATerminal(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	keeptest.Remember("term-search-Needle-1")
	seedVars(t, p.ns, "production", map[string]string{"FOUND": "term-search-Needle-1"})
	sh := startShell(t)
	sh.send("cd " + commandLine(p.dir) + "\n")
	sh.prompt()
	sh.send(commandLine(keeptest.Bin(t), "search", "--env=production") + "\n")
	sh.expect(regexp.MustCompile(`Text to search for \(input hidden\): `))
	sh.send("needle\n")
	shown, code := sh.promptAfter()
	if code != 0 || !strings.Contains(shown, "FOUND  te****  chars 13-18 of 20") {
		t.Fatalf("$? = %d; the terminal shows:\n%s", code, shown)
	}
	if strings.Contains(shown, "needle") {
		t.Errorf("the terminal echoed the text searched for:\n%s", shown)
	}
}
