package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/keep-run/keep/config"
	"github.com/keep-run/keep/fetch"
)

// InfoCmd is keep info.
type InfoCmd struct {
	AWSFlags
	Check       bool   `help:"Also check the credentials in each vault's region (one ListSecrets call each), as keep verify does."`
	Format      string `enum:"table,json" default:"table" help:"table or json."`
	TimeoutFlag `set:"deadline_of=--check"`
}

// infoVault is a vault as keep info shows it.
type infoVault struct {
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Driver  string `json:"driver"`
	Region  string `json:"region"`
	Scope   string `json:"scope"`
	KMSKey  string `json:"kms_key"`
	Default bool   `json:"default"`
	Check   string `json:"check,omitempty"`
}

// info is what keep info shows.
type info struct {
	Version      string      `json:"version"`
	Project      string      `json:"project"`
	Namespace    string      `json:"namespace"`
	Envs         []string    `json:"envs"`
	DefaultVault string      `json:"default_vault"`
	Credentials  string      `json:"credentials"`
	Region       string      `json:"region"`
	RegionFrom   string      `json:"region_from"`
	Vaults       []infoVault `json:"vaults"`
}

// Help is the detail shown by keep info --help.
func (c *InfoCmd) Help() string {
	return `Shows keep's version, the project, its vaults and where credentials and
the region come from, without calling AWS; --check also checks the
credentials.

Examples:
  keep info
  keep info --check --format=json`
}

// Run prints what keep would work with here. Without --check it makes no
// network call.
func (c *InfoCmd) Run(g *Globals) error {
	project, err := config.FindProject(".")
	if err != nil {
		return err
	}
	origin, err := fetch.FindOrigin(context.Background(), c.Profile)
	if err != nil {
		return err
	}
	in := info{Version: currentBuild().String(), Namespace: c.Namespace, Envs: []string{}, Vaults: []infoVault{},
		Credentials: origin.Credentials, Region: origin.Region, RegionFrom: origin.RegionFrom}
	if c.Region != "" {
		in.Region, in.RegionFrom = c.Region, "--region/KEEP_REGION"
	}
	if project != nil {
		in.Project = filepath.Join(project.Root, config.Dir, "settings.json")
		if in.Namespace == "" {
			in.Namespace = project.Settings.Namespace
		}
		in.Envs = append(in.Envs, project.Settings.Envs...)
		in.DefaultVault = project.Settings.DefaultVault
		for _, slug := range project.VaultSlugs() {
			v := project.Vaults[slug]
			region := v.Region
			if c.Region != "" || region == "" {
				region = in.Region
			}
			in.Vaults = append(in.Vaults, infoVault{Slug: slug, Name: v.Name, Driver: v.Driver, Region: region,
				Scope: v.Scope, KMSKey: v.Key, Default: slug == in.DefaultVault})
		}
	}
	failed := false
	if c.Check {
		if failed, err = c.check(in.Vaults, in.Region); err != nil {
			return err
		}
	}
	if c.Format == "json" {
		err = printJSON(in)
	} else {
		err = c.print(in)
	}
	if err == nil && failed {
		err = answer{"the credential check failed (see above)"}
	}
	return err
}

// check runs verify's credential check in each vault's region, or in
// region without vaults, and notes the result on each vault.
func (c *InfoCmd) check(vaults []infoVault, region string) (failed bool, err error) {
	ctx, cancel, err := c.deadline(context.Background())
	if err != nil {
		return false, err
	}
	defer cancel()
	session := fetch.NewSession(c.Profile)
	results := map[string]string{}
	do := func(region string) string {
		if r, ok := results[region]; ok {
			return r
		}
		conn, err := session.Open(ctx, region, fetch.Target{})
		if err == nil {
			err = conn.CheckList(ctx)
		}
		r := "✓ credentials work"
		if err != nil {
			r, failed = "✗ "+firstLine(err), true
		}
		results[region] = r
		return r
	}
	if len(vaults) == 0 {
		fmt.Printf("Check (%s): %s\n", displayRegion(region), do(region))
	}
	for i := range vaults {
		vaults[i].Check = do(vaults[i].Region)
	}
	return failed, nil
}

func (c *InfoCmd) print(in info) error {
	none := func(s, instead string) string {
		if s == "" {
			return instead
		}
		return s
	}
	w := newTable()
	fmt.Fprintf(w, "Version\t%s\n", in.Version)
	fmt.Fprintf(w, "Project\t%s\n", none(in.Project, "none here or in a parent directory (flags and KEEP_* only)"))
	fmt.Fprintf(w, "Namespace\t%s\n", none(in.Namespace, "(none: pass --namespace or set KEEP_NAMESPACE)"))
	fmt.Fprintf(w, "Environments\t%s\n", none(strings.Join(in.Envs, ", "), "(none)"))
	fmt.Fprintf(w, "Default vault\t%s\n", none(in.DefaultVault, "(none)"))
	fmt.Fprintf(w, "Credentials\t%s\n", in.Credentials)
	from := ""
	if in.RegionFrom != "" {
		from = " (from " + in.RegionFrom + ")"
	}
	fmt.Fprintf(w, "Region\t%s%s\n", displayRegion(in.Region), from)
	if err := w.Flush(); err != nil {
		return err
	}
	if len(in.Vaults) == 0 {
		if in.Project != "" {
			fmt.Println("\nNo vaults are configured yet; add one with keep vault:add")
		}
		return nil
	}
	fmt.Println()
	w = newTable()
	fmt.Fprintln(w, "VAULT\tNAME\tREGION\tSCOPE\tKMS KEY\tDEFAULT\tCHECK")
	for _, v := range in.Vaults {
		def := ""
		if v.Default {
			def = "✓"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Slug, v.Name, displayRegion(v.Region), none(v.Scope, "-"),
			none(v.KMSKey, "aws/secretsmanager"), def, none(v.Check, "-"))
	}
	return w.Flush()
}

func displayRegion(r string) string {
	if r == "" {
		return "(none configured)"
	}
	return r
}
