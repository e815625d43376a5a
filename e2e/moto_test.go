//go:build linux

package e2e

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keep-run/keep/internal/keeptest"
)

// What moto holds after keep ran, read with the SDK. Names are in
// us-east-1 unless a helper takes a region.

// describeIn is DescribeSecret for name in region, through moto.
func describeIn(t *testing.T, region, name string) *secretsmanager.DescribeSecretOutput {
	t.Helper()
	out, err := keeptest.Moto().Client().DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)}, inRegion(region))
	if err != nil {
		t.Fatalf("DescribeSecret %s in %s: %v", name, region, err)
	}
	return out
}

// inRegion sends one call of moto's client to region.
func inRegion(region string) func(*secretsmanager.Options) {
	return func(o *secretsmanager.Options) { o.Region = region }
}

// valueIn is the secret's current value in region, read with the SDK.
func valueIn(t *testing.T, region, name string) string {
	t.Helper()
	out, err := keeptest.Moto().Client().GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)}, inRegion(region))
	if err != nil {
		t.Fatalf("GetSecretValue %s in %s: %v", name, region, err)
	}
	return aws.ToString(out.SecretString)
}

// tagMap is tags as a map; a repeated key is an error.
func tagMap(t *testing.T, tags []types.Tag) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, tag := range tags {
		k := aws.ToString(tag.Key)
		if _, dup := m[k]; dup {
			t.Errorf("tag %s twice", k)
		}
		m[k] = aws.ToString(tag.Value)
	}
	return m
}

// wantTags checks that tags are exactly want; what names their secret.
func wantTags(t *testing.T, what string, tags []types.Tag, want map[string]string) {
	t.Helper()
	got := tagMap(t, tags)
	if len(got) != len(want) {
		t.Errorf("%s has %d tags %v, want exactly %v", what, len(got), got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: tag %s = %q, want %q (all: %v)", what, k, got[k], v, got)
		}
	}
}

// motoTags returns the tags of the secret name, or false when there is no
// such secret, not even one scheduled for deletion.
func motoTags(t *testing.T, name string) (map[string]string, bool) {
	t.Helper()
	out, err := keeptest.Moto().Client().DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, false
	}
	if err != nil {
		t.Fatalf("describe %s: %v", name, err)
	}
	tags := map[string]string{}
	for _, tag := range out.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return tags, true
}

// wantSecret checks that moto holds name with value and exactly tags.
func wantSecret(t *testing.T, name, value string, tags map[string]string) {
	t.Helper()
	got, ok := motoTags(t, name)
	if !ok {
		t.Errorf("%s does not exist", name)
		return
	}
	if !maps.Equal(got, tags) {
		t.Errorf("%s is tagged %v, want %v", name, got, tags)
	}
	if v := valueIn(t, "us-east-1", name); v != value {
		t.Errorf("%s holds %d bytes, not the %d-byte value it should", name, len(v), len(value))
	}
}

// wantNoSecret checks that none of names exists, not even scheduled for
// deletion.
func wantNoSecret(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		_, err := keeptest.Moto().Client().DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("DescribeSecret %s = %v, want ResourceNotFound", name, err)
		}
	}
}

// secretNames lists the secrets in moto whose name starts with prefix,
// including those scheduled for deletion.
func secretNames(t *testing.T, prefix string) []string {
	t.Helper()
	in := &secretsmanager.ListSecretsInput{
		IncludePlannedDeletion: aws.Bool(true),
		Filters:                []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{prefix}}},
	}
	var names []string
	p := secretsmanager.NewListSecretsPaginator(keeptest.Moto().Client(), in)
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.SecretList {
			if name := aws.ToString(e.Name); strings.HasPrefix(name, prefix) {
				names = append(names, name)
			}
		}
	}
	return names
}
