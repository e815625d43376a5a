// Command keep loads secrets from AWS Secrets Manager and runs a program
// with them: keep run --env=production -- php-fpm -F. The commands live in
// package cli; see ARCHITECTURE.md.
package main

import (
	"os"

	"github.com/keep-run/keep/cli"
)

// Set by release builds (scripts/release):
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=<sha> -X main.date=<RFC 3339>"
//
// Empty means "ask the Go build info".
var version, commit, date string

func main() {
	cli.Main(cli.Stamp{Version: version, Commit: commit, Date: date}, os.Args[1:])
}
