package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keep-run/keep/config"
)

// EnvRemoveCmd is keep env:remove.
type EnvRemoveCmd struct {
	Name string `arg:"" help:"The environment to remove from .keep/settings.json (its secrets are not touched)."`
}

// Help is the detail shown by keep env:remove --help.
func (c *EnvRemoveCmd) Help() string {
	return `Removes an environment from .keep/settings.json; its secrets stay in AWS
(keep env:add NAME makes them reachable again). Asks on a terminal; -n
removes without asking.

Examples:
  keep env:remove qa
  keep -n env:remove qa`
}

// Run removes the environment from the project's settings: a local change
// only, never a call to AWS.
func (c *EnvRemoveCmd) Run(g *Globals) error {
	project, err := requireProject()
	if err != nil {
		return err
	}
	envs := project.Settings.Envs
	if !slices.Contains(envs, c.Name) {
		return &Error{Msg: fmt.Sprintf("no environment %q", c.Name), Help: fmt.Sprintf("the project's environments: %s", strings.Join(envs, ", "))}
	}
	if len(envs) == 1 {
		return &Error{Msg: fmt.Sprintf("%s is the project's only environment", c.Name), Help: "a project needs one: keep env:add another first"}
	}
	ok, err := g.prompter().confirm(fmt.Sprintf("Remove environment %s from %s/settings.json? Its secrets stay in AWS.", c.Name, config.Dir), true)
	if err != nil || !ok {
		return err
	}
	project.Settings.Envs = slices.DeleteFunc(slices.Clone(envs), func(e string) bool { return e == c.Name })
	if err := config.SaveSettings(project.Root, project.Settings, time.Now()); err != nil {
		return err
	}
	fmt.Printf("Removed environment %s from %s/settings.json (its secrets stay in AWS; keep env:add %s makes them reachable again)\n", c.Name, config.Dir, c.Name)
	return nil
}
