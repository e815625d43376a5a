package fetch_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

// setEnv points the SDK's default chain, and so Session, at srv.
func setEnv(t *testing.T, srv *smfake.Server) {
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("AWS_PROFILE", "")
}

// Session.ByName reads several targets at once and reports each apart.
func TestSessionByName(t *testing.T) {
	team := fetch.Target{Namespace: "myapp", Scope: "team", Env: "production"}
	a := smfake.Secret{Name: prod.SecretName("A"), Value: "sk_live_a_v4lue", Tags: keepTags("myapp", "production")}
	b := smfake.Secret{Name: team.SecretName("B"), Value: "sk_live_team_b", Tags: keepTags("myapp", "production")}
	denied := smfake.Secret{Name: team.SecretName("DENIED"), Value: "sk_live_denied", Tags: keepTags("myapp", "production"), ErrorCode: "AccessDeniedException"}
	srv := newServer(t, a, b, denied)
	setEnv(t, srv)

	tests := []struct {
		name    string
		want    map[string]fetch.Wanted
		found   map[string][]smfake.Secret // by label
		missing map[string][]string
		wantErr string
	}{
		{
			name: "two vaults",
			want: map[string]fetch.Wanted{
				"default": {Target: prod, Keys: []string{"A", "NOPE"}},
				"team":    {Region: smfake.Region, Target: team, Keys: []string{"B"}},
			},
			found:   map[string][]smfake.Secret{"default": {a}, "team": {b}},
			missing: map[string][]string{"default": {"NOPE"}},
		},
		{
			name: "one vault fails",
			want: map[string]fetch.Wanted{
				"default": {Target: prod, Keys: []string{"A"}},
				"team":    {Target: team, Keys: []string{"B", "DENIED"}},
			},
			wantErr: "secret myapp/team/production/DENIED: AccessDeniedException",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fetch.NewSession("").ByName(t.Context(), tc.want)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
					t.Fatalf("ByName = %v, %v; want no result and an error with %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("%d results, want %d", len(got), len(tc.want))
			}
			for label, w := range tc.want {
				named := got[label]
				if named == nil {
					t.Errorf("%s: no result", label)
					continue
				}
				if !slices.Equal(named.Missing, tc.missing[label]) || len(named.Secrets) != len(tc.found[label]) {
					t.Errorf("%s: %d found, missing %q; want %d, %q", label, len(named.Secrets), named.Missing, len(tc.found[label]), tc.missing[label])
				}
				for _, s := range tc.found[label] {
					key := s.Name[len(w.Target.Prefix()):]
					if g := named.Secrets[key]; g.Name != s.Name || g.Value != s.Value {
						t.Errorf("%s: %s is %s with a value of %d bytes, want %d", label, key, g.Name, len(g.Value), len(s.Value))
					}
				}
				if named.Calls != (fetch.Calls{BatchGetSecretValue: 1}) {
					t.Errorf("%s: calls %+v, want one BatchGetSecretValue", label, named.Calls)
				}
			}
		})
	}
}

// Open resolves the region and hands out Conns on the target asked for.
func TestSessionOpen(t *testing.T) {
	srv := newServer(t, smfake.Secret{Name: prod.SecretName("A"), Value: "sk_live_a", Tags: keepTags("myapp", "production")})
	setEnv(t, srv)
	s := fetch.NewSession("")
	for _, region := range []string{"", smfake.Region, "eu-west-1"} {
		c, err := s.Open(t.Context(), region, prod)
		if err != nil {
			t.Fatal(err)
		}
		want := region
		if want == "" {
			want = smfake.Region // AWS_REGION
		}
		if c.Region != want || c.Target != prod {
			t.Errorf("Open(%q): region %q, target %s", region, c.Region, c.Target)
		}
		if keys, err := c.Keys(t.Context()); err != nil || !slices.Equal(keys, []string{"A"}) {
			t.Errorf("Open(%q): Keys = %q, %v", region, keys, err)
		}
	}

	if _, err := fetch.NewSession("no-such-profile").Open(t.Context(), "", prod); err == nil || !strings.Contains(err.Error(), "no-such-profile") {
		t.Errorf("Open with a missing profile: %v", err)
	}
}
