package fetch_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

// The tests here answer ListSecrets with hand-written pages, for listings
// smfake would not produce on its own.

// wantListFails checks that List from srv fails closed: a *fetch.Error
// that says want, after calls ListSecrets calls.
func wantListFails(t *testing.T, srv *smfake.Server, want string, calls int) {
	t.Helper()
	err := listErr(t, fetcher(srv), prod)
	asError(t, err)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if n := srv.Count("ListSecrets"); n != calls {
		t.Errorf("%d ListSecrets calls, want %d", n, calls)
	}
}

// A page that lists a secret, then names itself as the next page.
func TestListRepeatedToken(t *testing.T) {
	secrets := keepSecrets(prod, 1)
	srv := newServer(t, secrets...)
	srv.Inject = faultOn("ListSecrets", listPage(t, "again", secrets[0]))
	wantListFails(t, srv, "repeats a page token", 2)
}

func TestListEndlessTokens(t *testing.T) {
	srv := newServer(t)
	srv.Inject = func(op string, n int) *smfake.Fault {
		return &smfake.Fault{Body: `{"SecretList":[],"NextToken":"token-` + strconv.Itoa(n) + `"}`}
	}
	wantListFails(t, srv, "does not end", 1000) // the cap
}

// The exact check holds even if the server ignores the filters.
func TestListExactCheckOnPage(t *testing.T) {
	ok := smfake.Secret{Name: "myapp/production/OK", Value: "sk_live_ok_v4lue", Tags: keepTags("myapp", "production")}
	foreign := []smfake.Secret{
		{Name: "myapp/production-eu/OK", Value: "sk_live_eu", Tags: keepTags("myapp", "production-eu")},
		{Name: "myapp2/production/OK", Value: "sk_live_ns2", Tags: keepTags("myapp2", "production")},
		{Name: "myapp/production/EU", Value: "sk_live_eutag", Tags: keepTags("myapp", "production-eu")},
		{Name: "myapp/production/NS2", Value: "sk_live_ns2tag", Tags: keepTags("myapp2", "production")},
		{Name: "myapp/production/UNTAGGED", Value: "sk_live_untagged"},
		{Name: "myapp/production/GONE", Value: "sk_live_gone", Tags: keepTags("myapp", "production"), Deleted: true},
	}
	srv := newServer(t, append(foreign, ok)...)
	srv.Inject = faultOn("ListSecrets", listPage(t, "", append(foreign, ok)...))

	res, err := fetcher(srv).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, []smfake.Secret{ok})
	var asked []string
	for _, c := range calls(srv, "BatchGetSecretValue") {
		asked = append(asked, batchIDs(t, c)...)
	}
	if want := []string{smfake.ARN(ok.Name)}; !slices.Equal(asked, want) {
		t.Errorf("BatchGetSecretValue asked for %q, want %q", asked, want)
	}
	want := []string{"myapp/production/EU", "myapp/production/NS2", "myapp/production/UNTAGGED"}
	if !slices.Equal(res.Skipped, want) {
		t.Errorf("Skipped = %q, want %q", res.Skipped, want)
	}
}

// A secret listed on two pages (the listing moved under us) is fetched once.
func TestListDuplicateAcrossPages(t *testing.T) {
	secrets := keepSecrets(prod, 3)
	srv := newServer(t, secrets...)
	pages := []*smfake.Fault{listPage(t, "2", secrets[0], secrets[1]), listPage(t, "", secrets[1], secrets[2])}
	srv.Inject = func(op string, n int) *smfake.Fault {
		if op == "ListSecrets" {
			return pages[n-1]
		}
		return nil
	}

	res, err := fetcher(srv).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets)
	if res.Calls != (fetch.Calls{ListSecrets: 2, BatchGetSecretValue: 2}) {
		t.Errorf("Result.Calls = %+v, want 2 lists and 2 batches", res.Calls)
	}
}

// listPage is a ListSecrets answer listing secrets, with next as NextToken.
func listPage(t *testing.T, next string, secrets ...smfake.Secret) *smfake.Fault {
	type tag struct{ Key, Value string }
	type entry struct {
		ARN, Name   string
		Tags        []tag    `json:",omitempty"`
		DeletedDate *float64 `json:",omitempty"`
	}
	out := struct {
		SecretList []entry
		NextToken  string `json:",omitempty"`
	}{SecretList: []entry{}, NextToken: next}
	for _, s := range secrets {
		e := entry{ARN: smfake.ARN(s.Name), Name: s.Name}
		for k, v := range s.Tags {
			e.Tags = append(e.Tags, tag{k, v})
		}
		if s.Deleted {
			e.DeletedDate = new(1.7e9)
		}
		out.SecretList = append(out.SecretList, e)
	}
	body, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return &smfake.Fault{Body: string(body)}
}
