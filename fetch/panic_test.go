package fetch_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/fetch"
)

// panickyAPI panics inside BatchGetSecretValue with a value in hand, as a
// bug in a decoder might.
type panickyAPI struct {
	fetch.API
}

func (p panickyAPI) BatchGetSecretValue(ctx context.Context, in *secretsmanager.BatchGetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.BatchGetSecretValueOutput, error) {
	out, err := p.API.BatchGetSecretValue(ctx, in, opts...)
	if err == nil && len(out.SecretValues) > 0 {
		panic("decoder bug near " + *out.SecretValues[0].SecretString)
	}
	return out, err
}

func TestPanicInBatchGoroutineBecomesAnErrorWithoutValues(t *testing.T) {
	secrets := keepSecrets(prod, 3)
	srv := newServer(t, secrets...)
	f := &fetch.Fetcher{API: panickyAPI{srv.Client(fetch.WithPlainBody)}, Region: "us-east-1"}
	_, err := f.List(t.Context(), prod, nil)
	var fe *fetch.Error
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "internal error") {
		t.Fatalf("List after a panic: %v, want an internal *fetch.Error", err)
	}
	checkNoValues(t, err, secrets)
}
