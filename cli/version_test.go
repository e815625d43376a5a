package cli

import (
	"runtime/debug"
	"testing"
)

func TestResolveBuild(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	const rev = "1b9c3c7a1b2c3d4e5f60718293a4b5c6d7e8f901"
	for _, tc := range []struct {
		name                  string
		info                  *debug.BuildInfo
		ldVersion, ldCommit   string
		ldDate                string
		version, commit, date string
	}{
		{name: "no build info", version: "dev", commit: "unknown", date: "unknown"},
		{
			name:      "release build: -X wins",
			info:      &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("vcs.revision", rev, "vcs.time", "2020-01-01T00:00:00Z")},
			ldVersion: "v1.2.3", ldCommit: "abc", ldDate: "2026-01-02T03:04:05Z",
			version: "v1.2.3", commit: "abc", date: "2026-01-02T03:04:05Z",
		},
		{
			name:    "go install …@v1.2.3",
			info:    &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}},
			version: "v1.2.3", commit: "unknown", date: "unknown",
		},
		{
			name:    "go install …@main: a pseudo-version",
			info:    &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260102030405-1b9c3c7a1b2c"}},
			version: "v0.0.0-20260102030405-1b9c3c7a1b2c", commit: "1b9c3c7a1b2c", date: "2026-01-02T03:04:05Z",
		},
		{
			name:    "pseudo-version after a tag",
			info:    &debug.BuildInfo{Main: debug.Module{Version: "v1.2.4-0.20260102030405-1b9c3c7a1b2c"}},
			version: "v1.2.4-0.20260102030405-1b9c3c7a1b2c", commit: "1b9c3c7a1b2c", date: "2026-01-02T03:04:05Z",
		},
		{
			name:    "go build in a checkout with -buildvcs",
			info:    &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260102030405-1b9c3c7a1b2c+dirty"}, Settings: vcs("vcs.revision", rev, "vcs.time", "2026-01-02T03:04:05Z", "vcs.modified", "true")},
			version: "v0.0.0-20260102030405-1b9c3c7a1b2c+dirty", commit: "1b9c3c7a1b2c-dirty", date: "2026-01-02T03:04:05Z",
		},
		{
			name:    "go build with -buildvcs=false",
			info:    &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			version: "dev", commit: "unknown", date: "unknown",
		},
	} {
		b := resolveBuild(tc.info, tc.ldVersion, tc.ldCommit, tc.ldDate)
		if b.Version != tc.version || b.Commit != tc.commit || b.Date != tc.date {
			t.Errorf("%s: got %+v, want version %q, commit %q, date %q", tc.name, b, tc.version, tc.commit, tc.date)
		}
	}
}
