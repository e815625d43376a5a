package smfake

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Answers for Server.Raw. Hang, Cut and Reset are faults below HTTP: they
// take the request's connection over, and the client never gets a whole
// response on it.

// WriteFault answers with f, as a Fault from Inject is sent.
func WriteFault(w http.ResponseWriter, f *Fault) { writeFault(w, f) }

// Hang never answers: it returns when the client gives up on the request
// (or the server closes).
func Hang(r *http.Request) { <-r.Context().Done() }

// Cut sends a 200 response announcing body's length but only its first n
// bytes, then closes the connection: a body that stops half way.
func Cut(w http.ResponseWriter, body string, n int) {
	conn := partial(w, body, n)
	if conn != nil {
		_ = conn.Close()
	}
}

// Reset is Cut with a TCP reset instead of an orderly close: the
// connection is reset in the middle of the response.
func Reset(w http.ResponseWriter, body string, n int) {
	conn := partial(w, body, n)
	if conn == nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // Close sends RST, not FIN
	}
	_ = conn.Close()
}

// partial hijacks w's connection and writes a response head for body and
// body[:n], then waits a moment so that the client is reading the body when
// the connection ends. It returns nil if w cannot be hijacked.
func partial(w http.ResponseWriter, body string, n int) net.Conn {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "smfake: cannot hijack the connection", http.StatusInternalServerError)
		return nil
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return nil
	}
	n = min(max(n, 0), len(body))
	_, _ = fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n", len(body))
	_, _ = io.WriteString(conn, body[:n])
	time.Sleep(20 * time.Millisecond)
	return conn
}
