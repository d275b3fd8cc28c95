package report

import (
	"strings"
	"testing"

	"github.com/hustlexp/launchcheck/internal/check"
)

// A notice (WK-1's plan) reaches the operator the moment it is recorded,
// before the row finishes.
func TestNoticeArrivesBeforeTheRowEnds(t *testing.T) {
	var got []string
	c := NewCollector()
	c.OnNotice = func(row, test, msg string) { got = append(got, row+"|"+msg) }
	c.OnRowDone = func(rt RowTest) { got = append(got, "done "+rt.Row) }
	s := stream(fakeTest{pkg: "github.com/hustlexp/launchcheck/postlaunch", name: "TestWeek1StressOffPeak",
		attrs:  [][2]string{{check.AttrRow, "WK-1"}, {check.AttrNotice, "WK-1 stress: reduced profile, 2m0s, ≈3557 requests"}},
		action: "pass"})
	if _, err := c.ReadFrom(strings.NewReader(s)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "WK-1|WK-1 stress: reduced profile, 2m0s, ≈3557 requests" || got[1] != "done WK-1" {
		t.Fatalf("notices %q, want the plan first, then the row", got)
	}
}
