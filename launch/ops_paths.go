package launch

import (
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/hustlexp/launchcheck/internal/check"
	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/hxapi"
	"github.com/hustlexp/launchcheck/internal/target"
)

// Paths of the backend's ops/ files inside its checkout (HUSTLEXP_REPO_DIR),
// as the checklist names them (MON-1, MON-2).
const (
	DashboardPath  = "ops/grafana/dashboard.json"
	AlertRulesPath = "ops/alerts/critical.yml"
)

// checkoutTied ties the backend checkout in HUSTLEXP_REPO_DIR to the build
// the target runs before a row judges files read from it (SEC-2's start
// path, DB-1's migration manifest, MON-1/MON-2's ops/ files): the
// checkout's revision (git rev-parse HEAD; in the rehearsal, whose
// embedded files have no git, the revision the world declares in
// HUSTLEXP_REPO_REVISION) must be /health's build.revision and the tree
// clean. Anything else is unverified, naming both revisions: the files
// judged would not be the deployed ones. The checkout's revision is
// evidence either way.
func checkoutTied(t check.T, env *target.Env, what string) {
	t.Helper()
	repo := env.Cfg.Get(config.RepoDir)
	ctx := check.Ctx(t, env.Cfg)
	rev := checkoutRevision(t, ctx, env, repo, what)
	deployed := deployedRevision(t, ctx, env, repo, what)
	if rev != deployed {
		check.Unverified(t, "%s: the checkout %s is at %s but the deployment runs %s (/health build.revision): the files judged are not the deployed ones (check out %s in %s)",
			what, repo, rev, deployed, deployed, config.RepoDir)
	}
}

// checkoutRevision is the checkout's HEAD, clean, recorded as evidence.
func checkoutRevision(t check.T, ctx context.Context, env *target.Env, repo, what string) string {
	t.Helper()
	if !env.Cfg.Live() && env.Cfg.Has(config.RepoRevision) {
		rev := env.Cfg.Get(config.RepoRevision)
		check.Evidence(t, "checkout_revision", fmt.Sprintf("%s (declared by %s, rehearsal)", rev, config.RepoRevision))
		return rev
	}
	out, err := exec.CommandContext(ctx, "git", "-C", repo, "rev-parse", "--verify", "HEAD").CombinedOutput()
	if err != nil {
		check.Unverified(t, "%s: %s %s is not a git checkout (git rev-parse HEAD: %s): its revision cannot be tied to the deployed build; use a clean git checkout of the deployed revision",
			what, config.RepoDir, repo, firstLine(out, err))
	}
	rev := strings.TrimSpace(string(out))
	status, err := exec.CommandContext(ctx, "git", "-C", repo, "status", "--porcelain").CombinedOutput()
	if err != nil {
		check.Unverified(t, "%s: git status in %s %s: %s: cannot tell whether the checkout is clean", what, config.RepoDir, repo, firstLine(status, err))
	}
	dirty := strings.Split(strings.TrimSpace(string(status)), "\n")
	if len(dirty) == 1 && dirty[0] == "" {
		dirty = nil
	}
	check.Evidence(t, "checkout_revision", fmt.Sprintf("%s (git, %d uncommitted paths)", rev, len(dirty)))
	if len(dirty) > 0 {
		check.Unverified(t, "%s: the checkout %s at %s has uncommitted changes (%d paths, e.g. %s): its files are not revision %s",
			what, repo, rev, len(dirty), strings.TrimSpace(dirty[0]), rev)
	}
	return rev
}

// deployedRevision is /health's build.revision.
func deployedRevision(t check.T, ctx context.Context, env *target.Env, repo, what string) string {
	t.Helper()
	if env.Cfg.Get(config.BaseURL) == "" {
		check.Unverified(t, "%s: %s not set: the deployed revision (/health build.revision) cannot be read, so the checkout %s cannot be tied to it", what, config.BaseURL, repo)
	}
	h, _, err := hxapi.New(env).Health(ctx)
	if err != nil {
		check.Unverified(t, "%s: the deployed revision cannot be read (%v), so the checkout %s cannot be tied to it", what, err, repo)
	}
	rev := ""
	if h.Build != nil {
		rev = h.Build.Revision
	}
	if !hex40.MatchString(rev) {
		check.Unverified(t, "%s: /health reports build.revision %q, not a 40-hex SHA: the checkout %s cannot be tied to the deployed build", what, rev, repo)
	}
	return rev
}

// firstLine is the first line of a command's output, else its error.
func firstLine(out []byte, err error) string {
	if s, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n"); s != "" {
		return s
	}
	return err.Error()
}
