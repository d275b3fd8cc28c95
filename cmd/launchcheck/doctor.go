package main

import (
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checklist"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/report"
	"github.com/hustlexp/launchcheck/internal/rows"
)

// DoctorRow is the doctor's verdict on one row.
type DoctorRow struct {
	ID      string
	State   string // can run | lacks configuration | waived | not implemented
	Missing []string
	Note    string
}

// cmdDoctor says, for the current environment, which rows can run, which
// lack configuration (naming the variables) and which are waived — before
// anyone starts a ten-minute run.
func cmdDoctor(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	phase := fs.String("phase", "all", "phases to look at: all, prelaunch, t0, day1, week1 or a comma list")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	phases, err := report.ParsePhases(*phase)
	if err != nil {
		fmt.Fprintf(stderr, "launchcheck doctor: --phase: %v\n", err)
		return 2
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "launchcheck doctor: the environment is invalid — every run would stop here:\n%v\n", report.NewScrubber(config.ScrubValuesFromEnv()).String(err.Error()))
		return 1
	}
	verdicts, waiverErr := Doctor(cfg, phases, rows.All(), time.Now())
	code := 0
	fmt.Fprintf(stdout, "launchcheck doctor — target %s\n", strings.ToUpper(string(cfg.Target)))
	if !cfg.Live() {
		fmt.Fprintln(stdout, "  The rehearsal builds its own world: every implemented row runs against it. The variables")
		fmt.Fprintln(stdout, "  listed below are what a staging/production run of the same rows will need.")
	}
	if waiverErr != nil {
		fmt.Fprintf(stdout, "\nwaiver file %s: %v\n", cfg.Get(config.Waivers), waiverErr)
		code = 1
	}
	counts := map[string]int{}
	section := ""
	for _, r := range verdicts {
		cr, _ := checklist.ByID(r.ID)
		if cr.Section != section {
			section = cr.Section
			fmt.Fprintf(stdout, "\n%s (%s)\n", section, cr.Phase)
		}
		counts[r.State]++
		line := fmt.Sprintf("  %-6s %-20s", r.ID, r.State)
		if len(r.Missing) > 0 {
			line += " set " + strings.Join(r.Missing, ", ")
		}
		if r.Note != "" {
			line += " " + r.Note
		}
		fmt.Fprintln(stdout, strings.TrimRight(line, " "))
		if cfg.Live() && r.State != "can run" && r.State != "waived" {
			code = 1
		}
	}
	fmt.Fprintf(stdout, "\n%d can run, %d lack configuration, %d waived, %d not implemented\n",
		counts["can run"], counts["lacks configuration"], counts["waived"], counts["not implemented"])
	fmt.Fprintln(stdout, "\nTools on this machine:")
	for _, tool := range []struct{ name, why string }{
		{"go", "runs the suite"},
		{"k6", "SMK-1 / WK-1 run the real k6 scripts (a native equivalent always runs too)"},
		{"initdb", "rehearsal Postgres (binaries provider)"},
		{"redis-server", "rehearsal Redis (binaries provider)"},
		{"docker", "rehearsal testcontainers provider"},
		{"stripe-mock", "Stripe request-shape validation in the rehearsal"},
		{"chromium", "the HTML report test"},
		{"actionlint", "lints .github/workflows"},
	} {
		state := "missing"
		if p, err := exec.LookPath(tool.name); err == nil {
			state = p
		}
		fmt.Fprintf(stdout, "  %-13s %-40s %s\n", tool.name, state, tool.why)
	}
	return code
}

// Doctor classifies each row of the scope for cfg from the declared rows
// (internal/rows): a row lacks configuration when a variable in its Needs is
// neither set nor defaulted — exactly what the run's Need step would name.
func Doctor(cfg *config.Config, phases []checklist.Phase, declared []rows.Row, now time.Time) ([]DoctorRow, error) {
	scope := map[checklist.Phase]bool{}
	for _, p := range phases {
		scope[p] = true
	}
	byID := map[string]rows.Row{}
	for _, r := range declared {
		byID[r.ID] = r
	}
	ws, werr := check.LoadWaivers(cfg)
	if werr == nil {
		werr = ws.Validate(now)
	}
	var out []DoctorRow
	for _, cr := range checklist.Rows {
		if len(scope) > 0 && !scope[cr.Phase] {
			continue
		}
		d := DoctorRow{ID: cr.ID}
		r, ok := byID[cr.ID]
		if !ok {
			d.State = "not implemented"
			out = append(out, d)
			continue
		}
		if cfg.Live() {
			d.Missing = check.Missing(cfg, r.Needs...)
		} else if len(r.Needs) > 0 {
			d.Note = "(live: " + strings.Join(check.Missing(emptyLive, r.Needs...), ", ") + ")"
		}
		switch {
		case len(d.Missing) == 0:
			d.State = "can run"
		default:
			d.State = "lacks configuration"
			if w, ok := ws.For(cr.ID, now); ok {
				d.State = "waived"
				d.Note = fmt.Sprintf("%s (owner %s, expires %s)", w.Reason, w.Owner, w.Expiry.Format("2006-01-02"))
			} else if w, ok := ws.Expired(cr.ID, now); ok {
				d.Note = fmt.Sprintf("(waiver expired %s, owner %s)", w.Expiry.Format("2006-01-02"), w.Owner)
			}
		}
		out = append(out, d)
	}
	return out, werr
}

// emptyLive is a live configuration with nothing set: what a rehearsal run
// shows as "(live: …)".
var emptyLive = func() *config.Config {
	c, _ := config.Load(func(k string) string {
		if k == config.HustlexpTarget {
			return string(config.Staging)
		}
		return ""
	})
	return c
}()
