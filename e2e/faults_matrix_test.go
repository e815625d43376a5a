//go:build linux

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keep-run/keep/internal/smfake"
)

// The fault matrix of issue 8, through the real binary against smfake: for
// every fault, keep run either starts the child with exactly the right
// secrets, or exits 125 before the child starts — nothing on stdout — with
// a message naming the cause; it never hangs past --timeout and never
// prints a value. Each fault runs in list mode and, where it applies, in
// template mode (by name: no ListSecrets, no speculative batch).
// docs/reliability.md ("Fault matrix") records what these tests assert.
//
// The list path sends a speculative filtered BatchGetSecretValue (its body
// holds "Filters") with the first ListSecrets page. A fault is aimed at
// ListSecrets, at that speculative batch, or at the batches by ARN (list
// mode) or by name (template mode), whose bodies hold "SecretIdList". The
// fixture has 25 wanted secrets, so the speculative batch (20 at most) can
// never spare the by-ARN batches: TOKEN, last by name, is always fetched
// by ARN.

// matrixTimeout is keep's --timeout in every case; matrixGuard is how long
// a case may take before it counts as a hang.
const (
	matrixTimeout = "3s"
	matrixGuard   = 30 * time.Second
)

type faultMode string

const (
	listMode     faultMode = "list"
	templateMode faultMode = "template"
)

// matrixTemplate names three of the fixture's secrets, with static text
// around them.
const matrixTemplate = `# fault matrix
STATIC=not-a-secret
DB_PASSWORD={secretsmanager}
API_KEY="{secretsmanager:API_KEY}"
TOKEN={secretsmanager:TOKEN} # fetched by ARN on the list path
`

var matrixTemplateKeys = []string{"API_KEY", "DB_PASSWORD", "TOKEN"}

// fixture is what one case's fake holds.
type fixture struct {
	// wanted are the 25 secrets of app/production, by KEY.
	wanted map[string]smfake.Secret
	// decoys are secrets that must never reach the child: one under
	// app/production/ whose Environment tag is production-eu, one of
	// app/production-eu.
	decoys []smfake.Secret
	// decoyPage are decoys a scripted listing puts on a page of their own.
	decoyPage []smfake.Secret
}

func newFixture(tag string) *fixture {
	keys := []string{"API_KEY", "DB_PASSWORD", "TOKEN"}
	for i := 1; i <= 22; i++ {
		keys = append(keys, fmt.Sprintf("K%02d", i))
	}
	fx := &fixture{wanted: map[string]smfake.Secret{}}
	for i, k := range keys {
		fx.wanted[k] = fakeSecret("app", "production", k, fmt.Sprintf("SENTINEL-%d-%s", i+1, tag))
	}
	eu := fakeSecret("app", "production", "EU_ONLY", "SENTINEL-decoy-eu-"+tag)
	eu.Tags["Environment"] = "production-eu"
	fx.decoys = []smfake.Secret{eu, fakeSecret("app", "production-eu", "DB_PASSWORD", "SENTINEL-decoy-env-"+tag)}
	return fx
}

// all is every stored secret.
func (fx *fixture) all() []smfake.Secret {
	var out []smfake.Secret
	for _, s := range fx.wanted {
		out = append(out, s)
	}
	return append(out, fx.decoys...)
}

// byID finds a stored secret by name or ARN.
func (fx *fixture) byID(id string) (smfake.Secret, bool) {
	for _, s := range fx.all() {
		if s.Name == id || smfake.ARN(s.Name) == id {
			return s, true
		}
	}
	return smfake.Secret{}, false
}

// want is the child's secret variables in mode.
func (fx *fixture) want(mode faultMode) map[string]string {
	want := map[string]string{}
	for k, s := range fx.wanted {
		if mode == listMode || slices.Contains(matrixTemplateKeys, k) {
			want[k] = s.Value
		}
	}
	return want
}

// sortedWanted is the wanted secrets by name, as ListSecrets orders them.
func (fx *fixture) sortedWanted() []smfake.Secret {
	var out []smfake.Secret
	for _, s := range fx.wanted {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b smfake.Secret) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// entry is s as ListSecrets lists it.
func entry(s smfake.Secret) map[string]any {
	var tags []map[string]string
	for k, v := range s.Tags {
		tags = append(tags, map[string]string{"Key": k, "Value": v})
	}
	return map[string]any{"ARN": smfake.ARN(s.Name), "Name": s.Name, "Tags": tags}
}

func entries(secrets []smfake.Secret) []map[string]any {
	out := make([]map[string]any, len(secrets))
	for i, s := range secrets {
		out[i] = entry(s)
	}
	return out
}

// listBody is a ListSecrets response.
func listBody(list []map[string]any, next string) string {
	out := map[string]any{"SecretList": list}
	if list == nil {
		out["SecretList"] = []any{}
	}
	if next != "" {
		out["NextToken"] = next
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// value is s as BatchGetSecretValue returns it.
func value(s smfake.Secret) map[string]any {
	return map[string]any{"ARN": smfake.ARN(s.Name), "Name": s.Name, "SecretString": s.Value, "VersionId": "v1"}
}

// batchBody is a BatchGetSecretValue response with values and no errors.
func batchBody(values []map[string]any) string {
	if values == nil {
		values = []map[string]any{}
	}
	b, _ := json.Marshal(map[string]any{"SecretValues": values, "Errors": []any{}})
	return string(b)
}

// requested is the SecretIdList of a BatchGetSecretValue request.
func requested(c smfake.Call) []string {
	var in struct{ SecretIdList []string }
	_ = json.Unmarshal(c.Body, &in)
	return in.SecretIdList
}

// answerFor is a whole, correct response to c: what a cut or truncated
// answer is half of. A batch's answer holds values.
func (fx *fixture) answerFor(c smfake.Call) string {
	if c.Op == "ListSecrets" {
		return listBody(entries(fx.sortedWanted()), "")
	}
	ids := requested(c)
	if len(ids) == 0 { // the speculative batch
		for _, s := range fx.sortedWanted()[:20] {
			ids = append(ids, s.Name)
		}
	}
	var values []map[string]any
	for _, id := range ids {
		if s, ok := fx.byID(id); ok {
			values = append(values, value(s))
		}
	}
	return batchBody(values)
}

// Which requests a fault is aimed at.
type target func(c smfake.Call) bool

func isList(c smfake.Call) bool { return c.Op == "ListSecrets" }

func isSpec(c smfake.Call) bool {
	return c.Op == "BatchGetSecretValue" && bytes.Contains(c.Body, []byte(`"Filters"`))
}

// isBatch is a batch by ARN (list mode) or by name (template mode).
func isBatch(c smfake.Call) bool {
	return c.Op == "BatchGetSecretValue" && bytes.Contains(c.Body, []byte(`"SecretIdList"`))
}

// isGet is a GetSecretValue: what keep reads with once batches are
// throttled.
func isGet(c smfake.Call) bool { return c.Op == "GetSecretValue" }

// either is a target of a or b.
func either(a, b target) target { return func(c smfake.Call) bool { return a(c) || b(c) } }

// answer is how a faulty request is answered.
type answer func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call)

func withFault(f smfake.Fault) answer {
	return func(_ *fixture, w http.ResponseWriter, _ *http.Request, _ smfake.Call) { smfake.WriteFault(w, &f) }
}

// withBody answers status with body as it is, typed as contentType.
func withBody(status int, contentType, body string) answer {
	return func(_ *fixture, w http.ResponseWriter, _ *http.Request, _ smfake.Call) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func hang(_ *fixture, _ http.ResponseWriter, r *http.Request, _ smfake.Call) { smfake.Hang(r) }

// cut sends half of the right answer, announced whole, then closes.
func cut(fx *fixture, w http.ResponseWriter, _ *http.Request, c smfake.Call) {
	body := fx.answerFor(c)
	smfake.Cut(w, body, len(body)/2)
}

// reset sends half of the right answer, announced whole, then resets.
func reset(fx *fixture, w http.ResponseWriter, _ *http.Request, c smfake.Call) {
	body := fx.answerFor(c)
	smfake.Reset(w, body, len(body)/2)
}

// truncated sends half of the right answer as a whole 200 response.
func truncated(fx *fixture, w http.ResponseWriter, _ *http.Request, c smfake.Call) {
	body := fx.answerFor(c)
	smfake.WriteFault(w, &smfake.Fault{Body: body[:len(body)/2]})
}

// malformed is a 200 response that is not JSON, with a value in it.
func malformed(fx *fixture, w http.ResponseWriter, _ *http.Request, _ smfake.Call) {
	smfake.WriteFault(w, &smfake.Fault{Body: fmt.Sprintf(`{"SecretValues": [{"SecretString": %q}}`, fx.wanted["TOKEN"].Value)})
}

// raw is a Server.Raw for one case, with the fixture it serves.
type raw func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool

// always answers every request of tg with a.
func always(tg target, a answer) raw {
	return func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
		if !tg(c) {
			return false
		}
		a(fx, w, r, c)
		return true
	}
}

// firstAttempts answers the first n attempts of each request of tg with a
// (attempts of one request carry the same body), then lets it through.
func firstAttempts(n int, tg target, a answer) raw {
	var mu sync.Mutex
	seen := map[string]int{}
	return func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
		if !tg(c) {
			return false
		}
		mu.Lock()
		key := c.Op + " " + string(c.Body)
		seen[key]++
		attempt := seen[key]
		mu.Unlock()
		if attempt > n {
			return false
		}
		a(fx, w, r, c)
		return true
	}
}

// pages answers ListSecrets with these pages in turn, each pointing at the
// next by the token "page-<i>".
func pages(list ...[]map[string]any) raw {
	return func(_ *fixture, w http.ResponseWriter, _ *http.Request, c smfake.Call) bool {
		if !isList(c) {
			return false
		}
		var in struct{ NextToken string }
		_ = json.Unmarshal(c.Body, &in)
		i := 0
		if in.NextToken != "" {
			fmt.Sscanf(in.NextToken, "page-%d", &i)
		}
		next := ""
		if i+1 < len(list) {
			next = fmt.Sprintf("page-%d", i+1)
		}
		smfake.WriteFault(w, &smfake.Fault{Body: listBody(list[i], next)})
		return true
	}
}

// without is e with field removed.
func without(e map[string]any, field string) map[string]any {
	delete(e, field)
	return e
}

// outcome is what a case must end in: success with exactly the right
// secrets, or exit 125 with stderr holding every one of fail.
type outcome struct {
	ok   bool
	fail []string
}

var succeeds = &outcome{ok: true}

func fails(stderrHas ...string) *outcome { return &outcome{fail: stderrHas} }

type faultCase struct {
	name string
	// raw is the fake's Server.Raw (nil: none).
	raw raw
	// store adjusts the stored secrets before the fake starts.
	store func(fx *fixture)
	// refused points keep at a port nothing listens on.
	refused bool
	// hits picks the requests the fault is aimed at, of which at least one
	// must have arrived (nil: no check): a fault nothing asked for proves
	// nothing.
	hits target
	// list and template are the outcomes in each mode; nil when the fault
	// does not apply to that mode.
	list, template *outcome
}

// statusFault is one kind of HTTP failure Secrets Manager (or a proxy in
// front of it) answers with.
type statusFault struct {
	name string
	a    answer
	// code is what the message must name. When throttling's backoff (up to
	// 1s, then 2s) outlasts --timeout, the message is "timed out while
	// retrying after ThrottlingException: …", which names it too.
	code string
	// transient is how many attempts of each request fail in the transient
	// case: throttling backs off from 1s, so one, to stay inside --timeout.
	transient int
}

var statusFaults = []statusFault{
	{"500", withFault(smfake.Fault{Status: 500, Code: "InternalServiceError", Message: "smfake: an internal error"}), "InternalServiceError", 2},
	{"502", withBody(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>\n"), "HTTP 502 Bad Gateway", 2},
	{"503", withBody(503, "text/plain", ""), "HTTP 503 Service Unavailable", 2},
	{"throttling", withFault(smfake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"}), "ThrottlingException", 1},
}

func faultCases() []faultCase {
	var cases []faultCase
	for _, sf := range statusFaults {
		batchPersistent := fails("BatchGetSecretValue: ", sf.code)
		if sf.code == "ThrottlingException" {
			batchPersistent = succeeds // read with GetSecretValue instead
		}
		cases = append(cases,
			faultCase{name: sf.name + "/ListSecrets/transient", raw: firstAttempts(sf.transient, isList, sf.a), hits: isList,
				list: succeeds},
			faultCase{name: sf.name + "/ListSecrets/persistent", raw: always(isList, sf.a), hits: isList,
				list: fails("ListSecrets: ", sf.code)},
			faultCase{name: sf.name + "/batch/transient", raw: firstAttempts(sf.transient, isBatch, sf.a), hits: isBatch,
				list: succeeds, template: succeeds},
			faultCase{name: sf.name + "/batch/persistent", raw: always(isBatch, sf.a), hits: isBatch,
				list: batchPersistent, template: batchPersistent},
			faultCase{name: sf.name + "/speculative/persistent", raw: always(isSpec, sf.a), hits: isSpec,
				list: succeeds},
		)
	}
	for _, tg := range []struct {
		name string
		tg   target
		op   string
	}{{"ListSecrets", isList, "ListSecrets"}, {"batch", isBatch, "BatchGetSecretValue"}, {"speculative", isSpec, ""}} {
		ifBatch := func(o *outcome) *outcome {
			if tg.name == "batch" {
				return o
			}
			return nil
		}
		failsOr := func(stderrHas ...string) *outcome {
			if tg.op == "" {
				return succeeds // a fault on the speculative batch alone
			}
			return fails(append([]string{tg.op + ": "}, stderrHas...)...)
		}
		cases = append(cases,
			faultCase{name: "reset/" + tg.name + "/transient", raw: firstAttempts(1, tg.tg, reset), hits: tg.tg,
				list: succeeds, template: ifBatch(succeeds)},
			faultCase{name: "reset/" + tg.name + "/persistent", raw: always(tg.tg, reset), hits: tg.tg,
				list: failsOr("the connection failed in the middle of the response"), template: ifBatch(failsOr("the connection failed in the middle of the response"))},
			faultCase{name: "silent/" + tg.name, raw: always(tg.tg, hang), hits: tg.tg,
				list: failsOr("timed out", "--timeout"), template: ifBatch(failsOr("timed out", "--timeout"))},
			faultCase{name: "cut body/" + tg.name, raw: always(tg.tg, cut), hits: tg.tg,
				list: failsOr("cut short"), template: ifBatch(failsOr("cut short"))},
			faultCase{name: "truncated JSON/" + tg.name, raw: always(tg.tg, truncated), hits: tg.tg,
				list: failsOr("malformed response"), template: ifBatch(failsOr("malformed response"))},
			faultCase{name: "malformed JSON/" + tg.name, raw: always(tg.tg, malformed), hits: tg.tg,
				list: failsOr("malformed response"), template: ifBatch(failsOr("malformed response"))},
			faultCase{name: "unknown error type/" + tg.name, raw: always(tg.tg, withFault(smfake.Fault{Code: "WeirdException", Message: "smfake: something odd"})), hits: tg.tg,
				list: failsOr("WeirdException: smfake: something odd"), template: ifBatch(failsOr("WeirdException: smfake: something odd"))},
		)
	}
	// Throttled once, then silent: the deadline comes between retries, and
	// the message says what was being retried.
	throttledThenSilent := func(tg target) raw {
		throttle := firstAttempts(1, tg, withFault(smfake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"}))
		return func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
			return throttle(fx, w, r, c) || always(tg, hang)(fx, w, r, c)
		}
	}
	throttleBatches := always(isBatch, withFault(smfake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"}))
	getThrottledThenSilent := throttledThenSilent(isGet)
	cases = append(cases,
		faultCase{name: "throttled, then silent/ListSecrets", raw: throttledThenSilent(isList), hits: isList,
			list: fails("ListSecrets: timed out while retrying after ThrottlingException: Rate exceeded", "--timeout")},
		// Batches throttled go to GetSecretValue (fetch/quota.go): a
		// throttled batch alone is no failure, a throttled GetSecretValue
		// is retried until --timeout.
		faultCase{name: "throttling/batch and GetSecretValue/persistent", raw: always(either(isBatch, isGet), withFault(smfake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"})), hits: isGet,
			list:     fails("GetSecretValue: ", "ThrottlingException"),
			template: fails("GetSecretValue: ", "ThrottlingException")},
		faultCase{name: "throttled, then silent/GetSecretValue", hits: isGet,
			raw: func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
				return throttleBatches(fx, w, r, c) || getThrottledThenSilent(fx, w, r, c)
			},
			list:     fails("GetSecretValue: timed out while retrying after ThrottlingException: Rate exceeded", "--timeout"),
			template: fails("GetSecretValue: timed out while retrying after ThrottlingException: Rate exceeded", "--timeout")},
	)
	cases = append(cases, faultCase{name: "connection refused", refused: true,
		list:     fails("ListSecrets: cannot reach", "connection refused"),
		template: fails("BatchGetSecretValue: cannot reach", "connection refused")})

	// Responses missing fields. entryWithout lists every wanted secret,
	// key's entry without field.
	entryWithout := func(key, field string) raw {
		return func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
			list := entries(fx.sortedWanted())
			for _, e := range list {
				if e["Name"] == fx.wanted[key].Name {
					without(e, field)
				}
			}
			return pages(list)(fx, w, r, c)
		}
	}
	// valuesWithout answers the batches of tg with every requested value,
	// each without field.
	valuesWithout := func(tg target, field string) raw {
		return always(tg, func(fx *fixture, w http.ResponseWriter, _ *http.Request, c smfake.Call) {
			var resp struct{ SecretValues []map[string]any }
			_ = json.Unmarshal([]byte(fx.answerFor(c)), &resp)
			for _, v := range resp.SecretValues {
				delete(v, field)
			}
			smfake.WriteFault(w, &smfake.Fault{Body: batchBody(resp.SecretValues)})
		})
	}
	cases = append(cases,
		faultCase{name: "missing fields/ListSecrets entry without Name", raw: entryWithout("DB_PASSWORD", "Name"), hits: isList,
			list: fails("ListSecrets: malformed response", "without a Name")},
		faultCase{name: "missing fields/ListSecrets entry without ARN", raw: entryWithout("DB_PASSWORD", "ARN"), hits: isList,
			list: fails("ListSecrets: secret app/production/DB_PASSWORD is listed without an ARN")},
		// By ARN, values are matched by ARN; by name, by Name: the other
		// field is not needed.
		faultCase{name: "missing fields/values without ARN", raw: valuesWithout(isBatch, "ARN"), hits: isBatch,
			list: fails("app/production/TOKEN", "NotReturned"), template: succeeds},
		faultCase{name: "missing fields/values without Name", raw: valuesWithout(isBatch, "Name"), hits: isBatch,
			list: succeeds, template: fails("NotReturned")},
		faultCase{name: "missing fields/values without SecretString", raw: valuesWithout(isBatch, "SecretString"), hits: isBatch,
			list: fails("app/production/TOKEN", "NoSecretString"), template: fails("NoSecretString")},
		faultCase{name: "missing fields/speculative values without ARN", raw: valuesWithout(isSpec, "ARN"), hits: isSpec,
			list: succeeds},
	)

	// Pagination.
	cases = append(cases,
		faultCase{name: "pagination/NextToken repeats forever", hits: isList,
			raw: func(fx *fixture, w http.ResponseWriter, _ *http.Request, c smfake.Call) bool {
				if !isList(c) {
					return false
				}
				smfake.WriteFault(w, &smfake.Fault{Body: listBody(entries(fx.sortedWanted()), "again")})
				return true
			},
			list: fails("ListSecrets: the listing repeats a page token")},
		// 5ms a page: the 1000 pages keep allows take longer than --timeout.
		faultCase{name: "pagination/NextToken never ends", hits: isList,
			raw: func(fx *fixture, w http.ResponseWriter, _ *http.Request, c smfake.Call) bool {
				if !isList(c) {
					return false
				}
				time.Sleep(5 * time.Millisecond)
				smfake.WriteFault(w, &smfake.Fault{Body: listBody(entries(fx.sortedWanted()), fmt.Sprintf("token-%d", c.N))})
				return true
			},
			list: fails("ListSecrets: timed out")},
		faultCase{name: "pagination/empty page with NextToken", hits: isList,
			raw: func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
				return pages(nil, entries(fx.sortedWanted()))(fx, w, r, c)
			},
			list: succeeds},
		faultCase{name: "pagination/same secrets on two pages", hits: isList,
			raw: func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
				all := fx.sortedWanted()
				return pages(entries(all[:15]), entries(all[10:]), entries(all[:3]))(fx, w, r, c)
			},
			list: succeeds},
		faultCase{name: "pagination/a page failing the exact tag check", hits: isList, store: addDecoyPage,
			raw: func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
				return pages(entries(fx.decoyPage), entries(fx.sortedWanted()))(fx, w, r, c)
			},
			list: succeeds},
	)

	// Omitted ids: neither a value nor an error.
	omit := func(key string, tg target) raw {
		return always(tg, func(fx *fixture, w http.ResponseWriter, _ *http.Request, c smfake.Call) {
			var resp struct{ SecretValues []map[string]any }
			_ = json.Unmarshal([]byte(fx.answerFor(c)), &resp)
			resp.SecretValues = slices.DeleteFunc(resp.SecretValues, func(v map[string]any) bool { return v["Name"] == fx.wanted[key].Name })
			smfake.WriteFault(w, &smfake.Fault{Body: batchBody(resp.SecretValues)})
		})
	}
	cases = append(cases,
		faultCase{name: "omitted id/batch", raw: omit("TOKEN", isBatch), hits: isBatch,
			list:     fails("secret app/production/TOKEN: NotReturned", "missing from the BatchGetSecretValue response"),
			template: fails("secret app/production/TOKEN: NotReturned", "missing from the BatchGetSecretValue response")},
		faultCase{name: "omitted id/speculative", raw: omit("DB_PASSWORD", isSpec), hits: isSpec,
			list: succeeds},
	)

	// Per-secret errors for a wanted secret.
	perSecret := func(code string) func(fx *fixture) {
		return func(fx *fixture) {
			s := fx.wanted["DB_PASSWORD"]
			s.ErrorCode = code
			fx.wanted["DB_PASSWORD"] = s
		}
	}
	cases = append(cases,
		faultCase{name: "per-secret/AccessDenied", store: perSecret("AccessDeniedException"), hits: isBatch,
			list:     fails("secret app/production/DB_PASSWORD: AccessDeniedException", "secretsmanager:GetSecretValue"),
			template: fails("secret app/production/DB_PASSWORD: AccessDeniedException", "secretsmanager:GetSecretValue")},
		faultCase{name: "per-secret/DecryptionFailure", store: perSecret("DecryptionFailure"), hits: isBatch,
			list:     fails("secret app/production/DB_PASSWORD: DecryptionFailure", "kms:Decrypt"),
			template: fails("secret app/production/DB_PASSWORD: DecryptionFailure", "kms:Decrypt")},
		// Deleted between list and get: listed live, gone by the batch.
		faultCase{name: "per-secret/ResourceNotFound", hits: isBatch,
			store: func(fx *fixture) {
				s := fx.wanted["DB_PASSWORD"]
				s.Deleted = true
				fx.wanted["DB_PASSWORD"] = s
			},
			raw: func(fx *fixture, w http.ResponseWriter, r *http.Request, c smfake.Call) bool {
				return pages(entries(fx.sortedWanted()))(fx, w, r, c)
			},
			list:     fails("secret app/production/DB_PASSWORD: ResourceNotFoundException", "deleted while keep was reading it"),
			template: fails("{secretsmanager:DB_PASSWORD}: secret app/production/DB_PASSWORD not found", "--missing")},
	)
	return cases
}

// addDecoyPage stores a page of decoys under app/production/ that fail the
// exact check: another environment, a legacy Env tag of another
// environment, another namespace, ManagedBy in another case, no ManagedBy.
// Their values must never be fetched by ARN.
func addDecoyPage(fx *fixture) {
	for i, tags := range []map[string]string{
		{"Environment": "production-eu"},
		{"Environment": "", "Env": "production-eu"},
		{"Namespace": "app2"},
		{"ManagedBy": "keep"},
		{"ManagedBy": ""},
	} {
		s := fakeSecret("app", "production", fmt.Sprintf("DECOY%d", i), fmt.Sprintf("SENTINEL-decoy-%d-%s", i, fx.wanted["TOKEN"].Value))
		for k, v := range tags {
			if v == "" {
				delete(s.Tags, k)
			} else {
				s.Tags[k] = v
			}
		}
		fx.decoyPage = append(fx.decoyPage, s)
		fx.decoys = append(fx.decoys, s)
	}
}

func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, fc := range faultCases() {
		for _, mode := range []faultMode{listMode, templateMode} {
			want := fc.list
			if mode == templateMode {
				want = fc.template
			}
			if want == nil {
				continue
			}
			t.Run(fc.name+"/"+string(mode), func(t *testing.T) {
				t.Parallel()
				runFaultCase(t, fc, mode, want)
			})
		}
	}
}

func runFaultCase(t *testing.T, fc faultCase, mode faultMode, want *outcome) {
	fx := newFixture(strings.NewReplacer("/", "-", " ", "-").Replace(fc.name) + "-" + string(mode))
	if fc.store != nil {
		fc.store(fx)
	}
	srv := smfake.New(fx.all()...)
	defer srv.Close()
	if fc.raw != nil {
		srv.Raw = func(w http.ResponseWriter, r *http.Request, c smfake.Call) bool { return fc.raw(fx, w, r, c) }
	}
	env := srv.Env()
	if fc.refused {
		env = refusedEnv(t, env)
	}
	args := []string{"run", "--timeout=" + matrixTimeout, "--namespace=app", "--env=production"}
	if mode == templateMode {
		dir := t.TempDir()
		writeFile(t, dir, "production.env", matrixTemplate)
		args = append(args, "--template="+filepath.Join(dir, "production.env"))
	}
	// A case still running after matrixGuard, many times its --timeout, is a
	// hang: keep fails the test.
	res := keep(t, run{Endpoint: env, Args: append(args, "--", testBin, "child:env"), Timeout: matrixGuard})
	first, _, _ := strings.Cut(res.Stderr, "\n")
	t.Logf("matrix: %s | %s | exit %d | %s", fc.name, mode, res.Code, first)

	if want.ok {
		env := childEnv(t, res)
		wantExactSecrets(t, env, fx.want(mode))
		if mode == templateMode && env["STATIC"] != "not-a-secret" {
			t.Errorf("child's STATIC = %q, want the template's text", env["STATIC"])
		}
	} else {
		wantExit(t, res, 125, want.fail...)
		if strings.Contains(res.Stdout+res.Stderr, "SENTINEL") {
			t.Errorf("keep's output holds a secret value (stdout %d bytes, stderr %d bytes)", len(res.Stdout), len(res.Stderr))
		}
	}
	calls := srv.Calls()
	if fc.hits != nil && !slices.ContainsFunc(calls, fc.hits) {
		t.Errorf("the fault never fired: no request it is aimed at arrived")
	}
	// Values that fail the exact check are never asked for by ARN, and no
	// secret is asked for twice (retries aside: they repeat one body).
	asked := map[string]bool{}
	bodies := map[string]bool{}
	for _, c := range calls {
		if bodies[string(c.Body)] {
			continue
		}
		bodies[string(c.Body)] = true
		for _, id := range requested(c) {
			if asked[id] {
				t.Errorf("%s was asked for in two batches", id)
			}
			asked[id] = true
			for _, d := range fx.decoys {
				if id == smfake.ARN(d.Name) || id == d.Name {
					t.Errorf("a batch asked for %s, which is not a secret of app/production", d.Name)
				}
			}
		}
	}
}

// refusedEnv is env pointing at a port nothing listens on.
func refusedEnv(t *testing.T, env []string) []string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	out := slices.Clone(env)
	for i, kv := range out {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			out[i] = "AWS_ENDPOINT_URL=http://" + addr
		}
	}
	return out
}

// wantExactSecrets checks that the child got every wanted secret, each
// with its value, and no other value of the fake: nothing partial, nothing
// extra.
func wantExactSecrets(t *testing.T, env map[string]string, want map[string]string) {
	t.Helper()
	hasOnly(t, env, want)
	for k, v := range env {
		if strings.Contains(v, "SENTINEL") && want[k] != v {
			t.Errorf("child's %s holds a value of the fake that it must not get", k)
		}
	}
}
