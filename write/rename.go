package write

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/fetch"
)

// RenameResult says what Rename did.
type RenameResult struct {
	Old, New  string // the secrets' names
	VersionID string // the new secret's version
	// DeletionDate is when the old secret's scheduled deletion is final.
	DeletionDate time.Time
}

// Rename gives the secret oldKey of c's target the KEY newKey. Secrets
// Manager cannot rename, so Rename creates newKey with oldKey's current
// value, tags (all of them, as they are: the PHP Keep's Env included), KMS
// key and description (Keep's description, which names
// the KEY, names the new one), then schedules oldKey for deletion after
// recoveryDays (7–30; keep restore undoes it). Only the current value
// moves: the old secret's earlier versions stay with it.
//
// It refuses an old secret that does not exist, that keep does not manage
// for the namespace or does not read as the target's, that is scheduled
// for deletion, or that is replicated (AWS deletes no secret that has
// replicas), and a new KEY that any secret holds (one scheduled for
// deletion included). When the creation fails nothing has changed; when
// the deletion fails, both secrets exist with the same value, and the
// error says how to finish or undo.
func Rename(ctx context.Context, c *fetch.Conn, oldKey, newKey string, recoveryDays int) (*RenameResult, error) {
	for _, k := range []string{oldKey, newKey} {
		if err := fetch.CheckKey(k); err != nil {
			return nil, err
		}
	}
	api, t := c.Writer(), c.Target
	oldName, newName := t.SecretName(oldKey), t.SecretName(newKey)
	if oldKey == newKey {
		return nil, &fetch.Error{Msg: fmt.Sprintf("%s and the new name are the same", oldName), Help: "give the new KEY as the second argument"}
	}
	old, err := describe(ctx, api, oldName)
	if err != nil {
		return nil, err
	}
	if old == nil {
		return nil, &fetch.Error{Msg: fmt.Sprintf("%s does not exist", oldName), Help: "check the KEY and --env; keep show lists the secrets"}
	}
	if err := checkManaged(old, t, oldName); err != nil {
		return nil, err
	}
	if err := checkEnv(old, t, oldName, "keep renames only secrets its reads count as the environment's", envTagHelp(t, "rename")); err != nil {
		return nil, err
	}
	if len(old.ReplicationStatus) > 0 {
		return nil, &fetch.Error{
			Msg:  fmt.Sprintf("%s is replicated to %d region(s); AWS deletes no secret before its replicas are removed, so keep does not rename it", oldName, len(old.ReplicationStatus)),
			Help: "remove its replicas first (aws secretsmanager remove-regions-from-replication), then rename it; nothing was changed",
		}
	}
	taken, err := describe(ctx, api, newName)
	if err != nil {
		return nil, err
	}
	if taken != nil {
		help := "choose another KEY, or keep delete it first"
		if taken.DeletedDate != nil {
			help = fmt.Sprintf("it is scheduled for deletion on %s and holds the name until then: choose another KEY, or keep restore it", taken.DeletedDate.Format("2006-01-02"))
		}
		return nil, &fetch.Error{Msg: fmt.Sprintf("%s already exists; nothing was changed", newName), Help: help}
	}
	info, err := c.Get(ctx, oldKey, "", "", false)
	if err != nil {
		return nil, err
	}
	in := &secretsmanager.CreateSecretInput{
		Name:         aws.String(newName),
		SecretString: aws.String(info.Value),
		Tags:         old.Tags,
		KmsKeyId:     old.KmsKeyId,
	}
	if d := renamedDescription(aws.ToString(old.Description), oldKey, newKey); d != "" {
		in.Description = aws.String(d)
	}
	created, err := api.CreateSecret(ctx, in)
	if err != nil {
		err = writeError("CreateSecret", newName, Vault{KMSKey: aws.ToString(old.KmsKeyId)}, info.Value, err)
		return nil, fmt.Errorf("%w (nothing was changed)", err)
	}
	res := &RenameResult{Old: oldName, New: newName, VersionID: aws.ToString(created.VersionId)}
	out, err := api.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: old.ARN, RecoveryWindowInDays: aws.Int64(int64(recoveryDays))})
	if err != nil {
		err = writeError("DeleteSecret", oldName, Vault{}, "", err)
		return nil, &fetch.Error{
			Msg: fmt.Sprintf("created %s, but could not schedule %s for deletion: both exist, with the same value: %v", newName, oldName, err),
			Help: fmt.Sprintf("finish with keep delete %s --env=%s, or undo with keep delete %s --env=%s --force",
				oldKey, t.Env, newKey, t.Env),
			Err: err,
		}
	}
	res.DeletionDate = aws.ToTime(out.DeletionDate)
	return res, nil
}

// renamedDescription is the new secret's description: the PHP Keep's
// "Keep secret: OLD for …" names newKey instead; any other is kept as is.
func renamedDescription(d, oldKey, newKey string) string {
	if rest, ok := strings.CutPrefix(d, "Keep secret: "+oldKey+" for "); ok {
		return "Keep secret: " + newKey + " for " + rest
	}
	return d
}
