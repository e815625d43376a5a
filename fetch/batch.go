package fetch

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// batchSize is BatchGetSecretValue's maximum number of ids.
const batchSize = 20

// batchGet fetches the values of want (at most batchSize) by ARN. It returns
// the secrets, and a SecretError for every wanted secret that came back as
// an error, as binary, without a value, or not at all. Values returned for
// ids that were not asked for are dropped. err is set only when the call as
// a whole failed.
func batchGet(ctx context.Context, api API, want []listed) ([]Secret, SecretErrors, error) {
	byARN := make(map[string]listed, len(want))
	ids := make([]string, len(want))
	for i, s := range want {
		byARN[s.ARN] = s
		ids[i] = s.ARN
	}
	out, err := api.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: ids})
	if err != nil {
		return nil, nil, callError("BatchGetSecretValue", err)
	}
	done := make(map[string]bool, len(want))
	var secrets []Secret
	var failed SecretErrors
	for _, v := range out.SecretValues {
		s, ok := byARN[aws.ToString(v.ARN)]
		if !ok || done[s.ARN] {
			continue
		}
		done[s.ARN] = true
		switch {
		case v.SecretString != nil:
			secrets = append(secrets, Secret{Key: s.Key, Name: s.Name, ARN: s.ARN, Value: *v.SecretString, VersionID: aws.ToString(v.VersionId)})
		case v.SecretBinary != nil:
			failed = append(failed, &SecretError{Name: s.Name, Code: CodeBinary, Message: "the secret holds binary data"})
		default:
			failed = append(failed, &SecretError{Name: s.Name, Code: CodeNoValue, Message: "the secret has no string value"})
		}
	}
	for _, e := range out.Errors {
		id := aws.ToString(e.SecretId)
		s, ok := byARN[id]
		if !ok {
			s, ok = findByName(want, id)
		}
		if !ok || done[s.ARN] {
			continue // not ours: ignore
		}
		done[s.ARN] = true
		failed = append(failed, &SecretError{Name: s.Name, Code: aws.ToString(e.ErrorCode), Message: aws.ToString(e.Message)})
	}
	for _, s := range want {
		if !done[s.ARN] {
			failed = append(failed, &SecretError{Name: s.Name, Code: CodeNotReturned, Message: "missing from the BatchGetSecretValue response"})
		}
	}
	return secrets, failed, nil
}

func findByName(want []listed, name string) (listed, bool) {
	for _, s := range want {
		if s.Name == name {
			return s, true
		}
	}
	return listed{}, false
}
