package fetch_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

var prod = fetch.Target{Namespace: "myapp", Env: "production"}

func TestListFetchesMatchingSecrets(t *testing.T) {
	srv := smfake.New(
		smfake.Secret{Name: "app/prod/DB", Value: "db-value", Tags: keepTags("app", "prod")},
		smfake.Secret{Name: "app/prod-eu/DB", Value: "eu-value", Tags: keepTags("app", "prod-eu")},
	)
	defer srv.Close()
	f := &fetch.Fetcher{API: srv.Client(fetch.WithPlainBody), Region: smfake.Region}
	res, err := f.List(t.Context(), fetch.Target{Namespace: "app", Env: "prod"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Secrets) != 1 || res.Secrets[0].Key != "DB" || res.Secrets[0].Value != "db-value" {
		t.Fatalf("got %d secrets, want DB only", len(res.Secrets))
	}
	if res.Calls != (fetch.Calls{ListSecrets: 1, BatchGetSecretValue: 1}) {
		t.Errorf("calls = %+v", res.Calls)
	}
}

func TestListPaginates(t *testing.T) {
	secrets := append(keepSecrets(prod, 250),
		smfake.Secret{Name: "myapp/production-eu/K000", Value: "noise", Tags: keepTags("myapp", "production-eu")},
		smfake.Secret{Name: "myapp2/production/K000", Value: "noise", Tags: keepTags("myapp2", "production")},
		smfake.Secret{Name: "myapp/staging/K000", Value: "noise", Tags: keepTags("myapp", "staging")},
		// Under the prefix but not Keep's: listed (the server filters are
		// prefix matches), then skipped by the exact check.
		smfake.Secret{Name: "myapp/production/EU_TAGGED", Value: "noise", Tags: keepTags("myapp", "production-eu")},
		smfake.Secret{Name: "myapp/production/ORPHAN", Value: "noise", Tags: map[string]string{"ManagedBy": "Keep"}},
		// Without any tag the tag-key filter keeps it off the listing.
		smfake.Secret{Name: "myapp/production/BARE", Value: "noise"},
	)
	srv := newServer(t, secrets...)

	res, err := fetcher(srv).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets[:250])
	want := []string{"myapp/production/EU_TAGGED", "myapp/production/ORPHAN"}
	if !slices.Equal(res.Skipped, want) {
		t.Errorf("Skipped = %q, want %q", res.Skipped, want)
	}
	// Pages of 100 → 3 lists; the pages hold 99, 100 and 51 matches →
	// 5+5+3 batches of at most 20.
	wantCalls := fetch.Calls{ListSecrets: 3, BatchGetSecretValue: 13}
	if res.Calls != wantCalls {
		t.Errorf("Result.Calls = %+v, want %+v", res.Calls, wantCalls)
	}
	if got := (fetch.Calls{ListSecrets: int64(srv.Count("ListSecrets")), BatchGetSecretValue: int64(srv.Count("BatchGetSecretValue"))}); got != wantCalls {
		t.Errorf("server saw %+v, want %+v", got, wantCalls)
	}
	for _, c := range calls(srv, "BatchGetSecretValue") {
		if n := len(batchIDs(t, c)); n > 20 {
			t.Errorf("BatchGetSecretValue #%d asked for %d ids", c.N, n)
		}
	}
}

func TestListConcurrency(t *testing.T) {
	for _, limit := range []int{1, 3, 0} {
		t.Run(fmt.Sprintf("Concurrency=%d", limit), func(t *testing.T) {
			srv := newServer(t, keepSecrets(prod, 250)...)
			srv.Latency = 30 * time.Millisecond
			f := fetcher(srv)
			f.Concurrency = limit
			if _, err := f.List(t.Context(), prod, nil); err != nil {
				t.Fatal(err)
			}
			lists, batches := calls(srv, "ListSecrets"), calls(srv, "BatchGetSecretValue")
			if len(lists) != 3 || len(batches) != 13 {
				t.Fatalf("got %d lists and %d batches, want 3 and 13", len(lists), len(batches))
			}
			if first, lastList := batches[0].Start, lists[len(lists)-1].End; !first.Before(lastList) {
				t.Errorf("first batch started %v after the last list ended: no overlap of listing and fetching", first.Sub(lastList))
			}
			if limit == 0 {
				limit = fetch.DefaultConcurrency
			}
			got := maxInFlight(batches)
			if got > limit {
				t.Errorf("%d BatchGetSecretValue calls in flight, limit %d", got, limit)
			}
			if limit > 1 && got < 2 {
				t.Errorf("BatchGetSecretValue calls never overlapped (limit %d)", limit)
			}
		})
	}
}

func TestListWant(t *testing.T) {
	secrets := keepSecrets(prod, 30)
	srv := newServer(t, secrets...)
	odd := func(key string) bool { return key[len(key)-1]%2 == 1 }

	res, err := fetcher(srv).List(t.Context(), prod, func(key string) bool { return !odd(key) })
	if err != nil {
		t.Fatal(err)
	}
	var wanted []smfake.Secret
	var unwanted []string
	for _, s := range secrets {
		if key := s.Name[len(prod.Prefix()):]; odd(key) {
			unwanted = append(unwanted, key)
		} else {
			wanted = append(wanted, s)
		}
	}
	checkSecrets(t, res.Secrets, wanted)
	if !slices.Equal(res.Unwanted, unwanted) {
		t.Errorf("Unwanted = %q, want %q", res.Unwanted, unwanted)
	}
	var asked []string
	for _, c := range calls(srv, "BatchGetSecretValue") {
		asked = append(asked, batchIDs(t, c)...)
	}
	slices.Sort(asked)
	var wantIDs []string
	for _, s := range wanted {
		wantIDs = append(wantIDs, smfake.ARN(s.Name))
	}
	if !slices.Equal(asked, wantIDs) {
		t.Errorf("BatchGetSecretValue asked for %q, want %q", asked, wantIDs)
	}
}

func TestListWantNothing(t *testing.T) {
	srv := newServer(t, keepSecrets(prod, 5)...)
	res, err := fetcher(srv).List(t.Context(), prod, func(string) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Secrets) != 0 || len(res.Unwanted) != 5 {
		t.Errorf("got %d secrets and %d unwanted, want 0 and 5", len(res.Secrets), len(res.Unwanted))
	}
	if n := srv.Count("BatchGetSecretValue"); n != 0 {
		t.Errorf("%d BatchGetSecretValue calls, want none", n)
	}
}

func scopedTags(ns, env, scope string) map[string]string {
	tags := keepTags(ns, env)
	tags["Scope"] = scope
	return tags
}

// A secret tagged exactly for the target whose name keep cannot place
// fails the listing, naming it: skipping it could start the command
// without a secret it needs.
func TestListAmbiguousNameFails(t *testing.T) {
	for _, name := range []string{
		"myapp/production/production/b", // the KEY b of a vault scoped "production", or production/b?
		"myapp/production/DB/",          // an empty segment
		"myapp/production/a//b",
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, append(keepSecrets(prod, 3), smfake.Secret{Name: name, Value: "noise", Tags: keepTags("myapp", "production")})...)
			_, err := fetcher(srv).List(t.Context(), prod, nil)
			if err == nil || !strings.Contains(err.Error(), "secret "+name+" is tagged for myapp/production, but keep cannot tell the KEY") {
				t.Fatalf("List = %v, want the ambiguous name refused", err)
			}
			if n := srv.Count("BatchGetSecretValue"); n != 0 {
				t.Errorf("%d BatchGetSecretValue calls; nothing may be read", n)
			}
		})
	}
}

func TestListOnlyForeignSecrets(t *testing.T) {
	srv := newServer(t,
		smfake.Secret{Name: "myapp/production/EU", Value: "noise", Tags: keepTags("myapp", "production-eu")},
		smfake.Secret{Name: "myapp/production/OTHER_NS", Value: "noise", Tags: keepTags("myapp2", "production")},
		smfake.Secret{Name: "myapp/production/KEEPER", Value: "noise", Tags: map[string]string{"ManagedBy": "Keeper", "Namespace": "myapp", "Environment": "production"}},
		smfake.Secret{Name: "myapp/production/LEGACY", Value: "noise", Tags: map[string]string{"ManagedBy": "Keep", "Namespace": "myapp", "Environment": "staging", "Env": "production"}},
		// A nested KEY named like the env whose Scope tag says it is the
		// secret b of the vault scoped "production" (see Target.Match).
		smfake.Secret{Name: "myapp/production/production/b", Value: "noise", Tags: scopedTags("myapp", "production", "production")},
	)
	res, err := fetcher(srv).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Secrets) != 0 {
		t.Errorf("got %d secrets, want none", len(res.Secrets))
	}
	if n := srv.Count("BatchGetSecretValue"); n != 0 {
		t.Errorf("%d BatchGetSecretValue calls, want none", n)
	}
	want := []string{"myapp/production/EU", "myapp/production/KEEPER", "myapp/production/LEGACY", "myapp/production/OTHER_NS", "myapp/production/production/b"}
	if !slices.Equal(res.Skipped, want) {
		t.Errorf("Skipped = %q, want %q", res.Skipped, want)
	}
}

func keepTags(ns, env string) map[string]string {
	return map[string]string{"ManagedBy": "Keep", "Namespace": ns, "Environment": env}
}

// keepSecrets makes n secrets K000… of target, each with a distinct value.
func keepSecrets(target fetch.Target, n int) []smfake.Secret {
	out := make([]smfake.Secret, n)
	for i := range out {
		name := target.SecretName(fmt.Sprintf("K%03d", i))
		out[i] = smfake.Secret{Name: name, Value: secretValue(name), Tags: keepTags(target.Namespace, target.Env)}
	}
	return out
}

// secretValue is a recognisable value, so tests can check that it leaks
// nowhere.
func secretValue(name string) string {
	return "sk_live_" + strings.ReplaceAll(name, "/", "_") + "_v4lue"
}

func newServer(t *testing.T, secrets ...smfake.Secret) *smfake.Server {
	srv := smfake.New(secrets...)
	t.Cleanup(srv.Close)
	return srv
}

// fetcher reads from srv by the list path alone, without the speculative
// batch, so that the tests of that path count its calls exactly;
// speculate_test.go covers the speculation.
func fetcher(srv *smfake.Server) *fetch.Fetcher {
	return &fetch.Fetcher{API: srv.Client(fetch.WithPlainBody), Region: smfake.Region, NoSpeculation: true}
}

// checkSecrets compares got, which must be sorted by Key, with want. It
// reports names and lengths, never values.
func checkSecrets(t *testing.T, got []fetch.Secret, want []smfake.Secret) {
	t.Helper()
	want = slices.Clone(want)
	slices.SortFunc(want, func(a, b smfake.Secret) int { return strings.Compare(a.Name, b.Name) })
	if len(got) != len(want) {
		t.Errorf("got %d secrets, want %d", len(got), len(want))
		return
	}
	if !slices.IsSortedFunc(got, func(a, b fetch.Secret) int { return strings.Compare(a.Key, b.Key) }) {
		t.Errorf("secrets are not sorted by Key")
	}
	for i, s := range got {
		w := want[i]
		switch {
		case s.Name != w.Name || s.ARN != smfake.ARN(w.Name) || !strings.HasSuffix(s.Name, "/"+s.Key):
			t.Errorf("secret %d: got key %q name %q arn %q, want name %q", i, s.Key, s.Name, s.ARN, w.Name)
		case s.Value != w.Value:
			t.Errorf("secret %s: wrong value (%d bytes, want %d)", s.Name, len(s.Value), len(w.Value))
		}
	}
}

func calls(srv *smfake.Server, op string) []smfake.Call {
	var out []smfake.Call
	for _, c := range srv.Calls() {
		if c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

// batchIDs is the SecretIdList of a BatchGetSecretValue request.
func batchIDs(t *testing.T, c smfake.Call) []string {
	t.Helper()
	var in struct{ SecretIdList []string }
	if err := json.Unmarshal(c.Body, &in); err != nil {
		t.Fatalf("BatchGetSecretValue #%d: %v", c.N, err)
	}
	return in.SecretIdList
}

// maxInFlight is the most calls whose [Start, End) intervals overlap.
func maxInFlight(cs []smfake.Call) int {
	most := 0
	for _, c := range cs {
		n := 0
		for _, o := range cs {
			if !o.Start.After(c.Start) && c.Start.Before(o.End) {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}
