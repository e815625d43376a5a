package fetch_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

var (
	day1 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	day2 = time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
)

// versioned is TOKEN of prod with three versions: a deprecated "a" (day1),
// the AWSPREVIOUS "b" and the AWSCURRENT "v3", both stored on day2.
func versioned() smfake.Secret {
	return smfake.Secret{
		Name: prod.SecretName("TOKEN"), Value: "sk_live_three_v4lue", Tags: keepTags("myapp", "production"), Created: day2,
		Versions: []smfake.Version{
			{ID: "a", Value: "sk_live_one", Created: day1},
			{ID: "b", Value: "sk_live_two_v4l", Created: day2},
		},
	}
}

func TestGet(t *testing.T) {
	sec := versioned()
	tests := []struct {
		name              string
		key, stage, id    string
		wantID, wantValue string
		wantStages        []string
		wantCreated       time.Time
		wantErr, wantHint string
	}{
		{name: "current by default", key: "TOKEN", wantID: "v3", wantValue: sec.Value, wantStages: []string{"AWSCURRENT"}, wantCreated: day2},
		{name: "by stage", key: "TOKEN", stage: "AWSPREVIOUS", wantID: "b", wantValue: sec.Versions[1].Value, wantStages: []string{"AWSPREVIOUS"}, wantCreated: day2},
		{name: "by version id", key: "TOKEN", id: "a", wantID: "a", wantValue: sec.Versions[0].Value, wantCreated: day1},
		{name: "an unknown version", key: "TOKEN", id: "nope", wantErr: "myapp/production/TOKEN exists but has no version nope (its stages: AWSCURRENT, AWSPREVIOUS)", wantHint: "keep history TOKEN --env=production"},
		{name: "an unknown stage", key: "TOKEN", stage: "AWSPENDING", wantErr: "myapp/production/TOKEN exists but has no version in stage AWSPENDING (its stages: AWSCURRENT, AWSPREVIOUS)", wantHint: "keep history"},
		{name: "a stage of a missing secret", key: "NONE", stage: "AWSPENDING", wantErr: "myapp/production/NONE not found", wantHint: "keep show"},
		{name: "a missing secret", key: "NONE", wantErr: "myapp/production/NONE not found", wantHint: "keep show"},
		{name: "a secret scheduled for deletion", key: "GONE", wantErr: "myapp/production/GONE: You can't perform this operation on the secret because it was marked for deletion.", wantHint: "keep restore"},
		{name: "a binary secret", key: "BINARY", wantErr: "secret myapp/production/BINARY: SecretBinary: the secret has no string value", wantHint: "store the value as a string"},
		{name: "an invalid key", key: "-x", wantErr: `invalid KEY "-x"`},
	}
	srv := newServer(t, sec,
		smfake.Secret{Name: prod.SecretName("GONE"), Value: "sk_live_gone", Tags: keepTags("myapp", "production"), Deleted: true},
		smfake.Secret{Name: prod.SecretName("BINARY"), Binary: []byte{0, 1}, Tags: keepTags("myapp", "production")},
	)
	c := fetch.NewConn(srv.Client(fetch.WithPlainBody), smfake.Region, prod)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := c.Get(t.Context(), tc.key, tc.stage, tc.id, false)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || !strings.Contains(hint(err), tc.wantHint) {
					t.Fatalf("error %v (hint %q), want %q (hint with %q)", err, hint(err), tc.wantErr, tc.wantHint)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Key != tc.key || info.Name != prod.SecretName(tc.key) || info.ARN != smfake.ARN(info.Name) {
				t.Errorf("got key %q, name %q, ARN %q", info.Key, info.Name, info.ARN)
			}
			if info.ID != tc.wantID || !slices.Equal(info.Stages, tc.wantStages) || !info.Created.Equal(tc.wantCreated) {
				t.Errorf("got version %s %q of %s, want %s %q of %s", info.ID, info.Stages, info.Created, tc.wantID, tc.wantStages, tc.wantCreated)
			}
			if info.Value != tc.wantValue {
				t.Errorf("wrong value: %d bytes, want %d", len(info.Value), len(tc.wantValue))
			}
			if info.Replicas != nil {
				t.Errorf("replicas %v without asking for them", info.Replicas)
			}
		})
	}
}

func TestReplication(t *testing.T) {
	replicated := smfake.Secret{Name: prod.SecretName("TOKEN"), Value: "sk_live_token", Tags: keepTags("myapp", "production"), Replicas: []smfake.Replica{
		{Region: "us-west-2", KMSKeyID: "alias/west"},
		{Region: "eu-west-1", Status: "Failed", Message: "access denied to the KMS key"},
	}}
	srv := newServer(t, replicated, smfake.Secret{Name: prod.SecretName("SOLO"), Value: "sk_live_solo", Tags: keepTags("myapp", "production")})
	c := fetch.NewConn(srv.Client(fetch.WithPlainBody), smfake.Region, prod)
	want := []fetch.ReplicaStatus{
		{Region: "eu-west-1", Status: "Failed", Message: "access denied to the KMS key"},
		{Region: "us-west-2", Status: "InSync", KMSKey: "alias/west"},
	}
	tests := []struct {
		name, key string
		want      []fetch.ReplicaStatus
		wantErr   string
	}{
		{name: "by region", key: "TOKEN", want: want},
		{name: "none", key: "SOLO", want: []fetch.ReplicaStatus{}},
		{name: "a missing secret", key: "NONE", wantErr: "myapp/production/NONE not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Replication(t.Context(), tc.key)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("Replication = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	// Get with replication set reads it too.
	info, err := c.Get(t.Context(), "TOKEN", "", "", true)
	if err != nil || !slices.Equal(info.Replicas, want) {
		t.Errorf("Get with replication: %v, %v; want %+v", info, err, want)
	}
}

func TestHistory(t *testing.T) {
	sec := versioned()
	// Newest first; the two of day2 by stage, AWSCURRENT first, though the
	// server lists them oldest first.
	wantIDs := []string{"v3", "b", "a"}
	wantValues := []string{sec.Value, sec.Versions[1].Value, sec.Versions[0].Value}
	// firstPage answers the first ListSecretVersionIds with the oldest
	// version and a NextToken that smfake takes for the rest.
	firstPage := func(op string, n int) *smfake.Fault {
		if op == "ListSecretVersionIds" && n == 1 {
			return &smfake.Fault{Body: `{"Versions":[{"VersionId":"a","CreatedDate":` + strconv.FormatInt(day1.Unix(), 10) + `}],"NextToken":"1"}`}
		}
		return nil
	}
	tests := []struct {
		name       string
		inject     func(string, int) *smfake.Fault
		withValues bool
		lists      int
	}{
		{name: "one page", lists: 1},
		{name: "one page with values", withValues: true, lists: 1},
		{name: "two pages with values", inject: firstPage, withValues: true, lists: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, sec)
			srv.Inject = tc.inject
			got, err := fetch.NewConn(srv.Client(fetch.WithPlainBody), smfake.Region, prod).History(t.Context(), "TOKEN", tc.withValues)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i, v := range got {
				ids = append(ids, v.ID)
				want := ""
				if tc.withValues && i < len(wantValues) {
					want = wantValues[i]
				}
				if v.Value != want {
					t.Errorf("version %s: value of %d bytes, want %d", v.ID, len(v.Value), len(want))
				}
			}
			if !slices.Equal(ids, wantIDs) {
				t.Errorf("versions %q, want %q", ids, wantIDs)
			}
			if got[0].Created != day2 || got[2].Created != day1 || !slices.Equal(got[1].Stages, []string{"AWSPREVIOUS"}) {
				t.Errorf("dates %s, %s and stages %q of the previous version", got[0].Created, got[2].Created, got[1].Stages)
			}
			if n := srv.Count("ListSecretVersionIds"); n != tc.lists {
				t.Errorf("%d ListSecretVersionIds calls, want %d", n, tc.lists)
			}
			gets := 0
			if tc.withValues {
				gets = len(wantIDs)
			}
			if n := srv.Count("GetSecretValue"); n != gets {
				t.Errorf("%d GetSecretValue calls, want %d", n, gets)
			}
		})
	}
}

func TestHistoryErrors(t *testing.T) {
	srv := newServer(t, versioned())
	c := fetch.NewConn(srv.Client(fetch.WithPlainBody), smfake.Region, prod)
	for _, tc := range []struct{ key, want string }{
		{"NONE", "myapp/production/NONE not found"},
		{"-x", `invalid KEY "-x"`},
	} {
		if _, err := c.History(t.Context(), tc.key, true); err == nil || err.Error() != tc.want {
			t.Errorf("History(%s): %v, want %q", tc.key, err, tc.want)
		}
	}
}
