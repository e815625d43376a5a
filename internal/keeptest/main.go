package keeptest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/motoserver"
)

// Options say what Main sets up besides the keep binary.
type Options struct {
	// Moto starts moto_server before the tests and stops it after them;
	// Moto returns it. Without it Keep needs Run.Endpoint.
	Moto bool
	// Seed is created in moto before any test runs (it needs Moto), and
	// its values are remembered as Seed remembers them.
	Seed []motoserver.Secret
}

var moto *motoserver.Server // started by Main; nil unless Options.Moto

// Main is a TestMain's work after any helper modes: it builds keep
// without build tags, starts moto_server and seeds it as opts say, runs
// the tests, then stops moto_server and removes every keep it built. It
// returns the exit code for os.Exit; a failure to set up is printed on
// stderr and ends the run with 1 before any test starts.
func Main(m *testing.M, opts Options) int {
	defer removeBuilds()
	if _, err := binary(nil); err != nil {
		fmt.Fprintln(os.Stderr, "keeptest:", err)
		return 1
	}
	if opts.Moto {
		var err error
		if moto, err = motoserver.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "keeptest:", err)
			return 1
		}
		defer moto.Stop()
		if err := seedMoto(opts.Seed); err != nil {
			fmt.Fprintln(os.Stderr, "keeptest:", err)
			return 1
		}
	} else if len(opts.Seed) > 0 {
		fmt.Fprintln(os.Stderr, "keeptest: Options.Seed needs Options.Moto")
		return 1
	}
	return m.Run()
}

func seedMoto(secrets []motoserver.Secret) error {
	if len(secrets) == 0 {
		return nil
	}
	for _, s := range secrets {
		Remember(s.Value)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return moto.Create(ctx, secrets...)
}

// Moto is the moto_server Main started, or nil when Options.Moto was not
// set.
func Moto() *motoserver.Server { return moto }

// Self is the path of the running test binary, which tests start as the
// child keep runs or as a stand-in for an application. It panics if the
// path cannot be found, which on Linux means /proc is missing.
func Self() string { return self() }

var self = sync.OnceValue(func() string {
	path, err := os.Executable()
	if err != nil {
		panic("keeptest: the test binary's path: " + err.Error())
	}
	return path
})
