package render

import (
	"bytes"
	"fmt"
	"strings"
)

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
//
// A value ending in a backslash has no safe form at all (see Contained):
// callers that write files check it first.
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

// Contained reports whether QuoteDotenv's form of value is read as this
// one variable by every common parser, exact or not. Only a value ending
// in a backslash is not: godotenv, docker compose, Node's dotenv and
// python-dotenv take the backslash before the closing quote (\' or, once
// escaped, \\") for an escaped quote, read on into the next lines, and
// the text of other values there becomes assignments of its own. No
// quoting avoids it, so such a value is refused (DotenvError), never
// written.
func Contained(value string) bool {
	return !strings.HasSuffix(value, `\`)
}

// DotenvError is a variable whose value keep cannot write to a dotenv
// file without letting it spill into other variables (see Contained). It
// names the variable, never the value.
type DotenvError struct {
	Name string
	// At is "FILE:LINE: " for a template's line, or "".
	At string
}

func (e *DotenvError) Error() string {
	return fmt.Sprintf("%s%s: the value ends with a backslash, which no dotenv quoting holds safely", e.At, e.Name)
}

// Hint says what to do.
func (e *DotenvError) Hint() string {
	return `godotenv, docker compose, Node's dotenv and python-dotenv read \' or \" at the end of a value as an escaped quote, so the rest of the file would be misread; use keep run without --output (the environment holds the value exactly) or --format=json, or store the value without its final backslash (as JSON or base64)`
}

// EncodeDotenv writes vars as NAME=value lines quoted by QuoteDotenv.
// nonPortable names, in order, the variables whose value no single form
// reads back exactly in every parser (for a warning). A value that is not
// Contained is a *DotenvError, and nothing is written.
func EncodeDotenv(vars []Var) (data []byte, nonPortable []string, err error) {
	var b bytes.Buffer
	for _, v := range vars {
		if !Contained(v.Value) {
			return nil, nil, &DotenvError{Name: v.Name}
		}
		q, portable := QuoteDotenv(v.Value)
		if !portable {
			nonPortable = append(nonPortable, v.Name)
		}
		b.WriteString(v.Name + "=" + q + "\n")
	}
	return b.Bytes(), nonPortable, nil
}
