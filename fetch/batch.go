package fetch

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// batchSize is BatchGetSecretValue's maximum number of ids.
const batchSize = 20

// batchGet fetches the values of want (at most batchSize) by ARN — or by
// name, with byName, when the secrets were not listed. It returns the
// secrets, and a SecretError for every wanted secret that came back as an
// error, as binary, without a value, or not at all. By name, a secret
// Secrets Manager reports as not found is in missing (its KEY) instead:
// the template's "missing secret". Values and errors for ids that were not
// asked for are dropped. err is set only when the call as a whole failed.
// opts change the call's options (quota.go's noThrottleRetries).
func batchGet(ctx context.Context, api API, want []listed, byName bool, opts ...func(*secretsmanager.Options)) (secrets []Secret, missing []string, failed SecretErrors, err error) {
	id := func(s listed) string { return s.ARN }
	if byName {
		id = func(s listed) string { return s.Name }
	}
	byID := make(map[string]listed, len(want))
	byNameOnly := make(map[string]listed, len(want))
	ids := make([]string, len(want))
	for i, s := range want {
		byID[id(s)] = s
		byNameOnly[s.Name] = s
		ids[i] = id(s)
	}
	out, err := api.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: ids}, opts...)
	if err != nil {
		return nil, nil, nil, CallError("BatchGetSecretValue", err)
	}
	done := make(map[string]bool, len(want))
	for _, v := range out.SecretValues {
		entryID := aws.ToString(v.ARN)
		if byName {
			entryID = aws.ToString(v.Name)
		}
		s, ok := byID[entryID]
		if !ok || done[s.Name] {
			continue
		}
		done[s.Name] = true
		switch {
		case v.SecretString != nil:
			secrets = append(secrets, Secret{Key: s.Key, Name: s.Name, ARN: aws.ToString(v.ARN), Value: *v.SecretString, VersionID: aws.ToString(v.VersionId), Created: aws.ToTime(v.CreatedDate)})
		case v.SecretBinary != nil:
			failed = append(failed, &SecretError{Name: s.Name, Code: CodeBinary, Message: "the secret holds binary data"})
		default:
			failed = append(failed, &SecretError{Name: s.Name, Code: CodeNoValue, Message: "the secret has no string value"})
		}
	}
	for _, e := range out.Errors {
		// SecretId is "the ARN or name of the secret", whichever was sent
		// or not.
		errID := aws.ToString(e.SecretId)
		s, ok := byID[errID]
		if !ok {
			s, ok = byNameOnly[nameOfID(errID)]
		}
		if !ok || done[s.Name] {
			continue
		}
		done[s.Name] = true
		if code := aws.ToString(e.ErrorCode); byName && (code == "ResourceNotFoundException" || ScheduledForDeletion(code, aws.ToString(e.Message))) {
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

// ScheduledForDeletion reports whether an AWS error code and message say
// the secret is scheduled for deletion (InvalidRequestException, "marked
// for deletion" or, from moto, "marked deleted"): a per-secret error of
// BatchGetSecretValue, or the error of a call on that secret.
func ScheduledForDeletion(code, message string) bool {
	return code == "InvalidRequestException" && strings.Contains(strings.ToLower(message), "delet")
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
