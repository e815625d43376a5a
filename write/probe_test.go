package write_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/internal/smfake"
	"github.com/keep-run/keep/write"
)

func TestProbe(t *testing.T) {
	vault := write.Vault{Slug: "sm", KMSKey: "alias/app", Replicas: []write.Replica{{Region: "us-west-2"}}}
	tests := []struct {
		name     string
		inject   func(op, name string) *smfake.Fault
		wantErr  string // a prefix; NAME stands for the secret's name
		wantLeft bool
	}{
		{name: "create and delete"},
		{name: "the create fails", inject: denied("CreateSecret"), wantErr: "CreateSecret NAME: AccessDeniedException"},
		{name: "the delete fails", inject: denied("DeleteSecret"), wantErr: "created NAME but could not delete it: ", wantLeft: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := conn(t, tc.inject)
			err := write.Probe(t.Context(), c, vault)
			var created struct {
				Name              string
				KmsKeyId          string
				AddReplicaRegions []any
			}
			body(t, srv, "CreateSecret", &created)
			if !regexp.MustCompile(`^app/production/keep-verify-[0-9a-f]{8}$`).MatchString(created.Name) {
				t.Errorf("created %q", created.Name)
			}
			if created.KmsKeyId != "alias/app" || created.AddReplicaRegions != nil {
				t.Errorf("created with key %q and replicas %v, want the vault's key and no replica", created.KmsKeyId, created.AddReplicaRegions)
			}
			want := strings.ReplaceAll(tc.wantErr, "NAME", created.Name)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), want)) {
				t.Errorf("Probe: %v, want %q", err, want)
			}
			wantOps := []string{"DescribeSecret", "CreateSecret"}
			if tc.inject == nil || tc.wantLeft {
				wantOps = append(wantOps, "DeleteSecret")
			}
			if got := ops(srv); !slices.Equal(got, wantOps) {
				t.Errorf("calls %q, want %q", got, wantOps)
			}
			if tc.inject == nil {
				var del struct {
					SecretId                   string
					ForceDeleteWithoutRecovery bool
				}
				body(t, srv, "DeleteSecret", &del)
				if del.SecretId != smfake.ARN(created.Name) || !del.ForceDeleteWithoutRecovery {
					t.Errorf("DeleteSecret of %s, force %v; want %s at once", del.SecretId, del.ForceDeleteWithoutRecovery, smfake.ARN(created.Name))
				}
			}
			if _, left := srv.Get(created.Name); left != tc.wantLeft {
				t.Errorf("the secret is left: %v, want %v", left, tc.wantLeft)
			}
		})
	}
}
