package write

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keep-run/keep/fetch"
)

// Create stores value as the new secret key of c's target in vault, as Set
// does when there is none, without looking first: when a secret of that
// name exists, it changes nothing and returns an error that IsExists
// recognises. For writers that already know the name is free (import).
func Create(ctx context.Context, c *fetch.Conn, vault Vault, key, value string) (*SetResult, error) {
	if err := fetch.CheckKey(key); err != nil {
		return nil, err
	}
	if err := CheckValue(value); err != nil {
		return nil, err
	}
	return create(ctx, c, vault, key, value)
}

func create(ctx context.Context, c *fetch.Conn, vault Vault, key, value string) (*SetResult, error) {
	t := c.Target
	name := t.SecretName(key)
	in := &secretsmanager.CreateSecretInput{
		Name:         aws.String(name),
		SecretString: aws.String(value),
		Description:  aws.String(description(key, t.Env, vault.Slug)),
		Tags:         tags(t, vault.Slug),
	}
	if vault.KMSKey != "" {
		in.KmsKeyId = aws.String(vault.KMSKey)
	}
	for _, r := range vault.Replicas {
		rr := types.ReplicaRegionType{Region: aws.String(r.Region)}
		if r.KMSKey != "" {
			rr.KmsKeyId = aws.String(r.KMSKey)
		}
		in.AddReplicaRegions = append(in.AddReplicaRegions, rr)
	}
	out, err := c.Writer().CreateSecret(ctx, in)
	if err != nil {
		return nil, writeError("CreateSecret", name, vault, value, err)
	}
	return &SetResult{Name: name, ARN: aws.ToString(out.ARN), VersionID: aws.ToString(out.VersionId), Created: true}, nil
}

// IsExists reports whether err is a write's refusal because the secret
// already exists (CreateSecret's ResourceExistsException).
func IsExists(err error) bool {
	var re *types.ResourceExistsException
	return errors.As(err, &re)
}

// CheckSet says what Set would do with the secret key of c's target,
// without writing: exists is whether it would update rather than create,
// and err the refusal Set would return (a secret keep does not manage, one
// scheduled for deletion, one tagged for another environment). For dry
// runs.
func CheckSet(ctx context.Context, c *fetch.Conn, key string) (exists bool, err error) {
	if err := fetch.CheckKey(key); err != nil {
		return false, err
	}
	name := c.Target.SecretName(key)
	existing, err := describe(ctx, c.Writer(), name)
	if err != nil || existing == nil {
		return false, err
	}
	if err := checkManaged(existing, c.Target, name); err != nil {
		return true, err
	}
	return true, checkUpdateEnv(existing, c.Target, name)
}
