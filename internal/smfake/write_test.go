package smfake_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/keep-run/keep/internal/smfake"
)

// The write operations through the real SDK: what write.Set and keep copy
// rely on when they run against the fake.
func TestWriteRoundTrip(t *testing.T) {
	srv := smfake.New()
	defer srv.Close()
	c := srv.Client()
	ctx := t.Context()
	name := "app/production/TOKEN"

	_, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("DescribeSecret of a missing secret: %v, want ResourceNotFoundException", err)
	}
	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String("first"), KmsKeyId: aws.String("alias/app"),
		Tags: []types.Tag{{Key: aws.String("ManagedBy"), Value: aws.String("Keep")}, {Key: aws.String("Owner"), Value: aws.String("me")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.ARN) != smfake.ARN(name) || aws.ToString(created.VersionId) != "v1" {
		t.Errorf("CreateSecret answered %s %s", aws.ToString(created.ARN), aws.ToString(created.VersionId))
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("again")})
	var exists *types.ResourceExistsException
	if !errors.As(err, &exists) {
		t.Errorf("second CreateSecret: %v, want ResourceExistsException", err)
	}
	put, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: created.ARN, SecretString: aws.String("second")})
	if err != nil || aws.ToString(put.VersionId) != "v2" {
		t.Fatalf("PutSecretValue: %v, version %s", err, aws.ToString(put.VersionId))
	}
	if _, err := c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: created.ARN, Tags: []types.Tag{{Key: aws.String("Environment"), Value: aws.String("production")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: created.ARN, TagKeys: []string{"Owner"}}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tag := range desc.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if len(tags) != 2 || tags["ManagedBy"] != "Keep" || tags["Environment"] != "production" || aws.ToString(desc.KmsKeyId) != "alias/app" {
		t.Errorf("DescribeSecret: tags %v, key %s", tags, aws.ToString(desc.KmsKeyId))
	}
	if got, ok := srv.Get(name); !ok || got.Value != "second" {
		t.Errorf("Get: %q, %v", got.Value, ok)
	}

	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("third")})
	var invalid *types.InvalidRequestException
	if !errors.As(err, &invalid) {
		t.Errorf("PutSecretValue on a deleted secret: %v, want InvalidRequestException", err)
	}
	if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Get(name); ok {
		t.Error("the secret is still there after a forced deletion")
	}
}

func TestInjectSecret(t *testing.T) {
	srv := smfake.New(smfake.Secret{Name: "app/production/DENIED", Value: "x"})
	defer srv.Close()
	srv.InjectSecret = func(op, name string) *smfake.Fault {
		if op == "PutSecretValue" && name == "app/production/DENIED" {
			return &smfake.Fault{Code: "AccessDeniedException", Message: "denied"}
		}
		return nil
	}
	c := srv.Client()
	// By ARN: the fake resolves it to the name.
	_, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(smfake.ARN("app/production/DENIED")), SecretString: aws.String("y")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Errorf("PutSecretValue: %v, want AccessDeniedException", err)
	}
	if _, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("app/production/OTHER"), SecretString: aws.String("z")}); err != nil {
		t.Errorf("CreateSecret of another name: %v", err)
	}
	if got, _ := srv.Get("app/production/DENIED"); got.Value != "x" {
		t.Errorf("the denied write changed the value to %q", got.Value)
	}
}
