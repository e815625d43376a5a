package cli

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"time"
)

// Stamp is what a release build stamps into package main with -X
// (scripts/release): version, commit and date. An empty field means "ask
// the Go build info" (see currentBuild).
type Stamp struct{ Version, Commit, Date string }

// stamp is the Stamp Main was given.
var stamp Stamp

// VersionCmd is keep version.
type VersionCmd struct{}

// Run prints the same line as keep --version.
func (VersionCmd) Run() error {
	fmt.Println(currentBuild())
	return nil
}

// build says which keep this is.
type build struct {
	Version string // v1.2.3, a pseudo-version, or "dev"
	Commit  string // the VCS revision (12 digits, "-dirty" if the tree was modified), or "unknown"
	Date    string // when the commit was made or the binary built, RFC 3339 in UTC, or "unknown"
}

func (b build) String() string {
	return fmt.Sprintf("keep %s (commit %s, built %s, %s %s/%s)",
		b.Version, b.Commit, b.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// currentBuild is this binary's build: the -X values where a release build
// set them, else the Go build info.
func currentBuild() build {
	info, _ := debug.ReadBuildInfo()
	return resolveBuild(info, stamp.Version, stamp.Commit, stamp.Date)
}

// pseudoVersion matches the end of a Go pseudo-version, which names a
// commit: v0.0.0-20250102030405-abcdef123456 (also …-0.2025…, +incompatible,
// +dirty).
var pseudoVersion = regexp.MustCompile(`[-.](\d{14})-([0-9a-f]{12})(\+[a-z.]+)?$`)

// resolveBuild fills each field from the -X value when it is set, else from
// info (nil when the binary has none): the main module's version (what `go
// install …@v1.2.3` records), then vcs.revision, vcs.modified and vcs.time
// (recorded by a build in a checkout with -buildvcs), then the commit and
// time a pseudo-version carries (`go install …@main`).
func resolveBuild(info *debug.BuildInfo, ldVersion, ldCommit, ldDate string) build {
	b := build{Version: ldVersion, Commit: ldCommit, Date: ldDate}
	var mainVersion, revision, vcsTime string
	var modified bool
	if info != nil {
		mainVersion = info.Main.Version
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
		if mainVersion != "" && mainVersion != "(devel)" {
			b.Version = mainVersion
		}
	}
	if b.Commit == "" && revision != "" {
		b.Commit = revision[:min(12, len(revision))]
		if modified {
			b.Commit += "-dirty"
		}
	}
	if b.Date == "" {
		b.Date = vcsTime
	}
	if m := pseudoVersion.FindStringSubmatch(mainVersion); m != nil {
		if b.Commit == "" {
			b.Commit = m[2]
		}
		if t, err := time.Parse("20060102150405", m[1]); err == nil && b.Date == "" {
			b.Date = t.UTC().Format(time.RFC3339)
		}
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}
