package cli

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

// The values are made up; a failure names the case, never prints a value
// as a secret would be.

func TestCSVFieldAsThePHPKeepWritesIt(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"  padded  ", "  padded  "}, // encoding/csv would quote this; the PHP Keep does not
		{"a,b", `"a,b"`},
		{`say "hi"`, `"say ""hi"""`},
		{"two\nlines", "\"two\nlines\""},
		{"cr\rhere", "\"cr\rhere\""},
		{`"`, `""""`},
		{`back\slash 'single' $HOME`, `back\slash 'single' $HOME`},
	} {
		if got := csvField(tc.in); got != tc.want {
			t.Errorf("csvField(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVTableShape(t *testing.T) {
	got := string(csvTable(csvHeader, [][]string{
		{"A_KEY", "x,y", "app", "production", ""},
		{"B_KEY", "plain", "shared", "production", ""},
	}))
	want := "Key,Value,Vault,Environment,Modified\n" +
		"A_KEY,\"x,y\",app,production,\n" +
		"B_KEY,plain,shared,production,\n"
	if got != want {
		t.Errorf("csvTable:\n%s\nwant:\n%s", got, want)
	}
	if got := string(csvTable(csvTemplateHeader, nil)); got != "Key,Value,Vault,Env,Modified\n" {
		t.Errorf("the template header: %q", got)
	}
}

// hostileCSV are values that break naive CSV: encoding/csv must read each
// back byte for byte.
var hostileCSV = []string{
	"",
	"a,b,c",
	`"quoted"`,
	`say "hi", then "bye"`,
	"line one\nline two\n",
	"\n",
	",",
	`""`,
	"lone\rcarriage return",
	"  spaces around  ",
	"\ttab first",
	"pässwörd-密码-🔑",
	`-----BEGIN KEY-----` + "\n" + `AAAA,"BBBB"` + "\n" + `-----END KEY-----`,
	"=1+2", // a spreadsheet formula stays text here: CSV has no notion of it
	"\x00nul",
}

func TestCSVTableReadsBackWithEncodingCSV(t *testing.T) {
	var rows [][]string
	for i, v := range hostileCSV {
		rows = append(rows, []string{"KEY_" + string(rune('A'+i)), v, "app", "production", ""})
	}
	records, err := csv.NewReader(bytes.NewReader(csvTable(csvHeader, rows))).ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the table: %v", err)
	}
	if !slices.Equal(records[0], csvHeader) {
		t.Errorf("header %q", records[0])
	}
	if len(records) != len(rows)+1 {
		t.Fatalf("read %d records, want %d", len(records), len(rows)+1)
	}
	for i, row := range rows {
		if !slices.Equal(records[i+1], row) {
			t.Errorf("row %d (%s) does not read back byte for byte", i, row[0])
		}
	}
}

func FuzzCSVTable(f *testing.F) {
	for _, v := range hostileCSV {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if strings.Contains(v, "\r\n") {
			t.Skip("encoding/csv reads CR LF inside a field as LF")
		}
		row := []string{"K", v, "app", "production", ""}
		records, err := csv.NewReader(bytes.NewReader(csvTable(csvHeader, [][]string{row}))).ReadAll()
		if err != nil {
			t.Fatalf("encoding/csv cannot read the table: %v", err)
		}
		if len(records) != 2 || !slices.Equal(records[1], row) {
			t.Errorf("the value does not read back byte for byte (%d records)", len(records))
		}
	})
}
