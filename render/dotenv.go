package render

import "strings"

// QuoteDotenv quotes value for a .env file so that mainstream dotenv
// parsers — godotenv, Laravel's phpdotenv, Node's dotenv, docker compose's
// env_file, python-dotenv with interpolation off — read back its exact
// bytes, multi-line values included.
//
// The one encoding is single quotes, which all of them read literally. A
// value containing ' is double-quoted instead, which is as literal when it
// holds no ", \ or $. portable is false for the values no single form
// suits every parser: those containing ' together with ", \ or $; a
// carriage return (some parsers normalise line ends); a backslash at the
// end (some take \' for an escaped quote); or \\ (python-dotenv unescapes
// it inside single quotes). They are written in the form most parsers read
// exactly: single quotes, or double quotes with \\ \" \$ \r escapes — the
// latter for every carriage return, since a raw CR LF inside quotes
// becomes LF in most parsers (keep's template parser too).
func QuoteDotenv(value string) (quoted string, portable bool) {
	if !strings.ContainsAny(value, "'\r") {
		portable = !strings.HasSuffix(value, `\`) && !strings.Contains(value, `\\`)
		return "'" + value + "'", portable
	}
	if !strings.ContainsAny(value, "\"\\$\r") {
		return `"` + value + `"`, true
	}
	return `"` + doubleQuoteEscaper.Replace(value) + `"`, false
}

var doubleQuoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "\r", `\r`)
