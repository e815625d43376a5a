package render_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/keep-run/keep/render"
)

// The values in this file are synthetic, so failures may print them (%q).

// phpSecrets are the secrets of the PHP Keep's template tests
// (tests/Unit/Data/TemplateTest.php, beforeEach and the tests' own).
var phpSecrets = render.Secrets{
	{Slug: "ssm", Key: "DB_PASSWORD"}:         found("app/testing/DB_PASSWORD", "secret123"),
	{Slug: "ssm", Key: "DB_HOST"}:             found("app/testing/DB_HOST", "localhost"),
	{Slug: "ssm", Key: "DB_PORT"}:             found("app/testing/DB_PORT", "3306"),
	{Slug: "ssm", Key: "API_KEY"}:             found("app/testing/API_KEY", "api_secret_key"),
	{Slug: "ssm", Key: "MAIL_PASSWORD"}:       found("app/testing/MAIL_PASSWORD", "mail_pass"),
	{Slug: "ssm", Key: "MAIL_USERNAME"}:       found("app/testing/MAIL_USERNAME", "postmaster@example.com"),
	{Slug: "ssm", Key: "APP_KEY"}:             found("app/testing/APP_KEY", "base64:key123"),
	{Slug: "ssm", Key: "SPECIAL_CHARS"}:       found("app/testing/SPECIAL_CHARS", `value with "quotes" and $pecial`),
	{Slug: "ssm", Key: "STRIPE_KEY"}:          found("app/testing/STRIPE_KEY", "pk_live_123"),
	{Slug: "ssm", Key: "STRIPE_SECRET"}:       found("app/testing/STRIPE_SECRET", "sk_live_456"),
	{Slug: "ssm", Key: "MY_underscore_start"}: found("app/testing/MY_underscore_start", "value1"),
	{Slug: "ssm", Key: "lowercase_key"}:       found("app/testing/lowercase_key", "value1"),
	{Slug: "ssm", Key: "mixedCaseKey"}:        found("app/testing/mixedCaseKey", "value2"),
	{Slug: "ssm-prod", Key: "DB_PASSWORD"}:    found("app/testing/DB_PASSWORD", "prod123"),
	{Slug: "secretsmanager", Key: "API_KEY"}:  found("app/testing/API_KEY", "secretsmanager_api_key"),
}

// TestPHPKeepTemplates: the templates of the PHP Keep's tests give the
// variables and values the PHP Keep gives them — its merge
// (src/Data/Template.php) then its dotenv parse (src/Data/Env.php,
// phpdotenv) — in both of keep's modes: environment mode, and the file
// keep renders read back.
func TestPHPKeepTemplates(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string]string
	}{
		{"basic", "DB_PASSWORD={ssm:DB_PASSWORD}", map[string]string{"DB_PASSWORD": "secret123"}},
		{"single quotes", "API_KEY='{ssm:API_KEY}'", map[string]string{"API_KEY": "api_secret_key"}},
		{"double quotes", `MAIL_PASSWORD="{ssm:MAIL_PASSWORD}"`, map[string]string{"MAIL_PASSWORD": "mail_pass"}},
		{"shorthand", "DB_HOST={ssm}", map[string]string{"DB_HOST": "localhost"}},
		{"attributes", "API_KEY={ssm:API_KEY|label=primary|version=2}", map[string]string{"API_KEY": "api_secret_key"}},
		{"attributes in quotes", "API_KEY='{secretsmanager:API_KEY|label=primary}'", map[string]string{"API_KEY": "secretsmanager_api_key"}},
		{"inline comment", "DB_PASSWORD={ssm:DB_PASSWORD} # Database password", map[string]string{"DB_PASSWORD": "secret123"}},
		// The PHP Keep's pattern takes a # right after the placeholder (or
		// its closing quote) as the comment: it is no part of the value.
		{"comment right after the placeholder", "DB_PASSWORD={ssm:DB_PASSWORD}#note", map[string]string{"DB_PASSWORD": "secret123"}},
		{"comment right after the quote", `API_KEY="{ssm:API_KEY}"#note`, map[string]string{"API_KEY": "api_secret_key"}},
		{"surrounding white space", "   DB_PASSWORD={ssm:DB_PASSWORD}   ", map[string]string{"DB_PASSWORD": "secret123"}},
		{"special characters", "SPECIAL_CHARS={ssm:SPECIAL_CHARS}", map[string]string{"SPECIAL_CHARS": `value with "quotes" and $pecial`}},
		{"spacing around =", "DB_PASSWORD = {ssm:DB_PASSWORD}\nAPI_KEY= {ssm:API_KEY}\nAPP_KEY ={ssm:APP_KEY}",
			map[string]string{"DB_PASSWORD": "secret123", "API_KEY": "api_secret_key", "APP_KEY": "base64:key123"}},
		{"formatting", "    DB_HOST={ssm:DB_HOST}\n\tDB_PORT = {ssm}\n  DB_PASSWORD={ssm:DB_PASSWORD}    # Production password",
			map[string]string{"DB_HOST": "localhost", "DB_PORT": "3306", "DB_PASSWORD": "secret123"}},
		{"vault with a hyphen", "DB_PASSWORD={ssm-prod:DB_PASSWORD}", map[string]string{"DB_PASSWORD": "prod123"}},
		{"same key, two vaults", "SSM_API_KEY={ssm:API_KEY}\nSECRETSMANAGER_API_KEY={secretsmanager:API_KEY}",
			map[string]string{"SSM_API_KEY": "api_secret_key", "SECRETSMANAGER_API_KEY": "secretsmanager_api_key"}},
		{"names with '_' and lower case", "_STARTS_WITH_UNDERSCORE={ssm:MY_underscore_start}\nlowercase_key={ssm:lowercase_key}\nmixedCaseKey={ssm:mixedCaseKey}",
			map[string]string{"_STARTS_WITH_UNDERSCORE": "value1", "lowercase_key": "value1", "mixedCaseKey": "value2"}},
		{"real-world template", strings.Join([]string{
			"# Application Settings",
			`APP_NAME="My App"`,
			"APP_ENV=production",
			"APP_KEY={ssm:APP_KEY}",
			"APP_DEBUG=false",
			"",
			"# Database Configuration",
			"DB_CONNECTION=mysql",
			"DB_HOST={ssm:DB_HOST}",
			"DB_PORT=3306",
			"DB_PASSWORD='{ssm:DB_PASSWORD}' # Production database",
			"",
			"# Mail Settings",
			`MAIL_USERNAME="{ssm}"`,
			"MAIL_PASSWORD={ssm:MAIL_PASSWORD}",
			"",
			"# Third-party APIs",
			"STRIPE_KEY={ssm:STRIPE_KEY|environment=production}",
			"STRIPE_SECRET={ssm:STRIPE_SECRET|environment=production|version=latest}",
		}, "\n"), map[string]string{
			"APP_NAME": "My App", "APP_ENV": "production", "APP_KEY": "base64:key123", "APP_DEBUG": "false",
			"DB_CONNECTION": "mysql", "DB_HOST": "localhost", "DB_PORT": "3306", "DB_PASSWORD": "secret123",
			"MAIL_USERNAME": "postmaster@example.com", "MAIL_PASSWORD": "mail_pass",
			"STRIPE_KEY": "pk_live_123", "STRIPE_SECRET": "sk_live_456",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := parse(t, "t.env", tt.src)
			vars, err := tmpl.Vars(phpSecrets, render.MissingFail, nil)
			if err != nil {
				t.Fatalf("Vars: %v", err)
			}
			if got := varMap(vars); !maps.Equal(got, tt.want) {
				t.Errorf("Vars = %q, want %q", got, tt.want)
			}
			file, _, err := tmpl.Render(phpSecrets, render.MissingFail)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			again := parse(t, "rendered.env", string(file))
			vars, err = again.Vars(nil, render.MissingFail, nil)
			if err != nil {
				t.Fatalf("Vars of the rendered file: %v", err)
			}
			if got := varMap(vars); !maps.Equal(got, tt.want) {
				t.Errorf("the rendered file gives %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPHPKeepMissing: the PHP Keep's --missing cases, as keep documents
// them: remove drops the variable, blank empties it, skip keeps the
// placeholder's text, fail names FILE:LINE and the placeholder.
func TestPHPKeepMissing(t *testing.T) {
	src := "DB_PASSWORD={ssm:DB_PASSWORD}\nSECRET1={vault-one:path/to/SECRET1|attr=value}\nSECRET2={vault-two:different/path/SECRET2}\n"
	tmpl := parse(t, "t.env", src)
	tests := []struct {
		missing render.Missing
		want    map[string]string
	}{
		{render.MissingRemove, map[string]string{"DB_PASSWORD": "secret123"}},
		{render.MissingBlank, map[string]string{"DB_PASSWORD": "secret123", "SECRET1": "", "SECRET2": ""}},
		{render.MissingSkip, map[string]string{"DB_PASSWORD": "secret123", "SECRET1": "{vault-one:path/to/SECRET1|attr=value}", "SECRET2": "{vault-two:different/path/SECRET2}"}},
	}
	for _, tt := range tests {
		vars, err := tmpl.Vars(phpSecrets, tt.missing, nil)
		if got := varMap(vars); err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("--missing=%s: Vars = %q, %v; want %q", render.MissingChoices[tt.missing], got, err, tt.want)
		}
	}
	_, err := tmpl.Vars(phpSecrets, render.MissingFail, nil)
	var te *render.TemplateError
	if !errors.As(err, &te) || err.Error() != "t.env:2: {vault-one:path/to/SECRET1}: secret path/to/SECRET1 not found" {
		t.Errorf("--missing=fail: %v", err)
	}
}

func varMap(vars []render.Var) map[string]string {
	m := map[string]string{}
	for _, v := range vars {
		m[v.Name] = v.Value
	}
	return m
}

// TestPlaceholderShape: what is a placeholder. Everything of the shape
// {VAULT[:PATH][|ATTR…]} is one, whatever the case of VAULT, with '.' and
// '/' in PATH; ${NAME} and ${NAME:-default} are expansions, not
// placeholders.
func TestPlaceholderShape(t *testing.T) {
	tests := []struct {
		src  string
		want []render.Ref // the value's placeholders
	}{
		{"A={sm:path/to/key}", []render.Ref{{Slug: "sm", Key: "path/to/key"}}},
		{"A={sm:Mixed-Case.x}", []render.Ref{{Slug: "sm", Key: "Mixed-Case", Field: "x"}}},
		{"A={sm:.env}", []render.Ref{{Slug: "sm", Key: ".env"}}},
		{"A={sm:K.}", []render.Ref{{Slug: "sm", Key: "K."}}},
		{"A={sm:a/b.c/d}", []render.Ref{{Slug: "sm", Key: "a/b", Field: "c/d"}}},
		{"A={sm:DB.user name}", []render.Ref{{Slug: "sm", Key: "DB", Field: "user name"}}},
		{"A={Secretsmanager}", []render.Ref{{Slug: "Secretsmanager", Key: "A"}}},
		{"A={SSM_PROD:KEY}", []render.Ref{{Slug: "SSM_PROD", Key: "KEY"}}},
		{"A={sm:K|label=primary}", []render.Ref{{Slug: "sm", Key: "K", Attrs: "|label=primary"}}},
		{"A={sm:K|}", []render.Ref{{Slug: "sm", Key: "K", Attrs: "|"}}},
		{"A={sm|x|y}", []render.Ref{{Slug: "sm", Key: "A", Attrs: "|x|y"}}},
		{"A=x{sm:K}y{Other:L|z}", []render.Ref{{Slug: "sm", Key: "K"}, {Slug: "Other", Key: "L", Attrs: "|z"}}},
		{"A=${sm:K}", []render.Ref{{Slug: "sm", Key: "K"}}},    // not an expansion: a placeholder after '$'
		{`A="\${sm:K}"`, []render.Ref{{Slug: "sm", Key: "K"}}}, //
		{"A=${HOME}", nil},         // expansions
		{"A=${HOME:-x}", nil},      //
		{"A=${foo:-bar/baz}", nil}, //
		{`A="${foo:-bar}"`, nil},   //
		{`A="\${foo:-bar}"`, nil},  // escaped: literal text
		{"A='${foo:-bar}'", nil},   //
		{"A=${foo:-{sm:K}}", []render.Ref{{Slug: "sm", Key: "K"}}}, // a placeholder in a default
		{"A={sm}x", nil},                                     // shorthand inside text is literal
		{`A={"a":{"b":1}}`, nil},                             //
		{"A={sm:{x}}", nil},                                  //
		{"A={a b:c}", nil},                                   //
		{"# {sm:/x} in a comment\nA=1 # {sm:/x}", nil},       // comments are not values
		{"A={{sm:K}}", []render.Ref{{Slug: "sm", Key: "K"}}}, //
		{"A={sm:K}{sm:L.f}", []render.Ref{{Slug: "sm", Key: "K"}, {Slug: "sm", Key: "L", Field: "f"}}}, //
	}
	for _, tt := range tests {
		tmpl, err := render.ParseTemplate("t.env", tt.src)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tt.src, err)
			continue
		}
		var got []render.Ref
		for _, r := range tmpl.Refs() {
			got = append(got, r.Ref)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: placeholders %+v, want %+v", tt.src, got, tt.want)
		}
	}
}

// TestRefReads: a KEY.field placeholder reads the secret KEY.field (the
// PHP Keep's reading) and the secret KEY (keep's), when KEY.field is a
// PATH; the canonical form drops attributes.
func TestRefReads(t *testing.T) {
	tests := []struct {
		ref    render.Ref
		reads  []render.Ref
		string string
	}{
		{render.Ref{Slug: "sm", Key: "DB"}, []render.Ref{{Slug: "sm", Key: "DB"}}, "{sm:DB}"},
		{render.Ref{Slug: "sm", Key: "DB", Attrs: "|x"}, []render.Ref{{Slug: "sm", Key: "DB"}}, "{sm:DB}"},
		{render.Ref{Slug: "sm", Key: "DB", Field: "username"}, []render.Ref{{Slug: "sm", Key: "DB"}, {Slug: "sm", Key: "DB.username"}}, "{sm:DB.username}"},
		{render.Ref{Slug: "sm", Key: "a/b", Field: "c.d"}, []render.Ref{{Slug: "sm", Key: "a/b"}, {Slug: "sm", Key: "a/b.c.d"}}, "{sm:a/b.c.d}"},
		{render.Ref{Slug: "sm", Key: "DB", Field: "user name"}, []render.Ref{{Slug: "sm", Key: "DB"}}, "{sm:DB.user name}"},
		{render.Ref{Slug: "sm", Key: "DB", Field: "x/"}, []render.Ref{{Slug: "sm", Key: "DB"}}, "{sm:DB.x/}"},
	}
	for _, tt := range tests {
		if got := tt.ref.Reads(); !slices.Equal(got, tt.reads) {
			t.Errorf("%+v.Reads() = %+v, want %+v", tt.ref, got, tt.reads)
		}
		if got := tt.ref.String(); got != tt.string {
			t.Errorf("%+v.String() = %q, want %q", tt.ref, got, tt.string)
		}
	}
}

// TestFieldOrWhole: {vault:KEY.field} resolves to whichever of its two
// readings exists; both is an error naming both secrets, never a value.
func TestFieldOrWhole(t *testing.T) {
	jsonDB := found("app/p/DB", `{"username":"from-field"}`)
	whole := found("app/p/DB.username", "from-whole")
	notFound := render.SecretValue{Name: "app/p/whatever"}
	tests := []struct {
		name      string
		db, dbu   render.SecretValue
		want      string
		wantFound bool
		wantErr   string
	}{
		{"field only", jsonDB, render.SecretValue{Name: "app/p/DB.username"}, "from-field", true, ""},
		{"whole only", render.SecretValue{Name: "app/p/DB"}, whole, "from-whole", true, ""},
		{"whole, and DB is no JSON", found("app/p/DB", "plain"), whole, "from-whole", true, ""},
		{"whole, and DB lacks the field", found("app/p/DB", `{"other":1}`), whole, "from-whole", true, ""},
		{"both", jsonDB, whole, "", true, `t.env:1: {sm:DB.username} is ambiguous: both the secret app/p/DB.username and field "username" of the secret app/p/DB exist`},
		{"neither", notFound, notFound, "", false, ""},
		{"field of no JSON, no whole", found("app/p/DB", "plain"), render.SecretValue{Name: "app/p/DB.username"}, "", true, "t.env:1: {sm:DB.username}: secret app/p/DB is not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := parse(t, "t.env", "U={sm:DB.username}\n")
			secrets := render.Secrets{{Slug: "sm", Key: "DB"}: tt.db, {Slug: "sm", Key: "DB.username"}: tt.dbu}
			vars, err := tmpl.Vars(secrets, render.MissingRemove, nil)
			switch {
			case tt.wantErr != "":
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("Vars: %v, want %q", err, tt.wantErr)
				}
				if problems := tmpl.Check(secrets); len(problems) != 1 || problems[0].Error() != tt.wantErr {
					t.Errorf("Check: %v, want %q", problems, tt.wantErr)
				}
			case err != nil:
				t.Errorf("Vars: %v", err)
			case !tt.wantFound:
				if len(vars) != 0 {
					t.Errorf("Vars = %q, want U removed as missing", vars)
				}
			case len(vars) != 1 || vars[0].Value != tt.want:
				t.Errorf("Vars = %q, want U=%q", vars, tt.want)
			}
		})
	}
}
