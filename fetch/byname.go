package fetch

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/errgroup"
)

// ByNameConcurrency bounds the BatchGetSecretValue calls ByName has in
// flight: 1000 secrets in one burst of 50 calls, which stays below the
// ~100 requests per second AWS allows. The list path needs fewer, since
// its pages arrive one at a time.
const ByNameConcurrency = 50

// Named is what ByName found.
type Named struct {
	// Secrets by KEY, for the keys that exist.
	Secrets map[string]Secret
	// Missing are the keys with no such secret (or one scheduled for
	// deletion), sorted.
	Missing []string
	Calls   Calls
}

// ByName fetches the secrets of t named by keys with BatchGetSecretValue,
// all chunks of 20 at once (up to ByNameConcurrency): one round trip, with
// no listing. Names are
// built as on the list path (Target.SecretName), so the exact tag check is
// not needed: the name alone places a secret in (namespace, env). A key
// Secrets Manager reports as not found is Missing; any other failure for a
// key fails the call, as on the list path.
func (f *Fetcher) ByName(ctx context.Context, t Target, keys []string) (*Named, error) {
	api := &countingAPI{API: f.API}
	res, err := f.byName(ctx, api, t, keys)
	if err != nil {
		return nil, fmt.Errorf("read secrets of %s in %s: %w", t, f.Region, err)
	}
	res.Calls = api.calls()
	return res, nil
}

func (f *Fetcher) byName(ctx context.Context, api API, t Target, keys []string) (*Named, error) {
	want := make([]listed, 0, len(keys))
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if !ValidKey(k) {
			return nil, &Error{Msg: fmt.Sprintf("invalid secret key %q", k), Help: "a KEY is 1-255 letters, digits, '_' or '-', not starting with '-'"}
		}
		want = append(want, listed{Key: k, Name: t.SecretName(k)})
	}
	res := &Named{Secrets: map[string]Secret{}}
	var (
		mu     sync.Mutex
		failed SecretErrors
	)
	g, ctx := errgroup.WithContext(ctx)
	limit := ByNameConcurrency
	if f.Concurrency > 0 {
		limit = f.Concurrency
	}
	g.SetLimit(limit)
	for chunk := range slices.Chunk(want, batchSize) {
		g.Go(safely(func() error {
			got, missing, errs, err := batchGetByName(ctx, api, chunk)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range got {
				res.Secrets[s.Key] = s
			}
			res.Missing = append(res.Missing, missing...)
			failed = append(failed, errs...)
			return nil
		}))
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(failed) > 0 {
		failed.sort()
		return nil, failed
	}
	sort.Strings(res.Missing)
	return res, nil
}

// notFound reports whether a per-secret error means there is no such
// secret: it never existed or was deleted, or it is scheduled for deletion
// (InvalidRequestException, "marked for deletion" or "marked deleted").
func notFound(code, message string) bool {
	return code == "ResourceNotFoundException" ||
		code == "InvalidRequestException" && strings.Contains(strings.ToLower(message), "delet")
}

// batchGetByName fetches want (at most batchSize) by name. Values are
// matched to names, never trusted beyond them: a value for a name that was
// not asked for is dropped.
func batchGetByName(ctx context.Context, api API, want []listed) ([]Secret, []string, SecretErrors, error) {
	byName := make(map[string]listed, len(want))
	ids := make([]string, len(want))
	for i, s := range want {
		byName[s.Name] = s
		ids[i] = s.Name
	}
	out, err := api.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: ids})
	if err != nil {
		return nil, nil, nil, callError("BatchGetSecretValue", err)
	}
	done := map[string]bool{}
	var secrets []Secret
	var missing []string
	var failed SecretErrors
	for _, v := range out.SecretValues {
		s, ok := byName[aws.ToString(v.Name)]
		if !ok || done[s.Name] {
			continue
		}
		done[s.Name] = true
		switch {
		case v.SecretString != nil:
			secrets = append(secrets, Secret{Key: s.Key, Name: s.Name, ARN: aws.ToString(v.ARN), Value: *v.SecretString, VersionID: aws.ToString(v.VersionId)})
		case v.SecretBinary != nil:
			failed = append(failed, &SecretError{Name: s.Name, Code: CodeBinary, Message: "the secret holds binary data"})
		default:
			failed = append(failed, &SecretError{Name: s.Name, Code: CodeNoValue, Message: "the secret has no string value"})
		}
	}
	for _, e := range out.Errors {
		// SecretId is "the ARN or name of the secret".
		s, ok := byName[nameOfID(aws.ToString(e.SecretId))]
		if !ok || done[s.Name] {
			continue
		}
		done[s.Name] = true
		if notFound(aws.ToString(e.ErrorCode), aws.ToString(e.Message)) {
			missing = append(missing, s.Key)
			continue
		}
		failed = append(failed, &SecretError{Name: s.Name, Code: aws.ToString(e.ErrorCode), Message: aws.ToString(e.Message)})
	}
	for _, s := range want {
		if !done[s.Name] {
			failed = append(failed, &SecretError{Name: s.Name, Code: CodeNotReturned, Message: "missing from the BatchGetSecretValue response"})
		}
	}
	return secrets, missing, failed, nil
}

// nameOfID is the secret name in id: id itself, or the NAME of an ARN
// arn:…:secret:NAME-XXXXXX (Secrets Manager adds "-" and six characters).
func nameOfID(id string) string {
	if !strings.HasPrefix(id, "arn:") {
		return id
	}
	_, rest, ok := strings.Cut(id, ":secret:")
	if !ok || len(rest) < 8 || rest[len(rest)-7] != '-' {
		return id
	}
	return rest[:len(rest)-7]
}
