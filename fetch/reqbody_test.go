package fetch

import (
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// bodyCheck is an HTTP client that records whether request bodies have
// WriteTo and how long they are, and answers an empty listing.
type bodyCheck struct {
	writerTo bool
	length   int64
	read     int
}

func (b *bodyCheck) Do(req *http.Request) (*http.Response, error) {
	_, b.writerTo = req.Body.(io.WriterTo)
	b.length = req.ContentLength
	data, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	b.read = len(data)
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(http.NoBody), Request: req}, nil
}

// net/http gets request bodies without WriteTo, whole (see plainBody).
func TestPlainBody(t *testing.T) {
	for _, plain := range []bool{false, true} {
		check := &bodyCheck{}
		client := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", HTTPClient: check,
			Credentials: aws.AnonymousCredentials{}}, func(o *secretsmanager.Options) {
			if plain {
				o.APIOptions = append(o.APIOptions, plainBody)
			}
		})
		if _, err := client.ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100)}); err != nil {
			t.Fatal(err)
		}
		switch {
		case plain && check.writerTo:
			t.Error("with plainBody, the body still has WriteTo")
		case !plain && !check.writerTo:
			t.Log("the SDK's request body has no WriteTo any more: plainBody may no longer be needed")
		}
		if check.length <= 0 || int64(check.read) != check.length {
			t.Errorf("plainBody %v: Content-Length %d, body %d bytes", plain, check.length, check.read)
		}
	}
}
