// Package report turns a `go test -json` stream of checklist tests into the
// launch report: the row table, the GO / NO-GO verdict, and its renderings
// (markdown mirroring the checklist document, JSON, HTML, JUnit, the GitHub
// step summary), plus the diff between two JSON reports.
//
// How a row gets its status:
//   - A test marked with check.Item (attribute "checklist") is the row's test;
//     its subtests roll up into it. pass/fail/skip come from its final action.
//   - Attribute "status" = unverified (the test failed through
//     check.Unverified) or waived (skipped through a valid waiver); "reason"
//     is the one-line why. A skip WITHOUT the waived attribute is a failure: a
//     checklist row may not skip itself.
//   - A test that never finished (binary timeout, panic elsewhere) fails as
//     "did not finish".
//   - No result in the stream: "not_implemented" when no tagged test in the
//     source tree calls check.Item for the row; otherwise "fail" with "did not
//     run" (wrong -tags, a -run filter, or the package failed to build — the
//     build error is quoted). A row of the report's scope that did not run is
//     never shown as passed.
//   - The one-line failure reason is the first message the failing (sub)test
//     printed (file:line prefixes and runner noise removed), "+N more" when it
//     printed more; every message is kept in "details". `go test` cannot tell
//     t.Logf from t.Errorf, so a check that logs before failing shows its log
//     line only when it is the first message.
//
// Scope and verdict: --phase selects the rows (all by default). The verdict is
// NO-GO when any row in scope failed, is unverified or not implemented, when a
// package failed outside any test (build error, invalid environment), or when
// zero rows ran. Waived rows do not block; they are listed with owner and
// expiry. With HUSTLEXP_LAUNCH_DATE each row gets its phase's due date (T-7 at
// launch−7 d, T-0 at launch, Day 1 at launch+1 d, Week 1 at launch+7 d):
// "overdue" (past due and not passed) is called out as a blocker; in the
// all-phase view a non-passed row whose due date is still ahead is "not yet
// due" and does not block. A phase asked for explicitly always blocks.
package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
)

// Event is one line of `go test -json` (cmd/test2json), including the
// "attr" action of Go 1.25+ (t.Attr) and the build events of Go 1.24+.
type Event struct {
	Time       time.Time `json:"Time"`
	Action     string    `json:"Action"`
	Package    string    `json:"Package"`
	ImportPath string    `json:"ImportPath"`
	Test       string    `json:"Test"`
	Elapsed    float64   `json:"Elapsed"`
	Output     string    `json:"Output"`
	Key        string    `json:"Key"`
	Value      string    `json:"Value"`
}

// testRun is what the stream said about one test (or subtest).
type testRun struct {
	pkg, name string
	attrs     map[string]string
	attrOrder []string
	output    []string // raw output lines, without the trailing newline
	action    string   // pass | fail | skip | "" (never finished)
	elapsed   float64
	started   time.Time
	ended     time.Time
}

// pkgRun is what the stream said about one package.
type pkgRun struct {
	name     string
	action   string // pass | fail | skip | ""
	output   []string
	build    []string // build-output lines
	buildBad bool
	tests    int
}

// RowTest is one checklist test as it ran: a test marked with
// check.Item (attribute "checklist"), its subtests rolled up into it.
type RowTest struct {
	Package  string
	Test     string
	Row      string
	Action   string // pass | fail | skip | "" (did not finish)
	Elapsed  time.Duration
	Attrs    map[string]string // own and subtests' attributes (first value wins for the row's own)
	Messages []Message         // failure/skip messages of the test and its subtests
}

// Message is one t.Errorf/Fatalf/Skipf/Logf text, with the file:line prefix
// removed and continuation lines joined.
type Message struct {
	Test string // (sub)test that printed it
	Text string
}

// Collector consumes a `go test -json` stream.
type Collector struct {
	tests    map[string]*testRun // pkg + "\x00" + test
	order    []string
	pkgs     map[string]*pkgRun
	pkgOrder []string
	rowOf    map[string]string // pkg\x00test → row id for tests marked with check.Item
	garbage  int               // lines that were not JSON (e.g. plain `go test` output)
	firstBad string
	start    time.Time
	end      time.Time

	// OnRowDone, when set, is called as soon as a checklist test finishes.
	OnRowDone func(RowTest)
	// OnNotice, when set, is called as soon as a check records a notice
	// (check.Notice): row id ("" when unknown), test name, message.
	OnNotice func(row, test, msg string)
}

// NewCollector returns an empty collector.
func NewCollector() *Collector {
	return &Collector{tests: map[string]*testRun{}, pkgs: map[string]*pkgRun{}, rowOf: map[string]string{}}
}

// ReadFrom consumes the whole stream. Lines that are not test2json events are
// counted (and the first one kept for the error) but do not stop the read:
// `go test -json` interleaves plain text when a build fails.
func (c *Collector) ReadFrom(r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var n int64
	for {
		line, err := br.ReadString('\n')
		n += int64(len(line))
		if s := strings.TrimSpace(line); s != "" {
			c.FeedLine([]byte(s))
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("read test stream: %w", err)
		}
	}
}

// FeedLine consumes one line of the stream.
func (c *Collector) FeedLine(line []byte) {
	var e Event
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil || e.Action == "" {
		c.garbage++
		if c.firstBad == "" {
			c.firstBad = truncate(string(line), 200)
		}
		return
	}
	c.Feed(e)
}

// Feed consumes one event.
func (c *Collector) Feed(e Event) {
	if !e.Time.IsZero() {
		if c.start.IsZero() || e.Time.Before(c.start) {
			c.start = e.Time
		}
		if e.Time.After(c.end) {
			c.end = e.Time
		}
	}
	switch e.Action {
	case "build-output", "build-fail":
		name := e.ImportPath
		if i := strings.Index(name, " ["); i > 0 {
			name = name[:i] // "pkg [pkg.test]" → pkg
		}
		p := c.pkg(name)
		if e.Action == "build-fail" {
			p.buildBad = true
		} else {
			p.build = append(p.build, strings.TrimRight(e.Output, "\n"))
		}
		return
	}
	if e.Test == "" {
		p := c.pkg(e.Package)
		switch e.Action {
		case "output":
			p.output = append(p.output, strings.TrimRight(e.Output, "\n"))
		case "pass", "fail", "skip":
			p.action = e.Action
		}
		return
	}
	key := e.Package + "\x00" + e.Test
	t, ok := c.tests[key]
	if !ok {
		t = &testRun{pkg: e.Package, name: e.Test, attrs: map[string]string{}, started: e.Time}
		c.tests[key] = t
		c.order = append(c.order, key)
		c.pkg(e.Package).tests++
	}
	switch e.Action {
	case "attr":
		if _, seen := t.attrs[e.Key]; !seen {
			t.attrOrder = append(t.attrOrder, e.Key)
		}
		t.attrs[e.Key] = e.Value
		if e.Key == check.AttrRow {
			c.rowOf[key] = e.Value
		}
		if e.Key == check.AttrNotice && c.OnNotice != nil {
			c.OnNotice(c.rowOf[key], e.Test, e.Value)
		}
	case "output":
		t.output = append(t.output, strings.TrimRight(e.Output, "\n"))
	case "pass", "fail", "skip":
		t.action = e.Action
		t.elapsed = e.Elapsed
		t.ended = e.Time
		if _, isRow := c.rowOf[key]; isRow && c.OnRowDone != nil {
			c.OnRowDone(c.rowTest(key))
		}
	}
}

func (c *Collector) pkg(name string) *pkgRun {
	p, ok := c.pkgs[name]
	if !ok {
		p = &pkgRun{name: name}
		c.pkgs[name] = p
		c.pkgOrder = append(c.pkgOrder, name)
	}
	return p
}

// rowKeyFor returns the key of the nearest marked test at or above key.
func (c *Collector) rowKeyFor(key string) (string, bool) {
	for {
		if _, ok := c.rowOf[key]; ok {
			return key, true
		}
		i := strings.LastIndexByte(key, '/')
		if i < 0 || i < strings.IndexByte(key, 0) {
			return "", false
		}
		key = key[:i]
	}
}

// RowTests returns every checklist test in the order they started, with
// subtests rolled up into them.
func (c *Collector) RowTests() []RowTest {
	var out []RowTest
	for _, key := range c.order {
		if _, ok := c.rowOf[key]; ok {
			out = append(out, c.rowTest(key))
		}
	}
	return out
}

func (c *Collector) rowTest(key string) RowTest {
	t := c.tests[key]
	rt := RowTest{Package: t.pkg, Test: t.name, Row: c.rowOf[key], Action: t.action,
		Elapsed: time.Duration(t.elapsed * float64(time.Second)), Attrs: map[string]string{}}
	if t.action == "" && !t.started.IsZero() {
		end := c.end
		if end.After(t.started) {
			rt.Elapsed = end.Sub(t.started)
		}
	}
	for _, k := range t.attrOrder {
		rt.Attrs[k] = t.attrs[k]
	}
	// The row's own messages first, then its subtests', in stream order.
	rt.Messages = append(rt.Messages, messages(t.name, t.output)...)
	for _, k := range c.order {
		if k == key || !strings.HasPrefix(k, key+"/") {
			continue
		}
		if rk, _ := c.rowKeyFor(k); rk != key {
			continue // a nested row of its own
		}
		sub := c.tests[k]
		for _, ak := range sub.attrOrder {
			if _, own := rt.Attrs[ak]; !own {
				rt.Attrs[ak] = sub.attrs[ak]
			}
		}
		rt.Messages = append(rt.Messages, messages(sub.name, sub.output)...)
	}
	return rt
}

// BadLines reports how many lines were not test2json events, and the first.
func (c *Collector) BadLines() (int, string) { return c.garbage, c.firstBad }

// Window returns the time of the first and last event.
func (c *Collector) Window() (time.Time, time.Time) { return c.start, c.end }

// PackageProblem is a package that failed without a test to blame: a build
// error, a TestMain exit (invalid environment), a panic or a timeout.
type PackageProblem struct {
	Package string `json:"package"`
	Problem string `json:"problem"`
}

// PackageProblems lists packages that failed outside any checklist test.
func (c *Collector) PackageProblems() []PackageProblem {
	var out []PackageProblem
	for _, name := range c.pkgOrder {
		p := c.pkgs[name]
		if !p.buildBad && p.action != "fail" {
			continue
		}
		// A package that failed only because one of its tests failed is not a problem of its own.
		if !p.buildBad && p.tests > 0 && !hasPanicOrExit(p.output) {
			anyFail := false
			for _, k := range c.order {
				if t := c.tests[k]; t.pkg == name && t.action == "fail" {
					anyFail = true
					break
				}
			}
			if anyFail {
				continue
			}
		}
		var why string
		switch {
		case p.buildBad || len(p.build) > 0:
			why = "build failed: " + firstMeaningful(p.build, p.output)
		default:
			why = firstMeaningful(p.output, nil)
		}
		out = append(out, PackageProblem{Package: name, Problem: why})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Package < out[j].Package })
	return out
}

func hasPanicOrExit(lines []string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, "panic:") || strings.Contains(l, "test timed out") || strings.HasPrefix(l, "launchcheck:") {
			return true
		}
	}
	return false
}

func firstMeaningful(a, b []string) string {
	for _, l := range append(append([]string(nil), a...), b...) {
		s := strings.TrimSpace(l)
		if s == "" || s == "FAIL" || strings.HasPrefix(s, "FAIL\t") || strings.HasPrefix(s, "# ") || strings.HasPrefix(s, "ok ") {
			continue
		}
		return truncate(s, 300)
	}
	return "failed (no output)"
}

var (
	filePrefix = regexp.MustCompile(`^\s*[\w.\-/]+\.go:\d+: ?`)
	noise      = []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "=== ATTR", "--- PASS", "--- FAIL", "--- SKIP", "PASS", "FAIL", "ok  "}
)

// messages splits a test's output into messages: a line "file.go:N: text"
// starts one, deeper-indented lines continue it; runner noise is dropped.
func messages(test string, lines []string) []Message {
	var out []Message
	cur := -1
	for _, raw := range lines {
		trim := strings.TrimSpace(raw)
		if trim == "" {
			continue
		}
		isNoise := false
		for _, n := range noise {
			if strings.HasPrefix(trim, n) {
				isNoise = true
				break
			}
		}
		if isNoise {
			cur = -1
			continue
		}
		if loc := filePrefix.FindStringIndex(raw); loc != nil {
			out = append(out, Message{Test: test, Text: strings.TrimSpace(raw[loc[1]:])})
			cur = len(out) - 1
			continue
		}
		if strings.HasPrefix(trim, "panic:") || strings.HasPrefix(trim, "fatal error:") {
			out = append(out, Message{Test: test, Text: trim})
			cur = -1 // the goroutine dump that follows is not part of the reason
			continue
		}
		if cur >= 0 && (strings.HasPrefix(raw, "        ") || strings.HasPrefix(raw, "\t\t")) {
			out[cur].Text += " " + trim
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// cut on a rune boundary
	for n > 0 && n < len(s) && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}
