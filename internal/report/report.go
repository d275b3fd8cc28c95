package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checklist"
)

// Statuses of a row. The first five are the JSON contract.
const (
	Pass           = "pass"
	Fail           = "fail"
	Unverified     = "unverified"
	Waived         = "waived"
	NotImplemented = "not_implemented"
)

// Verdicts.
const (
	GO   = "GO"
	NOGO = "NO-GO"
)

// Series is a small data series a check recorded for a chart.
type Series struct {
	X    []string  `json:"x"`
	Y    []float64 `json:"y"`
	Unit string    `json:"unit"`
}

// Row is one checklist line in the report.
type Row struct {
	ID       string            `json:"id"`
	Phase    string            `json:"phase"`
	Section  string            `json:"section"`
	Line     string            `json:"line"`
	Status   string            `json:"status"`
	Test     string            `json:"test,omitempty"`
	Package  string            `json:"package,omitempty"`
	File     string            `json:"file,omitempty"`
	Message  string            `json:"message,omitempty"` // one line: why it failed / is unverified / waived
	Details  []string          `json:"details,omitempty"` // every failure message, scrubbed, capped
	Evidence map[string]string `json:"evidence,omitempty"`
	Series   map[string]Series `json:"series,omitempty"`
	Duration float64           `json:"duration,omitempty"` // seconds
	Ran      bool              `json:"ran"`
	Due      string            `json:"due,omitempty"`        // YYYY-MM-DD with HUSTLEXP_LAUNCH_DATE
	DueState string            `json:"due_status,omitempty"` // done | due in N days | due today | overdue | not yet due
	Blocker  bool              `json:"blocker"`
}

// PhaseResult is the verdict of one phase of the run.
type PhaseResult struct {
	Phase    string   `json:"phase"`
	Title    string   `json:"title"`
	Verdict  string   `json:"verdict"`
	Due      string   `json:"due,omitempty"`
	DueState string   `json:"due_status,omitempty"`
	Counts   Counts   `json:"counts"`
	Blockers []string `json:"blockers"`
}

// Counts by status.
type Counts struct {
	Pass           int `json:"pass"`
	Fail           int `json:"fail"`
	Unverified     int `json:"unverified"`
	Waived         int `json:"waived"`
	NotImplemented int `json:"not_implemented"`
}

// Report is the whole launch report; its JSON form is the run record the
// nightly diffs against.
type Report struct {
	Target      string           `json:"target"`
	Verdict     string           `json:"verdict"`
	GeneratedAt time.Time        `json:"generated_at"`
	Rehearsal   bool             `json:"rehearsal"`
	Scope       string           `json:"scope"` // all | prelaunch | t0 | day1 | week1 | a comma list
	Commit      string           `json:"suite_commit,omitempty"`
	LaunchDate  string           `json:"launch_date,omitempty"`
	RunStarted  time.Time        `json:"run_started,omitempty"`
	RunSeconds  float64          `json:"run_seconds,omitempty"`
	RowsRan     int              `json:"rows_ran"`
	Blockers    []string         `json:"blockers"`
	Identity    string           `json:"target_identity,omitempty"` // what the target said it is (INF-1/SEC-1 evidence)
	Phases      []PhaseResult    `json:"phases"`
	Packages    []PackageProblem `json:"package_problems,omitempty"`
	StreamNotes []string         `json:"stream_notes,omitempty"`
	Rows        []Row            `json:"rows"`
}

// Options drive Build.
type Options struct {
	Target     string              // rehearsal | staging | production
	Phases     []checklist.Phase   // the scope; empty = all
	LaunchDate time.Time           // zero: no due dates
	Now        time.Time           // zero: time.Now()
	Commit     string              // suite commit
	Tests      []TestRef           // the rows' declared tests (internal/rows; nil: unknown)
	Scrub      func(string) string // last line of defence against secrets; nil = identity
}

// PhaseTitle is how the checklist document names a phase.
func PhaseTitle(p checklist.Phase) string {
	switch p {
	case checklist.Prelaunch:
		return "Pre-Launch (T-7 days)"
	case checklist.T0:
		return "Launch Day (T-0)"
	case checklist.Day1:
		return "Day 1 (T+1)"
	case checklist.Week1:
		return "Week 1 (T+7)"
	}
	return string(p)
}

// DueDate is the day a phase's rows must be green: T-7 at launch−7 d, T-0 at
// launch, Day 1 at launch+1 d, Week 1 at launch+7 d.
func DueDate(p checklist.Phase, launch time.Time) time.Time {
	switch p {
	case checklist.Prelaunch:
		return launch.AddDate(0, 0, -7)
	case checklist.Day1:
		return launch.AddDate(0, 0, 1)
	case checklist.Week1:
		return launch.AddDate(0, 0, 7)
	}
	return launch
}

// ParsePhases parses "all", a phase, or a comma list of phases.
func ParsePhases(s string) ([]checklist.Phase, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return nil, nil
	}
	var out []checklist.Phase
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		ok := false
		for _, p := range checklist.Phases {
			if string(p) == part {
				out = append(out, p)
				ok = true
			}
		}
		if !ok {
			return nil, fmt.Errorf("unknown phase %q, want all, prelaunch, t0, day1 or week1 (or a comma list)", part)
		}
	}
	return out, nil
}

// Build turns what the collector saw into the report.
func Build(c *Collector, o Options) *Report {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	scrub := o.Scrub
	if scrub == nil {
		scrub = func(s string) string { return s }
	}
	scope := map[checklist.Phase]bool{}
	explicit := len(o.Phases) > 0
	for _, p := range o.Phases {
		scope[p] = true
	}
	if !explicit {
		for _, p := range checklist.Phases {
			scope[p] = true
		}
	}
	r := &Report{Target: o.Target, GeneratedAt: now.UTC().Truncate(time.Second), Rehearsal: o.Target == "rehearsal" || o.Target == "",
		Commit: o.Commit, Scope: scopeName(o.Phases), Blockers: []string{}}
	if r.Target == "" {
		r.Target = "rehearsal"
	}
	if !o.LaunchDate.IsZero() {
		r.LaunchDate = o.LaunchDate.Format("2006-01-02")
	}
	start, end := c.Window()
	if !start.IsZero() {
		r.RunStarted = start.UTC()
		r.RunSeconds = round2(end.Sub(start).Seconds())
	}

	byRow := map[string][]RowTest{}
	for _, rt := range c.RowTests() {
		byRow[rt.Row] = append(byRow[rt.Row], rt)
	}
	refs := map[string][]TestRef{}
	for _, tr := range o.Tests {
		refs[tr.Row] = append(refs[tr.Row], tr)
	}
	for id, rts := range byRow {
		if _, ok := checklist.ByID(id); !ok {
			r.StreamNotes = append(r.StreamNotes, fmt.Sprintf("test %s marks unknown checklist row %q (ignored)", rts[0].Test, id))
		}
	}
	sort.Strings(r.StreamNotes)
	if n, first := c.BadLines(); n > 0 {
		r.StreamNotes = append(r.StreamNotes, scrub(fmt.Sprintf("%d input line(s) were not `go test -json` events (first: %q)", n, first)))
	}
	r.Packages = c.PackageProblems()
	for i := range r.Packages {
		r.Packages[i].Problem = scrub(r.Packages[i].Problem)
	}

	for _, cr := range checklist.Rows {
		if !scope[cr.Phase] {
			continue
		}
		row := Row{ID: cr.ID, Phase: string(cr.Phase), Section: cr.Section, Line: cr.Line}
		fillRow(&row, byRow[cr.ID], refs[cr.ID], r.Packages, scrub)
		if !o.LaunchDate.IsZero() {
			due := DueDate(cr.Phase, o.LaunchDate)
			row.Due = due.Format("2006-01-02")
			row.DueState = dueState(row.Status, due, now)
		}
		row.Blocker = isBlocking(row, explicit)
		if row.Ran {
			r.RowsRan++
		}
		r.Rows = append(r.Rows, row)
		if v := row.Evidence["target_identity"]; v != "" && r.Identity == "" {
			r.Identity = v
		}
	}

	var notImpl []string
	for _, p := range checklist.Phases {
		if !scope[p] {
			continue
		}
		pr := PhaseResult{Phase: string(p), Title: PhaseTitle(p), Verdict: GO, Blockers: []string{}}
		if !o.LaunchDate.IsZero() {
			due := DueDate(p, o.LaunchDate)
			pr.Due = due.Format("2006-01-02")
			pr.DueState = dueIn(due, now)
		}
		for _, row := range r.Rows {
			if row.Phase != string(p) {
				continue
			}
			switch row.Status {
			case Pass:
				pr.Counts.Pass++
			case Fail:
				pr.Counts.Fail++
			case Unverified:
				pr.Counts.Unverified++
			case Waived:
				pr.Counts.Waived++
			case NotImplemented:
				pr.Counts.NotImplemented++
			}
			if row.Status != Pass && row.Status != Waived {
				pr.Verdict = NOGO
				pr.Blockers = append(pr.Blockers, blockerText(row))
			}
			if row.Blocker {
				if row.Status == NotImplemented {
					notImpl = append(notImpl, row.ID)
				} else {
					r.Blockers = append(r.Blockers, blockerText(row))
				}
			}
		}
		r.Phases = append(r.Phases, pr)
	}
	if len(notImpl) > 0 {
		r.Blockers = append(r.Blockers, fmt.Sprintf("not implemented yet (%d): %s", len(notImpl), strings.Join(notImpl, ", ")))
	}
	for _, pp := range r.Packages {
		r.Blockers = append(r.Blockers, fmt.Sprintf("package %s: %s", pp.Package, pp.Problem))
	}
	if r.RowsRan == 0 {
		r.Blockers = append(r.Blockers, "no checklist test ran: zero rows in the test stream (wrong -tags, a -run filter that matched nothing, or every package failed to build); a gate that ran nothing is NO-GO")
	}
	r.Verdict = GO
	if len(r.Blockers) > 0 {
		r.Verdict = NOGO
	}
	return r
}

func scopeName(ps []checklist.Phase) string {
	if len(ps) == 0 {
		return "all"
	}
	var s []string
	for _, p := range ps {
		s = append(s, string(p))
	}
	return strings.Join(s, ",")
}

// fillRow decides a row's status from the tests that ran for it.
func fillRow(row *Row, rts []RowTest, refs []TestRef, pkgs []PackageProblem, scrub func(string) string) {
	if len(refs) > 0 {
		row.Test, row.File = refs[0].Test, refs[0].Package
	}
	if len(rts) == 0 {
		if len(refs) == 0 {
			row.Status = NotImplemented
			row.Message = "not implemented yet: no row table declares " + row.ID
			return
		}
		row.Status = Fail
		why := fmt.Sprintf("did not run: %s (%s, check %s) produced no result in this run — not built with -tags %s, excluded by -run, or its package failed", refs[0].Test, refs[0].Package, refs[0].Check, row.Phase)
		for _, pp := range pkgs {
			if strings.HasSuffix(pp.Package, "/"+refs[0].Package) {
				why = fmt.Sprintf("did not run: package %s failed: %s", pp.Package, pp.Problem)
			}
		}
		row.Message = scrub(why)
		return
	}
	row.Ran = true
	worst := ""
	var total time.Duration
	for i, rt := range rts {
		st, msg := statusOf(rt)
		if i == 0 || rank(st) > rank(worst) {
			worst = st
			row.Message = msg
			row.Test, row.Package = rt.Test, rt.Package
		}
		total += rt.Elapsed
		for k, v := range rt.Attrs {
			switch {
			case strings.HasPrefix(k, check.AttrEvidence):
				if row.Evidence == nil {
					row.Evidence = map[string]string{}
				}
				row.Evidence[strings.TrimPrefix(k, check.AttrEvidence)] = scrub(truncate(v, 300))
			case strings.HasPrefix(k, check.AttrSeries):
				var s Series
				if json.Unmarshal([]byte(v), &s) == nil && len(s.X) == len(s.Y) && len(s.Y) > 0 {
					if row.Series == nil {
						row.Series = map[string]Series{}
					}
					for i := range s.X {
						s.X[i] = scrub(s.X[i])
					}
					row.Series[strings.TrimPrefix(k, check.AttrSeries)] = s
				}
			}
		}
		if st != Pass {
			for _, m := range rt.Messages {
				if isEvidenceLog(m.Text) || len(row.Details) >= 20 {
					continue
				}
				row.Details = append(row.Details, scrub(truncate(shortTest(m.Test)+m.Text, 1000)))
			}
		}
	}
	if len(rts) > 1 {
		var names []string
		for _, rt := range rts {
			names = append(names, rt.Test)
		}
		row.Message = strings.TrimSpace(row.Message + " (" + fmt.Sprint(len(rts)) + " tests mark this row: " + strings.Join(names, ", ") + ")")
	}
	row.Status = worst
	row.Message = scrub(oneLine(row.Message))
	row.Duration = round2(total.Seconds())
}

func shortTest(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return name[i+1:] + ": "
	}
	return ""
}

func rank(s string) int {
	switch s {
	case Pass:
		return 0
	case Waived:
		return 1
	case Unverified:
		return 2
	case NotImplemented:
		return 3
	}
	return 4
}

// statusOf maps one test's result to a row status and a one-line reason.
func statusOf(rt RowTest) (string, string) {
	reason := rt.Attrs[check.AttrReason]
	attr := rt.Attrs[check.AttrStatus]
	msgs := failureMessages(rt.Messages)
	last := ""
	if len(msgs) > 0 {
		last = msgs[len(msgs)-1].Text
	}
	switch rt.Action {
	case "pass":
		return Pass, ""
	case "skip":
		if attr == Waived {
			return Waived, firstNonEmpty(reason, last)
		}
		return Fail, "skipped without a waiver (a checklist row may not skip): " + firstNonEmpty(last, "no reason given")
	case "fail":
		if attr == Unverified {
			return Unverified, firstNonEmpty(reason, strings.TrimPrefix(last, "UNVERIFIED: "))
		}
		if last == "" {
			return Fail, "failed without a message"
		}
		// The first failing message is the cause; later ones are often consequences.
		first := msgs[0]
		msg := shortTest(first.Test) + first.Text
		if len(msgs) > 1 {
			msg += fmt.Sprintf(" (+%d more)", len(msgs)-1)
		}
		return Fail, msg
	}
	return Fail, fmt.Sprintf("did not finish after %s: the test binary stopped (timeout, panic or crash in another test)%s",
		rt.Elapsed.Round(time.Second), lastSuffix(last))
}

func lastSuffix(s string) string {
	if s == "" {
		return ""
	}
	return "; last output: " + s
}

// failureMessages drops evidence logs; what remains are the messages the
// check printed (Errorf/Fatalf, and Logf, which `go test` cannot tell apart).
func failureMessages(ms []Message) []Message {
	var out []Message
	for _, m := range ms {
		if !isEvidenceLog(m.Text) {
			out = append(out, m)
		}
	}
	return out
}

func isEvidenceLog(s string) bool {
	return strings.HasPrefix(s, "evidence ") && strings.Contains(s, " = ")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, 400)
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func daysUntil(due, now time.Time) int {
	return int(dayOf(due).Sub(dayOf(now)).Hours() / 24)
}

func dueIn(due, now time.Time) string {
	n := daysUntil(due, now)
	switch {
	case n > 1:
		return fmt.Sprintf("due in %d days", n)
	case n == 1:
		return "due in 1 day"
	case n == 0:
		return "due today"
	}
	return fmt.Sprintf("overdue by %d day(s)", -n)
}

// dueState says where a row stands against its phase's due date.
func dueState(status string, due, now time.Time) string {
	if status == Pass || status == Waived {
		return "done"
	}
	n := daysUntil(due, now)
	switch {
	case n < 0:
		return "overdue"
	case n == 0:
		return "due today"
	}
	return "not yet due (" + dueIn(due, now) + ")"
}

// isBlocking: a row that is not passed blocks the verdict. The one exception:
// when the report covers all phases (no explicit --phase) and a launch date
// is known, rows of a phase whose due date is still ahead are "not yet due"
// and do not block. A phase asked for explicitly always blocks.
func isBlocking(row Row, explicit bool) bool {
	if row.Status == Pass || row.Status == Waived {
		return false
	}
	if !explicit && strings.HasPrefix(row.DueState, "not yet due") {
		return false
	}
	return true
}

func blockerText(row Row) string {
	s := row.ID + " " + row.Status
	if row.Message != "" {
		s += ": " + row.Message
	}
	if row.DueState == "overdue" {
		s += " [overdue since " + row.Due + "]"
	}
	return s
}

// RowStatus is the status and one-line reason of one finished test.
func RowStatus(rt RowTest) (string, string) { return statusOf(rt) }
