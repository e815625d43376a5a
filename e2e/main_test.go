//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/keeptest"
	"github.com/keep-run/keep/internal/motoserver"
)

// The integration tests (Linux only: they read /proc and make namespaces)
// drive the real keep binary against moto_server, and against smfake where
// moto can't produce a fault: one file per command or concern, named for
// it. The test binary itself plays the child: "keep run -- <test binary>
// child:env" dumps its environment as JSON, "child:exit N" exits with N,
// and so on (child_test.go). Building keep, moto, running keep and the
// check that no seeded value leaks are keeptest's, shared with examples
// and load.

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "child:") {
		os.Exit(child(os.Args[1], os.Args[2:]))
	}
	os.Exit(keeptest.Main(m, keeptest.Options{Moto: true}))
}

// run is how to run keep, result how it ended.
type (
	run    = keeptest.Run
	result = keeptest.Result
)

// Short names for what nearly every test calls.
var (
	keep      = keeptest.Keep      // runs keep, against moto unless run.Endpoint says otherwise
	seed      = keeptest.Seed      // creates secrets in moto and remembers their values
	secret    = keeptest.Secret    // a Keep-tagged secret of ns/env named KEY
	namespace = keeptest.Namespace // a namespace unique to the test
	testBin   = keeptest.Self()    // this test binary, which plays the child
)

// seedVars seeds a secret of ns/env for each of vars, KEY and value.
func seedVars(t *testing.T, ns, env string, vars map[string]string) {
	t.Helper()
	var secrets []motoserver.Secret
	for k, v := range vars {
		secrets = append(secrets, secret(ns, env, k, v))
	}
	seed(t, secrets...)
}

// writeFile writes content to name under dir, making its directories.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// withoutVars drops the NAME=… entries of env for the given names.
func withoutVars(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || name == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// multiLine are values that must arrive byte for byte, in the environment
// and through a rendered file read back by godotenv. All have a portable
// dotenv form (see render.QuoteDotenv): godotenv, for one, misreads
// "it's \"quoted\"" — a double-quoted value ending in an escaped quote.
var multiLine = map[string]string{
	"TLS_KEY":    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nbWFkZSB1cCBrZXkgbWF0ZXJpYWw=\n-----END PRIVATE KEY-----\n",
	"CERT_CHAIN": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----",
	"DOLLARS":    "pa$$word ${HOME} $(whoami) $HOME",
	"HASH":       "value # not a comment",
	"EQUALS":     "a=b==c",
	"UNICODE":    "pässwörd-密码-🔑",
	"SPACES":     "  padded on both sides  ",
	"APOSTROPHE": "it's mine",
	"QUOTES":     `say "hi" and \back\slash`,
	"BACKTICKS":  "`id` and\ttab",
}
