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
	for range maxListPages {
		out, err := f.API.ListSecrets(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list secrets of %s in %s: %w", t, f.Region, callError("ListSecrets", err))
		}
		for _, e := range out.SecretList {
			key, ok := strings.CutPrefix(aws.ToString(e.Name), t.Prefix())
			if ok && ValidKey(key) && !seen[key] {
				seen[key] = true
				keys = append(keys, key)
			}
		}
		if aws.ToString(out.NextToken) == "" {
			sort.Strings(keys)
			return keys, nil
		}
		in.NextToken = out.NextToken
	}
	return nil, &Error{Msg: "ListSecrets: the listing does not end", Help: "run keep again; report it if it persists"}
}
