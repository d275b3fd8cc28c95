package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hustlexp/launchcheck/internal/checklist"
)

// MarkdownOptions tune the markdown rendering.
type MarkdownOptions struct {
	EvidenceLimit int  // max characters of inline evidence per row (0: 160)
	NoEvidence    bool // drop evidence entirely (step-summary size limit)
	NoCharts      bool // drop the Mermaid charts
	NoDetails     bool // drop the collapsible failure details
}

// Markdown renders the report as the checklist document itself: the same
// headings and line order, each line ticked, crossed or marked, with the
// report header (target, time, commit, verdict, blockers) under the title.
func Markdown(r *Report, mo MarkdownOptions) string {
	if mo.EvidenceLimit == 0 {
		mo.EvidenceLimit = 160
	}
	rows := map[string]Row{}
	for _, row := range r.Rows {
		rows[row.ID] = row
	}
	var b strings.Builder
	lines := strings.Split(strings.TrimRight(checklist.Document, "\n"), "\n")
	section := ""
	headerDone := false
	keepSection := true // is the current "## phase" part in scope?
	skippingSub := false
	for _, line := range lines {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(line, "# ") && !headerDone {
			b.WriteString(line + " — launch report\n\n")
			writeHeader(&b, r)
			headerDone = true
			continue
		}
		if strings.HasPrefix(line, "## ") {
			section = strings.TrimPrefix(line, "## ")
			keepSection = sectionInScope(section, r)
			skippingSub = false
		}
		if strings.HasPrefix(line, "### ") {
			section = strings.TrimPrefix(line, "### ")
		}
		if !keepSection {
			continue
		}
		if id, text, ok := matchRow(section, line); ok {
			row, have := rows[id]
			if !have {
				skippingSub = true
				continue
			}
			skippingSub = false
			b.WriteString(renderRow(line, text, row, mo) + "\n")
			continue
		}
		if skippingSub && strings.HasPrefix(line, "  ") {
			continue
		}
		if !strings.HasPrefix(line, "  ") {
			skippingSub = false
		}
		if trim == "---" && b.Len() > 0 && strings.HasSuffix(b.String(), "---\n\n") {
			continue // two rules in a row after an out-of-scope part
		}
		b.WriteString(line + "\n")
	}
	if !mo.NoCharts {
		writeCharts(&b, r)
	}
	return b.String()
}

// sectionInScope: the document's "## " parts map to phases; the Rollback
// Plan rows belong to prelaunch.
func sectionInScope(h string, r *Report) bool {
	var ps []checklist.Phase
	switch {
	case strings.HasPrefix(h, "Pre-Launch"), strings.HasPrefix(h, "Rollback"):
		ps = []checklist.Phase{checklist.Prelaunch}
	case strings.HasPrefix(h, "Launch Day"):
		ps = []checklist.Phase{checklist.T0}
	case strings.HasPrefix(h, "Post-Launch"):
		ps = []checklist.Phase{checklist.Day1, checklist.Week1}
	default:
		return true
	}
	for _, p := range ps {
		for _, pr := range r.Phases {
			if pr.Phase == string(p) {
				return true
			}
		}
	}
	return false
}

// matchRow recognises a checklist line of the document ("- [ ] text" or
// "1. text" in the Rollback Plan) and returns its row id.
func matchRow(section, line string) (id, text string, ok bool) {
	switch {
	case strings.HasPrefix(line, "- [ ] "):
		text = strings.TrimPrefix(line, "- [ ] ")
	case len(line) > 3 && line[0] >= '1' && line[0] <= '9' && strings.HasPrefix(line[1:], ". "):
		text = line[3:]
	default:
		return "", "", false
	}
	for _, r := range checklist.Rows {
		if r.Section == section && r.Line == text {
			return r.ID, text, true
		}
	}
	return "", "", false
}

func mark(status string) string {
	switch status {
	case Pass:
		return "[x]"
	case Unverified, Waived:
		return "[~]"
	}
	return "[ ]"
}

func renderRow(orig, text string, row Row, mo MarkdownOptions) string {
	prefix := "- "
	if !strings.HasPrefix(orig, "- ") {
		prefix = orig[:3] // "1. "
	}
	var b strings.Builder
	b.WriteString(prefix + mark(row.Status) + " " + text + " — `" + row.ID + "`")
	switch row.Status {
	case Pass:
		b.WriteString(" ✅")
	case Fail:
		b.WriteString(" **FAIL**: " + mdEscape(row.Message))
	case Unverified:
		b.WriteString(" **UNVERIFIED**: " + mdEscape(row.Message))
	case Waived:
		b.WriteString(" **WAIVED**: " + mdEscape(row.Message))
	case NotImplemented:
		b.WriteString(" not implemented yet")
	}
	if row.Duration >= 0.05 {
		b.WriteString(fmt.Sprintf(" _(%.1fs)_", row.Duration))
	}
	if row.DueState != "" && row.DueState != "done" {
		if row.DueState == "overdue" {
			b.WriteString(" **OVERDUE** (due " + row.Due + ")")
		} else {
			b.WriteString(" · " + row.DueState)
		}
	}
	if ev := evidenceLine(row.Evidence, mo.EvidenceLimit); ev != "" && !mo.NoEvidence {
		b.WriteString(" · " + mdEscape(ev))
	}
	if !mo.NoDetails && row.Status != Pass && len(row.Details) > 1 {
		indent := strings.Repeat(" ", len(prefix))
		b.WriteString("\n" + indent + "<details><summary>" + fmt.Sprint(len(row.Details)) + " messages</summary>\n\n")
		for _, d := range row.Details {
			b.WriteString(indent + "- " + mdEscape(truncate(d, 300)) + "\n")
		}
		b.WriteString(indent + "</details>")
	}
	return b.String()
}

// evidenceLine is "k=v, k=v" sorted by key, cut at limit characters.
func evidenceLine(ev map[string]string, limit int) string {
	if len(ev) == 0 {
		return ""
	}
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+ev[k])
	}
	return truncate(strings.Join(parts, ", "), limit)
}

// mdEscape keeps a message from breaking the list item or injecting HTML:
// newlines become spaces, pipes are escaped (tables), and a "<" that could
// open a tag is written as &lt; ("p99 < 500ms" stays readable).
func mdEscape(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ", "|", "\\|").Replace(s)
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '<' && i+1 < len(s) {
			n := s[i+1]
			if n == '/' || n == '!' || n == '?' || (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') {
				b.WriteString("&lt;")
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func writeHeader(b *strings.Builder, r *Report) {
	if r.Rehearsal {
		b.WriteString("> [!WARNING]\n> **REHEARSAL** — these checks ran against the local rehearsal world the suite built, not a deployment. A rehearsal is never evidence of production readiness.\n\n")
	}
	verdict := "✅ **GO**"
	if r.Verdict == NOGO {
		verdict = "⛔ **NO-GO**"
	}
	fmt.Fprintf(b, "| | |\n|---|---|\n")
	fmt.Fprintf(b, "| **Verdict** | %s |\n", verdict)
	target := strings.ToUpper(r.Target)
	fmt.Fprintf(b, "| Run target | %s |\n", target)
	if r.Identity != "" {
		fmt.Fprintf(b, "| Identity seen | %s |\n", mdEscape(r.Identity))
	}
	fmt.Fprintf(b, "| Phases | %s |\n", phaseList(r))
	fmt.Fprintf(b, "| Generated | %s |\n", r.GeneratedAt.Format("2006-01-02 15:04:05 UTC"))
	if r.Commit != "" {
		fmt.Fprintf(b, "| Suite commit | `%s` |\n", r.Commit)
	}
	if r.LaunchDate != "" {
		fmt.Fprintf(b, "| Launch date | %s |\n", r.LaunchDate)
	}
	if r.RunSeconds > 0 {
		fmt.Fprintf(b, "| Run time | %.1fs |\n", r.RunSeconds)
	}
	fmt.Fprintf(b, "| Rows | %s |\n", countLine(r))
	b.WriteString("\n")
	for _, p := range r.Phases {
		due := ""
		if p.Due != "" {
			due = " — due " + p.Due + " (" + p.DueState + ")"
		}
		fmt.Fprintf(b, "- **%s** (`%s`): %s%s\n", p.Title, p.Phase, p.Verdict, due)
	}
	b.WriteString("\n")
	if len(r.Blockers) > 0 {
		fmt.Fprintf(b, "**Blockers (%d):**\n\n", len(r.Blockers))
		for _, x := range r.Blockers {
			b.WriteString("- " + mdEscape(x) + "\n")
		}
		b.WriteString("\n")
	}
	var waived []string
	for _, row := range r.Rows {
		if row.Status == Waived {
			waived = append(waived, row.ID+": "+row.Message)
		}
	}
	if len(waived) > 0 {
		fmt.Fprintf(b, "**Waivers in force (%d):**\n\n", len(waived))
		for _, w := range waived {
			b.WriteString("- " + mdEscape(w) + "\n")
		}
		b.WriteString("\n")
	}
	for _, n := range r.StreamNotes {
		b.WriteString("> note: " + mdEscape(n) + "\n")
	}
	if len(r.StreamNotes) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("Legend: `[x]` pass · `[ ]` FAIL or not implemented · `[~]` unverified or waived\n")
}

func phaseList(r *Report) string {
	var s []string
	for _, p := range r.Phases {
		s = append(s, p.Phase)
	}
	return strings.Join(s, ", ")
}

func countLine(r *Report) string {
	var c Counts
	for _, row := range r.Rows {
		switch row.Status {
		case Pass:
			c.Pass++
		case Fail:
			c.Fail++
		case Unverified:
			c.Unverified++
		case Waived:
			c.Waived++
		case NotImplemented:
			c.NotImplemented++
		}
	}
	return fmt.Sprintf("%d total: %d pass, %d fail, %d unverified, %d waived, %d not implemented", len(r.Rows), c.Pass, c.Fail, c.Unverified, c.Waived, c.NotImplemented)
}

// writeCharts appends one Mermaid xychart-beta block per recorded series.
func writeCharts(b *strings.Builder, r *Report) {
	var blocks []string
	for _, row := range r.Rows {
		keys := make([]string, 0, len(row.Series))
		for k := range row.Series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			blocks = append(blocks, Mermaid(row.ID+" "+k, row.Series[k]))
		}
	}
	if len(blocks) == 0 {
		return
	}
	b.WriteString("\n---\n\n## Charts\n\n")
	for _, bl := range blocks {
		b.WriteString(bl + "\n")
	}
}

// Mermaid renders a series as a Mermaid xychart-beta block (GitHub renders it).
func Mermaid(title string, s Series) string {
	var b strings.Builder
	b.WriteString("```mermaid\nxychart-beta\n")
	fmt.Fprintf(&b, "    title %s\n", mermaidQuote(title))
	var xs []string
	for _, x := range s.X {
		xs = append(xs, mermaidQuote(x))
	}
	fmt.Fprintf(&b, "    x-axis [%s]\n", strings.Join(xs, ", "))
	lo, hi := bounds(s.Y)
	hi = niceCeil(hi)
	fmt.Fprintf(&b, "    y-axis %s %s --> %s\n", mermaidQuote(firstNonEmpty(s.Unit, "value")), num(lo), num(hi))
	var ys []string
	for _, y := range s.Y {
		ys = append(ys, num(y))
	}
	fmt.Fprintf(&b, "    line [%s]\n```\n", strings.Join(ys, ", "))
	return b.String()
}

func mermaidQuote(s string) string {
	s = strings.NewReplacer(`"`, "'", "\n", " ", "`", "'").Replace(s)
	return `"` + s + `"`
}

func num(f float64) string {
	s := fmt.Sprintf("%.4f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" {
		return "0"
	}
	return s
}

// bounds gives a y range starting at 0 (or below for negative data) with 10% headroom.
func bounds(ys []float64) (float64, float64) {
	lo, hi := 0.0, 0.0
	for _, y := range ys {
		if y < lo {
			lo = y
		}
		if y > hi {
			hi = y
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	return lo, hi + (hi-lo)*0.1
}
