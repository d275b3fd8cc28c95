package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"sort"
	"strings"
)

// JSON renders the report record (indented, stable key order).
func JSON(r *Report) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ReadJSON loads a report saved with JSON.
func ReadJSON(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not a launchcheck JSON report: %v", path, err)
	}
	if len(r.Rows) == 0 && r.Verdict == "" {
		return nil, fmt.Errorf("%s: not a launchcheck JSON report (no verdict, no rows)", path)
	}
	return &r, nil
}

// Scrubber replaces known secret values in text. It is the last line of
// defence: checks must not print secrets in the first place.
type Scrubber struct{ values []string }

// NewScrubber scrubs every value of at least 6 characters (shorter values
// would redact ordinary words).
func NewScrubber(values []string) *Scrubber {
	var vs []string
	seen := map[string]bool{}
	for _, v := range values {
		if len(v) >= 6 && !seen[v] {
			seen[v] = true
			vs = append(vs, v)
		}
	}
	// Longest first, so a secret containing another is replaced whole.
	sort.Slice(vs, func(i, j int) bool { return len(vs[i]) > len(vs[j]) })
	return &Scrubber{values: vs}
}

// String scrubs s.
func (s *Scrubber) String(in string) string {
	if s == nil {
		return in
	}
	for _, v := range s.values {
		if strings.Contains(in, v) {
			in = strings.ReplaceAll(in, v, "[redacted]")
		}
	}
	return in
}

// Bytes scrubs b.
func (s *Scrubber) Bytes(in []byte) []byte {
	if s == nil {
		return in
	}
	for _, v := range s.values {
		if bytes.Contains(in, []byte(v)) {
			in = bytes.ReplaceAll(in, []byte(v), []byte("[redacted]"))
		}
	}
	return in
}

// Len is the number of values scrubbed.
func (s *Scrubber) Len() int {
	if s == nil {
		return 0
	}
	return len(s.values)
}

// JUnit renders the rows as JUnit XML: one testsuite per checklist section,
// one testcase per row with the row id, phase and section as properties.
// Fail, unverified and not_implemented are failures; waived is skipped.
func JUnit(r *Report) ([]byte, error) {
	type property struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	type result struct {
		Message string `xml:"message,attr,omitempty"`
		Type    string `xml:"type,attr,omitempty"`
		Body    string `xml:",chardata"`
	}
	type testcase struct {
		Name       string     `xml:"name,attr"`
		Classname  string     `xml:"classname,attr"`
		Time       string     `xml:"time,attr"`
		Properties []property `xml:"properties>property"`
		Failure    *result    `xml:"failure,omitempty"`
		Skipped    *result    `xml:"skipped,omitempty"`
		SystemOut  string     `xml:"system-out,omitempty"`
	}
	type testsuite struct {
		Name       string     `xml:"name,attr"`
		Tests      int        `xml:"tests,attr"`
		Failures   int        `xml:"failures,attr"`
		Errors     int        `xml:"errors,attr"`
		Skipped    int        `xml:"skipped,attr"`
		Time       string     `xml:"time,attr"`
		Timestamp  string     `xml:"timestamp,attr"`
		Properties []property `xml:"properties>property"`
		Cases      []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName  xml.Name    `xml:"testsuites"`
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Suites   []testsuite `xml:"testsuite"`
	}
	out := testsuites{Name: fmt.Sprintf("launchcheck %s %s: %s", r.Target, r.Scope, r.Verdict)}
	idx := map[string]int{}
	for _, row := range r.Rows {
		i, ok := idx[row.Section]
		if !ok {
			i = len(out.Suites)
			idx[row.Section] = i
			out.Suites = append(out.Suites, testsuite{Name: row.Phase + "/" + row.Section, Timestamp: r.GeneratedAt.Format("2006-01-02T15:04:05"),
				Properties: []property{{"target", r.Target}, {"verdict", r.Verdict}, {"suite_commit", r.Commit}}})
		}
		s := &out.Suites[i]
		tc := testcase{Name: row.ID + " " + row.Line, Classname: "launchcheck." + row.Phase + "." + strings.ReplaceAll(row.Section, " ", "_"),
			Time: fmt.Sprintf("%.3f", row.Duration),
			Properties: []property{{"checklist.id", row.ID}, {"checklist.phase", row.Phase}, {"checklist.section", row.Section},
				{"checklist.status", row.Status}, {"test", row.Test}}}
		if row.Due != "" {
			tc.Properties = append(tc.Properties, property{"checklist.due", row.Due}, property{"checklist.due_status", row.DueState})
		}
		keys := make([]string, 0, len(row.Evidence))
		for k := range row.Evidence {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			tc.Properties = append(tc.Properties, property{"evidence." + k, row.Evidence[k]})
		}
		switch row.Status {
		case Fail, Unverified, NotImplemented:
			tc.Failure = &result{Message: row.Message, Type: row.Status, Body: strings.Join(row.Details, "\n")}
			s.Failures++
			out.Failures++
		case Waived:
			tc.Skipped = &result{Message: "waived: " + row.Message}
			s.Skipped++
			out.Skipped++
		}
		s.Tests++
		out.Tests++
		s.Cases = append(s.Cases, tc)
	}
	for i := range out.Suites {
		var t float64
		for _, c := range out.Suites[i].Cases {
			var f float64
			fmt.Sscanf(c.Time, "%g", &f)
			t += f
		}
		out.Suites[i].Time = fmt.Sprintf("%.3f", t)
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// SummaryLimit is GitHub's limit for one step summary.
const SummaryLimit = 1 << 20

// StepSummary renders markdown for $GITHUB_STEP_SUMMARY within limit bytes:
// first the full report; if too big, details, then charts, then evidence are
// dropped, then messages are shortened — rows are never dropped.
func StepSummary(r *Report, limit int) string {
	tries := []MarkdownOptions{
		{},
		{NoDetails: true},
		{NoDetails: true, NoCharts: true},
		{NoDetails: true, NoCharts: true, EvidenceLimit: 40},
		{NoDetails: true, NoCharts: true, NoEvidence: true},
	}
	for _, mo := range tries {
		if md := Markdown(r, mo); len(md) <= limit {
			return md
		}
	}
	// Shorten messages until it fits (each row keeps its line and status).
	short := *r
	for cut := 200; cut >= 0; cut /= 2 {
		short.Rows = append([]Row(nil), r.Rows...)
		for i := range short.Rows {
			short.Rows[i].Message = truncate(short.Rows[i].Message, cut)
		}
		short.Blockers = nil
		for _, b := range r.Blockers {
			short.Blockers = append(short.Blockers, truncate(b, cut+20))
		}
		if md := Markdown(&short, MarkdownOptions{NoDetails: true, NoCharts: true, NoEvidence: true}); len(md) <= limit || cut == 0 {
			return md
		}
	}
	return ""
}
