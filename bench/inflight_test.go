package bench

import (
	"io"
	"net/http"
	"sync"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// counting is the SDK's own HTTP client (as keep builds it) that counts
// the requests in flight from the client's side: from sending until the
// response body is closed. That is the concurrency keep actually uses,
// which its connections are measured against.
type counting struct {
	client   *awshttp.BuildableClient
	mu       sync.Mutex
	now, max int
}

func (c *counting) Do(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.now++
	c.max = max(c.max, c.now)
	c.mu.Unlock()
	resp, err := c.client.Do(r)
	if err != nil {
		c.done()
		return nil, err
	}
	resp.Body = &closeNotifier{ReadCloser: resp.Body, done: sync.OnceFunc(c.done)}
	return resp, nil
}

func (c *counting) done() {
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
}

func (c *counting) peak() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.max
}

type closeNotifier struct {
	io.ReadCloser
	done func()
}

func (c *closeNotifier) Close() error {
	defer c.done()
	return c.ReadCloser.Close()
}

// countingClient is client with its HTTP client counted.
func countingClient(client *secretsmanager.Client) (*secretsmanager.Client, *counting) {
	c := &counting{client: awshttp.NewBuildableClient()}
	return secretsmanager.New(client.Options(), func(o *secretsmanager.Options) { o.HTTPClient = c }), c
}
