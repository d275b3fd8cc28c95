package report

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/hustlexp/launchcheck/internal/checklist"
)

// HTML renders one self-contained page (inline CSS and SVG, no scripts, no
// external assets): the verdict, the blockers, the checklist in document
// order, and one chart per recorded series.
func HTML(r *Report) ([]byte, error) {
	type hrow struct {
		Row
		Mark     string
		Class    string
		Evidence string
		Charts   []template.HTML
	}
	type hsection struct {
		Title string
		Rows  []hrow
	}
	type hpart struct {
		Title    string
		Sections []*hsection
	}
	var parts []*hpart
	part := func(title string) *hpart {
		for _, p := range parts {
			if p.Title == title {
				return p
			}
		}
		p := &hpart{Title: title}
		parts = append(parts, p)
		return p
	}
	for _, row := range r.Rows {
		title := PhaseTitle(checklist.Phase(row.Phase))
		if row.Section == "Rollback Plan" {
			title = "Rollback Plan"
		}
		p := part(title)
		var s *hsection
		for _, x := range p.Sections {
			if x.Title == row.Section {
				s = x
			}
		}
		if s == nil {
			s = &hsection{Title: row.Section}
			p.Sections = append(p.Sections, s)
		}
		h := hrow{Row: row, Mark: mark(row.Status), Class: strings.ReplaceAll(row.Status, "_", "-"), Evidence: evidenceLine(row.Evidence, 300)}
		keys := make([]string, 0, len(row.Series))
		for k := range row.Series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			h.Charts = append(h.Charts, SVGChart(row.ID+" "+k, row.Series[k]))
		}
		s.Rows = append(s.Rows, h)
	}
	data := struct {
		*Report
		Parts  []*hpart
		Counts string
	}{r, parts, countLine(r)}
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"upper": strings.ToUpper,
	"date":  func(t interface{ Format(string) string }) string { return t.Format("2006-01-02 15:04:05 UTC") },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>launchcheck {{.Verdict}} — {{upper .Target}}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1.5em;color:#1b1f24;background:#fff}
h1{font-size:1.5em;margin:.2em 0}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:1.6em}h3{margin:1.2em 0 .4em}
.verdict{font-size:2.2em;font-weight:700;padding:.3em .6em;border-radius:8px;display:inline-block;margin:.3em 0}
.verdict.GO{background:#dafbe1;color:#116329}.verdict.NO-GO{background:#ffebe9;color:#a40e26}
.rehearsal{background:#fff8c5;border:2px solid #d4a72c;padding:.6em 1em;border-radius:6px;font-weight:600}
table.meta td{padding:.1em .8em .1em 0}
ul.rows{list-style:none;padding-left:0}
li.row{padding:.35em .5em;border-left:4px solid #d0d7de;margin:.25em 0;background:#f6f8fa}
li.row.pass{border-color:#2da44e}li.row.fail,li.row.not-implemented{border-color:#cf222e}li.row.unverified,li.row.waived{border-color:#bf8700}
.mark{font-family:ui-monospace,monospace;font-weight:700;margin-right:.4em}
.id{font-family:ui-monospace,monospace;background:#eaeef2;border-radius:4px;padding:0 .3em;margin-left:.4em}
.status{font-weight:700;margin-left:.4em}.pass .status{color:#116329}.fail .status,.not-implemented .status{color:#a40e26}.unverified .status,.waived .status{color:#7d4e00}
.msg{display:block;margin-top:.2em;color:#57606a;overflow-wrap:anywhere}.ev{display:block;color:#57606a;font-size:.9em;overflow-wrap:anywhere}
.due{margin-left:.4em;font-size:.9em}.due.overdue{color:#a40e26;font-weight:700}
figure{margin:.5em 0}svg{max-width:100%;height:auto;background:#fff;border:1px solid #d0d7de;border-radius:4px}
</style></head>
<body>
<h1>HustleXP Production Launch Checklist — launch report</h1>
{{if .Rehearsal}}<p class="rehearsal" id="rehearsal">REHEARSAL — these checks ran against the local rehearsal world, not a deployment. A rehearsal is never evidence of production readiness.</p>{{end}}
<div class="verdict {{.Verdict}}" id="verdict">{{.Verdict}}</div>
<table class="meta">
<tr><td>Run target</td><td><b>{{upper .Target}}</b></td></tr>
<tr><td>Phases</td><td>{{range $i, $p := .Phases}}{{if $i}}, {{end}}{{$p.Title}}: <b>{{$p.Verdict}}</b>{{if $p.Due}} (due {{$p.Due}}, {{$p.DueState}}){{end}}{{end}}</td></tr>
<tr><td>Generated</td><td>{{date .GeneratedAt}}</td></tr>
{{if .Commit}}<tr><td>Suite commit</td><td><code>{{.Commit}}</code></td></tr>{{end}}
{{if .LaunchDate}}<tr><td>Launch date</td><td>{{.LaunchDate}}</td></tr>{{end}}
<tr><td>Rows</td><td>{{.Counts}}</td></tr>
</table>
{{if .Blockers}}<h2>Blockers ({{len .Blockers}})</h2><ul id="blockers">{{range .Blockers}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{range .Parts}}<h2>{{.Title}}</h2>
{{range .Sections}}<h3>{{.Title}}</h3>
<ul class="rows">{{range .Rows}}
<li class="row {{.Class}}" id="row-{{.ID}}" data-row="{{.ID}}" data-status="{{.Status}}"><span class="mark">{{.Mark}}</span>{{.Line}}<span class="id">{{.ID}}</span><span class="status">{{.Status}}</span>{{if .Duration}} <small>({{printf "%.1f" .Duration}}s)</small>{{end}}{{if .DueState}}<span class="due {{.DueState}}">{{.DueState}}</span>{{end}}
{{if .Message}}<span class="msg">{{.Message}}</span>{{end}}{{if .Evidence}}<span class="ev">{{.Evidence}}</span>{{end}}
{{range .Charts}}<figure>{{.}}</figure>{{end}}</li>{{end}}
</ul>{{end}}{{end}}
</body></html>
`))

// SVGChart draws a series as a small inline line chart.
func SVGChart(title string, s Series) template.HTML {
	const w, h, left, right, top, bottom = 640.0, 240.0, 70.0, 16.0, 28.0, 44.0
	lo, hi := bounds(s.Y)
	hi = niceCeil(hi)
	n := len(s.Y)
	px := func(i int) float64 {
		if n <= 1 {
			return left + (w-left-right)/2
		}
		return left + float64(i)*(w-left-right)/float64(n-1)
	}
	py := func(y float64) float64 { return top + (h-top-bottom)*(1-(y-lo)/(hi-lo)) }
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`, w, h, w, h, esc(title))
	fmt.Fprintf(&b, `<text x="%g" y="18" font-size="13" font-weight="600">%s</text>`, left, esc(title))
	// axes and gridlines
	for i := 0; i <= 4; i++ {
		v := lo + (hi-lo)*float64(i)/4
		y := py(v)
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#eaeef2"/>`, left, y, w-right, y)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="10" text-anchor="end">%s</text>`, left-4, y+3, esc(short(v)))
	}
	fmt.Fprintf(&b, `<text x="12" y="%g" font-size="10" transform="rotate(-90 12 %g)" text-anchor="middle">%s</text>`, (top+h-bottom)/2, (top+h-bottom)/2, esc(s.Unit))
	maxLabel := 1
	for _, x := range s.X {
		maxLabel = max(maxLabel, min(len([]rune(x)), 12))
	}
	fit := max(1, int((w-left-right)/float64(maxLabel*6+10)))
	step := 1
	if n > fit {
		step = (n + fit - 1) / fit
	}
	for i := 0; i < n; i += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="10" text-anchor="middle">%s</text>`, px(i), h-bottom+16, esc(truncate(s.X[i], 12)))
	}
	var pts []string
	for i, y := range s.Y {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(i), py(y)))
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#0969da" stroke-width="2" points="%s"/>`, strings.Join(pts, " "))
	for i, y := range s.Y {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="#0969da"><title>%s: %s %s</title></circle>`, px(i), py(y), esc(s.X[i]), esc(num(y)), esc(s.Unit))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds a chart maximum up to 1, 2, 2.5 or 5 × 10^k.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// short formats an axis value with at most 3 significant digits.
func short(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
