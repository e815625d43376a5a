package fetch

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/internal/smfake"
)

// Issue 18, point 8: a 200 MB response was read whole. keep now reads at
// most MaxResponseBody of one response and fails the call with a clear
// message; the fake counts what it could send before keep stopped reading.
func TestResponseBodyCapped(t *testing.T) {
	const huge = 128 << 20
	var sent atomic.Int64
	srv := smfake.New()
	defer srv.Close()
	srv.Raw = func(w http.ResponseWriter, _ *http.Request, _ smfake.Call) bool {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		if n, err := io.WriteString(w, `{"SecretList":[{"Name":"`); err == nil {
			sent.Add(int64(n))
		}
		for sent.Load() < huge {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				break
			}
		}
		return true
	}
	client := srv.Client(WithPlainBody, func(o *secretsmanager.Options) { o.APIOptions = append(o.APIOptions, capBody) })
	_, err := (&Fetcher{API: client, Region: smfake.Region, NoSpeculation: true}).List(t.Context(), Target{Namespace: "app", Env: "production"}, nil)
	if err == nil || !strings.Contains(err.Error(), "ListSecrets: the response is larger than 16 MiB") {
		t.Fatalf("List: %v, want the response refused as too large", err)
	}
	if !errors.Is(err, errBodyTooLarge) {
		t.Errorf("%v does not wrap errBodyTooLarge", err)
	}
	srv.Close() // the handler ends once the connection is gone
	if got := sent.Load(); got >= huge {
		t.Errorf("keep read the whole %d MiB body", got>>20)
	}
}

// A body of exactly the cap is read whole; one byte more is refused.
func TestCappedBody(t *testing.T) {
	for size, wantErr := range map[int]error{99: nil, 100: nil, 101: errBodyTooLarge} {
		b := &cappedBody{ReadCloser: io.NopCloser(strings.NewReader(strings.Repeat("x", size))), left: 100}
		got, err := io.ReadAll(b)
		if !errors.Is(err, wantErr) || wantErr == nil && len(got) != size {
			t.Errorf("%d bytes under a cap of 100: read %d, %v; want %v", size, len(got), err, wantErr)
		}
	}
}
