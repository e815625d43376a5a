// Package keeptest is what the packages that test the keep binary share:
// e2e, examples, load and bench. It builds keep, runs moto_server, runs
// keep and captures how it ended, and checks that keep never prints a
// seeded secret value.
//
// A test package's TestMain hands its tests to Main, which builds keep
// once (and starts moto_server, when asked) before any test runs, and
// afterwards removes the build and stops moto_server:
//
//	func TestMain(m *testing.M) {
//		os.Exit(keeptest.Main(m, keeptest.Options{Moto: true}))
//	}
//
// Tests then run keep with Keep, which checks every run's stderr against
// the values given to Seed and Remember: a value keep printed is a leak,
// whatever else the test asserts. Bin builds keep with other build tags
// on first use (once per tag set); Build makes a fresh build with any go
// build flags, for tests of the build itself.
//
// The state is the test binary's: one keep per tag set, one moto_server,
// one registry of values, shared by all of its tests, which may run in
// parallel. Namespace gives each test a namespace of its own in moto.
package keeptest
