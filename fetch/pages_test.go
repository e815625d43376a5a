package fetch_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
)

// Every listing keep pages through — List, Keys, Occupied (ListSecrets)
// and History (ListSecretVersionIds) — fails closed the same way when the
// server's page tokens go wrong.
func TestListingsFailClosed(t *testing.T) {
	listings := []struct {
		name, op, field string
		run             func(context.Context, *fetch.Conn) error
	}{
		{"List", "ListSecrets", "SecretList", func(ctx context.Context, c *fetch.Conn) error { _, err := c.List(ctx, nil); return err }},
		{"Keys", "ListSecrets", "SecretList", func(ctx context.Context, c *fetch.Conn) error { _, err := c.Keys(ctx); return err }},
		{"Occupied", "ListSecrets", "SecretList", func(ctx context.Context, c *fetch.Conn) error { _, err := c.Occupied(ctx); return err }},
		{"History", "ListSecretVersionIds", "Versions", func(ctx context.Context, c *fetch.Conn) error { _, err := c.History(ctx, "TOKEN", true); return err }},
	}
	faults := []struct {
		name  string
		token func(n int) string // NextToken of the nth page
		want  string
		calls int
	}{
		{"the same token again", func(int) string { return "again" }, "the listing repeats a page token", 2},
		{"a cycle of two tokens", func(n int) string { return []string{"A", "B"}[(n-1)%2] }, "the listing repeats a page token", 3},
		{"a token that never ends", func(n int) string { return "token-" + strconv.Itoa(n) }, "the listing does not end", 1000},
	}
	for _, l := range listings {
		for _, f := range faults {
			t.Run(l.name+"/"+f.name, func(t *testing.T) {
				srv := newServer(t, smfake.Secret{Name: prod.SecretName("TOKEN"), Value: "sk_live_token_v4lue", Tags: keepTags("myapp", "production")})
				srv.Inject = func(op string, n int) *smfake.Fault {
					if op != l.op {
						return nil
					}
					return &smfake.Fault{Body: `{"` + l.field + `":[],"NextToken":"` + f.token(n) + `"}`}
				}
				err := l.run(t.Context(), fetch.NewConn(srv.Client(fetch.WithPlainBody), smfake.Region, prod))
				if err == nil {
					t.Fatalf("no error, want %q", f.want)
				}
				asError(t, err)
				if want := l.op + ": " + f.want; !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
				if n := srv.Count(l.op); n != f.calls {
					t.Errorf("%d %s calls, want %d", n, l.op, f.calls)
				}
			})
		}
	}
}
