package cli

import "testing"

func TestPaint(t *testing.T) {
	defer func(on bool) { colorOn = on }(colorOn)
	colorOn = false
	if got := paint("ok", green); got != "ok" {
		t.Errorf("colour off: %q", got)
	}
	colorOn = true
	if got := paint("ok", green); got != "\033[32mok\033[0m" {
		t.Errorf("colour on: %q", got)
	}
}
