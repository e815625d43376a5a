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

// ByName against smfake, through the real SDK: the template path, which
// knows its secrets' names and needs no listing.

// keysOf returns the KEYs of secrets of target, in order.
func keysOf(target fetch.Target, secrets []smfake.Secret) []string {
	keys := make([]string, len(secrets))
	for i, s := range secrets {
		keys[i] = strings.TrimPrefix(s.Name, target.Prefix())
	}
	return keys
}

// checkNamed compares what ByName found with want, by KEY. It reports
// names and lengths, never values.
func checkNamed(t *testing.T, got *fetch.Named, target fetch.Target, want []smfake.Secret) {
	t.Helper()
	if len(got.Secrets) != len(want) {
		t.Errorf("got %d secrets, want %d", len(got.Secrets), len(want))
	}
	for _, w := range want {
		key := strings.TrimPrefix(w.Name, target.Prefix())
		s, ok := got.Secrets[key]
		switch {
		case !ok:
			t.Errorf("secret %s is missing", key)
		case s.Key != key || s.Name != w.Name || s.ARN != smfake.ARN(w.Name):
			t.Errorf("secret %s: key %q name %q arn %q, want name %q", key, s.Key, s.Name, s.ARN, w.Name)
		case s.Value != w.Value:
			t.Errorf("secret %s: wrong value (%d bytes, want %d)", key, len(s.Value), len(w.Value))
		}
	}
}

func byNameErr(t *testing.T, srv *smfake.Server, target fetch.Target, keys ...string) error {
	t.Helper()
	res, err := fetcher(srv).ByName(t.Context(), target, keys)
	if err == nil {
		t.Fatalf("ByName succeeded with %d secrets, want an error", len(res.Secrets))
	}
	return err
}

func TestByNameChunksConcurrently(t *testing.T) {
	secrets := keepSecrets(prod, 45)
	srv := newServer(t, secrets...)
	srv.Latency = 50 * time.Millisecond

	res, err := fetcher(srv).ByName(t.Context(), prod, keysOf(prod, secrets))
	if err != nil {
		t.Fatal(err)
	}
	checkNamed(t, res, prod, secrets)
	if len(res.Missing) != 0 {
		t.Errorf("Missing = %q, want none", res.Missing)
	}
	if res.Calls != (fetch.Calls{BatchGetSecretValue: 3}) {
		t.Errorf("Calls = %+v, want 3 BatchGetSecretValue and no listing", res.Calls)
	}
	if n := srv.Count("ListSecrets"); n != 0 {
		t.Errorf("%d ListSecrets calls, want none", n)
	}
	batches := calls(srv, "BatchGetSecretValue")
	if len(batches) != 3 {
		t.Fatalf("%d BatchGetSecretValue requests, want 3", len(batches))
	}
	if n := maxInFlight(batches); n != 3 {
		t.Errorf("at most %d of the 3 calls were in flight together, want all 3: one round trip", n)
	}
	var asked, sizes []string
	for _, c := range batches {
		ids := batchIDs(t, c)
		asked = append(asked, ids...)
		sizes = append(sizes, fmt.Sprint(len(ids)))
	}
	slices.Sort(asked)
	slices.Sort(sizes)
	var names []string
	for _, s := range secrets {
		names = append(names, s.Name)
	}
	if !slices.Equal(asked, names) {
		t.Errorf("asked for %q, want each of the 45 names once", asked)
	}
	if !slices.Equal(sizes, []string{"20", "20", "5"}) {
		t.Errorf("chunk sizes %v, want 20, 20 and 5", sizes)
	}
}

func TestByNameScope(t *testing.T) {
	scoped := fetch.Target{Namespace: "myapp", Scope: "team-a", Env: "production"}
	secrets := keepSecrets(scoped, 2)
	srv := newServer(t, append(secrets, keepSecrets(prod, 2)...)...)
	res, err := fetcher(srv).ByName(t.Context(), scoped, keysOf(scoped, secrets))
	if err != nil {
		t.Fatal(err)
	}
	checkNamed(t, res, scoped, secrets)
}

func TestByNameMissing(t *testing.T) {
	secrets := keepSecrets(prod, 3)
	srv := newServer(t, secrets...)
	// Secrets Manager reports a secret scheduled for deletion as
	// InvalidRequestException, by the name it was asked for.
	srv.Inject = byNameBody(t,
		[]value{{secrets[0].Name, secrets[0].Value}},
		[]apiErrorMsg{
			{secrets[1].Name, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."},
			{secrets[2].Name, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion."},
			{prod.SecretName("NEVER"), "ResourceNotFoundException", "Secrets Manager can't find the specified secret."},
		})
	res, err := fetcher(srv).ByName(t.Context(), prod, []string{"NEVER", "K002", "K001", "K000"})
	if err != nil {
		t.Fatal(err)
	}
	checkNamed(t, res, prod, secrets[:1])
	if want := []string{"K001", "K002", "NEVER"}; !slices.Equal(res.Missing, want) {
		t.Errorf("Missing = %q, want %q (sorted)", res.Missing, want)
	}
}

// Without injected bodies: smfake's own answers for deleted and unknown
// secrets.
func TestByNameMissingFromServer(t *testing.T) {
	secrets := keepSecrets(prod, 3)
	secrets[2].Deleted = true
	srv := newServer(t, secrets...)
	res, err := fetcher(srv).ByName(t.Context(), prod, []string{"K002", "K000", "NOPE", "K001"})
	if err != nil {
		t.Fatal(err)
	}
	checkNamed(t, res, prod, secrets[:2])
	if want := []string{"K002", "NOPE"}; !slices.Equal(res.Missing, want) {
		t.Errorf("Missing = %q, want %q", res.Missing, want)
	}
}

// An InvalidRequestException about anything but deletion is a failure.
func TestByNameOtherInvalidRequest(t *testing.T) {
	secrets := keepSecrets(prod, 1)
	srv := newServer(t, secrets...)
	srv.Inject = byNameBody(t, nil, []apiErrorMsg{{secrets[0].Name, "InvalidRequestException", "the secret is in an odd state"}})
	oneSecretError(t, byNameErr(t, srv, prod, "K000"), secrets[0].Name, "InvalidRequestException")
}

func TestByNameSecretErrors(t *testing.T) {
	secrets := keepSecrets(prod, 4)
	// smfake reports these in Errors, naming the secret by its ARN.
	secrets[1].ErrorCode = "DecryptionFailure"
	secrets[3].ErrorCode = "AccessDeniedException"
	srv := newServer(t, secrets...)

	err := byNameErr(t, srv, prod, keysOf(prod, secrets)...)
	ses := asSecretErrors(t, err)
	want := []string{secrets[1].Name + " DecryptionFailure", secrets[3].Name + " AccessDeniedException"}
	var got []string
	for _, e := range ses {
		got = append(got, e.Name+" "+e.Code)
	}
	if !slices.Equal(got, want) {
		t.Errorf("SecretErrors = %q, want %q", got, want)
	}
	for _, s := range []string{"myapp/production in " + smfake.Region, "2 secrets could not be read"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	for _, s := range []string{"kms:Decrypt", "secretsmanager:GetSecretValue"} {
		if !strings.Contains(hint(err), s) {
			t.Errorf("hint %q lacks %q", hint(err), s)
		}
	}
	checkNoValues(t, err, secrets)
}

// Errors that echo the name asked for, as well as the ARN.
func TestByNameSecretErrorByName(t *testing.T) {
	secrets := keepSecrets(prod, 2)
	srv := newServer(t, secrets...)
	srv.Inject = byNameBody(t, []value{{secrets[0].Name, secrets[0].Value}},
		[]apiErrorMsg{{secrets[1].Name, "AccessDeniedException", "not authorized to perform secretsmanager:GetSecretValue"}})
	oneSecretError(t, byNameErr(t, srv, prod, "K000", "K001"), secrets[1].Name, "AccessDeniedException")
}

func TestByNameBinary(t *testing.T) {
	srv := newServer(t, smfake.Secret{Name: prod.SecretName("CERT"), Binary: []byte{0, 1, 0xff}, Tags: keepTags("myapp", "production")})
	oneSecretError(t, byNameErr(t, srv, prod, "CERT"), "", fetch.CodeBinary)
}

func TestByNameDropsWhatWasNotAsked(t *testing.T) {
	secrets := keepSecrets(prod, 2)
	foreign := smfake.Secret{Name: "myapp/production-eu/K000", Value: "sk_live_foreign_v4lue"}
	srv := newServer(t, append(secrets, foreign)...)
	srv.Inject = byNameBody(t,
		[]value{
			{foreign.Name, foreign.Value},
			{secrets[1].Name, secrets[1].Value},
			{prod.SecretName("EXTRA"), "sk_live_extra_v4lue"},
			{secrets[0].Name, secrets[0].Value},
			{secrets[0].Name, "sk_live_second_copy"}, // a repeat: the first copy wins
		},
		[]apiErrorMsg{
			{"myapp/staging/K000", "DecryptionFailure", "not ours"},
			{smfake.ARN("myapp/staging/K001"), "AccessDeniedException", "not ours either"},
		})
	res, err := fetcher(srv).ByName(t.Context(), prod, []string{"K000", "K001"})
	if err != nil {
		t.Fatal(err)
	}
	checkNamed(t, res, prod, secrets)
	if _, ok := res.Secrets["EXTRA"]; ok {
		t.Error("a value that was not asked for was kept")
	}
}

func TestByNameNotReturned(t *testing.T) {
	secrets := keepSecrets(prod, 3)
	srv := newServer(t, secrets...)
	srv.Inject = byNameBody(t, []value{{secrets[0].Name, secrets[0].Value}},
		[]apiErrorMsg{{secrets[2].Name, "ResourceNotFoundException", "gone"}})
	err := byNameErr(t, srv, prod, "K000", "K001", "K002")
	oneSecretError(t, err, secrets[1].Name, fetch.CodeNotReturned)
	checkNoValues(t, err, secrets)
}

func TestByNameInvalidKey(t *testing.T) {
	srv := newServer(t, keepSecrets(prod, 1)...)
	for _, key := range []string{"", "/a", "a/", "a//b", "a b", "a:b", "ÄRGER"} {
		err := byNameErr(t, srv, prod, "K000", key)
		asError(t, err)
		if !strings.Contains(err.Error(), "invalid secret key") {
			t.Errorf("key %q: error %q does not say the key is invalid", key, err)
		}
	}
	if n := srv.Count("BatchGetSecretValue"); n != 0 {
		t.Errorf("%d BatchGetSecretValue calls for invalid keys, want none", n)
	}
}

func TestByNameDuplicateKeys(t *testing.T) {
	secrets := keepSecrets(prod, 21)
	srv := newServer(t, secrets...)
	keys := keysOf(prod, secrets)
	keys = append(append(keys, keys...), "K000") // 43 keys, 21 distinct: 2 calls
	res, err := fetcher(srv).ByName(t.Context(), prod, keys)
	if err != nil {
		t.Fatal(err)
	}
	checkNamed(t, res, prod, secrets)
	if res.Calls.BatchGetSecretValue != 2 {
		t.Errorf("%d BatchGetSecretValue calls, want 2", res.Calls.BatchGetSecretValue)
	}
	var asked []string
	for _, c := range calls(srv, "BatchGetSecretValue") {
		asked = append(asked, batchIDs(t, c)...)
	}
	if len(asked) != 21 {
		t.Errorf("asked for %d ids, want each of the 21 names once", len(asked))
	}
}

func TestByNameCallFails(t *testing.T) {
	secrets := keepSecrets(prod, 2)
	srv := newServer(t, secrets...)
	srv.Inject = faultOn("BatchGetSecretValue", &smfake.Fault{Code: "AccessDeniedException", Message: "not authorized to perform secretsmanager:BatchGetSecretValue"})
	err := byNameErr(t, srv, prod, "K000", "K001")
	asError(t, err)
	for _, s := range []string{"BatchGetSecretValue: AccessDeniedException", "myapp/production in " + smfake.Region} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	checkNoValues(t, err, secrets)
}

func TestByNameNoKeys(t *testing.T) {
	srv := newServer(t)
	res, err := fetcher(srv).ByName(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Secrets) != 0 || len(res.Missing) != 0 || res.Calls != (fetch.Calls{}) {
		t.Errorf("ByName(nil) = %+v, want nothing and no calls", res)
	}
}

type apiErrorMsg struct{ SecretId, ErrorCode, Message string }

// byNameBody answers every BatchGetSecretValue call with values (by name,
// ARN from smfake.ARN) and errs, messages included.
func byNameBody(t *testing.T, values []value, errs []apiErrorMsg) func(string, int) *smfake.Fault {
	type entry struct{ ARN, Name, SecretString, VersionId string }
	out := struct {
		SecretValues []entry
		Errors       []apiErrorMsg
	}{SecretValues: []entry{}, Errors: append([]apiErrorMsg{}, errs...)}
	for _, v := range values {
		out.SecretValues = append(out.SecretValues, entry{smfake.ARN(v.Name), v.Name, v.Value, "v1"})
	}
	body, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return faultOn("BatchGetSecretValue", &smfake.Fault{Body: string(body)})
}

// ByName reads what the list path reads, other tools' KEYs included; a
// KEY with '/' only when the listing also places the secret in the target
// (Target.Match), since its name alone could be another vault's.
func TestByNameKeysOfOtherTools(t *testing.T) {
	tagged := keepTags("myapp", "production")
	secret := func(key string, tags map[string]string) smfake.Secret {
		name := prod.SecretName(key)
		return smfake.Secret{Name: name, Value: secretValue(name), Tags: tags}
	}
	flat := []smfake.Secret{secret("Mixed-Case.x", nil), secret("-dash", nil), secret("a.b", nil), secret(strings.Repeat("k", 256), nil)}
	nested := []smfake.Secret{secret("path/to/key", tagged), secret("a/b", tagged)}
	untagged := secret("other/tool", nil)
	scoped := secret("production/DB", tagged) // scope "production", env "production"
	withScope := secret("eu/DB", map[string]string{"ManagedBy": "Keep", "Namespace": "myapp", "Environment": "production", "Scope": "eu"})
	staging := secret("s/DB", keepTags("myapp", "staging"))
	srv := newServer(t, slices.Concat(flat, nested, []smfake.Secret{untagged, scoped, withScope, staging})...)

	res, err := fetcher(srv).ByName(t.Context(), prod, append(keysOf(prod, slices.Concat(flat, nested)), "no/such/key"))
	if err != nil {
		t.Fatal(err)
	}
	checkNamed(t, res, prod, slices.Concat(flat, nested))
	if want := []string{"no/such/key"}; !slices.Equal(res.Missing, want) {
		t.Errorf("Missing = %q, want %q", res.Missing, want)
	}
	if res.Calls.ListSecrets != 1 || res.Calls.BatchGetSecretValue != 1 {
		t.Errorf("calls %+v, want one ListSecrets for the nested keys and one BatchGetSecretValue", res.Calls)
	}

	// Flat keys need no listing.
	res, err = fetcher(srv).ByName(t.Context(), prod, keysOf(prod, flat))
	if err != nil {
		t.Fatal(err)
	}
	if res.Calls.ListSecrets != 0 {
		t.Errorf("%d ListSecrets calls for flat keys, want none", res.Calls.ListSecrets)
	}

	for _, s := range []smfake.Secret{untagged, scoped, withScope, staging} {
		key := strings.TrimPrefix(s.Name, prod.Prefix())
		err := byNameErr(t, srv, prod, "a/b", key, "Mixed-Case.x")
		oneSecretError(t, err, s.Name, fetch.CodeNotPlaced)
		if !strings.Contains(hint(err), "another vault") {
			t.Errorf("%s: hint %q does not say why", key, hint(err))
		}
		checkNoValues(t, err, []smfake.Secret{s})
	}
}

// The nested keys are listed ten names to a filter, as AWS allows.
func TestByNameNestedKeysInChunks(t *testing.T) {
	var secrets []smfake.Secret
	for i := range 25 {
		name := prod.SecretName(fmt.Sprintf("dir/K%03d", i))
		secrets = append(secrets, smfake.Secret{Name: name, Value: secretValue(name), Tags: keepTags("myapp", "production")})
	}
	srv := newServer(t, secrets...)
	res, err := fetcher(srv).ByName(t.Context(), prod, keysOf(prod, secrets))
	if err != nil {
		t.Fatal(err)
	}
	checkNamed(t, res, prod, secrets)
	if res.Calls.ListSecrets != 3 || res.Calls.BatchGetSecretValue != 2 {
		t.Errorf("calls %+v, want 3 ListSecrets (10+10+5 names) and 2 BatchGetSecretValue", res.Calls)
	}
}
