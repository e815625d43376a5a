package fetch_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

// The speculative batch raced against the first ListSecrets page.

func speculating(srv *smfake.Server) *fetch.Fetcher {
	return &fetch.Fetcher{API: srv.Client(fetch.WithPlainBody), Region: smfake.Region}
}

// batches splits the BatchGetSecretValue requests into filtered
// (speculative) ones and by-id ones.
func batches(srv *smfake.Server) (filtered, byID []smfake.Call) {
	for _, c := range srv.Calls() {
		if c.Op != "BatchGetSecretValue" {
			continue
		}
		if bytes.Contains(c.Body, []byte(`"Filters"`)) {
			filtered = append(filtered, c)
		} else {
			byID = append(byID, c)
		}
	}
	return filtered, byID
}

func TestSpeculationMakesOnePageOneRoundTrip(t *testing.T) {
	for _, n := range []int{1, 15, 20} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			secrets := keepSecrets(prod, n)
			srv := newServer(t, secrets...)
			srv.Latency = 40 * time.Millisecond
			res, err := speculating(srv).List(t.Context(), prod, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkSecrets(t, res.Secrets, secrets)
			filtered, byID := batches(srv)
			if len(filtered) != 1 || len(byID) != 0 || srv.Count("ListSecrets") != 1 {
				t.Fatalf("%d filtered + %d by-id batches, %d lists; want 1 + 0, 1", len(filtered), len(byID), srv.Count("ListSecrets"))
			}
			// One round trip: the two calls were in flight together.
			var list smfake.Call
			for _, c := range srv.Calls() {
				if c.Op == "ListSecrets" {
					list = c
				}
			}
			if !filtered[0].Start.Before(list.End) || !list.Start.Before(filtered[0].End) {
				t.Error("the speculative batch and the listing did not overlap")
			}
			if res.Calls != (fetch.Calls{ListSecrets: 1, BatchGetSecretValue: 1}) {
				t.Errorf("Result.Calls = %+v", res.Calls)
			}
		})
	}
}

func TestSpeculationBeyondTwentyFetchesTheRestByARN(t *testing.T) {
	secrets := keepSecrets(prod, 45)
	srv := newServer(t, secrets...)
	res, err := speculating(srv).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets)
	filtered, byID := batches(srv)
	// 20 from the speculative page, 25 by ARN in 2 chunks.
	if len(filtered) != 1 || len(byID) != 2 {
		t.Errorf("%d filtered + %d by-id batches, want 1 + 2", len(filtered), len(byID))
	}
}

func TestSpeculationIsDroppedForSeveralPages(t *testing.T) {
	const n = 250
	secrets := keepSecrets(prod, n)
	srv := newServer(t, secrets...)
	res, err := speculating(srv).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets)
	// The bound: ⌈N/100⌉ + ⌈N/20⌉ + 1 calls.
	if max := int64(3 + 13 + 1); res.Calls.ListSecrets+res.Calls.BatchGetSecretValue > max {
		t.Errorf("Result.Calls = %+v, more than %d", res.Calls, max)
	}
}

func TestSpeculationFailureFallsBackSilently(t *testing.T) {
	for name, fault := range map[string]*smfake.Fault{
		"throttled":       {Code: "ThrottlingException", Message: "Rate exceeded"},
		"rejected (moto)": {Code: "InvalidRequestException", Message: "You tried to perform the operation on a secret that's currently marked deleted."},
		"server error":    {Status: 500, Code: "InternalServiceError", Message: "boom"},
		"malformed":       {Body: `{"SecretValues": [`},
	} {
		t.Run(name, func(t *testing.T) {
			secrets := keepSecrets(prod, 5)
			srv := newServer(t, secrets...)
			srv.Inject = func(op string, n int) *smfake.Fault {
				if op == "BatchGetSecretValue" && n == 1 { // the speculative call goes first
					return fault
				}
				return nil
			}
			res, err := speculating(srv).List(t.Context(), prod, nil)
			if err != nil {
				t.Fatalf("a failed speculation failed the run: %v", err)
			}
			checkSecrets(t, res.Secrets, secrets)
			// Throttling sends the values to GetSecretValue (quota.go).
			wantByID, wantGets := 1, 0
			if fault.Code == "ThrottlingException" {
				wantByID, wantGets = 0, len(secrets)
			}
			filtered, byID := batches(srv)
			if len(filtered) != 1 || len(byID) != wantByID || srv.Count("GetSecretValue") != wantGets {
				t.Errorf("%d filtered (want 1: no retry) + %d by-id batches (want %d), %d GetSecretValue (want %d)",
					len(filtered), len(byID), wantByID, srv.Count("GetSecretValue"), wantGets)
			}
		})
	}
}

func TestSpeculationNeverDecidesMembership(t *testing.T) {
	secrets := keepSecrets(prod, 2)
	foreign := smfake.Secret{Name: "myapp/production/FOREIGN", Value: "sk_live_foreign_speculated", Tags: keepTags("otherapp", "production")}
	srv := newServer(t, append(secrets, foreign)...)
	// The speculative answer holds a secret the listing's exact check
	// rejects, and an error for a wanted one.
	srv.Inject = func(op string, n int) *smfake.Fault {
		if op != "BatchGetSecretValue" || n != 1 {
			return nil
		}
		return batchBody(t,
			[]value{{secrets[0].Name, secrets[0].Value}, {foreign.Name, foreign.Value}},
			[]apiError{{smfake.ARN(secrets[1].Name), "DecryptionFailure"}})(op, n)
	}
	res, err := speculating(srv).List(t.Context(), prod, nil)
	if err != nil {
		t.Fatalf("the speculative batch's error decided the run: %v", err)
	}
	// FOREIGN is dropped; secrets[1] was fetched by ARN, which decides.
	checkSecrets(t, res.Secrets, secrets)
	if _, byID := batches(srv); len(byID) != 1 || !bytes.Contains(byID[0].Body, []byte(smfake.ARN(secrets[1].Name))) || bytes.Contains(byID[0].Body, []byte(smfake.ARN(secrets[0].Name))) {
		t.Errorf("want one by-ARN batch for %s only", secrets[1].Name)
	}
}

func TestSpeculationServesAFilteredRun(t *testing.T) {
	secrets := keepSecrets(prod, 10)
	srv := newServer(t, secrets...)
	res, err := speculating(srv).List(t.Context(), prod, func(key string) bool { return key < "K005" })
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, res.Secrets, secrets[:5])
	if _, byID := batches(srv); len(byID) != 0 {
		t.Errorf("%d by-id batches after a complete speculative page, want 0", len(byID))
	}
}
