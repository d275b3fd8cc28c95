package report

import (
	"fmt"
	"strings"
)

// Change is one row whose status differs between two reports.
type Change struct {
	ID       string `json:"id"`
	Line     string `json:"line"`
	Old      string `json:"old"`
	New      string `json:"new"`
	Kind     string `json:"kind"` // regressed | fixed | changed | new | gone
	Message  string `json:"message,omitempty"`
	Evidence string `json:"evidence,omitempty"` // old → new of changed evidence, short
}

// Diff compares two reports row by row. A row regressed when it was pass or
// waived and is now anything else, or when it got worse (unverified → fail).
func Diff(old, cur *Report) []Change {
	om := map[string]Row{}
	for _, r := range old.Rows {
		om[r.ID] = r
	}
	seen := map[string]bool{}
	var out []Change
	for _, n := range cur.Rows {
		seen[n.ID] = true
		o, ok := om[n.ID]
		if !ok {
			out = append(out, Change{ID: n.ID, Line: n.Line, Old: "-", New: n.Status, Kind: "new", Message: n.Message})
			continue
		}
		if o.Status == n.Status {
			if ev := evidenceDelta(o.Evidence, n.Evidence); ev != "" && n.Status == Pass {
				out = append(out, Change{ID: n.ID, Line: n.Line, Old: o.Status, New: n.Status, Kind: "changed", Evidence: ev})
			}
			continue
		}
		c := Change{ID: n.ID, Line: n.Line, Old: o.Status, New: n.Status, Message: n.Message}
		switch {
		case rank(n.Status) > rank(o.Status) || (o.Status == Pass && n.Status != Pass):
			c.Kind = "regressed"
		case n.Status == Pass:
			c.Kind = "fixed"
		default:
			c.Kind = "changed"
		}
		out = append(out, c)
	}
	for _, o := range old.Rows {
		if !seen[o.ID] {
			out = append(out, Change{ID: o.ID, Line: o.Line, Old: o.Status, New: "-", Kind: "gone"})
		}
	}
	return out
}

func evidenceDelta(a, b map[string]string) string {
	var parts []string
	for k, nv := range b {
		if ov, ok := a[k]; ok && ov != nv {
			parts = append(parts, fmt.Sprintf("%s %s → %s", k, ov, nv))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return truncate(strings.Join(sortStrings(parts), "; "), 200)
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// DiffMarkdown renders a diff for humans (and the step summary).
func DiffMarkdown(old, cur *Report, changes []Change) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## launchcheck: what changed since the previous run\n\n")
	fmt.Fprintf(&b, "Previous: %s %s (%s, commit %s) → current: %s %s (%s, commit %s)\n\n",
		old.Target, old.Verdict, old.GeneratedAt.Format("2006-01-02 15:04 UTC"), firstNonEmpty(old.Commit, "?"),
		cur.Target, cur.Verdict, cur.GeneratedAt.Format("2006-01-02 15:04 UTC"), firstNonEmpty(cur.Commit, "?"))
	if old.Target != cur.Target {
		fmt.Fprintf(&b, "> note: the two runs have different targets (%s vs %s)\n\n", old.Target, cur.Target)
	}
	groups := []struct{ kind, title string }{{"regressed", "Regressed"}, {"fixed", "Fixed"}, {"changed", "Changed"}, {"new", "New rows"}, {"gone", "Rows no longer in the report"}}
	any := false
	for _, g := range groups {
		var lines []string
		for _, c := range changes {
			if c.Kind != g.kind {
				continue
			}
			l := fmt.Sprintf("- `%s` %s: %s → **%s**", c.ID, mdEscape(c.Line), c.Old, c.New)
			if c.Message != "" && c.Kind == "regressed" {
				l += " — " + mdEscape(c.Message)
			}
			if c.Evidence != "" {
				l += " — " + mdEscape(c.Evidence)
			}
			lines = append(lines, l)
		}
		if len(lines) == 0 {
			continue
		}
		any = true
		fmt.Fprintf(&b, "### %s (%d)\n\n%s\n\n", g.title, len(lines), strings.Join(lines, "\n"))
	}
	if !any {
		b.WriteString("No row changed status.\n")
	}
	return b.String()
}

// Regressions counts changes of kind regressed.
func Regressions(cs []Change) int {
	n := 0
	for _, c := range cs {
		if c.Kind == "regressed" {
			n++
		}
	}
	return n
}
