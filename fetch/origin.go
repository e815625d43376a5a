package fetch

import (
	"context"
	"errors"
	"fmt"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// Origin is where the SDK's default chain takes credentials and the
// region from, as keep builds its clients (NewClient).
type Origin struct {
	// Credentials names the source: "environment (AWS_ACCESS_KEY_ID)",
	// "profile dev: assume role arn:…", "EC2 instance metadata (IMDS)"…
	Credentials string
	// Region is the SDK's region, or "" for none; RegionFrom says where
	// it comes from.
	Region, RegionFrom string
}

// FindOrigin says where credentials and the region come from for profile
// ("" for AWS_PROFILE or default), following the SDK's order: a profile
// passed explicitly, then AWS_ACCESS_KEY_ID, then
// AWS_WEB_IDENTITY_TOKEN_FILE, then the profile's settings in the shared
// files, then the container and EC2 metadata endpoints. It reads the
// environment and ~/.aws only: no network call, no credential checked.
func FindOrigin(ctx context.Context, profile string) (*Origin, error) {
	o := &Origin{}
	name := profile
	if name == "" {
		name = os.Getenv("AWS_PROFILE")
	}
	if name == "" {
		name = "default"
	}
	sc, err := awsconfig.LoadSharedConfigProfile(ctx, name)
	var missing awsconfig.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &missing):
		if profile != "" || os.Getenv("AWS_PROFILE") != "" {
			return nil, &Error{Msg: fmt.Sprintf("profile %s is not in ~/.aws/config or ~/.aws/credentials", name), Help: "check --profile / AWS_PROFILE", Err: err}
		}
		sc = awsconfig.SharedConfig{}
	case err != nil:
		return nil, &Error{Msg: "read the AWS shared config: " + oneLine(err.Error()), Help: "check the files in ~/.aws", Err: err}
	}
	for _, r := range []struct{ value, from string }{
		{os.Getenv("AWS_REGION"), "AWS_REGION"},
		{os.Getenv("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"},
		{sc.Region, "profile " + name},
	} {
		if r.value != "" {
			o.Region, o.RegionFrom = r.value, r.from
			break
		}
	}
	switch {
	case profile == "" && os.Getenv("AWS_ACCESS_KEY_ID") != "" && os.Getenv("AWS_SECRET_ACCESS_KEY") != "":
		o.Credentials = "environment (AWS_ACCESS_KEY_ID)"
	case profile == "" && os.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "":
		o.Credentials = fmt.Sprintf("web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role %s)", os.Getenv("AWS_ROLE_ARN"))
	case sc.RoleARN != "" && (sc.SourceProfileName != "" || sc.CredentialSource != ""):
		o.Credentials = fmt.Sprintf("profile %s: assume role %s", name, sc.RoleARN)
	case sc.Credentials.HasKeys():
		o.Credentials = fmt.Sprintf("profile %s: access keys in the shared files", name)
	case sc.WebIdentityTokenFile != "":
		o.Credentials = fmt.Sprintf("profile %s: web identity, role %s", name, sc.RoleARN)
	case sc.SSOSessionName != "" || sc.SSOStartURL != "":
		o.Credentials = fmt.Sprintf("profile %s: IAM Identity Center (SSO)", name)
	case sc.CredentialProcess != "":
		o.Credentials = fmt.Sprintf("profile %s: credential_process", name)
	case os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "" || os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "":
		o.Credentials = "container endpoint (ECS task role or EKS Pod Identity)"
	default:
		o.Credentials = "EC2 instance metadata (IMDS), if keep runs on EC2; none found in the environment or ~/.aws"
	}
	return o, nil
}
