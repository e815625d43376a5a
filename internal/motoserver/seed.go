package motoserver

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"golang.org/x/sync/errgroup"
)

// Secret is a secret to create.
type Secret struct {
	Name   string
	Value  string
	Binary []byte // when set, the secret is binary and Value is ignored
	Tags   map[string]string
	// Deleted schedules the secret for deletion after creating it.
	Deleted bool
}

// Create creates secrets, several at a time.
func (s *Server) Create(ctx context.Context, secrets ...Secret) error {
	c := s.Client()
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, sec := range secrets {
		g.Go(func() error {
			in := &secretsmanager.CreateSecretInput{Name: aws.String(sec.Name)}
			if sec.Binary != nil {
				in.SecretBinary = sec.Binary
			} else {
				in.SecretString = aws.String(sec.Value)
			}
			keys := make([]string, 0, len(sec.Tags))
			for k := range sec.Tags {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(sec.Tags[k])})
			}
			if _, err := c.CreateSecret(ctx, in); err != nil {
				return fmt.Errorf("create %s: %w", sec.Name, err)
			}
			if sec.Deleted {
				if _, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(sec.Name)}); err != nil {
					return fmt.Errorf("delete %s: %w", sec.Name, err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}
