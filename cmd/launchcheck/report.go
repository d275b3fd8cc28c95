package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/report"
)

func cmdReport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.String("json", "", "write the JSON report (run record) to `FILE`")
	mdOut := fs.String("md", "", "write the markdown report to `FILE`")
	htmlOut := fs.String("html", "", "write a self-contained HTML page to `FILE`")
	junitOut := fs.String("junit", "", "write JUnit XML to `FILE`")
	rawOut := fs.String("raw", "", "also save the raw `go test -json` stream to `FILE`")
	phase := fs.String("phase", "all", "phases the verdict covers: all, prelaunch, t0, day1, week1 or a comma list")
	progress := fs.Bool("progress", false, "print one line per row on stderr as it finishes")
	noFail := fs.Bool("no-fail", false, "exit 0 even on NO-GO (display only; never in a gate)")
	quiet := fs.Bool("quiet", false, "do not print the markdown report on stdout (it is printed only when --md is not given)")
	repo := fs.String("repo", "", "source tree to scan for tagged tests (default: the module root above the working directory)")
	target := fs.String("target", "", "override the target shown (default: HUSTLEXP_TARGET)")
	summary := fs.String("summary", "", "step summary `FILE` (default: $GITHUB_STEP_SUMMARY)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "launchcheck report: unexpected argument %q (the test stream is read from stdin)\n", fs.Arg(0))
		return 2
	}
	phases, err := report.ParsePhases(*phase)
	if err != nil {
		fmt.Fprintf(stderr, "launchcheck report: --phase: %v\n", err)
		return 2
	}
	scrub := report.NewScrubber(config.ScrubValuesFromEnv())
	cfg, cfgErr := config.FromEnv()
	opts := report.Options{Phases: phases, Scrub: scrub.String, Target: *target}
	var envProblem string
	if cfgErr != nil {
		envProblem = scrub.String(strings.ReplaceAll(cfgErr.Error(), "\n", "; "))
		fmt.Fprintf(stderr, "launchcheck report: invalid environment (%s); rendering anyway\n", envProblem)
		if opts.Target == "" {
			opts.Target = "unknown"
		}
	} else {
		if opts.Target == "" {
			opts.Target = string(cfg.Target)
		}
		if d := cfg.Get(config.LaunchDate); d != "" {
			opts.LaunchDate, _ = time.Parse("2006-01-02", d)
		}
		if *summary == "" {
			*summary = cfg.Get(config.GitHubStepSummary)
		}
		opts.Commit = cfg.Get(config.ReportSuiteCommit)
	}
	root := *repo
	if root == "" {
		wd, _ := os.Getwd()
		root = report.FindRoot(wd)
	}
	if opts.Commit == "" {
		opts.Commit = gitCommit(root)
	}
	if refs, err := report.ScanTests(root); err == nil {
		opts.Tests = refs
	} else {
		fmt.Fprintf(stderr, "launchcheck report: scanning %s for tagged tests: %v (rows without a result show as not implemented)\n", root, err)
	}

	c := report.NewCollector()
	if *progress {
		c.OnRowDone = func(rt report.RowTest) {
			st, _ := report.RowStatus(rt)
			fmt.Fprintf(stderr, "launchcheck: %-6s %-15s %7.2fs  %s\n", rt.Row, st, rt.Elapsed.Seconds(), rt.Test)
		}
		c.OnNotice = func(row, test, msg string) {
			fmt.Fprintf(stderr, "launchcheck: %-6s notice: %s\n", row, msg)
		}
	}
	in := stdin
	if *rawOut != "" {
		f, err := os.Create(*rawOut)
		if err != nil {
			fmt.Fprintf(stderr, "launchcheck report: --raw: %v\n", err)
			return 2
		}
		defer f.Close()
		in = io.TeeReader(stdin, &scrubWriter{w: f, s: scrub})
	}
	if _, err := c.ReadFrom(in); err != nil {
		fmt.Fprintf(stderr, "launchcheck report: %v\n", err)
		return 2
	}
	r := report.Build(c, opts)
	if envProblem != "" {
		r.Blockers = append(r.Blockers, "invalid environment: "+envProblem)
		r.Verdict = report.NOGO
	}

	md := scrub.String(report.Markdown(r, report.MarkdownOptions{}))
	write := func(path string, data []byte) bool {
		if path == "" {
			return true
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintf(stderr, "launchcheck report: %v\n", err)
			return false
		}
		if err := os.WriteFile(path, scrub.Bytes(data), 0o644); err != nil {
			fmt.Fprintf(stderr, "launchcheck report: %v\n", err)
			return false
		}
		return true
	}
	ok := write(*mdOut, []byte(md))
	if *jsonOut != "" {
		b, err := report.JSON(r)
		ok = ok && err == nil && write(*jsonOut, b)
	}
	if *junitOut != "" {
		b, err := report.JUnit(r)
		ok = ok && err == nil && write(*junitOut, b)
	}
	if *htmlOut != "" {
		b, err := report.HTML(r)
		ok = ok && err == nil && write(*htmlOut, b)
	}
	if *summary != "" {
		f, err := os.OpenFile(*summary, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = io.WriteString(f, scrub.String(report.StepSummary(r, report.SummaryLimit-1024)))
			f.Close()
		}
		if err != nil {
			fmt.Fprintf(stderr, "launchcheck report: step summary: %v\n", err)
			ok = false
		}
	}
	if !*quiet && *mdOut == "" {
		io.WriteString(stdout, md)
	}
	fmt.Fprintf(stderr, "launchcheck: %s — %s, %d rows ran, %d blocker(s)\n", r.Verdict, strings.ToUpper(r.Target), r.RowsRan, len(r.Blockers))
	if !ok {
		return 2
	}
	if r.Verdict != report.GO && !*noFail {
		return 1
	}
	return 0
}

// gitCommit is the suite's commit, or "" outside a git checkout.
func gitCommit(dir string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--short=12", "HEAD")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	commit := strings.TrimSpace(string(out))
	st := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=no")
	if o, err := st.Output(); err == nil && len(strings.TrimSpace(string(o))) > 0 {
		commit += "-dirty"
	}
	return commit
}

// scrubWriter scrubs secrets from what it writes (line-buffered enough for
// test2json, which writes whole lines).
type scrubWriter struct {
	w io.Writer
	s *report.Scrubber
}

func (s *scrubWriter) Write(p []byte) (int, error) {
	if _, err := s.w.Write(s.s.Bytes(append([]byte(nil), p...))); err != nil {
		return 0, err
	}
	return len(p), nil
}
