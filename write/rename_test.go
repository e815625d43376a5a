package write_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/fetch"
	"github.com/keep-run/keep/internal/smfake"
	"github.com/keep-run/keep/write"
)

func TestRenameCopiesTagsKeyAndDescription(t *testing.T) {
	old := existing("rename-unit-1", phpTags)
	old.KMSKeyID, old.Description = "alias/team", "Keep secret: KEY for production environment in sm-two vault"
	srv, c := conn(t, nil, old)
	res, err := write.Rename(t.Context(), c, "KEY", "NEW_KEY", 7)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := srv.Get(prod.SecretName("NEW_KEY"))
	if !ok || got.Value != "rename-unit-1" || got.KMSKeyID != "alias/team" || !maps.Equal(got.Tags, phpTags) ||
		got.Description != "Keep secret: NEW_KEY for production environment in sm-two vault" {
		t.Errorf("new secret: kms %q, tags %v, description %q, value ok %v", got.KMSKeyID, got.Tags, got.Description, got.Value == "rename-unit-1")
	}
	if o, _ := srv.Get(prod.SecretName("KEY")); !o.Deleted || res.DeletionDate.IsZero() {
		t.Errorf("the old secret is not scheduled for deletion (result %+v)", res)
	}
}

func TestRenameSaysWhatStateAFailureLeft(t *testing.T) {
	t.Run("the delete fails: both exist", func(t *testing.T) {
		srv, c := conn(t, denied("DeleteSecret"), existing("rename-unit-2", keepTags("secretsmanager")))
		_, err := write.Rename(t.Context(), c, "KEY", "NEW_KEY", 30)
		var fe *fetch.Error
		if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "created app/production/NEW_KEY, but could not schedule app/production/KEY for deletion: both exist") ||
			fe.Help != "finish with keep delete KEY --env=production, or undo with keep delete NEW_KEY --env=production --force" {
			t.Fatalf("err = %v (hint %q)", err, fe.Hint())
		}
		for _, key := range []string{"KEY", "NEW_KEY"} {
			if s, ok := srv.Get(prod.SecretName(key)); !ok || s.Deleted || s.Value != "rename-unit-2" {
				t.Errorf("%s: exists %v, deleted %v", key, ok, s.Deleted)
			}
		}
	})
	t.Run("the create fails: nothing changed", func(t *testing.T) {
		srv, c := conn(t, denied("CreateSecret"), existing("rename-unit-3", keepTags("secretsmanager")))
		_, err := write.Rename(t.Context(), c, "KEY", "NEW_KEY", 30)
		if err == nil || !strings.Contains(err.Error(), "(nothing was changed)") || strings.Contains(err.Error(), "rename-unit-3") {
			t.Fatalf("err = %v", err)
		}
		if slices.Contains(ops(srv), "DeleteSecret") {
			t.Errorf("DeleteSecret after a failed create: %v", ops(srv))
		}
	})
	t.Run("refusals change nothing", func(t *testing.T) {
		replicated := existing("rename-unit-4", keepTags("secretsmanager"))
		replicated.Replicas = []smfake.Replica{{Region: "us-west-2"}}
		for name, tc := range map[string]struct {
			secrets  []smfake.Secret
			old, new string
			want     string
		}{
			"missing":    {nil, "KEY", "NEW_KEY", "app/production/KEY does not exist"},
			"taken":      {[]smfake.Secret{existing("rename-unit-5", keepTags("secretsmanager")), {Name: prod.SecretName("NEW_KEY"), Value: "x", Tags: keepTags("secretsmanager"), Deleted: true}}, "KEY", "NEW_KEY", "app/production/NEW_KEY already exists"},
			"foreign":    {[]smfake.Secret{existing("rename-unit-6", map[string]string{"Team": "x"})}, "KEY", "NEW_KEY", "not managed by keep"},
			"replicated": {[]smfake.Secret{replicated}, "KEY", "NEW_KEY", "is replicated to 1 region(s)"},
			"same":       {[]smfake.Secret{existing("rename-unit-7", keepTags("secretsmanager"))}, "KEY", "KEY", "the same"},
		} {
			t.Run(name, func(t *testing.T) {
				srv, c := conn(t, nil, tc.secrets...)
				_, err := write.Rename(t.Context(), c, tc.old, tc.new, 30)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want %q", err, tc.want)
				}
				for _, op := range ops(srv) {
					if op == "CreateSecret" || op == "DeleteSecret" {
						t.Errorf("%s after a refusal", op)
					}
				}
			})
		}
	})
}
