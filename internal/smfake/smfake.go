// Package smfake is an httptest server that speaks the Secrets Manager JSON
// protocol (awsJson1_1) for ListSecrets and BatchGetSecretValue, for the
// reads of one secret (GetSecretValue, ListSecretVersionIds,
// DescribeSecret) and for the writes keep makes (CreateSecret,
// PutSecretValue, TagResource, UntagResource, DeleteSecret, RestoreSecret),
// so that tests can exercise the real SDK — signing, retries, error
// decoding — against faults moto cannot produce: AccessDenied, per-secret
// errors, throttling (one token bucket per operation at Secrets Manager's
// quotas, see Quota), odd responses, latency, and call counting. Its
// DirectClient skips the network, for simulations in virtual time.
package smfake

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Region is the region the fake's clients use.
const Region = "us-east-1"

// Secret is one stored secret.
type Secret struct {
	Name    string
	Value   string
	Binary  []byte // when set, the secret is binary
	Tags    map[string]string
	Deleted bool // scheduled for deletion
	// ErrorCode, when set, is reported for this secret in the Errors of
	// BatchGetSecretValue instead of its value (e.g. "DecryptionFailure").
	ErrorCode string
	// KMSKeyID is the KmsKeyId CreateSecret was given ("" for none).
	KMSKeyID string
	// Description is the Description CreateSecret was given.
	Description string
	// Replicas are the regions the secret is replicated to: CreateSecret's
	// AddReplicaRegions, or set by a test for DescribeSecret to report.
	Replicas []Replica
	// Versions are the secret's earlier string versions, oldest first;
	// Value (or Binary) is the current one, whose VersionId is
	// v<len(Versions)+1>. PutSecretValue moves the current value here. The
	// last is AWSPREVIOUS, the others have no stage (deprecated).
	Versions []Version
	// Created is when the current version was stored; zero means a fixed
	// date in 2023.
	Created time.Time
}

// Version is an earlier version of a secret.
type Version struct {
	ID      string // "" means v<n>, n its 1-based place in Secret.Versions
	Value   string
	Created time.Time // zero means the fixed date
}

// Replica is a region a secret is replicated to.
type Replica struct {
	Region   string
	KMSKeyID string
	Status   string // "" means InSync
	Message  string
}

// ARN is the fake ARN of a secret name: a stable suffix, as AWS adds one.
func ARN(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "arn:aws:secretsmanager:" + Region + ":123456789012:secret:" + name + "-" + hex.EncodeToString(sum[:3])
}

// Fault is an answer sent instead of the normal one.
type Fault struct {
	Status  int    // HTTP status; 0 means 400
	Code    string // error type, e.g. "ThrottlingException"
	Message string
	// Body, when set, is sent as is (with Status, default 200), for
	// malformed responses; Code and Message are then ignored.
	Body string
}

// Call is one request the fake received.
type Call struct {
	Op         string // e.g. "ListSecrets"
	N          int    // 1-based number of this op's call
	Start, End time.Time
	Body       []byte
}

// Server is a fake. It starts listening on the first call of URL, Client
// or Env, so Inject, InjectSecret and Latency set before that need no
// locking.
type Server struct {
	start sync.Once
	srv   *httptest.Server

	mu      sync.Mutex
	secrets map[string]*Secret
	calls   []Call
	counts  map[string]int
	// Inject, when set, is asked before every request is answered; a
	// non-nil Fault is sent instead. Set it before the server starts.
	Inject func(op string, n int) *Fault
	// InjectSecret, when set, is asked before every request that names a
	// secret by SecretId or Name, with the op and the secret's name (an ARN
	// of a stored secret is resolved to its name); a non-nil Fault is sent
	// instead, e.g. AccessDenied on CreateSecret of one name. Set it before
	// the server starts.
	InjectSecret func(op, name string) *Fault
	// Latency is added before every answer. Set it before the server starts.
	Latency time.Duration
	// Raw, when set, is asked before every request is answered, after
	// Latency and before Inject, with the request as recorded; when it
	// returns true it has dealt with the request itself — answered on w
	// (see WriteFault), or taken the connection over (see Hang, Cut,
	// Reset) — and the fake does no more. For faults that depend on the
	// request body, and for faults below HTTP. Set it before the server
	// starts.
	Raw func(w http.ResponseWriter, r *http.Request, c Call) bool
	// Quota, when set, gives operations a token bucket each, in requests
	// per second (see Quotas): a request that finds its bucket empty, after
	// Latency, is answered 400 ThrottlingException "Rate exceeded", as
	// Secrets Manager answers one over its quota. Set it before the server
	// starts.
	Quota map[string]float64
	// Forget, when set, keeps no record of calls (Calls returns none;
	// Count still counts): for simulations of many thousand requests. Set
	// it before the server starts.
	Forget bool

	buckets                      map[string]*bucket
	conns, inFlight, maxInFlight int
}

// New returns a fake holding secrets.
func New(secrets ...Secret) *Server {
	s := &Server{secrets: map[string]*Secret{}, counts: map[string]int{}}
	for _, sec := range secrets {
		s.Put(sec)
	}
	return s
}

// URL is the fake's endpoint; the first call starts it.
func (s *Server) URL() string {
	s.start.Do(func() {
		s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
		s.srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				s.mu.Lock()
				s.conns++
				s.mu.Unlock()
			}
		}
		s.srv.Start()
	})
	return s.srv.URL
}

// Put adds or replaces a secret.
func (s *Server) Put(sec Secret) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[sec.Name] = &sec
}

// Close stops the server, if it was started.
func (s *Server) Close() {
	s.start.Do(func() {})
	if s.srv != nil {
		s.srv.Close()
	}
}

// Calls returns the requests received so far, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Conns is how many TCP connections the fake accepted.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// MaxInFlight is the most requests the fake was answering at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// Count is how many op requests arrived (retries included).
func (s *Server) Count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op]
}

// Client is an SDK client for the fake with the SDK's default retryer,
// changed by optFns (fetch's tests add keep's own middleware with them).
func (s *Server) Client(optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
	}, optFns...)
}

// Env points the SDK — and so keep — at the fake: EndpointEnv(s.URL()).
func (s *Server) Env() []string { return EndpointEnv(s.URL()) }

// EndpointEnv is the environment that points the AWS SDK — and so keep —
// at the Secrets Manager endpoint url in Region, with dummy credentials
// and nothing read from ~/.aws or EC2. The fake and moto (see
// internal/motoserver) are both reached this way.
func EndpointEnv(url string) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + url,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=" + Region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/nonexistent/keep-test/config",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent/keep-test/credentials",
	}
}

// ops are the operations the fake speaks, by their X-Amz-Target name
// without the "secretsmanager." prefix; any other is
// UnknownOperationException.
var ops = map[string]func(s *Server, body []byte) (any, *Fault){
	"ListSecrets":          (*Server).listSecrets,
	"BatchGetSecretValue":  (*Server).batchGet,
	"DescribeSecret":       (*Server).describeSecret,
	"CreateSecret":         (*Server).createSecret,
	"PutSecretValue":       (*Server).putSecretValue,
	"TagResource":          (*Server).tagResource,
	"UntagResource":        (*Server).untagResource,
	"DeleteSecret":         (*Server).deleteSecret,
	"GetSecretValue":       (*Server).getSecretValue,
	"ListSecretVersionIds": (*Server).listSecretVersionIds,
	"RestoreSecret":        (*Server).restoreSecret,
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, _ := io.ReadAll(r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	s.mu.Lock()
	s.counts[op]++
	n := s.counts[op]
	idx := len(s.calls)
	if !s.Forget {
		s.calls = append(s.calls, Call{Op: op, N: n, Start: start, Body: body})
	}
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if !s.Forget {
			s.calls[idx].End = time.Now()
		}
		s.inFlight--
		s.mu.Unlock()
	}()

	if s.Latency > 0 {
		select {
		case <-time.After(s.Latency):
		case <-r.Context().Done():
			return
		}
	}
	if s.throttle(op) {
		writeFault(w, &Fault{Code: "ThrottlingException", Message: "Rate exceeded"})
		return
	}
	if s.Raw != nil && s.Raw(w, r, Call{Op: op, N: n, Start: start, Body: body}) {
		return
	}
	if s.Inject != nil {
		if f := s.Inject(op, n); f != nil {
			writeFault(w, f)
			return
		}
	}
	if s.InjectSecret != nil {
		if name := s.secretName(body); name != "" {
			if f := s.InjectSecret(op, name); f != nil {
				writeFault(w, f)
				return
			}
		}
	}
	handle, ok := ops[op]
	if !ok {
		writeFault(w, &Fault{Code: "UnknownOperationException", Message: "smfake does not speak " + op})
		return
	}
	out, fault := handle(s, body)
	if fault != nil {
		writeFault(w, fault)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func writeFault(w http.ResponseWriter, f *Fault) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if f.Body != "" {
		w.WriteHeader(cmp.Or(f.Status, http.StatusOK))
		_, _ = io.WriteString(w, f.Body)
		return
	}
	w.WriteHeader(cmp.Or(f.Status, http.StatusBadRequest))
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.Code, "message": f.Message})
}

type filter struct {
	Key    string
	Values []string
}

// matches applies AWS's filter semantics: each filter is a prefix match,
// values of one filter are alternatives, all filters must hold.
func matches(sec *Secret, filters []filter) bool {
	for _, f := range filters {
		ok := false
		for _, v := range f.Values {
			switch f.Key {
			case "name":
				ok = ok || strings.HasPrefix(sec.Name, v)
			case "tag-key":
				for k := range sec.Tags {
					ok = ok || strings.HasPrefix(k, v)
				}
			case "tag-value":
				for _, tv := range sec.Tags {
					ok = ok || strings.HasPrefix(tv, v)
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// sorted returns the secrets matching filters, by name.
func (s *Server) sorted(filters []filter, withDeleted bool) []*Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Secret
	for _, sec := range s.secrets {
		if (withDeleted || !sec.Deleted) && matches(sec, filters) {
			out = append(out, sec)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
