package fetch

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// listPageSize is ListSecrets' maximum page size.
const listPageSize = 100

// listed is a secret that passed the exact check, before its value is known.
type listed struct {
	Key, Name, ARN string
}

// listFilters narrow the listing on the server. They are prefix matches
// and match tag keys and values independently, so they never decide
// membership; Target.Match does.
func listFilters(t Target) []types.Filter {
	return namedFilters(t.Prefix())
}

// namedFilters narrow a listing to names starting with one of prefixes,
// tagged ManagedBy=Keep (prefix matches, like listFilters').
func namedFilters(prefixes ...string) []types.Filter {
	return []types.Filter{
		{Key: types.FilterNameStringTypeName, Values: prefixes},
		{Key: types.FilterNameStringTypeTagKey, Values: []string{TagManagedBy}},
		{Key: types.FilterNameStringTypeTagValue, Values: []string{ManagedByKeep}},
	}
}

// listPages pages through ListSecrets and calls page with the secrets of
// each page that belong to t, the names under t's prefix that don't, and
// whether it is the last page. page is called from this goroutine, in
// order, before the next page is requested.
func listPages(ctx context.Context, api API, t Target, page func(matched []listed, skipped []string, last bool)) error {
	in := &secretsmanager.ListSecretsInput{
		MaxResults: aws.Int32(listPageSize),
		Filters:    listFilters(t),
	}
	seenARN := map[string]bool{}
	return eachListPage(ctx, api, in, func(out *secretsmanager.ListSecretsOutput, last bool) error {
		var matched []listed
		var skipped []string
		for _, e := range out.SecretList {
			if aws.ToString(e.Name) == "" {
				// Without its name keep cannot tell whether it is one of
				// the target's: skipping it could start the command
				// without a secret.
				return &Error{Msg: "ListSecrets: malformed response from Secrets Manager: a secret is listed without a Name", Help: "run keep again; report it if it persists"}
			}
			arn := aws.ToString(e.ARN)
			key, ok := t.Match(e)
			if ok && arn == "" {
				return &Error{Msg: fmt.Sprintf("ListSecrets: secret %s is listed without an ARN", Printable(aws.ToString(e.Name))), Help: "run keep again; report it if it persists"}
			}
			if arn == "" || seenARN[arn] {
				continue
			}
			seenARN[arn] = true
			if !ok && t.Ambiguous(e) {
				return &Error{
					Msg:  fmt.Sprintf("secret %s is tagged for %s, but keep cannot tell the KEY from its name (an empty segment, a character a name cannot hold, or a segment named like the env, which could make it another vault's secret)", Printable(aws.ToString(e.Name)), t),
					Help: "rename the secret (KEYs are letters, digits, '_' and '-'), tag it Scope=<its vault's scope> if another vault's, or schedule its deletion",
				}
			}
			if !ok {
				if name := aws.ToString(e.Name); strings.HasPrefix(name, t.Prefix()) && e.DeletedDate == nil {
					skipped = append(skipped, name)
				}
				continue
			}
			matched = append(matched, listed{Key: key, Name: aws.ToString(e.Name), ARN: arn})
		}
		page(matched, skipped, last)
		return nil
	})
}
