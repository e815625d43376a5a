package bench

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"testing"
	"time"
)

// The generated part of docs/scale.md sits between these lines; the rest
// of the page is prose, kept as written.
const (
	figuresBegin = "<!-- fleet figures: begin -->\n"
	figuresEnd   = "<!-- fleet figures: end -->\n"
)

// writeScale writes the figures of a full run into docs/scale.md, and
// docs/scale.svg.
func writeScale(t *testing.T, rs []fleetResult) {
	var md bytes.Buffer
	scaleMarkdown(&md, rs)
	const path = "../docs/scale.md"
	page, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	before, rest, ok := bytes.Cut(page, []byte(figuresBegin))
	_, after, ok2 := bytes.Cut(rest, []byte(figuresEnd))
	if !ok || !ok2 {
		before, after = append(page, '\n'), nil
	}
	out := append(append(append(append(before, figuresBegin...), md.Bytes()...), figuresEnd...), after...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("../docs/scale.svg", scaleChart(rs), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("wrote docs/scale.md and docs/scale.svg")
}

func secs(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	if d < 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f s", d.Seconds())
}

func scaleMarkdown(w *bytes.Buffer, rs []fleetResult) {
	fmt.Fprintf(w, "<!-- Written by go test ./bench -run TestFleet -fleet -fleet-report (%s, %s/%s); edit bench/scale_test.go, not this table. -->\n\n", time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "## The simulation's figures\n\n")
	fmt.Fprintf(w, "Every start reads its secrets through the real SDK with keep's retries; the fake answers after %s and throttles each API at its quota (scaled, see above). "+
		"Times run from the moment the whole fleet starts to the moment a start has all its secrets: p50, p99 and max over the starts that got them; failed = starts that did not within `--timeout`. "+
		"Requests are per start, throttled ones included (in brackets: how many of them were throttled).\n\n", roundTrip)
	fmt.Fprintf(w, "![time to secrets, 10,000 starts](scale.svg)\n\n")
	fmt.Fprintf(w, "| starts | secrets | mode | strategy | quota bound | --timeout | p50 | p99 | max | failed | ListSecrets | BatchGetSecretValue | GetSecretValue | simulated |\n")
	fmt.Fprintf(w, "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rs {
		name := r.Strategy
		if name == "keep" {
			name = "**keep**"
		}
		fmt.Fprintf(w, "| %d | %d | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s | %d |\n",
			r.Starts, r.Secrets, r.Mode, name, secs(quotaBound(r.Mode, r.Starts, r.Secrets)), r.Timeout,
			secs(r.at(50)), secs(r.at(99)), secs(r.at(100)), r.Failures*r.Starts/r.Sim,
			reqs(r, "ListSecrets"), reqs(r, "BatchGetSecretValue"), reqs(r, "GetSecretValue"), r.Sim)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Failed counts are scaled to the fleet (failed simulated starts × starts ÷ simulated).\n\n")
	fmt.Fprintf(w, "### Targets (issue 15)\n\n| target | measured |\n|---|---|\n")
	for _, r := range rs {
		if r.Strategy != "keep" || r.Starts != 10000 || r.Secrets != 15 {
			continue
		}
		bound, what := 15*time.Second, "GetSecretValue (15 s)"
		if r.Mode == "list" {
			bound, what = 100*time.Second, "ListSecrets (100 s)"
		}
		verdict := "met"
		if r.Failures > 0 || r.at(100) > bound*3/2 {
			verdict = "**not met**"
		}
		fmt.Fprintf(w, "| 10,000 starts × 15 secrets, %s mode: within 1.5× the bound of %s, no failure under --timeout=%s | max %s (%.2f× the bound), %d failed: %s |\n",
			r.Mode, what, r.Timeout, secs(r.at(100)), r.at(100).Seconds()/bound.Seconds(), r.Failures, verdict)
	}
	fmt.Fprintln(w)
}

func reqs(r fleetResult, op string) string {
	n := r.perStart(op)
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%.1f (%.1f)", n, float64(r.Refused[op])/float64(r.Sim))
}

// scaleChart is a horizontal bar chart (log scale) of the 10,000-start
// fleets: per case, each strategy's p50 to max, and the quota bound.
func scaleChart(rs []fleetResult) []byte {
	var big []fleetResult
	for _, r := range rs {
		if r.Starts == 10000 {
			big = append(big, r)
		}
	}
	const w, left, right, top, bar, gap = 760, 220, 30, 50, 14, 18
	h := top + len(big)*(bar+4) + 8*gap + 40
	lo, hi := 0.0, 3.0 // 1 s … 1000 s
	x := func(d time.Duration) float64 {
		s := math.Max(d.Seconds(), 1)
		return left + (w-left-right)*(math.Log10(s)-lo)/(hi-lo)
	}
	colors := map[string]string{"keep": "#1a7f37", "keep, batch only": "#0969da", "php-keep": "#9a6700", "naive": "#cf222e"}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="18" font-size="14">10,000 starts at once: time until each has its secrets (log scale)</text>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="34" fill="#555">bar: p50 to max of the starts that got them; ✕: starts that failed within --timeout; black line: the quota bound</text>`+"\n")
	for e := lo; e <= hi; e++ {
		d := time.Duration(math.Pow(10, e) * float64(time.Second))
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%gs</text>`+"\n",
			x(d), x(d), top-10, h-30, x(d), h-14, math.Pow(10, e))
	}
	y := top
	group := ""
	for _, r := range big {
		g := fmt.Sprintf("%s, %d secrets", r.Mode, r.Secrets)
		if g != group {
			if group != "" {
				y += gap
			}
			group = g
			fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y+bar-2, g)
			bound := quotaBound(r.Mode, r.Starts, r.Secrets)
			n := 0
			for _, o := range big {
				if o.Mode == r.Mode && o.Secrets == r.Secrets {
					n++
				}
			}
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="black" stroke-width="2"/>`+"\n", x(bound), x(bound), y-2, y+n*(bar+4)+2)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="%s">%s</text>`+"\n", left-8, y+bar-3, colors[r.Strategy], r.Strategy)
		if len(r.Times) > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x(r.at(50)), y, math.Max(2, x(r.at(100))-x(r.at(50))), bar, colors[r.Strategy])
		}
		if r.Failures > 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="%s">✕ %d%% failed</text>`+"\n", x(r.Timeout)+4, y+bar-3, colors[r.Strategy], 100*r.Failures/r.Sim)
		}
		y += bar + 4
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}
