// Package runner starts the child command once its environment is ready,
// in one of two modes, and makes keep end the way the child ended.
//
// # Exec
//
// On Unix the default is to become the child. Lookup resolves the command
// on keep's own PATH first (so --no-inherit still finds it); Exec resets
// every signal keep registered with os/signal and calls execve(2). From then on the
// PID, signals, terminal, job control, exit status and systemd's
// NOTIFY_SOCKET/WATCHDOG_PID/LISTEN_PID are the child's, with no code of
// keep's in between.
//
// # Supervise
//
// Supervise (--supervise; the default as PID 1, on Windows, and whenever
// keep has work after the child starts) starts the child and stays:
//
//   - The child gets keep's own stdin, stdout and stderr files (isatty holds,
//     piped stdin arrives) and keep's process group and session (job
//     control works in shells, psql, rails console).
//   - HUP, INT, QUIT, TERM, USR1, USR2, ALRM, WINCH and CONT are forwarded,
//     each once; TSTP, TTIN and TTOU only when keep has no terminal (with
//     one, the kernel stops keep and the child together). Never CHLD, URG
//     (the Go runtime's own preemption signal), PIPE or fault signals. A
//     signal sent to the whole process group reaches the child directly
//     too; os/signal cannot tell keep who sent one.
//   - No double delivery: when keep's group is the terminal's foreground
//     group, Ctrl-C, Ctrl-\ and a resize already reach the child, which
//     shares the group, so INT, QUIT and WINCH are not forwarded then; with
//     a terminal, CONT comes from the shell's fg or bg, which signal the
//     whole group, so it is not forwarded either. keep cannot tell these
//     from the same signals sent to keep alone with kill(1).
//   - keep never exits before the child: INT, TERM and HUP are forwarded,
//     not obeyed; a second TERM is forwarded again. With a kill timeout the
//     child is SIGKILLed if it still runs that long after a forwarded TERM.
//   - The fault signals and the others the Go runtime crashes on (ABRT,
//     SYS, TRAP, and BUS, FPE, SEGV, ILL sent with kill) are not forwarded,
//     but caught: keep runs Child.Cleanup (a rendered --output file is
//     removed) and then ends as the signal would have ended it
//     (fatal_unix.go).
//   - If keep is SIGKILLed, the kernel SIGKILLs the child (Linux parent-death
//     signal, tied to the thread that started the child, which stays locked;
//     the kernel clears it when the child execs a setuid, setgid or
//     file-capability program, and it does not reach the child's children).
//   - As PID 1, or with --subreaper (PR_SET_CHILD_SUBREAPER), a single
//     Wait4(-1) loop reaps every child, orphans included, and recognises the
//     main child; nothing else waits, so nothing races it. keep exits as soon
//     as the main child has.
//   - systemd: NOTIFY_SOCKET passes through; WATCHDOG_PID, which names keep,
//     is dropped so the child owns the watchdog (use NotifyAccess=all and
//     KillMode=mixed in the unit). Socket activation (LISTEN_FDS) needs exec
//     mode: the child inherits the sockets, but LISTEN_PID names keep.
//
// With a watch (keep run --watch), Child.Control takes requests between
// signals: Restart stops the child as above (SIGTERM, SIGKILL after the
// kill timeout or RestartKillTimeout) and starts the command again with
// new variables, and with Control.Filter, when set, over its output
// (--redact masks the new values); Signal sends it a signal; Stop stops it
// and makes keep exit with ExitChanged (75). The child's own end always
// wins: one that exits while no restart is under way ends keep with its
// status. An INT, TERM or QUIT that arrives during a restart is forwarded
// to the old child and calls the restart off, so a stop request is never
// swallowed.
// NotifyReloading and NotifyReady tell systemd about a restart or
// re-render when NOTIFY_SOCKET is set.
//
// Signals ignored when keep started are neither caught nor forwarded, so
// the child inherits them ignored (nohup works), as far as keep can know:
// the Go runtime leaves SIGHUP and SIGINT ignored and says so, and on Linux
// /proc/self/status shows CONT, TSTP, TTIN and TTOU, which the runtime does
// not touch before os/signal asks. The runtime installs its handlers over
// every other signal before keep runs, hiding their state; those reach the
// child at their defaults.
//
// # Output through keep
//
// With Child.Filter (keep run --redact), the child's stdout and stderr are
// not keep's: each is a pipe, or a pseudo-terminal where keep's file is a
// terminal (its output processing off, so keep's terminal does it as the
// child set it; keep's size, and resized on WINCH, which is then forwarded
// once more: the terminal's own may have come before the new size), or one
// channel for both when keep's stdout and stderr are the same file. Stdin,
// the process group, the session and every rule above stay as they are.
// keep copies each through the filter into a duplicate of its own file (a
// broken pipe there closes the child's channel: its next write gets EPIPE)
// and, once the child has ended, copies what is left until the end of the
// output, or until it is quiet for 50 ms (a descendant holds it open), for
// a second at most, before it exits.
//
// # Signals before the child
//
// From the start of keep run until the child runs, INT, TERM, HUP and QUIT
// are caught (WithInterrupts) and stop keep with a one-line message. They
// are handed over to the supervisor's handling with no gap, so a signal is
// never lost nor left to the Go runtime's default, which as PID 1 would
// exit with status 2.
//
// On Windows there is no exec: keep supervises, ignores Ctrl-C (the console
// delivers it to the child too) and returns the child's exit code.
//
// # Exit status
//
// keep follows env(1), docker run and tini:
//
//	0–255  the child's exit code
//	death  the child was killed by HUP, INT, TERM or KILL: keep dies of the
//	       same signal, after cleanup
//	128+N  the child was killed by another signal N; as PID 1, by any signal
//	75     a watch stopped the child to have keep restarted (ExitChanged)
//	125    keep itself failed (usage, configuration, fetching secrets)
//	126    the command was found but could not be executed
//	127    the command was not found
//
// Errors carrying one of the codes implement ExitCode() int; a child's end
// is an *ExitError, which is not a failure of keep. When keep is interrupted
// (SIGINT, SIGTERM, SIGHUP) before the child starts, it dies of the same
// signal, as the child would have — except as PID 1, and for SIGQUIT,
// where it exits with 128+N.
package runner

// Platform files are named for what they split: X_unix.go and X_windows.go
// (Unix vs Windows), X_linux.go and X_other.go (Linux vs the other Unixes;
// X_other.go is not built for Windows). A comment at the top of each says
// what differs.
