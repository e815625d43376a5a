package render_test

import (
	"fmt"
	"os"

	"github.com/keep-run/keep/render"
)

func ExampleParseTemplate() {
	src := `# env/production.env
APP_NAME=MyApplication
DB_PASSWORD={secretsmanager:DB_PASSWORD}
API_KEY="{secretsmanager:API_KEY}"   # quotes and inline comments are fine
STRIPE_KEY={secretsmanager}          # shorthand: the secret named like the variable
DB_USER={secretsmanager:DB.username}
DATABASE_URL=postgresql://${DB_USER}:${DB_PASSWORD}@${DB_HOST:-db}:5432/app
`
	tmpl, err := render.ParseTemplate("env/production.env", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range tmpl.Refs() {
		fmt.Printf("line %d: %s reads %s\n", r.Line, r.Var, r.Ref)
	}

	// What the fetch found, by secret.
	secrets := render.Secrets{
		{Slug: "secretsmanager", Key: "DB_PASSWORD"}: {Name: "app/production/DB_PASSWORD", Value: "pa$$word", Found: true},
		{Slug: "secretsmanager", Key: "API_KEY"}:     {Name: "app/production/API_KEY", Value: "ak_123", Found: true},
		{Slug: "secretsmanager", Key: "STRIPE_KEY"}:  {Name: "app/production/STRIPE_KEY", Value: "sk_456", Found: true},
		{Slug: "secretsmanager", Key: "DB"}:          {Name: "app/production/DB", Value: `{"username":"app","port":5432}`, Found: true},
	}
	inherited := func(name string) (string, bool) { return "", false } // e.g. os.LookupEnv
	vars, err := tmpl.Vars(secrets, render.MissingFail, inherited)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range vars {
		fmt.Printf("%s=%s\n", v.Name, v.Value)
	}

	// A secret that does not exist stops the run, by FILE:LINE.
	delete(secrets, render.Ref{Slug: "secretsmanager", Key: "API_KEY"})
	_, err = tmpl.Vars(secrets, render.MissingFail, inherited)
	fmt.Println(err)
	// Output:
	// line 3: DB_PASSWORD reads {secretsmanager:DB_PASSWORD}
	// line 4: API_KEY reads {secretsmanager:API_KEY}
	// line 5: STRIPE_KEY reads {secretsmanager:STRIPE_KEY}
	// line 6: DB_USER reads {secretsmanager:DB.username}
	// APP_NAME=MyApplication
	// DB_PASSWORD=pa$$word
	// API_KEY=ak_123
	// STRIPE_KEY=sk_456
	// DB_USER=app
	// DATABASE_URL=postgresql://app:pa$$word@db:5432/app
	// env/production.env:4: {secretsmanager:API_KEY}: secret API_KEY not found
}

func ExampleTemplate_Render() {
	tmpl, err := render.ParseTemplate("env/production.env", `# rendered for the app to read
APP_NAME=MyApplication
export TLS_KEY={secretsmanager}   # a multi-line PEM key
NOTE="{secretsmanager:NOTE}"
DATABASE_URL=postgresql://app:${DB_PASSWORD}@db/app
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	secrets := render.Secrets{
		{Slug: "secretsmanager", Key: "TLS_KEY"}: {Value: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", Found: true},
		{Slug: "secretsmanager", Key: "NOTE"}:    {Value: "it's $5", Found: true},
	}
	file, _, err := tmpl.Render(secrets, render.MissingFail)
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(file)
	// Output:
	// # rendered for the app to read
	// APP_NAME=MyApplication
	// export TLS_KEY='-----BEGIN PRIVATE KEY-----
	// MIIE
	// -----END PRIVATE KEY-----'   # a multi-line PEM key
	// NOTE="it's \$5"
	// DATABASE_URL=postgresql://app:${DB_PASSWORD}@db/app
}

func ExampleQuoteDotenv() {
	for _, v := range []string{
		"s3cr3t",
		"-----BEGIN KEY-----\nMIIE\n-----END KEY-----",
		"pa$$ ${HOME} #1",
		"it's",
		`it's "quoted"`,
		`C:\dir\`,
		"line\r\n",
	} {
		q, portable := render.QuoteDotenv(v)
		fmt.Printf("%-8v %s\n", portable, q)
	}
	// Output:
	// true     's3cr3t'
	// true     '-----BEGIN KEY-----
	// MIIE
	// -----END KEY-----'
	// true     'pa$$ ${HOME} #1'
	// true     "it's"
	// false    "it's \"quoted\""
	// false    'C:\dir\'
	// false    "line\r
	// "
}
