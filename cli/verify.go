package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
)

// VerifyCmd is keep verify.
type VerifyCmd struct {
	Env       string        `placeholder:"LIST" help:"Environments to check, comma-separated (default: the project's envs)."`
	Vault     string        `placeholder:"LIST" help:"Vaults to check, comma-separated (default: every Secrets Manager vault, or the default one)."`
	Write     bool          `help:"Also create and delete a throw-away secret in each context."`
	Namespace string        `env:"KEEP_NAMESPACE" placeholder:"NS" help:"Namespace (default: \"namespace\" in .keep/settings.json)."`
	Region    string        `env:"KEEP_REGION" placeholder:"REGION" help:"AWS region for every vault (default: each vault file's)."`
	Profile   string        `env:"AWS_PROFILE" placeholder:"NAME" help:"AWS shared-config profile."`
	Format    string        `enum:"table,json" default:"table" help:"table or json."`
	Timeout   time.Duration `env:"KEEP_TIMEOUT" default:"60s" help:"Deadline for the whole command."`
}

// Help is the detail shown by keep verify --help.
func (c *VerifyCmd) Help() string {
	return `For each vault and environment: credentials (a ListSecrets call), listing
keep's secrets, reading one (BatchGetSecretValue, as keep run does) and, with
--write, creating and deleting a throw-away secret keep-verify-<hex>. Prints a
matrix; exits 1 if anything keep run needs fails, 0 otherwise.`
}

type verifyResult struct {
	ref                       contextRef
	region                    string
	creds, list, read, writes string
	failed                    bool
}

// Run checks every context and prints the matrix.
func (c *VerifyCmd) Run(g *Globals) error {
	o, err := newOpener(TargetFlags{Namespace: c.Namespace, Region: c.Region, Profile: c.Profile})
	if err != nil {
		return err
	}
	envs, vaults := c.Env, c.Vault
	if envs == "" && o.project != nil {
		envs = strings.Join(o.project.Settings.Envs, ",")
	}
	if envs == "" {
		return &Error{Msg: "no environments to verify", Help: "pass --env=LIST, or run inside a project with envs in .keep/settings.json"}
	}
	if vaults == "" && o.project != nil {
		var sm []string
		for _, slug := range o.project.VaultSlugs() {
			if o.project.Vaults[slug].Driver == config.DriverSecretsManager {
				sm = append(sm, slug)
			}
		}
		vaults = strings.Join(sm, ",")
	}
	ctx, cancel, err := deadline(context.Background(), c.Timeout)
	if err != nil {
		return err
	}
	defer cancel()
	var results []verifyResult
	failed := false
	refs := contexts(envs, vaults)
	stop := spin(fmt.Sprintf("checking %d contexts", len(refs)))
	for _, ref := range refs {
		r := c.check(ctx, o, ref)
		failed = failed || r.failed
		results = append(results, r)
	}
	stop()
	if err := c.print(results); err != nil {
		return err
	}
	if failed {
		return answer{"some checks failed (see the ✗ cells above)"}
	}
	return nil
}

func (c *VerifyCmd) print(results []verifyResult) error {
	if c.Format == "json" {
		type row struct {
			Context     string `json:"context"`
			Region      string `json:"region"`
			Credentials string `json:"credentials"`
			List        string `json:"list"`
			Read        string `json:"read"`
			Write       string `json:"write"`
			OK          bool   `json:"ok"`
		}
		out := []row{}
		for _, r := range results {
			out = append(out, row{r.ref.String(), r.region, r.creds, r.list, r.read, r.writes, !r.failed})
		}
		return printJSON(out)
	}
	w := newTable()
	fmt.Fprintln(w, "VAULT:ENV\tREGION\tCREDENTIALS\tLIST\tREAD\tWRITE\tRESULT")
	for _, r := range results {
		result := paint("ok", green)
		if r.failed {
			result = paint("FAILED", red)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ref, r.region, r.creds, r.list, r.read, r.writes, result)
	}
	return w.Flush()
}

// check verifies one context; a failure is a cell, not an error.
func (c *VerifyCmd) check(ctx context.Context, o *opener, ref contextRef) verifyResult {
	r := verifyResult{ref: ref, creds: "—", list: "—", read: "—", writes: "skipped"}
	fail := func(cell *string, err error) verifyResult {
		*cell = "✗ " + firstLine(err)
		r.failed = true
		return r
	}
	ve, err := o.open(ctx, ref)
	if err != nil {
		return fail(&r.creds, err)
	}
	r.region = ve.region
	if err := fetch.CheckList(ctx, ve.client); err != nil {
		return fail(&r.creds, err)
	}
	r.creds = "✓"
	f := &fetch.Fetcher{API: ve.client, Region: ve.region}
	keys, err := f.Keys(ctx, ve.target)
	if err != nil {
		return fail(&r.list, err)
	}
	r.list = fmt.Sprintf("✓ %d secret(s)", len(keys))
	if len(keys) == 0 {
		r.read = "– nothing to read"
	} else if _, err := f.ByName(ctx, ve.target, keys[:1]); err != nil {
		return fail(&r.read, err)
	} else {
		r.read = "✓"
	}
	if c.Write {
		if err := verifyWrite(ctx, ve); err != nil {
			r.writes = "✗ " + firstLine(err)
			r.failed = true
		} else {
			r.writes = "✓ create+delete"
		}
	}
	return r
}

// verifyWrite creates keep-verify-<hex> with keep's tags and deletes it at
// once.
func verifyWrite(ctx context.Context, ve *vaultEnv) error {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	key := "keep-verify-" + hex.EncodeToString(b[:])
	// No replicas: a replicated secret cannot be deleted at once.
	vault := fetch.Vault{Slug: ve.cfg.Vault.Slug, KMSKey: ve.cfg.Vault.Key}
	res, err := fetch.Set(ctx, ve.client, ve.target, vault, key, "keep verify")
	if err != nil {
		return err
	}
	_, err = ve.client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(res.ARN), ForceDeleteWithoutRecovery: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("created %s but could not delete it: %w", res.Name, err)
	}
	return nil
}
