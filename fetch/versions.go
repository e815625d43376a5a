package fetch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"golang.org/x/sync/errgroup"
)

// Version is one version of a secret.
type Version struct {
	ID      string
	Stages  []string // AWSCURRENT, AWSPREVIOUS, …
	Created time.Time
	Value   string // only when asked for
}

// ReplicaStatus is the replication state of a secret in one region.
type ReplicaStatus struct {
	Region  string
	Status  string // InSync, Failed, InProgress
	Message string
	KMSKey  string
}

// Info is one secret with the version asked for.
type Info struct {
	Key, Name, ARN string
	Version
	Replicas []ReplicaStatus
}

// Get reads the secret key of c's target: the version in stage
// (AWSCURRENT when both stage and versionID are empty) or the version
// versionID. With replication set it also reads the replication status
// (DescribeSecret).
func (c *Conn) Get(ctx context.Context, key, stage, versionID string, replication bool) (*Info, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	name := c.Target.SecretName(key)
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}
	if stage != "" {
		in.VersionStage = aws.String(stage)
	}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	out, err := c.api.GetSecretValue(ctx, in)
	if err != nil {
		if stage != "" || versionID != "" {
			if missing := c.versionMissing(ctx, key, stage, versionID, err); missing != nil {
				return nil, missing
			}
		}
		return nil, readError(name, err)
	}
	if out.SecretString == nil {
		return nil, &SecretError{Name: name, Code: CodeBinary, Message: "the secret has no string value"}
	}
	info := &Info{Key: key, Name: name, ARN: aws.ToString(out.ARN), Version: Version{
		ID: aws.ToString(out.VersionId), Stages: out.VersionStages, Created: aws.ToTime(out.CreatedDate), Value: *out.SecretString,
	}}
	if replication {
		d, err := c.api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		if err != nil {
			return nil, CallError("DescribeSecret", err)
		}
		info.Replicas = replicas(d.ReplicationStatus)
	}
	return info, nil
}

// versionMissing tells "no such version" from "no such secret" after
// GetSecretValue of a stage or version id failed with err: when err is
// ResourceNotFound and DescribeSecret finds the secret, the version is
// what is missing, and the error says which stages there are. Otherwise
// it is nil, and err stands.
func (c *Conn) versionMissing(ctx context.Context, key, stage, versionID string, err error) error {
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return nil
	}
	name := c.Target.SecretName(key)
	d, derr := c.api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if derr != nil || d.DeletedDate != nil {
		return nil
	}
	var stages []string
	for _, ss := range d.VersionIdsToStages {
		stages = append(stages, ss...)
	}
	sort.Strings(stages)
	what := "no version in stage " + stage
	if versionID != "" {
		what = "no version " + versionID
	}
	if len(stages) > 0 {
		what += " (its stages: " + strings.Join(stages, ", ") + ")"
	}
	return &Error{
		Msg:  fmt.Sprintf("%s exists but has %s", name, what),
		Help: fmt.Sprintf("keep history %s --env=%s lists its versions and their stages", key, c.Target.Env),
		Err:  err,
	}
}

// Replication reads the replication status of the secret key of c's
// target, by region.
func (c *Conn) Replication(ctx context.Context, key string) ([]ReplicaStatus, error) {
	name := c.Target.SecretName(key)
	d, err := c.api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		return nil, readError(name, err)
	}
	return replicas(d.ReplicationStatus), nil
}

func replicas(rs []types.ReplicationStatusType) []ReplicaStatus {
	out := make([]ReplicaStatus, 0, len(rs))
	for _, r := range rs {
		out = append(out, ReplicaStatus{Region: aws.ToString(r.Region), Status: string(r.Status), Message: aws.ToString(r.StatusMessage), KMSKey: aws.ToString(r.KmsKeyId)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out
}

// History lists the versions of the secret key of c's target, newest
// first, with their values when withValues is set (one GetSecretValue per
// version, at once). Its listing fails closed as List's does (see
// eachPage).
func (c *Conn) History(ctx context.Context, key string, withValues bool) ([]Version, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	name := c.Target.SecretName(key)
	var versions []Version
	in := &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name), IncludeDeprecated: aws.Bool(true)}
	p := secretsmanager.NewListSecretVersionIdsPaginator(c.api, in, func(o *secretsmanager.ListSecretVersionIdsPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	err := eachPage(ctx, "ListSecretVersionIds", p,
		func(out *secretsmanager.ListSecretVersionIdsOutput) *string { return out.NextToken },
		func(err error) error { return readError(name, err) },
		func(out *secretsmanager.ListSecretVersionIdsOutput, _ bool) error {
			for _, v := range out.Versions {
				versions = append(versions, Version{ID: aws.ToString(v.VersionId), Stages: v.VersionStages, Created: aws.ToTime(v.CreatedDate)})
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Newest first; within the same second (CreatedDate's precision),
	// AWSCURRENT before AWSPREVIOUS before the rest.
	sort.SliceStable(versions, func(i, j int) bool {
		a, b := versions[i], versions[j]
		if !a.Created.Equal(b.Created) {
			return a.Created.After(b.Created)
		}
		return stageRank(a.Stages) < stageRank(b.Stages)
	})
	if !withValues {
		return versions, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(DefaultConcurrency)
	for i := range versions {
		g.Go(safely(func() error {
			out, err := c.api.GetSecretValue(gctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionId: aws.String(versions[i].ID)})
			if err != nil {
				return readError(name, err)
			}
			versions[i].Value = aws.ToString(out.SecretString)
			return nil
		}))
	}
	return versions, g.Wait()
}

// readError explains a failed read of the secret name.
func readError(name string, err error) error {
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return &Error{Msg: fmt.Sprintf("%s not found", name), Help: "check the KEY and --env; keep show lists the secrets", Err: err}
	}
	var ir *types.InvalidRequestException
	if errors.As(err, &ir) && ScheduledForDeletion(ir.ErrorCode(), aws.ToString(ir.Message)) {
		return &Error{Msg: fmt.Sprintf("%s: %s", name, Printable(aws.ToString(ir.Message))), Help: "a secret scheduled for deletion can be read after keep restore", Err: err}
	}
	return CallError("read "+name, err)
}

func stageRank(stages []string) int {
	switch {
	case slices.Contains(stages, "AWSCURRENT"):
		return 0
	case slices.Contains(stages, "AWSPREVIOUS"):
		return 1
	}
	return 2
}
