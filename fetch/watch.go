package fetch

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// The reads of a watch (keep run --watch): which version of a secret is
// AWSCURRENT now, from metadata only, and the value of one version once it
// has changed. No value is read to find out whether one changed.

// watchAttempts bounds the attempts of a watch's call, throttled or not:
// the next poll is its retry, after the watch's own backoff, so a
// throttled poll fails in seconds and is reported instead of waiting its
// turn for up to --timeout as a start does (see retry.go).
const watchAttempts = otherMaxAttempts

// fewerAttempts is the call option that applies watchAttempts.
func fewerAttempts(o *secretsmanager.Options) {
	if o.Retryer != nil {
		o.Retryer = retry.AddWithMaxAttempts(o.Retryer, watchAttempts)
	}
}

// stageCurrent is the staging label of the version keep reads.
const stageCurrent = "AWSCURRENT"

// State is what Secrets Manager says of one secret of a target, without
// its value.
type State struct {
	Key, Name, ARN string
	// Exists is false when the secret is not found or is scheduled for
	// deletion; the other fields but Key and Name are then empty.
	Exists bool
	// Member is Exists and passes the list path's exact check
	// (Target.Match): the secret belongs to the target by its tags.
	Member bool
	// Version is the VersionId labelled AWSCURRENT ("" when none is).
	Version string
}

// Describe is the state of the secret key of c's target now, read with
// one DescribeSecret call, which, unlike ListSecrets, is not eventually
// consistent. A secret that is not found, or is scheduled for deletion,
// is a State that does not exist, not an error.
func (c *Conn) Describe(ctx context.Context, key string) (State, error) {
	name := c.Target.SecretName(key)
	st := State{Key: key, Name: name}
	out, err := c.api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)}, fewerAttempts)
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return st, nil
	}
	if err != nil {
		return st, CallError("DescribeSecret "+name, err)
	}
	if out.DeletedDate != nil {
		return st, nil
	}
	st.Exists, st.ARN, st.Version = true, aws.ToString(out.ARN), current(out.VersionIdsToStages)
	_, st.Member = c.Target.Match(types.SecretListEntry{Name: out.Name, ARN: out.ARN, Tags: out.Tags, DeletedDate: out.DeletedDate})
	return st, nil
}

// Discover lists the secrets that belong to c's target (Target.Match),
// with the version each had AWSCURRENT, and no value: ListSecrets pages
// only, one call per 100 secrets. The listing is eventually consistent: a
// secret created or retagged in the last minutes may be missing, so a
// watch learns of new secrets here and follows them with Describe. It
// returns the states and the number of ListSecrets calls made.
func (c *Conn) Discover(ctx context.Context) ([]State, int, error) {
	in := &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(listPageSize), Filters: listFilters(c.Target)}
	var out []State
	calls := 0
	err := eachListPage(ctx, fewerAttemptsAPI{c.api}, in, func(page *secretsmanager.ListSecretsOutput, _ bool) error {
		calls++
		for _, e := range page.SecretList {
			key, ok := c.Target.Match(e)
			if !ok || aws.ToString(e.ARN) == "" {
				continue
			}
			out = append(out, State{Key: key, Name: aws.ToString(e.Name), ARN: aws.ToString(e.ARN),
				Exists: true, Member: true, Version: current(e.SecretVersionsToStages)})
		}
		return nil
	})
	if err != nil {
		return nil, calls, fmt.Errorf("list secrets of %s in %s: %w", c.Target, c.Region, err)
	}
	return out, calls, nil
}

// Version reads the value of version versionID of the secret key of c's
// target with one GetSecretValue call: the version a watch saw become
// AWSCURRENT, so that a later rotation cannot slip in between.
func (c *Conn) Version(ctx context.Context, key, versionID string) (Secret, error) {
	name := c.Target.SecretName(key)
	out, err := c.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionId: aws.String(versionID)}, fewerAttempts)
	if err != nil {
		return Secret{}, readError(name, err)
	}
	switch {
	case aws.ToString(out.Name) != name || aws.ToString(out.VersionId) != versionID:
		return Secret{}, &SecretError{Name: name, Code: CodeNotReturned, Message: "the answer named another secret or version"}
	case out.SecretString != nil:
		return Secret{Key: key, Name: name, ARN: aws.ToString(out.ARN), Value: *out.SecretString,
			VersionID: aws.ToString(out.VersionId), Created: aws.ToTime(out.CreatedDate)}, nil
	case out.SecretBinary != nil:
		return Secret{}, &SecretError{Name: name, Code: CodeBinary, Message: "the secret holds binary data"}
	}
	return Secret{}, &SecretError{Name: name, Code: CodeNoValue, Message: "the secret has no string value"}
}

// current is the VersionId that stages labels AWSCURRENT, or "".
func current(stages map[string][]string) string {
	for id, s := range stages {
		if slices.Contains(s, stageCurrent) {
			return id
		}
	}
	return ""
}

// fewerAttemptsAPI makes every ListSecrets call with fewerAttempts.
type fewerAttemptsAPI struct{ API }

func (a fewerAttemptsAPI) ListSecrets(ctx context.Context, in *secretsmanager.ListSecretsInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error) {
	return a.API.ListSecrets(ctx, in, append(opts, fewerAttempts)...)
}
