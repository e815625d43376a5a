package write

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/fetch"
)

// Probe tells whether keep may write in c (keep verify --write): it
// creates a throw-away secret keep-verify-<hex> of c's target, as Set
// does, and deletes it at once, without recovery. vault's replicas are
// left out: a replicated secret cannot be deleted at once. When the
// delete fails, the error names the secret left behind.
func Probe(ctx context.Context, c *fetch.Conn, vault Vault) error {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	vault.Replicas = nil
	res, err := Set(ctx, c, vault, "keep-verify-"+hex.EncodeToString(b[:]), "keep verify")
	if err != nil {
		return err
	}
	_, err = c.Writer().DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(res.ARN), ForceDeleteWithoutRecovery: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("created %s but could not delete it: %w", res.Name, err)
	}
	return nil
}
