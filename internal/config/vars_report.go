package config

// Report, CLI and hardening settings (cmd/launchcheck, internal/report).
const (
	GitHubStepSummary = "GITHUB_STEP_SUMMARY"
	Chromium          = "HUSTLEXP_CHROMIUM"
	Harden            = "HUSTLEXP_HARDEN"
	SweepDatabaseURL  = "HUSTLEXP_SWEEP_DATABASE_URL"
	SweepMaxAge       = "HUSTLEXP_SWEEP_MIN_AGE"
	ActionlintPath    = "HUSTLEXP_ACTIONLINT"
	ReportSuiteCommit = "HUSTLEXP_SUITE_COMMIT"
)

func init() {
	declare(
		Var{Name: GitHubStepSummary, Kind: KindPath, Group: "Report",
			Doc: "Set by GitHub Actions: `launchcheck report` appends the markdown report to it (within GitHub's 1 MiB limit)."},
		Var{Name: Chromium, Kind: KindPath, Group: "Report",
			Doc: "Headless Chromium used by the test that opens the HTML report (default: chromium or chromium-browser on PATH)."},
		Var{Name: Harden, Kind: KindBool, Group: "Report",
			Doc: "Run the slow end-to-end hardening tests (black-hole target, read-only role, residue); `make harden` sets it."},
		Var{Name: SweepDatabaseURL, Kind: KindDSN, Group: "Report",
			Doc: "Postgres URL with DELETE rights used by `launchcheck sweep` to remove rows left by crashed runs (the checks' own URL is read-only)."},
		Var{Name: SweepMaxAge, Kind: KindDuration, Default: "24h", Group: "Report",
			Doc: "`launchcheck sweep` removes only leftovers older than this."},
		Var{Name: ActionlintPath, Kind: KindPath, Group: "Report",
			Doc: "actionlint binary for the workflow lint test (default: actionlint on PATH, then ~/go/bin/actionlint)."},
		Var{Name: ReportSuiteCommit, Kind: KindString, Group: "Report",
			Doc: "Commit of the suite shown in the report header (default: git rev-parse HEAD; GITHUB_SHA in Actions is passed through this)."},
	)
}
