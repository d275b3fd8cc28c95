package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/report"
	"github.com/hustlexp/launchcheck/internal/sweep"
)

// cmdSweep removes leftovers of crashed runs: database rows and Stripe
// objects tagged launchcheck-<runid>, older than --older-than. Production
// needs --production; --dry-run only counts.
func cmdSweep(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "launchcheck sweep: invalid environment: %s\n", report.NewScrubber(config.ScrubValuesFromEnv()).String(err.Error()))
		return 2
	}
	olderThan := fs.Duration("older-than", cfg.Duration(config.SweepMaxAge), "only leftovers created at least this long ago (a running run is never swept); with --tag the default is 0: a finished run is swept at once")
	dryRun := fs.Bool("dry-run", false, "count what would be removed, remove nothing")
	production := fs.Bool("production", false, "allow sweeping the production target")
	tag := fs.String("tag", "", "only this run's tag (launchcheck-<runid>)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ageSet := false
	fs.Visit(func(f *flag.Flag) { ageSet = ageSet || f.Name == "older-than" })
	if *tag != "" && !ageSet {
		*olderThan = 0
	}
	code, out := sweepRun(cfg, *olderThan, *dryRun, *production, *tag)
	io.WriteString(stdout, out)
	return code
}

func sweepRun(cfg *config.Config, olderThan time.Duration, dryRun, production bool, tag string) (int, string) {
	if cfg.Target == config.Production && !production {
		return 2, "launchcheck sweep: refusing to sweep PRODUCTION without --production (add --dry-run first to see what it would remove)\n"
	}
	// Untagged, a short cutoff could eat a run in progress; a tag names one
	// (finished) run, which the operator may sweep at once.
	if tag == "" && olderThan < time.Hour && cfg.Live() {
		return 2, fmt.Sprintf("launchcheck sweep: --older-than %s is too short for a live target: a run in progress could lose its data (use at least 1h, or --tag launchcheck-<runid> for one finished run)\n", olderThan)
	}
	if tag != "" && !strings.HasPrefix(tag, "launchcheck-") {
		return 2, fmt.Sprintf("launchcheck sweep: --tag %q is not a run tag (launchcheck-<runid>)\n", tag)
	}
	dsn := cfg.Get(config.SweepDatabaseURL)
	o := sweep.Options{DSN: dsn, Stripe: cfg, Tag: tag, MinAge: olderThan, DryRun: dryRun}
	if cfg.Get(config.FirebaseProjectID) != "" {
		o.Firebase = cfg
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res := sweep.Run(ctx, o)
	verb := "removed"
	if dryRun {
		verb = "would remove"
	}
	s := fmt.Sprintf("launchcheck sweep (%s, older than %s): %s %s\n", cfg.Target, olderThan, verb, res.String())
	if dsn == "" {
		s += "  database skipped: set " + config.SweepDatabaseURL + " (a role with DELETE rights; the checks' own URL is read-only)\n"
	}
	if cfg.Get(config.StripeSecretKey) == "" {
		s += "  Stripe skipped: " + config.StripeSecretKey + " not set\n"
	}
	if o.Firebase == nil {
		s += "  Firebase skipped: " + config.FirebaseProjectID + " not set\n"
	}
	for _, p := range res.Problems {
		s += "  problem: " + p + "\n"
	}
	s = report.NewScrubber(cfg.SecretValues()).String(s)
	if len(res.Problems) > 0 {
		return 1, s
	}
	return 0, s
}
