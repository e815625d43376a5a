package fetch_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

// throttleBatches answers every BatchGetSecretValue ThrottlingException,
// as an account whose 100/s are spent does.
func throttleBatches(op string, _ int) *smfake.Fault {
	if op == "BatchGetSecretValue" {
		return &smfake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	return nil
}

// The list path, speculation on: the speculative batch is throttled, so
// no batch by ARN follows (no call into a bucket seen empty), and every
// value comes by GetSecretValue, at most getConcurrency (20) at once.
func TestThrottledSpeculationReadsByGetSecretValue(t *testing.T) {
	secrets := keepSecrets(prod, 45)
	srv := newServer(t, secrets...)
	srv.Inject = throttleBatches
	srv.Latency = 5 * time.Millisecond // so that calls overlap
	api := &gaugedAPI{API: srv.Client(fetch.WithPlainBody)}
	res, err := (&fetch.Fetcher{API: api, Region: smfake.Region}).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets)
	if want := (fetch.Calls{ListSecrets: 1, BatchGetSecretValue: 1, GetSecretValue: 45}); res.Calls != want {
		t.Errorf("Calls = %+v, want %+v", res.Calls, want)
	}
	if b := srv.Count("BatchGetSecretValue"); b != 1 {
		t.Errorf("the fake saw %d batches, want the speculative one only", b)
	}
	if api.peak > 20 || api.peak < 2 {
		t.Errorf("%d GetSecretValue in flight at once, want concurrent calls, at most 20", api.peak)
	}
}

// The list path without speculation: the first batch's throttled attempt
// is its last (not retried), and all chunks end on GetSecretValue.
func TestThrottledBatchIsNotRetried(t *testing.T) {
	secrets := keepSecrets(prod, 45)
	srv := newServer(t, secrets...)
	srv.Inject = throttleBatches
	res, err := fetcher(srv).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets)
	if b := int64(srv.Count("BatchGetSecretValue")); b != res.Calls.BatchGetSecretValue || b < 1 || b > 3 {
		t.Errorf("the fake saw %d batches for %d calls (want 1 to 3, none retried)", b, res.Calls.BatchGetSecretValue)
	}
	if g := srv.Count("GetSecretValue"); g != 45 {
		t.Errorf("%d GetSecretValue, want 45", g)
	}
}

// With the fallback off (Fetcher.BatchOnly), a throttled batch is retried
// and GetSecretValue never called: the behaviour the simulation compares.
func TestBatchOnlyRetries(t *testing.T) {
	secrets := keepSecrets(prod, 5)
	srv := newServer(t, secrets...)
	srv.Inject = func(op string, n int) *smfake.Fault {
		if n == 1 {
			return throttleBatches(op, n)
		}
		return nil
	}
	f := &fetch.Fetcher{API: quickRetryClient(srv), Region: smfake.Region, NoSpeculation: true, BatchOnly: true}
	res, err := f.List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets)
	if b, g := srv.Count("BatchGetSecretValue"), srv.Count("GetSecretValue"); b != 2 || g != 0 {
		t.Errorf("%d batches and %d GetSecretValue, want 2 and 0", b, g)
	}
}

// By name, through GetSecretValue: missing secrets are Missing, as from a
// batch; a refused one fails the read, naming it, never its value.
func TestThrottledByName(t *testing.T) {
	secrets := keepSecrets(prod, 25)
	deleted := smfake.Secret{Name: prod.SecretName("GONE"), Value: "sk_live_gone", Deleted: true, Tags: keepTags(prod.Namespace, prod.Env)}
	srv := newServer(t, append(secrets, deleted)...)
	srv.Inject = throttleBatches
	keys := []string{"NOPE", "GONE"}
	for _, s := range secrets {
		keys = append(keys, s.Name[len(prod.Prefix()):])
	}
	res, err := (&fetch.Fetcher{API: srv.Client(fetch.WithPlainBody), Region: smfake.Region}).ByName(t.Context(), prod, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Secrets) != 25 || !slices.Equal(res.Missing, []string{"GONE", "NOPE"}) {
		t.Errorf("%d secrets, missing %q; want 25 and [GONE NOPE]", len(res.Secrets), res.Missing)
	}
	for _, s := range secrets {
		if got := res.Secrets[s.Name[len(prod.Prefix()):]]; got.Value != s.Value || got.ARN != smfake.ARN(s.Name) || got.VersionID == "" {
			t.Errorf("%s: wrong value (%d bytes), ARN or version", s.Name, len(got.Value))
		}
	}
	if b, g := srv.Count("BatchGetSecretValue"), srv.Count("GetSecretValue"); b < 1 || b > 2 || g != 27 {
		t.Errorf("%d batches (want 1 or 2, not retried) and %d GetSecretValue (want 27)", b, g)
	}

	bad := smfake.Secret{Name: prod.SecretName("BAD"), Value: "sk_live_bad", ErrorCode: "DecryptionFailure", Tags: keepTags(prod.Namespace, prod.Env)}
	srv.Put(bad)
	_, err = (&fetch.Fetcher{API: srv.Client(fetch.WithPlainBody), Region: smfake.Region}).ByName(t.Context(), prod, []string{"BAD", "K001"})
	ses := asSecretErrors(t, err)
	if len(ses) != 1 || ses[0].Name != bad.Name || ses[0].Code != "DecryptionFailure" {
		t.Errorf("error %v, want DecryptionFailure for %s", err, bad.Name)
	}
	checkNoValues(t, err, append(secrets, bad))
}

// The fallback checks what it got, as a batch does: a GetSecretValue
// answer that names another secret is no value for the one asked for.
func TestThrottledFallbackRefusesAnotherSecret(t *testing.T) {
	secrets := keepSecrets(prod, 1)
	srv := newServer(t, secrets...)
	other := prod.SecretName("OTHER")
	srv.Inject = func(op string, n int) *smfake.Fault {
		if op == "GetSecretValue" {
			return &smfake.Fault{Body: `{"ARN":"` + smfake.ARN(other) + `","Name":"` + other + `","SecretString":"sk_live_other","VersionId":"v1"}`}
		}
		return throttleBatches(op, n)
	}
	key := secrets[0].Name[len(prod.Prefix()):]
	res, err := (&fetch.Fetcher{API: srv.Client(fetch.WithPlainBody), Region: smfake.Region}).ByName(t.Context(), prod, []string{key})
	ses := asSecretErrors(t, err)
	if res != nil || len(ses) != 1 || ses[0].Name != secrets[0].Name || ses[0].Code != fetch.CodeNotReturned {
		t.Errorf("error %v, want NotReturned for %s", err, secrets[0].Name)
	}
}

// Nothing throttled: not one GetSecretValue, the floor unchanged.
func TestUnthrottledMakesNoGetSecretValue(t *testing.T) {
	secrets := keepSecrets(prod, 45)
	srv := newServer(t, secrets...)
	f := &fetch.Fetcher{API: srv.Client(fetch.WithPlainBody), Region: smfake.Region}
	if _, err := f.List(t.Context(), prod, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ByName(t.Context(), prod, []string{"K001", "K002"}); err != nil {
		t.Fatal(err)
	}
	if g := srv.Count("GetSecretValue"); g != 0 {
		t.Errorf("%d GetSecretValue without throttling, want 0", g)
	}
}

// gaugedAPI measures the GetSecretValue calls in flight at once.
type gaugedAPI struct {
	fetch.API
	mu        sync.Mutex
	now, peak int
}

func (g *gaugedAPI) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	g.mu.Lock()
	g.now++
	g.peak = max(g.peak, g.now)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.now--
		g.mu.Unlock()
	}()
	return g.API.GetSecretValue(ctx, in, opts...)
}

// When GetSecretValue is throttled too, a fetch holds back: each
// throttled attempt halves its calls in flight and delays them all, so
// that it asks about once per backoff rather than once per round trip per
// call. In virtual time (testing/synctest): 45 secrets from a bucket of
// 5 a second.
func TestThrottledGetSecretValueBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		secrets := keepSecrets(prod, 45)
		srv := smfake.New(secrets...)
		srv.Inject = throttleBatches
		srv.Latency = 20 * time.Millisecond
		srv.Quota = map[string]float64{"GetSecretValue": 5}
		began := time.Now()
		res, err := (&fetch.Fetcher{API: srv.DirectClient(fetch.WithRetries), Region: smfake.Region}).List(t.Context(), prod, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkSecrets(t, res.Secrets, secrets)
		took, throttled := time.Since(began), srv.Throttled("GetSecretValue")
		t.Logf("45 secrets at 5/s: %s, %d GetSecretValue requests, %d throttled", took.Round(time.Millisecond), srv.Count("GetSecretValue"), throttled)
		if throttled > 90 { // about 41; the fleet simulation, 10,000 starts: 26 a start with the limit, 101 without
			t.Errorf("%d throttled GetSecretValue for 45 secrets (want at most 90): the fetch did not back off", throttled)
		}
	})
}
