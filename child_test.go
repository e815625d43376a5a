package main

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

	"golang.org/x/sys/unix"
)

// child is the test binary acting as the command keep starts, selected by
// its first argument:
//
//	child:env              print the environment as a JSON object
//	child:args ARGS…       print ARGS as a JSON array
//	child:pid              print the PID
//	child:exit N           exit with status N
//	child:kill N           die of signal N
//	child:sigign           print the SigIgn mask from /proc/self/status
//	child:proc             print pid, ppid, pgid, sid and isatty of fds 0–2 as JSON
//	child:stdin            copy stdin to stdout
//	child:trap FILE MODE   log every catchable signal to FILE ("ready PID" first,
//	                       then "NAME UNIXNANO" lines); MODE says what ends it:
//	                       "term" exits 0 on SIGTERM, "int" dies of SIGINT on SIGINT,
//	                       "none" only ends by SIGKILL (or after a minute)
//	child:orphans N FILE   start N processes that outlive their own parent (so they
//	                       are re-parented to the reaper), write "spawned" to FILE,
//	                       then behave like child:trap FILE term
//
// Set GODEBUG=asyncpreemptoff=1 for child:trap: otherwise the Go runtime's
// own SIGURGs show up in the log.
func child(mode string, args []string) int {
	switch mode {
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
		signal.Reset()
		_ = syscall.Kill(os.Getpid(), syscall.Signal(n))
		time.Sleep(5 * time.Second)
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

func trap(file, mode string) int {
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, catchable...)
	appendLine(file, fmt.Sprintf("ready %d", os.Getpid()))
	timeout := time.After(time.Minute)
	for {
		select {
		case sig := <-sigs:
			appendLine(file, fmt.Sprintf("%s %d", unix.SignalName(sig.(syscall.Signal)), time.Now().UnixNano()))
			switch {
			case mode == "term" && sig == syscall.SIGTERM:
				return 0
			case mode == "int" && sig == syscall.SIGINT:
				signal.Reset()
				_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
				time.Sleep(5 * time.Second)
				return 99
			}
		case <-timeout:
			return 98
		}
	}
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
