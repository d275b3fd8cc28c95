package main

import (
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/checklist"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/report"
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
	needsGo := fs.Bool("needs-go", false, "print internal/checklist/needs.go regenerated from the checks' check.Need calls, and exit")
	entryGo := fs.Bool("entry-points-go", false, "print internal/hardening/leak/rows_gen_test.go (row → check function), and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	wd, _ := os.Getwd()
	root := report.FindRoot(wd)
	if *entryGo {
		ep, err := report.CheckFuncs(root)
		if err != nil {
			fmt.Fprintf(stderr, "launchcheck doctor: %v\n", err)
			return 2
		}
		io.WriteString(stdout, EntryPointsGo(ep))
		return 0
	}
	if *needsGo {
		scanned, err := report.ScanNeeds(root)
		if err != nil {
			fmt.Fprintf(stderr, "launchcheck doctor: %v\n", err)
			return 2
		}
		io.WriteString(stdout, NeedsGo(scanned))
		return 0
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
	refs, _ := report.ScanTests(root)
	rows, waiverErr := Doctor(cfg, phases, refs, time.Now())
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
	for _, r := range rows {
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

// Doctor classifies each row of the scope for cfg.
func Doctor(cfg *config.Config, phases []checklist.Phase, refs []report.TestRef, now time.Time) ([]DoctorRow, error) {
	scope := map[checklist.Phase]bool{}
	for _, p := range phases {
		scope[p] = true
	}
	implemented := map[string]bool{}
	for _, r := range refs {
		implemented[r.Row] = true
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
		if refs != nil && !implemented[cr.ID] {
			d.State = "not implemented"
			out = append(out, d)
			continue
		}
		needs := checklist.Needs[cr.ID]
		if cfg.Live() {
			d.Missing = cfg.Missing(needs...)
		} else {
			d.Note = "(live: " + strings.Join(needs, ", ") + ")"
			if len(needs) == 0 {
				d.Note = ""
			}
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

// NeedsGo renders internal/checklist/needs.go from scanned Need calls.
func NeedsGo(scanned map[string][]string) string {
	var b strings.Builder
	b.WriteString(`package checklist

// Needs maps each row to the configuration variables its check needs in a
// live run (check.Need / check.NotConfigured, directly or through helpers of
// its package). ` + "`launchcheck doctor`" + ` uses it to say which rows can run before a
// run starts. Generated by ` + "`launchcheck doctor --needs-go`" + ` from the checks'
// source; a test in cmd/launchcheck fails when it drifts.
var Needs = map[string][]string{
`)
	for _, r := range checklist.Rows {
		vars := append([]string(nil), scanned[r.ID]...)
		sort.Strings(vars)
		var q []string
		for _, v := range vars {
			q = append(q, fmt.Sprintf("%q", v))
		}
		fmt.Fprintf(&b, "\t%q: {%s},\n", r.ID, strings.Join(q, ", "))
	}
	b.WriteString("}\n")
	if src, err := format.Source([]byte(b.String())); err == nil {
		return string(src)
	}
	return b.String()
}

// EntryPointsGo renders the row → check function table the goroutine-leak
// hardening test calls in-process.
func EntryPointsGo(byRow map[string]string) string {
	pkgs := map[string]bool{}
	for _, fn := range byRow {
		pkgs[strings.SplitN(fn, ".", 2)[0]] = true
	}
	var b strings.Builder
	b.WriteString("// Code generated by `launchcheck doctor --entry-points-go`; DO NOT EDIT.\n\npackage leak\n\nimport (\n")
	var names []string
	for p := range pkgs {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		fmt.Fprintf(&b, "\t%q\n", "github.com/hustlexp/launchcheck/"+p)
	}
	b.WriteString("\n\t\"github.com/hustlexp/launchcheck/internal/check\"\n\t\"github.com/hustlexp/launchcheck/internal/target\"\n)\n\n")
	b.WriteString("// rowChecks is each row's check function, as its tagged test calls it.\nvar rowChecks = map[string]func(check.T, *target.Env){\n")
	for _, r := range checklist.Rows {
		if fn, ok := byRow[r.ID]; ok {
			fmt.Fprintf(&b, "\t%q: %s,\n", r.ID, fn)
		}
	}
	b.WriteString("}\n")
	if src, err := format.Source([]byte(b.String())); err == nil {
		return string(src)
	}
	return b.String()
}
