package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// The chart's drawing area, in SVG user units; the SVG scales to its box.
const (
	chartW, chartH         = 720.0, 260.0
	padL, padR, padT, padB = 56.0, 16.0, 16.0, 48.0
	maxXLabels             = 12
)

// palette: one colour a series, distinguishable for common colour
// blindness (Okabe–Ito); a line also has its own dash pattern.
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"}
var dashes = []string{"", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 2 1 2", ""}

// renderChart draws c as inline SVG: every point (a dot on a line, a bar)
// is an element with class "point" and a <title> that says its series, x
// and value, so the chart reads out as its table does. The SVG has no
// script and no style attribute (the CSP allows neither).
func renderChart(id, title string, c *Chart) template.HTML {
	if c == nil || len(c.X) == 0 || len(c.Series) == 0 {
		return ""
	}
	esc := template.HTMLEscapeString
	top := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != nil && *v > top {
				top = *v
			}
		}
	}
	top = niceCeil(top)
	n := len(c.X)
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	x := func(i int) float64 {
		if c.Kind == "bar" {
			return padL + plotW*(float64(i)+0.5)/float64(n)
		}
		if n == 1 {
			return padL + plotW/2
		}
		return padL + plotW*float64(i)/float64(n-1)
	}
	y := func(v float64) float64 { return padT + plotH*(1-v/top) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="%s-chart" role="img" aria-labelledby="%s-title" viewBox="0 0 %g %g" xmlns="http://www.w3.org/2000/svg">`,
		esc(id), esc(id), chartW, chartH)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, esc(id), esc(title))
	// The y axis: 0, half and the top, with the unit.
	for _, f := range []float64{0, 0.5, 1} {
		v := top * f
		fmt.Fprintf(&b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, padL, chartW-padR, y(v), y(v))
		fmt.Fprintf(&b, `<text class="tick" x="%g" y="%.1f" text-anchor="end" font-size="11">%s</text>`, padL-6, y(v)+4, esc(number(v)))
	}
	fmt.Fprintf(&b, `<text class="unit" x="4" y="%g" font-size="11">%s</text>`, padT-4, esc(c.Unit))
	step := max(1, (n+maxXLabels-1)/maxXLabels)
	for i := 0; i < n; i += step {
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%g" text-anchor="middle" font-size="11">%s</text>`, x(i), chartH-padB+16, esc(c.X[i]))
	}
	barW := plotW / float64(n) / float64(len(c.Series)+1)
	for si, s := range c.Series {
		col, dash := palette[si%len(palette)], dashes[si%len(dashes)]
		if c.Kind != "bar" {
			var d strings.Builder
			pen := false
			for i, v := range s.Values {
				if v == nil {
					pen = false
					continue
				}
				cmd := "L"
				if !pen {
					cmd = "M"
				}
				fmt.Fprintf(&d, "%s%.1f %.1f ", cmd, x(i), y(*v))
				pen = true
			}
			if d.Len() > 0 {
				fmt.Fprintf(&b, `<path class="line" d="%s" fill="none" stroke="%s" stroke-width="2"`, strings.TrimSpace(d.String()), col)
				if dash != "" {
					fmt.Fprintf(&b, ` stroke-dasharray="%s"`, dash)
				}
				b.WriteString(`/>`)
			}
		}
		for i, v := range s.Values {
			if v == nil || i >= n {
				continue
			}
			label := esc(fmt.Sprintf("%s, %s: %s %s", s.Name, c.X[i], number(*v), c.Unit))
			attrs := fmt.Sprintf(`class="point" data-series="%s" data-x="%s" data-value="%s"`, esc(s.Name), esc(c.X[i]), esc(number(*v)))
			if c.Kind == "bar" {
				left := x(i) - barW*float64(len(c.Series))/2 + barW*float64(si)
				fmt.Fprintf(&b, `<rect %s x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
					attrs, left, y(*v), barW, math.Max(0, padT+plotH-y(*v)), col, label)
			} else {
				fmt.Fprintf(&b, `<circle %s cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>`, attrs, x(i), y(*v), col, label)
			}
		}
	}
	b.WriteString(`</svg>`)
	if len(c.Series) > 1 {
		b.WriteString(`<ul class="legend">`)
		for si, s := range c.Series {
			fmt.Fprintf(&b, `<li><svg width="24" height="10" aria-hidden="true"><line x1="0" x2="24" y1="5" y2="5" stroke="%s" stroke-width="3"`, palette[si%len(palette)])
			if d := dashes[si%len(dashes)]; d != "" && c.Kind != "bar" {
				fmt.Fprintf(&b, ` stroke-dasharray="%s"`, d)
			}
			fmt.Fprintf(&b, `/></svg> %s</li>`, esc(s.Name))
		}
		b.WriteString(`</ul>`)
	}
	return template.HTML(b.String()) // every text in it went through esc
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (1 for 0).
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// number writes v with at most one decimal.
func number(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
