package cli

import (
	"context"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/watch"
)

// A watch's poll: the versions of the secrets in use, from metadata.

// bounded is ctx bounded by --timeout, for one poll or one apply.
func (w *watcher) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, w.c.Timeout)
}

// poll reads the current version of every secret followed (DescribeSecret
// each), and with discover lists each vault for secrets added to it.
func (w *watcher) poll(parent context.Context, discover bool) (watch.Versions, error) {
	ctx, cancel := w.bounded(parent)
	defer cancel()
	began := time.Now()
	now := watch.Versions{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(describeConcurrency)
	for id, f := range w.followed {
		g.Go(func() error {
			st, err := f.conn.Describe(gctx, f.key)
			if err != nil {
				return err
			}
			present := st.Exists
			switch {
			case w.tmpl == nil:
				present = st.Member // the list path counts the environment's own
			case st.Exists && !st.Member && strings.Contains(f.key, "/"):
				// As at start (fetch.Fetcher.ByName): a KEY with '/' may
				// name another vault's secret; never restart with it.
				return fetch.NotPlaced(f.conn.Target, f.key)
			}
			if !present {
				return nil // removed: the watch decides (see watch.Diff)
			}
			if st.Version == "" {
				// At start this secret fails the run: the command keeps
				// the environment it has, and the poll is reported.
				return &fetch.SecretError{Name: f.conn.Target.SecretName(f.key), Code: fetch.CodeNoValue,
					Message: "no version is labelled AWSCURRENT"}
			}
			mu.Lock()
			now[id] = st.Version
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	describes, lists := len(w.followed), 0
	if discover {
		for i, conn := range w.conns {
			found, n, err := conn.Discover(ctx)
			lists += n
			if err != nil {
				return nil, err
			}
			for _, st := range found {
				id := secretID(conn.Region, st.Name)
				if _, ok := w.followed[id]; ok || !w.p.filter.Match(st.Key) || st.Version == "" {
					continue
				}
				w.followed[id] = &followed{conn: conn, key: st.Key, vault: w.p.cfgs[i].Vault.Slug}
				now[id] = st.Version
			}
		}
	}
	w.logf("watch: poll: %d DescribeSecret, %d ListSecrets in %s", describes, lists, time.Since(began).Round(time.Millisecond))
	return now, nil
}
