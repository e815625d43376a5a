package bench

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keep-run/keep/fetch"
)

// The strategies compared, all through the real SDK against the same fake.
// Each returns the number of secrets it read; the fake counts the calls.

type strategy struct {
	name string
	// list reads every secret of t; template reads the given keys.
	list     func(ctx context.Context, c *secretsmanager.Client, t fetch.Target) (int, error)
	template func(ctx context.Context, c *secretsmanager.Client, t fetch.Target, keys []string) (int, error)
}

var strategies = []strategy{
	{name: "keep", list: keepList, template: keepTemplate},
	{name: "php-keep", list: phpKeepList, template: phpKeepTemplate},
	{name: "naive", list: naiveList, template: naiveTemplate},
}

// keep: the fetch package as keep run uses it.
func keepList(ctx context.Context, c *secretsmanager.Client, t fetch.Target) (int, error) {
	res, err := (&fetch.Fetcher{API: c, Region: "us-east-1"}).List(ctx, t, nil)
	if err != nil {
		return 0, err
	}
	return len(res.Secrets), nil
}

func keepTemplate(ctx context.Context, c *secretsmanager.Client, t fetch.Target, keys []string) (int, error) {
	res, err := (&fetch.Fetcher{API: c, Region: "us-east-1"}).ByName(ctx, t, keys)
	if err != nil {
		return 0, err
	}
	return len(res.Secrets), nil
}

// php-keep: the PHP Keep's algorithm — ListSecrets 20 a page, then
// BatchGetSecretValue for that page's ARNs, page after page, one call at a
// time. Its template mode lists everything the same way and picks.
func phpKeepList(ctx context.Context, c *secretsmanager.Client, t fetch.Target) (int, error) {
	n := 0
	in := &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(20), Filters: filters(t)}
	for {
		page, err := c.ListSecrets(ctx, in)
		if err != nil {
			return n, err
		}
		var arns []string
		for _, e := range page.SecretList {
			if _, ok := t.Match(e); ok {
				arns = append(arns, aws.ToString(e.ARN))
			}
		}
		if len(arns) > 0 {
			out, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: arns})
			if err != nil {
				return n, err
			}
			n += len(out.SecretValues)
		}
		if aws.ToString(page.NextToken) == "" {
			return n, nil
		}
		in.NextToken = page.NextToken
	}
}

func phpKeepTemplate(ctx context.Context, c *secretsmanager.Client, t fetch.Target, _ []string) (int, error) {
	return phpKeepList(ctx, c, t)
}

// naive: what most launchers do — list, then GetSecretValue per secret,
// one after the other. Its template mode skips the listing.
func naiveList(ctx context.Context, c *secretsmanager.Client, t fetch.Target) (int, error) {
	var names []string
	in := &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100), Filters: filters(t)}
	for {
		page, err := c.ListSecrets(ctx, in)
		if err != nil {
			return 0, err
		}
		for _, e := range page.SecretList {
			if _, ok := t.Match(e); ok {
				names = append(names, aws.ToString(e.Name))
			}
		}
		if aws.ToString(page.NextToken) == "" {
			break
		}
		in.NextToken = page.NextToken
	}
	return getEach(ctx, c, names)
}

func naiveTemplate(ctx context.Context, c *secretsmanager.Client, t fetch.Target, keys []string) (int, error) {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = t.SecretName(k)
	}
	return getEach(ctx, c, names)
}

func getEach(ctx context.Context, c *secretsmanager.Client, names []string) (int, error) {
	for _, name := range names {
		if _, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}); err != nil {
			return 0, fmt.Errorf("get %s: %w", name, err)
		}
	}
	return len(names), nil
}

func filters(t fetch.Target) []types.Filter {
	return []types.Filter{
		{Key: types.FilterNameStringTypeName, Values: []string{t.Prefix()}},
		{Key: types.FilterNameStringTypeTagKey, Values: []string{fetch.TagManagedBy}},
		{Key: types.FilterNameStringTypeTagValue, Values: []string{fetch.ManagedByKeep}},
	}
}
