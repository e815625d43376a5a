package fetch

import (
	"context"
	"errors"
	"io"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// MaxResponseBody is the most keep reads of one response: 16 MiB. Secrets
// Manager sends far less: a value is at most 64 KiB, a batch at most 20 of
// them (7.5 MiB even if every byte were a JSON \u escape), and a page of
// the listing 100 entries. A larger body comes from something else, and
// reading it whole could exhaust memory (a 200 MB body made keep 545 MB).
const MaxResponseBody = 16 << 20

// errBodyTooLarge ends the read of a response beyond MaxResponseBody.
var errBodyTooLarge = errors.New("response body larger than 16 MiB")

// capBody limits every response body of a client to MaxResponseBody: the
// operation's decoder, which runs outside this step, reads at most that
// much and then fails with errBodyTooLarge (see CallError).
func capBody(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("keepCapBody", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleDeserialize(ctx, in)
		if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
			resp.Body = &cappedBody{ReadCloser: resp.Body, left: MaxResponseBody}
		}
		return out, md, err
	}), middleware.After)
}

// cappedBody reads at most left more bytes, then fails.
type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the cap from a longer one.
		var one [1]byte
		if n, _ := b.ReadCloser.Read(one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}
