// Package iam builds the IAM policies that the Keep documentation shows
// for Secrets Manager: tag-based access to one namespace, optionally
// limited to some environments, plus what keep run needs account-wide.
package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Access is a documented scenario.
type Access string

const (
	// Full is a developer's access to every environment of the namespace.
	Full Access = "full"
	// Write is read and write access limited to some environments.
	Write Access = "write"
	// Read is a deployment's read-only access to one environment.
	Read Access = "read"
)

// Vault is a vault the policy covers: its region, KMS key ("" for the AWS
// managed key alias/aws/secretsmanager) and scope ("" for none).
type Vault struct {
	Slug   string
	Region string
	KMSKey string
	Scope  string
}

// Request says whose access to describe.
type Request struct {
	Namespace string
	// Envs limit the access (required for Write and Read; Read takes one).
	Envs   []string
	Access Access
	Vaults []Vault
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM statement. Fields are in the order AWS shows them.
type Statement struct {
	Sid       string     `json:"Sid"`
	Effect    string     `json:"Effect"`
	Action    []string   `json:"Action"`
	Resource  any        `json:"Resource"`
	Condition Conditions `json:"Condition,omitempty"`
}

// Conditions maps an operator (StringEquals…) to key → values. It marshals
// with sorted keys, so the output is stable.
type Conditions map[string]map[string][]string

// tagKeys are the tag keys keep creates secrets with, and so the only
// ones CreateSecret may carry: the four of every secret, and Scope when a
// vault has a scope (as the PHP Keep's own policy generator,
// src/Services/IamPolicyGenerator.php, allows it). The Scope tag's value
// is not conditioned: no policy grants access by it (the name holds the
// scope), and an unscoped vault's secrets carry none.
func tagKeys(vaults []Vault) []string {
	keys := []string{"ManagedBy", "Namespace", "Environment", "VaultSlug"}
	for _, v := range vaults {
		if v.Scope != "" {
			return append(keys, "Scope")
		}
	}
	return keys
}

// Build returns the policy for r.
func Build(r Request) (*Policy, error) {
	switch r.Access {
	case Full:
	case Write:
		if len(r.Envs) == 0 {
			return nil, fmt.Errorf("--access=write needs --env with the environments to allow")
		}
	case Read:
		if len(r.Envs) != 1 {
			return nil, fmt.Errorf("--access=read describes one environment: pass --env=ENV")
		}
	default:
		return nil, fmt.Errorf("unknown access %q: want full, write or read", r.Access)
	}
	p := &Policy{Version: "2012-10-17"}
	owned := Conditions{"StringEquals": {
		"secretsmanager:ResourceTag/ManagedBy": {"Keep"},
		"secretsmanager:ResourceTag/Namespace": {r.Namespace},
	}}
	if len(r.Envs) > 0 {
		owned["StringEquals"]["secretsmanager:ResourceTag/Environment"] = r.Envs
	}
	read := []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:ListSecretVersionIds"}
	if r.Access == Read {
		p.Statement = append(p.Statement, Statement{Sid: "KeepReadSecrets", Effect: "Allow", Action: read, Resource: "*", Condition: owned})
		p.Statement = append(p.Statement, legacyEnv(r, "KeepReadSecretsTaggedEnv", read)...)
	} else {
		write := append(append([]string{}, read...),
			"secretsmanager:DeleteSecret", "secretsmanager:PutSecretValue", "secretsmanager:RestoreSecret",
			"secretsmanager:UpdateSecret", "secretsmanager:UpdateSecretVersionStage")
		sort.Strings(write)
		p.Statement = append(p.Statement, Statement{Sid: "KeepReadWriteSecrets", Effect: "Allow", Action: write, Resource: "*", Condition: owned})
		p.Statement = append(p.Statement, legacyEnv(r, "KeepReadWriteSecretsTaggedEnv", write)...)
		// Creating carries the tags: only keep's keys, with this
		// namespace's values, so no secret can be created in another
		// namespace or environment. keep never tags or untags an existing
		// secret (an update puts the value alone), so neither is granted.
		create := Conditions{
			"StringEquals": {
				"aws:RequestTag/ManagedBy": {"Keep"},
				"aws:RequestTag/Namespace": {r.Namespace},
			},
			"ForAllValues:StringEquals": {"aws:TagKeys": tagKeys(r.Vaults)},
		}
		if len(r.Envs) > 0 {
			create["StringEquals"]["aws:RequestTag/Environment"] = r.Envs
		}
		p.Statement = append(p.Statement, Statement{Sid: "KeepCreateSecrets", Effect: "Allow",
			Action: []string{"secretsmanager:CreateSecret"}, Resource: "*", Condition: create})
	}
	p.Statement = append(p.Statement, Statement{Sid: "KeepListAccountWide", Effect: "Allow",
		Action: []string{"secretsmanager:BatchGetSecretValue", "secretsmanager:ListSecrets"}, Resource: "*"})
	p.Statement = append(p.Statement, kmsStatements(r)...)
	return p, nil
}

// legacyEnv allows actions, as the statement before it does, on the
// secrets of r's environments that the PHP Keep created: they carry Env,
// not Environment (keep reads both; see fetch.Target.Match). Only secrets
// without an Environment tag qualify, so that one tagged Environment=qa
// and Env=production is not granted as production. With no environments
// named (full access) the statement before covers both: none.
func legacyEnv(r Request, sid string, actions []string) []Statement {
	if len(r.Envs) == 0 {
		return nil
	}
	return []Statement{{Sid: sid, Effect: "Allow", Action: actions, Resource: "*", Condition: Conditions{
		"StringEquals": {
			"secretsmanager:ResourceTag/ManagedBy": {"Keep"},
			"secretsmanager:ResourceTag/Namespace": {r.Namespace},
			"secretsmanager:ResourceTag/Env":       r.Envs,
		},
		"Null": {"secretsmanager:ResourceTag/Environment": {"true"}},
	}}}
}

// kmsStatements allow the KMS actions on the vaults' keys: a customer key
// by its ARN (or alias, through kms:ResourceAliases), the AWS managed key
// through Secrets Manager only.
func kmsStatements(r Request) []Statement {
	actions := []string{"kms:Decrypt"}
	if r.Access != Read {
		actions = []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}
	}
	var arns, aliases, managedRegions []string
	for _, v := range r.Vaults {
		region := v.Region
		if region == "" {
			region = "*"
		}
		switch key := v.KMSKey; {
		case key == "" || key == "alias/aws/secretsmanager":
			managedRegions = append(managedRegions, region)
		case strings.HasPrefix(key, "arn:"):
			arns = append(arns, key)
		case strings.HasPrefix(key, "alias/"):
			aliases = append(aliases, key)
		default: // a key id
			arns = append(arns, fmt.Sprintf("arn:aws:kms:%s:*:key/%s", region, key))
		}
	}
	var out []Statement
	if len(arns) > 0 {
		out = append(out, Statement{Sid: "KeepKmsVaultKeys", Effect: "Allow", Action: actions, Resource: uniq(arns)})
	}
	if len(aliases) > 0 {
		out = append(out, Statement{Sid: "KeepKmsVaultKeyAliases", Effect: "Allow", Action: actions, Resource: "*",
			Condition: Conditions{"ForAnyValue:StringEquals": {"kms:ResourceAliases": uniq(aliases)}}})
	}
	if len(managedRegions) > 0 || len(r.Vaults) == 0 {
		via := []string{}
		for _, region := range uniq(managedRegions) {
			via = append(via, "secretsmanager."+region+".amazonaws.com")
		}
		if len(via) == 0 || slices.Contains(via, "secretsmanager.*.amazonaws.com") {
			via = []string{"secretsmanager.*.amazonaws.com"}
		}
		op := "StringEquals"
		if len(via) == 1 && strings.Contains(via[0], "*") {
			op = "StringLike"
		}
		out = append(out, Statement{Sid: "KeepKmsAwsManagedKey", Effect: "Allow", Action: actions, Resource: "*",
			Condition: Conditions{
				op:                         {"kms:ViaService": via},
				"ForAnyValue:StringEquals": {"kms:ResourceAliases": {"alias/aws/secretsmanager"}},
			}})
	}
	return out
}

// JSON is the policy as indented JSON with a stable key order.
func (p *Policy) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	err := enc.Encode(p)
	return b.Bytes(), err
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
