package smfake

import (
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Quotas are Secrets Manager's request quotas per account and region, in
// requests per second (AWS's documentation, as of 2025): what a fleet of
// keep starts shares.
var Quotas = map[string]float64{
	"ListSecrets":         100,
	"BatchGetSecretValue": 100,
	"GetSecretValue":      10000,
	"DescribeSecret":      40000,
}

// bucket is one operation's token bucket: rate tokens a second, holding
// at most one second's worth (the burst), full at the start. A request
// that finds it empty is throttled and costs no token.
type bucket struct {
	rate, tokens float64
	last         time.Time
	throttled    int
}

// throttle takes a token of op's bucket, made on first use from s.Quota,
// and reports whether there was none. An op without a quota is never
// throttled.
func (s *Server) throttle(op string) bool {
	rate, ok := s.Quota[op]
	if !ok || rate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	b := s.buckets[op]
	if b == nil {
		b = &bucket{rate: rate, tokens: max(1, rate), last: now}
		if s.buckets == nil {
			s.buckets = map[string]*bucket{}
		}
		s.buckets[op] = b
	}
	b.tokens = min(max(1, b.rate), b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return false
	}
	b.throttled++
	return true
}

// Throttled is how many op requests the quota refused.
func (s *Server) Throttled(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[op]; b != nil {
		return b.throttled
	}
	return 0
}

// DirectClient is Client without a network: requests go straight to the
// fake's handler in this process, with no connection or server goroutine
// of their own. Everything above HTTP — the SDK's signing, retries and
// decoding, Latency, Quota, Inject — is as over the network; Raw cannot
// take a connection over. It is what a simulation inside a
// testing/synctest bubble needs, where time is virtual and a socket would
// not be. The fake is not started.
func (s *Server) DirectClient(optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       Region,
		BaseEndpoint: aws.String("http://smfake.invalid"),
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		HTTPClient:   direct{s},
	}, optFns...)
}

type direct struct{ s *Server }

func (d direct) Do(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	d.s.serve(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}
