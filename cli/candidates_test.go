package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

func TestCandidates(t *testing.T) {
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("keep"))
	if err != nil {
		t.Fatal(err)
	}
	pv := projectValues{Namespace: "myapp", Envs: []string{"local", "staging", "production"}, Vaults: []string{"legacy", "secretsmanager"}}
	for _, tc := range []struct {
		words string // the words after keep; "|" ends an empty current word
		want  []string
		has   []string // when the full list is long: some that must be there
		lacks []string
	}{
		{words: "|", has: []string{"run", "export", "template:validate", "vault:add", "copy", "version", "completion"}, lacks: []string{"__complete", "--help"}},
		{words: "r", want: []string{"run", "restore", "rename"}},
		{words: "vault:", want: []string{"vault:add", "vault:list", "vault:delete", "vault:edit"}},
		{words: "-", has: []string{"--help", "--verbose", "--version"}, lacks: []string{"--env="}},
		{words: "run --e", want: []string{"--endpoint-url=", "--env=", "--except=", "--exec"}},
		{words: "run --env=", want: []string{"--env=local", "--env=staging", "--env=production"}},
		{words: "run --env=pr", want: []string{"--env=production"}},
		{words: "run --env |", want: []string{"local", "staging", "production"}},
		{words: "-v run --vault=", want: []string{"--vault=legacy", "--vault=secretsmanager"}},
		{words: "run --namespace=", want: []string{"--namespace=myapp"}},
		{words: "run --missing=", want: []string{"--missing=fail", "--missing=skip", "--missing=blank", "--missing=remove"}},
		{words: "run --env=local --verbose --", has: []string{"--vault=", "--supervise"}},
		{words: "run -- |", want: []string{completeCommands}},
		{words: "run --env=local -- printe", want: []string{completeCommands}},
		{words: "exec -- printe", want: []string{completeCommands}},
		{words: "run --env production |", want: []string{completeCommands}},
		{words: "run -- printenv |", want: nil}, // its arguments: files
		{words: "get |", want: []string{completeNothing}},
		{words: "get DB", want: []string{completeNothing}},
		{words: "set KEY |", want: []string{completeNothing}},
		{words: "delete --env=local |", want: []string{completeNothing}},
		{words: "copy |", want: []string{completeNothing}},
		{words: "template:validate |", want: nil}, // a file
		{words: "help vault:", want: []string{"vault:add", "vault:list", "vault:delete", "vault:edit"}},
		{words: "run -- --e", want: nil},
		{words: "run php --e", want: nil}, // the command's own flags
		{words: "run --env production php |", want: nil},
		{words: "diff --env=local,", want: []string{"--env=local,staging", "--env=local,production"}},
		{words: "verify --vault legacy,", want: []string{"legacy,secretsmanager"}},
		{words: "copy --from=", want: []string{"--from=local", "--from=staging", "--from=production",
			"--from=legacy:local", "--from=legacy:staging", "--from=legacy:production",
			"--from=secretsmanager:local", "--from=secretsmanager:staging", "--from=secretsmanager:production"}},
		{words: "copy KEY --to=legacy:p", want: []string{"--to=legacy:production"}},
		{words: "vault:delete |", want: []string{"legacy", "secretsmanager"}},
		{words: "vault:add --slug=", want: nil}, // a new slug
		{words: "completion |", want: []string{"bash", "zsh", "fish"}},
		{words: "completion bash |", want: nil},
		{words: "export -o |", want: nil}, // a file
		{words: "export -vo |", want: nil},
		{words: "export -v |", want: nil},
		{words: "export --format |", want: []string{"env", "json", "csv"}},
		{words: "export --nope=", want: nil},
		{words: "get KEY --format=r", want: []string{"--format=raw"}},
		{words: "env:add |", want: nil},
		{words: "env:remove st", want: []string{"staging"}},
		{words: "vault:edit l", want: []string{"legacy"}},
		{words: "import --sk", want: []string{"--skip-existing"}},
		{words: "template:add --vault=", want: []string{"--vault=legacy", "--vault=secretsmanager"}},
	} {
		words := strings.Fields(strings.ReplaceAll(tc.words, "|", " |"))
		if n := len(words); n > 0 && words[n-1] == "|" {
			words[n-1] = ""
		}
		got := candidates(parser.Model.Node, words, pv)
		if tc.has == nil && !slices.Equal(got, tc.want) {
			t.Errorf("keep %s: got %q, want %q", tc.words, got, tc.want)
		}
		for _, w := range tc.has {
			if !slices.Contains(got, w) {
				t.Errorf("keep %s: %q lacks %q", tc.words, got, w)
			}
		}
		for _, w := range tc.lacks {
			if slices.Contains(got, w) {
				t.Errorf("keep %s: %q has %q", tc.words, got, w)
			}
		}
	}
}

func TestCandidatesWithoutProject(t *testing.T) {
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("keep"))
	if err != nil {
		t.Fatal(err)
	}
	if got := candidates(parser.Model.Node, []string{"run", "--env="}, projectValues{}); got != nil {
		t.Errorf("no project: got %q, want nothing (the shell completes files)", got)
	}
	if got := candidates(parser.Model.Node, nil, projectValues{}); !slices.Contains(got, "run") {
		t.Errorf("no words: got %q, want the commands", got)
	}
}
