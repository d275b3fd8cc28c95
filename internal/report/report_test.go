//go:build !prelaunch && !t0 && !day1 && !week1

package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/checklist"
)

// stream builds a test2json stream from compact test descriptions.
type fakeTest struct {
	pkg, name string
	attrs     [][2]string
	out       []string
	action    string // pass|fail|skip|"" (never finishes)
	elapsed   float64
}

func stream(ts ...fakeTest) string {
	var b strings.Builder
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	emit := func(e Event) {
		e.Time = t0
		t0 = t0.Add(10 * time.Millisecond)
		j, _ := json.Marshal(e)
		b.Write(j)
		b.WriteByte('\n')
	}
	for _, t := range ts {
		pkg := t.pkg
		if pkg == "" {
			pkg = "github.com/hustlexp/launchcheck/launch"
		}
		emit(Event{Action: "run", Package: pkg, Test: t.name})
		emit(Event{Action: "output", Package: pkg, Test: t.name, Output: "=== RUN   " + t.name + "\n"})
		for _, a := range t.attrs {
			emit(Event{Action: "attr", Package: pkg, Test: t.name, Key: a[0], Value: a[1]})
			emit(Event{Action: "output", Package: pkg, Test: t.name, Output: "=== ATTR  " + t.name + " " + a[0] + " " + a[1] + "\n"})
		}
		for _, o := range t.out {
			emit(Event{Action: "output", Package: pkg, Test: t.name, Output: o + "\n"})
		}
		if t.action != "" {
			emit(Event{Action: "output", Package: pkg, Test: t.name, Output: fmt.Sprintf("--- %s: %s (%.2fs)\n", strings.ToUpper(t.action), t.name, t.elapsed)})
			emit(Event{Action: t.action, Package: pkg, Test: t.name, Elapsed: t.elapsed})
		}
	}
	return b.String()
}

func collect(t *testing.T, s string) *Collector {
	t.Helper()
	c := NewCollector()
	if _, err := c.ReadFrom(strings.NewReader(s)); err != nil {
		t.Fatal(err)
	}
	return c
}

func rowByID(t *testing.T, r *Report, id string) Row {
	t.Helper()
	for _, row := range r.Rows {
		if row.ID == id {
			return row
		}
	}
	t.Fatalf("row %s not in report", id)
	return Row{}
}

func TestStatusMapping(t *testing.T) {
	s := stream(
		fakeTest{name: "TestDatabaseMigrationsApplied", attrs: [][2]string{{"checklist", "DB-1"}, {"evidence.newest", "20260722_x"}}, out: []string{"    database_test.go:12: evidence newest = 20260722_x"}, action: "pass", elapsed: 0.4},
		fakeTest{name: "TestDatabaseInvariantTriggersActive", attrs: [][2]string{{"checklist", "DB-2"}}, action: "fail"},
		fakeTest{name: "TestDatabaseInvariantTriggersActive/trigger=task_terminal_guard", out: []string{"    database.go:88: trigger task_terminal_guard: tgenabled = 'D', want 'O'", "        (ALTER TABLE tasks ENABLE TRIGGER task_terminal_guard)"}, action: "fail"},
		fakeTest{name: "TestDatabaseConnectionPoolSized", attrs: [][2]string{{"checklist", "DB-3"}, {"status", "waived"}, {"reason", "no prod access yet (owner ana, expires 2026-12-24)"}}, out: []string{"    need.go:50: WAIVED DB-3: …"}, action: "skip"},
		fakeTest{name: "TestDatabasePerformanceIndexes", attrs: [][2]string{{"checklist", "DB-4"}, {"status", "unverified"}, {"reason", "pg_indexes not readable"}}, out: []string{"    check.go:99: UNVERIFIED: pg_indexes not readable"}, action: "fail"},
		fakeTest{name: "TestDatabaseBackups", attrs: [][2]string{{"checklist", "DB-5"}}, out: []string{"    x_test.go:3: not allowed"}, action: "skip"},
		fakeTest{name: "TestInfrastructureRailway", attrs: [][2]string{{"checklist", "INF-1"}}, out: []string{"    infra.go:10: GET /health = 503, want 200"}},
	)
	c := collect(t, s)
	r := Build(c, Options{Target: "production", Phases: []checklist.Phase{checklist.Prelaunch},
		Tests: []TestRef{{Row: "INF-2", Test: "TestInfrastructureNeon", Package: "launch", Check: "launch.NeonProvisioned"}}})
	cases := []struct{ id, status, want string }{
		{"DB-1", Pass, ""},
		{"DB-2", Fail, "tgenabled = 'D', want 'O' (ALTER TABLE tasks ENABLE TRIGGER task_terminal_guard)"},
		{"DB-3", Waived, "owner ana"},
		{"DB-4", Unverified, "pg_indexes not readable"},
		{"DB-5", Fail, "skipped without a waiver"},
		{"INF-1", Fail, "did not finish"},
		{"INF-2", Fail, "did not run: TestInfrastructureNeon"},
		{"INF-3", NotImplemented, "not implemented"},
	}
	for _, tc := range cases {
		row := rowByID(t, r, tc.id)
		if row.Status != tc.status || !strings.Contains(row.Message, tc.want) {
			t.Errorf("%s: status %q message %q, want %q containing %q", tc.id, row.Status, row.Message, tc.status, tc.want)
		}
		if strings.Contains(row.Message, ".go:") || strings.Contains(row.Message, "=== RUN") || strings.Contains(row.Message, "--- FAIL") {
			t.Errorf("%s: message keeps runner noise: %q", tc.id, row.Message)
		}
	}
	if got := rowByID(t, r, "DB-1").Evidence["newest"]; got != "20260722_x" {
		t.Errorf("DB-1 evidence newest = %q", got)
	}
	if r.Verdict != NOGO {
		t.Errorf("verdict %s, want NO-GO", r.Verdict)
	}
	for _, id := range []string{"DB-2", "DB-4", "DB-5", "INF-1", "INF-2", "INF-3"} {
		if !strings.Contains(strings.Join(r.Blockers, "\n"), id) {
			t.Errorf("blockers do not name %s: %v", id, r.Blockers)
		}
	}
	if strings.Contains(strings.Join(r.Blockers, "\n"), "DB-3") {
		t.Errorf("a waived row must not block: %v", r.Blockers)
	}
	if len(r.Rows) != len(checklist.InPhase(checklist.Prelaunch)) {
		t.Errorf("%d rows for prelaunch, want %d", len(r.Rows), len(checklist.InPhase(checklist.Prelaunch)))
	}
}

func TestAllPassIsGOAndZeroRowsIsNOGO(t *testing.T) {
	var ts []fakeTest
	for _, row := range checklist.InPhase(checklist.T0) {
		ts = append(ts, fakeTest{name: "Test" + strings.ReplaceAll(row.ID, "-", ""), attrs: [][2]string{{"checklist", row.ID}}, action: "pass", elapsed: 0.1})
	}
	r := Build(collect(t, stream(ts...)), Options{Target: "staging", Phases: []checklist.Phase{checklist.T0}})
	if r.Verdict != GO || len(r.Blockers) != 0 {
		t.Fatalf("all t0 rows pass: verdict %s, blockers %v", r.Verdict, r.Blockers)
	}
	empty := Build(collect(t, ""), Options{Target: "production", Phases: []checklist.Phase{checklist.T0}})
	if empty.Verdict != NOGO || !strings.Contains(strings.Join(empty.Blockers, " "), "zero rows") {
		t.Fatalf("a run with zero rows must be NO-GO naming it, got %s %v", empty.Verdict, empty.Blockers)
	}
	// A single failing row turns the whole phase NO-GO.
	ts[3].action = "fail"
	ts[3].out = []string{"    smoke.go:1: boom"}
	r = Build(collect(t, stream(ts...)), Options{Target: "staging", Phases: []checklist.Phase{checklist.T0}})
	if r.Verdict != NOGO || len(r.Blockers) != 1 {
		t.Fatalf("one failed row: verdict %s blockers %v", r.Verdict, r.Blockers)
	}
}

func TestPackageBuildFailureBlocks(t *testing.T) {
	s := `{"ImportPath":"github.com/hustlexp/launchcheck/smoke [github.com/hustlexp/launchcheck/smoke.test]","Action":"build-output","Output":"# github.com/hustlexp/launchcheck/smoke\n"}
{"ImportPath":"github.com/hustlexp/launchcheck/smoke [github.com/hustlexp/launchcheck/smoke.test]","Action":"build-output","Output":"smoke/smoke_test.go:9:2: undefined: smoke.Foo\n"}
{"ImportPath":"github.com/hustlexp/launchcheck/smoke [github.com/hustlexp/launchcheck/smoke.test]","Action":"build-fail"}
{"Action":"start","Package":"github.com/hustlexp/launchcheck/smoke"}
{"Action":"output","Package":"github.com/hustlexp/launchcheck/smoke","Output":"FAIL\tgithub.com/hustlexp/launchcheck/smoke [build failed]\n"}
{"Action":"fail","Package":"github.com/hustlexp/launchcheck/smoke","Elapsed":0,"FailedBuild":"github.com/hustlexp/launchcheck/smoke [github.com/hustlexp/launchcheck/smoke.test]"}
`
	c := collect(t, s)
	// The build-output ImportPath carries the test variant; the report matches on the package.
	r := Build(c, Options{Target: "production", Phases: []checklist.Phase{checklist.T0},
		Tests: []TestRef{{Row: "SMK-2", Test: "TestSmokeHealth", Package: "smoke", Check: "smoke.HealthHealthy"}}})
	if r.Verdict != NOGO {
		t.Fatal("build failure must be NO-GO")
	}
	all := strings.Join(r.Blockers, "\n")
	if !strings.Contains(all, "undefined: smoke.Foo") {
		t.Errorf("blockers should carry the build error: %s", all)
	}
	if row := rowByID(t, r, "SMK-2"); row.Status != Fail || !strings.Contains(row.Message, "did not run") {
		t.Errorf("SMK-2 = %s %q", row.Status, row.Message)
	}
}

func TestDueDates(t *testing.T) {
	launch := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	s := stream(fakeTest{name: "TestDB1", attrs: [][2]string{{"checklist", "DB-1"}}, out: []string{"    a.go:1: missing migration x"}, action: "fail"},
		fakeTest{name: "TestDB2", attrs: [][2]string{{"checklist", "DB-2"}}, action: "pass"})
	// Ten days before launch: prelaunch due in 3 days, day1/week1 not yet due.
	now := launch.AddDate(0, 0, -10)
	r := Build(collect(t, s), Options{Target: "staging", LaunchDate: launch, Now: now})
	if got := rowByID(t, r, "DB-1").DueState; got != "not yet due (due in 3 days)" {
		t.Errorf("DB-1 due state %q", got)
	}
	if got := rowByID(t, r, "DB-2").DueState; got != "done" {
		t.Errorf("DB-2 due state %q", got)
	}
	if got := rowByID(t, r, "WK-1"); got.Due != "2026-12-17" || got.Blocker {
		t.Errorf("WK-1 due %s blocker %v: a row not yet due must not block the all-phase view", got.Due, got.Blocker)
	}
	// Past the prelaunch due date a failing prelaunch row is overdue and blocks.
	r = Build(collect(t, s), Options{Target: "staging", LaunchDate: launch, Now: launch.AddDate(0, 0, -5)})
	if row := rowByID(t, r, "DB-1"); row.DueState != "overdue" || !row.Blocker {
		t.Errorf("DB-1 at T-5: %q blocker=%v", row.DueState, row.Blocker)
	}
	if !strings.Contains(strings.Join(r.Blockers, " "), "overdue since 2026-12-03") {
		t.Errorf("blockers should say overdue: %v", r.Blockers)
	}
	// A phase asked for explicitly always blocks, due or not.
	r = Build(collect(t, s), Options{Target: "staging", LaunchDate: launch, Now: now, Phases: []checklist.Phase{checklist.Prelaunch}})
	if r.Verdict != NOGO || !rowByID(t, r, "DB-1").Blocker {
		t.Errorf("explicit phase: verdict %s", r.Verdict)
	}
	for p, want := range map[checklist.Phase]string{checklist.Prelaunch: "2026-12-03", checklist.T0: "2026-12-10", checklist.Day1: "2026-12-11", checklist.Week1: "2026-12-17"} {
		if got := DueDate(p, launch).Format("2006-01-02"); got != want {
			t.Errorf("DueDate(%s) = %s, want %s", p, got, want)
		}
	}
}

func TestMarkdownMirrorsDocument(t *testing.T) {
	s := stream(fakeTest{name: "TestDB1", attrs: [][2]string{{"checklist", "DB-1"}, {"evidence.applied", "97"}}, action: "pass", elapsed: 1.5},
		fakeTest{name: "TestDB2", attrs: [][2]string{{"checklist", "DB-2"}}, out: []string{"    a.go:1: trigger gone"}, action: "fail"},
		fakeTest{name: "TestRB1", attrs: [][2]string{{"checklist", "RB-1"}, {"status", "unverified"}, {"reason", "no previous deployment"}}, action: "fail"})
	r := Build(collect(t, s), Options{Target: "rehearsal"})
	md := Markdown(r, MarkdownOptions{})
	// Every heading of the document, in order.
	var heads []string
	for _, l := range strings.Split(checklist.Document, "\n") {
		if strings.HasPrefix(l, "## ") || strings.HasPrefix(l, "### ") {
			heads = append(heads, l)
		}
	}
	pos := 0
	for _, h := range heads {
		i := strings.Index(md[pos:], "\n"+h+"\n")
		if i < 0 {
			t.Fatalf("heading %q missing or out of order", h)
		}
		pos += i + 1
	}
	// Every row once, in manifest order, with its id.
	pos = 0
	for _, row := range checklist.Rows {
		i := strings.Index(md[pos:], row.Line+" — `"+row.ID+"`")
		if i < 0 {
			t.Fatalf("row %s (%q) missing or out of order", row.ID, row.Line)
		}
		pos += i
	}
	for _, want := range []string{
		"- [x] All migrations applied (`schema_versions` table current) — `DB-1` ✅ _(1.5s)_ · applied=97",
		"- [ ] 5 invariant triggers verified active: — `DB-2` **FAIL**: trigger gone\n  - `xp_requires_released_escrow`",
		"1. [~] **Immediate:** Railway instant rollback to previous deployment — `RB-1` **UNVERIFIED**: no previous deployment",
		"- [ ] Railway production environment configured — `INF-1` not implemented yet",
		"**REHEARSAL**", "never evidence of production readiness", "NO-GO",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// A phase-scoped report keeps only its part of the document.
	r = Build(collect(t, s), Options{Target: "production", Phases: []checklist.Phase{checklist.T0}})
	md = Markdown(r, MarkdownOptions{})
	if strings.Contains(md, "### Database") || !strings.Contains(md, "### Smoke Tests") || strings.Contains(md, "REHEARSAL") {
		t.Errorf("t0 report should hold only Launch Day sections and no rehearsal banner:\n%s", md)
	}
}

func TestJSONShape(t *testing.T) {
	s := stream(fakeTest{name: "TestDB1", attrs: [][2]string{{"checklist", "DB-1"}, {"evidence.applied", "97"},
		{"series.latency", `{"x":["d1","d2"],"y":[120,180],"unit":"ms"}`}}, action: "pass", elapsed: 1})
	b, err := JSON(Build(collect(t, s), Options{Target: "rehearsal"}))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Target, Verdict string
		GeneratedAt     string `json:"generated_at"`
		Rows            []map[string]any
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Target != "rehearsal" || doc.Verdict != NOGO || doc.GeneratedAt == "" || len(doc.Rows) != 55 {
		t.Fatalf("target %q verdict %q generated_at %q rows %d", doc.Target, doc.Verdict, doc.GeneratedAt, len(doc.Rows))
	}
	first := doc.Rows[0]
	for _, k := range []string{"id", "phase", "section", "line", "status"} {
		if _, ok := first[k]; !ok {
			t.Errorf("row lacks %q: %v", k, first)
		}
	}
	statuses := map[string]bool{Pass: true, Fail: true, Unverified: true, Waived: true, NotImplemented: true}
	for _, row := range doc.Rows {
		if !statuses[row["status"].(string)] {
			t.Errorf("row %v: status %v outside the contract", row["id"], row["status"])
		}
		if row["id"] == "DB-1" {
			if row["test"] != "TestDB1" || row["evidence"].(map[string]any)["applied"] != "97" || row["series"] == nil {
				t.Errorf("DB-1 row: %v", row)
			}
		}
	}
}

func TestJUnitProperties(t *testing.T) {
	s := stream(fakeTest{name: "TestDB1", attrs: [][2]string{{"checklist", "DB-1"}}, out: []string{"    a.go:1: missing x"}, action: "fail"})
	b, err := JUnit(Build(collect(t, s), Options{Target: "rehearsal", Phases: []checklist.Phase{checklist.Prelaunch}}))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name  string `xml:"name,attr"`
				Props []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value,attr"`
				} `xml:"properties>property"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("JUnit is not XML: %v", err)
	}
	if n := len(checklist.InPhase(checklist.Prelaunch)); doc.Tests != n || doc.Failures != n { // 1 fail, the rest not implemented
		t.Errorf("tests %d failures %d", doc.Tests, doc.Failures)
	}
	found := false
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			props := map[string]string{}
			for _, p := range c.Props {
				props[p.Name] = p.Value
			}
			if props["checklist.id"] == "" || props["checklist.phase"] != "prelaunch" || props["checklist.section"] == "" {
				t.Errorf("case %q lacks row properties: %v", c.Name, props)
			}
			if props["checklist.id"] == "DB-1" {
				found = true
				if c.Failure == nil || c.Failure.Message != "missing x" {
					t.Errorf("DB-1 failure: %+v", c.Failure)
				}
			}
		}
	}
	if !found {
		t.Error("no DB-1 testcase")
	}
}

func TestStepSummaryTruncatesEvidenceNeverRows(t *testing.T) {
	var ts []fakeTest
	huge := strings.Repeat("x", 290)
	for _, row := range checklist.Rows {
		attrs := [][2]string{{"checklist", row.ID}}
		for i := 0; i < 30; i++ {
			attrs = append(attrs, [2]string{fmt.Sprintf("evidence.k%02d", i), huge})
		}
		var out []string
		for i := 0; i < 20; i++ {
			out = append(out, "    a.go:1: "+strings.Repeat("failure detail ", 60))
		}
		ts = append(ts, fakeTest{name: "Test" + strings.ReplaceAll(row.ID, "-", ""), attrs: attrs, out: out, action: "fail"})
	}
	r := Build(collect(t, stream(ts...)), Options{Target: "production"})
	full := Markdown(r, MarkdownOptions{})
	const limit = 40 << 10
	if len(full) <= limit {
		t.Fatalf("test setup: full report %d bytes, want > %d", len(full), limit)
	}
	sum := StepSummary(r, limit)
	if len(sum) > limit {
		t.Fatalf("summary %d bytes > limit %d", len(sum), limit)
	}
	for _, row := range checklist.Rows {
		if !strings.Contains(sum, "`"+row.ID+"`") {
			t.Errorf("summary dropped row %s", row.ID)
		}
	}
	if !strings.Contains(sum, "NO-GO") {
		t.Error("summary lost the verdict")
	}
}

func TestDiffRegressions(t *testing.T) {
	old := &Report{Target: "production", Verdict: GO, Rows: []Row{{ID: "DB-1", Status: Pass}, {ID: "DB-2", Status: Fail}, {ID: "DB-3", Status: Pass, Evidence: map[string]string{"max": "20"}}, {ID: "DB-4", Status: Unverified}}}
	cur := &Report{Target: "production", Verdict: NOGO, Rows: []Row{{ID: "DB-1", Status: Fail, Message: "missing migration x"}, {ID: "DB-2", Status: Pass}, {ID: "DB-3", Status: Pass, Evidence: map[string]string{"max": "25"}}, {ID: "DB-4", Status: Fail}}}
	cs := Diff(old, cur)
	kinds := map[string]string{}
	for _, c := range cs {
		kinds[c.ID] = c.Kind
	}
	want := map[string]string{"DB-1": "regressed", "DB-2": "fixed", "DB-3": "changed", "DB-4": "regressed"}
	for id, k := range want {
		if kinds[id] != k {
			t.Errorf("%s: %q, want %q", id, kinds[id], k)
		}
	}
	if Regressions(cs) != 2 {
		t.Errorf("regressions %d", Regressions(cs))
	}
	md := DiffMarkdown(old, cur, cs)
	if !strings.Contains(md, "### Regressed (2)") || !strings.Contains(md, "missing migration x") || !strings.Contains(md, "max 20 → 25") {
		t.Errorf("diff markdown:\n%s", md)
	}
}

func TestScrubber(t *testing.T) {
	sc := NewScrubber([]string{"sk_live_canary123", "abc", "pw-canary-9"})
	in := "token sk_live_canary123 and pw-canary-9 and abc"
	got := sc.String(in)
	if strings.Contains(got, "canary") || !strings.Contains(got, "abc") {
		t.Errorf("scrub: %q", got)
	}
	s := stream(fakeTest{name: "TestDB1", attrs: [][2]string{{"checklist", "DB-1"}, {"evidence.url", "postgres://u:pw-canary-9@h/db"}}, out: []string{"    a.go:1: auth failed with sk_live_canary123"}, action: "fail"})
	r := Build(collect(t, s), Options{Target: "production", Scrub: sc.String})
	b, _ := JSON(r)
	if strings.Contains(string(b), "canary") || strings.Contains(Markdown(r, MarkdownOptions{}), "canary") {
		t.Errorf("secret survived the report")
	}
}

func TestMermaidAndSVG(t *testing.T) {
	s := Series{X: []string{"day \"1\"", "day 2"}, Y: []float64{0.25, 1.5}, Unit: "%"}
	m := Mermaid("GNG-1 error_rate", s)
	for _, want := range []string{"```mermaid\nxychart-beta\n", `title "GNG-1 error_rate"`, `x-axis ["day '1'", "day 2"]`, `y-axis "%" 0 --> 2`, "line [0.25, 1.5]"} {
		if !strings.Contains(m, want) {
			t.Errorf("mermaid lacks %q:\n%s", want, m)
		}
	}
	svg := string(SVGChart("<b>x</b>", s))
	if !strings.HasPrefix(svg, "<svg") || strings.Contains(svg, "<b>") || !strings.Contains(svg, "<polyline") {
		t.Errorf("svg: %s", svg)
	}
}

// TestRealGoTestStream runs the real toolchain on a throwaway module so the
// parser is checked against what `go test -json` actually prints.
func TestRealGoTestStream(t *testing.T) {
	if testing.Short() {
		t.Skip("short: skips compiling a throwaway module")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/rows\n\ngo 1.25\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "rows_test.go"), []byte(`package rows
import "testing"
func TestPass(t *testing.T) { t.Attr("checklist", "SMK-2"); t.Attr("evidence.status", "healthy") }
func TestFail(t *testing.T) {
	t.Attr("checklist", "SMK-3")
	t.Run("route=/health/readiness", func(t *testing.T) { t.Errorf("GET /health/readiness = 503, want 200\nbody: {\"ready\":false}") })
}
func TestUnverified(t *testing.T) { t.Attr("checklist", "SMK-4"); t.Attr("status", "unverified"); t.Attr("reason", "no replicas answered"); t.Fatalf("UNVERIFIED: no replicas answered") }
func TestFunctionalFlow(t *testing.T) {
	t.Cleanup(func() { t.Log("cleanup: 2 users deleted") })
	t.Run("Registration", func(t *testing.T) { t.Attr("checklist", "FUN-1"); t.Attr("evidence.users", "2") })
	t.Run("TaskCreation", func(t *testing.T) { t.Attr("checklist", "FUN-2"); t.Fatalf("task.create = 500") })
}
`), 0o644)
	cmd := exec.Command("go", "test", "-json", "-count=1", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, _ := cmd.Output()
	r := Build(collect(t, string(out)), Options{Target: "staging", Phases: []checklist.Phase{checklist.T0}})
	if row := rowByID(t, r, "SMK-2"); row.Status != Pass || row.Evidence["status"] != "healthy" {
		t.Errorf("SMK-2 %+v", row)
	}
	if row := rowByID(t, r, "SMK-3"); row.Status != Fail || row.Message != "route=/health/readiness: GET /health/readiness = 503, want 200 body: {\"ready\":false}" {
		t.Errorf("SMK-3 %s %q", row.Status, row.Message)
	}
	if row := rowByID(t, r, "SMK-4"); row.Status != Unverified || row.Message != "no replicas answered" {
		t.Errorf("SMK-4 %s %q", row.Status, row.Message)
	}
	// ordered steps of one test: each step reports its own row
	if row := rowByID(t, r, "FUN-1"); row.Status != Pass || row.Test != "TestFunctionalFlow/Registration" || row.Evidence["users"] != "2" {
		t.Errorf("FUN-1 %+v", row)
	}
	if row := rowByID(t, r, "FUN-2"); row.Status != Fail || row.Test != "TestFunctionalFlow/TaskCreation" || !strings.Contains(row.Message, "task.create = 500") {
		t.Errorf("FUN-2 %+v", row)
	}
}

func TestMarkdownEscape(t *testing.T) {
	for in, want := range map[string]string{
		"p99 < 500ms":               "p99 < 500ms",
		"<script>alert(1)</script>": "&lt;script>alert(1)&lt;/script>",
		"a|b\nc":                    `a\|b c`,
	} {
		if got := mdEscape(in); got != want {
			t.Errorf("mdEscape(%q) = %q, want %q", in, got, want)
		}
	}
}
