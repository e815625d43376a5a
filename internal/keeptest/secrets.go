package keeptest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/motoserver"
)

// Tags are the four tags keep writes on a secret of namespace ns,
// environment env, in an unscoped vault whose slug needs no slugging
// ("secretsmanager" when the project configures none; write.Slug gives
// the VaultSlug of others, and a scoped vault adds Scope). Each call
// returns a new map.
func Tags(ns, env, slug string) map[string]string {
	return map[string]string{"ManagedBy": "Keep", "Namespace": ns, "Environment": env, "VaultSlug": slug}
}

// Secret is a secret of ns/env named KEY, as keep writes it in the
// default vault: named ns/env/KEY and tagged with Tags.
func Secret(ns, env, key, value string) motoserver.Secret {
	return motoserver.Secret{Name: ns + "/" + env + "/" + key, Value: value, Tags: Tags(ns, env, "secretsmanager")}
}

// Namespace is a namespace unique to the test: its name, lower-cased,
// with a number from the clock, so that tests can share one moto.
func Namespace(t testing.TB) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	return fmt.Sprintf("%s-%d", strings.ToLower(name), time.Now().UnixNano()%1e6)
}

// Seed creates secrets in the moto Main started, and remembers their
// values. It fails the test if moto refuses one.
func Seed(t testing.TB, secrets ...motoserver.Secret) {
	t.Helper()
	if moto == nil {
		t.Fatal("keeptest: Seed needs the moto_server of Options.Moto")
	}
	for _, s := range secrets {
		Remember(s.Value)
	}
	if err := moto.Create(t.Context(), secrets...); err != nil {
		t.Fatal(err)
	}
}

// remembered holds the values that must never appear where AssertNoLeak
// looks.
var remembered sync.Map

// Remember adds secret values that reach keep other than through Seed —
// written with keep set, served by a fake — to those AssertNoLeak and
// Keep look for. Values shorter than six bytes are left out: they occur
// in ordinary output by chance.
func Remember(values ...string) {
	for _, v := range values {
		if len(v) >= 6 {
			remembered.Store(v, true)
		}
	}
}

// AssertNoLeak fails the test for each remembered value that out holds;
// where names out in the message, which gives the value's length only.
func AssertNoLeak(t testing.TB, where, out string) {
	t.Helper()
	remembered.Range(func(v, _ any) bool {
		if strings.Contains(out, v.(string)) {
			t.Errorf("%s contains a secret value (%d bytes)", where, len(v.(string)))
		}
		return true
	})
}
