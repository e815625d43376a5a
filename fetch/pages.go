package fetch

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// maxPages stops a listing whose NextToken never ends: 100,000 secrets is
// far beyond one environment of any app.
const maxPages = 1000

// pager is what the SDK's paginators have in common.
type pager[Out any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, opts ...func(*secretsmanager.Options)) (Out, error)
}

// eachPage reads the pages of p, a paginator made with
// StopOnDuplicateToken, one after the other, and calls page with each (and
// whether it is the last) before the next is requested. next is a page's
// NextToken; a failed call is returned as fail(err). op names the call in
// errors.
//
// A listing fails closed, never ends early: a page token seen before is an
// error — the paginator stops at a token equal to the one it sent, as if
// the listing had ended, so a stop while the page still has a NextToken is
// that; longer cycles show in the tokens seen — and so is a listing longer
// than maxPages.
func eachPage[Out any](ctx context.Context, op string, p pager[Out], next func(Out) *string, fail func(error) error, page func(out Out, last bool) error) error {
	seen := map[string]bool{}
	for range maxPages {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fail(err)
		}
		token := aws.ToString(next(out))
		if err := page(out, token == ""); err != nil {
			return err
		}
		if token == "" {
			return nil
		}
		if !p.HasMorePages() || seen[token] {
			return &Error{Msg: op + ": the listing repeats a page token", Help: "run keep again; report it if it persists"}
		}
		seen[token] = true
	}
	return &Error{Msg: op + ": the listing does not end", Help: "run keep again; report it if it persists"}
}

// eachListPage pages through ListSecrets from in with eachPage.
func eachListPage(ctx context.Context, api API, in *secretsmanager.ListSecretsInput, page func(out *secretsmanager.ListSecretsOutput, last bool) error) error {
	p := secretsmanager.NewListSecretsPaginator(api, in, func(o *secretsmanager.ListSecretsPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	return eachPage(ctx, "ListSecrets", p,
		func(out *secretsmanager.ListSecretsOutput) *string { return out.NextToken },
		func(err error) error { return CallError("ListSecrets", err) },
		page)
}
