package fetch

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// Occupied lists the KEYs of t that a new secret cannot take: every secret
// named Prefix()+KEY, whatever its tags, those scheduled for deletion
// included. Keys lists only the secrets that belong to t; a write must not
// mistake a mistagged or deleted secret for a free name. ListSecrets pages
// only, no value.
func (f *Fetcher) Occupied(ctx context.Context, t Target) ([]string, error) {
	in := &secretsmanager.ListSecretsInput{
		MaxResults:             aws.Int32(listPageSize),
		IncludePlannedDeletion: aws.Bool(true),
		Filters:                []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{t.Prefix()}}},
	}
	seen := map[string]bool{}
	var keys []string
	err := eachListPage(ctx, f.API, in, func(out *secretsmanager.ListSecretsOutput, _ bool) error {
		for _, e := range out.SecretList {
			key, ok := strings.CutPrefix(aws.ToString(e.Name), t.Prefix())
			if ok && ValidKey(key) && !seen[key] {
				seen[key] = true
				keys = append(keys, key)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list secrets of %s in %s: %w", t, f.Region, err)
	}
	sort.Strings(keys)
	return keys, nil
}
