package fetch

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Conn is a handle on one target in one region: what a command reads, and
// writes with package write. It may be used concurrently.
type Conn struct {
	Target Target
	// Region is the client's region, as resolved: never "".
	Region string
	api    Client
}

// NewConn is a Conn on t through api, a client of region. Session.Open
// makes them; tests make them over a client of internal/smfake.
func NewConn(api Client, region string, t Target) *Conn {
	return &Conn{Target: t, Region: region, api: api}
}

// Writer is c's client, for package write.
func (c *Conn) Writer() WriteAPI { return c.api }

func (c *Conn) fetcher() *Fetcher { return &Fetcher{API: c.api, Region: c.Region} }

// List is Fetcher.List of c's target.
func (c *Conn) List(ctx context.Context, want func(key string) bool) (*Result, error) {
	return c.fetcher().List(ctx, c.Target, want)
}

// ByName is Fetcher.ByName of c's target.
func (c *Conn) ByName(ctx context.Context, keys []string) (*Named, error) {
	return c.fetcher().ByName(ctx, c.Target, keys)
}

// Keys is Fetcher.Keys of c's target.
func (c *Conn) Keys(ctx context.Context) ([]string, error) {
	return c.fetcher().Keys(ctx, c.Target)
}

// Occupied is Fetcher.Occupied of c's target.
func (c *Conn) Occupied(ctx context.Context) ([]string, error) {
	return c.fetcher().Occupied(ctx, c.Target)
}

// CheckList makes one small ListSecrets call, to tell whether the
// credentials may list secrets in c's region. It does not use c's target.
func (c *Conn) CheckList(ctx context.Context) error {
	if _, err := c.api.ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(1)}); err != nil {
		return CallError("ListSecrets", err)
	}
	return nil
}
