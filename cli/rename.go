package cli

import (
	"context"
	"fmt"

	"github.com/keep-run/keep/write"
)

// RenameCmd is keep rename.
type RenameCmd struct {
	secretFlags
	Old          string `arg:"" help:"The secret's KEY now."`
	New          string `arg:"" help:"Its new KEY: one segment of letters, digits, '_' or '-'."`
	RecoveryDays int    `name:"recovery-days" default:"30" help:"Days before the old secret's scheduled deletion is final, 7 to 30; keep restore undoes it until then."`
}

// Help is the detail of keep rename --help.
func (c *RenameCmd) Help() string {
	return `Secrets Manager cannot rename a secret: keep creates NEW with OLD's current
value, tags, KMS key and description, then schedules OLD for deletion, as keep
delete does. NEW must not exist. If the deletion fails, both exist with the
same value, and keep says how to finish or undo.

Examples:
  keep rename DB_PASS DB_PASSWORD --env=production
  keep rename OLD_TOKEN API_TOKEN --env=staging --recovery-days=7`
}

// Run renames the secret.
func (c *RenameCmd) Run(g *Globals) error {
	if c.RecoveryDays < 7 || c.RecoveryDays > 30 {
		return &Error{Msg: fmt.Sprintf("--recovery-days=%d is outside 7..30", c.RecoveryDays), Help: "Secrets Manager keeps a deleted secret 7 to 30 days"}
	}
	return c.withVault(g, nil, func(ctx context.Context, ve *vaultEnv) error {
		res, err := write.Rename(ctx, ve.conn, c.Old, c.New, c.RecoveryDays)
		if err != nil {
			return err
		}
		fmt.Printf("Renamed %s to %s (version %s)\n", res.Old, res.New, res.VersionID)
		fmt.Printf("%s is scheduled for deletion on %s; keep restore %s --env=%s brings it back until then\n",
			res.Old, res.DeletionDate.Format("2006-01-02"), c.Old, ve.cfg.Env)
		return nil
	})
}
