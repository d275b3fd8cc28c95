package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/checklist"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/report"
)

// TestNeedsMatchesChecks keeps checklist.Needs equal to what the checks
// actually pass to check.Need / check.NotConfigured.
func TestNeedsMatchesChecks(t *testing.T) {
	scanned, err := report.ScanNeeds(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range checklist.Rows {
		want := scanned[r.ID]
		got := append([]string(nil), checklist.Needs[r.ID]...)
		slices.Sort(got)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("checklist.Needs[%q] = %v, but the check needs %v", r.ID, got, want)
		}
		for _, v := range got {
			if _, ok := config.Lookup(v); !ok {
				t.Errorf("checklist.Needs[%q] names undeclared variable %s", r.ID, v)
			}
		}
	}
	for id := range checklist.Needs {
		if _, ok := checklist.ByID(id); !ok {
			t.Errorf("checklist.Needs has unknown row %q", id)
		}
	}
	if t.Failed() {
		t.Log("regenerate: go run ./cmd/launchcheck doctor --needs-go > internal/checklist/needs.go")
	}
}

func TestDoctorClassifiesRows(t *testing.T) {
	dir := t.TempDir()
	wf := filepath.Join(dir, "waivers")
	os.WriteFile(wf, []byte("DB-5 | 2099-01-01 | ana | Neon API key not issued yet\n"), 0o644)
	cfg, err := config.Load(func(k string) string {
		return map[string]string{
			config.HustlexpTarget: "production",
			config.DatabaseURL:    "postgres://ro@db.example:5432/neondb",
			config.Waivers:        wf,
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	refs := []report.TestRef{{Row: "DB-1"}, {Row: "DB-2"}, {Row: "DB-5"}}
	rows, werr := Doctor(cfg, []checklist.Phase{checklist.Prelaunch}, refs, time.Now())
	if werr != nil {
		t.Fatal(werr)
	}
	by := map[string]DoctorRow{}
	for _, r := range rows {
		by[r.ID] = r
	}
	if by["INF-1"].State != "not implemented" {
		t.Errorf("INF-1: %+v", by["INF-1"])
	}
	if len(checklist.Needs["DB-1"]) > 0 && slices.Equal(checklist.Needs["DB-1"], []string{config.DatabaseURL}) && by["DB-1"].State != "can run" {
		t.Errorf("DB-1 with HUSTLEXP_DATABASE_URL set: %+v", by["DB-1"])
	}
	if slices.Contains(checklist.Needs["DB-5"], config.NeonAPIKey) {
		if by["DB-5"].State != "waived" || !strings.Contains(by["DB-5"].Note, "ana") {
			t.Errorf("DB-5 should be waived: %+v", by["DB-5"])
		}
	}
	if slices.Contains(checklist.Needs["DB-2"], config.ScratchDatabaseURL) {
		if by["DB-2"].State != "lacks configuration" || !slices.Contains(by["DB-2"].Missing, config.ScratchDatabaseURL) {
			t.Errorf("DB-2 should lack %s: %+v", config.ScratchDatabaseURL, by["DB-2"])
		}
	}
}

func TestWaiversCommand(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, body string
		code       int
		wants      []string
	}{
		{"valid", "# comment\nDB-5 | 2026-12-31 | ana | Neon key pending\n", 0, []string{"1 waiver(s), all valid", "line 2", "DB-5"}},
		{"unknown row", "\nXX-9 | 2026-12-31 | ana | why\n", 1, []string{"line 2", "unknown checklist row \"XX-9\""}},
		{"missing reason", "DB-5 | 2026-12-31 | ana |   \n", 1, []string{"line 1", "no reason"}},
		{"missing owner", "DB-5 | 2026-12-31 |  | why\n", 1, []string{"line 1", "no owner"}},
		{"expired", "DB-1 | 2026-12-31 | ana | ok\nDB-5 | 2026-11-01 | bob | late\n", 1, []string{"line 2", "DB-5 expired on 2026-11-01"}},
		{"bad date", "DB-5 | 31/12/2026 | ana | why\n", 1, []string{"line 1", "YYYY-MM-DD"}},
		{"wrong fields", "DB-5 | 2026-12-31 | ana\n", 1, []string{"line 1", "3 fields"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			os.WriteFile(f, []byte(tc.body), 0o644)
			code, out := validateWaivers(f, now)
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s", code, tc.code, out)
			}
			for _, w := range tc.wants {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q: %s", w, out)
				}
			}
		})
	}
}
