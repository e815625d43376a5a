package fetch_test

import (
	"encoding/json"
	"testing"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

// The tests here answer BatchGetSecretValue with hand-written bodies, for
// responses smfake would not produce on its own.

func TestBatchOmitsSecret(t *testing.T) {
	secrets := keepSecrets(prod, 2)
	srv := newServer(t, secrets...)
	srv.Inject = batchBody(t, []value{{secrets[0].Name, secrets[0].Value}}, nil)

	err := listErr(t, fetcher(srv), prod)
	oneSecretError(t, err, secrets[1].Name, fetch.CodeNotReturned)
	checkNoValues(t, err, secrets)
}

func TestBatchNoValue(t *testing.T) {
	secrets := keepSecrets(prod, 1)
	srv := newServer(t, secrets...)
	srv.Inject = faultOn("BatchGetSecretValue", &smfake.Fault{Body: `{"SecretValues":[{"ARN":"` + smfake.ARN(secrets[0].Name) + `","Name":"` + secrets[0].Name + `"}],"Errors":[]}`})
	oneSecretError(t, listErr(t, fetcher(srv), prod), "", fetch.CodeNoValue)
}

func TestBatchIgnoresWhatWasNotAsked(t *testing.T) {
	secrets := keepSecrets(prod, 2)
	foreign := smfake.Secret{Name: "myapp/production-eu/K000", Value: "sk_live_foreign_v4lue", Tags: keepTags("myapp", "production-eu")}
	srv := newServer(t, append(secrets, foreign)...)
	srv.Inject = batchBody(t,
		[]value{
			{foreign.Name, foreign.Value},
			{secrets[1].Name, secrets[1].Value},
			{secrets[0].Name, secrets[0].Value},
			{secrets[0].Name, "sk_live_second_copy"}, // a repeat: the first copy wins
		},
		[]apiError{
			{smfake.ARN("myapp/staging/K000"), "DecryptionFailure"},
			{"myapp/production-eu/K000", "AccessDeniedException"},
		})

	res, err := fetcher(srv).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets)
}

// Errors may name a secret by name rather than ARN, as they echo the id.
func TestBatchErrorByName(t *testing.T) {
	secrets := keepSecrets(prod, 2)
	srv := newServer(t, secrets...)
	srv.Inject = batchBody(t,
		[]value{{secrets[0].Name, secrets[0].Value}},
		[]apiError{{secrets[1].Name, "DecryptionFailure"}})

	oneSecretError(t, listErr(t, fetcher(srv), prod), secrets[1].Name, "DecryptionFailure")
}

type value struct{ Name, Value string }

type apiError struct{ SecretId, ErrorCode string }

// batchBody answers every BatchGetSecretValue call with values (by name, ARN
// from smfake.ARN) and errs.
func batchBody(t *testing.T, values []value, errs []apiError) func(string, int) *smfake.Fault {
	type entry struct{ ARN, Name, SecretString, VersionId string }
	type errEntry struct{ SecretId, ErrorCode, Message string }
	out := struct {
		SecretValues []entry
		Errors       []errEntry
	}{SecretValues: []entry{}, Errors: []errEntry{}}
	for _, v := range values {
		out.SecretValues = append(out.SecretValues, entry{smfake.ARN(v.Name), v.Name, v.Value, "v1"})
	}
	for _, e := range errs {
		out.Errors = append(out.Errors, errEntry{e.SecretId, e.ErrorCode, "hand-written " + e.ErrorCode})
	}
	body, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return faultOn("BatchGetSecretValue", &smfake.Fault{Body: string(body)})
}
