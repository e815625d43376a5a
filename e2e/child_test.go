//go:build linux

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// child is the test binary acting as the command keep starts, selected by
// its first argument:
//
//	child:env              print the environment as a JSON object
//	child:args ARGS…       print ARGS as a JSON array
//	child:pid              print the PID
//	child:exit N           exit with status N
//	child:kill N           die of signal N (any whose default action ends a process)
//	child:sigign           print the SigIgn mask from /proc/self/status
//	child:proc             print pid, ppid, pgid, sid and isatty of fds 0–2 as JSON
//	child:stdin            copy stdin to stdout
//	child:trap FILE MODE   log every catchable signal to FILE ("ready PID" first,
//	                       then "NAME UNIXNANO" lines); MODE says what ends it:
//	                       "term" exits 0 on SIGTERM, "int" dies of SIGINT on SIGINT,
//	                       "none" only ends by SIGKILL (or after a minute),
//	                       "die" dies of the first HUP, INT or TERM, "int-at-usr1"
//	                       dies of SIGINT on SIGUSR1 (so a test can count INTs first)
//	child:stoppable FILE   like child:trap FILE term, but TSTP, TTIN and TTOU keep
//	                       their default action: Ctrl-Z stops it
//	child:adopt FILE       start a sleep that outlives its parent sh, write
//	                       "orphan PID" to FILE, then behave like child:trap FILE term
//	child:signals          print "ready PID", then the name of each USR1, USR2 or
//	                       HUP caught, one line each, to stdout; exit 0 on SIGTERM
//	child:out STEP…        write, sleep, exit or die step by step (redact_test.go)
//	child:watch LOG VAR FILE  log "start PID VALUE" (VALUE: $VAR, or FILE's content when
//	                       VAR is "-"), then "hup CONTENT" on each HUP; "term" and exit 0 on
//	                       TERM (watch_test.go)
//	child:orphans N FILE   start N processes that outlive their own parent (so they
//	                       are re-parented to the reaper), write "spawned" to FILE,
//	                       then behave like child:trap FILE term
//
// Set GODEBUG=asyncpreemptoff=1 for child:trap: otherwise the Go runtime's
// own SIGURGs show up in the log.
func child(mode string, args []string) int {
	switch mode {
	case "child:out":
		return childOut(args) // redact_test.go
	case "child:env":
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		_ = json.NewEncoder(os.Stdout).Encode(env)
	case "child:args":
		_ = json.NewEncoder(os.Stdout).Encode(args)
	case "child:pid":
		fmt.Println(os.Getpid())
	case "child:exit":
		n, _ := strconv.Atoi(args[0])
		return n
	case "child:kill":
		n, _ := strconv.Atoi(args[0])
		die(syscall.Signal(n))
		return 99
	case "child:sigign":
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "SigIgn:"); ok {
				fmt.Println(strings.TrimSpace(v))
			}
		}
	case "child:proc":
		pgid, _ := syscall.Getpgid(0)
		sid, _ := unix.Getsid(0)
		tty := make([]bool, 3)
		for fd := range tty {
			_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
			tty[fd] = err == nil
		}
		_ = json.NewEncoder(os.Stdout).Encode(map[string]any{
			"pid": os.Getpid(), "ppid": os.Getppid(), "pgid": pgid, "sid": sid, "tty": tty,
		})
	case "child:stdin":
		_, _ = io.Copy(os.Stdout, os.Stdin)
	case "child:trap":
		return trap(args[0], args[1])
	case "child:stoppable":
		return trapOnly(args[0], "term", stoppable())
	case "child:adopt":
		// sh exits at once; its sleep is re-parented to the nearest reaper.
		out, err := exec.Command("sh", "-c", "sleep 60 </dev/null >/dev/null 2>&1 & echo $!").Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		appendLine(args[0], "orphan "+strings.TrimSpace(string(out)))
		return trap(args[0], "term")
	case "child:signals":
		sigs := make(chan os.Signal, 64)
		signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGTERM)
		fmt.Printf("ready %d\n", os.Getpid())
		for sig := range sigs {
			if sig == syscall.SIGTERM {
				return 0
			}
			_, _ = os.Stdout.WriteString(unix.SignalName(sig.(syscall.Signal)) + "\n")
		}
	case "child:watch":
		return watchChild(args[0], args[1], args[2])
	case "child:orphans":
		n, _ := strconv.Atoi(args[0])
		for range n {
			// sh exits at once; its background sleep is orphaned, then ends
			// and waits as a zombie for whoever reaps orphans.
			if err := exec.Command("sh", "-c", "sleep 0.05 & exit 0").Run(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
		}
		time.Sleep(200 * time.Millisecond) // the orphans end meanwhile
		appendLine(args[1], "spawned")
		return trap(args[1], "term")
	default:
		fmt.Fprintln(os.Stderr, "unknown child mode", mode)
		return 2
	}
	return 0
}

// catchable are the signals child:trap logs: all but KILL and STOP.
var catchable = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2,
	syscall.SIGALRM, syscall.SIGWINCH, syscall.SIGCONT, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU,
	syscall.SIGURG, syscall.SIGCHLD, syscall.SIGPIPE, syscall.SIGPWR, syscall.SIGSYS, syscall.SIGVTALRM,
	syscall.SIGPROF, syscall.SIGXCPU, syscall.SIGXFSZ,
}

// stoppable is catchable without the job-control stops.
func stoppable() []os.Signal {
	var out []os.Signal
	for _, s := range catchable {
		if s != syscall.SIGTSTP && s != syscall.SIGTTIN && s != syscall.SIGTTOU {
			out = append(out, s)
		}
	}
	return out
}

func trap(file, mode string) int { return trapOnly(file, mode, catchable) }

// trapOnly is trap catching only the signals in catch.
func trapOnly(file, mode string, catch []os.Signal) int {
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, catch...)
	appendLine(file, fmt.Sprintf("ready %d", os.Getpid()))
	timeout := time.After(time.Minute)
	for {
		select {
		case sig := <-sigs:
			appendLine(file, fmt.Sprintf("%s %d", unix.SignalName(sig.(syscall.Signal)), time.Now().UnixNano()))
			switch {
			case mode == "term" && sig == syscall.SIGTERM:
				return 0
			case mode == "int" && sig == syscall.SIGINT,
				mode == "int-at-usr1" && sig == syscall.SIGUSR1:
				return resend(syscall.SIGINT)
			case mode == "die" && (sig == syscall.SIGHUP || sig == syscall.SIGINT || sig == syscall.SIGTERM):
				return resend(sig.(syscall.Signal))
			}
		case <-timeout:
			return 98
		}
	}
}

// resend drops trap's handlers and sends sig to this process, which dies
// of it (HUP, INT and TERM need no more than signal.Reset; see die). It
// returns 99, the exit code should the process outlive it.
func resend(sig syscall.Signal) int {
	signal.Reset()
	_ = syscall.Kill(os.Getpid(), sig)
	time.Sleep(5 * time.Second)
	return 99
}

// die makes the process die of sig. signal.Reset is not enough: the Go
// runtime keeps its own handler for the signals it catches by default, and
// drops USR1, USR2, ALRM and a SEGV sent by kill, and exits 2 on QUIT and
// ABRT. So put back SIG_DFL with rt_sigaction (an all-zero struct sigaction
// is SIG_DFL, no flags, empty mask) and turn off core dumps.
func die(sig syscall.Signal) {
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	var dfl [4]uint64
	_, _, _ = unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
	_ = syscall.Kill(os.Getpid(), sig)
	time.Sleep(5 * time.Second)
}

func appendLine(file, line string) {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	defer f.Close()
	_, _ = f.WriteString(line + "\n")
}
