package render_test

import (
	"slices"
	"testing"

	"github.com/keep-run/keep/render"
)

func TestPlaced(t *testing.T) {
	tmpl := parse(t, "t.env", "A=lit\nB=x-{sm:PASS}-{sm:GONE}\nC={sm:PASS}\nD={sm:DB.user}\nE=${A}\n")
	secrets := render.Secrets{
		{Slug: "sm", Key: "PASS"}: found("app/prod/PASS", "pass-value"),
		{Slug: "sm", Key: "GONE"}: {Name: "app/prod/GONE"},
		{Slug: "sm", Key: "DB"}:   found("app/prod/DB", `{"user":"db-user"}`),
	}
	got := tmpl.Placed(secrets)
	want := []render.Var{{Name: "{sm:PASS}", Value: "pass-value"}, {Name: "{sm:DB.user}", Value: "db-user"}}
	if !slices.Equal(got, want) {
		t.Errorf("Placed = %q, want %q: each existing placeholder once, a field's value, no literal", got, want)
	}
}
