package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/keep-run/keep/config"
)

func TestUpdateVaultRewritesAnExistingFile(t *testing.T) {
	root := initDirs(t)
	v := config.Vault{Slug: "billing-eu", Driver: "secretsmanager", Name: "Old", Region: "us-east-1"}
	if err := config.UpdateVault(root, v); err == nil || !strings.Contains(err.Error(), `no vault "billing-eu"`) {
		t.Fatalf("UpdateVault of a missing vault = %v, want no vault", err)
	}
	if err := config.SaveVault(root, v); err != nil {
		t.Fatal(err)
	}
	// Every setting changed: the file is byte for byte the one SaveVault
	// writes for them.
	full := config.Vault{Slug: "billing-eu", Driver: "secretsmanager", Name: "  Billing EU  ", Scope: "billing/eu", Region: "eu-west-1",
		Key:            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		ReplicaRegions: []string{"us-west-2", "eu-central-1=alias/replica-key"}}
	if err := config.UpdateVault(root, full); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, config.Dir, "vaults", "billing-eu.json")
	golden(t, "vault-full.json", readFile(t, path))
	before := readFile(t, path)
	bad := full
	bad.Region = "Not A Region"
	if err := config.UpdateVault(root, bad); err == nil {
		t.Fatal("UpdateVault wrote an invalid region")
	}
	if string(readFile(t, path)) != string(before) {
		t.Error("a refused UpdateVault changed the file")
	}
}
