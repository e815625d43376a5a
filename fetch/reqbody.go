package fetch

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// plainBody gives net/http a request body without WriteTo.
//
// The SDK sends a request body whose WriteTo returns io.EOF once the SDK
// has closed it, which it does as soon as the response headers are in.
// After writing a body, net/http copies what is left of it to io.Discard,
// to check its length; io.Copy prefers WriteTo, so when the server has
// answered first, that copy fails with io.EOF and net/http closes the
// connection under the response the SDK is still reading: a good answer
// fails with "use of closed network connection". Without WriteTo io.Copy
// reads, and EOF is just the end.
//
// The fault is smithy-go's (safeWriteToReadCloser.WriteTo in
// transport/http/internal/io, as of v1.28.9): drop this once it returns
// (0, nil) after close. TestPlainBody only tells whether WriteTo is hidden,
// not whether the fault is gone upstream.
func plainBody(stack *middleware.Stack) error {
	return stack.Serialize.Add(middleware.SerializeMiddlewareFunc("keepPlainBody", func(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
		if req, ok := in.Request.(*smithyhttp.Request); ok {
			if s, ok := req.GetStream().(io.ReadSeeker); ok {
				if _, writerTo := s.(io.WriterTo); writerTo {
					r, err := req.SetStream(readSeeker{s})
					if err != nil {
						return middleware.SerializeOutput{}, middleware.Metadata{}, err
					}
					in.Request = r
				}
			}
		}
		return next.HandleSerialize(ctx, in)
	}), middleware.After)
}

// WithPlainBody adds plainBody to a client's options. NewClient's clients
// have it; a client made by hand for internal/smfake needs it too (as
// srv.Client(fetch.WithPlainBody)), or a fast answer can cost a retry and
// throw off the calls a test counts.
func WithPlainBody(o *secretsmanager.Options) {
	o.APIOptions = append(o.APIOptions, plainBody)
}

// readSeeker is an io.ReadSeeker and nothing more.
type readSeeker struct{ io.ReadSeeker }
