// Package write creates, updates, deletes and restores Keep's secrets in
// AWS Secrets Manager, and owns the tags and description it writes on them.
// Which secrets are keep's, and how they are named, is package fetch's
// rule; write uses it, and refuses a secret keep does not manage.
package write

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/keep-run/keep/fetch"
)

// MaxValueBytes is Secrets Manager's limit for a SecretString.
const MaxValueBytes = 65536

// Vault is what writes need to know about the vault: its slug, KMS key
// and replica regions.
type Vault struct {
	// Slug is the vault's slug; the VaultSlug tag and the description hold
	// it as the PHP Keep writes it there, through Str::slug (Slug).
	Slug string
	// KMSKey is the key for new secrets; "" means the AWS managed key
	// (alias/aws/secretsmanager).
	KMSKey string
	// Replicas are regions new secrets are replicated to.
	Replicas []Replica
}

// Replica is a region to replicate to and, optionally, its KMS key (keys
// are regional; "" means that region's AWS managed key).
type Replica struct {
	Region string
	KMSKey string
}

// tags are the tags keep creates a secret of t with, in the vault
// vaultSlug: ManagedBy, Namespace, Environment and VaultSlug (slugged, as
// the PHP Keep writes it), which the documented IAM policies allow on
// CreateSecret, and Scope in a scoped vault, which the PHP Keep lists a
// scoped vault by (`keep iam` allows it for projects with scoped vaults).
func tags(t fetch.Target, vaultSlug string) []types.Tag {
	out := []types.Tag{
		{Key: aws.String(fetch.TagManagedBy), Value: aws.String(fetch.ManagedByKeep)},
		{Key: aws.String(fetch.TagNamespace), Value: aws.String(t.Namespace)},
		{Key: aws.String(fetch.TagEnvironment), Value: aws.String(t.Env)},
		{Key: aws.String(fetch.TagVaultSlug), Value: aws.String(Slug(vaultSlug))},
	}
	if t.Scope != "" {
		out = append(out, types.Tag{Key: aws.String(fetch.TagScope), Value: aws.String(t.Scope)})
	}
	return out
}

// description is the description the PHP Keep creates the secret key of
// env with, in the vault vaultSlug.
func description(key, env, vaultSlug string) string {
	return fmt.Sprintf("Keep secret: %s for %s environment in %s vault", key, env, Slug(vaultSlug))
}

// CheckValue reports whether value can be stored and later injected: not
// empty (an empty SecretString is no value: the secret would have no
// version, and every read of it, keep run's included, would fail), valid
// UTF-8 (the API carries strings as JSON), no NUL byte (no environment
// variable can hold one), at most MaxValueBytes.
func CheckValue(value string) error {
	switch {
	case value == "":
		return &fetch.Error{Msg: "the value is empty; Secrets Manager cannot store an empty value", Help: "pass the value as the second argument, or pipe it on stdin: keep set KEY --env=E < file"}
	case !utf8.ValidString(value):
		return &fetch.Error{Msg: "the value is not valid UTF-8", Help: "Secrets Manager stores text; base64-encode binary data first"}
	case strings.IndexByte(value, 0) >= 0:
		return &fetch.Error{Msg: "the value contains a NUL byte, which no environment variable can hold", Help: "base64-encode binary data first"}
	case len(value) > MaxValueBytes:
		return &fetch.Error{Msg: fmt.Sprintf("the value is %d bytes; Secrets Manager takes at most %d", len(value), MaxValueBytes), Help: "store large files elsewhere (S3) and keep their location here"}
	}
	return nil
}

// SetResult says what Set did.
type SetResult struct {
	Name      string
	ARN       string
	VersionID string
	Created   bool
}

// Set stores value as the secret key of c's target in vault. When the
// secret does not exist: CreateSecret with keep's tags, the vault's KMS
// key, its replica regions and the PHP Keep's description. Otherwise
// PutSecretValue alone: an update never adds, removes or renames a tag —
// a secret the PHP Keep wrote keeps its Env tag, on which its users' IAM
// policies grant access, and what a tag grants stays as it was. It refuses
// a secret of that name that keep does not manage for this namespace, one
// scheduled for deletion, and one whose tags place it in another
// environment (keep would not read the value back, and does not retag).
func Set(ctx context.Context, c *fetch.Conn, vault Vault, key, value string) (*SetResult, error) {
	if err := fetch.CheckKey(key); err != nil {
		return nil, err
	}
	if err := CheckValue(value); err != nil {
		return nil, err
	}
	api, t := c.Writer(), c.Target
	name := t.SecretName(key)
	existing, err := describe(ctx, api, name)
	if err != nil {
		return nil, err
	}
	if existing == nil {
		return create(ctx, c, vault, key, value)
	}
	if err := checkManaged(existing, t, name); err != nil {
		return nil, err
	}
	if err := checkUpdateEnv(existing, t, name); err != nil {
		return nil, err
	}
	out, err := api.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: existing.ARN, SecretString: aws.String(value)})
	if err != nil {
		return nil, writeError("PutSecretValue", name, vault, value, err)
	}
	return &SetResult{Name: name, ARN: aws.ToString(out.ARN), VersionID: aws.ToString(out.VersionId)}, nil
}

// CheckUpdate is the error Set would return for updating the existing
// secret key of c's target — not keep's, scheduled for deletion, or
// tagged for another environment — or nil when Set could update it or no
// such secret exists. It writes nothing: one DescribeSecret.
func CheckUpdate(ctx context.Context, c *fetch.Conn, key string) error {
	name := c.Target.SecretName(key)
	existing, err := describe(ctx, c.Writer(), name)
	if err != nil || existing == nil {
		return err
	}
	if err := checkManaged(existing, c.Target, name); err != nil {
		return err
	}
	return checkUpdateEnv(existing, c.Target, name)
}

// checkUpdateEnv is checkEnv for putting a value in the existing secret.
func checkUpdateEnv(s *secretsmanager.DescribeSecretOutput, t fetch.Target, name string) error {
	return checkEnv(s, t, name, "keep would not read the new value back", "keep does not change the tags of an existing secret: fix its Environment tag (aws secretsmanager tag-resource) if it belongs to "+t.Env+", or use another KEY")
}

// checkEnv refuses to change a secret that keep's reads do not count as
// t's (fetch.Target.Match): one whose Environment tag — or, without one,
// Env tag — names another environment or is missing. Set would store a
// value where keep run never reads it (an update does not retag); Delete
// and Restore would act on another environment's secret. why says so,
// help what to do.
func checkEnv(s *secretsmanager.DescribeSecretOutput, t fetch.Target, name, why, help string) error {
	if _, ok := t.Match(types.SecretListEntry{Name: s.Name, Tags: s.Tags}); ok {
		return nil
	}
	tags := map[string]string{}
	for _, tag := range s.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return &fetch.Error{
		Msg: fmt.Sprintf("%s exists but is not tagged for environment %s (tags Environment=%q, Env=%q); %s",
			name, t.Env, tags[fetch.TagEnvironment], tags[fetch.TagEnv], why),
		Help: help,
	}
}

// describe returns the secret named name, or nil when there is none.
func describe(ctx context.Context, api fetch.WriteAPI, name string) (*secretsmanager.DescribeSecretOutput, error) {
	out, err := api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fetch.CallError("DescribeSecret", err)
	}
	return out, nil
}

// checkManaged refuses a secret keep does not manage for t's namespace,
// and one scheduled for deletion.
func checkManaged(s *secretsmanager.DescribeSecretOutput, t fetch.Target, name string) error {
	if err := checkOwner(s, t, name); err != nil {
		return err
	}
	if s.DeletedDate != nil {
		return scheduledError(name, s)
	}
	return nil
}

func scheduledError(name string, s *secretsmanager.DescribeSecretOutput) error {
	return &fetch.Error{
		Msg:  fmt.Sprintf("%s is scheduled for deletion (on %s)", name, s.DeletedDate.Format("2006-01-02")),
		Help: "run keep restore first",
	}
}

// checkOwner refuses a secret keep does not manage for t's namespace.
func checkOwner(s *secretsmanager.DescribeSecretOutput, t fetch.Target, name string) error {
	tags := map[string]string{}
	for _, tag := range s.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if tags[fetch.TagManagedBy] != fetch.ManagedByKeep || tags[fetch.TagNamespace] != t.Namespace {
		return &fetch.Error{
			Msg: fmt.Sprintf("%s exists but is not managed by keep for namespace %s (tags ManagedBy=%q, Namespace=%q)",
				name, t.Namespace, tags[fetch.TagManagedBy], tags[fetch.TagNamespace]),
			Help: "keep does not touch secrets it does not manage; tag it ManagedBy=Keep and Namespace=" + t.Namespace + " if it is keep's, or use another KEY",
		}
	}
	return nil
}

// envTagHelp says what to do about a secret of t's name tagged for
// another environment, which keep will not verb.
func envTagHelp(t fetch.Target, verb string) string {
	return "check --env; if the secret belongs to " + t.Env + ", fix its Environment tag (aws secretsmanager tag-resource), else " + verb + " it with the AWS CLI"
}

// DeleteResult says what Delete did.
type DeleteResult struct {
	Name string
	ARN  string
	// DeletionDate is when the deletion is, or was, final.
	DeletionDate time.Time
}

// Delete schedules the secret key of c's target for deletion after
// recoveryDays (7–30), or deletes it at once when force is set. It refuses
// secrets keep does not manage for the target's namespace, and those whose
// tags place them in another environment (as reads check them: see
// checkEnv), force or not.
func Delete(ctx context.Context, c *fetch.Conn, key string, recoveryDays int, force bool) (*DeleteResult, error) {
	if err := fetch.CheckKey(key); err != nil {
		return nil, err
	}
	api, t := c.Writer(), c.Target
	name := t.SecretName(key)
	s, err := describe(ctx, api, name)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, &fetch.Error{Msg: fmt.Sprintf("%s does not exist", name), Help: "check the KEY and --env; keep show lists the secrets"}
	}
	if err := checkOwner(s, t, name); err != nil {
		return nil, err
	}
	if err := checkEnv(s, t, name, "keep deletes only secrets its reads count as the environment's", envTagHelp(t, "delete")); err != nil {
		return nil, err
	}
	// A secret already scheduled for deletion may still be deleted for good.
	if s.DeletedDate != nil && !force {
		return nil, scheduledError(name, s)
	}
	in := &secretsmanager.DeleteSecretInput{SecretId: s.ARN}
	if force {
		in.ForceDeleteWithoutRecovery = aws.Bool(true)
	} else {
		in.RecoveryWindowInDays = aws.Int64(int64(recoveryDays))
	}
	out, err := api.DeleteSecret(ctx, in)
	if err != nil {
		return nil, writeError("DeleteSecret", name, Vault{}, "", err)
	}
	return &DeleteResult{Name: name, ARN: aws.ToString(out.ARN), DeletionDate: aws.ToTime(out.DeletionDate)}, nil
}

// Restore cancels the scheduled deletion of the secret key of c's target.
// It refuses secrets keep does not manage for the target's namespace, and
// those tagged for another environment.
func Restore(ctx context.Context, c *fetch.Conn, key string) error {
	if err := fetch.CheckKey(key); err != nil {
		return err
	}
	api, t := c.Writer(), c.Target
	name := t.SecretName(key)
	s, err := describe(ctx, api, name)
	if err != nil {
		return err
	}
	if s == nil {
		return &fetch.Error{Msg: fmt.Sprintf("%s does not exist (a secret deleted with --force cannot be restored)", name), Help: "check the KEY and --env"}
	}
	if err := checkOwner(s, t, name); err != nil {
		return err
	}
	if err := checkEnv(s, t, name, "keep restores only secrets its reads count as the environment's", envTagHelp(t, "restore")); err != nil {
		return err
	}
	if s.DeletedDate == nil {
		return &fetch.Error{Msg: fmt.Sprintf("%s is not scheduled for deletion", name), Help: "nothing to restore"}
	}
	if _, err := api.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: s.ARN}); err != nil {
		return writeError("RestoreSecret", name, Vault{}, "", err)
	}
	return nil
}

// writeError explains a failed write of the secret name. value is what
// the call carried ("" for none): an echo of it in AWS's message (an
// emulator's or a proxy's validation message might quote it) is cut.
func writeError(op, name string, vault Vault, value string, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fetch.CallError(op, err)
	}
	msg := fmt.Sprintf("%s %s: %s: %s", op, name, fetch.Printable(ae.ErrorCode()), fetch.Printable(redact(ae.ErrorMessage(), value)))
	switch code := ae.ErrorCode(); {
	case code == "AccessDeniedException":
		return &fetch.Error{Msg: msg, Err: err, Help: fmt.Sprintf("you need secretsmanager:%s on secrets tagged ManagedBy=Keep with your namespace and environment; CreateSecret also needs aws:RequestTag conditions met and aws:TagKeys within ManagedBy, Namespace, Environment, VaultSlug, and Scope in a scoped vault (see keep iam)", op)}
	case code == "ResourceExistsException":
		return &fetch.Error{Msg: msg, Err: err, Help: "it was created meanwhile; run keep set again to update it"}
	case fetch.ScheduledForDeletion(code, ae.ErrorMessage()):
		return &fetch.Error{Msg: msg, Err: err, Help: "the secret is scheduled for deletion: run keep restore first"}
	case strings.Contains(code, "KMS"), code == "EncryptionFailure", code == "DecryptionFailure":
		key := vault.KMSKey
		if key == "" {
			key = "alias/aws/secretsmanager"
		}
		return &fetch.Error{Msg: msg, Err: err, Help: fmt.Sprintf("check the KMS key %s: that it exists, is enabled, and that you may kms:Encrypt, kms:Decrypt and kms:GenerateDataKey with it", key)}
	}
	return &fetch.Error{Msg: msg, Err: err, Help: "see the AWS error code above"}
}

// redact replaces value in msg. Short values are left alone: a match of
// one or two characters says nothing and would garble the message.
func redact(msg, value string) string {
	if len(value) < 4 {
		return msg
	}
	return strings.ReplaceAll(msg, value, "[the value]")
}
