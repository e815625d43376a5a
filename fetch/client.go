package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// Timeouts for one connection; the command's --timeout bounds the whole.
const (
	dialTimeout           = 5 * time.Second
	tlsHandshakeTimeout   = 5 * time.Second
	responseHeaderTimeout = 15 * time.Second
)

// NewClient builds a Secrets Manager client. An empty region or profile
// leaves the choice to the SDK's usual chain (AWS_REGION, AWS_PROFILE, the
// shared config files); AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_SECRETS_MANAGER
// are honoured. It returns the region in use, also with an error about
// the credentials.
func NewClient(ctx context.Context, region, profile string) (*secretsmanager.Client, string, error) {
	return newClient(ctx, region, profile)
}

// newClient is NewClient with extra client options (Session's).
func newClient(ctx context.Context, region, profile string, extra ...func(*secretsmanager.Options)) (*secretsmanager.Client, string, error) {
	// The SDK's buildable client, not a plain *http.Client: the SDK can then
	// still apply AWS_CA_BUNDLE to it.
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = tlsHandshakeTimeout
			t.ResponseHeaderTimeout = responseHeaderTimeout
		})
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithHTTPClient(httpClient),
		// The SDK logs warnings (IMDSv1 fallback…) to stderr on its own;
		// keep's stderr is one or two lines per problem.
		awsconfig.WithLogger(logging.Nop{}),
		// A call that runs out of time while retrying says what failed;
		// a fast answer is not lost to a closed connection (reqbody.go);
		// no response is read beyond MaxResponseBody (bodycap.go).
		awsconfig.WithAPIOptions([]func(*middleware.Stack) error{recordAttempts, plainBody, capBody}),
	}
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, "", &Error{
			Msg:  "load AWS configuration: " + oneLine(err.Error()),
			Help: "check AWS_PROFILE / --profile and the files in ~/.aws",
			Err:  err,
		}
	}
	if cfg.Region == "" {
		return nil, "", &Error{
			Msg:  "no AWS region configured",
			Help: "pass --region, set KEEP_REGION or AWS_REGION, or set \"region\" in the vault file",
		}
	}
	if cfg.RetryMode == "" && cfg.RetryMaxAttempts == 0 {
		cfg.Retryer = newRetryer // keep's retry budgets; see retry.go
	}
	if err := retrieveCredentials(ctx, cfg); err != nil {
		return nil, cfg.Region, err
	}
	return secretsmanager.NewFromConfig(cfg, append(clientOptions[:len(clientOptions):len(clientOptions)], extra...)...), cfg.Region, nil
}

// clientOptions are extra client options: none, except in binaries built
// with the keep_testpanic tag (see testpanic.go).
var clientOptions []func(*secretsmanager.Options)

// imdsCredentialTimeout bounds getting credentials from the EC2 instance
// metadata service, which is what the SDK falls back to when nothing else
// gives any. On EC2 it answers in milliseconds; elsewhere a firewalled
// metadata address can stall the SDK for its own 5-second limit.
const imdsCredentialTimeout = 1500 * time.Millisecond

// retrieveCredentials gets the credentials now, not inside the first call:
// a missing one is then one clear error, bounded by ctx, not a chain of
// SDK messages.
func retrieveCredentials(ctx context.Context, cfg aws.Config) error {
	if err := ctx.Err(); err != nil {
		// Out of time before asking: the credentials are not to blame
		// (static ones would fail here too, with the context's error).
		return CallError("before the first call to Secrets Manager", err)
	}
	fromIMDS := aws.IsCredentialsProvider(cfg.Credentials, (*ec2rolecreds.Provider)(nil))
	credCtx := ctx
	if fromIMDS {
		var cancel context.CancelFunc
		credCtx, cancel = context.WithTimeout(ctx, imdsCredentialTimeout)
		defer cancel()
	}
	_, err := cfg.Credentials.Retrieve(credCtx)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return CallError("get AWS credentials", ctx.Err())
	case fromIMDS && credCtx.Err() != nil:
		return &Error{
			Msg:  fmt.Sprintf("no AWS credentials: none in the environment or ~/.aws, and the EC2 instance metadata service did not answer within %s", imdsCredentialTimeout),
			Help: "configure credentials: AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an instance or task role",
			Err:  err,
		}
	}
	var pe *processcreds.ProviderError
	if errors.As(err, &pe) {
		// Its message quotes the process's output, which may be the
		// credentials themselves: never print it.
		return &Error{
			Msg:  "no AWS credentials: the profile's credential_process failed, or printed something besides its JSON (its output is not shown: it may hold credentials)",
			Help: "run the credential_process of your profile by hand and check that it prints only the JSON the AWS CLI expects",
			Err:  errors.New("credential_process failed"),
		}
	}
	return &Error{
		Msg:  "no AWS credentials: " + oneLine(err.Error()),
		Help: "configure credentials: AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an instance or task role",
		Err:  err,
	}
}

// oneLine folds a multi-line SDK message into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
