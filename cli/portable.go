package cli

import (
	"fmt"
	"os"
	"strings"
)

// warnNonPortable tells on stderr which variables of a written dotenv file
// hold a value that no single dotenv form reads back exactly in every
// common parser (render.QuoteDotenv), by name, never by value: keep wrote
// its best form, and the user must check their app's parser or store the
// value another way.
func warnNonPortable(names []string) {
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(os.Stderr, "keep: warning: %s: no dotenv quoting reads %s back exactly in every common parser (it holds ' with \" \\ or $, a carriage return, or \\\\); keep wrote the form most of them read exactly\n"+
		"  check that your app's dotenv parser reads it back, or store the value as JSON or base64 (see \"Quoting in files\" in the README)\n",
		strings.Join(names, ", "), plural(len(names), "this value", "these values"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
