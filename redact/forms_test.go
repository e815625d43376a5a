package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

var formValues = []string{
	"s3cr3t-Value_42",
	"pä/ss<wörd>&\"q\" 🔑\t+=?",
	"-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\n-----END PRIVATE KEY-----\r\n",
	"abcd",
}

// masked reports whether masking text with value's forms leaves no form
// of value whole and masks something.
func masked(value, text string) bool {
	k := NewSet([]string{value}).Masker()
	out := k.Flush(k.Write(nil, []byte(text)))
	return bytes.Contains(out, []byte(Mask)) && !bytes.Contains(out, []byte(value))
}

func TestFormsCoverTheEncoders(t *testing.T) {
	for _, v := range formValues {
		forms := Forms(v)
		has := func(what, s string) {
			t.Helper()
			if !slices.Contains(forms, s) {
				t.Errorf("value of length %d: no %s form", len(v), what)
			}
		}
		has("raw", v)
		has("base64", base64.StdEncoding.EncodeToString([]byte(v)))
		has("base64url", base64.URLEncoding.EncodeToString([]byte(v)))
		has("query-escaped", url.QueryEscape(v))
		has("path-escaped", url.PathEscape(v))
		goJSON, _ := json.Marshal(v)
		has("Go JSON", string(goJSON[1:len(goJSON)-1]))
		var plain bytes.Buffer
		enc := json.NewEncoder(&plain)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		if s := strings.TrimSpace(plain.String()); !strings.ContainsAny(v, "\u2028\u2029") {
			has("JSON without HTML escapes", s[1:len(s)-1])
		}
	}
}

func TestFormsPythonAndPHPJSON(t *testing.T) {
	v := "pä/ss\"🔑\n"
	forms := Forms(v)
	for _, want := range []string{
		`p\u00e4/ss\"\ud83d\udd11\n`,  // Python json.dumps
		`p\u00e4\/ss\"\ud83d\udd11\n`, // PHP json_encode
	} {
		if !slices.Contains(forms, want) {
			t.Errorf("no form %s", want)
		}
	}
}

// A value inside a longer base64 text is masked whatever its alignment.
func TestFormsBase64Inside(t *testing.T) {
	for _, v := range formValues {
		for pre := range 6 {
			for post := range 4 {
				text := strings.Repeat("x", pre) + v + strings.Repeat("y", post)
				for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
					encoded := enc.EncodeToString([]byte(text))
					if !masked(v, "Basic "+encoded+"\n") {
						t.Errorf("value of length %d after %d bytes, before %d: its base64 is not masked", len(v), pre, post)
					}
				}
			}
		}
	}
}

func TestFormsLinesOfAMultiLineValue(t *testing.T) {
	pem := formValues[2]
	for _, line := range strings.Split(pem, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if !masked(pem, "log: "+line+"\n") {
			t.Errorf("a line of %d bytes of a multi-line value is not masked alone", len(line))
		}
	}
}

func TestFormsShortValues(t *testing.T) {
	if f := Forms("abc"); f != nil {
		t.Errorf("a 3-byte value has forms %q", f)
	}
	if !Short("abc") || Short("abcd") {
		t.Errorf("Short: the minimum is %d bytes", MinLen)
	}
	for _, f := range Forms("abcd\n12") {
		if len(f) < MinLen {
			t.Errorf("form %q is shorter than %d bytes", f, MinLen)
		}
	}
}

func TestSetMaxHold(t *testing.T) {
	s := NewSet([]string{"abcd", "abc", "0123456789"})
	if got, want := s.MaxHold(), len(base64.StdEncoding.EncodeToString([]byte("0123456789")))-1; got != want {
		t.Errorf("MaxHold %d, want %d (the longest form, base64, minus one)", got, want)
	}
	if NewSet(nil).MaxHold() != 0 {
		t.Error("an empty set holds bytes back")
	}
}
