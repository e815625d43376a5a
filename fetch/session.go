package fetch

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/sync/errgroup"
)

// Session makes the Secrets Manager clients of one AWS profile: one per
// region, made on first use and shared by every Conn of that region. It is
// safe for concurrent use.
type Session struct {
	profile string
	// Endpoint, when set, is every client's Secrets Manager endpoint
	// (--endpoint-url), over AWS_ENDPOINT_URL_SECRETS_MANAGER and
	// AWS_ENDPOINT_URL. Set it before the first Open.
	Endpoint string
	// Log, when set, is told of every API call (see logCalls: operation,
	// secret name, outcome, time; never a value). Set it before the first
	// Open.
	Log func(format string, args ...any)

	mu      sync.Mutex
	clients map[string]*regionClient // by the region asked for
}

type regionClient struct {
	once   sync.Once
	api    *secretsmanager.Client
	region string
	err    error
}

// NewSession is a Session for profile ("" leaves the choice to the SDK's
// usual chain, as NewClient does).
func NewSession(profile string) *Session {
	return &Session{profile: profile, clients: map[string]*regionClient{}}
}

// Open is a Conn on t in region ("" leaves the choice to the SDK's chain),
// over the region's client, which the first Open of that region makes
// (NewClient). A client that could not be made fails every Open of its
// region.
func (s *Session) Open(ctx context.Context, region string, t Target) (*Conn, error) {
	s.mu.Lock()
	c, ok := s.clients[region]
	if !ok {
		c = &regionClient{}
		s.clients[region] = c
	}
	s.mu.Unlock()
	c.once.Do(func() { c.api, c.region, c.err = newClient(ctx, region, s.profile, s.options()...) })
	if c.err != nil {
		return nil, c.err
	}
	return NewConn(c.api, c.region, t), nil
}

// Region is the region of the client Open made for region (as asked
// for), as the SDK resolved it: also when making the client failed after
// that, e.g. for want of credentials. "" before Open, or when the region
// itself could not be resolved.
func (s *Session) Region(region string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[region]; ok {
		return c.region
	}
	return ""
}

// options are the client options of s's Endpoint and Log.
func (s *Session) options() []func(*secretsmanager.Options) {
	var opts []func(*secretsmanager.Options)
	if s.Endpoint != "" {
		opts = append(opts, func(o *secretsmanager.Options) { o.BaseEndpoint = &s.Endpoint })
	}
	if s.Log != nil {
		opts = append(opts, func(o *secretsmanager.Options) { o.APIOptions = append(o.APIOptions, logCalls(s.Log)) })
	}
	return opts
}

// Wanted are keys of one target to read by name, in one region ("" for
// the SDK's chain).
type Wanted struct {
	Region string
	Target Target
	Keys   []string
}

// ByName reads every Wanted at once, each with Conn.ByName: one round trip
// however many targets and regions. The results are under want's labels.
// The first failure fails the whole, and ends the other reads.
func (s *Session) ByName(ctx context.Context, want map[string]Wanted) (map[string]*Named, error) {
	out := make(map[string]*Named, len(want))
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for label, w := range want {
		g.Go(func() error {
			c, err := s.Open(gctx, w.Region, w.Target)
			if err != nil {
				return err
			}
			named, err := c.ByName(gctx, w.Keys)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			out[label] = named
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
