//go:build keep_testpanic

package cli

import "github.com/keep-run/keep/fetch"

// A binary built with -tags keep_testpanic panics with a secret value in
// the message once the secrets are fetched; see TestPanicPrintsNoValue.
func init() {
	testPanic = func(secrets []fetch.Secret) {
		if len(secrets) > 0 {
			panic("testpanic: " + secrets[0].Value)
		}
	}
}
