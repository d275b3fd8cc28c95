// Package check holds the pieces every checklist check uses: the T interface,
// row marking, evidence, statuses other than pass/fail, waiting by deadline,
// and the one place where missing live configuration becomes a failure.
package check

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// T is the subset of testing.TB that checks use. *testing.T satisfies it, and
// so does checktest.Recorder, which lets self-tests assert that a check failed.
type T interface {
	Helper()
	Name() string
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Skipf(format string, args ...any)
	Fail()
	FailNow()
	Failed() bool
	Cleanup(func())
	Context() context.Context
	Attr(key, value string)
}

// Attribute keys the report understands.
const (
	AttrRow      = "checklist"
	AttrStatus   = "status"    // unverified | waived (pass/fail come from the test result)
	AttrReason   = "reason"    // one line: why unverified/waived
	AttrEvidence = "evidence." // prefix; value is one line
	AttrSeries   = "series."   // prefix; value is JSON {"x":[…],"y":[…],"unit":"…"}
)

var (
	rowsMu sync.Mutex
	rows   = map[string]string{} // test name → row id
)

// Item marks the running test as the check for checklist row id.
func Item(t T, id string) {
	t.Helper()
	t.Attr(AttrRow, id)
	rowsMu.Lock()
	rows[t.Name()] = id
	rowsMu.Unlock()
}

// RowOf returns the row the test (or its parent) was marked with.
func RowOf(t T) string {
	rowsMu.Lock()
	defer rowsMu.Unlock()
	name := t.Name()
	for {
		if id, ok := rows[name]; ok {
			return id
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return ""
		}
		name = name[:i]
	}
}

// Evidence records one short observation for the report (latency, count, version…).
func Evidence(t T, key string, value any) {
	t.Helper()
	s := oneLine(fmt.Sprint(value))
	t.Attr(AttrEvidence+key, s)
	t.Logf("evidence %s = %s", key, s)
}

// Series records a small data series the report can chart.
func Series(t T, key, unit string, x []string, y []float64) {
	t.Helper()
	b, _ := json.Marshal(struct {
		X    []string  `json:"x"`
		Y    []float64 `json:"y"`
		Unit string    `json:"unit"`
	}{x, y, unit})
	t.Attr(AttrSeries+key, string(b))
}

// Unverified fails the check as "could not be verified": the report shows [~]
// and the gate is NO-GO, because an unverified line is not a passed line.
func Unverified(t T, format string, args ...any) {
	t.Helper()
	msg := oneLine(fmt.Sprintf(format, args...))
	t.Attr(AttrStatus, "unverified")
	t.Attr(AttrReason, msg)
	t.Fatalf("UNVERIFIED: %s", msg)
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 500 {
		s = s[:497] + "..."
	}
	return s
}
