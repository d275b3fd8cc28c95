//go:build !prelaunch && !t0 && !day1 && !week1

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checklist"
	"github.com/hustlexp/launchcheck/internal/checktest"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/hardening"
	"github.com/hustlexp/launchcheck/internal/rows"
	"github.com/hustlexp/launchcheck/internal/target"
)

// TestDoctorIsExact: for every row, the doctor's answer on a live target
// with nothing set is exactly what running the row says is missing (each row
// runs in-process, as its tagged test runs it: Item → Need → Check).
func TestDoctorIsExact(t *testing.T) {
	cfg, err := config.Load(func(k string) string { return map[string]string{config.HustlexpTarget: "staging"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	answers, werr := Doctor(cfg, nil, rows.All(), time.Now())
	if werr != nil {
		t.Fatal(werr)
	}
	if len(answers) != len(checklist.Rows) {
		t.Fatalf("doctor answered %d rows, want %d", len(answers), len(checklist.Rows))
	}
	dead := hardening.DeadEnv(checktest.ClosedPort(t), 3*time.Second)
	base := map[string]string{config.HustlexpTarget: "staging", config.StressTimeScale: dead[config.StressTimeScale]}
	for _, v := range config.Vars() {
		if v.Default != "" && dead[v.Name] != "" {
			base[v.Name] = dead[v.Name]
		}
	}
	missingLine := regexp.MustCompile(`live config incomplete for staging: (.*) not set`)
	for _, d := range answers {
		r, ok := rows.ByID(d.ID)
		if !ok || d.State == "not implemented" {
			t.Errorf("%s: not implemented", d.ID)
			continue
		}
		env := &target.Env{Cfg: cfg, RunID: "doctor"}
		res := checktest.Run(t, 30*time.Second, func(ct check.T) { check.RunRow(ct, r.Row, env) })
		var ran []string
		if m := missingLine.FindStringSubmatch(res.Text()); m != nil {
			ran = splitMissing(m[1])
		}
		if !slices.Equal(ran, d.Missing) {
			t.Errorf("%s: doctor says %v, the run says %v (%s)", d.ID, d.Missing, ran, res.Text())
		}
		if len(d.Missing) == 0 && d.State != "can run" || len(d.Missing) > 0 && d.State != "lacks configuration" {
			t.Errorf("%s: state %q with missing %v", d.ID, d.State, d.Missing)
		}
		// and sufficient: with exactly the named variables set (the first of
		// each alternative, aimed at a closed port like every defaulted
		// endpoint), the row asks for nothing more.
		kv := map[string]string{}
		for k, v := range base {
			kv[k] = v
		}
		for _, m := range d.Missing {
			name, _, _ := strings.Cut(m, " ")
			kv[name] = dead[name]
		}
		c, err := config.Load(func(k string) string { return kv[k] })
		if err != nil {
			t.Fatal(err)
		}
		res = checktest.Run(t, 30*time.Second, func(ct check.T) { check.RunRow(ct, r.Row, &target.Env{Cfg: c, RunID: "doctor"}) })
		if missingLine.MatchString(res.Text()) {
			t.Errorf("%s: with the doctor's variables set the row still lacks configuration: %s", d.ID, res.Text())
		}
	}
}

// splitMissing splits "A, B (or C), D" at the commas outside parentheses.
func splitMissing(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
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
	var some []rows.Row
	for _, id := range []string{"DB-1", "DB-2", "DB-5"} {
		r, _ := rows.ByID(id)
		some = append(some, r)
	}
	verdicts, werr := Doctor(cfg, []checklist.Phase{checklist.Prelaunch}, some, time.Now())
	if werr != nil {
		t.Fatal(werr)
	}
	by := map[string]DoctorRow{}
	for _, r := range verdicts {
		by[r.ID] = r
	}
	if by["INF-1"].State != "not implemented" {
		t.Errorf("INF-1: %+v", by["INF-1"])
	}
	if by["DB-1"].State != "lacks configuration" || !slices.Equal(by["DB-1"].Missing, []string{config.ExpectedMigrations + " (or " + config.RepoDir + ")"}) {
		t.Errorf("DB-1 with HUSTLEXP_DATABASE_URL set lacks only the migration source: %+v", by["DB-1"])
	}
	if by["DB-5"].State != "waived" || !strings.Contains(by["DB-5"].Note, "ana") {
		t.Errorf("DB-5 should be waived: %+v", by["DB-5"])
	}
	if by["DB-2"].State != "lacks configuration" || !slices.Equal(by["DB-2"].Missing, []string{config.ScratchDatabaseURL}) {
		t.Errorf("DB-2 should lack %s: %+v", config.ScratchDatabaseURL, by["DB-2"])
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
