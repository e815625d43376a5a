package fetch_test

import (
	"slices"
	"testing"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

// Occupied sees every name under the prefix, whatever its tags: what Keys
// leaves out because it is not keep's secret of the target is still a name
// a copy must not write over without --overwrite.
func TestOccupiedSeesEveryNameUnderThePrefix(t *testing.T) {
	keep := map[string]string{"ManagedBy": "Keep", "Namespace": "app", "Environment": "production"}
	srv := smfake.New(
		smfake.Secret{Name: "app/production/OURS", Value: "x", Tags: keep},
		smfake.Secret{Name: "app/production/MISTAGGED", Value: "x", Tags: map[string]string{"ManagedBy": "Keep", "Namespace": "app", "Environment": "staging"}},
		smfake.Secret{Name: "app/production/DELETED", Value: "x", Tags: keep, Deleted: true},
		smfake.Secret{Name: "app/production/FOREIGN", Value: "x"},
		smfake.Secret{Name: "app/production/nested/KEY", Value: "x", Tags: keep},
		smfake.Secret{Name: "app/production-eu/OTHER_ENV", Value: "x", Tags: keep},
		smfake.Secret{Name: "app/staging/STAGING", Value: "x", Tags: keep},
	)
	defer srv.Close()
	f := &fetch.Fetcher{API: srv.Client(fetch.WithPlainBody), Region: smfake.Region}
	target := fetch.Target{Namespace: "app", Env: "production"}

	got, err := f.Occupied(t.Context(), target)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"DELETED", "FOREIGN", "MISTAGGED", "OURS"}; !slices.Equal(got, want) {
		t.Errorf("Occupied = %q, want %q", got, want)
	}
	keys, err := f.Keys(t.Context(), target)
	if err != nil {
		t.Fatal(err)
	}
	// Keys reads what the list path reads, nested KEYs of other tools
	// included; Occupied, for writes, only the names keep could write.
	if want := []string{"OURS", "nested/KEY"}; !slices.Equal(keys, want) {
		t.Errorf("Keys = %q, want %q", keys, want)
	}
	if n := srv.Count("BatchGetSecretValue"); n != 0 {
		t.Errorf("%d BatchGetSecretValue calls: Occupied reads no value", n)
	}
}

func TestOccupiedPagesAndExplainsErrors(t *testing.T) {
	var secrets []smfake.Secret
	for i := range 250 {
		secrets = append(secrets, smfake.Secret{Name: "app/production/K" + string(rune('A'+i/26)) + string(rune('A'+i%26)), Value: "x"})
	}
	srv := smfake.New(secrets...)
	defer srv.Close()
	f := &fetch.Fetcher{API: srv.Client(fetch.WithPlainBody), Region: smfake.Region}
	got, err := f.Occupied(t.Context(), fetch.Target{Namespace: "app", Env: "production"})
	if err != nil || len(got) != 250 || srv.Count("ListSecrets") != 3 {
		t.Errorf("%d names (err %v) in %d ListSecrets calls; want 250 in 3", len(got), err, srv.Count("ListSecrets"))
	}

	denied := smfake.New()
	defer denied.Close()
	denied.Inject = func(string, int) *smfake.Fault {
		return &smfake.Fault{Code: "AccessDeniedException", Message: "not authorized to perform: secretsmanager:ListSecrets"}
	}
	_, err = (&fetch.Fetcher{API: denied.Client(fetch.WithPlainBody), Region: smfake.Region}).Occupied(t.Context(), fetch.Target{Namespace: "app", Env: "production"})
	want := "list secrets of app/production in us-east-1: ListSecrets: AccessDeniedException: not authorized to perform: secretsmanager:ListSecrets"
	if err == nil || err.Error() != want {
		t.Errorf("Occupied error = %v, want %q", err, want)
	}
}
