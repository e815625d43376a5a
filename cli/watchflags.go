package cli

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/keep-run/keep/runner"
)

// DefaultWatchInterval is --watch's interval when none is given.
const DefaultWatchInterval = time.Minute

// WatchFlags are keep run's --watch and --on-change (docs/watch.md).
type WatchFlags struct {
	Watch    WatchInterval `env:"KEEP_WATCH" help:"--watch[=INTERVAL]: keep polling (default every 1m) for rotated secrets and act on a change as --on-change says (implies --supervise). Metadata only: DescribeSecret per secret in use, and every 5th poll a ListSecrets pass for new ones; a value is fetched only when its version changed."`
	OnChange string        `name:"on-change" env:"KEEP_ON_CHANGE" placeholder:"ACTION" help:"With --watch, on a change: restart (stop the command, start it with the new secrets; the default), signal:NAME (--output: re-render the file, then send e.g. signal:HUP), exit (stop the command, exit 75 for the service manager to restart keep), none (report only; --output still re-renders). --splay=D waits 0..D before acting."`
}

// WatchInterval is --watch's value: 0 (off), or the time between polls.
// --watch alone, or KEEP_WATCH=true, is DefaultWatchInterval.
type WatchInterval time.Duration

// Decode reads --watch, --watch=INTERVAL or KEEP_WATCH.
func (w *WatchInterval) Decode(ctx *kong.DecodeContext) error {
	if ctx.Scan.Peek().Type != kong.FlagValueToken {
		*w = WatchInterval(DefaultWatchInterval)
		return nil
	}
	v := strings.TrimSpace(fmt.Sprint(ctx.Scan.Pop().Value))
	switch strings.ToLower(v) {
	case "true", "yes", "on":
		*w = WatchInterval(DefaultWatchInterval)
		return nil
	case "", "false", "no", "off", "0":
		*w = 0
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("--watch=%s: want a positive duration such as 30s or 5m", v)
	}
	*w = WatchInterval(d)
	return nil
}

// IsBool lets --watch stand without a value.
func (w *WatchInterval) IsBool() bool { return true }

// onChange is what --on-change asks for.
type onChange struct {
	action runner.Action // 0: none
	signal string        // for runner.Signal, as given
}

// watchPlan is --watch as prepare checked it.
type watchPlan struct {
	interval time.Duration
	onChange
}

// watchPlan checks --watch and --on-change: nil without --watch.
func (c *RunCmd) watchPlan() (*watchPlan, error) {
	if c.Watch <= 0 {
		if c.OnChange != "" {
			return nil, &Error{Msg: "--on-change needs --watch", Help: "add --watch (or --watch=INTERVAL) to act when a secret changes"}
		}
		return nil, nil
	}
	if runtime.GOOS == "windows" {
		return nil, &Error{Msg: "--watch is not available on Windows yet", Help: "restart keep to pick up rotated secrets"}
	}
	w := &watchPlan{interval: time.Duration(c.Watch), onChange: onChange{action: runner.Restart}}
	switch v := c.OnChange; {
	case v == "" || v == "restart":
	case v == "exit":
		w.action = runner.Stop
	case v == "none":
		w.action = 0
	case strings.HasPrefix(v, "signal:"):
		w.action, w.signal = runner.Signal, strings.TrimPrefix(v, "signal:")
		if _, err := runner.ParseSignal(w.signal); err != nil {
			return nil, &Error{Msg: "--on-change=" + v + ": " + err.Error(), Help: "e.g. --on-change=signal:HUP"}
		}
		if c.Output == "" {
			return nil, &Error{
				Msg:  "--on-change=" + v + " cannot give new secrets to a running command: a signal does not change its environment",
				Help: "use --on-change=restart or exit; or render the secrets to a file the command re-reads (--template=FILE --output=PATH) and signal it",
			}
		}
	default:
		return nil, &Error{Msg: fmt.Sprintf("--on-change=%s: unknown action", v), Help: "use restart, signal:NAME (e.g. signal:HUP), exit or none"}
	}
	if c.Redact && c.Output != "" && (w.action == runner.Signal || w.action == 0) {
		// A restart masks the new values; a command that goes on running
		// and re-reads the file would print them unmasked.
		return nil, &Error{
			Msg:  "--redact with --output masks the values keep started with: with --on-change=" + c.OnChange + " the command would read rotated values and print them unmasked",
			Help: "use --on-change=restart or exit with --redact, or drop --redact",
		}
	}
	return w, nil
}
