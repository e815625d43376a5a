package cli

import (
	"strings"
	"time"
)

// The CSV of keep export --format=csv: the PHP Keep's header, fields and
// quoting (SecretCollection::toCsvString, TemplateParseService::formatAsCsv).
// The rows differ on purpose (see the README's "Coming from the PHP Keep"):
// sorted by KEY across vaults, and a template's Vault and Env taken from
// its placeholders.

// csvHeader and csvTemplateHeader are the PHP Keep's header rows: it names
// the environment column Environment when exporting every secret and Env
// when exporting a template.
var (
	csvHeader         = []string{"Key", "Value", "Vault", "Environment", "Modified"}
	csvTemplateHeader = []string{"Key", "Value", "Vault", "Env", "Modified"}
)

// csvTime is t as the PHP Keep writes Modified (Carbon's
// toIso8601String, in UTC: 2025-06-01T10:00:00+00:00), or "" when unknown.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05-07:00")
}

// csvTable is header and rows as CSV: fields separated by commas, each row
// ended by "\n", every field written by csvField. encoding/csv reads back
// every field byte for byte, except that it turns a CR LF inside a field
// into LF (RFC 4180 readers such as PHP's fgetcsv and Python's csv keep it).
func csvTable(header []string, rows [][]string) []byte {
	var b strings.Builder
	for _, row := range append([][]string{header}, rows...) {
		for i, f := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvField(f))
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// csvField is f as a CSV field: in double quotes, each of its double
// quotes doubled, when it holds a comma, a double quote, CR or LF; else as
// it is. (Unlike encoding/csv.Writer, a leading space does not make it
// quoted: the PHP Keep writes it bare.)
func csvField(f string) string {
	if !strings.ContainsAny(f, ",\"\r\n") {
		return f
	}
	return `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
}
