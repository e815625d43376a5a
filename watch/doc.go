// Package watch is the poll loop of keep run --watch, and the decisions it
// makes: what changed between two polls (Diff), how long to wait before
// the next one (Jitter, Backoff), and when to tell the user (once per
// failure streak, once on recovery). It knows neither AWS nor processes:
// Loop.Poll reads the versions and Loop.Apply acts on a change, both
// supplied by the caller.
//
// A poll that finds nothing changed calls nothing else. A change is
// applied after a random wait of up to Loop.Splay, so that a fleet that
// sees a rotation at once does not restart at once; every wait between
// polls is jittered by ±10 %. A failed poll or a failed Apply leaves the
// known versions as they were, so the change is seen again and retried
// after a backoff; the command keeps running on what it has.
package watch
