package fetch_test

import (
	"testing"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

// Describe and Discover see versions without reading a value; Version
// reads the one asked for.
func TestWatchReads(t *testing.T) {
	rotated := smfake.Secret{Name: prod.SecretName("DB"), Value: "pw_new_value", Tags: keepTags("myapp", "production"),
		Versions: []smfake.Version{{Value: "pw_old_value"}}}
	srv := newServer(t, rotated,
		smfake.Secret{Name: prod.SecretName("GONE"), Value: "pw_gone_value", Tags: keepTags("myapp", "production"), Deleted: true},
		smfake.Secret{Name: prod.SecretName("UNTAGGED"), Value: "pw_untagged_value"},
	)
	c := fetch.NewConn(srv.Client(fetch.WithPlainBody), smfake.Region, prod)
	ctx := t.Context()

	for _, tc := range []struct {
		key            string
		exists, member bool
		version        string
	}{
		{"DB", true, true, "v2"},
		{"GONE", false, false, ""},
		{"NOPE", false, false, ""},
		{"UNTAGGED", true, false, "v1"},
	} {
		st, err := c.Describe(ctx, tc.key)
		if err != nil {
			t.Fatalf("Describe %s: %v", tc.key, err)
		}
		if st.Exists != tc.exists || st.Member != tc.member || st.Version != tc.version || st.Name != prod.SecretName(tc.key) {
			t.Errorf("Describe %s = %+v, want exists %v member %v version %q", tc.key, st, tc.exists, tc.member, tc.version)
		}
	}
	if n := srv.Count("GetSecretValue") + srv.Count("BatchGetSecretValue"); n != 0 {
		t.Errorf("Describe read %d values", n)
	}

	found, calls, err := c.Discover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || len(found) != 1 || found[0].Key != "DB" || found[0].Version != "v2" {
		t.Errorf("Discover = %+v in %d calls, want DB at v2 in 1", found, calls)
	}

	for version, want := range map[string]string{"v1": "pw_old_value", "v2": "pw_new_value"} {
		s, err := c.Version(ctx, "DB", version)
		if err != nil {
			t.Fatal(err)
		}
		if s.Value != want || s.VersionID != version {
			t.Errorf("Version(DB, %s): version %s, value of %d bytes, want %d", version, s.VersionID, len(s.Value), len(want))
		}
	}
	if _, err := c.Version(ctx, "DB", "v9"); err == nil {
		t.Error("Version of an unknown version id: no error")
	}
}
