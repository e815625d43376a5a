package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/keep-run/keep/internal/hint"
)

// Error is a failure together with what the user can do about it.
type Error = hint.Error

// Codes of per-secret failures keep reports itself.
const (
	CodeBinary      = "SecretBinary"
	CodeNoValue     = "NoSecretString"
	CodeNotReturned = "NotReturned"
	// CodeNotPlaced: a secret read by a name with '/' in its KEY that the
	// list path would not take as the target's (see Fetcher.ByName).
	CodeNotPlaced = "NotPlaced"
)

// SecretError is one wanted secret Secrets Manager could not give us.
type SecretError struct {
	Name    string // the secret's full name
	Code    string // AWS error code (DecryptionFailure, …) or one of keep's Code… constants
	Message string // AWS's message; never holds a value
}

func (e *SecretError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("secret %s: %s", Printable(e.Name), Printable(e.Code))
	}
	return fmt.Sprintf("secret %s: %s: %s", Printable(e.Name), Printable(e.Code), Printable(e.Message))
}

// Hint says what to check for this kind of failure.
func (e *SecretError) Hint() string {
	switch e.Code {
	case "DecryptionFailure":
		return "check the secret's KMS key and that you are allowed kms:Decrypt with it"
	case "AccessDeniedException":
		return "you need secretsmanager:GetSecretValue on this secret (the documented policies grant it by the Environment tag)"
	case "ResourceNotFoundException":
		return "the secret was deleted while keep was reading it; run keep again"
	case CodeBinary, CodeNoValue:
		return "store the value as a string (SecretString): environment variables cannot hold arbitrary bytes"
	case CodeNotReturned:
		return "Secrets Manager neither returned it nor reported an error; run keep again"
	case CodeNotPlaced:
		return "its name alone could be another vault's secret, so keep reads a KEY with '/' only when its tags place it here (ManagedBy=Keep, Namespace, Environment) and no segment of the KEY but the last is named like the environment; a secret created in the last minutes may not be listed yet: run keep again"
	}
	return "see the AWS error code above"
}

// SecretErrors is every wanted secret that could not be read, by name.
type SecretErrors []*SecretError

func (es SecretErrors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = Printable(e.Name) + " (" + Printable(e.Code) + ")"
	}
	return fmt.Sprintf("%d secrets could not be read: %s", len(es), strings.Join(parts, ", "))
}

// Hint joins the distinct hints of the failures.
func (es SecretErrors) Hint() string {
	var hints []string
	for _, e := range es {
		if h := e.Hint(); !slices.Contains(hints, h) {
			hints = append(hints, h)
		}
	}
	return strings.Join(hints, "; ")
}

// Unwrap gives errors.As access to each *SecretError.
func (es SecretErrors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

func (es SecretErrors) sort() {
	sort.Slice(es, func(i, j int) bool { return es[i].Name < es[j].Name })
}

// CallError describes a failed API call op (e.g. "ListSecrets") so that the
// user learns which action failed and why, without the SDK's transport
// details and without any of the response body: always an *Error, whose
// Err keeps err for errors.As. Package write classifies its calls with it.
func CallError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		var re *retriedError
		var last *Error
		// An attempt that itself timed out (no response headers in time)
		// is the plain timeout: not "timed out while retrying after timed
		// out", nor its hint twice.
		if errors.As(err, &re) && !timedOut(re.last) && errors.As(CallError(op, re.last), &last) {
			return &Error{Msg: op + ": timed out while retrying after " + strings.TrimPrefix(last.Msg, op+": "), Help: last.Help + " (or raise --timeout)", Err: err}
		}
		return &Error{Msg: op + ": timed out", Help: "raise --timeout, or check that the Secrets Manager endpoint is reachable", Err: err}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Msg: op + ": canceled", Err: err}
	}
	if errors.Is(err, errBodyTooLarge) {
		return &Error{Msg: op + ": the response is larger than 16 MiB, more than Secrets Manager ever sends", Help: "check the endpoint (AWS_ENDPOINT_URL) and any proxy (HTTPS_PROXY)", Err: errBodyTooLarge}
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		// The decoder's message may quote the response body: none of it
		// goes into the error.
		var oe *net.OpError
		switch status := httpStatus(err); {
		case status >= 300:
			return statusError(op, status)
		case errors.As(de, &oe):
			return &Error{Msg: op + ": the connection failed in the middle of the response: " + syscallReason(oe), Help: "run keep again; check network access to Secrets Manager (and AWS_ENDPOINT_URL if set)", Err: errors.New("connection failed")}
		case errors.Is(de, io.ErrUnexpectedEOF):
			return &Error{Msg: op + ": the response was cut short (the connection closed before its end)", Help: "run keep again; check network access to Secrets Manager (and AWS_ENDPOINT_URL if set)", Err: errors.New("response cut short")}
		}
		return &Error{Msg: op + ": malformed response from Secrets Manager", Help: "run keep again; check AWS_ENDPOINT_URL if you set one", Err: errors.New("malformed response")}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if status := httpStatus(err); ae.ErrorCode() == "UnknownError" && status >= 300 {
			return statusError(op, status) // an error response without an error type
		}
		msg := fmt.Sprintf("%s: %s: %s", op, Printable(ae.ErrorCode()), Printable(ae.ErrorMessage()))
		switch ae.ErrorCode() {
		case "AccessDeniedException", "AccessDenied":
			return &Error{Msg: msg, Err: err, Help: "you need secretsmanager:ListSecrets and secretsmanager:BatchGetSecretValue; the documented Keep policies grant both on all resources (\"*\")"}
		case "ThrottlingException", "Throttling", "TooManyRequestsException":
			return &Error{Msg: msg, Err: err, Help: "Secrets Manager is throttling this account (its quotas are shared by every start of the account): raise --timeout to the fleet's size, use a template, or spread starts with --splay (README: Fleets)"}
		case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId":
			return &Error{Msg: msg, Err: err, Help: "check your AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, or the instance role)"}
		}
		return &Error{Msg: msg, Err: err, Help: "see the AWS error code above"}
	}
	return &Error{Msg: op + ": " + networkError(err), Err: err, Help: "check network access to Secrets Manager (and AWS_ENDPOINT_URL if set)"}
}

// timedOut reports whether err is a timeout: a deadline, or a network
// or HTTP timeout (net/http's "timeout awaiting response headers").
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// httpStatus is the HTTP status of the response err came with, or 0.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// statusError is an HTTP error response that is not Secrets Manager's
// JSON: an error page from a proxy or load balancer, or an empty body.
func statusError(op string, status int) error {
	return &Error{
		Msg:  fmt.Sprintf("%s: HTTP %d %s from the Secrets Manager endpoint", op, status, http.StatusText(status)),
		Help: "run keep again; if it persists, check the endpoint (AWS_ENDPOINT_URL) and any proxy (HTTPS_PROXY)",
		Err:  errors.New(http.StatusText(status)),
	}
}

// networkError says briefly why a request did not get through: the
// address and the system's reason ("cannot reach http://…: connection
// refused"), else the SDK's whole message.
func networkError(err error) string {
	var ue *url.Error
	var oe *net.OpError
	if errors.As(err, &ue) && errors.As(err, &oe) {
		return fmt.Sprintf("cannot reach %s: %s", ue.URL, syscallReason(oe))
	}
	return Printable(oneLine(err.Error()))
}

// syscallReason is the system's reason for oe ("connection refused"),
// without addresses.
func syscallReason(oe *net.OpError) string {
	if errors.Is(oe, net.ErrClosed) {
		// Go's word for a connection it closed itself, here after the
		// server reset it.
		return "the connection was closed"
	}
	var se *os.SyscallError
	if errors.As(oe.Err, &se) {
		return se.Err.Error()
	}
	return oe.Err.Error()
}
