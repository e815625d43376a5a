//go:build keep_testpanic

package fetch

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go/middleware"
)

// A binary built with -tags keep_testpanic and run with
// KEEP_TESTPANIC=fetch panics inside the SDK call of every
// BatchGetSecretValue that returns a value, with the value in the panic
// message, as a bug in a decoder might: in the fetch goroutines, where
// safely must turn it into an error without the value. See
// TestPanicInFetchPrintsNoValue.
func init() {
	if os.Getenv("KEEP_TESTPANIC") != "fetch" {
		return
	}
	clientOptions = append(clientOptions, func(o *secretsmanager.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("keepTestPanic",
				func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleDeserialize(ctx, in)
					if r, ok := out.Result.(*secretsmanager.BatchGetSecretValueOutput); ok && err == nil && len(r.SecretValues) > 0 {
						panic("testpanic in fetch: " + aws.ToString(r.SecretValues[0].SecretString))
					}
					return out, md, err
				}), middleware.Before)
		})
	})
}
