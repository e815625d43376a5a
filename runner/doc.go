// Package runner starts the child command once its environment is ready.
//
// # Exec
//
// On Unix the default is to become the child: Exec resolves the command on
// keep's own PATH (so --no-inherit still finds it), resets every signal
// keep registered with os/signal, and calls execve(2). From then on the
// PID, signals, terminal, job control, exit status and systemd's
// NOTIFY_SOCKET/WATCHDOG_PID/LISTEN_PID are the child's, with no code of
// keep's in between. Signals that were ignored when keep started and that
// the Go runtime left ignored (SIGHUP, SIGINT) stay ignored in the child.
//
// # Exit status before a child exists
//
// keep follows env(1), docker run and tini:
//
//	125  keep itself failed (usage, configuration, fetching secrets)
//	126  the command was found but could not be executed
//	127  the command was not found
//
// Errors that carry one of these codes implement ExitCode() int.
// When keep is interrupted (SIGINT, SIGTERM, SIGHUP) before the child
// starts, it dies of the same signal, as the child would have.
package runner
