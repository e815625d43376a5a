package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/render"
	"github.com/keep-run/keep/runner"
	"github.com/keep-run/keep/watch"
)

// keep run --watch: the command runs supervised while a watch.Loop polls
// the versions of the secrets in use (see docs/watch.md). This file wires
// the loop to fetch (Describe, Discover, Version), render and runner.

// discoverEvery makes every 5th poll of the list path also list the
// environment (ListSecrets), to find secrets added to it.
const discoverEvery = 5

// describeConcurrency bounds the DescribeSecret calls of one poll.
const describeConcurrency = 10

// followed is one secret the watch follows.
type followed struct {
	conn  *fetch.Conn
	key   string
	vault string // its vault's slug
}

// watcher is the state of a watch: what the command was given last.
type watcher struct {
	c    *RunCmd
	p    *runPlan
	logf func(string, ...any)

	followed map[string]*followed // by id (see secretID)
	conns    []*fetch.Conn        // the list path's, one per vault
	// The list path: the secrets the command has, by id.
	secrets map[string]listed
	// The template path: the template, its secrets as last rendered, and
	// the refs that read each secret, by id.
	tmpl   *render.Template
	values render.Secrets
	refs   map[string][]render.Ref
	out    *output // --output, or nil
	env    []string

	control chan runner.Control
}

// secretID names a secret for the watch, in its messages too: its name
// and region (two vaults may hold one name in two regions).
func secretID(region, name string) string { return name + " (" + region + ")" }

// watched supervises the command while watching its secrets; the
// command's end, or keep's, ends the watch.
func (c *RunCmd) watched(ctx context.Context, p *runPlan, l *loaded, env []string, handover func() error, logf func(string, ...any)) error {
	w := &watcher{c: c, p: p, logf: logf, followed: map[string]*followed{}, out: l.output, env: env,
		control: make(chan runner.Control)}
	known, err := w.init(ctx, l)
	if err != nil {
		if l.cleanup != nil {
			l.cleanup() // the file of --output, already written
		}
		return err
	}
	loop := &watch.Loop{
		Interval: p.watch.interval,
		Splay:    c.Splay,
		Poll:     w.poll,
		Apply:    w.apply,
		Report:   func(msg string) { fmt.Fprintln(os.Stderr, "keep: "+msg) },
		Logf:     logf,
	}
	if w.tmpl == nil {
		loop.DiscoverEvery = discoverEvery
	}
	logf("watch: %d secret(s), every %s ±10%%, on change: %s", len(known), p.watch.interval, c.onChangeName())
	wctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = loop.Run(wctx, known) }()
	child := c.child(p, env, l, handover)
	child.Control = w.control
	err = runner.Supervise(child)
	cancel()
	wg.Wait()
	return err
}

func (c *RunCmd) onChangeName() string {
	if c.OnChange == "" {
		return "restart"
	}
	return c.OnChange
}

// init opens a Conn per vault and returns the versions the command starts
// with.
func (w *watcher) init(ctx context.Context, l *loaded) (watch.Versions, error) {
	known := watch.Versions{}
	if l.tmpl == nil {
		bySlug := map[string]*fetch.Conn{}
		for _, cfg := range w.p.cfgs {
			conn, err := l.session.Open(ctx, cfg.Region, targetOf(cfg))
			if err != nil {
				return nil, err
			}
			w.conns = append(w.conns, conn)
			bySlug[cfg.Vault.Slug] = conn
		}
		w.secrets = map[string]listed{}
		for _, s := range l.listed {
			conn := bySlug[s.Vault]
			id := secretID(conn.Region, s.Name)
			w.followed[id] = &followed{conn: conn, key: s.Key, vault: s.Vault}
			w.secrets[id] = s
			known[id] = s.VersionID
		}
		return known, nil
	}
	w.tmpl, w.values, w.refs = l.tmpl, maps.Clone(l.fetched.Secrets), map[string][]render.Ref{}
	for ref := range l.fetched.Secrets {
		want := l.fetched.Wanted[ref.Slug]
		conn, err := l.session.Open(ctx, want.Region, want.Target)
		if err != nil {
			return nil, err
		}
		id := secretID(conn.Region, want.Target.SecretName(ref.Key))
		w.followed[id] = &followed{conn: conn, key: ref.Key, vault: ref.Slug}
		w.refs[id] = append(w.refs[id], ref)
		if v, ok := l.fetched.Versions[ref]; ok {
			known[id] = v
		}
	}
	return known, nil
}

// apply fetches the versions that changed, rebuilds what the command gets,
// and acts as --on-change says. Any failure leaves the command, and what
// the watch knows, as they were.
func (w *watcher) apply(parent context.Context, ch watch.Change, _, now watch.Versions) error {
	ctx, cancel := w.bounded(parent)
	defer cancel()
	got, err := w.fetchChanged(ctx, slices.Concat(ch.Changed, ch.Added), now)
	if err != nil {
		return err
	}
	var (
		env      []string
		data     []byte
		secrets  map[string]listed
		values   render.Secrets
		injected []render.Var // the values the command gets, for --redact
	)
	if w.tmpl == nil {
		secrets, injected, env, err = w.rebuildList(got, ch.Removed)
	} else {
		values, env, data, err = w.rebuildTemplate(got, ch.Removed)
		injected = w.tmpl.Placed(values)
	}
	if err != nil {
		return err
	}
	if err := w.act(parent, env, data, w.c.redactFilter(injected, w.logf)); err != nil {
		return err
	}
	if w.tmpl == nil {
		w.secrets = secrets
		for _, id := range ch.Removed { // followed again if discovery finds it
			delete(w.followed, id)
		}
	} else {
		w.values = values
	}
	w.env = env
	return nil
}

// fetchChanged reads the value of each id at its version in now: one
// GetSecretValue each.
func (w *watcher) fetchChanged(ctx context.Context, ids []string, now watch.Versions) (map[string]fetch.Secret, error) {
	got := map[string]fetch.Secret{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(describeConcurrency)
	for _, id := range ids {
		f := w.followed[id]
		g.Go(func() error {
			s, err := f.conn.Version(gctx, f.key, now[id])
			if err != nil {
				return fmt.Errorf("fetch the new version of %s: %w", id, err)
			}
			mu.Lock()
			got[id] = s
			mu.Unlock()
			return nil
		})
	}
	err := g.Wait()
	w.logf("watch: %d GetSecretValue", len(ids))
	return got, err
}

// rebuildList is the list path's secrets with got and without removed,
// and the command's environment from them.
func (w *watcher) rebuildList(got map[string]fetch.Secret, removed []string) (map[string]listed, []render.Var, []string, error) {
	next := maps.Clone(w.secrets)
	for id, s := range got {
		next[id] = listed{Secret: s, Vault: w.followed[id].vault}
	}
	for _, id := range removed {
		delete(next, id)
	}
	if len(next) == 0 && !w.c.AllowEmpty {
		return nil, nil, nil, errors.New("every secret of the environment is gone: the command keeps the ones it has (pass --allow-empty to run it without)")
	}
	ls := slices.Collect(maps.Values(next))
	sort.Slice(ls, func(i, j int) bool {
		return ls[i].Name < ls[j].Name || ls[i].Name == ls[j].Name && ls[i].Vault < ls[j].Vault
	})
	secrets, err := distinct(ls)
	if err != nil {
		return nil, nil, nil, err
	}
	vars, err := render.SecretVars(secrets)
	if err != nil {
		return nil, nil, nil, err
	}
	env, err := w.c.environ(w.p, vars, w.logf)
	return next, vars, env, err
}

// rebuildTemplate is the template's secrets with got and without removed,
// and the command's environment (without --output) or the file's content.
func (w *watcher) rebuildTemplate(got map[string]fetch.Secret, removed []string) (render.Secrets, []string, []byte, error) {
	values := maps.Clone(w.values)
	for id, s := range got {
		for _, ref := range w.refs[id] {
			values[ref] = render.SecretValue{Name: s.Name, Value: s.Value, Found: true}
		}
	}
	for _, id := range removed {
		for _, ref := range w.refs[id] {
			values[ref] = render.SecretValue{Name: values[ref].Name}
		}
	}
	if w.out != nil {
		data, nonPortable, err := w.tmpl.Render(values, w.p.missing)
		if err == nil {
			warnNonPortable(nonPortable)
		}
		return values, w.env, data, err
	}
	vars, err := w.tmpl.Vars(values, w.p.missing, w.p.lookup)
	if err != nil {
		return nil, nil, nil, err
	}
	env, err := w.c.environ(w.p, vars, w.logf)
	return values, env, nil, err
}

// act re-renders the file (data, with --output) and does what
// --on-change says, between systemd's RELOADING=1 and READY=1. A restarted
// command's output goes through filter (--redact: nil without it).
func (w *watcher) act(ctx context.Context, env []string, data []byte, filter func(io.Writer) io.WriteCloser) error {
	action := w.p.watch.action
	if action == 0 && w.out == nil {
		fmt.Fprintln(os.Stderr, "keep: watch: --on-change=none: the command keeps the secrets it has")
		return nil
	}
	runner.NotifyReloading()
	if w.out != nil {
		if err := w.out.replace(data); err != nil {
			runner.NotifyReady()
			return err
		}
		w.logf("watch: re-rendered %s", w.out.path)
	}
	req := runner.Control{Action: action, Env: runner.SupervisedEnv(env), Filter: filter}
	switch action {
	case 0:
		runner.NotifyReady()
		return nil
	case runner.Signal:
		req.Signal, _ = runner.ParseSignal(w.p.watch.signal)
	}
	done := make(chan error, 1)
	req.Done = done
	select {
	case w.control <- req:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	select {
	case err := <-done:
		if action != runner.Stop {
			runner.NotifyReady()
		}
		if err == nil {
			w.logf("watch: %s done", w.c.onChangeName())
		}
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
