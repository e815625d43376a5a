package hint

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestErrorWrappedKeepsItsHint(t *testing.T) {
	err := fmt.Errorf("read secrets: %w", &Error{Msg: "no region", Help: "pass --region", Err: io.EOF})
	var h Hinted
	if !errors.As(err, &h) || h.Hint() != "pass --region" {
		t.Fatalf("errors.As(%v) found no hint", err)
	}
	if err.Error() != "read secrets: no region" {
		t.Errorf("message = %q; the cause must not be printed", err.Error())
	}
	if !errors.Is(err, io.EOF) {
		t.Error("the cause is not in the chain")
	}
}
