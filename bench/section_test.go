package bench

import "testing"

func TestWithSection(t *testing.T) {
	doc := []byte("# B\n\n## A\n\na\n\n## Targets\n\nt\n")
	added := withSection(doc, "## Redaction", "## Redaction\n\nr1\n")
	if string(added) != "# B\n\n## A\n\na\n\n## Targets\n\nt\n\n## Redaction\n\nr1\n" {
		t.Fatalf("append: %q", added)
	}
	replaced := withSection(added, "## Redaction", "## Redaction\n\nr2\n")
	if string(replaced) != "# B\n\n## A\n\na\n\n## Targets\n\nt\n\n## Redaction\n\nr2\n" {
		t.Fatalf("replace at the end: %q", replaced)
	}
	middle := withSection(doc, "## A", "## A\n\nnew\n")
	if string(middle) != "# B\n\n## A\n\nnew\n\n## Targets\n\nt\n" {
		t.Fatalf("replace in the middle: %q", middle)
	}
	if got := keptSection(replaced, "## Redaction"); got != "## Redaction\n\nr2\n" {
		t.Fatalf("keptSection: %q", got)
	}
	if got := keptSection(doc, "## A"); got != "## A\n\na\n" {
		t.Fatalf("keptSection in the middle: %q", got)
	}
}
